"""The API surface's drivers: LLM Responses tasks on the Standard queue, or Live.

Each task is built and checked by the pure request builder (:class:`EngineRun`). Standard
tasks are posted through the queue (``_standard.queue.apost`` with the run's
:class:`StoreJournal`: the intent recorded, under this driver's lease and the run's cap,
before each post), looked up by tag when in doubt (``arecover``) and collected with the
queue's own polling (``acollect``: ``tasks_ready``, then one ``task_get`` per listed
task). Live tasks go one per POST through the client within the engine's budget, each
intent recorded before the call. The store keeps the task objects the API sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any, Final

from langchain_dataforseo._cost_bounds import outcome_unknown
from langchain_dataforseo._envelope import as_dict, as_int, as_list
from langchain_dataforseo._live import alive_call
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.protocol import CollectState
from langchain_dataforseo._standard.queue import acollect, apost, arecover
from langchain_dataforseo.costs import record
from langchain_dataforseo.errors import DataForSEOError, DataForSEOTaskInDoubtError
from langchain_dataforseo.visibility._run_context import (
    LEFT_UNSENT,
    STOPS_RUN,
    EngineRun,
    RunContext,
    record_failure,
    run_live_tasks,
    take_unsent,
)
from langchain_dataforseo.visibility._store import TaskRecord
from langchain_dataforseo.visibility._store_journal import StoreJournal

TASKS_PER_POST: Final = 100
"""Tasks in one ``task_post`` (the API's most)."""


async def recover(ctx: RunContext, run: EngineRun, tags: Sequence[str]) -> set[str]:
    """Look the engine's tags in doubt up in ``tasks_ready`` (one shared look-up).

    Found tags get their handle (recorded in the store, then collected); the others
    are returned, still in doubt.
    """
    journal = StoreJournal(
        ctx.store, ctx.run_id, tags, owner=ctx.owner, lease_seconds=ctx.lease_seconds
    )
    found, recovery = await arecover(run.queue, tags, wait=ctx.recover_wait, journal=journal)
    if isinstance(recovery.error, STOPS_RUN):
        ctx.stop = recovery.error
    ctx.open_handles[run.engine].update({str(h.tag): h for h in found})
    return set(recovery.missing)


async def post_standard(ctx: RunContext, run: EngineRun, tasks: Sequence[TaskRecord]) -> None:
    """Post each task never posted (journaled by tag); look tasks in doubt up by tag first."""
    engine = run.engine
    gate = asyncio.Semaphore(ctx.concurrency)
    opened = ctx.open_handles[engine]
    doubt = [t.tag for t in tasks if t.intent_at is not None]
    missing = await recover(ctx, run, doubt) if doubt and ctx.stop is None else set()
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
            try:  # one request for up to 100 tasks, each with its own tag
                bodies = [run.task(task.prompt, task.tag) for task in chunk]
                items = await apost(
                    run.queue,
                    bodies,
                    ctx.journal(chunk),
                    repost_in_doubt=ctx.repost_in_doubt,
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


async def collect_standard(ctx: RunContext, run: EngineRun) -> None:
    """Collect the engine's open handles with the queue's polling; record each round.

    Each round (``collect_round`` seconds) is the queue's ``acollect``: ``tasks_ready``,
    then one ``task_get`` per listed task of ours. Handles known when the run starts
    (posted by an earlier run, maybe fetched once already, so no longer listed) are
    fetched directly in the first round; after that only a task whose GET failed is
    fetched directly again. No sweep of unfinished tasks: one ``task_get`` per task.
    """
    engine = run.engine
    opened = ctx.open_handles[engine]
    posting = ctx.posting[engine]
    state = CollectState()
    deadline: float | None = None
    first_sweep = bool(opened)  # resumed tasks: they may no longer be listed
    while ctx.stop is None and ctx.collect:
        if posting.is_set() and deadline is None:
            deadline = time.monotonic() + ctx.max_wait
        if not opened:
            if posting.is_set():
                return
            await asyncio.sleep(min(run.queue.poll_interval, 0.05))
            continue
        left = ctx.collect_round if deadline is None else deadline - time.monotonic()
        if left <= 0:
            return
        handles = list(opened.values())
        got = await acollect(
            run.queue,
            handles,
            max_wait=max(min(ctx.collect_round, left), 0.05),
            state=state,
            first_sweep=first_sweep,
        )
        first_sweep = False
        if isinstance(got.error, STOPS_RUN):
            ctx.stop = got.error
        tags = {h.id: str(h.tag) for h in handles}
        answers = []
        for task_id, task in got.done.items():
            tag = tags[task_id]
            answers.append((tag, task, got.costs[task_id]))
            opened.pop(tag, None)
        for task_id, error in got.failed.items():
            tag = tags[task_id]
            raw = got.failed_tasks.get(task_id)
            record_failure(ctx, tag, error, created=True, raw_task=raw)
            opened.pop(tag, None)
        if answers:
            ctx.store.record_results(ctx.run_id, answers)
        ctx.report()


def _usage(task: dict[str, Any]) -> dict[str, int]:
    """The token counts of a task's first result (0 where not given)."""
    result = as_dict((as_list(task.get("result")) or [{}])[0])
    return {
        name: as_int(result.get(name)) or 0
        for name in ("input_tokens", "output_tokens", "reasoning_tokens")
    }


async def run_live(ctx: RunContext, run: EngineRun, tasks: Sequence[TaskRecord]) -> None:
    """Run each task Live (see :func:`run_live_tasks`): one POST, within the engine's budget."""
    client = run.queue.client

    async def answer(task: TaskRecord) -> tuple[Any, Any]:
        body = run.task(task.prompt, task.tag)
        line = (run.engine, run.model)
        raw = await alive_call(
            run.budget,
            line,
            client.check_credentials,
            lambda: client.alive(run.engine, body),
            run.queue.reservation(body),
        )
        cost = float(raw["cost"])  # settled by alive_call: a believable cost
        task_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        record(run.engine, run.model, cost, **_usage(raw), task_id=task_id)
        return raw, cost

    await run_live_tasks(ctx, tasks, answer)
