"""What the CLI tests share: calling the CLI in-process, and the emulator's charge count."""

from __future__ import annotations

import io

import httpx

from langchain_dataforseo.emulator import EmulatorServer
from langchain_dataforseo.visibility._cli import main


def call(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def charges(server: EmulatorServer) -> int:
    """How many charges the emulator's ledger holds."""
    ledger = httpx.get(
        f"{server.base_url}/emulator/ledger", auth=("emulator-login", "emulator-password")
    ).json()
    return len(ledger["charges"])
