"""One deadline per call, enforced down to each socket operation of a blocking call.

httpx's timeouts are per operation: a server that sends one byte a second never trips a
read timeout, so a call could block for ever. Every call therefore carries an absolute
deadline (``time.monotonic()`` seconds) covering connect, send, the whole body and the
retries. Async calls enforce it with ``asyncio.timeout``. Blocking calls cannot be
cancelled from outside, so the package's pools get a network backend
(``_deadline_backend.DeadlineBackend``, loaded with httpcore on first use) that clips the
timeout of every connect, read and write to what is left before the deadline of the call
running in that thread (:data:`_DEADLINE`, a context variable): each socket operation, and
so the whole exchange, ends by the deadline.

A client you give (``http_client``) keeps its own backend; its calls are checked against
the deadline between the chunks of the body and get per-request timeouts no longer than
what is left, so a server dripping the status line and headers can hold them past the
deadline by up to one read timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("langchain_dataforseo_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(deadline: float | None) -> Iterator[None]:
    """Make ``deadline`` the one the socket operations of this thread or task obey.

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


def clip(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout of one socket operation, cut to what is left before the deadline.

    Args:
        timeout: The operation's own timeout (``None``: none).
        error: The httpcore timeout to raise when the deadline has passed.

    Returns:
        The smaller of ``timeout`` and the seconds left.

    Raises:
        Exception: ``error`` when no time is left.
    """
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        msg = "the call's deadline has passed"
        raise error(msg)
    return left if timeout is None else min(timeout, left)
