"""``export_parquet``: the run's answers and metrics as Parquet, read back with DuckDB."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from langchain_dataforseo.visibility import VisibilityStore, export_parquet, metrics

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

FIXTURE = Path(__file__).parents[2] / "fixtures" / "schema4" / "store_v4.db"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "v.db"
    shutil.copy(FIXTURE, path)
    with VisibilityStore(path) as opened:
        yield opened


def test_answers_parquet_has_every_task_with_its_status(store, tmp_path):
    folder = tmp_path / "out" / "nested"  # created, parents too
    answers, metrics_file = export_parquet(store, "v4", folder)
    assert (answers, metrics_file) == (folder / "answers.parquet", folder / "metrics.parquet")
    tasks = store.tasks("v4")
    db = duckdb.connect()
    rows = db.execute(
        f"SELECT tag, status, error_code, error, text, cost, run_id, surface, prompt_index "  # noqa: S608
        f"FROM read_parquet('{answers}') ORDER BY tag"
    ).fetchall()
    assert len(rows) == len(tasks) == 60
    by_tag = {row[0]: row for row in rows}
    for task in tasks:
        _tag, status, code, error, text, cost, run_id, surface, index = by_tag[task.tag]
        assert (status, code, error, cost) == (
            task.status,
            task.error_code,
            task.error_message,
            task.cost,
        )
        assert (run_id, surface, index) == ("v4", task.surface, task.prompt_index)
        assert (text is not None) == (task.status == "measured")
    statuses = dict(
        db.execute(
            f"SELECT status, COUNT(*) FROM read_parquet('{answers}') GROUP BY status"  # noqa: S608
        ).fetchall()
    )
    assert statuses == {"measured": 47, "failed": 9, "pending": 4}  # as stored
    assert db.execute(
        f"SELECT error_code, error FROM read_parquet('{answers}') "  # noqa: S608
        "WHERE status = 'failed' LIMIT 1"
    ).fetchone() == (50301, "Unavailable.")
    # brand names and ranks, cited domains as lists: the mention count per brand is the
    # store's
    named = dict(
        db.execute(
            "SELECT b.name, COUNT(*) FROM (SELECT unnest(brands) AS b "  # noqa: S608
            f"FROM read_parquet('{answers}')) GROUP BY b.name"
        ).fetchall()
    )
    stored = dict(store.connection.execute("SELECT brand, COUNT(*) FROM mentions GROUP BY brand"))
    assert named == stored
    cited = db.execute(
        f"SELECT SUM(len(cited_domains)) FROM read_parquet('{answers}')"  # noqa: S608
    ).fetchone()[0]
    assert cited == store.connection.execute("SELECT COUNT(*) FROM citations").fetchone()[0]


def test_metrics_parquet_holds_the_values_of_metrics(store, tmp_path):
    _answers, metrics_file = export_parquet(store, "v4", tmp_path)
    db = duckdb.connect()
    got = {
        (r[0], r[1], r[2], r[3]): r[4:]
        for r in db.execute(
            "SELECT engine, surface, brand, metric, value, successes, n, low, high, "  # noqa: S608
            f"prompt_low, prompt_high FROM read_parquet('{metrics_file}') "
            "WHERE domain IS NULL"
        ).fetchall()
    }
    rows = metrics(store, "v4")
    expected = {}
    for row in rows:
        for brand, numbers in row.brands.items():
            slice_ = (row.key["engine"], row.surface, brand)
            for field in ("mention_rate", "share_of_voice", "answer_share", "citation_rate"):
                r = getattr(numbers, field)
                expected[(*slice_, field)] = (
                    r.value,
                    r.successes,
                    r.n,
                    r.low,
                    r.high,
                    r.prompt_low,
                    r.prompt_high,
                )
            expected[(*slice_, "average_position")] = (numbers.average_position,) + (None,) * 6
    assert got == expected
    shares = db.execute(
        f"SELECT engine, surface, domain, value FROM read_parquet('{metrics_file}') "  # noqa: S608
        "WHERE metric = 'citation_share'"
    ).fetchall()
    assert shares
    assert {(e, s, d): v for e, s, d, v in shares} == {
        (row.key["engine"], row.surface, d): v
        for row in rows
        for d, v in row.citation_share.items()
    }


def test_export_without_pyarrow_names_the_extra(store, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    with pytest.raises(ImportError, match=r"langchain-dataforseo\[parquet\]"):
        export_parquet(store, "v4", tmp_path / "none")
    assert not (tmp_path / "none").exists()  # nothing written


def test_the_cli_exports_a_run_and_reports_bad_outputs_with_their_codes(tmp_path):
    from .cli_helpers import call

    db = tmp_path / "v.db"
    shutil.copy(FIXTURE, db)
    folder = tmp_path / "parquet"
    code, out, err = call("export", "v4", "--db", str(db), "--parquet", str(folder))
    assert (code, err) == (0, "")
    assert str(folder / "answers.parquet") in out
    count = (
        duckdb.connect()
        .execute(
            f"SELECT count(*) FROM read_parquet('{folder / 'answers.parquet'}')"  # noqa: S608
        )
        .fetchone()
    )
    assert count == (60,)
    code, _, err = call("export", "nope", "--db", str(db), "--parquet", str(folder))
    assert code == 5, err  # unknown run id
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = call("export", "v4", "--db", str(db), "--parquet", str(blocker))
    assert code == 10, err  # an output under a regular file
    assert "--parquet" in err
