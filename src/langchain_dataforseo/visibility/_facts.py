"""Schema 5: the narrow facts ``metrics`` reads (counts kept on write), the dashboard view.

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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

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
