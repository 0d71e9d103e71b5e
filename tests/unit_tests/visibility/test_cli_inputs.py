"""The CLI's input checks: numbers, run ids, the postback URL's secret, credentials, runs
left behind (and the ``delete`` command), models checked against the catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore, VisibilityStoreError
from langchain_dataforseo.visibility._cli import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PANEL,
    EXIT_UNKNOWN_RUN,
    main,
)
from langchain_dataforseo.visibility._cli_checks import MAX_RUN_ID_CHARS, run_id_problem

from .builders import raw_task
from .cli_helpers import call, charges

PANEL = """
name = "inputs"
samples = 2
prompts = ["Which CRM suits a small agency?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""
CLI = (sys.executable, "-m", "langchain_dataforseo.visibility")
USAGE = 2


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    path = tmp_path / "panel.toml"
    path.write_text(PANEL, encoding="utf-8")
    return path


def runs_in(db: Path) -> list[str]:
    with VisibilityStore(db, readonly=True) as store:
        return [info.run_id for info in store.runs()]


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--max-cost", "nan", "must be a finite number, got 'nan'"),
        ("--max-cost", "inf", "must be a finite number, got 'inf'"),
        ("--max-cost", "-1", "must be >= 0, got '-1'"),
        ("--max-cost-per-call", "0", "must be > 0, got '0'"),
        ("--max-cost-per-call", "nan", "must be a finite number, got 'nan'"),
        ("--poll-interval", "-1", "must be > 0, got '-1'"),
        ("--poll-interval", "nan", "must be a finite number, got 'nan'"),
        ("--max-wait", "nan", "must be a finite number"),
        ("--recover-wait", "-5", "must be >= 0"),
    ],
)
def test_numbers_that_are_not_finite_or_out_of_range_are_usage_errors(
    server: EmulatorServer, panel: Path, tmp_path: Path, option: str, value: str, said: str
) -> None:
    db = tmp_path / "runs.db"
    done = subprocess.run(  # noqa: S603 - our own module
        [*CLI, "run", str(panel), "--db", str(db), option, value],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == USAGE, done.stderr
    assert "Traceback" not in done.stderr
    assert f"argument {option}: {said}" in done.stderr
    assert not db.exists()
    assert charges(server) == 0


@pytest.mark.parametrize(
    ("run_id", "said"),
    [
        ("a b", "character 1 is ' ' (U+0020)"),
        ("tab\there", "character 3 is '\\t' (U+0009)"),
        ("x" * (MAX_RUN_ID_CHARS + 1), f"at most {MAX_RUN_ID_CHARS} characters, got 201"),
        ("esc\x1b[2J", "character 3 is '\\x1b' (U+001B)"),
    ],
)
def test_an_impossible_run_id_is_an_input_error_not_an_unknown_run(
    panel: Path, tmp_path: Path, run_id: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "runs.db"
    VisibilityStore(db).close()
    for argv in (
        ["run", str(panel), "--db", str(db), "--run-id", run_id, "--estimate"],
        ["status", run_id, "--db", str(db)],
        ["metrics", run_id, "--db", str(db)],
        ["report", run_id, "--db", str(db), "--html", str(tmp_path / "r.html")],
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == USAGE
        assert done.value.code != EXIT_UNKNOWN_RUN
        assert said in capsys.readouterr().err
    assert runs_in(db) == []


def test_run_id_problem_accepts_what_a_run_can_have() -> None:
    assert run_id_problem("2024-06_weekly.v2:eu") is None
    assert run_id_problem("x" * MAX_RUN_ID_CHARS) is None
    assert run_id_problem("") == "must not be empty"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://receiver.example/cb?secret=TOPSECRET-1&id=$id",
        "receiver.example/cb?secret=TOPSECRET-1",
        "https:///cb?secret=TOPSECRET-1",
        "http://[::1/cb?secret=TOPSECRET-1",
        "https://user:TOPSECRET-1@/cb",
    ],
)
def test_a_malformed_postback_url_is_refused_without_its_secret(
    server: EmulatorServer,
    panel: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    monkeypatch.setenv("DATAFORSEO_POSTBACK_URL", url)
    db = tmp_path / "runs.db"
    code, out, err = call("run", str(panel), "--db", str(db), "--postback")
    assert code == EXIT_INPUT
    assert "TOPSECRET" not in out + err
    assert "$DATAFORSEO_POSTBACK_URL=" in err
    assert "is not an http:// or https:// URL with a host" in err
    assert charges(server) == 0
    assert not db.exists()  # refused before the store was opened


def test_missing_credentials_are_an_input_error_and_leave_no_run(
    panel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.setenv("DATAFORSEO_PASSWORD", "p")
    db = tmp_path / "runs.db"
    code, _, err = call("run", str(panel), "--db", str(db), "--run-id", "c")
    assert code == EXIT_INPUT
    assert "no DataForSEO credentials: set DATAFORSEO_LOGIN" in err
    assert not db.exists()
    # --estimate needs none (nothing is sent)
    code, _, err = call("run", str(panel), "--db", str(db), "--run-id", "c", "--estimate")
    assert code == EXIT_OK, err


def test_a_run_that_fails_its_checks_is_removed_and_a_rerun_is_new(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PANEL.replace('"gpt-4.1-mini"', '"gpt-not-in-catalogue"'), encoding="utf-8")
    db = tmp_path / "runs.db"
    code, _, err = call("run", str(bad), "--db", str(db), "--run-id", "f1")
    assert code == EXIT_INPUT
    assert "is not in the chat_gpt catalogue" in err
    assert runs_in(db) == []  # checked before the run is created (or removed, if it was)
    # refused by the budget: removed too (nothing was posted)
    code, _, err = call("run", str(panel), "--db", str(db), "--run-id", "f1", "--max-cost", "0")
    assert code == 7
    assert runs_in(db) == []
    assert charges(server) == 0
    code, _, err = call(
        "run", str(panel), "--db", str(db), "--run-id", "f1", "--poll-interval", "0.05"
    )
    assert code == EXIT_OK, err
    assert runs_in(db) == ["f1"]


def test_delete_removes_an_unsent_run_and_refuses_a_paid_one_without_force(
    tmp_path: Path,
) -> None:
    from langchain_dataforseo.visibility import Panel

    panel = Panel("d", ["Which CRM?"], "HubSpot", engines={"chat_gpt": "gpt-4.1-mini"}, samples=2)
    db = tmp_path / "runs.db"
    with VisibilityStore(db) as store:
        store.create_run(panel, run_id="empty")
        store.create_run(panel, run_id="paid")
        tag = store.tasks("paid")[0].tag
        store.record_results("paid", [(tag, raw_task("HubSpot first."), 0.01)])
        store.create_run(panel, run_id="doubt")
        store.record_intent("doubt", [store.tasks("doubt")[0].tag])
    code, out, _ = call("delete", "empty", "--db", str(db))
    assert code == EXIT_OK
    assert out == "deleted run empty (2 tasks)\n"
    for run in ("paid", "doubt"):
        code, _, err = call("delete", run, "--db", str(db))
        assert code == EXIT_INPUT
        assert f"run {run!r} has 1 task(s) sent, in doubt or paid" in err
        assert "--force" in err
    assert sorted(runs_in(db)) == ["doubt", "paid"]
    code, out, _ = call("delete", "paid", "--db", str(db), "--force")
    assert code == EXIT_OK
    code, _, err = call("delete", "nope", "--db", str(db))
    assert code == EXIT_UNKNOWN_RUN
    assert "unknown run id 'nope'" in err
    with VisibilityStore(db) as store:
        assert [info.run_id for info in store.runs()] == ["doubt"]
        facts = store.connection.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        assert facts == 0  # the deleted run's facts went with it
        with pytest.raises(VisibilityStoreError, match="in doubt or paid"):
            store.delete_run("doubt")
        assert store.delete_run("doubt", force=True) == 2


def test_check_refuses_a_model_the_catalogue_refuses_when_credentials_are_set(
    server: EmulatorServer, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PANEL.replace('"gpt-4.1-mini"', '"gpt-not-in-catalogue"'), encoding="utf-8")
    code, out, err = call("check", str(bad))
    assert code == EXIT_PANEL
    assert out == ""
    assert f"error: {bad}, line 8: engines.chat_gpt ('gpt-not-in-catalogue')" in err
    assert "is not in the chat_gpt catalogue" in err
    assert charges(server) == 0
    good = tmp_path / "good.toml"
    good.write_text(PANEL, encoding="utf-8")
    code, out, _ = call("check", str(good))
    assert code == EXIT_OK
    assert "is valid" in out


def test_check_without_credentials_says_the_models_were_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.delenv("DATAFORSEO_PASSWORD", raising=False)
    bad = tmp_path / "bad.toml"
    bad.write_text(PANEL.replace('"gpt-4.1-mini"', '"gpt-not-in-catalogue"'), encoding="utf-8")
    code, out, err = call("check", str(bad))
    assert code == EXIT_OK
    assert "is valid" in out
    assert "models not checked against the engines' catalogues (no credentials" in err


def test_a_run_on_the_emulator_says_which_brand_catalogue_answers(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "runs.db")
    code, _, err = call("run", str(panel), "--db", db, "--run-id", "n", "--estimate")
    assert code == EXIT_OK, err
    assert "emulator brand catalogue:" in err  # the test emulator has none: it says so


def test_a_run_on_a_non_loopback_url_asks_no_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_dataforseo.visibility._cli_run import catalogue_note

    environ = {
        "DATAFORSEO_BASE_URL": "https://api.dataforseo.com",
        "DATAFORSEO_LOGIN": "l",
        "DATAFORSEO_PASSWORD": "p",
    }
    assert catalogue_note(environ) is None


def test_run_takes_a_precision_target_and_checks_it_before_anything(
    server: EmulatorServer, panel: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "runs.db")
    for bad in (("--target-half-width", "0.7"), ("--target-half-width", "nan")):
        with pytest.raises(SystemExit) as caught:
            call("run", str(panel), "--db", db, "--run-id", "p", *bad)
        assert caught.value.code == 2  # usage: checked before anything
    with pytest.raises(SystemExit) as caught:
        call("run", str(panel), "--db", db, "--run-id", "p", "--max-samples", "8")
    assert caught.value.code == 2  # --max-samples alone means nothing
    with pytest.raises(SystemExit) as caught:
        call("run", str(panel), "--db", db, "--target-half-width", "0.1", "--max-samples", "0")
    assert caught.value.code == 2
    assert charges(server) == 0
    code, _, err = call(
        "run",
        str(panel),
        "--db",
        db,
        "--run-id",
        "p",
        "--target-half-width",
        "0.45",
        "--max-samples",
        "8",
        "--poll-interval",
        "0.05",
        "--method",
        "live",
    )
    assert code == EXIT_OK, err
