"""``answers_needed``: how many answers a period needs to see a move. Pure.

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
from statistics import NormalDist
from typing import Final

from langchain_dataforseo.errors import DataForSEOInputError

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
