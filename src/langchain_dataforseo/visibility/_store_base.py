"""The store's plumbing: the connection (WAL, migrated), transactions, row look-ups.

:class:`StoreBase` is what the store's parts share (``_store_tasks`` for the task states a
Standard journal moves through, ``_store_results`` for recording answers and their facts,
``_store`` for runs); nothing here knows what a result is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from langchain_dataforseo.visibility._errors import DatabaseFileError, VisibilityStoreError
from langchain_dataforseo.visibility._facts import ensure_sqrt
from langchain_dataforseo.visibility._matching import tracked_domains
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._schema import SCHEMA_VERSION, migrate
from langchain_dataforseo.visibility._store_open import check_file, newer_schema, store_error


class StoreBase:
    """The connection and the helpers every part of the store uses.

    Args:
        path: The database file.
        create: Create the file when missing (default). With ``False`` a missing file
            raises :class:`VisibilityStoreError`.
        readonly: Open for reading only (``mode=ro``); the file must exist.
        timeout: Seconds to wait for another writer's lock.

    Raises:
        VisibilityStoreError: Missing file (``create=False`` / ``readonly``).
        DatabaseFileError: A file that cannot be used (a :class:`VisibilityStoreError`): a
            directory, not a database, damaged or truncated, read-only when writing, a
            full disk, or a schema newer than this code; it names the file and the problem.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        if (readonly or not create) and not self.path.exists():
            msg = f"no visibility database at {self.path}"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        if not self.path.parent.is_dir():
            msg = f"cannot create {self.path}: folder {self.path.parent} does not exist"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        check_file(self.path, readonly=readonly)
        try:
            self._conn = _connect(self.path, readonly=readonly, timeout=timeout)
        except sqlite3.Error as error:
            raise store_error(self.path, error) from error
        self._conn.execute("PRAGMA foreign_keys=ON")
        ensure_sqrt(self._conn)  # the dashboard view's Wilson bounds need it
        self.readonly = readonly
        self._brands: dict[str, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}

    # -- plumbing -------------------------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for read queries; write through the methods)."""
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
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
            msg = f"unknown run id {run_id!r}; runs in {self.path}: {', '.join(known) or 'none'}."
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

    def _missing(self, conn: sqlite3.Connection, run_id: str, tag: str) -> None:
        row = conn.execute(
            "SELECT status FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
        ).fetchone()
        if row is None:
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        msg = f"task {tag!r} of run {run_id!r} is already {row[0]}."
        raise VisibilityStoreError(msg, field="status", limit="pending", actual=row[0])

    def _row(self, conn: sqlite3.Connection, run_id: str, tag: str) -> int:
        return self._task_row(conn, run_id, tag)[0]

    def _task_row(self, conn: sqlite3.Connection, run_id: str, tag: str) -> tuple[int, str, str]:
        """The task's row id, surface and engine."""
        found = conn.execute(
            "SELECT id, surface, engine FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
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
