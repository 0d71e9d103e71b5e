"""The app surface's drivers: LLM Scraper tasks (what the ChatGPT and Gemini apps show).

Reused from the scraper, not copied: the task objects come from its ``build_task`` (through
the panel's app settings), Standard tasks go through its journaled submit
(``scraper._calls.asubmit`` on the Standard queue with ``StoreJournal(...,
family="llm_scraper")``: the intent recorded before each post, the handles as they come
back, tags in doubt looked up by tag in the scraper's ``tasks_ready``) and its collect
(``acollect_tasks``: one ``task_get`` per task); Live tasks through its live driver
(``arun_live_task``). Every call reserves in and settles to the
engine's app-surface :class:`~langchain_dataforseo._money.budget.Budget` (its share of
``max_cost``) and is counted by ``track_costs`` under ``(engine, "llm_scraper")``. The raw
task JSON the API sent is what the store keeps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_dataforseo._api.cost_bounds import outcome_unknown
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import Spend
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import LLM_SCRAPER
from langchain_dataforseo._standard.queue import CollectSettings
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.errors import DataForSEOTaskInDoubtError, DataForSEOTaskPendingError
from langchain_dataforseo.scraper._calls import acollect_tasks, arun_live_task, asubmit
from langchain_dataforseo.visibility._run_context import (
    LEFT_UNSENT,
    STOPS_RUN,
    RunContext,
    record_failure,
    run_live_tasks,
    take_unsent,
)
from langchain_dataforseo.visibility._store import TaskRecord
from langchain_dataforseo.visibility._surfaces import APP, app_task


@dataclass(frozen=True)
class AppEngine:
    """One engine's app surface in a run.

    Attributes:
        engine: ``chat_gpt`` or ``gemini``.
        scraper: The run's client (its LLM Scraper endpoints).
        spend: The engine's app-surface budget and cost line.
        unit: What each task reserves (``app_bound``).
        method: ``standard`` or ``live``.
        poll_interval: Seconds between polls.
    """

    engine: str
    scraper: DataForSEOClient
    spend: Spend
    unit: float
    method: str
    poll_interval: float

    @classmethod
    def of(
        cls,
        engine: str,
        client: DataForSEOClient,
        share: float | None,
        unit: float,
        method: str,
        poll_interval: float,
    ) -> AppEngine:
        """Build it over a client, with ``share`` (``None``: no cap) as its budget."""
        spend = Spend(Budget(share), engine)
        return cls(engine, client, spend, unit, method, poll_interval)


def _handles(ctx: RunContext, engine: str) -> list[TaskHandle]:
    """The engine's app tasks posted, not collected and held by this driver (from the store)."""
    return [
        TaskHandle(id=t.task_id, engine=engine, tag=t.tag)
        for t in ctx.store.posted(ctx.run_id)
        if t.surface == APP
        and t.engine == engine
        and t.task_id is not None
        and t.lease_owner == ctx.owner
    ]


async def post_app(ctx: RunContext, app: AppEngine, tasks: Sequence[TaskRecord]) -> None:
    """Post the app tasks never posted (journaled); tasks in doubt are looked up by tag."""
    if not tasks or ctx.stop is not None:
        return
    tasks = take_unsent(ctx, tasks)
    if not tasks:
        return
    settings = ctx.panel.app_settings
    objects = [app_task(app.engine, t.prompt, settings, t.tag, "standard") for t in tasks]
    journal = ctx.journal(tasks, prepaid=app.unit, family=LLM_SCRAPER)
    try:
        items = await asubmit(
            app.scraper,
            app.spend,
            objects,
            app.unit,
            journal=journal,
            repost_in_doubt=ctx.repost_in_doubt,
            recover_wait=ctx.recover_wait,
            poll_interval=app.poll_interval,
            per_post=ctx.tasks_per_post,
        )
    except LEFT_UNSENT:
        return  # refused before posting (what was posted before is in the store)
    except STOPS_RUN as error:
        ctx.stop = error
        return
    for task, item in zip(tasks, items, strict=True):
        if isinstance(item, (TaskHandle, DataForSEOTaskInDoubtError, *LEFT_UNSENT)):
            continue  # the store has its handle, keeps it in doubt, or it was never sent
        if isinstance(item, STOPS_RUN):
            ctx.stop = item
        elif not outcome_unknown(item) and task.intent_at is None:
            # (a repost refused: its first post stays in doubt, maybe paid)
            record_failure(ctx, task.tag, item, created=False)
    ctx.report()


async def collect_app(ctx: RunContext, app: AppEngine) -> None:
    """Collect the engine's posted app tasks in rounds, recording each round's results."""
    deadline = time.monotonic() + ctx.max_wait
    first = True
    while ctx.stop is None and ctx.collect:
        handles = _handles(ctx, app.engine)
        left = deadline - time.monotonic()
        if not handles or left <= 0:
            return
        settings = CollectSettings(
            max_wait=max(min(ctx.collect_round, left), 0.1),
            poll_interval=app.poll_interval,
            # the first round fetches every handle directly (an earlier run may have
            # fetched some once, and tasks_ready no longer lists those)
            first_wait=0.0 if first else app.poll_interval,
        )
        results = await acollect_tasks(app.scraper, handles, settings, first_sweep=first)
        first = False
        answers = []
        for handle, result in zip(handles, results, strict=True):
            tag = str(handle.tag)
            if isinstance(result, dict):
                answers.append((tag, result, None))
            elif isinstance(result, DataForSEOTaskPendingError):
                continue
            elif isinstance(result, STOPS_RUN):
                ctx.stop = result
            else:
                record_failure(ctx, tag, result, created=True)
        if answers:
            ctx.store.record_results(ctx.run_id, answers)
        ctx.report()


async def run_app_live(ctx: RunContext, app: AppEngine, tasks: Sequence[TaskRecord]) -> None:
    """Run each app task Live (see :func:`run_live_tasks`) through the LLM Scraper."""
    settings = ctx.panel.app_settings

    async def answer(task: TaskRecord) -> tuple[Any, Any]:
        body = app_task(app.engine, task.prompt, settings, task.tag, "live")
        return await arun_live_task(app.scraper, app.spend, body, app.unit), None

    await run_live_tasks(ctx, tasks, answer)
