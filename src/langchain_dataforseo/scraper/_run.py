"""Running LLM Scraper tasks: budget, cost tracking, Live and Standard drivers.

The decisions are shared and pure (what to reserve, how to settle, how an answer or a
failure becomes a result); the sync and async drivers differ only in the transport call.
Reused from the package rather than copied:

- the budget (``_budget.Budget``): each call reserves its worst case first and settles
  to the cost the API reports; a call of unknown outcome keeps its reservation
  (``_submit.Spend``);
- cost tracking (``costs.track_costs``): every charge is counted under
  ``(engine, "llm_scraper")``; an unknown outcome is counted as "at most";
- Standard: ``TaskHandle`` (JSON-friendly, resumable from another process),
  ``generated_tag``, the journaled submit of ``_submit`` (the package's ``_standard.resume``
  decisions) and the pure polling protocol ``_standard.collect_steps`` with the package's
  drivers.

Each driver has a ``*_task`` form giving the raw task object (what a store keeps) and a
parsed form giving a :class:`ScraperAnswer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo._api.fields import LLM_SCRAPER
from langchain_dataforseo._api.redact import redact_stored_task
from langchain_dataforseo._money.live import alive_call, live_call
from langchain_dataforseo._standard.handle import TaskHandle, generated_tag
from langchain_dataforseo._standard.io import adrive_collect, drive_collect
from langchain_dataforseo._standard.protocol import CollectState, collect_steps
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.errors import DataForSEOError, DataForSEOTaskPendingError
from langchain_dataforseo.scraper._parse import ScraperAnswer, parse_answer
from langchain_dataforseo.scraper._submit import (
    COST_LINE,
    Spend,
    asubmit,
    preflight,
    settle_post,
    submit,
)

__all__ = [
    "COST_LINE",
    "LIVE_RESERVATION_USD",
    "STANDARD_RESERVATION_USD",
    "CollectSettings",
    "Spend",
    "acollect",
    "acollect_tasks",
    "arun_live",
    "arun_live_task",
    "asubmit",
    "collect",
    "collect_tasks",
    "outcomes",
    "raw_outcomes",
    "run_live",
    "run_live_task",
    "settle_post",
    "submit",
    "tagged",
]

LIVE_RESERVATION_USD: Final = 0.01
"""Worst case reserved for one live task [I]: DataForSEO publishes no live price."""
STANDARD_RESERVATION_USD: Final[dict[int, float]] = {1: 0.005, 2: 0.01}
"""Worst case reserved per Standard task by priority [I] (docs: "from $0.0012")."""


def run_live_task(
    client: DataForSEOClient, spend: Spend, task: dict[str, Any], reservation: float
) -> dict[str, Any]:
    """Run one live task, blocking: reserve, send, settle (``_live.live_call``).

    Args:
        client: The client (its LLM Scraper endpoints).
        spend: Budget and cost line.
        task: The checked task object.
        reservation: The worst case to reserve.

    Returns:
        The raw task object (status 20000, with its result).
    """
    return live_call(
        spend.budget,
        spend.line,
        lambda: preflight(client, spend.engine),
        lambda: client.live(spend.engine, task, product=LLM_SCRAPER),
        reservation,
        what="LLM Scraper live task",
        on_cost=spend.record,
    )


def run_live(
    client: DataForSEOClient, spend: Spend, task: dict[str, Any], reservation: float
) -> ScraperAnswer:
    """:func:`run_live_task`, parsed into a :class:`ScraperAnswer`."""
    return parse_answer(spend.engine, run_live_task(client, spend, task, reservation))


async def arun_live_task(
    client: DataForSEOClient, spend: Spend, task: dict[str, Any], reservation: float
) -> dict[str, Any]:
    """Async twin of :func:`run_live_task`."""
    return await alive_call(
        spend.budget,
        spend.line,
        lambda: preflight(client, spend.engine),
        lambda: client.alive(spend.engine, task, product=LLM_SCRAPER),
        reservation,
        what="LLM Scraper live task",
        on_cost=spend.record,
    )


async def arun_live(
    client: DataForSEOClient, spend: Spend, task: dict[str, Any], reservation: float
) -> ScraperAnswer:
    """Async twin of :func:`run_live`."""
    return parse_answer(spend.engine, await arun_live_task(client, spend, task, reservation))


# -- Standard ------------------------------------------------------------------------------


def tagged(tasks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every untagged task a deterministic tag (content hash and position).

    A post whose answer is lost can then be found again by tag in ``tasks_ready``.
    """
    return [t if t.get("tag") else {**t, "tag": generated_tag(t, i)} for i, t in enumerate(tasks)]


@dataclass(frozen=True)
class CollectSettings:
    """How long and how often to poll.

    Attributes:
        max_wait: Seconds to wait in all; what is not done by then stays pending.
        poll_interval: Seconds between rounds (``tasks_ready``: one call per 3 s).
        first_wait: Seconds before the first round.
        use_tasks_ready: Ask ``tasks_ready`` which tasks are done; off for tasks posted
            with a ``pingback_url`` / ``postback_url`` (they never show there), which are
            then fetched directly each round.
    """

    max_wait: float = 600.0
    poll_interval: float = 5.0
    first_wait: float = 0.0
    use_tasks_ready: bool = True


def _steps(handles: Sequence[TaskHandle], settings: CollectSettings) -> Any:
    return collect_steps(
        handles,
        poll_interval=settings.poll_interval,
        max_wait=settings.max_wait,
        first_wait=settings.first_wait,
        use_tasks_ready=settings.use_tasks_ready,
    )


def raw_outcomes(
    handles: Sequence[TaskHandle], state: CollectState
) -> list[dict[str, Any] | DataForSEOError]:
    """One raw task object or error per handle, in order (pure).

    Args:
        handles: The handles collected.
        state: What collecting found.

    Returns:
        The finished tasks' objects (status 20000, as ``task_get`` gave them, with the
        ``pingback_url`` / ``postback_url`` that ``data`` echoes redacted); a failed
        task is its error, an unfinished one a ``DataForSEOTaskPendingError`` carrying its
        handle (collect it again later).
    """
    out: list[dict[str, Any] | DataForSEOError] = []
    for handle in handles:
        if handle.id in state.done:  # the callback URLs its data echoes: hidden
            out.append(dict(redact_stored_task(state.done[handle.id])))
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


def outcomes(
    handles: Sequence[TaskHandle], state: CollectState
) -> list[ScraperAnswer | DataForSEOError]:
    """One answer or error per handle, in order (pure; :func:`raw_outcomes`, parsed).

    Args:
        handles: The handles collected.
        state: What collecting found.

    Returns:
        The answers; a failed task is its error, an unfinished one a
        ``DataForSEOTaskPendingError`` carrying its handle (collect it again later).
    """
    return [
        parse_answer(handle.engine, raw) if isinstance(raw, dict) else raw
        for handle, raw in zip(handles, raw_outcomes(handles, state), strict=True)
    ]


def collect_tasks(
    client: DataForSEOClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[dict[str, Any] | DataForSEOError]:
    """Poll until every task is done or ``max_wait`` runs out; raw task objects (blocking)."""
    state = drive_collect(client.for_product(LLM_SCRAPER), _steps(handles, settings))
    return raw_outcomes(handles, state)


async def acollect_tasks(
    client: DataForSEOClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[dict[str, Any] | DataForSEOError]:
    """Async twin of :func:`collect_tasks`."""
    state = await adrive_collect(client.for_product(LLM_SCRAPER), _steps(handles, settings))
    return raw_outcomes(handles, state)


def collect(
    client: DataForSEOClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[ScraperAnswer | DataForSEOError]:
    """Poll until every task is done or ``max_wait`` runs out (blocking; free calls)."""
    state = drive_collect(client.for_product(LLM_SCRAPER), _steps(handles, settings))
    return outcomes(handles, state)


async def acollect(
    client: DataForSEOClient, handles: Sequence[TaskHandle], settings: CollectSettings
) -> list[ScraperAnswer | DataForSEOError]:
    """Async twin of :func:`collect`."""
    state = await adrive_collect(client.for_product(LLM_SCRAPER), _steps(handles, settings))
    return outcomes(handles, state)
