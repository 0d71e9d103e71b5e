"""The visibility CLI in a real subprocess, against an emulator served on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from langchain_dataforseo.emulator import EmulatorServer

AUTH = ("emulator-login", "emulator-password")


def start_cli(server: EmulatorServer, cwd: Path, *args: str) -> subprocess.Popen[str]:
    """``python -m langchain_dataforseo.visibility ARGS`` with the emulator's credentials."""
    env = {
        **os.environ,
        "DATAFORSEO_LOGIN": AUTH[0],
        "DATAFORSEO_PASSWORD": AUTH[1],
        "DATAFORSEO_BASE_URL": server.base_url,
    }
    command = [sys.executable, "-m", "langchain_dataforseo.visibility", *args]
    return subprocess.Popen(  # noqa: S603 - our own module and arguments
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def ledger(server: EmulatorServer) -> dict[str, Any]:
    """The emulator's ledger: every charge with its tag and cost."""
    response = httpx.get(f"{server.base_url}/emulator/ledger", auth=AUTH, timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data
