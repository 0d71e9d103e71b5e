"""Tests for ``costs``: ``track_costs`` sums what the answers received in a block cost."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.caches import BaseCache, InMemoryCache
from langchain_core.load import dumps, loads
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, Generation

from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo.costs import (
    CostLine,
    mark_replayed,
    record_cost,
    record_pending,
    record_settled,
    record_unknown,
    track_costs,
)
from tests.unit_tests.helpers import example

GPT = ("chat_gpt", "gpt-4.1-mini-2025-04-14")
O4 = ("chat_gpt", "o4-mini-2025-04-16")


def web_search_answer() -> AIMessage:
    """Example 4.1: 2113 in, 486 out, 0 reasoning, $0.0272228."""
    return task_to_message(example("4.1_live_web_search")["tasks"][0], engine="chat_gpt")


def reasoning_answer() -> AIMessage:
    """Example 4.2: 38 in, 1372 out of which 1216 reasoning, $0.0066786."""
    return task_to_message(example("4.2_live_reasoning")["tasks"][0], engine="chat_gpt")


def test_tracker_sums_cost_tasks_and_tokens_per_engine_and_model() -> None:
    with track_costs() as costs:
        record_cost(web_search_answer())
        record_cost(web_search_answer())
        record_cost(reasoning_answer())

    assert set(costs.by_model) == {GPT, O4}
    assert costs.by_model[GPT] == CostLine(
        tasks=2, cost=0.0544456, input_tokens=4226, output_tokens=972, reasoning_tokens=0
    )
    assert costs.by_model[O4] == CostLine(
        tasks=1, cost=0.0066786, input_tokens=38, output_tokens=1372, reasoning_tokens=1216
    )
    assert costs.tasks == 3
    assert costs.total_cost == pytest.approx(0.0611242)
    assert costs.input_tokens == 4264
    assert costs.output_tokens == 2344


def test_tracker_counts_the_cost_the_message_reports_not_the_task_cost() -> None:
    task = example("4.1_live_web_search")["tasks"][0]
    message = task_to_message(task, engine="chat_gpt", method="standard", cost=0.0268228)
    with track_costs() as costs:
        record_cost(message)
    assert costs.total_cost == 0.0268228


def test_tracker_keeps_engines_apart_for_the_same_model_name() -> None:
    task = example("4.1_live_web_search")["tasks"][0]
    with track_costs() as costs:
        record_cost(task_to_message(task, engine="chat_gpt"))
        record_cost(task_to_message(task, engine="perplexity"))
    assert set(costs.by_model) == {GPT, ("perplexity", GPT[1])}
    assert costs.tasks == 2


def test_tracker_counts_a_message_without_usage_or_metadata_as_one_free_task() -> None:
    with track_costs() as costs:
        record_cost(AIMessage(content="not from DataForSEO"))
    assert costs.by_model == {("", ""): CostLine(tasks=1)}
    assert costs.total_cost == 0.0


def test_nested_trackers_both_count_and_the_inner_stops_at_its_block() -> None:
    with track_costs() as outer:
        record_cost(web_search_answer())
        with track_costs() as inner:
            record_cost(reasoning_answer())
        record_cost(reasoning_answer())

    assert outer.tasks == 3
    assert inner.tasks == 1
    assert set(inner.by_model) == {O4}
    assert outer.by_model[O4].tasks == 2


def test_record_cost_outside_any_tracker_is_a_no_op() -> None:
    with track_costs() as earlier:
        pass
    record_cost(web_search_answer())  # must not raise, must not count anywhere
    assert earlier.tasks == 0
    assert earlier.by_model == {}


def test_answers_after_the_block_are_not_added() -> None:
    with track_costs() as costs:
        record_cost(web_search_answer())
    record_cost(reasoning_answer())
    assert costs.tasks == 1
    assert set(costs.by_model) == {GPT}


def test_str_lists_the_totals_and_each_model() -> None:
    with track_costs() as costs:
        record_cost(web_search_answer())
        record_cost(reasoning_answer())
    text = str(costs)
    first, *rest = text.splitlines()
    assert first == "DataForSEO: 2 task(s), $0.033901, 2151 tokens in / 1858 out"
    assert rest == [
        "  chat_gpt gpt-4.1-mini-2025-04-14: 1 task(s), $0.027223, 2113 in / 486 out",
        "  chat_gpt o4-mini-2025-04-16: 1 task(s), $0.006679, 38 in / 1372 out",
    ]


def test_str_of_an_empty_tracker_says_nothing_was_spent() -> None:
    with track_costs() as costs:
        pass
    assert str(costs) == "DataForSEO: 0 task(s), $0.000000, 0 tokens in / 0 out"


async def test_a_task_started_outside_the_block_does_not_count_in_it() -> None:
    gate = asyncio.Event()

    async def started_before() -> None:
        await gate.wait()
        record_cost(web_search_answer())

    task = asyncio.create_task(started_before())  # its context has no tracker
    with track_costs() as costs:
        gate.set()
        await task
        record_cost(reasoning_answer())
    assert costs.tasks == 1
    assert set(costs.by_model) == {O4}


async def test_concurrent_tasks_keep_their_own_trackers() -> None:
    entered = [asyncio.Event(), asyncio.Event()]

    async def worker(n: int, answer: AIMessage) -> tuple[int, set[tuple[str, str]]]:
        with track_costs() as costs:
            entered[n].set()
            await entered[1 - n].wait()  # both blocks are open at once
            record_cost(answer)
            await asyncio.sleep(0)
        return costs.tasks, set(costs.by_model)

    first, second = await asyncio.gather(
        worker(0, web_search_answer()), worker(1, reasoning_answer())
    )
    assert first == (1, {GPT})
    assert second == (1, {O4})


async def test_a_task_started_inside_the_block_counts_in_it() -> None:
    async def record(message: AIMessage) -> None:
        record_cost(message)

    with track_costs() as costs:
        await asyncio.create_task(record(reasoning_answer()))
    assert costs.tasks == 1


# -- answers replayed from a LangChain cache ---------------------------------------------


class SerialisingCache(BaseCache):
    """A cache that stores what SQLiteCache stores: each generation through ``dumps``."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE cache (prompt TEXT, llm TEXT, idx INT, response TEXT)")

    def lookup(self, prompt: str, llm_string: str) -> list[Generation] | None:
        rows = self.db.execute(
            "SELECT response FROM cache WHERE prompt = ? AND llm = ? ORDER BY idx",
            (prompt, llm_string),
        ).fetchall()
        return [loads(row[0], allowed_objects="core") for row in rows] or None

    def update(self, prompt: str, llm_string: str, return_val: Sequence[Generation]) -> None:
        for index, generation in enumerate(return_val):
            self.db.execute(
                "INSERT INTO cache VALUES (?, ?, ?, ?)",
                (prompt, llm_string, index, dumps(generation)),
            )

    def clear(self, **kwargs: Any) -> None:
        self.db.execute("DELETE FROM cache")


@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
@pytest.mark.parametrize("cache_kind", ["in_memory", "serialising"])
def test_an_answer_replayed_from_a_cache_is_marked_and_not_counted_twice(
    cache_kind: str,
) -> None:
    from .test_chat_models import Recorder, make_model

    cache: BaseCache = InMemoryCache() if cache_kind == "in_memory" else SerialisingCache()
    recorder = Recorder()
    model = make_model(recorder, cache=cache)
    with track_costs() as costs:
        first = model.invoke("Which CRM?")
        again = model.invoke("Which CRM?")
        third = model.invoke("Which CRM?")
    assert len(recorder.bodies) == 1  # the second and third came from the cache
    paid = first.response_metadata["cost"]
    assert paid > 0
    assert "cached" not in first.response_metadata
    for replay in (again, third):
        meta = replay.response_metadata
        assert meta["cached"] is True
        assert (meta["cost"], meta["money_spent"]) == (0.0, 0.0)
        assert meta["cached_cost"] == paid
        assert meta["cached_money_spent"] == first.response_metadata["money_spent"]
        assert replay.content == first.content
    # summing the metadata counts the paid call once; so does track_costs
    total = sum(m.response_metadata["cost"] for m in (first, again, third))
    assert total == pytest.approx(paid)
    assert (costs.tasks, costs.total_cost) == (1, paid)
    # the message the first call returned is unchanged by the replays
    assert first.response_metadata["cost"] == paid
    assert "cached" not in first.response_metadata


def test_a_tracker_skips_a_message_marked_as_replayed() -> None:
    message = web_search_answer()
    replay = mark_replayed(ChatGeneration(message=message)).message
    assert isinstance(replay, AIMessage)
    with track_costs() as costs:
        record_cost(replay)
    assert costs.tasks == 0
    assert message.response_metadata["cost"] == 0.0272228  # the original is untouched


def test_marking_leaves_other_providers_alone() -> None:
    generation = ChatGeneration(message=AIMessage("hi", response_metadata={"cost": 1.0}))
    assert mark_replayed(generation) is generation


def test_unknown_outcomes_are_counted_apart_from_known_charges() -> None:
    with track_costs() as costs:
        record_cost(web_search_answer())
        record_unknown("chat_gpt", "gpt-4.1-mini", 0.1259)
        record_unknown("chat_gpt", "gpt-4.1-mini", 0.1259)
    assert costs.tasks == 1  # known answers only
    assert costs.total_cost == 0.0272228  # known charges only
    assert costs.unknown_tasks == 2
    assert costs.unknown_cost_max == pytest.approx(0.2518)
    assert costs.by_model[("chat_gpt", "gpt-4.1-mini")] == CostLine(
        unknown_tasks=2, unknown_cost_max=0.2518
    )
    text = str(costs)
    assert "2 of unknown outcome, unknown cost at most $0.251800" in text


def test_without_unknown_outcomes_the_summary_does_not_mention_them() -> None:
    with track_costs() as costs:
        record_cost(web_search_answer())
    assert costs.unknown_tasks == 0
    assert costs.unknown_cost_max == 0.0
    assert "unknown" not in str(costs)


# --------------------------------------------------------------------------- pending Standard


def answer_of(task_id: str) -> AIMessage:
    message = web_search_answer()
    message.response_metadata["task_id"] = task_id
    return message


def test_a_pending_task_counts_its_prepayment_and_its_bound_until_collected() -> None:
    with track_costs() as costs:
        record_pending("t1", "chat_gpt", "gpt-4.1-mini", 0.0102, 0.05)
        record_pending("t1", "chat_gpt", "gpt-4.1-mini", 0.0102, 0.05)  # once per task id
        record_pending("t2", "chat_gpt", "gpt-4.1-mini", 0.0102, 0.05)
        assert (costs.pending_tasks, costs.tasks) == (2, 0)
        assert costs.total_cost == 0.0204
        assert costs.unknown_cost_max == round(2 * (0.05 - 0.0102), 7)
        assert "2 pending" in str(costs)
        assert "2 pending, $0.020400 prepaid, at most $0.100000" in str(costs)
        record_cost(answer_of("t1"))  # collected: its settled cost replaces the prepayment
        assert costs.pending_tasks == 1
        assert costs.total_cost == round(0.0272228 + 0.0102, 7)
        assert costs.unknown_cost_max == round(0.05 - 0.0102, 7)
        record_settled("t2", "chat_gpt", "gpt-4.1-mini", 0.0)  # failed, refunded
    assert costs.pending_tasks == 0
    assert costs.total_cost == 0.0272228
    assert costs.unknown_cost_max == 0.0
    assert set(costs.by_model) == {GPT}  # the pending line emptied and went


def test_a_pending_task_whose_answer_is_unbelievable_moves_to_unknown() -> None:
    with track_costs() as costs:
        record_pending("t1", "chat_gpt", "gpt-4.1-mini", 0.0102, 0.05)
        record_unknown("chat_gpt", "gpt-4.1-mini", 0.05, "t1")
    assert (costs.pending_tasks, costs.unknown_tasks) == (0, 1)
    assert costs.total_cost == 0.0
    assert costs.unknown_cost_max == 0.05


def test_a_failed_task_that_cost_something_is_counted() -> None:
    with track_costs() as costs:
        record_pending("t1", "claude", "claude-haiku-4-5", 0.0102, 0.0102)
        record_settled("t1", "claude", "claude-haiku-4-5", 0.0002)
        record_settled("elsewhere", "claude", "claude-haiku-4-5", 0.0)  # posted before the block
    assert costs.total_cost == 0.0002
    assert costs.pending_tasks == 0


def test_a_task_collected_in_a_later_block_counts_there_not_as_pending() -> None:
    with track_costs() as first:
        record_pending("t1", "chat_gpt", "gpt-4.1-mini", 0.0102, 0.0102)
    with track_costs() as second:
        record_cost(answer_of("t1"))
    assert first.pending_tasks == 1  # what the first block left running
    assert (second.pending_tasks, second.tasks) == (0, 1)


def test_record_counts_a_charge_given_as_numbers() -> None:
    from langchain_dataforseo.costs import record

    record("gemini", "llm_scraper", 0.5)  # outside any block: counted nowhere
    with track_costs() as tracker:
        record("gemini", "llm_scraper", 0.004)
        record("gemini", "llm_scraper", 0.0)
        record("llm_mentions", "search_mentions", 0.01, input_tokens=3, output_tokens=4)
    line = tracker.by_model[("gemini", "llm_scraper")]
    assert (line.tasks, line.cost) == (2, 0.004)
    mentions = tracker.by_model[("llm_mentions", "search_mentions")]
    assert (mentions.cost, mentions.input_tokens, mentions.output_tokens) == (0.01, 3, 4)
    assert tracker.total_cost == 0.014


def test_a_cost_recorded_as_numbers_counts_like_an_answer_and_settles_its_pending_task() -> None:
    from langchain_dataforseo.costs import record, record_pending

    with track_costs() as costs:
        record_pending("t-1", "claude", "m", 0.0102, 0.05)
        record(
            "claude",
            "m",
            0.004,
            input_tokens=10,
            output_tokens=20,
            reasoning_tokens=5,
            task_id="t-1",
        )
        record("llm_mentions", "search", 0.02)
    line = costs.by_model[("claude", "m")]
    assert (line.tasks, line.cost, line.input_tokens, line.output_tokens) == (1, 0.004, 10, 20)
    assert line.reasoning_tokens == 5
    assert costs.pending_tasks == 0  # the answer settled the prepaid task
    assert costs.total_cost == pytest.approx(0.024)
    record("claude", "m", 1.0)  # outside any block: counted nowhere
    assert costs.tasks == 2
