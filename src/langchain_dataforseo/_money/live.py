"""One Live task, paid for honestly: reserve its worst case, send it, settle what it cost.

The settlement rules are written once (:func:`settle_failed`, :func:`settle_answer`) and
serve every Live endpoint (LLM Responses, LLM Scraper); the blocking and the async driver
differ only in how they wait for the budget and the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, cast

from langchain_dataforseo._api.cost_bounds import checked_cost, outcome_unknown
from langchain_dataforseo._api.fields import LLM_SCRAPER
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo.costs import record, record_unknown
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


COST_LINE: Final = LLM_SCRAPER
"""The ``model_name`` under which ``track_costs`` counts LLM Scraper charges."""


@dataclass(frozen=True)
class Spend:
    """Where one call's cost goes: its budget and its ``track_costs`` line.

    Attributes:
        budget: The budget to reserve in and settle.
        engine: The engine called (the cost line's engine).
        model: The cost line's model name (LLM Scraper charges: ``llm_scraper``).
    """

    budget: Budget
    engine: str
    model: str = COST_LINE

    def record(self, cost: float) -> None:
        """Count ``cost`` in every active ``track_costs`` block."""
        record(self.engine, self.model, cost)

    @property
    def line(self) -> CostLine:
        """Where an unknown charge is counted in ``track_costs``."""
        return (self.engine, self.model)

    def hold_unknown(self, reserved: float) -> None:
        """Keep ``reserved`` for good: the call may have been charged up to it."""
        hold_unknown(self.budget, self.line, reserved)

    def failed(self, reserved: float, error: DataForSEOError) -> None:
        """Settle a failed call: what the API said it cost, or its worst case if unknown."""
        cost = settle_failed(self.budget, self.line, reserved, error)
        if cost is not None:
            self.record(cost)


def settle_post(
    spend: Spend, reserved: float, answer: list[Any] | DataForSEOError
) -> list[Any] | DataForSEOError:
    """Settle one ``task_post`` charged in full when posted (the LLM Scraper's).

    Settles to the created tasks' costs, or holds the reservation when one is unknown.

    Args:
        spend: Budget and cost line.
        reserved: What was reserved for the chunk.
        answer: The ``tasks`` array answered, or the error.

    Returns:
        ``answer``, unchanged.
    """
    if isinstance(answer, DataForSEOError):
        spend.failed(reserved, answer)
        return answer
    costs = [checked_cost(t.get("cost")) for t in answer if isinstance(t, dict)]
    if any(cost is None for cost in costs):
        spend.hold_unknown(reserved)
        return answer
    total = round(sum(cast(list[float], costs)), 7)
    spend.budget.settle(reserved, total)
    spend.record(total)
    return answer


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
    if cost is None:
        return
    if on_cost is not None:
        on_cost(cost)
    elif cost > 0:  # no answer will carry it (the chat model counts answers): count it here
        record(line[0], line[1], cost)


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
