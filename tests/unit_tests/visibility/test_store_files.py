"""Store files that cannot be used: a clean error naming the file, and exit code 9 from the CLI.

Each kind of bad file is made for real (garbage, a cut-short copy, a directory, a
read-only file, a newer schema, a page overwritten), then opened through the API and
through the command line in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore
from langchain_dataforseo.visibility._cli import EXIT_DATABASE, EXIT_OK
from langchain_dataforseo.visibility._errors import DatabaseFileError
from langchain_dataforseo.visibility._schema import SCHEMA_VERSION
from langchain_dataforseo.visibility._store_base import header_problem

PANEL = Panel(
    "files",
    [f"Which CRM suits agency number {i}?" for i in range(40)],
    "HubSpot",
    engines={"chat_gpt": "gpt-4.1-mini"},
    samples=3,
)
CLI = (sys.executable, "-m", "langchain_dataforseo.visibility")


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module
        [*CLI, *argv], capture_output=True, text=True, timeout=120, check=False
    )


def good_db(path: Path) -> Path:
    """A sound store with one run, checkpointed into the main file (no -wal left)."""
    with VisibilityStore(path) as store:
        store.create_run(PANEL, run_id="r")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


def bad_file(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.db"
    if kind == "garbage":
        path.write_bytes(b"these are not the bytes of a database\n" * 50)
    elif kind == "short":
        path.write_bytes(b"SQLite format 3\x00")
    elif kind == "directory":
        path.mkdir()
    elif kind == "truncated":
        data = good_db(folder / "source.db").read_bytes()
        path.write_bytes(data[: len(data) - 4096])  # only the last page is missing
    elif kind == "newer":
        good_db(path)
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
    return path


KINDS = {
    "garbage": ("not_a_database", "is not a SQLite database"),
    "short": ("not_a_database", "is not a SQLite database"),
    "directory": ("directory", "is a directory"),
    "truncated": ("truncated", "is truncated"),
    "newer": ("newer_schema", f"reads up to {SCHEMA_VERSION}"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("readonly", [False, True])
def test_a_bad_store_file_is_a_clean_error_naming_file_and_problem(
    tmp_path: Path, kind: str, readonly: bool
) -> None:
    path = bad_file(kind, tmp_path)
    reason, said = KINDS[kind]
    with pytest.raises(DatabaseFileError) as caught:
        VisibilityStore(path, readonly=readonly)
    assert caught.value.reason == reason
    assert str(path) in str(caught.value)
    assert said in str(caught.value)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", ["status", "run"])
def test_the_cli_exits_9_on_a_bad_store_file_without_a_traceback(
    tmp_path: Path, kind: str, command: str
) -> None:
    path = bad_file(kind, tmp_path)
    panel = tmp_path / "panel.json"
    panel.write_text(
        '{"name": "p", "prompts": ["Which CRM?"], "brand": "HubSpot", '
        '"engines": {"chat_gpt": "gpt-4.1-mini"}, "samples": 1}',
        encoding="utf-8",
    )
    argv = ("status", "--db", str(path))
    if command == "run":
        argv = ("run", str(panel), "--db", str(path), "--estimate")
    done = cli(*argv)
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: the database {path} ")
    assert KINDS[kind][1] in done.stderr


def test_a_newer_schema_is_refused_read_only_too_not_read_silently(tmp_path: Path) -> None:
    path = bad_file("newer", tmp_path)
    with pytest.raises(DatabaseFileError, match="Upgrade the package"):
        VisibilityStore(path, readonly=True)
    conn = sqlite3.connect(path)  # and the file was left as it was
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_a_page_damaged_after_the_header_exits_9_when_it_is_read(tmp_path: Path) -> None:
    path = good_db(tmp_path / "damaged.db")
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 6] = b"\xa5" * (4096 * 4)  # the pages after the schema
    path.write_bytes(bytes(data))
    done = cli("status", "--db", str(path))
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "Traceback" not in done.stderr
    assert f"error: the database {path} is damaged" in done.stderr


def test_a_sound_store_still_opens(tmp_path: Path) -> None:
    path = good_db(tmp_path / "good.db")
    done = cli("status", "--db", str(path))
    assert done.returncode == EXIT_OK, done.stderr
    header, row = done.stdout.splitlines()[:2]
    assert header.startswith("run id")  # the table's header, then the run
    assert row.split()[:3] == ["r", "files", "standard"]


def test_header_problem_is_a_pure_reading_of_the_header() -> None:
    header = bytearray(b"SQLite format 3\x00" + bytes(84))
    header[16:18] = (4096).to_bytes(2, "big")
    header[24:28] = header[92:96] = (7).to_bytes(4, "big")
    header[28:32] = (10).to_bytes(4, "big")
    assert header_problem(bytes(header), 40960, wal_in_use=False) is None
    reason, said = header_problem(bytes(header), 40959, wal_in_use=False) or ("", "")
    assert reason == "truncated"
    assert "10 pages of 4096 bytes (40960 bytes), the file has 40959 bytes" in said
    # with a -wal file in use the main file may lag: not called truncated
    assert header_problem(bytes(header), 4096, wal_in_use=True) is None
    # a stale size field (counter mismatch) is not trusted, as SQLite does not trust it
    header[92:96] = (6).to_bytes(4, "big")
    assert header_problem(bytes(header), 4096, wal_in_use=False) is None
    assert header_problem(b"", 0, wal_in_use=False) is None  # empty: a new database
    header[16:18] = (1000).to_bytes(2, "big")
    assert header_problem(bytes(header), 40960, wal_in_use=False) == (
        "damaged",
        "is damaged: its header gives a page size of 1000",
    )


# -- read-only files: root writes any file, so the CLI runs as an unprivileged user --------

NOBODY = 65534


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder an unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="h3-readonly-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unprivileged() -> tuple[str, ...]:
    """The command prefix that runs a program as ``nobody`` (nothing when not root)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only file cannot be made")
    prefix = (setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
    probe = subprocess.run(  # noqa: S603
        [*prefix, sys.executable, "-c", "import langchain_dataforseo.visibility"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip("the package cannot be imported as an unprivileged user here")
    return prefix


@pytest.mark.parametrize("folder_writable", [True, False])
def test_a_read_only_store_is_a_clean_error_for_a_writer(
    shared_dir: Path, folder_writable: bool
) -> None:
    path = good_db(shared_dir / "ro.db")
    panel = shared_dir / "panel.json"
    panel.write_text(
        '{"name": "files", "prompts": ["Which CRM?"], "brand": "HubSpot", '
        '"engines": {"chat_gpt": "gpt-4.1-mini"}, "samples": 1}',
        encoding="utf-8",
    )
    path.chmod(0o444)
    panel.chmod(0o444)
    shared_dir.chmod(0o777 if folder_writable else 0o555)
    prefix = unprivileged()

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own module
            [*prefix, *CLI, *argv], capture_output=True, text=True, timeout=120, check=False
        )

    done = cli("run", str(panel), "--db", str(path), "--run-id", "w", "--estimate")
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "Traceback" not in done.stderr
    assert f"error: the database {path} is read-only: this command writes" in done.stderr
    # a reader of a WAL store in a read-only folder cannot make its -shm file: said so
    done = cli("status", "--db", str(path))
    assert "Traceback" not in done.stderr
    assert done.returncode in (EXIT_OK, EXIT_DATABASE), done.stderr
    if done.returncode == EXIT_DATABASE:
        assert "read-only" in done.stderr
    # through the API
    script = (
        "import sys\n"
        "from langchain_dataforseo.visibility import VisibilityStore\n"
        "from langchain_dataforseo.visibility._errors import DatabaseFileError\n"
        "try:\n"
        f"    VisibilityStore({str(path)!r})\n"
        "except DatabaseFileError as error:\n"
        "    print(error.reason, error)\n"
    )
    done = subprocess.run(  # noqa: S603
        [*prefix, sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.startswith(f"read_only the database {path} is read-only"), done.stderr
