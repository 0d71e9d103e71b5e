"""LLM Scraper calls: the Live driver, and its tasks on the package's Standard queue.

Reused from the package rather than copied:

- Live: ``_live.live_call`` (reserve the worst case, send, settle to the reported cost;
  a call of unknown outcome keeps its reservation), with :class:`~langchain_dataforseo.
  _live.Spend` as the budget and the ``track_costs`` line ``(engine, "llm_scraper")``;
- Standard: ``_standard.queue`` (post journaled per chunk with ``"family":
  "llm_scraper"``, recover by tag, collect with one ``task_get`` per task). What differs
  from LLM Responses is one parameter, :class:`~langchain_dataforseo._standard.queue.
  PaidAtPost`: a scraper task is charged in full at ``task_post``, so each chunk is
  reserved just before it is posted and settled from the post's answer; a task refused
  40402 says the engine is not available (``_client.not_available``).

Each driver gives the raw task object (what a store keeps); :func:`run_live` and
:func:`collect` parse it into a :class:`ScraperAnswer`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Final, cast

from langchain_dataforseo._api.fields import LLM_SCRAPER
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import COST_LINE, Spend, alive_call, live_call
from langchain_dataforseo._standard import queue
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, TaskHandle
from langchain_dataforseo._standard.journal import SubmitJournal, open_journal
from langchain_dataforseo._standard.protocol import RECOVER_WAIT_SECONDS, CollectState
from langchain_dataforseo._standard.queue import CollectSettings, PaidAtPost, raw_outcomes
from langchain_dataforseo._transport.client import DataForSEOClient, not_available
from langchain_dataforseo.errors import DataForSEOError
from langchain_dataforseo.scraper._parse import ScraperAnswer, parse_answer
from langchain_dataforseo.scraper._request import check_engine

LIVE_RESERVATION_USD: Final = 0.01
"""Worst case reserved for one live task [I]: DataForSEO publishes no live price."""
STANDARD_RESERVATION_USD: Final[dict[int, float]] = {1: 0.005, 2: 0.01}
"""Worst case reserved per Standard task by priority [I] (docs: "from $0.0012")."""

JournalArg = str | os.PathLike[str] | SubmitJournal | None
"""A journal: a file path, any ``SubmitJournal``, or ``None`` (no journal)."""

_LABEL: Final = "LLM Scraper"


def preflight(client: DataForSEOClient, engine: str) -> None:
    """Raise what would fail before sending (engine, base URL, credentials), early.

    Called before a reservation is made, so such a failure never holds budget.

    Raises:
        DataForSEOAuthenticationError: When no usable credentials are set.
        DataForSEOInputError: For an engine the LLM Scraper does not serve, or a refused
            base URL.
    """
    check_engine(engine)
    client.check_credentials()


# -- Live -----------------------------------------------------------------------------------


def run_live_task(
    client: DataForSEOClient, spend: Spend, task: dict[str, Any], reservation: float
) -> dict[str, Any]:
    """Run one live task, blocking: reserve, send, settle (``_live.live_call``).

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
    """Async :func:`run_live_task`."""
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
    """Async :func:`run_live`."""
    return parse_answer(spend.engine, await arun_live_task(client, spend, task, reservation))


# -- Standard: the package's queue, paid at task_post --------------------------------------


def standard_context(
    client: DataForSEOClient,
    spend: Spend,
    unit: float,
    *,
    poll_interval: float = 5.0,
    callbacks: bool = False,
    per_post: int = MAX_TASKS_PER_POST,
) -> StandardContext:
    """The queue's context for LLM Scraper tasks on one engine (charged at ``task_post``).

    Args:
        client: The client (bound to its LLM Scraper endpoints here).
        spend: Budget and cost line.
        unit: Worst case reserved per task.
        poll_interval: Seconds between polls (and between look-ups by tag).
        callbacks: The tasks carry a pingback / postback URL (never in ``tasks_ready``).
        per_post: Tasks in one ``task_post`` (1 to 100; the caller checks the range).

    Returns:
        The context.
    """
    return queue.queue_context(
        engine=spend.engine,
        model=COST_LINE,
        client=client.for_product(LLM_SCRAPER),
        budget=spend.budget,
        reservation=lambda task: unit,
        poll_interval=poll_interval,
        callbacks=callbacks,
        charge=PaidAtPost(spend, unit, per_post, not_available),
    )


def _journal(journal: JournalArg) -> SubmitJournal | None:
    return open_journal(journal) if journal is not None else None


def submit(
    client: DataForSEOClient,
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    *,
    journal: JournalArg = None,
    repost_in_doubt: bool = False,
    recover_wait: float = RECOVER_WAIT_SECONDS,
    poll_interval: float = 5.0,
    per_post: int = MAX_TASKS_PER_POST,
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of ``per_post`` (Standard); one handle or error per task, in order.

    With a journal, each chunk's tags are written before it is posted and its outcome
    right after (``"family": "llm_scraper"``); a re-run with it posts only what it does
    not know, and looks tags in doubt up by tag (``recover_wait`` seconds; found, they get
    their handle; not found, they stay ``DataForSEOTaskInDoubtError`` unless
    ``repost_in_doubt``, which may pay them twice).

    Args:
        client: The client.
        spend: Budget and cost line.
        tasks: Checked task objects, each with its own tag (``queue.tagged``).
        unit: Worst case reserved per task.
        journal: Where intents and outcomes are written.
        repost_in_doubt: Post again the tags in doubt that the look-up did not find.
        recover_wait: Seconds to look tags in doubt up in ``tasks_ready``.
        poll_interval: Seconds between ``tasks_ready`` calls of the look-up.
        per_post: Tasks in one ``task_post``.

    Returns:
        Handles (save them with ``to_dict``) or errors.
    """
    preflight(client, spend.engine)
    ctx = standard_context(client, spend, unit, poll_interval=poll_interval, per_post=per_post)
    items = queue.post(
        ctx,
        tasks,
        _journal(journal),
        family=LLM_SCRAPER,
        repost_in_doubt=repost_in_doubt,
        recover_wait=recover_wait,
    )
    return cast(list[TaskHandle | DataForSEOError], items)


async def asubmit(
    client: DataForSEOClient,
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    *,
    journal: JournalArg = None,
    repost_in_doubt: bool = False,
    recover_wait: float = RECOVER_WAIT_SECONDS,
    poll_interval: float = 5.0,
    per_post: int = MAX_TASKS_PER_POST,
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`submit` (chunk after chunk)."""
    preflight(client, spend.engine)
    ctx = standard_context(client, spend, unit, poll_interval=poll_interval, per_post=per_post)
    items = await queue.apost(
        ctx,
        tasks,
        _journal(journal),
        family=LLM_SCRAPER,
        repost_in_doubt=repost_in_doubt,
        recover_wait=recover_wait,
    )
    return cast(list[TaskHandle | DataForSEOError], items)


def _collect_context(client: DataForSEOClient, settings: CollectSettings) -> StandardContext:
    """A context for collecting only: nothing is reserved (the posts paid the tasks)."""
    return standard_context(
        client,
        Spend(Budget(None), ""),
        0.0,
        poll_interval=settings.poll_interval,
        callbacks=not settings.use_tasks_ready,
    )


def collect_tasks(
    client: DataForSEOClient,
    handles: Sequence[TaskHandle],
    settings: CollectSettings,
    *,
    first_sweep: bool = False,
) -> list[dict[str, Any] | DataForSEOError]:
    """Poll until every task is done or ``max_wait`` runs out; raw task objects (blocking).

    One ``task_get`` per task, when ``tasks_ready`` lists it (free calls).
    ``first_sweep`` fetches every handle directly in the first round: for handles an
    earlier process may have fetched (``tasks_ready`` no longer lists those).
    """
    state = CollectState()
    got = queue.collect(
        _collect_context(client, settings),
        handles,
        max_wait=settings.max_wait,
        state=state,
        first_sweep=first_sweep,
        first_wait=settings.first_wait,
    )
    return raw_outcomes(handles, got, state, _LABEL)


async def acollect_tasks(
    client: DataForSEOClient,
    handles: Sequence[TaskHandle],
    settings: CollectSettings,
    *,
    first_sweep: bool = False,
) -> list[dict[str, Any] | DataForSEOError]:
    """Async :func:`collect_tasks`."""
    state = CollectState()
    got = await queue.acollect(
        _collect_context(client, settings),
        handles,
        max_wait=settings.max_wait,
        state=state,
        first_sweep=first_sweep,
        first_wait=settings.first_wait,
    )
    return raw_outcomes(handles, got, state, _LABEL)


def parsed(
    handles: Sequence[TaskHandle], raw: Sequence[dict[str, Any] | DataForSEOError]
) -> list[ScraperAnswer | DataForSEOError]:
    """One answer or error per handle, in order (pure; raw task objects parsed)."""
    return [
        parse_answer(handle.engine, item) if isinstance(item, dict) else item
        for handle, item in zip(handles, raw, strict=True)
    ]


def collect(
    client: DataForSEOClient,
    handles: Sequence[TaskHandle],
    settings: CollectSettings,
    *,
    first_sweep: bool = False,
) -> list[ScraperAnswer | DataForSEOError]:
    """:func:`collect_tasks`, parsed (blocking; free calls)."""
    return parsed(handles, collect_tasks(client, handles, settings, first_sweep=first_sweep))


async def acollect(
    client: DataForSEOClient,
    handles: Sequence[TaskHandle],
    settings: CollectSettings,
    *,
    first_sweep: bool = False,
) -> list[ScraperAnswer | DataForSEOError]:
    """Async :func:`collect`."""
    raw = await acollect_tasks(client, handles, settings, first_sweep=first_sweep)
    return parsed(handles, raw)
