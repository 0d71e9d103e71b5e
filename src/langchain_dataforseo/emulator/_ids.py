"""Deterministic UUID-shaped task ids.

Shape ``MMDDhhmm-CCCC-CCCC-K000-hhhhhhhhhhhh`` (as observed on the real API): the first group is
the UTC posting time, groups 2-3 an 8-digit per-emulator counter (so ids are unique), ``K`` is 0
for live/GET tasks and 1 for Standard tasks, and the last group is a hash of the counter, the
seed and the reset generation. Same clock + same call sequence => same ids.
"""

from __future__ import annotations

import hashlib
import time

__all__ = ["IdFactory"]


class IdFactory:
    """Issues task ids; not thread-safe on its own (the emulator holds its lock).

    Args:
        seed: Mixed into the hash part of every id.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counter = 0
        self._generation = 0

    def reset(self) -> None:
        """Restart the counter; later ids still differ from pre-reset ones (hash part)."""
        self._counter = 0
        self._generation += 1

    def next(self, now: float, *, standard: bool) -> str:
        """Return a new task id.

        Args:
            now: Epoch seconds for the time group.
            standard: ``True`` for task_post tasks (4th group ``1000``).

        Returns:
            The id.
        """
        self._counter += 1
        count = self._counter % 100_000_000
        stamp = time.strftime("%m%d%H%M", time.gmtime(now))
        material = f"{self._seed}:{self._generation}:{self._counter}".encode()
        tail = hashlib.sha256(material).hexdigest()[:12]
        kind = "1000" if standard else "0000"
        return f"{stamp}-{count // 10000:04d}-{count % 10000:04d}-{kind}-{tail}"
