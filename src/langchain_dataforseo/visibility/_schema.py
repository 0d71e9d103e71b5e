"""The store's schema and its migrations, on SQLite and on PostgreSQL.

The migrations are written once, in SQLite's SQL; on PostgreSQL each statement goes
through :func:`~langchain_dataforseo.visibility._dialect.ddl_for` (types), and a migration
that SQLite does with a table rebuild (version 2) has its PostgreSQL statements beside it.
The version is SQLite's ``PRAGMA user_version``; on PostgreSQL, the highest version in
the ``schema_migrations`` table (both record each migration there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Final

from langchain_dataforseo.visibility._dialect import (
    PG_COMPAT,
    POSTGRESQL,
    SQLITE,
    Connection,
    ddl_for,
    dialect_of,
)
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._facts import migrate_v5

_V1: Final = (
    """CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL
    )""",
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        panel_name TEXT NOT NULL,
        panel_json TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    """CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        tag TEXT NOT NULL,
        prompt_index INTEGER NOT NULL,
        prompt TEXT NOT NULL,
        engine TEXT NOT NULL,
        model TEXT NOT NULL,
        sample INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'measured', 'failed')),
        task_id TEXT,
        error_code INTEGER,
        error_message TEXT,
        answer_model TEXT,
        named_count INTEGER NOT NULL DEFAULT 0,
        citation_count INTEGER NOT NULL DEFAULT 0,
        raw_json TEXT,
        cost REAL,
        created_at TEXT NOT NULL,
        intent_at TEXT,
        posted_at TEXT,
        finished_at TEXT,
        UNIQUE (run_id, tag),
        UNIQUE (run_id, prompt_index, engine, sample)
    )""",
    "CREATE INDEX tasks_by_status ON tasks (run_id, status)",
    "CREATE INDEX tasks_by_task_id ON tasks (task_id)",
    """CREATE TABLE mentions (
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        brand TEXT NOT NULL,
        first_offset INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        PRIMARY KEY (task, brand)
    ) WITHOUT ROWID""",
    """CREATE TABLE citations (
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        url TEXT NOT NULL,
        host TEXT NOT NULL,
        domain TEXT NOT NULL,
        brand TEXT,
        PRIMARY KEY (task, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE fan_out (
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        query TEXT NOT NULL,
        PRIMARY KEY (task, query)
    ) WITHOUT ROWID""",
)

_V2: Final = (
    # every task gets its surface ('api': LLM Responses, 'app': LLM Scraper); tasks of
    # older databases were all LLM Responses tasks. SQLite cannot change a UNIQUE
    # constraint in place, so the table is rebuilt (the foreign keys are off while the
    # store migrates; the facts tables keep pointing at the same task ids).
    """CREATE TABLE tasks_v2 (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        tag TEXT NOT NULL,
        prompt_index INTEGER NOT NULL,
        prompt TEXT NOT NULL,
        engine TEXT NOT NULL,
        surface TEXT NOT NULL DEFAULT 'api' CHECK (surface IN ('api', 'app')),
        model TEXT NOT NULL,
        sample INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'measured', 'failed')),
        task_id TEXT,
        error_code INTEGER,
        error_message TEXT,
        answer_model TEXT,
        named_count INTEGER NOT NULL DEFAULT 0,
        citation_count INTEGER NOT NULL DEFAULT 0,
        raw_json TEXT,
        cost REAL,
        created_at TEXT NOT NULL,
        intent_at TEXT,
        posted_at TEXT,
        finished_at TEXT,
        UNIQUE (run_id, tag),
        UNIQUE (run_id, prompt_index, engine, surface, sample)
    )""",
    """INSERT INTO tasks_v2 (id, run_id, tag, prompt_index, prompt, engine, surface, model,
        sample, status, task_id, error_code, error_message, answer_model, named_count,
        citation_count, raw_json, cost, created_at, intent_at, posted_at, finished_at)
    SELECT id, run_id, tag, prompt_index, prompt, engine, 'api', model, sample, status,
        task_id, error_code, error_message, answer_model, named_count, citation_count,
        raw_json, cost, created_at, intent_at, posted_at, finished_at FROM tasks""",
    "DROP TABLE tasks",
    "ALTER TABLE tasks_v2 RENAME TO tasks",
    "CREATE INDEX tasks_by_status ON tasks (run_id, status)",
    "CREATE INDEX tasks_by_task_id ON tasks (task_id)",
)

_V2_POSTGRESQL: Final = (
    # PostgreSQL changes the UNIQUE constraint in place (no rebuild: the facts tables'
    # foreign keys and the id sequence stay as they are)
    "ALTER TABLE tasks ADD COLUMN surface TEXT NOT NULL DEFAULT 'api' "
    "CHECK (surface IN ('api', 'app'))",
    "ALTER TABLE tasks DROP CONSTRAINT tasks_run_id_prompt_index_engine_sample_key",
    "ALTER TABLE tasks ADD UNIQUE (run_id, prompt_index, engine, surface, sample)",
)

_V3: Final = (
    # run leases: whoever posts, recovers or collects a task holds it (``lease_owner``)
    # until ``lease_until`` (UTC, ISO 8601, renewed while the holder lives), so two
    # drivers of one run never post the same task; a dead driver's tasks are taken over
    # once its lease has expired. ``reserved`` is what a task's post reserved, so every
    # driver sees the run's spend. ``recovered`` marks a task id found by tag (a look-up
    # in ``tasks_ready``), whose echoed request is checked before its answer is kept.
    "ALTER TABLE tasks ADD COLUMN lease_owner TEXT",
    "ALTER TABLE tasks ADD COLUMN lease_until TEXT",
    "ALTER TABLE tasks ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0",
    # what a task's post reserved (its worst case) when its intent was recorded: the
    # run's spend, read by every driver, counts it until the task's cost is known
    "ALTER TABLE tasks ADD COLUMN reserved REAL",
    "CREATE INDEX tasks_by_lease ON tasks (run_id, lease_owner)",
    # the highest cost measured per engine and surface, read before each post (learned
    # reservations): an index seek, not a scan of the run's tasks
    "CREATE INDEX tasks_by_cost ON tasks (run_id, engine, surface, status, cost)",
)

_V4: Final = (
    # sentiment verdicts (``judge_run``): one per (answer, tracked brand it names, judge
    # model, judging prompt version), so judging again with another model or prompt
    # keeps both. ``cost`` is what the judge call cost the user (their own LLM money,
    # apart from DataForSEO's task cost), ``NULL`` when the judge model reports none.
    """CREATE TABLE verdicts (
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        brand TEXT NOT NULL,
        judge TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        sentiment TEXT NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
        recommended INTEGER NOT NULL CHECK (recommended IN (0, 1)),
        cost REAL,
        judged_at TEXT NOT NULL,
        PRIMARY KEY (task, brand, judge, prompt_version)
    ) WITHOUT ROWID""",
)

Migration = Callable[[Connection], None]
"""``apply(conn)``: one schema version's statements, inside its transaction (the dialect
is the connection's: :func:`~langchain_dataforseo.visibility._dialect.dialect_of`)."""


def _statements(statements: Sequence[str], *, postgresql: Sequence[str] | None = None) -> Migration:
    """A migration of these statements (SQLite's SQL, translated on PostgreSQL).

    Args:
        statements: The statements, in SQLite's SQL (keep them portable where you can).
        postgresql: Statements PostgreSQL runs instead (for what SQLite does in its own
            way, e.g. a table rebuild); translated too.
    """

    def apply(conn: Connection) -> None:
        dialect = dialect_of(conn)
        chosen = postgresql if dialect == POSTGRESQL and postgresql is not None else statements
        for statement in chosen:
            conn.execute(ddl_for(statement, dialect))

    return apply


MIGRATIONS: Final[tuple[tuple[int, Migration], ...]] = (
    (1, _statements(_V1)),
    (2, _statements(_V2, postgresql=_V2_POSTGRESQL)),
    (3, _statements(_V3)),
    (4, _statements(_V4)),
    # the narrow facts table metrics reads, covering indexes, run brands and the
    # dashboard view (``_facts``)
    (5, migrate_v5),
)
"""``(version, apply)`` in order; a new schema version appends one entry, never edits one."""

SCHEMA_VERSION: Final = MIGRATIONS[-1][0]
"""The schema version this code writes."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


_PG_LOCK: Final = 0x64_66_73_5F_76_69_73  # the advisory lock migrations hold ("dfs_vis")


def schema_version(conn: Connection, dialect: str = SQLITE) -> int:
    """The database's schema version (0 for an empty database).

    Args:
        conn: The connection.
        dialect: ``sqlite`` or ``postgresql``.

    Returns:
        SQLite's ``user_version``; on PostgreSQL the highest ``schema_migrations`` version.
    """
    if dialect != POSTGRESQL:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    found = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not found[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def migrate(conn: Connection, dialect: str = SQLITE) -> int:
    """Bring a database to :data:`SCHEMA_VERSION`, one migration per transaction.

    Each migration runs in one transaction with its ``schema_migrations`` row (and on
    SQLite its ``user_version`` bump), so a crash leaves the database at the previous
    version. Two processes migrating at once apply each migration once: SQLite's
    ``BEGIN IMMEDIATE``, PostgreSQL's transaction-scoped advisory lock, and the version
    read again inside.

    Args:
        conn: A connection in autocommit mode (SQLite: ``isolation_level=None``).
        dialect: ``sqlite`` or ``postgresql``.

    Returns:
        The version the database was at before.

    Raises:
        VisibilityStoreError: When the database was written by a newer schema.
    """
    before = schema_version(conn, dialect)
    if before > SCHEMA_VERSION:
        msg = (
            f"the database has schema version {before}; this version of langchain-dataforseo "
            f"reads up to {SCHEMA_VERSION}. Upgrade the package."
        )
        raise VisibilityStoreError(msg, field="schema_version", limit=SCHEMA_VERSION, actual=before)
    if dialect == POSTGRESQL and before < SCHEMA_VERSION:
        # the version table first, in a transaction of its own under the lock: each
        # migration's transaction then reads the version with a plain query (a fresh
        # snapshot of the table, never a catalogue look-up that may predate another
        # process's commit)
        conn.execute("BEGIN")
        try:
            conn.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            conn.execute(ddl_for(_V1[0], dialect))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    for version, apply in MIGRATIONS:
        if version <= before:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if dialect == POSTGRESQL:
                conn.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
                row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                current = int(row.fetchone()[0])
            else:
                current = schema_version(conn, dialect)
            if current < version:  # another process may have migrated meanwhile
                if dialect == POSTGRESQL and version == 1:
                    _pg_compat(conn)
                apply(conn)
                conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, _now()),
                )
                if dialect != POSTGRESQL:
                    conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before


def _pg_compat(conn: Connection) -> None:
    """Create what the store's SQL needs of PostgreSQL beyond its schema (``sum(boolean)``)."""
    if conn.execute("SELECT to_regprocedure('sum(boolean)') IS NULL").fetchone()[0]:
        for statement in PG_COMPAT:
            conn.execute(statement)
