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

The waves (``run_panel(target_half_width=...)``, :func:`sample_to_target`):

After the panel's own samples, each wave adds samples per prompt to the engines whose
prompt-level interval is still wider than the target, widest first
(:func:`wave_samples`), fitted to what is left
of the run's ``max_cost`` (the store's spend, over every driver), and is driven like the
first. It stops when every engine meets the target, reaches ``max_samples``, or needs
more prompts rather than samples.
"""

from __future__ import annotations

import logging
import math
import statistics
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._panel import MAX_SAMPLES, Panel
from langchain_dataforseo.visibility._plan import planned_task
from langchain_dataforseo.visibility._run_context import RunContext
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


_log = logging.getLogger(__name__)


class RunPrecisionWarning(UserWarning):
    """A run sampling to a precision target ended without meeting it for an engine."""


async def sample_to_target(
    ctx: RunContext,
    drive: Callable[[], Awaitable[None]],
    target: float,
    max_samples: int,
) -> None:
    """Add samples in waves, widest interval first, until each engine meets ``target``.

    Each wave is planned from the prompt-level intervals of what is measured, fitted to
    what is left of ``max_cost`` (the run's spend over every driver), added to the run and
    driven like the first. It stops when every engine meets the target, reaches
    ``max_samples``, or needs more prompts rather than samples (said in a warning).
    """
    store, run = ctx.store, ctx.run_id
    while ctx.stop is None:
        wave = wave_samples(run_precision(store, run, target), max_samples)
        added = 0
        for (engine, surface), samples in wave:
            affordable = affordable_samples(ctx, engine, surface, samples)
            if affordable is not None:
                added += store.add_samples(run, engine, surface, affordable)
        if not added:
            break
        _log.info("run %s: wave of %d task(s) toward +/-%.3f", run, added, target)
        await drive()
    for precision in run_precision(store, run, target).values():
        if precision.needs_prompts or not precision.met:
            warnings.warn(precision.line(target), RunPrecisionWarning, stacklevel=3)


def affordable_samples(ctx: RunContext, engine: str, surface: str, samples: int) -> int | None:
    """Samples per prompt up to ``samples`` whose worst case fits the run's cap, if more."""
    panel, store = ctx.panel, ctx.store
    row = store.connection.execute(
        "SELECT COALESCE(MAX(sample) + 1, 0) FROM tasks "
        "WHERE run_id = ? AND engine = ? AND surface = ?",
        (ctx.run_id, engine, surface),
    ).fetchone()
    have = int(row[0])
    if samples <= have:
        return None
    if ctx.max_cost is None:
        return samples
    per_sample = sum(
        ctx.reservation(planned_task(panel, ctx.run_id, p, engine, surface, have))
        for p in range(len(panel.prompts))
    )
    # what is spent or reserved, and the worst case of every task still to post (an
    # earlier engine's part of this wave included): a wave never adds what the cap refuses
    waiting = sum(ctx.reservation(task) for task in store.unsent(ctx.run_id))
    left = ctx.max_cost - store.run_spend(ctx.run_id) - waiting
    more = min(samples - have, int(left // per_sample) if per_sample > 0 else samples - have)
    if more <= 0:
        _log.info("run %s: max_cost leaves no room for more %s samples", ctx.run_id, engine)
        return None
    return have + more


def check_precision(panel: Panel, target_half_width: float | None, max_samples: int | None) -> int:
    """Check the precision target's settings; the most samples per prompt and engine."""
    if target_half_width is None:
        return panel.samples
    if not (math.isfinite(target_half_width) and 0 < target_half_width <= 0.5):
        msg = f"target_half_width must be in (0, 0.5], got {target_half_width!r}."
        raise DataForSEOInputError(
            msg, field="target_half_width", limit="(0, 0.5]", actual=target_half_width
        )
    wanted = max(panel.samples, 30) if max_samples is None else max_samples
    if (
        isinstance(wanted, bool)
        or not isinstance(wanted, int)
        or not (panel.samples <= wanted <= MAX_SAMPLES)
    ):
        msg = (
            f"max_samples must be a whole number from the panel's samples ({panel.samples}) "
            f"to {MAX_SAMPLES}, got {max_samples!r}."
        )
        raise DataForSEOInputError(
            msg, field="max_samples", limit=(panel.samples, MAX_SAMPLES), actual=max_samples
        )
    return wanted
