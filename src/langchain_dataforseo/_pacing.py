"""Client-side pacing so that a model never provokes the API's own limits.

``CallPacer`` is a sliding-window limiter that hands out send times: at most ``limit``
calls in any ``window`` seconds. It only computes how long to wait; the transport
drivers do the waiting (``time.sleep`` or ``asyncio.sleep``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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
