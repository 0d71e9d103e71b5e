"""Where an LLM Scraper call's cost goes: its budget and its ``track_costs`` line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, cast

from langchain_dataforseo._budget import Budget
from langchain_dataforseo._cost_bounds import checked_cost
from langchain_dataforseo._live import CostLine, hold_unknown, settle_failed
from langchain_dataforseo.costs import record
from langchain_dataforseo.errors import DataForSEOError

COST_LINE: Final = "llm_scraper"
"""The ``model_name`` under which ``track_costs`` counts LLM Scraper charges."""


@dataclass(frozen=True)
class Spend:
    """Where one call's cost goes.

    Attributes:
        budget: The budget to reserve in and settle.
        engine: The engine called (the cost line's engine).
    """

    budget: Budget
    engine: str

    def record(self, cost: float) -> None:
        """Count ``cost`` in every active ``track_costs`` block."""
        record(self.engine, COST_LINE, cost)

    @property
    def line(self) -> CostLine:
        """Where an unknown charge is counted in ``track_costs``."""
        return (self.engine, COST_LINE)

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
    """Settle one ``task_post``: to the created tasks' costs, or hold it when unknown.

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
