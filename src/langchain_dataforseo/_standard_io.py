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
from langchain_dataforseo._standard import (
    AskReady,
    CollectState,
    CollectStep,
    Fetch,
    TaskHandle,
    chunks,
    posted_handles,
)
from langchain_dataforseo._transport import Sleep
from langchain_dataforseo.errors import DataForSEOError

_FETCH_CONCURRENCY = 16


def post_all(
    client: DataForSEOClient, engine: str, tasks: Sequence[dict[str, Any]]
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of 100; one handle or error per task, in order.

    A chunk whose POST failed gets its error for each of its tasks. If that failure came
    after the request was sent (a timeout), the tasks may exist and be charged; the error
    says so, and is not retried.
    """
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks):
        try:
            answered = client.task_post(engine, chunk)
        except DataForSEOError as error:
            out.extend([error] * len(chunk))
            continue
        out.extend(posted_handles(engine, chunk, answered, len(out)))
    return out


async def apost_all(
    client: DataForSEOClient, engine: str, tasks: Sequence[dict[str, Any]]
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`post_all`; the chunks are posted concurrently."""
    parts = chunks(tasks)

    async def post(chunk: list[dict[str, Any]]) -> list[Any] | DataForSEOError:
        try:
            return await client.atask_post(engine, chunk)
        except DataForSEOError as error:
            return error

    answers = await asyncio.gather(*(post(chunk) for chunk in parts))
    out: list[TaskHandle | DataForSEOError] = []
    for chunk, answered in zip(parts, answers, strict=True):
        if isinstance(answered, DataForSEOError):
            out.extend([answered] * len(chunk))
        else:
            out.extend(posted_handles(engine, chunk, answered, len(out)))
    return out


def _ready_or_error(error: DataForSEOError) -> list[str] | DataForSEOError:
    """A transient failure of a free GET: the next round asks again; else stop."""
    return [] if error.is_retryable else error


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
                        answer = _ready_or_error(error)
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
                    answer = _ready_or_error(error)
            elif isinstance(step, Fetch):
                found = await asyncio.gather(*(fetch_one(step.engine, i) for i in step.ids))
                answer = dict(zip(step.ids, found, strict=True))
            step = steps.send(answer)
    except StopIteration as stop:
        state: CollectState = stop.value
        return state
