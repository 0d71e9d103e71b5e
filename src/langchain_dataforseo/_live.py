"""One Live task, paid for honestly: reserve its worst case, send it, settle what it cost.

The settlement rules are written once (:func:`settle_failed`, :func:`settle_answer`); the
blocking and the async driver differ only in how they wait for the budget and the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_dataforseo._budget import Budget
from langchain_dataforseo._cost_bounds import checked_cost, outcome_unknown
from langchain_dataforseo.costs import record_unknown
from langchain_dataforseo.errors import DataForSEOError, DataForSEOResponseError

if TYPE_CHECKING:
    from langchain_dataforseo._client import DataForSEOClient


def hold_unknown(budget: Budget, engine: str, request: dict[str, Any], reserved: float) -> None:
    """Keep a call of unknown outcome in the spend at its worst case, and report it."""
    budget.settle_unknown(reserved)
    record_unknown(engine, str(request.get("model_name", "")), reserved)


def settle_failed(
    budget: Budget, engine: str, request: dict[str, Any], reserved: float, error: DataForSEOError
) -> None:
    """Settle a failed call: what the API said it cost, or its worst case if unknown."""
    cost = checked_cost(error.cost)
    if outcome_unknown(error) or cost is None:
        hold_unknown(budget, engine, request, reserved)
    else:
        budget.settle(reserved, cost)


def settle_answer(
    budget: Budget, engine: str, request: dict[str, Any], reserved: float, task: dict[str, Any]
) -> dict[str, Any]:
    """Settle an answered call at its cost; an unbelievable cost is a response error.

    Raises:
        DataForSEOResponseError: A cost that is missing, negative, not finite or absurd
            (the call then stays in the spend at its reservation).
    """
    cost = checked_cost(task.get("cost"))
    if cost is None:
        hold_unknown(budget, engine, request, reserved)
        task_id = task.get("id") if isinstance(task.get("id"), str) else None
        msg = (
            f"DataForSEO reported cost {task.get('cost')!r} for live task {task_id}: not "
            f"a believable charge. Its answer is not trusted; the task stays in the spend "
            f"at its worst case (${reserved:.4f})."
        )
        raise DataForSEOResponseError(msg, task_id=task_id)
    budget.settle(reserved, cost)
    return task


def live_call(
    budget: Budget,
    client: DataForSEOClient,
    engine: str,
    request: dict[str, Any],
    reservation: float,
) -> dict[str, Any]:
    """Send one Live task within the budget (blocking); return the API's task.

    Raises:
        DataForSEOBudgetError: The reservation does not fit ``max_cost`` (nothing sent).
        DataForSEOError: The call failed (settled as the API said, or held if unknown).
    """
    reserved = budget.reserve_call(reservation, "a live task")
    try:
        task = client.live(engine, request)
    except DataForSEOError as error:
        settle_failed(budget, engine, request, reserved, error)
        raise
    except BaseException:  # cancelled or interrupted: it may have been sent
        hold_unknown(budget, engine, request, reserved)
        raise
    return settle_answer(budget, engine, request, reserved, task)


async def alive_call(
    budget: Budget,
    client: DataForSEOClient,
    engine: str,
    request: dict[str, Any],
    reservation: float,
) -> dict[str, Any]:
    """Async :func:`live_call`."""
    reserved = await budget.areserve_call(reservation, "a live task")
    try:
        task = await client.alive(engine, request)
    except DataForSEOError as error:
        settle_failed(budget, engine, request, reserved, error)
        raise
    except BaseException:  # cancelled or interrupted: it may have been sent
        hold_unknown(budget, engine, request, reserved)
        raise
    return settle_answer(budget, engine, request, reserved, task)
