"""Outputs the CLI cannot write (exit 10), outputs that are one file, a disk full mid-run (6).

Real faults: ``/dev/full`` (every write fails with ENOSPC), a directory, a path under a
regular file; for the store, SQLite's own ``max_page_count`` makes the database full.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore
from langchain_dataforseo.visibility import _cli as cli_module
from langchain_dataforseo.visibility._cli import EXIT_INCOMPLETE, EXIT_OK, EXIT_OUTPUT

from .cli_helpers import call
from .test_metrics import store  # noqa: F401 - fixture

DEV_FULL = Path("/dev/full")
CLI = (sys.executable, "-m", "langchain_dataforseo.visibility")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full here")


@needs_dev_full
@pytest.mark.parametrize("option", ["--answers", "--metrics-csv", "--md"])
def test_a_full_disk_while_writing_a_report_exits_10(
    store: VisibilityStore,  # noqa: F811
    tmp_path: Path,
    option: str,
) -> None:
    html = tmp_path / "out.html"
    code, out, err = call(
        "report", "r", "--db", str(store.path), "--html", str(html), option, str(DEV_FULL)
    )
    assert code == EXIT_OUTPUT
    assert out == ""
    assert f"{option} {DEV_FULL}" in err.split(":")[1]
    assert err.startswith("error: cannot write ")
    assert "No space left on device" in err


@needs_dev_full
def test_a_full_disk_while_writing_metrics_exits_10_in_a_subprocess(
    store: VisibilityStore,  # noqa: F811
) -> None:
    for fmt in ("table", "csv"):
        argv = ["metrics", "r", "--db", str(store.path), "--format", fmt]
        done = subprocess.run(  # noqa: S603 - our own module
            [*CLI, *argv, "--output", str(DEV_FULL)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == EXIT_OUTPUT, done.stderr
        assert "Traceback" not in done.stderr
        assert "error: cannot write --output /dev/full: No space left on device" in done.stderr


def test_an_output_that_is_a_directory_or_under_a_file_exits_10_before_writing(
    store: VisibilityStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = tmp_path / "folder.html"
    folder.mkdir()
    code, _, err = call("report", "r", "--db", str(store.path), "--html", str(folder))
    assert code == EXIT_OUTPUT
    assert f"--html {folder} is a directory" in err
    regular = tmp_path / "somefile"
    regular.write_text("x", encoding="utf-8")
    html = tmp_path / "ok.html"
    code, _, err = call(
        "report", "r", "--db", str(store.path), "--html", str(html), "--answers",
        str(regular / "answers.csv"),
    )  # fmt: skip
    assert code == EXIT_OUTPUT
    assert f"{regular} is a file, not a folder" in err
    assert not html.exists()  # refused before anything was written
    code, _, err = call("metrics", "r", "--db", str(store.path), "--output", str(regular / "m.txt"))
    assert code == EXIT_OUTPUT


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--html", "{d}/x.md"), "--md (default) {d}/x.md is the same file as --html {d}/x.md"),
        (
            ("--html", "{d}/x.html", "--answers", "{d}/sub/../x.html"),
            "--answers {d}/sub/../x.html is the same file as --html {d}/x.html",
        ),
        (
            ("--html", "{d}/x.html", "--md", "{d}/y.md", "--metrics-csv", "{d}/y.md"),
            "--metrics-csv {d}/y.md is the same file as --md {d}/y.md",
        ),
        (("--html", "{db}"), "--html {db} is the same file as --db {db}"),
        (("--html", "{db}-wal"), "--html {db}-wal is the same file as --db (-wal) {db}-wal"),
    ],
)
def test_two_outputs_that_are_one_file_are_refused_before_writing(
    store: VisibilityStore,  # noqa: F811
    tmp_path: Path,
    options: tuple[str, ...],
    said: str,
) -> None:
    (tmp_path / "sub").mkdir()
    names = {"d": str(tmp_path), "db": str(store.path)}
    before = store.path.read_bytes()
    code, _, err = call(
        "report", "r", "--db", str(store.path), *(o.format(**names) for o in options)
    )
    assert code == EXIT_OUTPUT
    assert said.format(**names) in err
    assert not (tmp_path / "x.html").exists()
    assert not (tmp_path / "x.md").exists()
    assert store.path.read_bytes() == before


def test_a_symlinked_output_to_the_same_file_is_refused(
    store: VisibilityStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    html = tmp_path / "x.html"
    html.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(html)
    code, _, err = call(
        "report", "r", "--db", str(store.path), "--html", str(html), "--answers", str(link)
    )
    assert code == EXIT_OUTPUT
    assert "is the same file as --html" in err
    assert html.read_text(encoding="utf-8") == "old"


# -- a disk full during a run: exit 6, and the re-run finishes paying nothing twice --------

PANEL = """
name = "full"
samples = 3
prompts = ["Which CRM suits a small agency?", "Best CRM for a dental clinic?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""


def charged_tags(server: EmulatorServer) -> list[str]:
    ledger = httpx.get(
        f"{server.base_url}/emulator/ledger", auth=("emulator-login", "emulator-password")
    ).json()
    return [charge["tag"] for charge in ledger["charges"]]


class FillingStore(VisibilityStore):
    """A store whose database is full once the run is planned: SQLite's own page limit."""

    def create_run(self, *args: Any, **kwargs: Any) -> str:
        run = super().create_run(*args, **kwargs)
        pages = self.connection.execute("PRAGMA page_count").fetchone()[0]
        self.connection.execute(f"PRAGMA max_page_count = {int(pages)}")
        return run


def test_a_full_disk_during_a_run_exits_6_and_the_rerun_finishes(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = tmp_path / "panel.toml"
    panel.write_text(PANEL, encoding="utf-8")
    db = tmp_path / "runs.db"
    args = ("run", str(panel), "--db", str(db), "--run-id", "F", "--poll-interval", "0.05")
    monkeypatch.setattr(cli_module, "VisibilityStore", FillingStore)
    code, _, err = call(*args, "--quiet")
    assert code == EXIT_INCOMPLETE, err
    assert "error: the disk is full" in err
    assert "run the same command with --run-id F (nothing is posted twice)" in err
    paid = charged_tags(server)
    assert paid
    monkeypatch.setattr(cli_module, "VisibilityStore", VisibilityStore)  # space freed
    code, out, err = call(*args, "--quiet")
    tags = charged_tags(server)
    assert len(tags) == len(set(tags)), "a task was paid twice"
    assert set(paid) <= set(tags)
    with VisibilityStore(db, readonly=True) as runs:
        info = runs.run("F")
        doubt = runs.in_doubt("F")
    # Standard tasks posted before the disk filled are collected, never posted again; a
    # Live call whose answer could not be recorded stays in doubt (never paid twice)
    assert info.measured + len(doubt) == 12, (out, err)
    assert {t.engine for t in doubt} <= {"perplexity"}
    assert code == (EXIT_INCOMPLETE if doubt else EXIT_OK), err
