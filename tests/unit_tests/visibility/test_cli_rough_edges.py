"""CLI rough edges a newcomer hit: a closed pipe, status headers, the `*` mark, progress.

The pipe tests run the CLI in a subprocess: one whose stdout is a pipe nobody reads (its
read end closed before the CLI starts, so the first write fails for sure), and a real
``| head -1`` (two processes, an output larger than a pipe's 64 KiB buffer).
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore
from langchain_dataforseo.visibility import _cli as cli_module
from langchain_dataforseo.visibility._cli import EXIT_BROKEN_PIPE, EXIT_OK
from langchain_dataforseo.visibility._cli_run import ProgressPrinter
from langchain_dataforseo.visibility._panel import MAX_NAME_CHARS, Panel
from langchain_dataforseo.visibility._run import run_panel
from langchain_dataforseo.visibility._store import Progress

from .cli_helpers import call
from .test_metrics import (
    PANEL,
    store,  # noqa: F401 - fixture
)

CLI = (sys.executable, "-m", "langchain_dataforseo.visibility")
RUN_PANEL = """
name = "cli"
samples = 2
prompts = ["Which CRM suits a small agency?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""


def _env() -> dict[str, str]:
    src = str(Path(cli_module.__file__).resolve().parents[2])
    return {**os.environ, "PYTHONPATH": src}


def test_a_stdout_nobody_reads_exits_141_without_a_traceback(
    store: VisibilityStore,  # noqa: F811
) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the CLI writes a byte
    try:
        done = subprocess.run(  # noqa: S603 - our own module
            [*CLI, "metrics", "r", "--db", str(store.path)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
            env=_env(),
        )
    finally:
        os.close(write)
    assert done.stderr == ""  # no traceback, no "Exception ignored"
    assert done.returncode == EXIT_BROKEN_PIPE


@pytest.mark.skipif(shutil.which("head") is None, reason="no head here")
def test_status_piped_into_head_prints_the_header_and_exits_quietly(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    long_name = Panel.from_dict({**PANEL.to_dict(), "name": "n" * MAX_NAME_CHARS})
    with VisibilityStore(db) as s:
        for number in range(3000):  # about 850 KB of status: many times what a pipe holds
            s.create_run(long_name, run_id=f"run-{number:05d}")
    cli = subprocess.Popen(  # noqa: S603 - our own module
        [*CLI, "status", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    head = subprocess.Popen(  # noqa: S603
        [shutil.which("head") or "head", "-1"], stdin=cli.stdout, stdout=subprocess.PIPE
    )
    assert cli.stdout is not None
    cli.stdout.close()  # only head holds the read end now
    first, _ = head.communicate(timeout=120)
    _, cli_err = cli.communicate(timeout=120)
    assert first.decode().split() == [
        "run",
        "id",
        "panel",
        "method",
        "created",
        "measured",
        "failed",
        "pending",
        "cost",
    ]
    assert cli_err.decode() == ""
    assert cli.returncode == EXIT_BROKEN_PIPE


def test_status_has_column_headers(store: VisibilityStore) -> None:  # noqa: F811
    code, out, _ = call("status", "--db", str(store.path))
    assert code == EXIT_OK
    header, row = out.splitlines()
    assert header.split() == [
        "run",
        "id",
        "panel",
        "method",
        "created",
        "measured",
        "failed",
        "pending",
        "cost",
    ]
    assert row.split()[0] == "r"
    assert row.split()[-4:] == ["10", "1", "1", "$0.0120"]
    # right-aligned numbers end under their header
    assert header.index("measured") + len("measured") == row.index(" 10  ") + 3


def test_the_brand_mark_is_explained(store: VisibilityStore) -> None:  # noqa: F811
    code, out, _ = call("metrics", "r", "--db", str(store.path))
    assert code == EXIT_OK
    assert "HubSpot *" in out
    assert "brand (* = yours)" in out
    assert "* marks the panel's own brand ([brand] in the panel file)" in out


def _progress(done: int, *, final: bool = False) -> Progress:
    return Progress("r", 4, done, 0, 4 - done, 0, 0.01, final=final)


def test_the_final_progress_line_is_not_repeated() -> None:
    err = io.StringIO()
    printer = ProgressPrinter(err)
    printer(_progress(0))
    printer(_progress(4))
    printer(_progress(4, final=True))  # the same end state: not printed again
    assert err.getvalue().splitlines() == [_progress(0).line(), _progress(4).line()]
    err = io.StringIO()
    printer = ProgressPrinter(err)
    printer(_progress(2))
    printer(_progress(4, final=True))  # the end state not shown yet: printed
    assert err.getvalue().splitlines() == [_progress(2).line(), _progress(4).line()]
    quiet = io.StringIO()
    ProgressPrinter(quiet, quiet=True)(_progress(4, final=True))
    assert quiet.getvalue() == ""


def test_a_run_prints_its_end_state_once(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every report printed (no 1 s throttle): the last one always shows the end state,
    # which the run's final report (final=True) repeats
    monkeypatch.setattr(cli_module, "run_panel", functools.partial(run_panel, progress_interval=0))
    panel = tmp_path / "panel.toml"
    panel.write_text(RUN_PANEL, encoding="utf-8")
    db = tmp_path / "runs.db"
    code, out, err = call(
        "run", str(panel), "--db", str(db), "--run-id", "c1", "--poll-interval", "0.05"
    )
    assert code == EXIT_OK, err
    end = [line for line in err.splitlines() if line.startswith("[c1] done 4/4")]
    assert end == ["[c1] done 4/4, failed 0, pending 0 (unconfirmed 0), spent $0.0156"]
    assert "run c1: measured 4, failed 0, pending 0" in out


def test_answers_json_has_lists_and_csv_keeps_joined_cells(
    store: VisibilityStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    answers = tmp_path / "answers.json"
    html = tmp_path / "out.html"
    code, _, err = call(
        "report", "r", "--db", str(store.path), "--html", str(html), "--answers", str(answers)
    )
    assert code == EXIT_OK, err
    first = json.loads(answers.read_text(encoding="utf-8"))[0]
    assert first["brands"] == [{"name": "HubSpot", "rank": 1}, {"name": "Salesforce", "rank": 2}]
    assert first["cited_domains"] == ["hubspot.com", "g2.com"]
    assert first["fan_out_queries"] == ["best crm", "CRM  comparison"]
    csv_path = tmp_path / "answers.csv"
    call("report", "r", "--db", str(store.path), "--html", str(html), "--answers", str(csv_path))
    assert "HubSpot:1;Salesforce:2,hubspot.com;g2.com" in csv_path.read_text(encoding="utf-8")
