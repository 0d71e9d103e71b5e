"""Rate limits (sliding 60 s windows) and the per-engine live concurrency cap."""

from __future__ import annotations

from collections import deque

__all__ = ["ConcurrencyGate", "SlidingWindow"]


class SlidingWindow:
    """Counts events in the last ``span`` seconds; callers serialise access.

    Args:
        limit: Events allowed inside the window.
        span: Window length in seconds.
    """

    def __init__(self, limit: int, span: float = 60.0) -> None:
        self.limit = limit
        self.span = span
        self._events: deque[float] = deque()

    def reset(self) -> None:
        """Forget every event."""
        self._events.clear()

    def admit(self, now: float) -> bool:
        """Record an event if the window has room.

        Args:
            now: Current epoch seconds.

        Returns:
            ``True`` if admitted (and recorded), ``False`` if the limit is reached
            (rejected events are not recorded).
        """
        while self._events and self._events[0] <= now - self.span:
            self._events.popleft()
        if len(self._events) >= self.limit:
            return False
        self._events.append(now)
        return True


class ConcurrencyGate:
    """In-flight live tasks per engine; callers serialise access.

    Args:
        limit: Simultaneous tasks allowed per engine.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    def reset(self) -> None:
        """Forget the peaks (in-flight tasks keep their slots until released)."""
        self.peak = {engine: count for engine, count in self.in_flight.items() if count}

    def acquire(self, engine: str) -> bool:
        """Take a slot.

        Args:
            engine: The engine.

        Returns:
            ``True`` if a slot was free and taken.
        """
        current = self.in_flight.get(engine, 0)
        if current >= self.limit:
            return False
        self.in_flight[engine] = current + 1
        self.peak[engine] = max(self.peak.get(engine, 0), current + 1)
        return True

    def release(self, engine: str) -> None:
        """Give a slot back.

        Args:
            engine: The engine.
        """
        self.in_flight[engine] = max(0, self.in_flight.get(engine, 0) - 1)
