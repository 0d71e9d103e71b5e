"""Seeded fault injection.

Every API call draws exactly four numbers (drop, HTTP 500, 40202, malformed JSON) and every
processed live/Standard task draws one more (task error), whatever the configured rates, so
the same seed and the same call sequence always yield the same faults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._config import EmulatorConfig

__all__ = ["CallFaults", "FaultInjector"]


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
