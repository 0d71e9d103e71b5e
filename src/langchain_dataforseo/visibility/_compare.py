"""``compare_runs``: per engine and surface, each rate's change, its significance, domains.

Significance rule (named in every result): by default a pooled two-proportion z-test,
two-sided, at alpha = 0.05 (:data:`Z_TEST_RULE`); optionally the stricter
"non-overlapping 95% Wilson intervals" (:data:`OVERLAP_RULE`). A change with an undefined
rate on either side (no denominator) is never significant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo.visibility._metrics import VisibilityRow, metrics
from langchain_dataforseo.visibility._stats import Z_TEST_RULE, Change, Rate, compare_rates, rate
from langchain_dataforseo.visibility._store import VisibilityStore

RATES: Final = ("mention_rate", "share_of_voice", "citation_rate")
"""The rates compared, per tracked brand."""

_EMPTY: Final = rate(0, 0)


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
    """

    engine: str
    rule: str
    changes: dict[str, dict[str, Change]]
    domains_gained: list[str]
    domains_lost: list[str]
    surface: str = "api"

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
                    }
                    for name, c in per.items()
                }
                for brand, per in self.changes.items()
            },
            "domains_gained": self.domains_gained,
            "domains_lost": self.domains_lost,
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
    brands = [b.name for b in store.panel(run_b).brands]
    out = []
    for engine, surface in sorted(set(rows_a) | set(rows_b)):
        a, b = rows_a.get((engine, surface)), rows_b.get((engine, surface))
        changes = {
            brand: {
                name: compare_rates(_rate_of(a, brand, name), _rate_of(b, brand, name), rule)
                for name in RATES
            }
            for brand in brands
        }
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
            )
        )
    return out
