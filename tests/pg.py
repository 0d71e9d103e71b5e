"""A real PostgreSQL server for the tests (never a mock), started once per session.

As issue #23 says: a folder from ``tempfile.mkdtemp()`` (pytest's own tmp folders are
root-only) owned by the ``postgres`` user, ``initdb -A trust -U postgres`` and ``pg_ctl
start`` run as that user (through ``runuser`` when the tests run as root, directly
otherwise), listening on 127.0.0.1 at a free port and on a Unix socket in the folder;
``pg_ctl -m fast stop`` at the end. Each test gets its own database (``createdb`` with a
unique name), so tests are independent.

Under ``CI=true`` a missing server, binary or driver is a failure; elsewhere the tests
that need it are skipped with the reason.

Use it from a test module with ``from tests.pg import pg_server, pg_url  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def unavailable(reason: str) -> None:
    """Fail under CI (the server must be there), skip elsewhere, with the reason."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with ``initdb``, or the one on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    """A running server: its binaries, port and folder."""

    bindir: Path
    port: int
    folder: Path

    def url(self, database: str, *, password: str | None = None) -> str:
        """The URL of one database (the password is ignored: trust authentication)."""
        auth = "postgres" + (f":{password}" if password else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def createdb(self) -> str:
        """A new empty database with a unique name; returns the name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        subprocess.run(  # noqa: S603 - the server's own binary
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return name


def _run(command: list[str], *, as_postgres: list[str]) -> None:
    """Run a server command as the ``postgres`` user; its output in the error if it fails."""
    done = subprocess.run(  # noqa: S603 - the server's own binaries
        [*as_postgres, *command], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        msg = f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}"
        raise RuntimeError(msg)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole session (see the module's docstring)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'langchain-dataforseo[postgres]')")
    bindir = find_bindir()
    if bindir is None:
        unavailable(
            "no initdb in /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)"
        )
    assert bindir is not None
    as_postgres: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="dfs-pg-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(folder, user="postgres", group="postgres")
        except (LookupError, OSError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            unavailable(f"running as root and no usable postgres user ({error})")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            as_postgres=as_postgres,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "start",
            ],
            as_postgres=as_postgres,
        )
    except RuntimeError as error:
        log = folder / "server.log"
        said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"{error} {said}")
    try:
        yield PgServer(bindir, port, folder)
    finally:
        _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            as_postgres=as_postgres,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a new database of its own for one test."""
    return pg_server.url(pg_server.createdb())


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's location on each dialect: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "v.db")
    server: PgServer = request.getfixturevalue("pg_server")
    return server.url(server.createdb())
