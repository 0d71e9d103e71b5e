"""The store's plumbing: the connection (migrated), transactions, row look-ups.

The store lives in a SQLite file (WAL) or a PostgreSQL database (``postgresql://`` URL,
psycopg 3): :mod:`~langchain_dataforseo.visibility._dialect` parses the location and
speaks the store's SQL on either.

:class:`StoreBase` is what the store's parts share (``_store_tasks`` for the task states a
Standard journal moves through, ``_store_results`` for recording answers and their facts,
``_store`` for runs); nothing here knows what a result is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Self

from langchain_dataforseo.visibility._dialect import (
    POSTGRESQL,
    Connection,
    StoreLocation,
    connect_postgres,
    database_now,
    parse_location,
)
from langchain_dataforseo.visibility._errors import (
    DatabaseFileError,
    DatabaseServerError,
    VisibilityStoreError,
)
from langchain_dataforseo.visibility._facts import ensure_sqrt
from langchain_dataforseo.visibility._matching import tracked_domains
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._schema import SCHEMA_VERSION, migrate, schema_version
from langchain_dataforseo.visibility._store_open import check_file, newer_schema, store_error


class StoreBase:
    """The connection and the helpers every part of the store uses.

    Args:
        path: The store: a file path or ``sqlite:///FILE`` (SQLite), or
            ``postgresql://USER[:PASSWORD]@HOST:PORT/DB`` (PostgreSQL; the database must
            exist, the store's tables are created in it). A password is never shown:
            prefer ``PGPASSWORD`` or ``~/.pgpass`` to a password in the URL.
        create: Create the store when missing (default). With ``False`` a missing file
            (or a PostgreSQL database without the store's tables) raises
            :class:`VisibilityStoreError`.
        readonly: Open for reading only: SQLite's ``mode=ro``; on PostgreSQL a read-only
            session (``default_transaction_read_only``), where any write is refused by
            the server. The store must exist.
        timeout: Seconds to wait for another writer's lock (and on PostgreSQL for the
            server to answer a connection).

    Raises:
        VisibilityStoreError: Missing file or store (``create=False`` / ``readonly``).
        DatabaseFileError: A file that cannot be used (a :class:`VisibilityStoreError`): a
            directory, not a database, damaged or truncated, read-only when writing, a
            full disk, or a schema newer than this code; it names the file and the problem.
        DatabaseServerError: A PostgreSQL server that cannot be reached or refuses the
            login, or a schema newer than this code (the URL shown without its password).
        ImportError: A ``postgresql://`` store without psycopg (the ``postgres`` extra).

    Attributes:
        path: The SQLite file; ``None`` for a PostgreSQL store.
        url: How the store is named in messages: the file, or the PostgreSQL URL with
            its password hidden (``***``).
        dialect: ``sqlite`` or ``postgresql``.
        readonly: Whether the store was opened for reading only.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool = False,
        timeout: float = 30.0,
    ) -> None:
        location = parse_location(path)
        self._location = location
        self.dialect = location.dialect
        self.url = location.shown
        self.readonly = readonly
        self._brands: dict[str, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}
        if location.path is None:
            self.path: Path | None = None
            self._conn: Connection = _open_postgres(
                location, create=create, readonly=readonly, timeout=timeout
            )
            return
        self.path = location.path
        if (readonly or not create) and not self.path.exists():
            msg = f"no visibility database at {self.path}"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        if not self.path.parent.is_dir():
            msg = f"cannot create {self.path}: folder {self.path.parent} does not exist"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        check_file(self.path, readonly=readonly)
        try:
            conn = _connect(self.path, readonly=readonly, timeout=timeout)
        except sqlite3.Error as error:
            raise store_error(self.path, error) from error
        conn.execute("PRAGMA foreign_keys=ON")
        ensure_sqrt(conn)  # the dashboard view's Wilson bounds need it
        self._conn = conn

    def __repr__(self) -> str:
        mode = ", readonly=True" if self.readonly else ""
        return f"{type(self).__name__}({self.url!r}{mode})"

    # -- plumbing -------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """The underlying connection (for read queries; write through the methods).

        On SQLite the ``sqlite3.Connection``. On PostgreSQL a thin psycopg 3 connection
        that takes the same SQL (SQLite's, ``?`` parameters) and translates it (its
        ``raw`` attribute is the psycopg connection); rows come back as tuples on both.
        """
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clock(self, seconds: float = 0.0) -> str:
        """The time ``seconds`` from now by the store's clock (the server's on PostgreSQL)."""
        moment = database_now(self._conn, self.dialect) + timedelta(seconds=seconds)
        return moment.isoformat(timespec="milliseconds")

    def _lock_run(self, conn: Connection, run_id: str) -> None:
        """Hold the run's row until the transaction ends (PostgreSQL only).

        Two workers' cap checks never interleave; SQLite's write lock already serialises
        every writer.
        """
        if self.dialect == POSTGRESQL:
            conn.execute("SELECT 1 FROM runs WHERE run_id = ? FOR UPDATE", (run_id,))

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite, ``BEGIN`` on PostgreSQL)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK
            # would raise and hide the error that matters
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _check_run(self, run_id: str) -> None:
        if not self.has_run(run_id):
            known = [
                r[0] for r in self._conn.execute("SELECT run_id FROM runs ORDER BY created_at")
            ]
            msg = f"unknown run id {run_id!r}; runs in {self.url}: {', '.join(known) or 'none'}."
            raise VisibilityStoreError(msg, field="run_id", limit=known, actual=run_id)

    def panel(self, run_id: str) -> Panel:
        """The panel of a run.

        Args:
            run_id: The run.

        Returns:
            The panel as it was recorded.

        Raises:
            VisibilityStoreError: For an unknown run id.
        """
        self._check_run(run_id)
        row = self._conn.execute("SELECT panel_json FROM runs WHERE run_id = ?", (run_id,))
        return Panel.from_dict(json.loads(row.fetchone()[0]))

    def has_run(self, run_id: str) -> bool:
        """Whether the store holds this run.

        Args:
            run_id: The run.

        Returns:
            ``True`` when the run exists.
        """
        found = self._conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,))
        return found.fetchone() is not None

    def check_run(self, run_id: str) -> None:
        """Raise :class:`VisibilityStoreError` (listing the known runs) for an unknown id."""
        self._check_run(run_id)

    def _missing(self, conn: Connection, run_id: str, tag: str) -> None:
        row = conn.execute(
            "SELECT status FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
        ).fetchone()
        if row is None:
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        msg = f"task {tag!r} of run {run_id!r} is already {row[0]}."
        raise VisibilityStoreError(msg, field="status", limit="pending", actual=row[0])

    def _row(self, conn: Connection, run_id: str, tag: str) -> int:
        return self._task_row(conn, run_id, tag)[0]

    def _task_row(self, conn: Connection, run_id: str, tag: str) -> tuple[int, str, str]:
        """The task's row id, surface and engine (its row locked on PostgreSQL).

        Called inside a write: on PostgreSQL two writers of one task (a driver and a
        postback receiver) take turns, as SQLite's write lock makes them.
        """
        lock = " FOR UPDATE" if self.dialect == POSTGRESQL else ""
        found = conn.execute(
            f"SELECT id, surface, engine FROM tasks WHERE run_id = ? AND tag = ?{lock}",  # noqa: S608
            (run_id, tag),
        ).fetchone()
        if found is None:
            self._check_run(run_id)
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        return int(found[0]), str(found[1]), str(found[2])

    def _matching(self, run_id: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        cached = self._brands.get(run_id)
        if cached is None:
            panel = self.panel(run_id)
            names = {b.name: b.names for b in panel.brands}
            domains = tracked_domains((b.name, b.domains) for b in panel.brands)
            cached = self._brands[run_id] = (names, domains)
        return cached


def _open_postgres(
    location: StoreLocation, *, create: bool, readonly: bool, timeout: float
) -> Connection:
    """Open a PostgreSQL store: connect, refuse a newer schema, migrate (when writing).

    A read-only open of an older schema migrates first through a writing session (as a
    read-only SQLite open does), and says so when the login may not write.
    """
    conn = connect_postgres(location, readonly=readonly, timeout=timeout)
    try:
        version = schema_version(conn, POSTGRESQL)
        if version > SCHEMA_VERSION:
            raise DatabaseServerError(
                location.shown,
                "newer_schema",
                f"has schema version {version}; this version of langchain-dataforseo reads "
                f"up to {SCHEMA_VERSION}. Upgrade the package",
                limit=SCHEMA_VERSION,
                actual=version,
            )
        if version == 0 and (readonly or not create):
            raise VisibilityStoreError(
                f"no visibility store in the database {location.shown} (no schema_migrations "
                "table); open it once for writing to create it",
                field="db",
                actual=location.shown,
            )
        if version < SCHEMA_VERSION:
            if not readonly:
                migrate(conn, POSTGRESQL)
            else:
                writer = connect_postgres(location, readonly=False, timeout=timeout)
                try:
                    migrate(writer, POSTGRESQL)
                except DatabaseServerError as error:
                    raise DatabaseServerError(
                        location.shown,
                        "read_only",
                        f"has schema version {version}, older than {SCHEMA_VERSION}, and "
                        f"cannot be migrated ({error}); open it once with write access",
                    ) from None
                finally:
                    writer.close()
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(path: Path, *, readonly: bool, timeout: float) -> sqlite3.Connection:
    """Open (and for writing, migrate) the database; a newer schema is refused either way."""
    if readonly:
        _migrate_first(path, timeout)
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        # read the schema once now: a damaged file fails here rather than mid-command
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                migrate(conn)
            except VisibilityStoreError as error:
                if error.field == "schema_version":
                    raise newer_schema(path, int(str(error.actual)), SCHEMA_VERSION) from error
                raise
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate_first(path: Path, timeout: float) -> None:
    """Bring an older database to the current schema before a read-only open.

    A read-only connection cannot migrate, and this code reads only the current schema;
    the migrations keep every row (tasks of an older schema become ``api`` tasks). A newer
    schema is refused: this code does not know what its rows mean.
    """
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    try:
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
    finally:
        probe.close()
    if version > SCHEMA_VERSION:
        raise newer_schema(path, version, SCHEMA_VERSION)
    if version == SCHEMA_VERSION:
        return
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            migrate(conn)
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        said = (
            f"has schema version {version}, older than {SCHEMA_VERSION}, and cannot be "
            f"migrated ({error}); open it once with write access"
        )
        raise DatabaseFileError(path, "read_only", said) from error
