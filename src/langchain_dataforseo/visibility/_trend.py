"""``trend``: a panel's metrics run after run, with a verdict on each move.

One row per (run, slice) for every run of a panel, oldest run first. Each row carries the
``metrics`` row of its slice (the rates are not recomputed), the resolved model versions
that answered (the tasks' ``answer_model``), and ``change``, the verdict on the panel
brand's ``mention_rate`` against the slice's previous run:

- ``"first"``: no earlier run of the panel has this slice;
- ``"not_comparable"``: the resolved models differ, or the engine's requested model, task
  settings, surfaces or app settings differ between the two runs' stored panels, or a side
  has no measured answer (``reason`` says which);
- ``"up"`` / ``"down"``: a pooled two-proportion z-test on the answer-level counts
  (``successes`` / ``n`` of both mention rates), two-sided, says ``p < 0.05``;
- ``"within_noise"``: it does not.

The test treats answers as independent ("these prompts, as asked"), the same test
``compare_runs`` uses; each row is tested on its own (``compare_runs`` controls the
false-discovery rate across its cells with :func:`benjamini_hochberg`).

``compare_runs``: per engine and surface, each rate's change, its significance, domains.

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

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._metrics import GROUPS, VisibilityRow, metrics
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._stats import (
    Z_TEST_RULE,
    Change,
    Rate,
    compare_rates,
    rate,
    two_proportion_z,
)
from langchain_dataforseo.visibility._store import VisibilityStore
from langchain_dataforseo.visibility._surfaces import APP

VERDICTS: Final = ("first", "up", "down", "within_noise", "not_comparable")
"""What ``change`` can say."""
ALPHA: Final = 0.05
"""The significance level of a verdict (and the false-discovery rate of ``compare_runs``)."""

SliceKey = tuple[tuple[str, str], ...]
"""A slice key made comparable across runs: sorted items, ``surface`` always present."""


def slice_key(key: Mapping[str, str]) -> SliceKey:
    """A ``metrics`` key with its surface made explicit (``api`` when the run has none)."""
    return tuple(sorted({"surface": "api", **key}.items()))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input's order.

    ``q_(i) = min over j >= i of (m / j) p_(j)`` for the p-values sorted ascending
    (``p_(1) <= ... <= p_(m)``), capped at 1. Calling the cells with ``q < alpha`` keeps
    the expected share of false discoveries among them at most ``alpha`` (independent or
    positively dependent tests).

    Args:
        p_values: The p-values of the cells tested, each in ``[0, 1]``.

    Returns:
        The adjusted values, one per input.

    Raises:
        ValueError: For a p-value outside ``[0, 1]`` (or not a number).
    """
    for p in p_values:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p_values must lie in [0, 1], got {p!r}")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        out[index] = min(running, 1.0)
    return out


def move(a: Rate, b: Rate, alpha: float = ALPHA) -> tuple[str, float | None]:
    """The verdict on ``a`` -> ``b`` by the pooled two-proportion z-test (two-sided).

    Args:
        a: The earlier rate.
        b: The later rate.
        alpha: The significance level.

    Returns:
        ``("up" | "down" | "within_noise", p_value)``, or ``("not_comparable", None)``
        when a side has no denominator.
    """
    test = two_proportion_z(a.successes, a.n, b.successes, b.n)
    if test is None:
        return "not_comparable", None
    z, p_value = test
    if p_value >= alpha:
        return "within_noise", p_value
    return ("up" if z > 0 else "down"), p_value


def setup_difference(before: Panel, after: Panel, key: Mapping[str, str]) -> str | None:
    """What makes two runs' answers in a slice not comparable, from their panels.

    Args:
        before: The earlier run's panel.
        after: The later run's panel.
        key: The slice (its ``engine``, if any, narrows the check to that engine).

    Returns:
        A reason (prompts, tracked brands, requested model, task settings, surfaces, app
        settings), or ``None``.
    """
    if list(before.prompts) != list(after.prompts):
        return "prompts changed"  # another population of questions
    if [b.to_dict() for b in before.brands] != [b.to_dict() for b in after.brands]:
        return "tracked brands changed"  # names, aliases or domains: matching differs
    engine = key.get("engine")
    engines = [engine] if engine is not None else sorted(set(before.engines) | set(after.engines))
    for name in engines:
        if name not in before.engines or name not in after.engines:
            return f"engine {name} is not in both panels"
        if before.engines[name] != after.engines[name]:
            return f"requested model of {name} changed"
        if before.task_settings(name) != after.task_settings(name):
            return f"task settings of {name} changed"
        if before.surfaces_of(name) != after.surfaces_of(name):
            return f"surfaces of {name} changed"
        app = APP in before.surfaces_of(name) and key.get("surface", APP) == APP
        if app and dict(before.app_settings) != dict(after.app_settings):
            return "app settings changed"
    return None


def slice_models(
    store: VisibilityStore, run_id: str, key_names: Sequence[str]
) -> dict[SliceKey, tuple[str, ...]]:
    """The resolved model versions (``answer_model``) of a run's measured answers, per slice.

    Args:
        store: The store.
        run_id: The run.
        key_names: The slice keys of the run's ``metrics`` rows.

    Returns:
        Slice -> its models, sorted.
    """
    cols = [GROUPS[name] for name in key_names]
    select = "".join(f"{c}, " for c in cols)
    sql = (
        f"SELECT {select}t.answer_model FROM tasks t WHERE t.run_id = ? "  # noqa: S608
        "AND t.status = 'measured' AND t.answer_model IS NOT NULL "
        f"GROUP BY {select}t.answer_model"
    )
    found: dict[SliceKey, set[str]] = defaultdict(set)
    for row in store.connection.execute(sql, (run_id,)):
        key = dict(zip(key_names, (str(v) for v in row[:-1]), strict=True))
        found[slice_key(key)].add(str(row[-1]))
    return {key: tuple(sorted(models)) for key, models in found.items()}


@dataclass(frozen=True)
class TrendRow:
    """One slice of one run of a panel, with the verdict on its move.

    Attributes:
        run_id: The run.
        created_at: When the run was created (UTC, ISO 8601): the order of the rows.
        key: The slice, as ``metrics`` rows have it.
        brand: The panel's brand.
        metrics: The slice's ``metrics`` row (every rate, interval and count).
        models: The resolved model versions that answered in the slice.
        model_changed: ``models`` differ from the slice's previous run (``False`` on the
            first).
        change: The verdict on ``mention_rate`` against the previous run (:data:`VERDICTS`).
        p_value: The test's two-sided p-value, when a test was made.
        reason: Why the verdict is ``not_comparable``, else ``None``.
        previous_run: The run compared against, ``None`` on the first.
    """

    run_id: str
    created_at: str
    key: dict[str, str]
    brand: str
    metrics: VisibilityRow
    models: tuple[str, ...]
    model_changed: bool
    change: str
    p_value: float | None = None
    reason: str | None = None
    previous_run: str | None = None

    @property
    def mention_rate(self) -> Rate:
        """The panel brand's mention rate (answer-level Wilson interval)."""
        return self.metrics.mention_rate

    @property
    def share_of_voice(self) -> Rate:
        """The panel brand's share of voice."""
        return self.metrics.share_of_voice

    @property
    def citation_rate(self) -> Rate:
        """The panel brand's citation rate."""
        return self.metrics.citation_rate

    @property
    def average_position(self) -> float | None:
        """The panel brand's average position."""
        return self.metrics.average_position

    @property
    def positive_rate(self) -> Rate | None:
        """The panel brand's positive rate (``None``: the run was not judged)."""
        return self.metrics.positive_rate

    @property
    def negative_rate(self) -> Rate | None:
        """The panel brand's negative rate (``None``: the run was not judged)."""
        return self.metrics.negative_rate

    @property
    def recommended_rate(self) -> Rate | None:
        """The panel brand's recommended rate (``None``: the run was not judged)."""
        return self.metrics.recommended_rate

    @property
    def answers(self) -> int:
        """Measured answers in the slice."""
        return self.metrics.answers

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON): the metrics row's fields and the trend's."""
        return {
            **self.metrics.as_dict(),
            "run_id": self.run_id,
            "created_at": self.created_at,
            "models": list(self.models),
            "model_changed": self.model_changed,
            "change": self.change,
            "p_value": self.p_value,
            "reason": self.reason,
            "previous_run": self.previous_run,
        }


def trend(
    store: VisibilityStore, panel_name: str, by: Sequence[str] = ("engine",)
) -> list[TrendRow]:
    """The metrics of every run of a panel, slice by slice, with a verdict on each move.

    A slice's previous run is the latest earlier run of the panel that has the slice
    (keys compared with ``surface`` made explicit, so a run without app tasks still
    lines up with one that has them). See the module docstring for the verdicts.

    Args:
        store: The store.
        panel_name: The panel's name (runs whose panel has this name).
        by: Slice keys, as for ``metrics``.

    Returns:
        One row per (run, slice), runs in creation order, slices as ``metrics`` orders them.

    Raises:
        VisibilityStoreError: For a panel name with no run, or an unknown slice key.
    """
    runs = [info for info in store.runs() if info.panel_name == panel_name]
    if not runs:
        names = sorted({info.panel_name for info in store.runs()})
        msg = (
            f"no run of panel {panel_name!r}; panels in {store.url}: {', '.join(names) or 'none'}."
        )
        raise VisibilityStoreError(msg, field="panel_name", limit=names, actual=panel_name)
    last: dict[SliceKey, tuple[str, Panel, VisibilityRow, tuple[str, ...]]] = {}
    out: list[TrendRow] = []
    for info in runs:
        panel = store.panel(info.run_id)
        rows = metrics(store, info.run_id, by)
        models = slice_models(store, info.run_id, list(rows[0].key)) if rows else {}
        for row in rows:
            key = slice_key(row.key)
            seen = models.get(key, ())
            earlier = last.get(key)
            last[key] = (info.run_id, panel, row, seen)
            verdict, p_value, reason, changed = "first", None, None, False
            if earlier is not None:
                before_panel, before_row, before_models = earlier[1:]
                changed = bool(seen and before_models) and seen != before_models
                reason = "resolved model changed" if changed else None
                reason = reason or setup_difference(before_panel, panel, row.key)
                verdict = "not_comparable"
                if reason is None:
                    verdict, p_value = move(before_row.mention_rate, row.mention_rate)
                    if p_value is None:
                        reason = "no measured answer on one side"
            out.append(
                TrendRow(
                    run_id=info.run_id,
                    created_at=info.created_at,
                    key=dict(row.key),
                    brand=row.brand,
                    metrics=row,
                    models=seen,
                    model_changed=changed,
                    change=verdict,
                    p_value=p_value,
                    reason=reason,
                    previous_run=None if earlier is None else earlier[0],
                )
            )
    return out


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
