"""The store's plumbing: the connection, transactions, row look-ups, records, task identity.

The store lives in a SQLite file (WAL) or a PostgreSQL database (``postgresql://`` URL,
psycopg 3): :mod:`~langchain_dataforseo.visibility._dialect` parses the location and
speaks the store's SQL on either.

:class:`StoreBase` is what the store's parts share (``_store_tasks`` for the task states a
Standard journal moves through, ``_store`` for runs and for recording answers and their
facts); nothing here knows what a result is.

Also here: the store's records and tags (:class:`TaskRecord`, :class:`RunInfo`,
:func:`make_tag`: what a run and a task look like when read back), and what can be wrong
with a store's file, said before (and while) SQLite opens it. A directory, a file that is
not a SQLite database, one cut short, one the process cannot write, one written by a newer
schema, a full disk: each becomes a :class:`DatabaseFileError` naming the file and the
problem, never a ``sqlite3`` traceback. The header checks are pure functions of the file's
first 100 bytes and its size.

What identifies a panel task: its request body (:func:`task_body`), the digest in its tag,
the echo check. A task's tag carries a short digest of its whole request body with the run id
(:func:`task_digest`), so two panels that use the same run id on one account never share
a tag. A task id found by tag (a look-up in ``tasks_ready`` for a task in doubt) is kept
only when the request the API echoes in the task's ``data`` matches ours
(:func:`echo_differs`): an answer to another request is never taken for this task's.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import unquote, unquote_plus

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
from langchain_dataforseo.visibility._matching import tracked_domains
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._schema import (
    SCHEMA_VERSION,
    ensure_sqrt,
    migrate,
    schema_version,
)
from langchain_dataforseo.visibility._surfaces import API, app_task

__all__ = ["echo_differs", "task_body", "task_digest"]

STATUSES: Final = ("pending", "measured", "failed")
PENDING_CODES: Final = frozenset({20100, 40601, 40602})
"""Task codes meaning "not finished yet" (created, handed, in queue): the task stays pending."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


DIGEST_CHARS: Final = 10
"""Hex characters of the body digest in a tag (40 bits)."""


def task_digest(run_id: str, body: Mapping[str, Any]) -> str:
    """A short, stable digest of a task's request body with its run id (hex).

    Args:
        run_id: The run.
        body: The task's request body, without its tag.

    Returns:
        :data:`DIGEST_CHARS` hex characters of the SHA-256 of both, as canonical JSON.
    """
    text = json.dumps(
        {"run_id": run_id, "task": body}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


def make_tag(
    run_id: str,
    prompt_index: int,
    engine: str,
    sample: int,
    surface: str = API,
    *,
    body: Mapping[str, Any] | None = None,
) -> str:
    """The task tag of one (prompt, engine, surface, sample) of a run.

    A run creates each task's tag with the task's request ``body``, so the tag ends with
    a digest of that body and the run id (``run:p3:chat_gpt:s1:5d41402abc``): two panels
    that use one run id on one account never share a tag, so neither can take the other's
    task for its own. Without ``body`` the tag is the one runs stored before (API tasks
    ``run:p3:chat_gpt:s1``, app tasks ``run:p3:chat_gpt:app:s1``); such runs resume with
    the tags they have. The same task gets the same tag on every resume.

    Args:
        run_id: The run.
        prompt_index: The prompt's index in the panel (0-based).
        engine: The engine.
        sample: The sample number (0-based).
        surface: ``api`` (default) or ``app``.
        body: The task's request body without its tag (``model_name``, ``user_prompt``
            and the settings; for the app surface, the LLM Scraper task object).

    Returns:
        The tag (at most the API's 255 characters, checked when the run is created).
    """
    middle = engine if surface == API else f"{engine}:{surface}"
    tag = f"{run_id}:p{prompt_index}:{middle}:s{sample}"
    return tag if body is None else f"{tag}:{task_digest(run_id, body)}"


@dataclass(frozen=True)
class TaskRecord:
    """One task of a run, as stored (the raw JSON is read with ``raw_task``).

    Attributes:
        tag: The task's tag (unique within the run).
        prompt_index: The prompt's index in the panel.
        prompt: The prompt.
        engine: The engine.
        model: The model requested.
        sample: The sample number (0-based).
        status: ``pending``, ``measured`` or ``failed``.
        task_id: The API's task id, once known.
        error_code: The status code of a failed task.
        error_message: Its message.
        answer_model: The model that answered (versioned), when measured.
        cost: The task's cost in USD, when known.
        created_at: When the task was planned (UTC, ISO 8601).
        intent_at: When the caller announced it was about to post it.
        posted_at: When its task id was recorded.
        finished_at: When it was measured or failed.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
        lease_owner: The driver holding the task (see ``VisibilityStore.claim``), if any.
        lease_until: When that lease expires unless renewed (UTC, ISO 8601).
    """

    tag: str
    prompt_index: int
    prompt: str
    engine: str
    model: str
    sample: int
    status: str
    task_id: str | None
    error_code: int | None
    error_message: str | None
    answer_model: str | None
    cost: float | None
    created_at: str
    intent_at: str | None
    posted_at: str | None
    finished_at: str | None
    surface: str = API
    lease_owner: str | None = None
    lease_until: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """One run: its panel, method and task counts.

    Attributes:
        run_id: The run id.
        panel_name: The panel's name.
        method: ``standard`` or ``live``.
        created_at: When the run was created (UTC, ISO 8601).
        measured: Measured tasks.
        failed: Failed tasks.
        pending: Pending tasks (not sent, in doubt, or posted and not collected).
        cost: Sum of the known task costs, USD.
    """

    run_id: str
    panel_name: str
    method: str
    created_at: str
    measured: int
    failed: int
    pending: int
    cost: float


HEADER_BYTES: Final = 100
"""The size of SQLite's database header."""
_MAGIC: Final = b"SQLite format 3\x00"

_REASONS: Final = (
    # (prefix of sqlite3's error name, reason, what to say)
    ("SQLITE_NOTADB", "not_a_database", "is not a SQLite database (or is encrypted)"),
    ("SQLITE_CORRUPT", "damaged", "is damaged (the database image is malformed)"),
    ("SQLITE_FULL", "disk_full", "cannot be written: the disk is full"),
    (
        "SQLITE_READONLY",
        "read_only",
        "cannot be written: the file, or its folder (which holds the -wal and -shm files "
        "of a WAL database), is read-only",
    ),
    (
        "SQLITE_CANTOPEN",
        "cannot_open",
        "cannot be opened (no permission on the file or its folder, or a path that is "
        "not a regular file)",
    ),
    ("SQLITE_BUSY", "locked", "is locked by another process (waited for the timeout)"),
    ("SQLITE_LOCKED", "locked", "is locked by another connection"),
    ("SQLITE_IOERR", "io_error", "could not be read or written (an I/O error)"),
    ("SQLITE_PERM", "read_only", "cannot be accessed: permission denied"),
)


def header_problem(header: bytes, size: int, *, wal_in_use: bool) -> tuple[str, str] | None:
    """What the header of a would-be database says is wrong, or ``None``.

    Args:
        header: The file's first :data:`HEADER_BYTES` bytes (fewer for a short file).
        size: The file's size in bytes.
        wal_in_use: Whether a non-empty ``-wal`` file sits next to it (then the database
            may legitimately be longer than the main file, and its size is not checked).

    Returns:
        ``(reason, message)``: ``not_a_database`` or ``truncated``; ``None`` when the
        header is sound. An empty file is sound (SQLite makes it a new database).
    """
    if size == 0:
        return None
    if size < HEADER_BYTES or not header.startswith(_MAGIC):
        return "not_a_database", "is not a SQLite database (no 'SQLite format 3' header)"
    raw_page = int.from_bytes(header[16:18], "big")
    page_size = 65536 if raw_page == 1 else raw_page
    if page_size < 512 or page_size & (page_size - 1):
        return "damaged", f"is damaged: its header gives a page size of {raw_page}"
    pages = int.from_bytes(header[28:32], "big")
    counter_valid = header[24:28] == header[92:96]
    if not wal_in_use and counter_valid and pages and size < pages * page_size:
        return (
            "truncated",
            f"is truncated: its header says {pages} pages of {page_size} bytes "
            f"({pages * page_size} bytes), the file has {size} bytes",
        )
    return None


def check_file(path: Path, *, readonly: bool) -> None:
    """Refuse a path that cannot hold this store, before SQLite opens it.

    Args:
        path: The database file (it may not exist yet when not ``readonly``).
        readonly: Whether the store is opened for reading only.

    Raises:
        DatabaseFileError: A directory, not a database, truncated, or a file (or folder)
            this process cannot write when it must.
    """
    if path.is_dir():
        raise DatabaseFileError(path, "directory", "is a directory, not a database file")
    if not path.exists():
        return
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            header = file.read(HEADER_BYTES)
    except OSError as error:
        raise DatabaseFileError(
            path, "cannot_open", f"cannot be read: {error.strerror or error}"
        ) from error
    wal = path.with_name(path.name + "-wal")
    wal_in_use = wal.exists() and wal.stat().st_size > 0
    problem = header_problem(header, size, wal_in_use=wal_in_use)
    if problem is not None:
        raise DatabaseFileError(path, *problem)
    if not readonly and not os.access(path, os.W_OK):
        raise DatabaseFileError(path, "read_only", "is read-only: this command writes to the store")


def store_error(path: Path, error: sqlite3.Error) -> DatabaseFileError:
    """The :class:`DatabaseFileError` of an error SQLite raised on the store's file.

    Args:
        path: The database file.
        error: What ``sqlite3`` raised.

    Returns:
        The error to raise (``from error``), its reason from SQLite's error name.
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    for prefix, reason, said in _REASONS:
        if name.startswith(prefix):
            return DatabaseFileError(path, reason, f"{said}; SQLite says: {error}")
    text = str(error).lower()
    if "malformed" in text:
        return DatabaseFileError(path, "damaged", f"is damaged ({error})")
    if "not a database" in text:
        return DatabaseFileError(path, "not_a_database", f"is not a SQLite database ({error})")
    if "full" in text:
        said = f"cannot be written: the disk is full ({error})"
        return DatabaseFileError(path, "disk_full", said)
    return DatabaseFileError(path, "sqlite", f"cannot be used ({error})")


def newer_schema(path: Path, version: int, supported: int) -> DatabaseFileError:
    """The error for a database written by a newer version of the package.

    Args:
        path: The database file.
        version: Its ``user_version``.
        supported: The newest version this code reads.

    Returns:
        The error to raise.
    """
    return DatabaseFileError(
        path,
        "newer_schema",
        f"has schema version {version}; this version of langchain-dataforseo reads up to "
        f"{supported}. Upgrade the package",
        limit=supported,
        actual=version,
    )


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


_TEXT_FIELDS: Final = frozenset({"user_prompt", "keyword", "system_message"})
"""Echoed text fields compared after percent-decoding and folding white space."""


def task_body(panel: Panel, prompt_index: int, engine: str, surface: str) -> dict[str, Any]:
    """The request body of one task of a panel, without its tag (pure).

    Args:
        panel: The panel.
        prompt_index: The prompt's index.
        engine: The engine.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).

    Returns:
        The fields sent for the task: the LLM Responses task (model, prompt, settings) or
        the LLM Scraper task object.
    """
    prompt = panel.prompts[prompt_index]
    if surface == API:
        return {"model_name": panel.engines[engine], "user_prompt": prompt} | dict(
            panel.task_settings(engine)
        )
    body = app_task(engine, prompt, panel.app_settings, None, "standard")
    body.pop("tag", None)
    return body


def _fold(text: str) -> str:
    """Text with its white space folded (runs of spaces, line breaks: one space)."""
    return " ".join(text.split())


def _same(key: str, ours: object, theirs: object) -> bool:
    """Whether an echoed field says what we sent (text folded, numbers to 1e-9)."""
    if key in _TEXT_FIELDS and isinstance(ours, str) and isinstance(theirs, str):
        # as sent, or as the API may decode it (``%##`` and ``+`` read as a space)
        mine = {_fold(ours), _fold(unquote(ours)), _fold(unquote_plus(ours))}
        return bool(mine & {_fold(theirs), _fold(unquote(theirs)), _fold(unquote_plus(theirs))})
    if key == "model_name" and isinstance(ours, str) and isinstance(theirs, str):
        # an alias may come back as the dated name it resolved to, or the other way
        return theirs.startswith(ours) or ours.startswith(theirs)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)
    return ours == theirs


def echo_differs(body: Mapping[str, Any], raw_task: Mapping[str, Any]) -> str | None:
    """The first field the task's echoed request (``data``) has with another value than ours.

    Only fields present on both sides are compared: the echo may leave fields out.

    Args:
        body: What we sent (:func:`task_body`).
        raw_task: The task object the API sent.

    Returns:
        ``None`` when the echo matches (or there is none), else a description of the
        first difference, naming the field.
    """
    data = raw_task.get("data")
    if not isinstance(data, Mapping):
        return None
    for key, ours in body.items():
        if key in data and not _same(key, ours, data[key]):
            return f"data.{key} is {data[key]!r}, this task sent {ours!r}"
    return None
