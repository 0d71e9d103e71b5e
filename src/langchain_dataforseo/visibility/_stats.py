"""Proportions with Wilson score intervals, and the two-proportion z-test. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

Z95: Final = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


@dataclass(frozen=True)
class Rate:
    """A proportion ``successes / n`` with its Wilson score interval at 95%.

    Attributes:
        successes: The numerator.
        n: The denominator (answers in the slice that the definition counts).
        value: ``successes / n``, or ``None`` when ``n`` is 0 (undefined, never 0).
        low: Lower bound of the 95% Wilson interval (``None`` when undefined).
        high: Upper bound of the 95% Wilson interval (``None`` when undefined).
    """

    successes: int
    n: int
    value: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        """The rate as a plain dict (for JSON)."""
        return {
            "successes": self.successes,
            "n": self.n,
            "value": self.value,
            "low": self.low,
            "high": self.high,
        }


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    It stays inside [0, 1] and behaves at 0 and at n successes and for small ``n``,
    where the normal approximation does not.

    Args:
        successes: Count of successes, ``0 <= successes <= n``.
        n: Number of trials, ``n >= 1``.
        z: Normal quantile (1.96 for 95%).

    Returns:
        ``(low, high)``.

    Raises:
        ValueError: When ``n < 1`` or ``successes`` is outside ``[0, n]``.
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"wilson needs 0 <= successes <= n and n >= 1, got {successes}/{n}")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def rate(successes: int, n: int) -> Rate:
    """Build a :class:`Rate`; undefined (``value=None``) when ``n`` is 0.

    Args:
        successes: The numerator.
        n: The denominator.

    Returns:
        The rate with its 95% Wilson interval.
    """
    if n == 0:
        return Rate(successes, 0, None, None, None)
    low, high = wilson(successes, n)
    return Rate(successes, n, successes / n, low, high)


@dataclass(frozen=True)
class Change:
    """The change of one rate between two runs.

    Attributes:
        a: The rate in the first run.
        b: The rate in the second run.
        delta: ``b.value - a.value`` (``None`` when either is undefined).
        z: The two-proportion z statistic (pooled), ``None`` when undefined.
        p_value: Its two-sided p-value, ``None`` when undefined.
        significant: Whether the change is significant under ``rule``.
        rule: ``"two-proportion z-test, pooled, two-sided, alpha=0.05"`` or
            ``"non-overlapping 95% Wilson intervals"``.
    """

    a: Rate
    b: Rate
    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool
    rule: str


Z_TEST_RULE: Final = "two-proportion z-test, pooled, two-sided, alpha=0.05"
OVERLAP_RULE: Final = "non-overlapping 95% Wilson intervals"


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float] | None:
    """Pooled two-proportion z-test of ``x1/n1`` against ``x2/n2``.

    ``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled
    ``p = (x1 + x2) / (n1 + n2)``; the p-value is two-sided.

    Args:
        x1: Successes in the first sample.
        n1: Size of the first sample.
        x2: Successes in the second sample.
        n2: Size of the second sample.

    Returns:
        ``(z, p_value)``, or ``None`` when a sample is empty. When both proportions are
        0 or both 1 (no variance) the result is ``(0.0, 1.0)``.
    """
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def compare_rates(a: Rate, b: Rate, rule: str = Z_TEST_RULE) -> Change:
    """Compare two rates under one significance rule.

    Args:
        a: The earlier rate.
        b: The later rate.
        rule: :data:`Z_TEST_RULE` (default) or :data:`OVERLAP_RULE` (stricter).

    Returns:
        The change.

    Raises:
        ValueError: For an unknown rule.
    """
    if rule not in (Z_TEST_RULE, OVERLAP_RULE):
        raise ValueError(f"rule must be {Z_TEST_RULE!r} or {OVERLAP_RULE!r}, got {rule!r}")
    test = two_proportion_z(a.successes, a.n, b.successes, b.n)
    if a.value is None or b.value is None or test is None:
        return Change(a, b, None, None, None, False, rule)
    z, p_value = test
    if rule == Z_TEST_RULE:
        significant = p_value < 0.05
    else:
        a_low, a_high = a.low or 0.0, a.high or 0.0  # defined when value is
        b_low, b_high = b.low or 0.0, b.high or 0.0
        significant = a_high < b_low or b_high < a_low
    return Change(a, b, b.value - a.value, z, p_value, significant, rule)
