"""A real PostgreSQL server for the tests (never a mock), started once per session.

The server itself (a ``mkdtemp`` folder owned by ``postgres``, ``initdb``, ``pg_ctl`` on
127.0.0.1 at a free port, stopped at the end) is ``tests/pg_server.py``, which the
benchmarks use too. Each test gets its own database (``createdb`` with a unique name), so
tests are independent.

Under ``CI=true`` a missing server, binary or driver is a failure; elsewhere the tests
that need it are skipped with the reason.

Use it from a test module with ``from tests.pg import pg_server, pg_url  # noqa: F401``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

import pytest

from tests.pg_server import PgServer, PgUnavailable, find_bindir, free_port, running_server

__all__ = ["PgServer", "find_bindir", "free_port", "pg_server", "pg_url", "store_url"]


def unavailable(reason: str) -> NoReturn:
    """Fail under CI (the server must be there), skip elsewhere, with the reason."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole session (``tests/pg_server.py``)."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(running_server())
        except PgUnavailable as error:
            unavailable(str(error))
        yield server


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
