"""Schema 5: the facts table metrics reads, its back-fill, and the dashboard view."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics
from langchain_dataforseo.visibility._schema import V5_BACKFILL, _sqrt, ensure_sqrt

from .builders import cite, raw_task

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


def counts_of(conn):
    return sorted(conn.execute("SELECT * FROM fact_counts").fetchall())


def test_a_schema_4_database_migrated_to_5_gives_the_metrics_schema_4_gave(migrated):
    expected = json.loads((FIXTURE / "metrics_v4.json").read_text())
    conn = migrated.connection
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM fact_counts GROUP BY kind"))
    assert set(kinds) == {"brand", "domain", "query"}  # back-filled from the schema-1 tables
    for name, by in BYS.items():
        got = [row.as_dict() for row in metrics(migrated, "v4", by)]
        assert json.loads(json.dumps(got)) == expected[name], name


def test_counts_kept_on_write_equal_the_back_fill_of_the_same_answers(migrated):
    conn = migrated.connection
    # the fixture has a brand only cited by some answer (its citation rate needs it)
    assert conn.execute(
        "SELECT COUNT(*) FROM citations c WHERE c.brand IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM mentions m WHERE m.task = c.task AND m.brand = c.brand)"
    ).fetchone()[0]
    back_filled = counts_of(conn)
    assert back_filled  # not vacuous
    # record every measured answer again through the write path of schema 5 (each task's
    # facts are counted out, then in again), twice, and a pending task measured once
    tasks = [t for t in migrated.tasks("v4") if t.status == "measured"]
    for _ in range(2):
        migrated.record_results(
            "v4", [(t.tag, migrated.raw_task("v4", t.tag), None) for t in tasks]
        )
    assert counts_of(conn) == back_filled
    pending = next(t for t in migrated.tasks("v4") if t.status == "pending" and t.surface == "api")
    migrated.record_result("v4", pending.tag, migrated.raw_task("v4", tasks[0].tag))
    written = counts_of(conn)
    assert written != back_filled
    conn.execute("DELETE FROM fact_counts")
    conn.execute(V5_BACKFILL)
    assert counts_of(conn) == written


def test_delete_run_leaves_no_counts_or_brands(migrated):
    conn = migrated.connection
    assert conn.execute("SELECT COUNT(*) FROM fact_counts").fetchone()[0]
    migrated.delete_run("v4", force=True)
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


def test_a_new_store_fills_the_view_and_counts_as_answers_are_recorded(store_url):
    """On SQLite and on a real PostgreSQL server: the same counts, the same Wilson bounds."""
    panel = Panel(
        "crm",
        ["Which CRM?", "Best CRM?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [{"name": "Salesforce", "domains": ["salesforce.com"]}, "Pipedrive"],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=2,
    )
    with VisibilityStore(store_url) as store:
        run = store.create_run(panel, run_id="new")
        tags = [t.tag for t in store.tasks(run)]
        store.record_results(
            run,
            [
                (
                    tags[0],
                    raw_task("**HubSpot** then Salesforce.", [cite("https://hubspot.com/a")]),
                    None,
                ),
                (tags[1], raw_task("Salesforce.", [cite("https://blog.hubspot.com/b")]), None),
                (tags[2], raw_task("Nothing here."), None),
            ],
        )
        view = {
            r[0]: r[1:]
            for r in store.connection.execute(
                "SELECT brand, n, k, wilson_low, wilson_high FROM brand_mention_rates "
                "WHERE run_id = 'new'"
            )
        }
        assert set(view) == {"HubSpot", "Salesforce", "Pipedrive"}  # Pipedrive never named
        (row,) = metrics(store, run)
        for brand, (n, k, low, high) in view.items():
            rate = row.brands[brand].mention_rate
            assert (
                (n, k)
                == (rate.n, rate.successes)
                == (3, {"HubSpot": 1, "Salesforce": 2}.get(brand, 0))
            )
            assert (low, high) == pytest.approx((rate.low, rate.high), abs=1e-12)
        assert row.brands["HubSpot"].citation_rate.successes == 2  # a subdomain counts
        assert row.brands["Salesforce"].citation_rate.successes == 0
