"""What an emulator is told to be: its settings, the faults it injects, the limits it keeps.

Faults are seeded: every API call draws exactly four numbers (drop, HTTP 500, 40202,
malformed JSON) and every processed live/Standard task draws one more (task error), whatever
the configured rates, so the same seed and the same call sequence always yield the same
faults. Rate limits are sliding 60 s windows; live tasks have a per-engine concurrency cap.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ._brands import BrandCatalogue
from ._responses import MODELS_SHAPES

__all__ = [
    "IDLE_TIMEOUT",
    "MAX_BODY_BYTES",
    "REQUEST_TIMEOUT",
    "CallFaults",
    "ConcurrencyGate",
    "EmulatorConfig",
    "FaultInjector",
    "SlidingWindow",
]

MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body served (8 MiB); a larger one is refused with HTTP 413.

A real call is far smaller: 100 tasks of a few KB each is well under 1 MiB. A declared
``Content-Length`` over the limit is refused before a byte of the body is read; a chunked
body is counted as it is read and cut when it passes the limit.
"""

IDLE_TIMEOUT = 60.0
"""Seconds a keep-alive connection may wait without sending a request before it is closed.

Longer than the 5 s an httpx client keeps an idle connection, so a client always drops an idle
connection before the emulator does. Also bounds each wait for data inside a request.
"""

REQUEST_TIMEOUT = 30.0
"""Seconds from a request's first byte until its line, headers and body are all read.

Past it the connection is closed: a client trickling its headers or body cannot hold a
server thread forever.
"""


def _fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")


@dataclass(frozen=True)
class EmulatorConfig:
    """Settings of an :class:`Emulator`.

    Attributes:
        login: Accepted API login (HTTP Basic user name).
        password: Accepted API password.
        live_latency: Seconds added to every live task (the task stays "in flight" meanwhile and
            counts against ``live_concurrency_limit``).
        task_latency: Seconds after ``task_post`` before a Standard task completes.
        fault_task_error_50000: Fraction of processed live/Standard tasks failing with task-level
            50000 (cost 0, never charged).
        fault_task_error_50301: Fraction of processed live/Standard tasks failing with task-level
            50301 (cost 0, never charged).
        fault_rate_limit_40202: Fraction of API calls answered with 40202 (not charged).
        fault_http_500: Fraction of API calls answered with HTTP 500 and envelope 50000
            (not charged).
        fault_drop_connection: Fraction of API calls whose connection is dropped before the
            request is processed (not charged).
        fault_malformed_json: Fraction of API calls answered with truncated JSON (HTTP 200).
            Such calls ARE processed and charged; the ledger flags the charge with
            ``"response_corrupted": True``.
        seed: Seed of the fault-injection RNG (same seed + same call sequence = same faults).
        live_concurrency_limit: Simultaneous live tasks allowed per engine; one more gets 40209.
        calls_per_minute: Account-wide API calls allowed in any sliding 60 s window; past it 40202.
        tasks_ready_per_minute: ``tasks_ready`` calls allowed per sliding 60 s window.
        callback_timeout: Seconds allowed for a pingback/postback delivery.
        clock: Optional callable returning "now" in epoch seconds (defaults to ``time.time``).
        brand_catalogue: Brand truth for AI-visibility panels: when set, answers to the
            prompts it matches name and cite its brands at known rates (``BrandCatalogue``).
            ``None`` (default): answers are unchanged.
        max_body_bytes: Largest request body served (default :data:`MAX_BODY_BYTES`, 8 MiB);
            a larger one gets HTTP 413, unread (Content-Length) or cut (chunked).
        idle_timeout: Seconds an idle keep-alive connection is kept (default
            :data:`IDLE_TIMEOUT`, 60 s); also the longest wait for data inside a request.
        request_timeout: Seconds from a request's first byte until it is read whole (default
            :data:`REQUEST_TIMEOUT`, 30 s); past it the connection is closed.
        models_shape: The shape of the ``models`` answers: ``"documented"`` (default; as
            the October 2025 docs and the official client 2.1.10: no ``reasoning`` field,
            alias names such as ``gpt-4.1-mini`` and ``claude-3-7-sonnet-latest`` listed
            beside the dated names) or ``"reasoning"`` (dated names only, each with the
            ``reasoning`` flag of the current field description).
    """

    login: str = "emulator-login"
    password: str = field(default="emulator-password", repr=False)
    live_latency: float = 0.0
    task_latency: float = 0.0
    fault_task_error_50000: float = 0.0
    fault_task_error_50301: float = 0.0
    fault_rate_limit_40202: float = 0.0
    fault_http_500: float = 0.0
    fault_drop_connection: float = 0.0
    fault_malformed_json: float = 0.0
    seed: int = 0
    live_concurrency_limit: int = 30
    calls_per_minute: int = 2000
    tasks_ready_per_minute: int = 20
    callback_timeout: float = 10.0
    clock: Callable[[], float] | None = field(default=None, compare=False)
    brand_catalogue: BrandCatalogue | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    idle_timeout: float = IDLE_TIMEOUT
    request_timeout: float = REQUEST_TIMEOUT
    models_shape: str = "documented"

    def __post_init__(self) -> None:
        for name in (
            "fault_task_error_50000",
            "fault_task_error_50301",
            "fault_rate_limit_40202",
            "fault_http_500",
            "fault_drop_connection",
            "fault_malformed_json",
        ):
            _fraction(name, float(getattr(self, name)))
        if self.fault_task_error_50000 + self.fault_task_error_50301 > 1.0:
            raise ValueError("fault_task_error_50000 + fault_task_error_50301 must be <= 1")
        if self.live_latency < 0 or self.task_latency < 0 or self.callback_timeout <= 0:
            raise ValueError("latencies must be >= 0 and callback_timeout > 0")
        if self.live_concurrency_limit < 1 or self.calls_per_minute < 1:
            raise ValueError("limits must be >= 1")
        if self.tasks_ready_per_minute < 1:
            raise ValueError("tasks_ready_per_minute must be >= 1")
        if self.models_shape not in MODELS_SHAPES:
            raise ValueError(
                f"models_shape must be one of {MODELS_SHAPES}, got {self.models_shape!r}"
            )
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be >= 1, got {self.max_body_bytes!r}")
        for name in ("idle_timeout", "request_timeout"):
            value = float(getattr(self, name))
            if not value > 0 or value == float("inf"):
                raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")

    def now(self) -> float:
        """Return the current time in epoch seconds, from ``clock`` when given.

        Returns:
            The current time as a float number of seconds since the epoch.
        """
        return self.clock() if self.clock is not None else time.time()


# ---------------------------------------------- seeded fault injection


@dataclass(frozen=True)
class CallFaults:
    """Faults drawn for one API call.

    Attributes:
        drop_connection: Drop the connection before processing.
        http_500: Answer HTTP 500 + 50000.
        rate_limit: Answer 40202.
        malformed_json: Process, then truncate the JSON body.
    """

    drop_connection: bool = False
    http_500: bool = False
    rate_limit: bool = False
    malformed_json: bool = False


class FaultInjector:
    """Draws faults from a seeded RNG; callers serialise access (emulator lock).

    Args:
        config: The emulator configuration (rates and seed).
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._rng = random.Random(config.seed)

    def reset(self) -> None:
        """Restart the RNG from the seed."""
        self._rng = random.Random(self._config.seed)

    def draw_call(self) -> CallFaults:
        """Draw the call-level faults of one API call.

        Returns:
            The faults; at most one of drop/500/40202 is set (first wins).
        """
        c = self._config
        drop, err, limit, bad = (self._rng.random() for _ in range(4))
        is_drop = drop < c.fault_drop_connection
        is_500 = not is_drop and err < c.fault_http_500
        is_limit = not is_drop and not is_500 and limit < c.fault_rate_limit_40202
        return CallFaults(is_drop, is_500, is_limit, bad < c.fault_malformed_json)

    def draw_task(self) -> int | None:
        """Draw the task-level fault of one processed task.

        Returns:
            50000, 50301 or ``None``.
        """
        c = self._config
        value = self._rng.random()
        if value < c.fault_task_error_50000:
            return 50000
        if value < c.fault_task_error_50000 + c.fault_task_error_50301:
            return 50301
        return None


# ---------------------------------------------- rate limits and the live concurrency cap


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
