"""The ``run`` command as a scheduler starts it: again and again, in fresh processes.

A scheduler (cron, Airflow, Dagster) knows only exit codes. Started with a short
``--max-wait`` while the emulator's Standard tasks take longer, the command exits 6
(incomplete); started again with the same ``--run-id`` until it exits 0, every task is
charged once on the emulator's ledger; a rerun of the complete run exits 0 without any
API call; a start while another process holds the run's tasks exits 6 without posting;
missing credentials are an input error (1), not an API error (8).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility._cli import EXIT_INCOMPLETE, EXIT_INPUT, EXIT_OK

from .visibility_cli import ledger, start_cli

pytestmark = pytest.mark.slow

PANEL = """
name = "scheduled"
samples = 2
prompts = ["Which CRM suits a small agency?", "HubSpot or Pipedrive?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""
TASKS = 8  # 2 prompts x 2 engines x 2 samples
LATENCY = 2.0  # seconds before a Standard task is ready: longer than the first --max-wait


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """An emulator whose Standard tasks take LATENCY seconds."""
    with EmulatorServer(Emulator(EmulatorConfig(task_latency=LATENCY))) as running:
        yield running


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    path = tmp_path / "panel.toml"
    path.write_text(PANEL, encoding="utf-8")
    return path


def _run(server: EmulatorServer, cwd: Path, *args: str) -> tuple[int, str, str]:
    """One start of the command, as a scheduler makes it: a fresh process, to its end."""
    process = start_cli(server, cwd, *args)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _posted(db: Path, run_id: str) -> int:
    """How many of the run's Standard tasks carry a task id (read without the package)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM tasks WHERE run_id = ? AND engine = 'chat_gpt' "
                "AND task_id IS NOT NULL",
                (run_id,),
            ).fetchone()
    except sqlite3.OperationalError:  # the tables are not there yet
        return 0
    return int(row[0])


def test_a_rerun_loop_ends_with_0_and_charges_each_task_once(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    args = ("run", str(panel), "--db", str(db), "--run-id", "daily", "--quiet")
    codes: list[int] = []
    for _ in range(30):  # the scheduler's retries
        code, out, err = _run(
            server, tmp_path, *args, "--max-wait", "0.2", "--poll-interval", "0.1"
        )
        codes.append(code)
        if code == EXIT_OK:
            break
        assert code == EXIT_INCOMPLETE, err
        assert "--run-id daily to collect them (nothing is posted twice)" in err
        time.sleep(0.3)
    assert codes[0] == EXIT_INCOMPLETE  # the Standard tasks were not ready within --max-wait
    assert codes[-1] == EXIT_OK
    assert set(codes[:-1]) == {EXIT_INCOMPLETE}
    assert f"run daily: measured {TASKS}, failed 0, pending 0" in out
    book = ledger(server)
    charged = Counter(c["tag"] for c in book["charges"])
    assert len(charged) == TASKS
    assert set(charged.values()) == {1}  # each task paid once, whatever the number of starts

    # the complete run started again: 0 at once, not one API call (paid or free)
    calls = book["calls"]["total"]
    code, out, err = _run(server, tmp_path, *args)
    assert code == EXIT_OK, err
    assert "run daily is complete: nothing to post or collect" in err
    assert f"run daily: measured {TASKS}, failed 0, pending 0" in out
    assert ledger(server)["calls"]["total"] == calls


def test_a_start_while_another_process_holds_the_run_exits_6_and_posts_nothing(
    panel: Path, tmp_path: Path
) -> None:
    # tasks slow enough that the holder still waits for them when the second start ends
    with EmulatorServer(Emulator(EmulatorConfig(task_latency=10.0))) as server:
        _overlapping_starts(server, panel, tmp_path)


def _overlapping_starts(server: EmulatorServer, panel: Path, tmp_path: Path) -> None:
    """Start a run, then the same run again while the first holds its Standard tasks."""
    db = tmp_path / "runs.db"
    args = ("run", str(panel), "--db", str(db), "--run-id", "shared", "--quiet")
    first = start_cli(server, tmp_path, *args, "--max-wait", "60", "--poll-interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while _posted(db, "shared") < TASKS // 2 and time.monotonic() < deadline:
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        assert _posted(db, "shared") == TASKS // 2  # the Standard half, not ready yet
        charged = len(ledger(server)["charges"])
        # an overlapping start (a slow run and the next cron tick): it waits for the
        # holder's tasks up to its --max-wait, then leaves them to it
        code, _out, err = _run(server, tmp_path, *args, "--max-wait", "0.3")
        assert code == EXIT_INCOMPLETE, err
        assert len(ledger(server)["charges"]) == charged  # nothing posted a second time
        _out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == EXIT_OK, err
    charged_tags = Counter(c["tag"] for c in ledger(server)["charges"])
    assert len(charged_tags) == TASKS
    assert set(charged_tags.values()) == {1}


def test_missing_credentials_exit_1_in_a_fresh_process_and_create_nothing(
    panel: Path, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAFORSEO_")}
    done = subprocess.run(  # noqa: S603 - our own module and arguments
        [
            sys.executable,
            "-m",
            "langchain_dataforseo.visibility",
            "run",
            str(panel),
            "--db",
            str(db),
            "--run-id",
            "x",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "no DataForSEO credentials" in done.stderr
    assert not db.exists()
