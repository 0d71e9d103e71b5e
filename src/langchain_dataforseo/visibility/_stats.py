"""Proportions with two 95% intervals, and the two-proportion z-test. Pure.

Two intervals, named for the question they answer (``docs/metrics.md``):

- ``low`` / ``high``, answer level, "these prompts, as asked": the Wilson score interval
  over the answers as if they were independent.
- ``prompt_low`` / ``prompt_high``, prompt level, "prompts like these": answers are
  clustered by prompt. The ratio estimator ``sum successes / sum answers`` over the prompts
  gets a cluster-robust variance with the CR2 small-sample correction (each prompt's
  squared residual divided by ``1 - n_g / N``) and a Student t quantile on
  ``prompts - 1`` degrees of freedom (Bell-McCaffrey's degrees of freedom for an equal
  number of answers per prompt). It is clipped to [0, 1] and never narrower than the
  Wilson interval: the question is broader, and when every prompt gives the same 0% or
  100% the spread between prompts is 0 but the uncertainty is not. ``None`` with fewer
  than 2 prompts (no spread between prompts to measure). Deterministic, no random numbers:
  a cluster bootstrap would need a seed, thousands of resamples per number, and with 12
  prompts it has few distinct resamples and under-covers.

``answers_needed``: how many answers a period needs to see a move. Pure.

Two-sided two-proportion z-test (pooled under the null, as ``compare_runs`` and ``trend``
test), normal approximation, equal ``n`` per period, no continuity correction::

    p_bar = (p_from + p_to) / 2
    n = ceil( (z_{1-alpha/2} * sqrt(2 p_bar (1 - p_bar))
               + z_{power} * sqrt(p_from (1 - p_from) + p_to (1 - p_to)))^2
              / (p_to - p_from)^2 )

``answers_needed(0.5, 0.6)`` is 388. The common shortcut with the unpooled variance under
the null, ``(z_{1-alpha/2} + z_{power})^2 (p_from q_from + p_to q_to) / (p_to - p_from)^2``,
gives 385 (the figure usually quoted); this module uses the pooled form because it is the
test the package runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Final

from langchain_dataforseo.errors import DataForSEOInputError

Z95: Final = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


@dataclass(frozen=True)
class Rate:
    """A proportion ``successes / n`` with its two 95% intervals.

    Attributes:
        successes: The numerator.
        n: The denominator (answers in the slice that the definition counts).
        value: ``successes / n``, or ``None`` when ``n`` is 0 (undefined, never 0).
        low: Lower bound of the 95% Wilson interval, answer level: "these prompts, as
            asked" (``None`` when undefined).
        high: Upper bound of the 95% Wilson interval (``None`` when undefined).
        prompt_low: Lower bound of the 95% prompt-level interval, "prompts like these"
            (answers clustered by prompt; :func:`prompt_interval`). ``None`` when undefined
            or with fewer than 2 prompts in the slice.
        prompt_high: Its upper bound (``None`` likewise).
    """

    successes: int
    n: int
    value: float | None
    low: float | None
    high: float | None
    prompt_low: float | None = None
    prompt_high: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        """The rate as a plain dict (for JSON)."""
        return {
            "successes": self.successes,
            "n": self.n,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "prompt_low": self.prompt_low,
            "prompt_high": self.prompt_high,
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


def _t_two_sided_mass(t: float, df: int) -> float:
    """``P(|T| <= t)`` for Student's t with integer ``df`` (Abramowitz-Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2 == 1:
        total, term = 0.0, 1.0
        if df > 1:
            total = 1.0
            for k in range(3, df, 2):
                term *= c2 * (k - 1) / k
                total += term
            total *= math.sin(theta) * math.cos(theta)
        return 2 / math.pi * (theta + total)
    total, term = 1.0, 1.0
    for k in range(2, df - 1, 2):
        term *= c2 * (k - 1) / k
        total += term
    return math.sin(theta) * total


@lru_cache(maxsize=256)
def t_quantile(df: int, confidence: float = 0.95) -> float:
    """The two-sided Student t quantile: ``t`` with ``P(|T| <= t) = confidence``.

    Exact series for integer degrees of freedom, solved by bisection (to 1e-12);
    above 1000 degrees of freedom the normal quantile (they differ by < 0.002).

    Args:
        df: Degrees of freedom, ``df >= 1``.
        confidence: The interval's coverage, in (0, 1).

    Returns:
        The quantile (12.706 for ``df=1``, 2.201 for ``df=11``).

    Raises:
        ValueError: When ``df < 1`` or ``confidence`` is outside (0, 1).
    """
    if df < 1 or not 0 < confidence < 1:
        raise ValueError(f"t_quantile needs df >= 1 and 0 < confidence < 1, got {df}, {confidence}")
    if df > 1000 and confidence == 0.95:
        return Z95
    low, high = 0.0, 1.0
    while _t_two_sided_mass(high, df) < confidence:
        high *= 2
    while high - low > 1e-12:
        mid = (low + high) / 2
        if _t_two_sided_mass(mid, df) < confidence:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def prompt_interval(clusters: Iterable[tuple[int, int]]) -> tuple[float, float] | None:
    """The prompt-level 95% interval of ``sum successes / sum n`` over prompts.

    Cluster-robust (CR2) variance of the ratio estimator ``p = S / N``:
    ``V = sum_g (s_g - p n_g)^2 / (1 - n_g / N) / N^2``, half-width
    ``t_{G-1} * sqrt(V)`` (``G`` prompts with ``n_g > 0``), clipped to [0, 1] and widened
    to contain the answer-level Wilson interval.

    Args:
        clusters: Per prompt ``(successes, n)``; prompts with ``n = 0`` do not count.

    Returns:
        ``(low, high)``, or ``None`` with fewer than 2 prompts having ``n > 0``.

    Raises:
        ValueError: When a prompt has ``successes`` outside ``[0, n]``.
    """
    kept = []
    for successes, n in clusters:
        if n < 0 or not 0 <= successes <= n:
            raise ValueError(f"prompt_interval needs 0 <= successes <= n, got {successes}/{n}")
        if n:
            kept.append((successes, n))
    if len(kept) < 2:
        return None
    total = sum(n for _, n in kept)
    hits = sum(s for s, _ in kept)
    p = hits / total
    variance = sum((s - p * n) ** 2 / (1 - n / total) for s, n in kept) / total**2
    half = t_quantile(len(kept) - 1) * math.sqrt(variance)
    w_low, w_high = wilson(hits, total)
    return min(max(0.0, p - half), w_low), max(min(1.0, p + half), w_high)


def clustered_rate(clusters: Iterable[tuple[int, int]]) -> Rate:
    """Build a :class:`Rate` from per-prompt counts, with both intervals.

    Args:
        clusters: Per prompt ``(successes, n)``.

    Returns:
        ``rate(sum successes, sum n)`` with ``prompt_low`` / ``prompt_high`` from
        :func:`prompt_interval` (``None`` with fewer than 2 prompts or ``n = 0``).
    """
    pairs = list(clusters)
    base = rate(sum(s for s, _ in pairs), sum(n for _, n in pairs))
    bounds = prompt_interval(pairs)
    if bounds is None:
        return base
    return Rate(base.successes, base.n, base.value, base.low, base.high, *bounds)


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


_NORMAL: Final = NormalDist()


def _check_open(name: str, value: float, low: float = 0.0, *, closed: bool = False) -> float:
    """``value`` as a float inside ``(low, 1)`` (``[low, 1)`` if closed), or an error naming it."""
    limit = f"{'[' if closed else '('}{low:g}, 1)"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"{name} must be a finite number in {limit}, got {value!r}."
        raise DataForSEOInputError(msg, field=name, limit=limit, actual=value)
    if not (low <= value < 1 if closed else low < value < 1):
        msg = f"{name} must lie in {limit}, got {value!r}."
        raise DataForSEOInputError(msg, field=name, limit=limit, actual=value)
    return float(value)


def answers_needed(p_from: float, p_to: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """Answers per period (equal in both) to see a rate move from ``p_from`` to ``p_to``.

    See the module docstring for the formula (two-sided, pooled two-proportion z-test,
    normal approximation). Per slice: an engine's ``n`` answers are its prompts x samples.

    Args:
        p_from: The rate now, in ``(0, 1)``.
        p_to: The rate to detect, in ``(0, 1)``, not equal to ``p_from``.
        power: The chance of calling the move when it is there, in ``[0.5, 1)``.
        alpha: The test's two-sided significance level, in ``(0, 1)``.

    Returns:
        The answers needed in each period (at least 1).

    Raises:
        DataForSEOInputError: For a value out of range or not finite, or
            ``p_from == p_to`` (naming the field, the limit and the value).
    """
    p1 = _check_open("p_from", p_from)
    p2 = _check_open("p_to", p_to)
    if p1 == p2:
        msg = f"p_to must differ from p_from (both {p1!r}): no move to detect."
        raise DataForSEOInputError(msg, field="p_to", limit=f"!= {p1!r}", actual=p2)
    beta = _check_open("power", power, 0.5, closed=True)
    level = _check_open("alpha", alpha)
    z_alpha = _NORMAL.inv_cdf(1 - level / 2)
    z_beta = _NORMAL.inv_cdf(beta)
    p_bar = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar))
    root += z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    n = root * root / ((p2 - p1) ** 2)
    return max(1, math.ceil(n - 1e-9))  # 1e-9: float noise must not add an answer
