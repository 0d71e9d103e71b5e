"""The ``plan`` command (answers, samples and cost a move needs) and ``run --estimate``'s verdict.

``plan`` is a store-less estimate by default (documented average prices); with ``--db`` the
store's recorded costs give the expected cost. Nothing is created or posted.
"""

from __future__ import annotations

import argparse
import math
import uuid
from typing import TextIO

from langchain_dataforseo.visibility._cli_checks import _number
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._plan import RunEstimate
from langchain_dataforseo.visibility._planning import answers_needed
from langchain_dataforseo.visibility._run import estimate_run
from langchain_dataforseo.visibility._store import VisibilityStore


def proportion(text: str) -> float:
    """An argument strictly between 0 and 1, finite (``0``, ``1``, ``nan`` refused)."""
    value = _number(text)
    if not 0 < value < 1:
        msg = f"must lie strictly between 0 and 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def power_arg(text: str) -> float:
    """A test's power: at least 0.5 and below 1, finite."""
    value = _number(text)
    if not 0.5 <= value < 1:
        msg = f"must be >= 0.5 and < 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def budget_verdict(estimate: RunEstimate, max_cost: float | None, err: TextIO) -> bool:
    """Say whether ``--max-cost`` would refuse the run, and by how much; ``True`` if so."""
    if max_cost is None:
        return False
    over = estimate.over_by(max_cost)
    if over is None:
        spare = max(max_cost - estimate.total, 0.0)
        err.write(
            f"within --max-cost ${max_cost:.4f}: the worst case ${estimate.total:.4f} leaves "
            f"${spare:.4f}; the run would not be refused.\n"
        )
        return False
    err.write(
        f"refused: the worst case ${estimate.total:.4f} passes --max-cost ${max_cost:.4f} by "
        f"${over:.4f} (expected cost of the tasks to post ${estimate.expected_cost:.4f}): "
        f"the run would post nothing. Raise --max-cost to at least ${estimate.total:.4f}, or "
        "set --max-cost-per-call to what a task really costs.\n"
    )
    return True


def plan_command(args: argparse.Namespace, out: TextIO) -> int:
    """Print the answers a move needs per engine and period, the samples and the cost."""
    panel = Panel.from_file(args.panel)
    needed = answers_needed(args.p_from, args.p_to, power=args.power, alpha=args.alpha)
    prompts = len(panel.prompts)
    samples = math.ceil(needed / prompts)
    one = Panel.from_dict({**panel.to_dict(), "samples": 1})
    run_id = f"plan-{uuid.uuid4().hex[:12]}"  # never an existing run: a new run is estimated
    if args.db is not None:
        with VisibilityStore(args.db, readonly=True) as store:
            estimate = estimate_run(one, store, run_id=run_id, method=args.method)
    else:
        estimate = estimate_run(one, None, run_id=run_id, method=args.method)
    out.write(
        f"panel {panel.name!r}: to see {100 * args.p_from:.1f}% -> {100 * args.p_to:.1f}% "
        f"(two-sided two-proportion z-test, pooled; power {args.power:g}, alpha "
        f"{args.alpha:g}) takes {needed} answers per engine and period\n"
        f"{prompts} prompt(s): {samples} samples per prompt and engine ({samples * prompts} "
        f"answers per engine; the panel has samples = {panel.samples})\n"
    )
    for key, worst in estimate.per_engine.items():
        expected = estimate.expected_per_engine.get(key, 0.0)
        out.write(
            f"  {key}: {prompts * samples} tasks, expected ${samples * expected:.4f}, at most "
            f"${samples * worst:.4f}\n"
        )
    known = estimate.expected_from_history
    basis = {0: "documented average prices", estimate.to_post: "the store's recorded costs"}
    basis_text = basis.get(known, "the store's recorded costs and documented average prices")
    out.write(
        f"per period: {estimate.to_post * samples} tasks, expected "
        f"${samples * estimate.expected_cost:.4f} (from {basis_text}), at most "
        f"${samples * estimate.to_post_cost:.4f} (the worst case --max-cost must allow, "
        f"{args.method})\n"
    )
    return 0
