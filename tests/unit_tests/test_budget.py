"""Tests for ``_budget.Budget``: reservations, settlement and the ``max_cost`` ceiling."""

from __future__ import annotations

import threading

import pytest

from langchain_dataforseo._budget import Budget
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
