"""Sampling to a precision target in waves (``run_panel(target_half_width=...)``).

After the panel's own samples, each wave adds samples per prompt to the engines whose
prompt-level interval is still wider than the target, widest first
(:func:`~langchain_dataforseo.visibility._precision.wave_samples`), fitted to what is left
of the run's ``max_cost`` (the store's spend, over every driver), and is driven like the
first. It stops when every engine meets the target, reaches ``max_samples``, or needs
more prompts rather than samples.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Awaitable, Callable

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._panel import MAX_SAMPLES, Panel
from langchain_dataforseo.visibility._plan import planned_task
from langchain_dataforseo.visibility._precision import run_precision, wave_samples
from langchain_dataforseo.visibility._run_context import RunContext

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
