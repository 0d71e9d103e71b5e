"""Drivers of the Standard method: posting in chunks and performing the collect steps.

The decisions live in ``_standard`` (pure); this module only performs them, once
blocking and once async, with the same step-by-step structure.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import repeat
from typing import Any

from langchain_dataforseo._client import DataForSEOClient
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.protocol import (
    AskReady,
    CollectState,
    CollectStep,
    Fetch,
    chunks,
)
from langchain_dataforseo._standard.resume import AskReadyTags, ChunkLog, Recovery, chunk_results
from langchain_dataforseo._transport import Sleep
from langchain_dataforseo.errors import DataForSEOError

_FETCH_CONCURRENCY = 16


def post_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of 100; one handle or error per task, in order.

    Each chunk's tags are journaled before it is posted and its handles as soon as they
    come back (``log``). A chunk whose POST got no verdict (a timeout or dropped
    connection after sending, an unreadable answer) may exist and be charged: its tasks
    become :class:`DataForSEOTaskInDoubtError` and are not retried. A failed chunk never
    hides the handles of the others.
    """
    log = log or ChunkLog(None)
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks):
        log.before(engine, chunk)
        answer: list[Any] | DataForSEOError
        try:
            answer = client.task_post(engine, chunk)
        except DataForSEOError as error:
            answer = error
        results = chunk_results(engine, chunk, answer, len(out))
        log.after(engine, chunk, results)
        out.extend(results)
    return out


async def apost_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`post_all`; the chunks are posted concurrently."""
    chunk_log = log or ChunkLog(None)
    parts = chunks(tasks)
    starts = [sum(len(part) for part in parts[:i]) for i in range(len(parts))]

    async def post(chunk: list[dict[str, Any]], first: int) -> list[TaskHandle | DataForSEOError]:
        chunk_log.before(engine, chunk)
        answer: list[Any] | DataForSEOError
        try:
            answer = await client.atask_post(engine, chunk)
        except DataForSEOError as error:
            answer = error
        results = chunk_results(engine, chunk, answer, first)
        chunk_log.after(engine, chunk, results)
        return results

    answers = await asyncio.gather(*(post(c, f) for c, f in zip(parts, starts, strict=True)))
    return [result for part in answers for result in part]


def drive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with blocking calls."""
    try:
        step = next(steps)
        while True:
            answer: Any = None
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
            else:
                try:
                    answer = client.tasks_ready_tagged(step.engine)
                except DataForSEOError as error:
                    answer = error
            step = steps.send(answer)
    except StopIteration as stop:
        recovery: Recovery = stop.value
        return recovery


async def adrive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with async calls."""
    try:
        step = next(steps)
        while True:
            answer: Any = None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            else:
                try:
                    answer = await client.atasks_ready_tagged(step.engine)
                except DataForSEOError as error:
                    answer = error
            step = steps.send(answer)
    except StopIteration as stop:
        recovery: Recovery = stop.value
        return recovery


def drive_collect(
    client: DataForSEOClient, steps: Generator[CollectStep, Any, CollectState]
) -> CollectState:
    """Perform the collect protocol with blocking calls."""

    def fetch_one(engine: str, task_id: str) -> Any:
        try:
            return client.task_get(engine, task_id)
        except DataForSEOError as error:
            return error

    try:
        step = next(steps)
        with ThreadPoolExecutor(max_workers=_FETCH_CONCURRENCY) as pool:
            while True:
                answer: Any = None
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                elif isinstance(step, AskReady):
                    try:
                        answer = client.tasks_ready(step.engine)
                    except DataForSEOError as error:
                        answer = error  # collect_steps decides: ask again, or stop
                elif isinstance(step, Fetch):
                    contexts = [contextvars.copy_context() for _ in step.ids]  # the deadline
                    fetch = repeat(partial(fetch_one, step.engine))
                    found = pool.map(contextvars.Context.run, contexts, fetch, step.ids)
                    answer = dict(zip(step.ids, found, strict=True))
                step = steps.send(answer)
    except StopIteration as stop:
        state: CollectState = stop.value
        return state


async def adrive_collect(
    client: DataForSEOClient, steps: Generator[CollectStep, Any, CollectState]
) -> CollectState:
    """Perform the collect protocol with async calls."""
    gate = asyncio.Semaphore(_FETCH_CONCURRENCY * 2)

    async def fetch_one(engine: str, task_id: str) -> Any:
        async with gate:
            try:
                return await client.atask_get(engine, task_id)
            except DataForSEOError as error:
                return error

    try:
        step = next(steps)
        while True:
            answer: Any = None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, AskReady):
                try:
                    answer = await client.atasks_ready(step.engine)
                except DataForSEOError as error:
                    answer = error  # collect_steps decides: ask again, or stop
            elif isinstance(step, Fetch):
                found = await asyncio.gather(*(fetch_one(step.engine, i) for i in step.ids))
                answer = dict(zip(step.ids, found, strict=True))
            step = steps.send(answer)
    except StopIteration as stop:
        state: CollectState = stop.value
        return state
