"""Sampling to a precision target: how narrow each engine's mention-rate interval is.

A panel's answers are clustered by prompt: five samples of one prompt are far more alike
than five prompts. The interval that answers "prompts like these" is the prompt-level one
(:func:`~langchain_dataforseo.visibility._stats.prompt_interval`, the one ``metrics``
shows). More samples per
prompt narrow only its within-prompt part; the between-prompt spread stays, so when that
spread alone is wider than the target, more samples cannot help and more prompts are
needed.

:func:`precision_of` reads that for every (engine, surface) of a run from per-prompt counts
(pure); :func:`prompt_counts` reads the counts from the store.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from langchain_dataforseo.visibility._stats import prompt_interval, t_quantile
from langchain_dataforseo.visibility._store import VisibilityStore

HETEROGENEITY_LEVEL: Final = 0.99
"""Prompts are taken to differ (more samples may not help) past this chi-square quantile."""


@dataclass(frozen=True)
class Precision:
    """How narrow one engine's (and surface's) mention-rate interval is, and what would help.

    Attributes:
        engine: The engine.
        surface: ``api`` or ``app``.
        prompts: Prompts with at least one measured answer.
        samples: Measured answers per prompt (the fewest over the prompts).
        half_width: The prompt-level 95% interval's half-width (``None`` below 2 prompts).
        floor: What the half-width tends to with unlimited samples per prompt: the
            between-prompt spread alone (``None`` below 2 prompts).
        samples_needed: Samples per prompt estimated to reach the target (``None`` when
            no number of samples can, or below 2 prompts).
        met: ``half_width`` is at most the target.
        needs_prompts: More samples cannot reach the target: the spread is between
            prompts (or there are fewer than 2 prompts).
    """

    engine: str
    surface: str
    prompts: int
    samples: int
    half_width: float | None
    floor: float | None
    samples_needed: int | None
    met: bool
    needs_prompts: bool

    def line(self, target: float) -> str:
        """One line for people: where the engine stands against the target."""
        where = f"{self.engine} ({self.surface})"
        if self.half_width is None:
            return f"{where}: fewer than 2 prompts measured; the prompt-level interval needs more"
        width = f"+/-{self.half_width:.3f} at {self.samples} sample(s) x {self.prompts} prompts"
        if self.met:
            return f"{where}: {width}, target +/-{target:.3f} met"
        if self.needs_prompts:
            return (
                f"{where}: {width}; the spread between prompts alone gives "
                f"+/-{self.floor or 0.0:.3f}, wider than the target +/-{target:.3f}: more "
                "samples cannot reach it, measure more prompts"
            )
        return f"{where}: {width}, target +/-{target:.3f}: about {self.samples_needed} needed"


def chi2_quantile(q: float, df: int) -> float:
    """The ``q`` quantile of chi-square with ``df`` degrees of freedom (Wilson-Hilferty)."""
    z = statistics.NormalDist().inv_cdf(q)
    k = float(df)
    return k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3


def _heterogeneous(cells: Sequence[tuple[int, int]], p: float) -> bool:
    """Whether the prompts' rates differ, by a chi-square test of homogeneity at 1%."""
    if p <= 0.0 or p >= 1.0:
        return False
    statistic = sum((y - n * p) ** 2 / (n * p * (1 - p)) for y, n in cells)
    return statistic > chi2_quantile(HETEROGENEITY_LEVEL, len(cells) - 1)


def precision_of(
    engine: str, surface: str, counts: Sequence[tuple[int, int]], target: float
) -> Precision:
    """The precision of one engine's mention rate from per-prompt ``(named, answers)``.

    Args:
        engine: The engine.
        surface: ``api`` or ``app``.
        counts: For each prompt, answers naming the brand and measured answers.
        target: The wanted half-width of the prompt-level 95% interval.

    Returns:
        The precision and what would help.
    """
    cells = [(y, n) for y, n in counts if n > 0]
    prompts = len(cells)
    samples = min((n for _, n in cells), default=0)
    if prompts < 2:
        return Precision(engine, surface, prompts, samples, None, None, None, False, True)
    p = sum(y for y, _ in cells) / sum(n for _, n in cells)
    bounds = prompt_interval(cells)  # the interval the metrics show ("prompts like these")
    if bounds is None:  # pragma: no cover - two prompts or more have answers here
        return Precision(engine, surface, prompts, samples, None, None, None, False, True)
    half_width = (bounds[1] - bounds[0]) / 2
    t = t_quantile(prompts - 1)
    # method of moments: between-prompt variance of the true rates, within-prompt noise
    rates = [y / n for y, n in cells]
    mean = sum(rates) / prompts
    spread = sum((r - mean) ** 2 for r in rates) / (prompts - 1)
    noise = [r * (1 - r) / (n - 1) for r, (_, n) in zip(rates, cells, strict=True) if n > 1]
    within = sum(noise) / len(noise) if noise else 0.0
    between = max(spread - within, 0.0)
    if not _heterogeneous(cells, p):
        between = 0.0  # no evidence yet that the prompts differ: plan on samples
    floor = t * math.sqrt(between / prompts)
    needs_prompts = floor >= target
    met = half_width <= target
    needed: int | None = None
    if not needs_prompts:
        # per-answer variance of a prompt's rate, averaged: mean of r(1 - r) * n / (n - 1)
        per_answer = [
            r * (1 - r) * n / (n - 1) for r, (_, n) in zip(rates, cells, strict=True) if n > 1
        ]
        unit = sum(per_answer) / len(per_answer) if per_answer else 0.25
        room = prompts * (target / t) ** 2 - between
        needed = max(samples, math.ceil(unit / room)) if room > 0 else None
        needs_prompts = needed is None
    return Precision(
        engine, surface, prompts, samples, half_width, floor, needed, met, needs_prompts
    )


def prompt_counts(
    store: VisibilityStore, run_id: str
) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Per (engine, surface), each prompt's answers naming the panel's brand and measured answers.

    Args:
        store: The store.
        run_id: The run.

    Returns:
        ``(engine, surface)`` -> ``[(named, answers), ...]`` in prompt order.
    """
    brand = store.panel(run_id).brand.name
    rows = store.connection.execute(
        "SELECT t.engine, t.surface, t.prompt_index, COUNT(*), "
        "SUM(EXISTS (SELECT 1 FROM mentions m WHERE m.task = t.id AND m.brand = ?)) "
        "FROM tasks t WHERE t.run_id = ? AND t.status = 'measured' "
        "GROUP BY t.engine, t.surface, t.prompt_index ORDER BY t.engine, t.surface, t.prompt_index",
        (brand, run_id),
    )
    out: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for engine, surface, _prompt, answers, named in rows:
        out.setdefault((str(engine), str(surface)), []).append((int(named or 0), int(answers)))
    return out


def run_precision(
    store: VisibilityStore, run_id: str, target: float
) -> dict[tuple[str, str], Precision]:
    """Every (engine, surface) of a run: its mention-rate precision against ``target``.

    Args:
        store: The store.
        run_id: The run.
        target: The wanted half-width.

    Returns:
        ``(engine, surface)`` -> :class:`Precision`.
    """
    return {
        key: precision_of(key[0], key[1], counts, target)
        for key, counts in prompt_counts(store, run_id).items()
    }


def wave_samples(
    precision: Mapping[tuple[str, str], Precision], max_samples: int
) -> list[tuple[tuple[str, str], int]]:
    """The next wave: which (engine, surface) to sample up to how many, widest first.

    Args:
        precision: Where each stands (:func:`run_precision`).
        max_samples: The most samples per prompt and engine.

    Returns:
        ``((engine, surface), samples per prompt)`` pairs, widest interval first; empty
        when every one has met the target, needs more prompts, or reached ``max_samples``.
    """
    todo = [
        (p.half_width or 0.0, key, min(max_samples, max(p.samples + 1, p.samples_needed or 0)))
        for key, p in precision.items()
        if not p.met and not p.needs_prompts and p.samples < max_samples
    ]
    todo.sort(key=lambda item: -item[0])
    return [(key, samples) for _, key, samples in todo]
