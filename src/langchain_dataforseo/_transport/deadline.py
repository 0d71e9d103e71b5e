"""The deadline set around a group of calls (a collection's ``max_wait``).

Every call carries an absolute deadline (``time.monotonic()`` seconds) covering connect,
send, the whole body and the retries (``_transport.exchange``; ``_http`` keeps it). A
scope set here makes an earlier deadline apply to every call made inside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

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
