"""The definitions the report prints, and the judged rates it shows where a run was judged."""

from __future__ import annotations

from typing import Final

from langchain_dataforseo.visibility._metrics import BrandMetrics, VisibilityRow
from langchain_dataforseo.visibility._stats import Rate

_BOTH: Final = "Wilson [ ] and prompt-level { }"
DEFINITIONS: Final = (
    (
        "mention rate",
        "answers naming the brand / measured answers",
        _BOTH,
    ),
    (
        "share of voice",
        "the brand's mentions (once per answer naming it) / all tracked-brand mentions; "
        "the tracked brands sum to 100%",
        _BOTH,
    ),
    (
        "citation rate",
        "answers citing a URL of the brand's domains (or subdomains) / answers citing anything",
        _BOTH,
    ),
    (
        "average position",
        "mean rank of the brand's first mention among the tracked brands an answer names "
        "(1 = named first), over the answers naming it",
        "none (a mean rank)",
    ),
    (
        "cited domains by category",
        "citations per domain: own (the brand's domains), competitor (a competitor's "
        "domains), other; share = citations / all citations",
        "none (counts)",
    ),
    (
        "verdict (trend, headline)",
        "the brand's mention rate against the panel's previous run: pooled two-proportion "
        "z-test, two-sided, alpha 0.05; not comparable when the resolved model, requested "
        "model, task settings or surfaces changed",
        "Wilson counts (answers as independent)",
    ),
    (
        "verdict (vs last run)",
        "every rate of every tracked brand against the previous run: z-test p-values "
        "adjusted with Benjamini-Hochberg across the cells (false-discovery rate 5%)",
        "Wilson counts (answers as independent)",
    ),
)
"""``(metric, definition, interval it carries)``, as the report prints them."""
JUDGED: Final = (
    ("positive_rate", "positive rate", "answers judged positive about the brand / judged answers"),
    ("negative_rate", "negative rate", "answers judged negative about the brand / judged answers"),
    (
        "recommended_rate",
        "recommended rate",
        "answers judged to recommend the brand / judged answers",
    ),
)
"""The judged rates (``judge_run``): attribute, label, definition."""
INTERVAL_NOTE: Final = (
    "Intervals are 95%: in [ ] the Wilson interval over answers (these prompts, as asked); "
    "in { } the prompt-level interval, answers clustered by prompt (prompts like these; "
    "shown with 2 or more prompts)."
)


def judged(m: BrandMetrics) -> dict[str, Rate]:
    """The brand's judged rates that are present (none before a run is judged)."""
    out = {}
    for attribute, label, _ in JUDGED:
        value = getattr(m, attribute, None)
        if isinstance(value, Rate):
            out[label] = value
    return out


def judged_labels(rows: list[VisibilityRow]) -> list[str]:
    """The judged rates present in any brand of any row, in :data:`JUDGED` order."""
    found = {label for row in rows for m in row.brands.values() for label in judged(m)}
    return [label for _, label, _ in JUDGED if label in found]


def definition_lines(judged_present: list[str]) -> list[list[object]]:
    """The definitions table: every metric, plus the judged rates when present."""
    lines: list[list[object]] = [list(d) for d in DEFINITIONS]
    for _, label, text in JUDGED:
        if label in judged_present:
            lines.append([label, text, _BOTH])
    return lines
