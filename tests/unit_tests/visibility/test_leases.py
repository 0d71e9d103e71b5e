"""Run leases: which driver may post, recover or collect a task (VisibilityStore.claim...)."""

import os
import socket
import subprocess
import sys
import threading

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore, VisibilityStoreError
from langchain_dataforseo.visibility._errors import LeaseLostError
from langchain_dataforseo.visibility._store_journal import StoreJournal
from langchain_dataforseo.visibility._store_tasks import holder_is_dead, new_owner

from .builders import raw_task


def small_panel():
    return Panel(
        "p",
        ["Which CRM?", "Best CRM for agencies?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        ["Salesforce"],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=2,
    )


@pytest.fixture
def store(store_url):
    # every test of the store's leases runs on SQLite and on PostgreSQL
    with VisibilityStore(store_url) as s:
        yield s


@pytest.fixture
def run(store):
    return store.create_run(small_panel(), run_id="r")


def tags(store, run):
    return [t.tag for t in store.tasks(run)]


def test_an_unsent_task_is_taken_by_one_driver_only(store, run):
    a, b = "host:1:a", "host:2:b"
    everything = tags(store, run)
    assert store.claim(run, everything, a, unsent=True) == everything
    assert store.claim(run, everything, b, unsent=True) == []
    assert store.claim_intent(run, everything, b) == []  # b cannot record an intent
    assert store.claim_intent(run, everything[:2], a) == everything[:2]
    held = {t.tag: t.lease_owner for t in store.tasks(run)}
    assert set(held.values()) == {a}
    assert store.held_elsewhere(run, b) == {a: len(everything)}
    assert store.held_elsewhere(run, a) == {}


def test_a_claim_with_intent_is_atomic_between_two_connections(store_url, run, store):
    # two connections (two drivers) race for the same tasks: each task goes to one
    everything = tags(store, run)
    won: dict[str, list[str]] = {}
    go = threading.Barrier(2)

    def race(owner):
        with VisibilityStore(store_url) as own:
            go.wait()
            won[owner] = [t for tag in everything for t in own.claim_intent(run, [tag], owner)]

    threads = [threading.Thread(target=race, args=(o,)) for o in ("h:1:a", "h:2:b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won["h:1:a"] + won["h:2:b"]) == sorted(everything)
    assert not set(won["h:1:a"]) & set(won["h:2:b"])
    assert all(t.intent_at is not None for t in store.tasks(run))


def test_an_expired_lease_is_taken_over_but_a_task_in_doubt_is_never_reposted(store, run):
    first, *_ = tags(store, run)
    dead, alive = "elsewhere:1:dead", "elsewhere:2:alive"
    assert store.claim_intent(run, [first], dead, lease_seconds=-1) == [first]  # expired
    # in doubt (intent, no task id): no other driver may record a new intent on it ...
    assert store.claim_intent(run, [first], alive) == []
    assert store.claim(run, [first], alive, unsent=True) == []
    # ... but it may take the lease, to look it up by tag (or, asked to, post it again)
    assert store.claim(run, [first], alive) == [first]
    assert store.in_doubt(run)[0].lease_owner == alive
    assert store.claim_intent(run, [first], alive) == [first]


def test_a_live_lease_is_not_taken_and_renewal_keeps_it(store, run):
    first, *_ = tags(store, run)
    assert store.claim(run, [first], "x:1:a", lease_seconds=0.5) == [first]
    assert store.renew_leases(run, "x:1:a", lease_seconds=60) == 1
    assert store.claim(run, [first], "x:2:b") == []
    assert store.release_leases(run, "x:1:a") == 1
    assert store.claim(run, [first], "x:2:b") == [first]


def test_a_finished_task_is_never_claimed(store, run):
    first, *_ = tags(store, run)
    store.record_failure(run, first, 40501, "bad")
    assert store.claim(run, [first], "x:1:a") == []
    assert store.claim_intent(run, [first], "x:1:a") == []


def test_the_journal_of_a_driver_refuses_a_chunk_with_a_task_held_elsewhere(store, run):
    one, two, *_ = tags(store, run)
    store.claim(run, [two], "x:9:other")
    journal = StoreJournal(store, run, [one, two], owner="x:1:me")
    with pytest.raises(LeaseLostError, match="held by another driver") as caught:
        journal.append({"v": 1, "event": "intent", "engine": "chat_gpt", "tags": [one, two]})
    assert caught.value.field == "lease"
    # nothing of the chunk is left in doubt: the task this journal took is free again
    assert store.in_doubt(run) == []
    assert [t.tag for t in store.unsent(run)] == tags(store, run)


def test_a_holder_on_this_machine_whose_process_is_gone_is_dead(store, run):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    pid = int(gone.stdout)
    here = new_owner().partition(":")[0]  # host name and boot / PID-namespace digest
    assert holder_is_dead(f"{here}:{pid}:abcd")
    assert not holder_is_dead(f"{here}:{os.getpid()}:abcd")  # this process runs
    assert not holder_is_dead(f"another-machine:{pid}:abcd")  # cannot tell: trusted
    # same host name, another container or boot: cannot tell either
    assert not holder_is_dead(f"{socket.gethostname()}~00000000:{pid}:abcd")
    assert not holder_is_dead("not-an-owner")
    first, second, *_ = tags(store, run)
    store.claim_intent(run, [first], f"{here}:{pid}:abcd")
    store.claim_intent(run, [second], new_owner())  # this process: alive
    assert store.break_dead_leases(run) == [f"{here}:{pid}:abcd"]
    (doubt, _) = store.in_doubt(run)
    assert doubt.tag == first
    assert doubt.lease_owner is None  # free, still in doubt


def test_a_chunk_is_taken_whole_or_not_at_all_and_a_repost_keeps_its_doubt(store, run):
    one, two, *_ = tags(store, run)
    me = "h:1:me"
    # one is in doubt under my lease (taken over, to be posted again); two another holds
    assert store.claim_intent(run, [one], me, reserve={one: 0.5}) == [one]
    store.claim(run, [two], "h:2:other", unsent=True)
    assert store.claim_intent(run, [one, two], me, reserve={one: 0.5, two: 0.5}, whole=True) == []
    (doubt,) = store.in_doubt(run)  # untouched: still in doubt, its reservation kept
    assert doubt.tag == one
    assert store.run_spend(run) == pytest.approx(0.5)
    # posted again on its own: the first post's reservation stays, the second adds
    assert store.claim_intent(run, [one], me, reserve={one: 0.5}, whole=True) == [one]
    assert store.run_spend(run) == pytest.approx(1.0)


def test_a_late_failure_never_replaces_a_measured_answer(store, run):
    first, *_ = tags(store, run)
    store.record_result(run, first, raw_task("HubSpot."))
    store.record_failure(run, first, 50000, "late error from another driver")
    (task,) = [t for t in store.tasks(run) if t.tag == first]
    assert task.status == "measured"
    assert store.raw_task(run, first)["result"]


def test_a_failure_of_unknown_cost_keeps_what_was_recorded(store, run):
    first, *_ = tags(store, run)
    store.claim_intent(run, [first], "h:1:me", reserve={first: 0.3})
    store.record_handles(run, [(first, "11111111-1111-1111-1111-111111111111")], cost=0.0102)
    store.record_failure(run, first, None, "unreadable", cost=None)
    (task,) = [t for t in store.tasks(run) if t.tag == first]
    assert task.cost == pytest.approx(0.0102)


def test_the_run_cap_counts_every_drivers_reservations_and_costs(store, run):
    one, two, three, four = tags(store, run)
    reserve = dict.fromkeys((one, two, three, four), 0.4)
    assert store.claim_intent(run, [one], "h:1:a", reserve=reserve, max_cost=1.0) == [one]
    # another driver: 0.4 of the cap is already reserved by the first
    assert store.claim_intent(run, [two, three], "h:2:b", reserve=reserve, max_cost=1.0) == [two]
    assert store.run_spend(run) == pytest.approx(0.8)
    # a known cost larger than the reservation counts as it is
    store.record_result(run, one, raw_task_costing(0.5))
    assert store.run_spend(run) == pytest.approx(0.9)
    assert store.claim_intent(run, [three], "h:1:a", reserve=reserve, max_cost=1.0) == []
    assert store.claim_intent(run, [three], "h:1:a", reserve={three: 0.1}, max_cost=1.0) == [three]


def raw_task_costing(cost):
    task = raw_task("HubSpot.")
    task["cost"] = cost
    return task


def test_a_run_another_driver_holds_is_not_deleted_without_force(store, run):
    first, *_ = tags(store, run)
    store.claim(run, [first], "h:1:working", unsent=True)  # about to post it
    with pytest.raises(VisibilityStoreError, match="sent, in doubt or paid"):
        store.delete_run(run)
    store.release_leases(run, "h:1:working")
    assert store.delete_run(run) == 4


async def test_a_heartbeat_that_cannot_renew_stops_the_run_before_its_leases_expire(tmp_path):
    import asyncio

    from langchain_dataforseo.visibility._run import _renew_leases
    from langchain_dataforseo.visibility._run_context import RunContext

    store = VisibilityStore(tmp_path / "v.db")
    run = store.create_run(small_panel(), run_id="r")
    ctx = RunContext(
        store=store,
        run_id=run,
        panel=small_panel(),
        on_progress=None,
        progress_interval=1.0,
        repost_in_doubt=False,
        recover_wait=0.0,
        max_wait=0.0,
        collect_round=0.0,
        collect=True,
        concurrency=1,
        lease_seconds=0.3,  # beats every 0.1 s
    )
    store.close()  # every renewal now fails, as a store that stays locked would
    beat = asyncio.create_task(_renew_leases(ctx))
    for _ in range(100):
        if ctx.stop is not None:
            break
        await asyncio.sleep(0.05)
    assert not beat.done()  # the heartbeat survived its failed renewals
    beat.cancel()
    assert isinstance(ctx.stop, VisibilityStoreError)
    assert ctx.stop.field == "lease"


async def test_a_refused_repost_of_a_task_in_doubt_keeps_it_in_doubt_and_reserved(store, run):
    # a Live task in doubt (its first call got no answer: it may have been paid) is posted
    # again (repost_in_doubt); the engine's budget refuses the repost before sending it
    from langchain_dataforseo import DataForSEOBudgetError
    from langchain_dataforseo.visibility._run_context import RunContext, run_live_tasks

    one, *_ = tags(store, run)
    me = "h:1:me"
    assert store.claim_intent(run, [one], me, reserve={one: 0.5}) == [one]  # first call
    assert store.run_spend(run) == pytest.approx(0.5)
    ctx = RunContext(
        store=store,
        run_id=run,
        panel=small_panel(),
        on_progress=None,
        progress_interval=1.0,
        repost_in_doubt=True,
        recover_wait=0.0,
        max_wait=0.0,
        collect_round=0.0,
        collect=False,
        concurrency=1,
        owner=me,
        reservation=lambda _task: 0.5,
    )

    async def refused(_task):
        raise DataForSEOBudgetError("share spent", spent=1.0, max_cost=1.0, needed=0.5)

    (task,) = store.tasks_tagged(run, [one])
    await run_live_tasks(ctx, [task], refused)
    # the first call may still have been paid: in doubt, in the run's spend, never "unsent"
    assert [t.tag for t in store.in_doubt(run)] == [one]
    assert one not in [t.tag for t in store.unsent(run)]
    assert store.run_spend(run) == pytest.approx(0.5)


def test_a_refused_journal_record_of_a_repost_keeps_the_first_posts_doubt(store, run):
    from langchain_dataforseo._standard.journal import intent_record, refused_record

    one, two, *_ = tags(store, run)
    me = "h:1:me"
    reserve = {one: 0.5, two: 0.5}
    journal = StoreJournal(store, run, [one, two], owner=me, reserve=reserve)
    journal.append(intent_record("chat_gpt", [one]))  # posted, no verdict: in doubt
    journal.append(intent_record("chat_gpt", [one, two]))  # one reposted, two first posted
    journal.append(refused_record("chat_gpt", [one, two], "40202"))  # that post refused
    assert [t.tag for t in store.in_doubt(run)] == [one]
    assert two in [t.tag for t in store.unsent(run)]
    assert store.run_spend(run) == pytest.approx(0.5)
