"""One Live task, paid for honestly: reserve its worst case, send it, settle what it cost.

The settlement rules are written once (:func:`settle_failed`, :func:`settle_answer`) and
serve every Live endpoint (LLM Responses, LLM Scraper); the blocking and the async driver
differ only in how they wait for the budget and the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_dataforseo._api.cost_bounds import checked_cost, outcome_unknown
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo.costs import record_unknown
from langchain_dataforseo.errors import DataForSEOError, DataForSEOResponseError

CostLine = tuple[str, str]
"""``(engine, model name)``: where ``track_costs`` counts a charge of unknown outcome."""


def hold_unknown(budget: Budget, line: CostLine, reserved: float) -> None:
    """Keep a call of unknown outcome in the spend at its worst case, and report it."""
    budget.settle_unknown(reserved)
    record_unknown(line[0], line[1], reserved)


def settle_failed(
    budget: Budget, line: CostLine, reserved: float, error: DataForSEOError
) -> float | None:
    """Settle a failed call: what the API said it cost, or its worst case if unknown.

    Returns:
        The cost settled, or ``None`` when the call is held at its worst case.
    """
    cost = checked_cost(error.cost)
    if outcome_unknown(error) or cost is None:
        hold_unknown(budget, line, reserved)
        return None
    budget.settle(reserved, cost)
    return cost


def settle_answer(
    budget: Budget, line: CostLine, reserved: float, task: dict[str, Any], what: str
) -> float:
    """Settle an answered call at its cost; an unbelievable cost is a response error.

    Returns:
        The cost settled.

    Raises:
        DataForSEOResponseError: A cost that is missing, negative, not finite or absurd
            (the call then stays in the spend at its reservation).
    """
    cost = checked_cost(task.get("cost"))
    if cost is None:
        hold_unknown(budget, line, reserved)
        task_id = task.get("id") if isinstance(task.get("id"), str) else None
        msg = (
            f"DataForSEO reported cost {task.get('cost')!r} for {what} {task_id}: not a "
            f"believable charge. Its answer is not trusted; the task stays in the spend at "
            f"its worst case (${reserved:.4f})."
        )
        raise DataForSEOResponseError(msg, task_id=task_id)
    budget.settle(reserved, cost)
    return cost


def _settled(
    budget: Budget,
    line: CostLine,
    reserved: float,
    task: dict[str, Any],
    what: str,
    on_cost: Callable[[float], None] | None,
) -> dict[str, Any]:
    cost = settle_answer(budget, line, reserved, task, what)
    if on_cost is not None:
        on_cost(cost)
    return task


def _failed(
    budget: Budget,
    line: CostLine,
    reserved: float,
    error: DataForSEOError,
    on_cost: Callable[[float], None] | None,
) -> None:
    cost = settle_failed(budget, line, reserved, error)
    if cost is not None and on_cost is not None:
        on_cost(cost)


def live_call(
    budget: Budget,
    line: CostLine,
    preflight: Callable[[], None],
    send: Callable[[], dict[str, Any]],
    reservation: float,
    what: str = "live task",
    on_cost: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Send one Live task within the budget (blocking); return the API's task.

    Args:
        budget: Where the call is reserved and settled.
        line: Where a charge of unknown outcome is counted.
        preflight: Raises what would refuse the call before it is sent (credentials,
            base URL); run before anything is reserved.
        send: Sends the task and returns the API's task object.
        reservation: The call's worst case.
        what: What the task is, for messages.
        on_cost: Told every cost that is settled as known.

    Raises:
        DataForSEOBudgetError: The reservation does not fit ``max_cost`` (nothing sent).
        DataForSEOError: The call failed (settled as the API said, or held if unknown).
    """
    preflight()
    reserved = budget.reserve_call(reservation, f"a {what}")
    try:
        task = send()
    except DataForSEOError as error:
        _failed(budget, line, reserved, error, on_cost)
        raise
    except BaseException:  # cancelled or interrupted: it may have been sent
        hold_unknown(budget, line, reserved)
        raise
    return _settled(budget, line, reserved, task, what, on_cost)


async def alive_call(
    budget: Budget,
    line: CostLine,
    preflight: Callable[[], None],
    send: Callable[[], Awaitable[dict[str, Any]]],
    reservation: float,
    what: str = "live task",
    on_cost: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Async :func:`live_call`."""
    preflight()
    reserved = await budget.areserve_call(reservation, f"a {what}")
    try:
        task = await send()
    except DataForSEOError as error:
        _failed(budget, line, reserved, error, on_cost)
        raise
    except BaseException:  # cancelled or interrupted: it may have been sent
        hold_unknown(budget, line, reserved)
        raise
    return _settled(budget, line, reserved, task, what, on_cost)
