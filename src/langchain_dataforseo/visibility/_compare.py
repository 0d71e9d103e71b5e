"""``compare_runs``: per engine and surface, each rate's change, its significance, domains.

Significance rule (named in every result): by default a pooled two-proportion z-test,
two-sided, at alpha = 0.05 (:data:`Z_TEST_RULE`); optionally the stricter
"non-overlapping 95% Wilson intervals" (:data:`OVERLAP_RULE`). A change with an undefined
rate on either side (no denominator) is never significant.

Each cell (engine and surface x brand x rate) also gets a verdict in ``trend``'s vocabulary
(``"up"``, ``"down"``, ``"within_noise"``, ``"not_comparable"``), by the z-test's p-values
adjusted with Benjamini-Hochberg across every cell tested (:data:`VERDICT_RULE`): among the
cells called ``up`` or ``down`` the expected share of false discoveries is at most 5%. A
cell is not tested, and is ``not_comparable``, when a rate is undefined on either side or
the engine's resolved models, requested model, task settings, surfaces or app settings
differ between the runs (``not_comparable`` on the comparison says which).
``significant`` keeps its meaning (the ``rule``, cell by cell, not adjusted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from langchain_dataforseo.visibility._metrics import VisibilityRow, metrics
from langchain_dataforseo.visibility._stats import Z_TEST_RULE, Change, Rate, compare_rates, rate
from langchain_dataforseo.visibility._store import VisibilityStore
from langchain_dataforseo.visibility._trend import (
    ALPHA,
    benjamini_hochberg,
    setup_difference,
    slice_key,
    slice_models,
)

RATES: Final = ("mention_rate", "share_of_voice", "citation_rate")
"""The rates compared, per tracked brand."""

_EMPTY: Final = rate(0, 0)
VERDICT_RULE: Final = (
    "two-proportion z-test, pooled, two-sided; Benjamini-Hochberg across the cells "
    "tested, false-discovery rate 0.05"
)
"""How ``verdicts`` are decided."""


@dataclass(frozen=True)
class EngineComparison:
    """Two runs compared on one engine and surface.

    Attributes:
        engine: The engine.
        rule: The significance rule used.
        changes: Brand -> rate name (:data:`RATES`) -> :class:`Change`.
        domains_gained: Domains cited in run B and not in run A (most cited first).
        domains_lost: Domains cited in run A and not in run B (most cited first).
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
        verdicts: Brand -> rate name -> ``"up"``, ``"down"``, ``"within_noise"`` or
            ``"not_comparable"`` (:data:`VERDICT_RULE`).
        q_values: Brand -> rate name -> the Benjamini-Hochberg adjusted p-value, ``None``
            for a cell not tested.
        cells_tested: Cells tested across the whole comparison (every engine and
            surface): the ``m`` of the false-discovery control.
        not_comparable: Why this engine's cells are not comparable (resolved model,
            requested model, settings or surfaces changed), else ``None``.
    """

    engine: str
    rule: str
    changes: dict[str, dict[str, Change]]
    domains_gained: list[str]
    domains_lost: list[str]
    surface: str = "api"
    verdicts: dict[str, dict[str, str]] = field(default_factory=dict)
    q_values: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cells_tested: int = 0
    not_comparable: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return {
            "engine": self.engine,
            "surface": self.surface,
            "rule": self.rule,
            "changes": {
                brand: {
                    name: {
                        "a": c.a.as_dict(),
                        "b": c.b.as_dict(),
                        "delta": c.delta,
                        "z": c.z,
                        "p_value": c.p_value,
                        "significant": c.significant,
                        "verdict": self.verdicts.get(brand, {}).get(name),
                        "q_value": self.q_values.get(brand, {}).get(name),
                    }
                    for name, c in per.items()
                }
                for brand, per in self.changes.items()
            },
            "domains_gained": self.domains_gained,
            "domains_lost": self.domains_lost,
            "verdict_rule": VERDICT_RULE,
            "cells_tested": self.cells_tested,
            "not_comparable": self.not_comparable,
        }


def _rate_of(row: VisibilityRow | None, brand: str, name: str) -> Rate:
    if row is None or brand not in row.brands:
        return _EMPTY
    value: Rate = getattr(row.brands[brand], name)
    return value


def compare_runs(
    store: VisibilityStore, run_a: str, run_b: str, *, rule: str = Z_TEST_RULE
) -> list[EngineComparison]:
    """Compare two runs engine by engine, each surface apart (API with API, app with app).

    Brands are those of run B's panel (the brand, then the competitors); a brand, an
    engine or a surface missing from run A compares against an undefined rate.

    Args:
        store: The store holding both runs.
        run_a: The earlier run.
        run_b: The later run.
        rule: :data:`Z_TEST_RULE` (default) or ``OVERLAP_RULE``.

    Returns:
        One comparison per (engine, surface) of either run, by engine then surface.

    Raises:
        VisibilityStoreError: For an unknown run id.
        ValueError: For an unknown rule.
    """
    by = ("engine", "surface")
    rows_a = {(r.key["engine"], r.surface): r for r in metrics(store, run_a, by)}
    rows_b = {(r.key["engine"], r.surface): r for r in metrics(store, run_b, by)}
    panel_a, panel_b = store.panel(run_a), store.panel(run_b)
    models_a = slice_models(store, run_a, ["engine", "surface"])
    models_b = slice_models(store, run_b, ["engine", "surface"])
    brands = [b.name for b in panel_b.brands]
    parts = []
    for engine, surface in sorted(set(rows_a) | set(rows_b)):
        a, b = rows_a.get((engine, surface)), rows_b.get((engine, surface))
        changes = {
            brand: {
                name: compare_rates(_rate_of(a, brand, name), _rate_of(b, brand, name), rule)
                for name in RATES
            }
            for brand in brands
        }
        key = {"engine": engine, "surface": surface}
        seen_a = models_a.get(slice_key(key), ())
        seen_b = models_b.get(slice_key(key), ())
        reason = "resolved model changed" if seen_a and seen_b and seen_a != seen_b else None
        parts.append(
            (engine, surface, a, b, changes, reason or setup_difference(panel_a, panel_b, key))
        )
    cells = [
        (i, brand, name, change.p_value)
        for i, (*_, changes, reason) in enumerate(parts)
        if reason is None
        for brand, per in changes.items()
        for name, change in per.items()
        if change.p_value is not None
    ]
    q_of = {
        (i, brand, name): q
        for (i, brand, name, _), q in zip(
            cells, benjamini_hochberg([c[3] or 0.0 for c in cells]), strict=True
        )
    }
    out = []
    for i, (engine, surface, a, b, changes, reason) in enumerate(parts):
        verdicts: dict[str, dict[str, str]] = {}
        q_values: dict[str, dict[str, float | None]] = {}
        for brand, per in changes.items():
            for name, change in per.items():
                q = q_of.get((i, brand, name))
                q_values.setdefault(brand, {})[name] = q
                verdicts.setdefault(brand, {})[name] = _verdict(q, change.delta)
        cited_a = a.citation_counts if a is not None else {}
        cited_b = b.citation_counts if b is not None else {}
        out.append(
            EngineComparison(
                engine=engine,
                rule=rule,
                changes=changes,
                domains_gained=[d for d in cited_b if d not in cited_a],
                domains_lost=[d for d in cited_a if d not in cited_b],
                surface=surface,
                verdicts=verdicts,
                q_values=q_values,
                cells_tested=len(cells),
                not_comparable=reason,
            )
        )
    return out


def _verdict(q: float | None, delta: float | None) -> str:
    """A cell's verdict from its adjusted p-value (``None``: not tested) and its change."""
    if q is None or delta is None:
        return "not_comparable"
    if q >= ALPHA or delta == 0:
        return "within_noise"
    return "up" if delta > 0 else "down"
