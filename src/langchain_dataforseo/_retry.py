"""Retry policy: how many times, how long to wait. Pure."""

from __future__ import annotations

import random
from dataclasses import dataclass


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
