"""Schema 5: the facts table metrics reads, its back-fill, and the dashboard view."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from langchain_dataforseo.visibility import VisibilityStore, metrics
from langchain_dataforseo.visibility._facts import V5_BACKFILL, _sqrt, ensure_sqrt

FIXTURE = Path(__file__).parents[2] / "fixtures" / "schema4"
BYS = {"engine": ("engine",), "engine,prompt": ("engine", "prompt"), "model": ("model",), "": ()}


@pytest.fixture
def migrated(tmp_path):
    """The schema-4 fixture database (written by the schema-4 code), opened: migrated to 5."""
    path = tmp_path / "v4.db"
    shutil.copy(FIXTURE / "store_v4.db", path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 4
    with VisibilityStore(path) as store:
        yield store


def facts_of(conn):
    facts = sorted(conn.execute("SELECT * FROM answer_facts").fetchall())
    return facts, sorted(conn.execute("SELECT * FROM fact_counts WHERE answers > 0").fetchall())


def test_a_schema_4_database_migrated_to_5_gives_the_metrics_schema_4_gave(migrated):
    expected = json.loads((FIXTURE / "metrics_v4.json").read_text())
    conn = migrated.connection
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM answer_facts GROUP BY kind"))
    assert set(kinds) == {"brand", "domain", "query"}  # back-filled from the schema-1 tables
    for name, by in BYS.items():
        got = [row.as_dict() for row in metrics(migrated, "v4", by)]
        assert json.loads(json.dumps(got)) == expected[name], name


def test_facts_written_with_a_result_equal_the_back_fill_of_the_same_answers(migrated):
    conn = migrated.connection
    # record every measured answer again through the write path of schema 5 (each task's
    # back-filled facts are taken out of the counts, its new ones added), twice
    tasks = [t for t in migrated.tasks("v4") if t.status == "measured"]
    for _ in range(2):
        migrated.record_results(
            "v4", [(t.tag, migrated.raw_task("v4", t.tag), None) for t in tasks]
        )
    written = facts_of(conn)
    assert written[0]
    assert written[1]  # not vacuous
    conn.execute("DELETE FROM answer_facts")
    conn.execute("DELETE FROM fact_counts")
    for statement in V5_BACKFILL:
        conn.execute(statement)
    assert facts_of(conn) == written
    assert facts_of(conn)[1] == sorted(
        conn.execute(
            "SELECT run_id, engine, surface, prompt_index, kind, name, COUNT(*), SUM(n), "
            "SUM(rank), SUM(cited) FROM answer_facts "
            "GROUP BY run_id, engine, surface, prompt_index, kind, name"
        ).fetchall()
    )
    cited_only = conn.execute(
        "SELECT COUNT(*) FROM answer_facts WHERE kind = 'brand' AND n = 0 AND cited = 1"
    ).fetchone()[0]
    assert cited_only > 0  # a brand only cited is a fact too (its citation rate needs it)


def test_delete_run_leaves_no_facts_counts_or_brands(migrated):
    conn = migrated.connection
    store = migrated
    pending = next(t for t in store.tasks("v4") if t.status == "pending" and t.surface == "api")
    measured = next(t for t in store.tasks("v4") if t.status == "measured" and t.surface == "api")
    raw = store.raw_task("v4", measured.tag)
    store.record_results("v4", [(pending.tag, raw, None)])
    task = conn.execute("SELECT id FROM tasks WHERE tag = ?", (pending.tag,)).fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM answer_facts WHERE task = ?", (task,)).fetchone()[0]
    store.delete_run("v4", force=True)
    assert conn.execute("SELECT COUNT(*) FROM answer_facts").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM fact_counts").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM run_brands").fetchone()[0] == 0


def test_the_dashboard_view_gives_the_mention_rates_and_wilson_bounds_of_metrics(migrated):
    rows = metrics(migrated, "v4")
    view = {
        (r[0], r[1], r[2], r[3]): r[4:]
        for r in migrated.connection.execute(
            "SELECT run_id, engine, surface, brand, is_panel_brand, n, k, mention_rate, "
            "wilson_low, wilson_high FROM brand_mention_rates"
        )
    }
    assert len(view) == len(rows) * 4  # every tracked brand, named or not
    for row in rows:
        for brand, numbers in row.brands.items():
            is_panel, n, k, value, low, high = view[("v4", row.key["engine"], row.surface, brand)]
            rate = numbers.mention_rate
            assert (is_panel, n, k) == (int(brand == "HubSpot"), rate.n, rate.successes)
            assert value == pytest.approx(rate.value, abs=1e-12)
            assert low == pytest.approx(rate.low, abs=1e-12)
            assert high == pytest.approx(rate.high, abs=1e-12)


def test_the_view_reads_from_a_plain_sqlite_connection_outside_the_package(migrated):
    plain = sqlite3.connect(migrated.path)
    ensure_sqrt(plain)  # a no-op where SQLite has its math functions
    n, k, low = plain.execute(
        "SELECT n, k, wilson_low FROM brand_mention_rates WHERE brand = 'HubSpot' "
        "ORDER BY engine, surface"
    ).fetchone()
    assert n > k > 0
    assert 0 < low < k / n


def test_the_fallback_sqrt_is_sqrt_and_null_outside_its_domain():
    assert _sqrt(2.25) == 1.5
    assert _sqrt(None) is None
    assert _sqrt(-1.0) is None
