"""Drivers of the Standard method: posting in chunks and performing the collect steps.

The decisions live in ``_standard`` (pure); this module only performs their steps, once
blocking and once async (each through :func:`~langchain_dataforseo._transport.drive.drive` /
:func:`~langchain_dataforseo._transport.drive.adrive`): the calls and how they wait are all that
differs.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import repeat
from typing import Any, Final

from langchain_dataforseo._standard.context import ChunkCharge
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, TaskHandle
from langchain_dataforseo._standard.protocol import (
    AskReady,
    CollectState,
    CollectStep,
    chunks,
)
from langchain_dataforseo._standard.resume import AskReadyTags, ChunkLog, Recovery, chunk_results
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.errors import DataForSEOError

_FETCH_CONCURRENCY = 16


class _AtCollect:
    """No charge at ``task_post``: the submission reserved up front (LLM Responses)."""

    per_post = MAX_TASKS_PER_POST

    def before(self, engine: str, chunk: Sequence[dict[str, Any]]) -> float:
        """Nothing to reserve per chunk."""
        return 0.0

    def after(self, reserved: float, answer: Any) -> Any:
        """Nothing to settle per chunk."""
        return answer

    def released(self, reserved: float) -> None:
        """Nothing was reserved."""

    def interrupted(self, reserved: float) -> None:
        """The submission holds its tasks' reservations itself."""

    def task_error(self, engine: str, error: DataForSEOError) -> DataForSEOError:
        """A task's refusal as it came."""
        return error


_AT_COLLECT: Final = _AtCollect()


def _chunk_done(
    log: ChunkLog,
    engine: str,
    chunk: list[dict[str, Any]],
    answer: Any,
    first: int,
    charge: ChunkCharge,
    reserved: float,
) -> list[TaskHandle | DataForSEOError]:
    """The handles (or errors) of one posted chunk, settled and journaled once known."""
    answer = charge.after(reserved, answer)
    results = [
        charge.task_error(engine, item) if isinstance(item, DataForSEOError) else item
        for item in chunk_results(engine, chunk, answer, first)
    ]
    log.after(engine, chunk, results)
    return results


def _refused(
    log: ChunkLog, engine: str, chunk: list[dict[str, Any]], charge: ChunkCharge
) -> tuple[float, DataForSEOError | None]:
    """Reserve the chunk (a charged one) and journal its intent; a refusal releases it."""
    reserved = charge.before(engine, chunk)
    refusal = _journal_refusal(log, engine, chunk)
    if refusal is not None:
        charge.released(reserved)
    return reserved, refusal


def post_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
    charge: ChunkCharge | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of 100 (or ``charge.per_post``); one handle or error per task.

    Each chunk's tags are journaled before it is posted and its handles as soon as they
    come back (``log``). A chunk whose POST got no verdict (a timeout or dropped
    connection after sending, an unreadable answer) may exist and be charged: its tasks
    become :class:`DataForSEOTaskInDoubtError` and are not retried. A failed chunk never
    hides the handles of the others. With a ``charge`` (tasks paid at ``task_post``),
    each chunk is reserved just before it is sent and settled from its answer.
    """
    log = log or ChunkLog(None)
    paid = charge or _AT_COLLECT
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks, paid.per_post):
        reserved, refusal = _refused(log, engine, chunk, paid)
        if refusal is not None:
            out.extend([refusal] * len(chunk))
            continue
        try:
            answer = _caught(client.task_post, engine, chunk)
        except BaseException:  # interrupted: the chunk may have been posted and charged
            paid.interrupted(reserved)
            raise
        out.extend(_chunk_done(log, engine, chunk, answer, len(out), paid, reserved))
    return out


async def apost_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
    charge: ChunkCharge | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`post_all`; the chunks are posted concurrently.

    Chunks paid at ``task_post`` (a ``charge``) go one after another, each reserved
    just before it is sent: a budget that runs out stops the posting there.
    """
    chunk_log = log or ChunkLog(None)
    paid = charge or _AT_COLLECT
    parts = chunks(tasks, paid.per_post)
    starts = [sum(len(part) for part in parts[:i]) for i in range(len(parts))]

    async def post(chunk: list[dict[str, Any]], first: int) -> list[TaskHandle | DataForSEOError]:
        reserved, refusal = _refused(chunk_log, engine, chunk, paid)
        if refusal is not None:
            return [refusal] * len(chunk)
        try:
            answer = await _acaught(client.atask_post, engine, chunk)
        except BaseException:  # cancelled: the chunk may have been posted and charged
            paid.interrupted(reserved)
            raise
        return _chunk_done(chunk_log, engine, chunk, answer, first, paid, reserved)

    if charge is not None:
        done = [await post(c, f) for c, f in zip(parts, starts, strict=True)]
        return [result for part in done for result in part]
    answers = await asyncio.gather(*(post(c, f) for c, f in zip(parts, starts, strict=True)))
    return [result for part in answers for result in part]


def _journal_refusal(
    log: ChunkLog, engine: str, chunk: Sequence[dict[str, Any]]
) -> DataForSEOError | None:
    """Journal the chunk's intent; a journal's refusal (nothing is sent) as a value.

    A journal refuses a chunk by raising a ``DataForSEOError`` (the visibility store: its
    tasks are held by another driver, or the run's cap is reached): every task of the
    chunk then gets that error, refused before sending (its reservation is released).
    """
    try:
        log.before(engine, chunk)
    except DataForSEOError as refusal:
        return refusal
    return None


def _caught(call: Callable[..., Any], *args: Any) -> Any:
    """What a free or journaled call answered, or the API error it raised (as a value)."""
    try:
        return call(*args)
    except DataForSEOError as error:
        return error


async def _acaught(call: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Async :func:`_caught`."""
    try:
        return await call(*args)
    except DataForSEOError as error:
        return error


def recover_step(client: DataForSEOClient, step: AskReadyTags | Sleep) -> Any:
    """Perform one step of a look-up by tag (blocking); an API error is the answer."""
    if isinstance(step, Sleep):
        time.sleep(step.seconds)
        return None
    return _caught(client.tasks_ready_tagged, step.engine)


async def arecover_step(client: DataForSEOClient, step: AskReadyTags | Sleep) -> Any:
    """Async :func:`recover_step`."""
    if isinstance(step, Sleep):
        await asyncio.sleep(step.seconds)
        return None
    return await _acaught(client.atasks_ready_tagged, step.engine)


def drive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with blocking calls."""
    return drive(steps, partial(recover_step, client))


async def adrive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with async calls."""
    return await adrive(steps, partial(arecover_step, client))


def _collect_step(client: DataForSEOClient, pool: ThreadPoolExecutor, step: CollectStep) -> Any:
    if isinstance(step, Sleep):
        time.sleep(step.seconds)
        return None
    if isinstance(step, AskReady):  # a failure is an answer: collect_steps decides
        return _caught(client.tasks_ready, step.engine)
    contexts = [contextvars.copy_context() for _ in step.ids]  # each carries the deadline
    fetch = repeat(partial(_caught, client.task_get, step.engine))
    found = pool.map(contextvars.Context.run, contexts, fetch, step.ids)
    return dict(zip(step.ids, found, strict=True))


async def _acollect_step(
    client: DataForSEOClient, gate: asyncio.Semaphore, end: _ReadyEnd | None, step: CollectStep
) -> Any:
    if isinstance(step, Sleep):
        await asyncio.sleep(step.seconds)
        return None
    if isinstance(step, AskReady):
        if end is not None and not end.may_ask():
            return []  # its pacer would make it wait past the end: nothing listed
        return await _acaught(client.atasks_ready, step.engine)

    async def fetch_one(task_id: str) -> Any:
        async with gate:
            return await _acaught(client.atask_get, step.engine, task_id)

    found = await asyncio.gather(*(fetch_one(i) for i in step.ids))
    return dict(zip(step.ids, found, strict=True))


def drive_collect(
    client: DataForSEOClient, steps: Generator[CollectStep, Any, CollectState]
) -> CollectState:
    """Perform the collect protocol with blocking calls (``task_get`` in a thread pool)."""
    with ThreadPoolExecutor(max_workers=_FETCH_CONCURRENCY) as pool:
        return drive(steps, partial(_collect_step, client, pool))


class _ReadyEnd:
    """When a collection ends: a ``tasks_ready`` that its pacer would hold past it is skipped."""

    def __init__(self, end: float, interval: float) -> None:
        self.end = end
        self.interval = interval
        self.last: float | None = None

    def may_ask(self) -> bool:
        """Whether a ``tasks_ready`` now can go out before the end (its pacer's interval)."""
        now = time.monotonic()
        start = now if self.last is None else max(now, self.last + self.interval)
        if start > self.end:
            return False
        self.last = start
        return True


async def adrive_collect(
    client: DataForSEOClient,
    steps: Generator[CollectStep, Any, CollectState],
    end: float | None = None,
) -> CollectState:
    """Perform the collect protocol with async calls (``task_get`` gathered, gated).

    With an ``end`` (a ``time.monotonic`` time), a ``tasks_ready`` that its pacer (one
    call per 3 s) would hold past it is not made (the step answers an empty list).
    """
    gate = asyncio.Semaphore(_FETCH_CONCURRENCY * 2)
    ready_end = None
    if end is not None:
        pacer = client.tasks_ready_pacer
        ready_end = _ReadyEnd(end, pacer.window / pacer.limit)
    return await adrive(steps, partial(_acollect_step, client, gate, ready_end))
