"""run_panel on the in-process emulator: estimate, refusal, budget, resume, journal, progress."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_dataforseo import DataForSEOBudgetError, DataForSEOInputError
from langchain_dataforseo._api.cost_bounds import STANDARD_PREPAID_USD, standard_reservation
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import created_record, intent_record, replay
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import (
    Panel,
    Progress,
    RunEstimate,
    StoreJournal,
    VisibilityStore,
    estimate_run,
    extract_answer,
    run_panel,
    task_from_message,
)
from langchain_dataforseo.visibility._plan import (
    budget_shares,
    engine_method,
    found_by_tag,
    plan_estimate,
)

AUTH = ("emulator-login", "emulator-password")
CATALOGUE = BrandCatalogue(
    brands=(CatalogueBrand("HubSpot", 0.5), CatalogueBrand("Pipedrive", 0.3)),
    domains=(CatalogueDomain("hubspot.com", 0.4), CatalogueDomain("g2.com", 0.5)),
    seed=7,
)


def make_panel(engines: dict[str, str] | None = None, samples: int = 2) -> Panel:
    return Panel(
        "crm",
        ["Which CRM suits a small agency?", "Best CRM for startups?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [{"name": "Pipedrive", "domains": ["pipedrive.com"]}],
        engines or {"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"},
        samples,
        web_search=True,
    )


def options(emu: Emulator) -> dict[str, Any]:
    return {
        "login": AUTH[0],
        "password": AUTH[1],
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        "poll_interval": 0.05,
    }


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(brand_catalogue=CATALOGUE, **config))


def charged_tags(emu: Emulator) -> Counter[str]:
    return Counter(str(c["tag"]) for c in emu.ledger()["charges"])


def posts(emu: Emulator) -> int:
    calls = emu.ledger()["calls"]
    return sum(n for key, n in calls.items() if key.endswith(("/task_post", "/live")))


@pytest.fixture
def store(tmp_path: Path) -> VisibilityStore:
    return VisibilityStore(tmp_path / "runs.db")


# -- pure decisions ---------------------------------------------------------------------


def test_perplexity_always_runs_live() -> None:
    assert engine_method("perplexity", "standard") == "live"
    assert engine_method("chat_gpt", "standard") == "standard"
    assert engine_method("chat_gpt", "live") == "live"


def test_the_estimate_sorts_tasks_by_what_they_may_still_cost(store: VisibilityStore) -> None:
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=4)
    run = store.create_run(panel, run_id="r")
    tags = [t.tag for t in store.tasks(run)]
    store.record_handles(run, [(tags[0], "11111111-1111-1111-1111-111111111111")], cost=0.0102)
    store.record_intent(run, [tags[1]])  # in doubt
    store.record_failure(run, tags[2], 50301, "failed", cost=0.0)
    bound = standard_reservation(
        "chat_gpt",
        {"user_prompt": panel.prompts[0], "model_name": "gpt-4.1-mini", "web_search": True},
    )
    estimate = plan_estimate(panel, store.tasks(run), "standard", run_id=run)
    assert estimate.to_post == 8 - 3
    assert estimate.to_collect == 1
    assert estimate.in_doubt == 1
    assert estimate.committed == pytest.approx(2 * bound)  # posted and in doubt, worst case
    again = plan_estimate(panel, store.tasks(run), "standard", run_id=run, repost_in_doubt=True)
    assert again.to_post == estimate.to_post + 1
    assert again.committed == estimate.committed
    fixed = plan_estimate(panel, store.tasks(run), "standard", run_id=run, max_cost_per_call=0.02)
    assert fixed.to_post_cost == pytest.approx(5 * 0.02)


def test_a_per_call_figure_below_the_prepayment_reserves_the_prepayment(
    store: VisibilityStore,
) -> None:
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = store.create_run(panel, run_id="r")
    estimate = plan_estimate(
        panel, store.tasks(run), "standard", run_id=run, max_cost_per_call=1e-5
    )
    assert estimate.to_post_cost == pytest.approx(2 * STANDARD_PREPAID_USD)


def test_budget_shares_cover_each_estimate_and_never_add_up_past_the_cap() -> None:
    needs = {"chat_gpt": 0.3, "claude": 0.1, "gemini": 0.0}
    shares = budget_shares(1.0, needs)
    assert sum(shares.values()) <= 1.0
    assert shares["chat_gpt"] >= 0.3 - 1e-9
    assert shares["claude"] >= 0.1 - 1e-9
    assert shares["gemini"] == 0.0
    assert shares["chat_gpt"] == pytest.approx(3 * shares["claude"], rel=1e-6)
    assert budget_shares(0.4, {"a": 0.0}) == {"a": 0.0}


def test_found_by_tag_keeps_the_first_valid_id_of_wanted_tags() -> None:
    good = "22222222-2222-2222-2222-222222222222"
    pairs = [("../etc", "t1"), (good, "t1"), ("33333333-3333-3333-3333-333333333333", "t1")]
    pairs += [(good, "other"), (good, None)]
    assert found_by_tag(pairs, {"t1", "t2"}) == {"t1": good}


# -- the journal adapter ------------------------------------------------------------------


def test_store_journal_writes_and_replays_the_submit_records(store: VisibilityStore) -> None:
    run = store.create_run(make_panel({"chat_gpt": "gpt-4.1-mini"}), run_id="r")
    a, b, c, d = (t.tag for t in store.tasks(run))
    journal = StoreJournal(store, run)
    journal.append({"v": 1, "event": "intent", "engine": "chat_gpt", "tags": [a, b, c]})
    task_id = "44444444-4444-4444-4444-444444444444"
    handle = {"id": task_id, "engine": "chat_gpt", "tag": a, "model_name": "gpt-4.1-mini"}
    journal.append({"v": 1, "event": "created", "handles": [handle]})
    journal.append({"v": 1, "event": "in_doubt", "engine": "chat_gpt", "tags": [b]})
    journal.append({"v": 1, "event": "refused", "engine": "chat_gpt", "tags": [c]})
    assert [t.tag for t in store.posted(run)] == [a]
    assert store.posted(run)[0].cost == STANDARD_PREPAID_USD
    assert [t.tag for t in store.in_doubt(run)] == [b]
    assert {t.tag for t in store.unsent(run)} == {c, d}
    records = journal.records()
    assert records == [  # the records the package's FileJournal writes
        created_record([TaskHandle.from_dict(handle)]),
        intent_record("chat_gpt", [b]),
    ]
    assert records[0]["handles"][0].items() >= handle.items()
    state = replay(records)
    assert (set(state.handles), set(state.in_doubt)) == ({a}, {b})
    assert StoreJournal(store, run, [b]).records() == [records[1]]
    with pytest.raises(DataForSEOInputError, match="unknown journal event"):
        journal.append({"event": "posted"})


def test_submit_with_the_store_journal_never_posts_a_known_tag_twice(
    store: VisibilityStore,
) -> None:
    from langchain_dataforseo import ChatDataForSEO, TaskHandle

    emu = emulator()
    run = store.create_run(make_panel({"chat_gpt": "gpt-4.1-mini"}), run_id="r")
    task = store.tasks(run)[0]
    model = ChatDataForSEO(method="standard", **options(emu))
    journal = StoreJournal(store, run, [task.tag])
    (first,) = model.submit([task.prompt], tag=task.tag, journal=journal)
    (again,) = model.submit([task.prompt], tag=task.tag, journal=journal)
    assert isinstance(first, TaskHandle)
    assert isinstance(again, TaskHandle)
    assert again.id == first.id
    assert store.posted(run)[0].task_id == first.id
    assert charged_tags(emu) == {task.tag: 1}


# -- answers --------------------------------------------------------------------------------


def test_a_rebuilt_task_reads_like_the_raw_one() -> None:
    from langchain_dataforseo import ChatDataForSEO

    emu = emulator()
    raw = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
    body = {"user_prompt": "Which CRM suits a small agency?", "model_name": "gpt-4.1-mini"}
    body |= {"web_search": True, "tag": "t"}
    original = raw.post("/v3/ai_optimization/chat_gpt/llm_responses/live", json=[body])
    message = ChatDataForSEO(**options(emu)).invoke(body["user_prompt"], web_search=True, tag="t")
    rebuilt = task_from_message(message, "t")
    want = extract_answer(original.json()["tasks"][0])
    got = extract_answer(rebuilt)
    assert got.text == want.text
    assert got.urls == want.urls
    assert got.fan_out_queries == want.fan_out_queries
    assert got.model_name == want.model_name
    assert rebuilt["data"]["tag"] == "t"
    assert rebuilt["cost"] == message.response_metadata["cost"]


# -- run_panel ------------------------------------------------------------------------------


def test_a_run_measures_every_task_once_at_the_ledger_cost(store: VisibilityStore) -> None:
    emu = emulator(task_latency=0.05)
    panel = make_panel()
    seen: list[Progress] = []
    estimates: list[RunEstimate] = []
    run = run_panel(
        panel,
        store,
        run_id="r1",
        max_cost=20.0,
        on_progress=seen.append,
        on_estimate=estimates.append,
        collect_round=0.5,
        **options(emu),
    )
    assert run == "r1"
    tasks = store.tasks(run)
    assert len(tasks) == 8
    assert all(t.status == "measured" for t in tasks)
    ledger = emu.ledger()
    by_tag = {c["tag"]: c for c in ledger["charges"]}
    assert Counter(c["tag"] for c in ledger["charges"]) == Counter({t.tag: 1 for t in tasks})
    for task in tasks:
        assert task.cost == pytest.approx(by_tag[task.tag]["cost"], abs=1e-9)
        method = "task_post" if task.engine == "chat_gpt" else "live"
        assert by_tag[task.tag]["method"] == method
    assert store.run(run).cost == pytest.approx(ledger["charged_total"], abs=1e-6)
    assert estimates[0].to_post == 8
    assert seen[-1].final
    assert (seen[-1].done, seen[-1].pending, seen[-1].total) == (8, 0, 8)
    assert seen[-1].spent == pytest.approx(ledger["charged_total"], abs=1e-6)
    direct = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
    for task in tasks:  # the task JSON as the API sent it, not one rebuilt from the message
        raw = store.raw_task(run, task.tag)
        assert raw is not None
        assert "rebuilt_from" not in raw
        assert (raw["id"], raw["data"]["tag"]) == (task.task_id, task.tag)
        assert raw["data"]["user_prompt"] == task.prompt  # the echoed request: not in a message
        endpoint = "task_get" if task.engine == "chat_gpt" else "live"
        assert raw["path"][-2 if endpoint == "task_get" else -1] == endpoint
        if endpoint == "task_get":  # a free GET now returns the same task
            path = f"/v3/ai_optimization/chat_gpt/llm_responses/task_get/{task.task_id}"
            again = direct.get(path).json()["tasks"][0]
            assert {k: v for k, v in raw.items() if k != "time"} == {
                k: v for k, v in again.items() if k != "time"
            }


def test_a_run_over_max_cost_is_refused_before_anything_is_posted(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel()
    estimate = estimate_run(panel, store, run_id="r")
    with pytest.raises(DataForSEOBudgetError, match="nothing was posted") as caught:
        run_panel(panel, store, run_id="r", max_cost=estimate.total * 0.99, **options(emu))
    assert caught.value.needed == pytest.approx(estimate.to_post_cost)
    assert posts(emu) == 0
    assert store.runs() == []  # a new run refused before posting leaves nothing behind


def test_a_resumed_run_counts_what_it_already_committed(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"})
    run = store.create_run(panel, run_id="r")
    first = store.tasks(run)[0].tag
    store.record_handles(run, [(first, "55555555-5555-5555-5555-555555555555")])
    estimate = estimate_run(panel, store, run_id="r")
    assert estimate.committed > 0
    cap = estimate.to_post_cost + estimate.committed / 2  # fits the rest, not the rest + committed
    with pytest.raises(DataForSEOBudgetError):
        run_panel(panel, store, run_id="r", max_cost=cap, **options(emu))
    assert posts(emu) == 0


def test_a_model_the_catalogue_lacks_is_refused_before_posting(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-nonexistent-9"})
    with pytest.raises(DataForSEOInputError, match=r"engines\.chat_gpt"):
        run_panel(panel, store, run_id="r", **options(emu))
    assert posts(emu) == 0


def test_a_task_in_doubt_is_found_by_tag_and_not_posted_again(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"})
    run = store.create_run(panel, run_id="r")
    lost = store.tasks(run)[1]
    store.record_intent(run, [lost.tag])  # the crashed process was about to post it ...
    raw = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
    body = {"user_prompt": lost.prompt, "model_name": lost.model, "web_search": True}
    raw.post(
        "/v3/ai_optimization/chat_gpt/llm_responses/task_post", json=[{**body, "tag": lost.tag}]
    )  # ... and did, but its answer was lost
    run_panel(panel, store, run_id="r", collect_round=0.5, **options(emu))
    assert charged_tags(emu) == Counter({t.tag: 1 for t in store.tasks(run)})
    assert all(t.status == "measured" for t in store.tasks(run))


def test_a_live_task_in_doubt_is_left_alone_unless_reposting_is_asked(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel({"perplexity": "sonar"}, samples=1)
    run = store.create_run(panel, run_id="r")
    doubt = store.tasks(run)[0].tag
    store.record_intent(run, [doubt])
    run_panel(panel, store, run_id="r", **options(emu))
    assert doubt not in charged_tags(emu)
    assert [t.tag for t in store.in_doubt(run)] == [doubt]
    assert len(store.tasks(run, "measured")) == 1
    run_panel(panel, store, run_id="r", repost_in_doubt=True, **options(emu))
    assert charged_tags(emu)[doubt] == 1
    assert len(store.tasks(run, "measured")) == 2


def test_tasks_refused_at_posting_are_posted_on_resume(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = store.create_run(panel, run_id="r")
    refused = store.tasks(run)[0].tag
    store.record_failure(run, refused, 40202, "rate limit")  # no task id: never created
    run_panel(panel, store, run_id="r", collect_round=0.5, **options(emu))
    assert store.tasks(run, "failed") == []
    assert charged_tags(emu)[refused] == 1


def test_a_run_resumed_with_another_method_is_refused(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    store.create_run(panel, run_id="r", method="standard")
    with pytest.raises(DataForSEOInputError, match="method='standard'"):
        run_panel(panel, store, run_id="r", method="live", **options(emu))
    assert posts(emu) == 0


def test_unfinished_standard_tasks_stay_pending_and_a_rerun_collects_them(
    store: VisibilityStore,
) -> None:
    emu = emulator(task_latency=3.0)
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run_panel(panel, store, run_id="r", max_wait=0.2, collect_round=0.2, **options(emu))
    assert len(store.posted("r")) == 2
    run_panel(panel, store, run_id="r", max_wait=30, collect_round=1.0, **options(emu))
    assert len(store.tasks("r", "measured")) == 2
    assert charged_tags(emu) == Counter({t.tag: 1 for t in store.tasks("r")})


def test_model_options_the_panel_decides_are_refused(store: VisibilityStore) -> None:
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    with pytest.raises(DataForSEOInputError, match="temperature is not a model option"):
        run_panel(panel, store, run_id="r", temperature=0.2)
    with pytest.raises(DataForSEOInputError, match="engine is not a model option"):
        run_panel(panel, store, run_id="r", engine="claude")
    assert store.runs() == []


def test_tasks_a_dead_run_had_fetched_are_collected_on_resume(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = store.create_run(panel, run_id="r")
    raw = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
    base = "/v3/ai_optimization/chat_gpt/llm_responses"
    pairs = []
    for task in store.tasks(run):
        body = {"user_prompt": task.prompt, "model_name": task.model, "web_search": True}
        posted = raw.post(f"{base}/task_post", json=[{**body, "tag": task.tag}]).json()
        task_id = posted["tasks"][0]["id"]
        assert raw.get(f"{base}/task_get/{task_id}").json()["tasks"][0]["status_code"] == 20000
        pairs.append((task.tag, task_id))  # fetched once: tasks_ready no longer lists it
    assert raw.get(f"{base}/tasks_ready").json()["tasks"][0]["result"] in (None, [])
    store.record_handles(run, pairs)  # the dead run had recorded the handles, not the answers
    run_panel(panel, store, run_id="r", max_wait=10, **options(emu))
    assert len(store.tasks(run, "measured")) == 2
    assert charged_tags(emu) == Counter({t.tag: 1 for t in store.tasks(run)})


@pytest.mark.parametrize(("per_post", "expected_posts"), [(100, 1), (3, 4), (1, 10)])
def test_standard_tasks_are_packed_into_posts_of_tasks_per_post(
    store: VisibilityStore, per_post: int, expected_posts: int
) -> None:
    emu = emulator(task_latency=0.05)
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=5)  # 2 prompts x 5 = 10 tasks
    run = run_panel(
        panel, store, run_id="packed", tasks_per_post=per_post, collect_round=0.5, **options(emu)
    )
    assert posts(emu) == expected_posts
    assert charged_tags(emu) == Counter({t.tag: 1 for t in store.tasks(run)})
    assert all(t.status == "measured" for t in store.tasks(run))


@pytest.mark.parametrize("per_post", [0, 101])
def test_tasks_per_post_out_of_range_is_refused_before_anything_is_posted(
    store: VisibilityStore, per_post: int
) -> None:
    emu = emulator()
    with pytest.raises(DataForSEOInputError, match="tasks_per_post must be 1 to 100"):
        run_panel(make_panel(), store, run_id="bad", tasks_per_post=per_post, **options(emu))
    assert posts(emu) == 0


def test_a_dead_drivers_task_in_doubt_is_taken_over_after_its_lease_and_found_by_tag(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"})
    run = store.create_run(panel, run_id="r")
    lost = store.tasks(run)[1]
    # a driver on another machine took the task, posted it, and died: its lease expired
    assert store.claim_intent(run, [lost.tag], "other-host:7:dead", lease_seconds=-1)
    raw = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
    body = {"user_prompt": lost.prompt, "model_name": lost.model, "web_search": True}
    raw.post(
        "/v3/ai_optimization/chat_gpt/llm_responses/task_post", json=[{**body, "tag": lost.tag}]
    )
    run_panel(panel, store, run_id="r", collect_round=0.5, **options(emu))
    assert charged_tags(emu) == Counter({t.tag: 1 for t in store.tasks(run)})  # not reposted
    assert all(t.status == "measured" for t in store.tasks(run))
    assert all(t.lease_owner is None for t in store.tasks(run))


def test_a_task_another_live_driver_holds_is_never_posted_here(store: VisibilityStore) -> None:
    emu = emulator()
    panel = make_panel({"perplexity": "sonar"}, samples=1)
    run = store.create_run(panel, run_id="r")
    held = store.tasks(run)[0].tag
    # another machine's driver is posting it now (its lease is live)
    assert store.claim_intent(run, [held], "other-host:8:alive", lease_seconds=600)
    run_panel(panel, store, run_id="r", max_wait=0.5, repost_in_doubt=True, **options(emu))
    assert held not in charged_tags(emu)  # even with repost_in_doubt
    assert [t.tag for t in store.tasks(run, "pending")] == [held]
    assert len(store.tasks(run, "measured")) == 1
    assert store.held_elsewhere(run) == {"other-host:8:alive": 1}


def other_panel() -> Panel:
    return Panel(
        "other-team",
        ["Which ERP suits a factory?", "SAP or Odoo?"],
        {"name": "Odoo", "domains": ["odoo.com"]},
        ["SAP"],
        {"chat_gpt": "gpt-4.1-mini"},
        2,
        web_search=True,
    )


def test_two_panels_with_one_run_id_on_one_account_never_share_a_tag(tmp_path: Path) -> None:
    emu = emulator()
    ours, theirs = make_panel({"chat_gpt": "gpt-4.1-mini"}), other_panel()
    with VisibilityStore(tmp_path / "theirs.db") as store:  # another team, same run id
        run_panel(theirs, store, run_id="weekly", collect=False, **options(emu))
        their_tags = {t.tag for t in store.tasks("weekly")}
    with VisibilityStore(tmp_path / "ours.db") as store:
        run = store.create_run(ours, run_id="weekly")
        assert not {t.tag for t in store.tasks(run)} & their_tags
        lost = store.tasks(run)[0]
        store.record_intent(run, [lost.tag])  # we crashed before posting it
        run_panel(ours, store, run_id="weekly", recover_wait=0.3, **options(emu))
        (doubt,) = store.in_doubt(run)  # not found by tag: still in doubt, nothing adopted
        assert doubt.tag == lost.tag
        assert store.raw_task(run, lost.tag) is None
        assert charged_tags(emu)[lost.tag] == 0


def test_an_answer_found_by_an_old_tag_that_echoes_another_prompt_is_not_taken(
    tmp_path: Path,
) -> None:
    emu = emulator()
    ours = make_panel({"chat_gpt": "gpt-4.1-mini"})
    with VisibilityStore(tmp_path / "ours.db") as store:
        run = store.create_run(ours, run_id="weekly")
        # a run stored before tags carried a digest: its tags are the old ones
        store.connection.execute(
            "UPDATE tasks SET tag = 'weekly:p' || prompt_index || ':chat_gpt:s' || sample"
        )
        lost = store.tasks(run)[0]
        assert lost.tag == "weekly:p0:chat_gpt:s0"
        store.record_intent(run, [lost.tag])
        # another team's panel, same run id, posted a task with that very tag
        raw = httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)
        body = {"user_prompt": "Which ERP suits a factory?", "model_name": "gpt-4.1-mini"}
        raw.post(
            "/v3/ai_optimization/chat_gpt/llm_responses/task_post",
            json=[{**body, "web_search": True, "tag": lost.tag}],
        )
        run_panel(ours, store, run_id="weekly", collect_round=0.5, **options(emu))
        (doubt,) = store.in_doubt(run)  # found by tag, but not ours: back in doubt
        assert doubt.tag == lost.tag
        assert doubt.task_id is None
        assert store.raw_task(run, lost.tag) is None
        assert "answers another request" in (doubt.error_message or "")
        assert "data.user_prompt" in (doubt.error_message or "")
        others = [t for t in store.tasks(run) if t.tag != lost.tag]
        assert {t.status for t in others} == {"measured"}  # old tags still resume


def test_a_chunk_whose_lease_is_lost_is_left_unsent_and_costs_nothing(
    store: VisibilityStore,
) -> None:
    from langchain_dataforseo import ChatDataForSEO
    from langchain_dataforseo.visibility._errors import LeaseLostError

    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = store.create_run(panel, run_id="r")
    mine, theirs = store.tasks(run)
    # another driver took the second task between our plan and our intent
    store.claim(run, [theirs.tag], "other-host:1:x", unsent=True)
    journal = StoreJournal(store, run, [mine.tag, theirs.tag], owner="here:1:me")
    model = ChatDataForSEO(method="standard", model="gpt-4.1-mini", max_cost=1.0, **options(emu))
    items = model.submit(
        [mine.prompt, theirs.prompt],
        tags=[mine.tag, theirs.tag],
        journal=journal,
        return_exceptions=True,
    )
    assert all(isinstance(item, LeaseLostError) for item in items)
    assert posts(emu) == 0
    assert model.spent == 0  # refused before sending: nothing held
    assert store.in_doubt(run) == []  # no intent left behind


def test_a_standard_panel_makes_one_task_get_per_task(
    store: VisibilityStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tasks_ready paced fast (a fresh account, so a fresh pacer) and tasks that take far
    # longer than ten idle polls: a sweep of unfinished tasks would fetch them in vain
    monkeypatch.setattr("langchain_dataforseo._transport.pools.TASKS_READY_INTERVAL_SECONDS", 0.01)
    emu = emulator(task_latency=1.5)
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=10)  # 2 prompts x 10 = 20 tasks
    run = run_panel(
        panel,
        store,
        run_id="gets",
        collect_round=30.0,
        **{**options(emu), "base_url": "http://127.0.0.9", "poll_interval": 0.02},
    )
    tasks = store.tasks(run)
    assert len(tasks) == 20
    assert all(t.status == "measured" for t in tasks)
    calls = emu.ledger()["calls"]
    assert calls["chat_gpt/task_get"] == len(tasks)
    assert calls["chat_gpt/tasks_ready"] >= 2  # it polled while the tasks ran


def test_an_option_the_run_does_not_take_is_refused_before_any_request(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    with pytest.raises(DataForSEOInputError, match="max_concurency is not a model option"):
        run_panel(panel, store, run_id="r", max_concurency=3, **options(emu))
    assert emu.ledger()["calls"].get("total", 0) == 0
    assert store.runs() == []


async def test_the_run_options_never_show_the_password_or_a_callback_url() -> None:
    from langchain_dataforseo.visibility._run_context import RunOptions, engine_run

    emu = emulator()
    secret_url = "https://receiver.example/postback?secret=hunter2"
    opts = RunOptions.of({**options(emu), "password": AUTH[1], "postback_url": secret_url})
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = await engine_run(panel, "chat_gpt", "standard", None, None, opts)
    for shown in (repr(opts), repr(run)):
        assert AUTH[1] not in shown
        assert "hunter2" not in shown
    assert run.task(panel.prompts[0], "t")["postback_url"] == secret_url  # sent, never shown


def test_a_per_call_figure_below_one_tasks_price_is_refused_before_any_request(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    with pytest.raises(DataForSEOInputError, match="max_cost_per_call"):
        run_panel(panel, store, run_id="r", max_cost_per_call=0.001, **options(emu))
    assert emu.ledger()["calls"].get("total", 0) == 0


class _RefusingPosts(httpx.AsyncBaseTransport):
    """The emulator, but every ``task_post`` is refused task by task (nothing created)."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = AsyncEmulatorTransport(emu)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/task_post"):
            return await self.inner.handle_async_request(request)
        import json

        sent = json.loads(request.content)
        tasks = [
            {
                "id": f"0000000{i}-0000-0000-0000-000000000000",
                "status_code": 40501,
                "status_message": "Invalid Field: 'x'.",
                "cost": 0,
                "result": None,
                "data": t,
            }
            for i, t in enumerate(sent)
        ]
        body = {
            "status_code": 20000,
            "status_message": "Ok.",
            "cost": 0,
            "tasks_count": len(tasks),
            "tasks_error": len(tasks),
            "tasks": tasks,
        }
        return httpx.Response(200, json=body)


def test_a_refused_standard_repost_of_a_task_in_doubt_keeps_it_in_doubt(
    store: VisibilityStore,
) -> None:
    emu = emulator()
    panel = make_panel({"chat_gpt": "gpt-4.1-mini"}, samples=1)
    run = store.create_run(panel, run_id="r")
    doubt = store.tasks(run)[0].tag
    # a dead driver posted it and got no verdict: it may exist and be paid
    assert store.claim_intent(run, [doubt], "h:1:gone", reserve={doubt: 0.5}) == [doubt]
    store.release_leases(run, "h:1:gone")
    opts = {**options(emu), "http_async_client": httpx.AsyncClient(transport=_RefusingPosts(emu))}
    run_panel(panel, store, run_id="r", repost_in_doubt=True, recover_wait=0.0, **opts)
    # the repost was refused (not created), but the first post may still have been paid
    assert [t.tag for t in store.in_doubt(run)] == [doubt]
    assert store.run_spend(run) >= 0.5
    store.retry_unposted(run)  # a resumed run: the task is still in doubt, never "unsent"
    assert doubt not in [t.tag for t in store.unsent(run)]
