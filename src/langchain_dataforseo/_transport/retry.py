"""When a failed call may be sent again, and the retry loop written once.

Retry policy: when a failed call may be sent again, and how long to wait. Pure.

Every live task and Standard ``task_post`` is charged, so a POST is sent again only when
the failure proves that the first one did not run, or that the API charged nothing for
it. The free GETs (``models``, ``tasks_ready``, ``task_get``) are sent again after any
transient failure. This table is the reference (``docs/errors.md``, "Retries never charge
twice", has the short form):

============================================  ======================================  ====  ===
failure                                       why it does (not) prove "nothing ran"   POST  GET
============================================  ======================================  ====  ===
connection refused, connect or pool timeout   the request never left this machine     yes   yes
40202 in the API's envelope (calls a minute)  the API's documented refusal, before    yes   yes
                                              running the call [D]
40209 in the API's envelope (simultaneous)    the API's refusal, before running it    yes   yes
5xxxx in the API's envelope with ``cost`` 0   the API's own ledger says nothing was   yes   yes
                                              charged for the call
5xxxx with a cost above 0, or none            the API may have charged it             no    yes
HTTP 429, 500, 502, 503, 504, no envelope     not the API's own answer: DataForSEO    no    yes
                                              answers 200 except 401, 402, 404, 500
                                              [D]; a gateway or proxy answers so,
                                              possibly after the API ran the task
read timeout, dropped connection, deadline    the request was sent: it may have run   no    yes
passed after the request was sent
unreadable answer with HTTP 200               the API ran the call                    no    yes
answer over ``max_response_bytes``            the API ran it; a retry is as large     no    no
401, 402, 404, other 4xxxx codes              the same request fails the same way     no    no
============================================  ======================================  ====  ===

Every retry also has to start before the call's deadline (see ``_transport.exchange``).

One protocol, two drivers: the retry loop is written once, as a generator.

:func:`exchange` is the sans-I/O core: it yields what to do (send this request, or
sleep this long) and receives what happened (a response or an httpx error). The sync
and async drivers only perform those steps, so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import httpx

from langchain_dataforseo._api.envelope import transport_error
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo._transport.pacing import CallPacer
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOResponseTooLargeError,
    DataForSEOTimeoutError,
)

_GET_TRANSIENT = (
    DataForSEOAPIError,
    DataForSEOConnectionError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)


def may_retry(error: DataForSEOError, *, idempotent: bool) -> bool:
    """Whether a failed call may be sent again (the table of this module).

    Args:
        error: The failure.
        idempotent: Whether the call is a free GET.

    Returns:
        True when sending it again cannot charge twice and may succeed.
    """
    if error.is_retryable:
        return True
    if not idempotent or isinstance(error, DataForSEOResponseTooLargeError):
        return False
    if error.status_code is not None and error.status_code < 50000:
        return error.status_code in (40202, 40209)  # 4xxxx codes fail the same way again
    return isinstance(error, _GET_TRANSIENT) and error.http_status not in (401, 402, 404)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        base_delay: Upper bound of the first wait, in seconds; doubles each retry.
        max_delay: Cap on any single wait, in seconds.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Return how long to wait before retry ``retry_number`` (1-based).

        Args:
            retry_number: 1 for the first retry, 2 for the second, ...
            rng: Random source (for reproducible tests).

        Returns:
            Seconds to sleep: uniform in ``[cap/2, cap]`` where
            ``cap = min(max_delay, base_delay * 2 ** (retry_number - 1))``.
        """
        cap = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        draw = rng.random() if rng is not None else random.random()  # noqa: S311 - jitter
        return cap / 2 + draw * cap / 2


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


# -- The deadline set around a group of calls (a collection's ``max_wait``) -----------------

_DEADLINE: ContextVar[float | None] = ContextVar("langchain_dataforseo_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(deadline: float | None) -> Iterator[None]:
    """Make ``deadline`` the latest one of the calls made in this thread or task.

    A scope inside another keeps the earlier of the two deadlines.

    Args:
        deadline: Absolute ``time.monotonic()`` seconds, or ``None`` for no new limit.

    Yields:
        Nothing; the deadline applies inside the ``with`` block.
    """
    outer = _DEADLINE.get()
    effective = deadline if outer is None else outer if deadline is None else min(outer, deadline)
    token = _DEADLINE.set(effective)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> float | None:
    """The deadline of the scope this code runs in, if any."""
    return _DEADLINE.get()
