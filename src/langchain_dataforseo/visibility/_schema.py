"""The store's schema and its migrations, on SQLite and on PostgreSQL.

The migrations are written once, in SQLite's SQL; on PostgreSQL each statement goes
through :func:`~langchain_dataforseo.visibility._dialect.ddl_for` (types), and a migration
that SQLite does with a table rebuild (version 2) has its PostgreSQL statements beside it.
The version is SQLite's ``PRAGMA user_version``; on PostgreSQL, the highest version in
the ``schema_migrations`` table (both record each migration there).

Schema 5: the narrow facts ``metrics`` reads (counts kept on write, by the helpers at the
end of this module), the dashboard view.

``tasks`` rows are wide (the raw JSON is inline, about 1.2 KB a task), and the facts tables
of schema 1 (``mentions``, ``citations``, ``fan_out``) know their task only by id, so every
aggregate over them joined back to ``tasks``. Schema 5 adds, without changing a table:

- ``fact_counts``: the facts of the measured answers summed per (run, engine, surface,
  prompt index, kind, name), where a fact is a tracked brand the answer names or whose
  domains it cites (``kind = 'brand'``), a cited domain (``'domain'``) or a fan-out query
  (``'query'``). The store adds a task's facts and takes them out in the transaction that
  writes or replaces them (the schema-1 tables stay the per-answer record), so ``metrics``
  reads every brand, domain and query count of a run from a few thousand rows, whatever
  the number of answers.
- ``tasks_by_slice``: a covering index of ``tasks`` with the columns the per-task counts
  need (status, cost, named and citation counts), so they are read without the raw JSON.
- ``run_brands``: the tracked brands of each run, in the panel's order (the brand first).
- ``brand_mention_rates``: a read-only view for dashboards: per run, engine, surface and
  tracked brand, the measured answers ``n``, the answers naming the brand ``k``, the
  mention rate and its 95% Wilson interval (``docs/export_and_dashboards.md``).

The DDL is portable SQL (SQLite and PostgreSQL); the back-fill of an older database copies
the schema-1 facts into ``fact_counts`` with one ``INSERT ... SELECT`` and reads the
panels' JSON in Python.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from langchain_dataforseo.visibility._dialect import (
    PG_COMPAT,
    POSTGRESQL,
    SQLITE,
    Connection,
    ddl_for,
    dialect_of,
)
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._matching import AnswerFacts

BRAND: Final = "brand"
DOMAIN: Final = "domain"
QUERY: Final = "query"

V5_TABLES: Final = (
    # the facts of the measured answers summed per (run, engine, surface, prompt, kind,
    # name), kept with the facts in the same transaction: metrics reads a few thousand rows
    # instead of every fact. answers = the answers with the fact; per answer, a brand
    # counts n = 1 when named (0 when only its domains are cited), rank = its
    # first-mention rank (0 when not named), cited = 1 when one of its domains is cited; a
    # domain counts n = its citations in the answer; a query n = 1.
    """CREATE TABLE fact_counts (
        run_id TEXT NOT NULL,
        engine TEXT NOT NULL,
        surface TEXT NOT NULL,
        prompt_index INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('brand', 'domain', 'query')),
        name TEXT NOT NULL,
        answers INTEGER NOT NULL,
        n INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        cited INTEGER NOT NULL,
        PRIMARY KEY (run_id, engine, surface, prompt_index, kind, name)
    )""",
    """CREATE INDEX tasks_by_slice ON tasks
        (run_id, engine, surface, model, prompt_index, status, named_count, citation_count,
         cost)""",
    """CREATE TABLE run_brands (
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        brand TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        is_panel_brand INTEGER NOT NULL,
        PRIMARY KEY (run_id, brand)
    )""",
)

_FACT_COLUMNS: Final = "run_id, engine, surface, prompt_index"

V5_BACKFILL: Final = """INSERT INTO fact_counts (run_id, engine, surface, prompt_index, kind,
    name, answers, n, rank, cited)
SELECT t.run_id, t.engine, t.surface, t.prompt_index, f.kind, f.name, COUNT(*), SUM(f.n),
    SUM(f.rank), SUM(f.cited)
FROM (
    SELECT m.task AS task, 'brand' AS kind, m.brand AS name, 1 AS n, m.rank AS rank,
        CASE WHEN EXISTS (SELECT 1 FROM citations c WHERE c.task = m.task
            AND c.brand = m.brand) THEN 1 ELSE 0 END AS cited
    FROM mentions m
    UNION ALL
    SELECT c.task, 'brand', c.brand, 0, 0, 1 FROM citations c
    WHERE c.brand IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.task = c.task AND m.brand = c.brand)
    GROUP BY c.task, c.brand
    UNION ALL
    SELECT c.task, 'domain', c.domain, COUNT(*), 0, 0 FROM citations c
    GROUP BY c.task, c.domain
    UNION ALL
    SELECT q.task, 'query', q.query, 1, 0, 0 FROM fan_out q
) f JOIN tasks t ON t.id = f.task
WHERE t.status = 'measured'
GROUP BY t.run_id, t.engine, t.surface, t.prompt_index, f.kind, f.name"""
"""``fact_counts`` of a database written before schema 5, from the schema-1 facts."""

V5_VIEW: Final = """CREATE VIEW brand_mention_rates AS
SELECT run_id, engine, surface, brand, is_panel_brand, n, k, mention_rate,
    CASE WHEN k = 0 THEN 0.0 WHEN centre - half < 0 THEN 0.0 ELSE centre - half END
        AS wilson_low,
    CASE WHEN k = n THEN 1.0 WHEN centre + half > 1 THEN 1.0 ELSE centre + half END
        AS wilson_high
FROM (
    SELECT run_id, engine, surface, brand, is_panel_brand, n, k,
        p AS mention_rate,
        (p + 3.8414588206941254 / (2.0 * n)) / (1.0 + 3.8414588206941254 / n) AS centre,
        1.959963984540054 * SQRT(p * (1.0 - p) / n + 3.8414588206941254 / (4.0 * n * n))
            / (1.0 + 3.8414588206941254 / n) AS half
    FROM (
        SELECT a.run_id, a.engine, a.surface, b.brand, b.is_panel_brand, a.n,
            COALESCE(f.k, 0) AS k,
            CAST(COALESCE(f.k, 0) AS DOUBLE PRECISION) / a.n AS p
        FROM (
            SELECT run_id, engine, surface, COUNT(*) AS n FROM tasks
            WHERE status = 'measured' GROUP BY run_id, engine, surface
        ) a
        JOIN run_brands b ON b.run_id = a.run_id
        LEFT JOIN (
            SELECT run_id, engine, surface, name, SUM(n) AS k FROM fact_counts
            WHERE kind = 'brand' GROUP BY run_id, engine, surface, name
        ) f ON f.run_id = a.run_id AND f.engine = a.engine AND f.surface = a.surface
            AND f.name = b.brand
    ) counts
) bounds"""
"""Per run, engine, surface and tracked brand: ``n``, ``k``, the rate, its Wilson bounds.

The constants are ``Z95`` (1.959963984540054) and its square, as in ``_stats.wilson``."""


def panel_brands(panel_json: str) -> list[tuple[str, int, int]]:
    """``(brand, ordinal, is_panel_brand)`` of a recorded panel's JSON (pure)."""
    data: dict[str, Any] = json.loads(panel_json)
    names = [data["brand"]["name"], *(c["name"] for c in data.get("competitors") or ())]
    return [(name, i, 1 if i == 0 else 0) for i, name in enumerate(names)]


def insert_run_brands(conn: Any, run_id: str, panel_json: str) -> None:
    """Record a run's tracked brands (``run_brands``), in the panel's order."""
    conn.executemany(
        "INSERT INTO run_brands (run_id, brand, ordinal, is_panel_brand) VALUES (?, ?, ?, ?)",
        [(run_id, *row) for row in panel_brands(panel_json)],
    )


def migrate_v5(conn: Any) -> None:
    """Schema 5: fact counts, the covering index, run brands and the dashboard view."""
    for statement in V5_TABLES:
        conn.execute(statement)
    conn.execute(V5_BACKFILL)
    runs = conn.execute("SELECT run_id, panel_json FROM runs").fetchall()
    for run_id, panel_json in runs:
        insert_run_brands(conn, run_id, panel_json)
    conn.execute(V5_VIEW)


def fact_rows(
    task: int,
    slice_: Sequence[Any],
    ranks: Mapping[str, int],
    citations: Iterable[tuple[str, str | None]],
    queries: Iterable[str],
) -> list[tuple[Any, ...]]:
    """One measured answer's facts as rows to count (pure).

    Args:
        task: The task's row id.
        slice_: Its ``(run_id, engine, surface, prompt_index)``.
        ranks: The tracked brands it names and their first-mention ranks.
        citations: ``(domain, brand or None)`` per citation, in order.
        queries: Its fan-out queries, normalised (lower case, single spaces) and distinct.

    Returns:
        ``(task, kind, name, run_id, engine, surface, prompt_index, n, rank, cited)`` rows.
    """
    cited = list(citations)
    cited_brands = {brand for _domain, brand in cited if brand is not None}
    rows: list[tuple[Any, ...]] = []
    for brand in sorted(set(ranks) | cited_brands):
        named = brand in ranks
        rows.append(
            (
                task,
                BRAND,
                brand,
                *slice_,
                1 if named else 0,
                ranks[brand] if named else 0,
                1 if brand in cited_brands else 0,
            )
        )
    domains: dict[str, int] = {}
    for domain, _brand in cited:
        domains[domain] = domains.get(domain, 0) + 1
    rows.extend((task, DOMAIN, d, *slice_, count, 0, 0) for d, count in sorted(domains.items()))
    rows.extend((task, QUERY, query, *slice_, 1, 0, 0) for query in sorted(queries))
    return rows


_COUNT_KEY: Final = f"{_FACT_COLUMNS}, kind, name"


class CountDeltas:
    """What one transaction adds to and takes from ``fact_counts``, applied at its end.

    Summing first makes one upsert per (slice, prompt, fact) of a batch instead of one
    per fact, and applying in key order makes two writers of one run (PostgreSQL) lock
    the rows they share in the same order.
    """

    def __init__(self) -> None:
        self._deltas: dict[tuple[Any, ...], list[int]] = {}

    def add(self, rows: Iterable[Sequence[Any]], sign: int) -> None:
        """Count :func:`fact_rows` in (``sign=1``) or out (``sign=-1``)."""
        for row in rows:
            key = (*row[3:7], row[1], row[2])
            delta = self._deltas.setdefault(key, [0, 0, 0, 0])
            delta[0] += sign
            delta[1] += sign * row[7]
            delta[2] += sign * row[8]
            delta[3] += sign * row[9]

    def apply(self, conn: Any) -> None:
        """Write the sums into ``fact_counts`` (rows left with no answer are deleted)."""
        changes = [(*key, *delta) for key, delta in sorted(self._deltas.items()) if any(delta)]
        self._deltas.clear()
        if not changes:
            return
        conn.executemany(
            f"INSERT INTO fact_counts ({_COUNT_KEY}, answers, n, rank, cited) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT ({_COUNT_KEY}) DO UPDATE SET "
            "answers = fact_counts.answers + excluded.answers, "
            "n = fact_counts.n + excluded.n, rank = fact_counts.rank + excluded.rank, "
            "cited = fact_counts.cited + excluded.cited",
            changes,
        )
        for run_id in sorted({change[0] for change in changes}):
            conn.execute("DELETE FROM fact_counts WHERE run_id = ? AND answers <= 0", (run_id,))


def _slice(conn: Any, task: int) -> Sequence[Any]:
    """A task's ``(run_id, engine, surface, prompt_index)``."""
    return tuple(
        conn.execute(
            "SELECT run_id, engine, surface, prompt_index FROM tasks WHERE id = ?", (task,)
        ).fetchone()
    )


def count_facts(conn: Any, task: int, facts: AnswerFacts, counts: CountDeltas) -> None:
    """Count a measured answer's facts (being written to the schema-1 tables) in."""
    queries = {" ".join(q.lower().split()) for q in facts.fan_out_queries}
    citations = [(c.domain, c.brand) for c in facts.citations]
    counts.add(fact_rows(task, _slice(conn, task), facts.ranks, citations, queries), 1)


def delete_facts(conn: Any, task: int, counts: CountDeltas) -> None:
    """Delete a task's facts (``mentions``, ``citations``, ``fan_out``), counting them out."""
    ranks = dict(conn.execute("SELECT brand, rank FROM mentions WHERE task = ?", (task,)))
    citations = conn.execute(
        "SELECT domain, brand FROM citations WHERE task = ? ORDER BY seq", (task,)
    ).fetchall()
    queries = [r[0] for r in conn.execute("SELECT query FROM fan_out WHERE task = ?", (task,))]
    if ranks or citations or queries:
        counts.add(fact_rows(task, _slice(conn, task), ranks, citations, queries), -1)
    conn.execute("DELETE FROM mentions WHERE task = ?", (task,))
    conn.execute("DELETE FROM citations WHERE task = ?", (task,))
    conn.execute("DELETE FROM fan_out WHERE task = ?", (task,))


def ensure_sqrt(conn: sqlite3.Connection) -> None:
    """Give a SQLite connection ``sqrt`` when its build lacks the math functions."""
    try:
        conn.execute("SELECT sqrt(4)").fetchone()
    except sqlite3.OperationalError:
        conn.create_function("sqrt", 1, _sqrt, deterministic=True)


def _sqrt(value: float | None) -> float | None:
    """``sqrt`` for SQLite builds without it (``NULL`` for ``NULL`` or a negative value)."""
    if value is None or value < 0:
        return None
    return math.sqrt(value)


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
    # dashboard view (``_schema``)
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
