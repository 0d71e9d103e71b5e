"""A Live batch under ``max_cost`` is decided in input order (``_batch_order``)."""

from __future__ import annotations

import asyncio
import contextvars
import random
import threading
import time

import pytest
from langchain_core.runnables import RunnableConfig

from langchain_dataforseo._money.batch_order import BatchOrder, arun_in_order, run_in_order
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo.errors import DataForSEOBudgetError


def configs(n: int, max_concurrency: int | None = None) -> list[RunnableConfig]:
    return [RunnableConfig(max_concurrency=max_concurrency) for _ in range(n)]


def test_a_position_waits_for_every_earlier_one() -> None:
    order = BatchOrder(owner=None)
    order.decide(1)
    order.decide(2)
    assert order.is_turn(0)
    assert order.is_turn(1) is False  # 0 is still undecided
    order.decide(0)
    assert order.is_turn(3)
    assert order.is_turn(4) is False


def test_the_earliest_refusal_is_the_cut() -> None:
    order = BatchOrder(owner=None)
    order.cut(7)
    order.cut(3)
    order.cut(5)
    assert order.cut_at == 3


def test_sync_reservations_are_admitted_in_input_order_whatever_the_threads_do() -> None:
    budget = Budget(max_cost=10.0)
    admitted: list[int] = []
    lock = threading.Lock()

    def call(position: int, _config: RunnableConfig) -> int:
        time.sleep(random.random() / 200)
        budget.reserve_call(0.01, "a live task")
        with lock:
            admitted.append(position)
        return position

    results = run_in_order(budget, list(range(40)), configs(40, 40), call)
    assert results == list(range(40))
    assert admitted == list(range(40))


def test_after_a_refusal_every_later_position_is_refused_even_when_it_would_fit() -> None:
    budget = Budget(max_cost=0.05)
    amounts = [0.02, 0.02, 0.03, 0.001, 0.001]  # the third does not fit; the fourth would

    def call(position: int, _config: RunnableConfig) -> float:
        reserved = budget.reserve_call(amounts[position], "a live task")
        budget.settle(reserved, reserved)
        return reserved

    results = run_in_order(budget, list(range(5)), configs(5, 5), call)
    assert results[:2] == [0.02, 0.02]
    assert all(isinstance(r, DataForSEOBudgetError) for r in results[2:])
    assert "input 2 of this batch was refused" in str(results[3])
    assert budget.spent == pytest.approx(0.04)


def test_a_position_that_never_reaches_the_budget_does_not_hold_up_the_rest() -> None:
    budget = Budget(max_cost=1.0)

    def call(position: int, _config: RunnableConfig) -> int:
        if position % 3 == 0:
            raise ValueError(f"bad input {position}")  # refused before any reservation
        budget.reserve_call(0.01, "a live task")
        return position

    results = run_in_order(budget, list(range(12)), configs(12, 4), call)
    assert [isinstance(r, ValueError) for r in results] == [i % 3 == 0 for i in range(12)]
    assert [r for r in results if isinstance(r, int)] == [i for i in range(12) if i % 3]


def test_another_budget_is_not_ordered_by_this_batch() -> None:
    mine, other = Budget(max_cost=1.0), Budget(max_cost=1.0)
    reached = threading.Event()

    def call(position: int, _config: RunnableConfig) -> int:
        if position == 0:
            assert reached.wait(timeout=5)  # position 1 reserved from its own budget first
        else:
            other.reserve_call(0.01, "a live task")
            reached.set()
        mine.reserve_call(0.01, "a live task")
        return position

    assert run_in_order(mine, [0, 1], configs(2, 2), call) == [0, 1]


async def test_async_reservations_are_admitted_in_input_order() -> None:
    budget = Budget(max_cost=10.0)
    admitted: list[int] = []
    in_flight = 0
    most_in_flight = 0

    async def call(position: int, _config: RunnableConfig) -> int:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(random.random() / 200)
        await budget.areserve_call(0.01, "a live task")
        admitted.append(position)
        await asyncio.sleep(random.random() / 200)
        in_flight -= 1
        return position

    results = await arun_in_order(budget, list(range(30)), configs(30, 7), call)
    assert results == list(range(30))
    assert admitted == list(range(30))
    assert most_in_flight == 7  # max_concurrency bounds the workers


async def test_async_refusal_cuts_the_batch() -> None:
    budget = Budget(max_cost=0.03)

    async def call(position: int, _config: RunnableConfig) -> int:
        reserved = await budget.areserve_call(0.01, "a live task")
        await asyncio.sleep(0)
        budget.settle(reserved, reserved)
        return position

    results = await arun_in_order(budget, list(range(6)), configs(6, 6), call)
    assert results[:3] == [0, 1, 2]
    assert all(isinstance(r, DataForSEOBudgetError) for r in results[3:])


def test_an_empty_batch_runs_nothing() -> None:
    assert run_in_order(Budget(1.0), [], [], lambda value, _config: value) == []


def test_a_second_reservation_of_a_paid_prompt_is_not_refused_for_a_later_prompts_refusal() -> None:
    budget = Budget(max_cost=0.05)
    first_paid = threading.Event()
    second_refused = threading.Event()

    def call(position: int, _config: RunnableConfig) -> str:
        if position == 1:
            assert first_paid.wait(timeout=5)
            try:
                budget.reserve_call(0.04, "a live task")  # 0.02 + 0.04 > 0.05: refused
            finally:
                second_refused.set()
            return "never"
        budget.settle(budget.reserve_call(0.02, "a live task"), 0.02)
        first_paid.set()
        assert second_refused.wait(timeout=5)
        budget.settle(budget.reserve_call(0.01, "a live task"), 0.01)  # fits: 0.03 <= 0.05
        return "paid twice"

    results = run_in_order(budget, [0, 1], configs(2, 2), call)
    assert results[0] == "paid twice"
    assert isinstance(results[1], DataForSEOBudgetError)
    assert budget.spent == pytest.approx(0.03)


def test_a_context_that_outlives_its_batch_is_not_ordered_by_it() -> None:
    budget = Budget(max_cost=0.05)
    kept: list[contextvars.Context] = []

    def call(position: int, _config: RunnableConfig) -> int:
        if position == 0:
            kept.append(contextvars.copy_context())  # e.g. a thread the prompt starts
        reserved = budget.reserve_call(0.03, "a live task")  # the second is refused: cut
        budget.settle(reserved, reserved)
        return position

    results = run_in_order(budget, [0, 1], configs(2, 2), call)
    assert isinstance(results[1], DataForSEOBudgetError)
    # 0.03 + 0.01 fits: the batch's cut no longer applies once the batch has returned
    assert kept[0].run(budget.reserve_call, 0.01, "a later task") == 0.01


def test_a_single_input_runs_in_the_callers_thread() -> None:
    threads: list[int] = []

    def call(position: int, _config: RunnableConfig) -> int:
        threads.append(threading.get_ident())
        return position

    assert run_in_order(Budget(1.0), [0], configs(1, 4), call) == [0]
    assert threads == [threading.get_ident()]


async def test_each_async_prompt_keeps_its_own_context_variables() -> None:
    seen: contextvars.ContextVar[int | None] = contextvars.ContextVar("seen", default=None)
    before: list[int | None] = []

    async def call(position: int, _config: RunnableConfig) -> int:
        before.append(seen.get())
        seen.set(position)  # a prompt's own state (a callback's run, a deadline...)
        return position

    assert await arun_in_order(Budget(1.0), [0, 1, 2], configs(3, 1), call) == [0, 1, 2]
    assert before == [None, None, None]
