import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from langchain_dataforseo.visibility import (
    Panel,
    VisibilityStore,
    VisibilityStoreError,
    _schema,
    make_tag,
)
from langchain_dataforseo.visibility._schema import SCHEMA_VERSION
from langchain_dataforseo.visibility._store_base import task_body

from ..helpers import example
from .builders import failed_task, raw_task


def small_panel(**extra):
    return Panel(
        "p",
        ["Which CRM?", "Best CRM for agencies?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        ["Salesforce"],
        {"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"},
        samples=2,
        **extra,
    )


@pytest.fixture
def store(store_url):
    # the tests of the store's API run on SQLite and on PostgreSQL
    with VisibilityStore(store_url) as s:
        yield s


def test_a_new_database_is_wal_at_the_current_schema_version(tmp_path):
    path = tmp_path / "v.db"
    VisibilityStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == [1, 2, 3, 4, 5]
    conn.close()
    VisibilityStore(path).close()  # reopening migrates nothing twice
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "v.db"
    VisibilityStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(VisibilityStoreError, match="Upgrade"):
        VisibilityStore(path)


def test_a_missing_database_is_an_error_when_not_creating(tmp_path):
    with pytest.raises(VisibilityStoreError, match="no visibility database"):
        VisibilityStore(tmp_path / "none.db", create=False)
    with pytest.raises(VisibilityStoreError):
        VisibilityStore(tmp_path / "none.db", readonly=True)
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(VisibilityStoreError, match="does not exist"):
        VisibilityStore(tmp_path / "no-folder" / "v.db")


def test_create_run_plans_one_pending_task_per_prompt_engine_sample(store):
    run = store.create_run(small_panel(), run_id="r1")
    tasks = store.tasks(run)
    assert len(tasks) == 2 * 2 * 2
    assert {t.status for t in tasks} == {"pending"}
    body = task_body(small_panel(), 0, "chat_gpt", "api")
    assert tasks[0].tag == make_tag("r1", 0, "chat_gpt", 0, body=body)
    assert tasks[0].tag.startswith("r1:p0:chat_gpt:s0:")
    assert store.tag_of(run, 0, "chat_gpt", 0) == tasks[0].tag
    assert store.panel(run) == small_panel()
    # same id and panel: the same run (resume); another panel: refused
    assert store.create_run(small_panel(), run_id="r1") == "r1"
    assert len(store.tasks(run)) == 8
    with pytest.raises(VisibilityStoreError, match="another panel"):
        store.create_run(small_panel(web_search=True), run_id="r1")
    assert len(store.create_run(small_panel())) == 12


def test_unknown_run_ids_list_the_known_ones(store):
    store.create_run(small_panel(), run_id="r1")
    with pytest.raises(VisibilityStoreError, match=r"unknown run id 'r9'.*r1") as caught:
        store.tasks("r9")
    assert caught.value.field == "run_id"


def test_the_journal_states_intent_handle_result_failure(store):
    run = store.create_run(small_panel(), run_id="r1")
    tags = [t.tag for t in store.tasks(run)]
    assert len(store.unsent(run)) == 8
    store.record_intent(run, tags[:3])
    assert [t.tag for t in store.in_doubt(run)] == tags[:3]
    store.record_handle(run, tags[0], "task-0", cost=0.0102)
    assert [t.tag for t in store.in_doubt(run)] == tags[1:3]
    assert [(t.tag, t.task_id, t.cost) for t in store.posted(run)] == [(tags[0], "task-0", 0.0102)]
    store.record_result(run, tags[0], raw_task("HubSpot is fine.", cost=0.0021))
    store.record_failure(run, tags[1], 50301, "provider down")
    store.record_result(run, tags[2], failed_task(40501))
    by_tag = {t.tag: t for t in store.tasks(run)}
    assert by_tag[tags[0]].status == "measured"
    assert by_tag[tags[0]].cost == 0.0021
    assert by_tag[tags[0]].task_id == "task-0"
    assert by_tag[tags[0]].answer_model == "gpt-4.1-mini-2025-04-14"
    assert (by_tag[tags[1]].status, by_tag[tags[1]].error_code) == ("failed", 50301)
    assert (by_tag[tags[2]].status, by_tag[tags[2]].error_code) == ("failed", 40501)
    assert store.in_doubt(run) == []
    assert len(store.unsent(run)) == 5
    assert store.raw_task(run, tags[0])["result"][0]["items"][0]["sections"][0]["text"] == (
        "HubSpot is fine."
    )
    info = store.run(run)
    assert (info.measured, info.failed, info.pending) == (1, 2, 5)
    assert info.cost == pytest.approx(0.0021)


def test_a_finished_task_cannot_be_put_back_in_flight(store):
    run = store.create_run(small_panel(), run_id="r1")
    tag = store.tasks(run)[0].tag
    store.record_result(run, tag, raw_task("x"))
    with pytest.raises(VisibilityStoreError, match="already measured"):
        store.record_intent(run, [tag])
    with pytest.raises(VisibilityStoreError, match="no task tagged"):
        store.record_handle(run, "r1:p9:chat_gpt:s0", "id")


def test_an_intent_batch_is_one_transaction(store):
    run = store.create_run(small_panel(), run_id="r1")
    tags = [t.tag for t in store.tasks(run)]
    with pytest.raises(VisibilityStoreError):
        store.record_intent(run, [tags[0], "no-such-tag"])
    assert store.in_doubt(run) == []  # the first tag's update was rolled back


def test_recording_again_replaces_the_facts(store):
    run = store.create_run(small_panel(), run_id="r1")
    tag = store.tasks(run)[0].tag
    store.record_result(run, tag, raw_task("HubSpot and Salesforce"))
    store.record_result(run, tag, raw_task("Only Salesforce"))
    rows = store.connection.execute("SELECT brand, rank FROM mentions").fetchall()
    assert rows == [("Salesforce", 1)]


def test_a_reader_in_another_process_reads_while_a_write_is_open(tmp_path):
    path = tmp_path / "v.db"
    writer = VisibilityStore(path)
    run = writer.create_run(small_panel(), run_id="r1")
    tags = [t.tag for t in writer.tasks(run)]
    writer.record_result(run, tags[0], raw_task("HubSpot"))
    script = textwrap.dedent(
        f"""
        import json
        from langchain_dataforseo.visibility import VisibilityStore, metrics
        with VisibilityStore({str(path)!r}, readonly=True, timeout=2) as s:
            row = metrics(s, "r1")[0]
            print(json.dumps([s.run("r1").measured, row.answers]))
        """
    )
    # hold a write transaction open (uncommitted result) while the reader runs
    writer.connection.execute("BEGIN IMMEDIATE")
    writer.connection.execute(
        "UPDATE tasks SET status = 'measured' WHERE run_id = 'r1' AND tag = ?", (tags[1],)
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [1, 1]  # committed state only, and no lock wait
    writer.connection.execute("COMMIT")
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert json.loads(done.stdout)[0] == 2
    writer.close()


def test_two_connections_see_each_others_commits(tmp_path):
    path = tmp_path / "v.db"
    a = VisibilityStore(path)
    run = a.create_run(small_panel(), run_id="r1")
    b = VisibilityStore(path, readonly=True)
    assert b.run(run).pending == 8
    a.record_result(run, a.tasks(run)[0].tag, raw_task("x"))
    assert b.run(run).measured == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        b.connection.execute("DELETE FROM runs")
    a.close()
    b.close()


def test_not_finished_codes_leave_the_task_pending(store):
    run = store.create_run(small_panel(), run_id="r1")
    tag = store.tasks(run)[0].tag
    in_queue = example("5.4_task_get_pending")["tasks"][0]  # 40602 "Task In Queue."
    store.record_result(run, tag, in_queue)
    (task,) = [t for t in store.tasks(run) if t.tag == tag]
    assert task.status == "pending"
    assert task.task_id == in_queue["id"]
    assert [t.tag for t in store.posted(run)] == [tag]
    created = example("5.2_task_post")["tasks"][0]  # 20100 "Task Created."
    store.record_result(run, store.tasks(run)[1].tag, created)
    assert store.run(run).failed == 0


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    path = tmp_path / "v.db"
    VisibilityStore(path).close()
    current = SCHEMA_VERSION
    every = list(range(1, current + 1))

    def half_done(conn):
        conn.execute("CREATE TABLE added_next (x INTEGER)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(_schema, "MIGRATIONS", (*_schema.MIGRATIONS, (current + 1, half_done)))
    monkeypatch.setattr(_schema, "SCHEMA_VERSION", current + 1)
    with pytest.raises(RuntimeError, match="disk full"):
        VisibilityStore(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "added_next" not in tables
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == every
    conn.close()
    monkeypatch.setattr(
        _schema,
        "MIGRATIONS",
        (
            *_schema.MIGRATIONS[:current],
            (current + 1, lambda c: c.execute("CREATE TABLE added_next (x)")),
        ),
    )
    VisibilityStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == [
        *every,
        current + 1,
    ]
    conn.close()


def test_record_tasks_finds_the_row_by_the_echoed_tag(store):
    run = store.create_run(small_panel(), run_id="r1")
    first, second = (t.tag for t in store.tasks(run)[:2])
    tasks = [raw_task("HubSpot"), raw_task("Salesforce")]
    tasks[0]["data"]["tag"], tasks[1]["data"]["tag"] = second, first
    assert store.record_tasks(run, tasks) == [second, first]
    texts = {
        t: store.raw_task(run, t)["result"][0]["items"][0]["sections"][0]["text"]
        for t in (first, second)
    }
    assert texts == {second: "HubSpot", first: "Salesforce"}
    with pytest.raises(VisibilityStoreError, match=r"no data\.tag"):
        store.record_tasks(run, [raw_task("x")])
    untagged_after_tagged = [raw_task("y"), raw_task("z")]
    untagged_after_tagged[0]["data"]["tag"] = store.tag_of(run, 1, "chat_gpt", 0)
    with pytest.raises(VisibilityStoreError):
        store.record_tasks(run, untagged_after_tagged)
    assert store.run(run).measured == 2  # nothing recorded from the refused batch


def test_create_run_checks_method_and_run_id(store):
    with pytest.raises(VisibilityStoreError, match="method") as caught:
        store.create_run(small_panel(), method="batch")
    assert caught.value.field == "method"
    with pytest.raises(VisibilityStoreError, match="whitespace"):
        store.create_run(small_panel(), run_id="my run")
    with pytest.raises(VisibilityStoreError, match="longer than 255"):
        store.create_run(small_panel(), run_id="x" * 250)
    assert store.runs() == []


def test_added_samples_are_planned_once(store):
    run = store.create_run(small_panel(), run_id="r")  # 2 prompts x 2 engines x 2 samples
    assert store.add_samples(run, "chat_gpt", "api", 3) == 2  # one more per prompt
    assert store.add_samples(run, "chat_gpt", "api", 3) == 0  # a second driver adds none
    assert len(store.tasks(run)) == 10
    with pytest.raises(VisibilityStoreError, match="does not ask"):
        store.add_samples(run, "claude", "api", 3)
