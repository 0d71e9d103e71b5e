"""Tests for ``_budget.Budget``: reservations, settlement and the ``max_cost`` ceiling."""

from __future__ import annotations

import asyncio
import threading

import pytest

from langchain_dataforseo._money.budget import Budget, admission
from langchain_dataforseo.errors import DataForSEOBudgetError


def test_reserve_under_the_budget_adds_the_known_price() -> None:
    budget = Budget(max_cost=0.01)
    assert budget.reserve(3, 0.0006, "live task") == pytest.approx(0.0018)
    assert budget.spent == pytest.approx(0.0018)


def test_reserve_exactly_up_to_the_budget_is_allowed() -> None:
    budget = Budget(max_cost=0.0306)
    budget.reserve(3, 0.0102, "Standard batch")
    assert budget.spent == pytest.approx(0.0306)


def test_reserve_past_the_budget_is_refused_without_spending() -> None:
    budget = Budget(max_cost=0.02)
    budget.reserve(1, 0.0102, "Standard batch")
    with pytest.raises(DataForSEOBudgetError) as info:
        budget.reserve(2, 0.0102, "Standard batch")
    error = info.value
    assert error.spent == pytest.approx(0.0102)
    assert error.max_cost == 0.02
    assert error.needed == pytest.approx(0.0204)
    message = str(error)
    assert "$0.0102" in message  # the spend so far
    assert "max_cost=$0.0200" in message
    assert "Standard batch" in message
    assert "nothing was posted" in message
    assert budget.spent == pytest.approx(0.0102)  # the refused reservation left no trace


def test_reserve_refuses_a_single_task_dearer_than_the_whole_budget() -> None:
    budget = Budget(max_cost=0.001)
    with pytest.raises(DataForSEOBudgetError) as info:
        budget.reserve(1, 0.0102, "Standard task")
    assert info.value.spent == 0.0
    assert budget.spent == 0.0


def test_no_max_cost_never_refuses() -> None:
    budget = Budget(max_cost=None)
    budget.reserve(1_000_000, 0.0102, "a huge batch")
    budget.check(1_000_000, 1.0, "another")
    assert budget.spent == pytest.approx(10_200.0)


def test_settle_replaces_the_reservation_by_the_actual_cost() -> None:
    budget = Budget(max_cost=1.0)
    reserved = budget.reserve(2, 0.0102, "Standard batch")
    budget.settle(reserved, 0.0031)
    assert budget.spent == pytest.approx(0.0031)


def test_settle_to_zero_releases_the_reservation_for_later_tasks() -> None:
    budget = Budget(max_cost=0.0102)
    reserved = budget.reserve(1, 0.0102, "Standard task")
    with pytest.raises(DataForSEOBudgetError):
        budget.reserve(1, 0.0102, "Standard task")
    budget.settle(reserved, 0.0)
    budget.reserve(1, 0.0102, "Standard task")
    assert budget.spent == pytest.approx(0.0102)


def test_check_refuses_like_reserve_but_does_not_change_the_spend() -> None:
    budget = Budget(max_cost=0.01)
    budget.reserve(1, 0.004, "first")
    budget.check(1, 0.006, "fits")
    assert budget.spent == pytest.approx(0.004)
    with pytest.raises(DataForSEOBudgetError):
        budget.check(1, 0.0061, "does not fit")
    assert budget.spent == pytest.approx(0.004)


def test_settle_held_settles_only_what_was_held() -> None:
    budget = Budget(max_cost=1.0)
    reserved = budget.reserve(2, 0.0102, "Standard batch")
    budget.hold("task-a", 0.0102)
    budget.hold("task-b", 0.0102)
    assert budget.spent == pytest.approx(reserved)

    budget.settle_held("task-a", 0.003)
    assert budget.spent == pytest.approx(0.0102 + 0.003)

    budget.settle_held("task-a", 0.5)  # already settled: no change
    budget.settle_held("unknown", 0.5)  # never held: no change
    assert budget.spent == pytest.approx(0.0132)

    budget.settle_held("task-b", 0.0)
    assert budget.spent == pytest.approx(0.003)


def test_spent_is_rounded_to_seven_decimals() -> None:
    budget = Budget(max_cost=None)
    for _ in range(10):
        budget.reserve(1, 0.1, "x")
    assert budget.spent == 1.0


def test_concurrent_reservations_never_overshoot_the_budget() -> None:
    budget = Budget(max_cost=0.05)
    accepted: list[float] = []
    refused: list[DataForSEOBudgetError] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def worker() -> None:
        start.wait()
        for _ in range(10):
            try:
                amount = budget.reserve(1, 0.001, "live task")
            except DataForSEOBudgetError as error:
                with lock:
                    refused.append(error)
            else:
                with lock:
                    accepted.append(amount)

    pool = [threading.Thread(target=worker) for _ in range(20)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert len(accepted) == 50
    assert len(refused) == 150
    assert budget.spent == pytest.approx(0.05)


# -- admission of calls: go, wait while calls are in flight, or refuse ---------------------


@pytest.mark.parametrize(
    ("spent", "in_flight", "amount", "max_cost", "decision"),
    [
        (0.0, 0.0, 0.1, None, "go"),
        (0.5, 0.5, 0.5, 1.0, "go"),  # exactly up to the cap
        (0.6, 0.5, 0.5, 1.0, "wait"),  # a call in flight may free room
        (0.6, 0.0, 0.5, 1.0, "refuse"),  # nothing will free room
        (0.0, 0.0, 2.0, 1.0, "refuse"),  # dearer than the whole budget
    ],
)
def test_admission_decides_from_the_spend_and_what_is_in_flight(
    spent: float, in_flight: float, amount: float, max_cost: float | None, decision: str
) -> None:
    assert admission(spent, in_flight, amount, max_cost) == decision


def test_a_call_waits_for_one_in_flight_and_starts_when_its_settlement_frees_room() -> None:
    budget = Budget(max_cost=0.1)
    first = budget.reserve_call(0.06, "first")
    started = threading.Event()

    def second() -> None:
        budget.reserve_call(0.06, "second")
        started.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not started.wait(0.2)  # it waits: 0.06 + 0.06 > 0.1
    budget.settle(first, 0.01)
    assert started.wait(5)
    thread.join()
    assert budget.spent == pytest.approx(0.07)


def test_a_waiting_call_is_refused_when_the_settlement_leaves_no_room() -> None:
    budget = Budget(max_cost=0.1)
    first = budget.reserve_call(0.06, "first")
    refused: list[DataForSEOBudgetError] = []

    def second() -> None:
        try:
            budget.reserve_call(0.06, "second")
        except DataForSEOBudgetError as error:
            refused.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    budget.settle(first, 0.05)  # 0.05 + 0.06 > 0.1, nothing in flight any more
    thread.join(5)
    assert len(refused) == 1
    assert budget.spent == pytest.approx(0.05)


async def test_async_calls_wait_without_blocking_the_loop() -> None:
    budget = Budget(max_cost=0.1)
    first = await budget.areserve_call(0.06, "first")
    waiting = asyncio.ensure_future(budget.areserve_call(0.06, "second"))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # the loop runs on while it waits
    budget.settle(first, 0.0)
    second = await asyncio.wait_for(waiting, 5)
    assert second == 0.06
    budget.settle(second, 0.05)
    with pytest.raises(DataForSEOBudgetError):  # nothing in flight: refused at once
        await budget.areserve_call(0.06, "third")


def test_concurrent_calls_settled_below_their_reservation_never_pass_the_cap() -> None:
    budget = Budget(max_cost=0.05)
    charged: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            try:
                reserved = budget.reserve_call(0.004, "live task")
            except DataForSEOBudgetError:
                return
            with lock:
                charged.append(0.003)
            budget.settle(reserved, 0.003)

    pool = [threading.Thread(target=worker) for _ in range(10)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert sum(charged) <= 0.05 + 1e-9
    assert budget.spent == pytest.approx(sum(charged))
    assert budget.spent + 0.004 > 0.05  # stopped only when the next could not fit


def test_a_negative_actual_never_lowers_the_spend() -> None:
    budget = Budget(max_cost=0.01)
    budget.settle(budget.reserve(1, 0.002, "one"), 0.002)
    budget.settle(budget.reserve(1, 0.002, "two"), -5.0)
    assert budget.spent == pytest.approx(0.002)
    budget.hold("task", 0.002)
    budget.settle_held("task", -1.0)
    assert budget.spent == pytest.approx(0.0)  # the held amount released, nothing more


def test_unknown_outcomes_keep_their_reservation_and_are_counted() -> None:
    budget = Budget(max_cost=1.0)
    budget.settle_unknown(budget.reserve_call(0.1, "live task"))
    prepaid = budget.reserve(1, 0.0102, "Standard task")
    budget.settle(prepaid, prepaid)  # created: its reservation moves to the held task
    budget.hold("task-a", prepaid)
    assert budget.settle_held_unknown("task-a") == 0.0102
    assert budget.settle_held_unknown("task-a") is None
    assert budget.spent == pytest.approx(0.1102)
    assert budget.unknown_cost_max == pytest.approx(0.1102)
    assert budget.unknown_tasks == 2


def _failing_send(cost: float):
    from langchain_dataforseo.errors import DataForSEOError

    def send() -> dict[str, object]:
        raise DataForSEOError("refused after charging", status_code=40501, cost=cost)

    return send


def test_a_failed_live_call_with_a_known_cost_is_counted_once_in_track_costs() -> None:
    from langchain_dataforseo._money.live import live_call
    from langchain_dataforseo.costs import track_costs
    from langchain_dataforseo.errors import DataForSEOError

    budget = Budget(1.0)
    with track_costs() as costs:
        # the chat model's path: no on_cost (answers are counted from their message)
        with pytest.raises(DataForSEOError):
            live_call(budget, ("chat_gpt", "m"), lambda: None, _failing_send(0.004), 0.05)
        seen: list[float] = []
        # a caller that counts costs itself is given the cost and not counted twice
        with pytest.raises(DataForSEOError):
            live_call(
                budget,
                ("chat_gpt", "m"),
                lambda: None,
                _failing_send(0.002),
                0.05,
                on_cost=seen.append,
            )
        with pytest.raises(DataForSEOError):  # a free failure counts no task
            live_call(budget, ("chat_gpt", "m"), lambda: None, _failing_send(0.0), 0.05)
    assert seen == [0.002]
    assert budget.spent == pytest.approx(0.006)
    assert costs.total_cost == pytest.approx(0.004)
    assert costs.by_model[("chat_gpt", "m")].tasks == 1
