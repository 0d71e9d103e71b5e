"""The visibility CLI in a real subprocess, against an emulator served on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore

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


# -- one run driven by two workers (the SQLite and the PostgreSQL tests share it) -----------

PROMPTS = ("Which CRM suits a 10-person agency?", "HubSpot or Pipedrive for a small team?")
TASKS = 3 * 5 * len(PROMPTS)
"""Tasks of :func:`two_worker_panel`: 3 engines x 5 samples x 2 prompts."""


def two_worker_panel(name: str) -> str:
    """A small panel file (TOML) of :data:`TASKS` tasks, named ``name``."""
    return f"""
name = "{name}"
samples = 5
prompts = {list(PROMPTS)!r}
[brand]
name = "HubSpot"
domains = ["hubspot.com"]
[engines]
chat_gpt = "gpt-4.1-mini"
claude = "claude-haiku-4-5"
gemini = "gemini-2.5-flash"
"""


WORKER_CASES = [
    pytest.param(
        "live",
        ("--max-cost", "1.0", "--max-cost-per-call", "0.03", "--concurrency", "3"),
        EmulatorConfig(live_latency=0.2),
        id="live",
    ),
    pytest.param(
        "standard",
        ("--max-cost", "1.0", "--tasks-per-post", "1", "--concurrency", "3"),
        EmulatorConfig(task_latency=0.3),
        id="standard",
    ),
]
"""``(method, CLI options, emulator config)`` for two workers on one run, per method."""


def start_run(server: EmulatorServer, tmp: Path, db: str, *extra: str) -> subprocess.Popen[str]:
    """``run panel.toml --db DB --run-id R`` (fast polling) as a worker process."""
    run = ("run", str(tmp / "panel.toml"), "--db", db, "--run-id", "R")
    return start_cli(server, tmp, *run, "--poll-interval", "0.1", "--max-wait", "120", *extra)


def run_two_workers(
    server: EmulatorServer, tmp: Path, db: str, *extra: str
) -> list[tuple[str, str]]:
    """Start two workers on run R together; both must exit 0. Their (stdout, stderr)."""
    workers = [start_run(server, tmp, db, *extra) for _ in range(2)]
    outputs = [worker.communicate(timeout=240) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    return outputs


def check_paid_once(db: str, book: dict[str, Any]) -> None:
    """Every task measured, each tag charged once, leases released, the ledger's cost."""
    charged = Counter(c["tag"] for c in book["charges"])
    with VisibilityStore(db, readonly=True) as store:
        tasks = store.tasks("R")
        assert len(tasks) == TASKS
        assert {t.status for t in tasks} == {"measured"}  # nothing pending
        assert charged == Counter({t.tag: 1 for t in tasks})  # each task paid once
        # a sum of floats: compare within 1e-9 (rounding both to 6 places can split a tie)
        assert store.run("R").cost == pytest.approx(book["charged_total"], abs=1e-9)
        assert all(t.lease_owner is None for t in tasks)  # every worker released its leases
