"""One protocol, two drivers: the retry loop is written once, as a generator.

:func:`exchange` is the sans-I/O core: it yields what to do (send this request, or
sleep this long) and receives what happened (a response or an httpx error). The sync
and async drivers only perform those steps, so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import httpx

from langchain_dataforseo._deadline import current_deadline
from langchain_dataforseo._drive import adrive, drive
from langchain_dataforseo._envelope import transport_error
from langchain_dataforseo._pacing import CallPacer
from langchain_dataforseo._retry import RetryPolicy, may_retry
from langchain_dataforseo.errors import DataForSEOError

T = TypeVar("T")


@dataclass(slots=True)
class ApiCall:
    """One HTTP exchange with the API.

    Attributes:
        method: ``GET`` or ``POST``.
        url: Absolute URL, parsed.
        body: JSON bytes for a POST, ``None`` for a GET.
        idempotent: True for free GETs, which are safe to retry after any failure.
        where: What is being done, for error messages (``"live task"``).
        timeout: Seconds the whole call may take, from its first send: connect, send,
            the whole body and every retry (``None``: no deadline).
        deadline: Absolute ``time.monotonic()`` seconds by which the attempt must end;
            set by :func:`exchange` on each attempt it yields.
    """

    method: str
    url: httpx.URL
    body: bytes | None
    idempotent: bool
    where: str
    timeout: float | None = None
    deadline: float | None = None


@dataclass(frozen=True)
class Sleep:
    """Wait before the next attempt."""

    seconds: float


Step = ApiCall | Sleep
Outcome = httpx.Response | httpx.HTTPError | None


def exchange(
    call: ApiCall,
    parse: Callable[[httpx.Response], T],
    policy: RetryPolicy,
    pacers: Sequence[CallPacer] = (),
    clock: Callable[[], float] = time.monotonic,
) -> Generator[Step, Outcome, T]:
    """Drive one API call with retries; yields steps, returns the parsed value.

    The call's deadline starts at its first send (waiting for a pacer slot before it
    does not count) and covers every attempt and every wait between them: a retry that
    could not start before it is not made, and the last error is raised instead. A
    deadline set around the call (``_deadline.deadline_scope``) wins when earlier.

    Args:
        call: The request to make.
        parse: Turns a response into the value, raising typed errors.
        policy: How often and how long to retry.
        pacers: Client-side limiters; every attempt waits for a slot in each.
        clock: Monotonic clock (for tests).

    Returns:
        What ``parse`` returned for the first successful attempt.

    Raises:
        DataForSEOError: The last error, when it is not retryable, retries ran out or the
            deadline leaves no time for another attempt.
    """
    retries = 0
    deadline: float | None = None
    last_error: DataForSEOError | None = None
    while True:
        for pacer in pacers:
            wait = pacer.reserve()
            if wait > 0:
                if last_error is not None and deadline is not None and clock() + wait >= deadline:
                    raise last_error
                yield Sleep(wait)
        if deadline is None:
            outer = current_deadline()
            own = None if call.timeout is None else clock() + call.timeout
            deadline = own if outer is None else outer if own is None else min(own, outer)
        outcome = yield dataclasses.replace(call, deadline=deadline)
        try:
            if isinstance(outcome, httpx.HTTPError):
                raise transport_error(outcome, idempotent=call.idempotent, where=call.where)
            if outcome is None:  # pragma: no cover - drivers always send an outcome
                msg = "transport driver sent no outcome"
                raise RuntimeError(msg)
            return parse(outcome)
        except DataForSEOError as error:
            if not may_retry(error, idempotent=call.idempotent) or retries >= policy.max_retries:
                raise
            retries += 1
            delay = policy.delay(retries)
            if deadline is not None and clock() + delay >= deadline:
                raise
            last_error = error
            yield Sleep(delay)


SendSync = Callable[[ApiCall, str], httpx.Response]
"""Sends one call with the given ``Authorization`` value (see ``_http``)."""

SendAsync = Callable[[ApiCall, str], Awaitable[httpx.Response]]
"""Async twin of :data:`SendSync`."""


def _perform(send: SendSync, auth: str, step: Step) -> Outcome:
    if isinstance(step, Sleep):
        time.sleep(step.seconds)
        return None
    try:
        return send(step, auth)
    except httpx.HTTPError as exc:  # an outcome: exchange() decides, retry or raise
        return exc


async def _aperform(send: SendAsync, auth: str, step: Step) -> Outcome:
    if isinstance(step, Sleep):
        await asyncio.sleep(step.seconds)
        return None
    try:
        return await send(step, auth)
    except httpx.HTTPError as exc:
        return exc


def run_sync(send: SendSync, auth: str, steps: Generator[Step, Outcome, T]) -> T:
    """Perform the steps of :func:`exchange`, blocking.

    Args:
        send: Sends one call and returns its response.
        auth: The ``Authorization`` header value.
        steps: The protocol generator.

    Returns:
        The protocol's return value.
    """
    return drive(steps, partial(_perform, send, auth))


async def run_async(send: SendAsync, auth: str, steps: Generator[Step, Outcome, T]) -> T:
    """Perform the steps of :func:`exchange` in the running event loop.

    Args:
        send: Sends one call and returns its response.
        auth: The ``Authorization`` header value.
        steps: The protocol generator.

    Returns:
        The protocol's return value.
    """
    return await adrive(steps, partial(_aperform, send, auth))
