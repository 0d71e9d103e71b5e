"""The API surface's drivers: LLM Responses tasks through ``ChatDataForSEO``.

Standard tasks go through ``ChatDataForSEO.asubmit(..., journal=StoreJournal(...))`` (the
tags in doubt looked up in ``tasks_ready`` first) and ``acollect`` as ``tasks_ready``
lists them; Live tasks through ``ainvoke``, each intent recorded before the call. The
raw task JSON the API sent is what the store keeps (``keep_raw_tasks``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from langchain_core.messages import AIMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOError,
    DataForSEOTaskInDoubtError,
    DataForSEOTaskPendingError,
    TaskHandle,
)
from langchain_dataforseo._cost_bounds import outcome_unknown
from langchain_dataforseo._raw_tasks import keep_raw_tasks
from langchain_dataforseo._standard.journal import created_record
from langchain_dataforseo.visibility._answers import raw_task_of, result_cost
from langchain_dataforseo.visibility._plan import collect_batch, found_by_tag, round_wait
from langchain_dataforseo.visibility._run_context import (
    LEFT_UNSENT,
    STOPS_RUN,
    RunContext,
    record_failure,
    run_live_tasks,
    take_unsent,
)
from langchain_dataforseo.visibility._store import TaskRecord
from langchain_dataforseo.visibility._store_journal import StoreJournal


async def recover(
    ctx: RunContext, engine: str, model: ChatDataForSEO, tags: Sequence[str]
) -> set[str]:
    """Look the engine's tags in doubt up in ``tasks_ready`` (one shared look-up).

    Found tags get their handle (recorded in the store, then collected); the others
    are returned, still in doubt.
    """
    missing = set(tags)
    journal = StoreJournal(
        ctx.store, ctx.run_id, tags, owner=ctx.owner, lease_seconds=ctx.lease_seconds
    )
    deadline = time.monotonic() + ctx.recover_wait
    while missing and ctx.stop is None:
        try:
            pairs = await model.client.atasks_ready_tagged(engine)
        except STOPS_RUN as error:
            ctx.stop = error
            break
        except DataForSEOError:
            pairs = []
        found = found_by_tag(pairs, missing)
        if found:
            handles = [
                TaskHandle(id=task_id, engine=engine, tag=tag, model_name=model.model)
                for tag, task_id in found.items()
            ]
            journal.append(created_record(handles, recovered=True))
            ctx.open_handles[engine].update({str(h.tag): h for h in handles})
            missing -= set(found)
        if not missing or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(model.poll_interval, max(deadline - time.monotonic(), 0.0)))
    return missing


TASKS_PER_POST: Final = 100
"""Tasks in one ``task_post`` (the API's most)."""


async def post_standard(
    ctx: RunContext, engine: str, model: ChatDataForSEO, tasks: Sequence[TaskRecord]
) -> None:
    """Post each task never posted (journaled by tag); look tasks in doubt up by tag first."""
    gate = asyncio.Semaphore(ctx.concurrency)
    opened = ctx.open_handles[engine]
    doubt = [t.tag for t in tasks if t.intent_at is not None]
    missing = await recover(ctx, engine, model, doubt) if doubt else set()
    tasks = [t for t in tasks if t.intent_at is None or (t.tag in missing and ctx.repost_in_doubt)]

    async def post(chunk: Sequence[TaskRecord]) -> None:
        if ctx.stop is not None:
            return
        async with gate:
            if ctx.stop is not None:
                return
            chunk = take_unsent(ctx, chunk)
            if not chunk:
                return
            tags = [task.tag for task in chunk]
            journal = ctx.journal(chunk)
            try:  # one request for up to 100 tasks, each with its own tag
                items = await model.asubmit(
                    [task.prompt for task in chunk],
                    tags=tags,
                    journal=journal,
                    return_exceptions=True,
                    repost_in_doubt=ctx.repost_in_doubt,
                    recover_wait=0.0,
                )
            except LEFT_UNSENT:
                return  # refused before posting: stays unsent
            except STOPS_RUN as error:
                ctx.stop = error
                return
            for task, item in zip(chunk, items, strict=True):
                if isinstance(item, TaskHandle):
                    opened[task.tag] = item
                elif isinstance(item, (DataForSEOTaskInDoubtError, *LEFT_UNSENT)):
                    pass  # the journal keeps it in doubt, or it was never sent
                elif isinstance(item, STOPS_RUN):
                    ctx.stop = item
                elif isinstance(item, DataForSEOError) and outcome_unknown(item):
                    pass
                else:
                    record_failure(ctx, task.tag, item, created=False)
            ctx.report()

    size = ctx.tasks_per_post
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    try:
        await asyncio.gather(*(post(chunk) for chunk in chunks))
    finally:
        ctx.posting[engine].set()


IDLE_ROUNDS_BEFORE_SWEEP: Final = 10
"""Rounds in a row in which ``tasks_ready`` listed none of the open tasks before every
open task is fetched directly (``tasks_ready`` lists 1000 at a time, account-wide, and
never a task already fetched once, e.g. by a process that died before recording it)."""


async def collect_standard(ctx: RunContext, engine: str, model: ChatDataForSEO) -> None:
    """Collect the engine's open handles as ``tasks_ready`` lists them; record each round.

    Handles known when the run starts (posted by an earlier run, maybe fetched once
    already) are fetched directly first; after that only what ``tasks_ready`` lists is
    fetched, each with one ``task_get``, with a sweep of every open handle when
    ``tasks_ready`` has listed none of them for a while.
    """
    opened = ctx.open_handles[engine]
    posting = ctx.posting[engine]
    deadline: float | None = None
    callbacks = model.postback_url is not None or model.pingback_url is not None
    sweep = bool(opened)  # resumed tasks: they may no longer be listed
    idle = 0
    again: set[str] = set()
    while ctx.stop is None and ctx.collect:
        if posting.is_set() and deadline is None:
            deadline = time.monotonic() + ctx.max_wait
        if not opened:
            if posting.is_set():
                return
            await asyncio.sleep(min(model.poll_interval, 0.05))
            continue
        if deadline is not None and time.monotonic() >= deadline:
            return
        ready_ids: list[str] | None = None
        if not (sweep or callbacks):
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:  # a free GET, paced at one per 3 s: it may wait, never past the deadline
                ready_ids = await asyncio.wait_for(model.client.atasks_ready(engine), left)
            except STOPS_RUN as error:
                ctx.stop = error
                return
            except TimeoutError:
                return
            except DataForSEOError:
                ready_ids = []
        batch = collect_batch(opened, ready_ids, again)
        sweep = False
        if not batch:
            idle += 1
            sweep = idle >= IDLE_ROUNDS_BEFORE_SWEEP
            idle = 0 if sweep else idle
            await asyncio.sleep(model.poll_interval)
            continue
        idle = 0
        wait = round_wait(ctx.collect_round, len(batch), model.calls_per_minute)
        left = wait if deadline is None else deadline - time.monotonic()
        with keep_raw_tasks() as kept:
            results = await model.acollect(
                batch, return_exceptions=True, max_wait=max(min(wait, left), 0.1)
            )
        again = set()
        answers = []
        for handle, result in zip(batch, results, strict=True):
            tag = str(handle.tag)
            if isinstance(result, AIMessage):
                answers.append((tag, raw_task_of(result, tag, kept), result_cost(result)))
                opened.pop(tag, None)
            elif isinstance(result, DataForSEOTaskPendingError):
                if ready_ids is not None:  # listed as finished, so fetched maybe in vain
                    again.add(tag)
            elif isinstance(result, STOPS_RUN):
                ctx.stop = result
            else:
                record_failure(ctx, tag, result, created=True, kept=kept)
                opened.pop(tag, None)
        if answers:
            ctx.store.record_results(ctx.run_id, answers)
        ctx.report()
        if callbacks:
            await asyncio.sleep(model.poll_interval)


async def run_live(
    ctx: RunContext, engine: str, model: ChatDataForSEO, tasks: Sequence[TaskRecord]
) -> None:
    """Run each task Live (see :func:`run_live_tasks`) with the engine's chat model."""

    async def answer(task: TaskRecord, kept: Mapping[str, dict[str, Any]]) -> tuple[Any, Any]:
        message = await model.ainvoke(task.prompt, tag=task.tag)
        if not isinstance(message, AIMessage):  # pragma: no cover - ainvoke's contract
            msg = f"ainvoke returned {type(message).__name__}, not an AIMessage."
            raise TypeError(msg)
        return raw_task_of(message, task.tag, kept), result_cost(message)

    await run_live_tasks(ctx, tasks, answer)
