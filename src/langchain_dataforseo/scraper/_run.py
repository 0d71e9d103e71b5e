"""Running LLM Scraper tasks: budget, cost tracking, Live and Standard drivers.

The decisions are shared and pure (what to reserve, how to settle, how an answer or a
failure becomes a result); the sync and async drivers differ only in the transport call.
Reused from the package rather than copied:

- the budget (``_budget.Budget``): each call reserves its worst case first and settles
  to the cost the API reports; a call of unknown outcome keeps its reservation;
- cost tracking (``costs.track_costs``): every charge is counted under
  ``(engine, "llm_scraper")``; an unknown outcome is counted as "at most";
- Standard: ``TaskHandle`` (JSON-friendly, resumable from another process),
  ``generated_tag``, ``chunks``, ``_resume.chunk_results`` (in-doubt posts) and the pure
  polling protocol ``_standard.collect_steps`` with the package's drivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from langchain_core.messages import AIMessage

from langchain_dataforseo._budget import Budget
from langchain_dataforseo._client import DataForSEOClient
from langchain_dataforseo._cost_bounds import checked_cost
from langchain_dataforseo._live import (
    CostLine,
    alive_call,
    hold_unknown,
    live_call,
    settle_failed,
)
from langchain_dataforseo._standard.handle import TaskHandle, generated_tag
from langchain_dataforseo._standard.io import adrive_collect, drive_collect
from langchain_dataforseo._standard.protocol import CollectState, chunks, collect_steps
from langchain_dataforseo._standard.resume import chunk_results
from langchain_dataforseo.costs import record_cost
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOTaskPendingError,
)
from langchain_dataforseo.scraper._http import ScraperClient
from langchain_dataforseo.scraper._parse import ScraperAnswer, parse_answer

COST_LINE: Final = "llm_scraper"
"""The ``model_name`` under which ``track_costs`` counts LLM Scraper charges."""
LIVE_RESERVATION_USD: Final = 0.01
"""Worst case reserved for one live task [I]: DataForSEO publishes no live price."""
STANDARD_RESERVATION_USD: Final[dict[int, float]] = {1: 0.005, 2: 0.01}
"""Worst case reserved per Standard task by priority [I] (docs: "from $0.0012")."""


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
        meta = {"engine": self.engine, "model_name": COST_LINE, "cost": cost}
        record_cost(AIMessage(content="", response_metadata=meta))

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


def run_live(
    scraper: ScraperClient, spend: Spend, task: dict[str, Any], reservation: float
) -> ScraperAnswer:
    """Run one live task, blocking: reserve, send, settle (``_live.live_call``), parse.

    Args:
        scraper: The HTTP adapter.
        spend: Budget and cost line.
        task: The checked task object.
        reservation: The worst case to reserve.

    Returns:
        The answer.
    """
    answered = live_call(
        spend.budget,
        spend.line,
        lambda: scraper.preflight(spend.engine),
        lambda: scraper.live(spend.engine, task),
        reservation,
        what="LLM Scraper live task",
        on_cost=spend.record,
    )
    return parse_answer(spend.engine, answered)


async def arun_live(
    scraper: ScraperClient, spend: Spend, task: dict[str, Any], reservation: float
) -> ScraperAnswer:
    """Async twin of :func:`run_live`."""
    answered = await alive_call(
        spend.budget,
        spend.line,
        lambda: scraper.preflight(spend.engine),
        lambda: scraper.alive(spend.engine, task),
        reservation,
        what="LLM Scraper live task",
        on_cost=spend.record,
    )
    return parse_answer(spend.engine, answered)


# -- Standard ------------------------------------------------------------------------------


def tagged(tasks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every untagged task a deterministic tag (content hash and position).

    A post whose answer is lost can then be found again by tag in ``tasks_ready``.
    """
    return [t if t.get("tag") else {**t, "tag": generated_tag(t, i)} for i, t in enumerate(tasks)]


def _settle_post(
    spend: Spend, reserved: float, answer: list[Any] | DataForSEOError
) -> list[Any] | DataForSEOError:
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


def submit(
    scraper: ScraperClient, spend: Spend, tasks: Sequence[dict[str, Any]], unit: float
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of 100 (Standard); one handle or error per task, in order.

    Args:
        scraper: The HTTP adapter.
        spend: Budget and cost line.
        tasks: Checked task objects (tagged with :func:`tagged`).
        unit: Worst case reserved per task.

    Returns:
        Handles (save them with ``to_dict``) or errors (in-doubt posts are
        ``DataForSEOTaskInDoubtError`` and are not reposted).
    """
    scraper.preflight(spend.engine)
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks):
        reserved = spend.budget.reserve(len(chunk), unit, "LLM Scraper task_post")
        answer: list[Any] | DataForSEOError
        try:
            answer = scraper.task_post(spend.engine, chunk)
        except DataForSEOError as error:
            answer = error
        except BaseException:
            spend.hold_unknown(reserved)
            raise
        out.extend(
            chunk_results(spend.engine, chunk, _settle_post(spend, reserved, answer), len(out))
        )
    return out


async def asubmit(
    scraper: ScraperClient, spend: Spend, tasks: Sequence[dict[str, Any]], unit: float
) -> list[TaskHandle | DataForSEOError]:
    """Async twin of :func:`submit`."""
    scraper.preflight(spend.engine)
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks):
        reserved = spend.budget.reserve(len(chunk), unit, "LLM Scraper task_post")
        answer: list[Any] | DataForSEOError
        try:
            answer = await scraper.atask_post(spend.engine, chunk)
        except DataForSEOError as error:
            answer = error
        except BaseException:
            spend.hold_unknown(reserved)
            raise
        out.extend(
            chunk_results(spend.engine, chunk, _settle_post(spend, reserved, answer), len(out))
        )
    return out


@dataclass(frozen=True)
class CollectSettings:
    """How long and how often to poll.

    Attributes:
        max_wait: Seconds to wait in all; what is not done by then stays pending.
        poll_interval: Seconds between rounds (``tasks_ready``: one call per 3 s).
        first_wait: Seconds before the first round.
    """

    max_wait: float = 600.0
    poll_interval: float = 5.0
    first_wait: float = 0.0


def _steps(handles: Sequence[TaskHandle], settings: CollectSettings) -> Any:
    return collect_steps(
        handles,
        poll_interval=settings.poll_interval,
        max_wait=settings.max_wait,
        first_wait=settings.first_wait,
    )


def outcomes(
    handles: Sequence[TaskHandle], state: CollectState
) -> list[ScraperAnswer | DataForSEOError]:
    """One answer or error per handle, in order (pure).

    Args:
        handles: The handles collected.
        state: What collecting found.

    Returns:
        The answers; a failed task is its error, an unfinished one a
        ``DataForSEOTaskPendingError`` carrying its handle (collect it again later).
    """
    out: list[ScraperAnswer | DataForSEOError] = []
    for handle in handles:
        if handle.id in state.done:
            out.append(parse_answer(handle.engine, state.done[handle.id]))
        elif handle.id in state.failed:
            error = state.failed[handle.id]
            out.append(error if isinstance(error, DataForSEOError) else DataForSEOError(str(error)))
        else:
            why = state.error or state.last_errors.get(handle.id)
            msg = f"LLM Scraper task {handle.id} is not finished yet" + (
                f" (last error: {why})." if why else "; collect its handle later."
            )
            out.append(DataForSEOTaskPendingError(msg, handle=handle, task_id=handle.id))
    return out


def collect(
    scraper: ScraperClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[ScraperAnswer | DataForSEOError]:
    """Poll until every task is done or ``max_wait`` runs out (blocking; free calls)."""
    # drive_collect needs only tasks_ready / task_get, which the adapter has
    state = drive_collect(cast(DataForSEOClient, scraper), _steps(handles, settings))
    return outcomes(handles, state)


async def acollect(
    scraper: ScraperClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[ScraperAnswer | DataForSEOError]:
    """Async twin of :func:`collect`."""
    state = await adrive_collect(cast(DataForSEOClient, scraper), _steps(handles, settings))
    return outcomes(handles, state)
