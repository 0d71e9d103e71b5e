"""A throwaway PostgreSQL server: the tests' (``tests/pg.py``) and the benchmarks'.

As issue #23 says: a folder from ``tempfile.mkdtemp()`` (pytest's own tmp folders are
root-only) owned by the ``postgres`` user, ``initdb -A trust -U postgres`` and ``pg_ctl
start`` run as that user (through ``runuser`` when running as root, directly otherwise),
listening on 127.0.0.1 at a free port and on a Unix socket in the folder; ``pg_ctl -m
fast stop`` at the end, and the folder removed.

No pytest here: :func:`running_server` raises :class:`PgUnavailable` with the reason when
the driver, the binaries or the ``postgres`` user are missing, and the caller decides
(the tests skip, or fail under CI; a benchmark says so and stops).
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


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


@contextmanager
def running_server(*, options: str = "") -> Iterator[PgServer]:
    """A PostgreSQL server for the block (see the module's docstring).

    Args:
        options: More ``-c name=value`` server settings, appended to ``pg_ctl -o``.

    Yields:
        The running server; it is stopped and its folder removed after the block.

    Raises:
        PgUnavailable: When no server can be started here, with the reason.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        msg = "psycopg is not installed (pip install 'langchain-dataforseo[postgres]')"
        raise PgUnavailable(msg) from None
    bindir = find_bindir()
    if bindir is None:
        msg = "no initdb in /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)"
        raise PgUnavailable(msg)
    as_postgres: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="dfs-pg-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(folder, user="postgres", group="postgres")
        except (LookupError, OSError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            msg = f"running as root and no usable postgres user ({error})"
            raise PgUnavailable(msg) from None
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
        settings = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} {options}".strip()
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-l",
                str(folder / "server.log"),
                "-o",
                settings,
                "start",
            ],
            as_postgres=as_postgres,
        )
    except RuntimeError as error:
        log = folder / "server.log"
        said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise PgUnavailable(f"{error} {said}") from None
    try:
        yield PgServer(bindir, port, folder)
    finally:
        _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            as_postgres=as_postgres,
        )
        shutil.rmtree(folder, ignore_errors=True)
