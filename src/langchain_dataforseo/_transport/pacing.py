"""Client-side pacing so that a model never provokes the API's own limits.

``CallPacer`` is a sliding-window limiter that hands out send times: at most ``limit``
calls in any ``window`` seconds. It only computes how long to wait; the transport
drivers do the waiting (``time.sleep`` or ``asyncio.sleep``). ``SlotGate`` caps the calls
in flight (live tasks per engine), shared by threads and event loops alike.

One of each exists per account (see ``_pools``), whichever model or toolkit calls.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Final

PACER_MARGIN: Final = 0.05
"""Share of the calls-a-minute limit kept unused: the API counts arrivals, not sends."""
PACER_WINDOW_SLACK_SECONDS: Final = 1.0
"""Added to the 60 s window, for the same reason."""


def paced_limit(calls_per_minute: int) -> int:
    """Calls the pacer lets through in a window for a calls-a-minute limit.

    Sends spaced exactly at the limit can arrive bunched (latency varies), and the API
    then answers 40202: the pacer keeps 5% below the limit (at least one call).

    Args:
        calls_per_minute: The limit (the API's: 2000).

    Returns:
        ``floor(calls_per_minute * 0.95)``, at least 1 (1900 for 2000).
    """
    return max(1, int(calls_per_minute * (1.0 - PACER_MARGIN)))


def paced_interval(seconds: float) -> float:
    """Seconds the pacer keeps between calls limited to one every ``seconds``.

    The same 5% margin as :func:`paced_limit`, for the same reason (the API counts
    arrivals): ``tasks_ready``'s 20 a minute (one every 3 s) is paced at 19 a minute.

    Args:
        seconds: The API's interval (3 s for ``tasks_ready``).

    Returns:
        ``seconds / 0.95`` (3.158 s for 3 s).
    """
    return seconds / (1.0 - PACER_MARGIN)


class CallPacer:
    """At most ``limit`` calls in any ``window`` seconds; thread-safe.

    Args:
        limit: Calls allowed per window.
        window: Window length in seconds.
        clock: Monotonic clock (for tests).
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            msg = f"CallPacer needs limit >= 1 and window > 0, got {limit} and {window}"
            raise ValueError(msg)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next send slot.

        Returns:
            Seconds to wait before sending (0 when a slot is free now).
        """
        with self._lock:
            now = self._clock()
            while self._slots and self._slots[0] <= now - self.window:
                self._slots.popleft()
            if len(self._slots) < self.limit:
                slot = now
            else:
                slot = max(now, self._slots[-self.limit] + self.window)
            self._slots.append(slot)
            return slot - now

    def lower_to(self, limit: int) -> None:
        """Lower the limit (never raise it): the lowest limit asked for an account wins.

        Args:
            limit: The new limit, if lower.
        """
        with self._lock:
            self.limit = max(1, min(self.limit, limit))


class _Waiter:
    __slots__ = ("granted", "wake")

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake
        self.granted = False


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class SlotGate:
    """At most ``limit`` holders at once, across threads and event loops; first come first served.

    Use ``with gate:`` in blocking code and ``async with gate:`` in async code.

    Args:
        limit: Holders allowed at once.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            msg = f"SlotGate needs limit >= 1, got {limit}"
            raise ValueError(msg)
        self.limit = limit
        self.in_use = 0
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()

    def lower_to(self, limit: int) -> None:
        """Lower the limit (never raise it); holders above it finish first."""
        with self._lock:
            self.limit = max(1, min(self.limit, limit))

    def _take(self) -> bool:
        if self.in_use < self.limit and not self._waiters:
            self.in_use += 1
            return True
        return False

    def acquire(self) -> None:
        """Wait for a slot, blocking."""
        event = threading.Event()
        with self._lock:
            if self._take():
                return
            self._waiters.append(_Waiter(event.set))
        event.wait()

    async def aacquire(self) -> None:
        """Wait for a slot without blocking the event loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(_resolve, future)

        waiter = _Waiter(wake)
        with self._lock:
            if self._take():
                return
            self._waiters.append(waiter)
        try:
            await future
        except BaseException:
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
            if granted:
                self.release()
            raise

    def release(self) -> None:
        """Give the slot back (to the first waiter, if any)."""
        while True:
            with self._lock:
                self.in_use -= 1
                if not self._waiters or self.in_use >= self.limit:
                    return
                waiter = self._waiters.popleft()
                waiter.granted = True
                self.in_use += 1
            try:
                waiter.wake()
            except RuntimeError:  # its event loop has closed: pass the slot on
                continue
            return

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()

    async def __aenter__(self) -> None:
        await self.aacquire()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
