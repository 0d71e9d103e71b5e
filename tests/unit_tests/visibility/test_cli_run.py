"""The CLI's run command against the emulator on loopback: estimate, refusal, exit codes."""

from __future__ import annotations

import contextlib
import functools
import io
import sqlite3
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore, _cli
from langchain_dataforseo.visibility._cli import (
    EXIT_BUDGET,
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PANEL,
    main,
)

from .cli_helpers import call, charges

PANEL = """
name = "cli"
samples = 2
prompts = ["Which CRM suits a small agency?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    path = tmp_path / "panel.toml"
    path.write_text(PANEL, encoding="utf-8")
    return path


def test_run_has_help() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as done, contextlib.redirect_stdout(out):
        main(["run", "--help"])
    assert done.value.code == 0
    assert "--run-id" in out.getvalue()
    assert "--max-cost" in out.getvalue()


def test_run_then_rerun_posts_nothing_twice(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    args = ("run", str(panel), "--db", str(db), "--run-id", "c1", "--poll-interval", "0.05")
    code, out, err = call(*args, "--max-cost", "5")
    assert code == EXIT_OK, err
    assert "run c1: measured 4, failed 0, pending 0" in out
    assert "estimate: run c1: 4 task(s) to post" in err
    assert "[c1] done 4/4" in err
    assert charges(server) == 4
    code, out, err = call(*args)
    assert code == EXIT_OK, err
    assert "run c1 is complete: nothing to post or collect" in err  # no estimate, no call
    assert charges(server) == 4


def test_run_estimate_posts_nothing(server: EmulatorServer, panel: Path, tmp_path: Path) -> None:
    code, _out, err = call("run", str(panel), "--db", str(tmp_path / "x.db"), "--estimate")
    assert code == EXIT_OK
    assert "4 task(s) to post, at most $" in err
    assert charges(server) == 0


def test_run_over_max_cost_exits_7_and_posts_nothing(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    code, _out, err = call("run", str(panel), "--db", str(db), "--max-cost", "0.01")
    assert code == EXIT_BUDGET
    assert "nothing was posted" in err
    assert charges(server) == 0


def test_run_with_tasks_left_exits_6_and_says_how_to_resume(
    monkeypatch: pytest.MonkeyPatch, panel: Path, tmp_path: Path
) -> None:
    with EmulatorServer(Emulator(EmulatorConfig(task_latency=30))) as running:
        monkeypatch.setenv("DATAFORSEO_LOGIN", "emulator-login")
        monkeypatch.setenv("DATAFORSEO_PASSWORD", "emulator-password")
        monkeypatch.setenv("DATAFORSEO_BASE_URL", running.base_url)
        db = tmp_path / "runs.db"
        code, _out, err = call(
            "run", str(panel), "--db", str(db), "--run-id", "slow", "--max-wait", "0.1"
        )
    assert code == EXIT_INCOMPLETE
    assert "--run-id slow to collect them" in err
    with VisibilityStore(db, readonly=True) as store:
        assert len(store.posted("slow")) == 2


def test_run_a_bad_panel_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PANEL.replace("samples = 2", "samples = 0"), encoding="utf-8")
    code, _out, err = call("run", str(bad), "--db", str(tmp_path / "x.db"))
    assert code == EXIT_PANEL
    assert "samples" in err


def test_a_run_id_of_another_panel_is_an_input_error_not_an_unknown_run(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    args = ("run", str(panel), "--db", str(db), "--run-id", "c1", "--poll-interval", "0.05")
    code, _out, err = call(*args)
    assert code == EXIT_OK, err
    code, out, err = call(*args)  # complete: said so, nothing asked of the API
    assert code == EXIT_OK, err
    assert "run c1 is complete: nothing to post or collect" in err
    assert "run c1: measured 4, failed 0, pending 0" in out
    panel.write_text(PANEL.replace("samples = 2", "samples = 3"), encoding="utf-8")
    code, _out, err = call(*args)
    assert code == EXIT_INPUT  # was 5 (unknown run id): a scheduler must not retry it
    assert "run 'c1' exists in the store with another panel" in err
    assert charges(server) == 4


def test_a_store_locked_past_the_wait_exits_6_for_a_rerun_not_9(
    server: EmulatorServer, panel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "runs.db"
    VisibilityStore(db).close()
    monkeypatch.setattr(_cli, "VisibilityStore", functools.partial(VisibilityStore, timeout=0.2))
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the wait
    try:
        code, _out, err = call("run", str(panel), "--db", str(db), "--run-id", "busy")
    finally:
        holder.rollback()
        holder.close()
    assert code == EXIT_INCOMPLETE, err  # a scheduler retries it; 9 would say "fix the file"
    assert "locked" in err
    assert "run the same command again with the same --run-id" in err
    assert charges(server) == 0
    code, _out, err = call("run", str(panel), "--db", str(db), "--run-id", "busy")
    assert code == EXIT_OK, err
