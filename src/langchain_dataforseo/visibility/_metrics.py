"""``metrics``: the project's visibility definitions over a stored run (SQL aggregates).

Definitions (``shared/reference/geo_metrics.md``), over the **measured** answers of a slice;
failed and pending tasks are counted apart and never enter a denominator:

- ``mention_rate`` = answers naming the brand / measured answers.
- ``share_of_voice`` = the brand's mentions (once per answer naming it) / all tracked-brand
  mentions in the slice, so the tracked brands sum to 1 (undefined, ``None``, when no
  answer names any of them).
- ``answer_share`` = answers naming the brand / answers naming any tracked brand (the
  earlier share of voice; does not sum to 1).
- ``average_position`` = mean over answers naming the brand of its rank by first mention
  among the tracked brands the answer names (1 = named first; ties share a rank).
- ``citation_rate`` = answers citing a URL of the brand's domains / answers citing anything.
- ``citation_share[domain]`` = citations of the domain (or its subdomains) / all citations.
- ``fan_out_queries``: the most frequent searches, counted as answers that ran them.
- ``positive_rate`` / ``negative_rate`` / ``recommended_rate`` (where the run was judged,
  :func:`~langchain_dataforseo.visibility.judge_run`) = answers naming the brand that the
  judge read as positive / negative / recommending it, over the judged answers naming it.

Every rate carries two 95% intervals: ``low`` / ``high`` (Wilson, answer level, "these
prompts, as asked") and ``prompt_low`` / ``prompt_high`` (answers clustered by prompt,
"prompts like these"; ``None`` with fewer than 2 prompts in the slice). See
``docs/metrics.md``. The same numbers are given for each competitor.

Also here: the store's sentiment verdicts (table ``verdicts``, schema version 4), written
by ``judge_run`` and counted by ``metrics``.

A verdict is one judge model's reading of how one measured answer speaks of one tracked
brand it names: ``sentiment`` (positive, neutral, negative) and ``recommended``. It is
kept per (answer, brand, judge model, judging prompt version), so judging a run again
with another model or another prompt version keeps both; ``metrics`` reads one of them
(:func:`pick_judge`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._stats import Rate, clustered_rate, rate
from langchain_dataforseo.visibility._store import VisibilityStore

SENTIMENTS: Final = ("positive", "neutral", "negative")
"""The sentiments a verdict can give."""


@dataclass(frozen=True)
class Judged:
    """Per prompt of one slice and brand: verdicts, positive, negative, recommended."""

    verdicts: int
    positive: int
    negative: int
    recommended: int


PerPrompt = dict[int, Judged]
"""Prompt index -> the counts of one brand in one slice."""


def store_verdict(
    store: VisibilityStore,
    task: int,
    brand: str,
    judge: tuple[str, str],
    verdict: tuple[str, bool],
    cost: float | None,
) -> None:
    """Keep one verdict (a verdict already kept for the same key is left as it is)."""
    sentiment, recommended = verdict
    with store._write() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO verdicts (task, brand, judge, prompt_version, sentiment, "
            "recommended, cost, judged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                task,
                brand,
                *judge,
                sentiment,
                int(recommended),
                cost,
                datetime.now(UTC).isoformat(timespec="milliseconds"),
            ),
        )


def judges(store: VisibilityStore, run_id: str) -> list[tuple[str, str]]:
    """The ``(judge, prompt_version)`` pairs that judged a run, the latest judged first."""
    rows = store.connection.execute(
        "SELECT v.judge, v.prompt_version FROM verdicts v JOIN tasks t ON t.id = v.task "
        "WHERE t.run_id = ? GROUP BY v.judge, v.prompt_version "
        "ORDER BY MAX(v.judged_at) DESC, v.judge, v.prompt_version",
        (run_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def pick_judge(store: VisibilityStore, run_id: str, judge: str | None) -> tuple[str, str] | None:
    """The verdicts ``metrics`` reads: the latest judge's, or the latest of ``judge``'s.

    Args:
        store: The store.
        run_id: The run.
        judge: A judge model name (``judge_run``'s ``JudgeResult.judge``), or ``None`` for
            whichever judged the run last.

    Returns:
        ``(judge, prompt_version)``, or ``None`` when the run was not judged (by ``judge``).

    Raises:
        VisibilityStoreError: When ``judge`` is given but never judged the run.
    """
    found = judges(store, run_id)
    if judge is None:
        return found[0] if found else None
    for pair in found:
        if pair[0] == judge:
            return pair
    names = sorted({name for name, _ in found})
    msg = f"judge {judge!r} did not judge run {run_id!r}; judges of the run: {names or 'none'}."
    raise VisibilityStoreError(msg, field="judge", limit=names, actual=judge)


def judged_counts(
    store: VisibilityStore,
    run_id: str,
    select: str,
    group: str,
    width: int,
    judge: tuple[str, str],
) -> defaultdict[tuple[str, ...], defaultdict[str, PerPrompt]]:
    """Slice -> brand -> prompt index -> :class:`Judged`, for one judge's verdicts."""
    out: defaultdict[tuple[str, ...], defaultdict[str, PerPrompt]] = defaultdict(
        lambda: defaultdict(dict)
    )
    sql = (
        f"SELECT {select}v.brand, t.prompt_index, COUNT(*), "  # noqa: S608
        "SUM(v.sentiment = 'positive'), SUM(v.sentiment = 'negative'), SUM(v.recommended) "
        "FROM verdicts v JOIN tasks t ON t.id = v.task "
        "WHERE t.run_id = ? AND t.status = 'measured' AND v.judge = ? AND v.prompt_version = ? "
        f"GROUP BY {group + ', ' if group else ''}v.brand, t.prompt_index"
    )
    for row in store.connection.execute(sql, (run_id, *judge)):
        key: tuple[str, ...] = tuple(str(v) for v in row[:width])
        values: Sequence[Any] = row[width:]
        out[key][values[0]][values[1]] = Judged(*(int(v) for v in values[2:]))
    return out


def judge_cost(store: VisibilityStore, run_id: str) -> dict[tuple[str, str], float]:
    """What judging a run cost, per ``(judge, prompt_version)`` (known costs only, USD)."""
    rows = store.connection.execute(
        "SELECT v.judge, v.prompt_version, COALESCE(SUM(v.cost), 0) FROM verdicts v "
        "JOIN tasks t ON t.id = v.task WHERE t.run_id = ? GROUP BY v.judge, v.prompt_version",
        (run_id,),
    )
    return {(str(r[0]), str(r[1])): round(float(r[2]), 7) for r in rows}


GROUPS: Final[dict[str, str]] = {
    "engine": "t.engine",
    "surface": "t.surface",
    "prompt": "t.prompt",
    "model": "t.model",
}
"""The slice keys ``by`` accepts and their columns."""


def has_app_tasks(store: VisibilityStore, run_id: str) -> bool:
    """Whether a run has app-surface (LLM Scraper) tasks."""
    row = store.connection.execute(
        "SELECT 1 FROM tasks WHERE run_id = ? AND surface != 'api' LIMIT 1", (run_id,)
    ).fetchone()
    return row is not None


def with_surface(by: Sequence[str]) -> tuple[str, ...]:
    """``by`` with ``surface`` in it: after ``engine`` when present, else last.

    API and app answers are never pooled: a run with app tasks has its rows by surface.

    Args:
        by: The slice keys asked for.

    Returns:
        The keys, ``surface`` included.
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    if "surface" in keys:
        return keys
    if "engine" in keys:
        at = keys.index("engine") + 1
        return (*keys[:at], "surface", *keys[at:])
    return (*keys, "surface")


@dataclass(frozen=True)
class BrandMetrics:
    """One tracked brand's numbers in one slice.

    Attributes:
        mention_rate: Answers naming the brand / measured answers.
        share_of_voice: The brand's mentions (once per answer naming it) / all
            tracked-brand mentions in the slice (sums to 1 over the tracked brands).
        average_position: Mean first-mention rank where named, ``None`` if never named.
        citation_rate: Answers citing its domains / answers citing anything
            (``n = 0`` and value ``None`` when no answer cites anything or it has no domains).
        answer_share: Answers naming it / answers naming any tracked brand (the earlier
            share of voice; does not sum to 1).
        positive_rate: Judged answers naming it that speak of it positively / judged
            answers naming it; ``None`` where the run was not judged.
        negative_rate: The same, negatively; ``None`` where the run was not judged.
        recommended_rate: Judged answers naming it that recommend it / judged answers
            naming it; ``None`` where the run was not judged.
    """

    mention_rate: Rate
    share_of_voice: Rate
    average_position: float | None
    citation_rate: Rate
    answer_share: Rate = field(default_factory=lambda: rate(0, 0))
    positive_rate: Rate | None = None
    negative_rate: Rate | None = None
    recommended_rate: Rate | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        judged = {
            name: None if value is None else value.as_dict()
            for name, value in (
                ("positive_rate", self.positive_rate),
                ("negative_rate", self.negative_rate),
                ("recommended_rate", self.recommended_rate),
            )
        }
        return {
            "mention_rate": self.mention_rate.as_dict(),
            "share_of_voice": self.share_of_voice.as_dict(),
            "answer_share": self.answer_share.as_dict(),
            "average_position": self.average_position,
            "citation_rate": self.citation_rate.as_dict(),
            **judged,
        }


@dataclass(frozen=True)
class VisibilityRow:
    """The metrics of one slice (one engine, or engine and prompt, ...).

    Attributes:
        key: The slice, e.g. ``{"engine": "chat_gpt"}`` (``{"engine": "chat_gpt",
            "surface": "app"}`` in a run with app-surface tasks).
        brand: The panel's brand (the key of ``brands`` shown first).
        answers: Measured answers (the denominator of ``mention_rate``).
        failed: Failed tasks (not in any denominator).
        pending: Pending tasks (not in any denominator).
        cost: Known cost of the slice's tasks, USD.
        answers_naming_any: Answers naming at least one tracked brand.
        answers_citing_any: Answers citing at least one URL.
        citations: All citations (annotations with a URL).
        brands: Per tracked brand (the brand, then the competitors): its numbers.
        citation_counts: Citations per cited domain, most cited first.
        fan_out_queries: ``(query, answers)`` most frequent first (ties alphabetical).
        judge: The ``(judge model, prompt version)`` whose verdicts give the sentiment
            rates, ``None`` when the run was not judged.
    """

    key: dict[str, str]
    brand: str
    answers: int
    failed: int
    pending: int
    cost: float
    answers_naming_any: int
    answers_citing_any: int
    citations: int
    brands: dict[str, BrandMetrics]
    citation_counts: dict[str, int] = field(default_factory=dict)
    fan_out_queries: list[tuple[str, int]] = field(default_factory=list)
    judge: tuple[str, str] | None = None

    @property
    def positive_rate(self) -> Rate | None:
        """The panel brand's positive rate (``None``: the run was not judged)."""
        return self.brands[self.brand].positive_rate

    @property
    def negative_rate(self) -> Rate | None:
        """The panel brand's negative rate (``None``: the run was not judged)."""
        return self.brands[self.brand].negative_rate

    @property
    def recommended_rate(self) -> Rate | None:
        """The panel brand's recommended rate (``None``: the run was not judged)."""
        return self.brands[self.brand].recommended_rate

    @property
    def surface(self) -> str:
        """The slice's surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper)."""
        return self.key.get("surface", "api")

    @property
    def mention_rate(self) -> Rate:
        """The panel brand's mention rate."""
        return self.brands[self.brand].mention_rate

    @property
    def share_of_voice(self) -> Rate:
        """The panel brand's share of voice."""
        return self.brands[self.brand].share_of_voice

    @property
    def answer_share(self) -> Rate:
        """The panel brand's answer share."""
        return self.brands[self.brand].answer_share

    @property
    def average_position(self) -> float | None:
        """The panel brand's average position."""
        return self.brands[self.brand].average_position

    @property
    def citation_rate(self) -> Rate:
        """The panel brand's citation rate."""
        return self.brands[self.brand].citation_rate

    @property
    def citation_share(self) -> dict[str, float]:
        """Per cited domain: its citations / all citations, most cited first."""
        if not self.citations:
            return {}
        return {d: c / self.citations for d, c in self.citation_counts.items()}

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return {
            "key": dict(self.key),
            "surface": self.surface,
            "brand": self.brand,
            "answers": self.answers,
            "failed": self.failed,
            "pending": self.pending,
            "cost": self.cost,
            "answers_naming_any": self.answers_naming_any,
            "answers_citing_any": self.answers_citing_any,
            "citations": self.citations,
            "brands": {name: m.as_dict() for name, m in self.brands.items()},
            "citation_counts": dict(self.citation_counts),
            "citation_share": self.citation_share,
            "fan_out_queries": [list(q) for q in self.fan_out_queries],
            "judge": list(self.judge) if self.judge else None,
        }


def _judged_rates(
    brands: dict[str, BrandMetrics], prompts: Sequence[int], judged: dict[str, PerPrompt]
) -> dict[str, BrandMetrics]:
    """The brands' numbers with their sentiment rates, from per-prompt verdicts (pure)."""
    out = {}
    none = (0, 0, 0, 0)
    for name, numbers in brands.items():
        counts = {i: judged.get(name, {}).get(i) for i in prompts}
        per = {
            i: (c.verdicts, c.positive, c.negative, c.recommended) if c else none
            for i, c in counts.items()
        }
        out[name] = replace(
            numbers,
            positive_rate=clustered_rate((p[1], p[0]) for p in per.values()),
            negative_rate=clustered_rate((p[2], p[0]) for p in per.values()),
            recommended_rate=clustered_rate((p[3], p[0]) for p in per.values()),
        )
    return out


_PerBrand = defaultdict[tuple[str, ...], defaultdict[str, dict[int, tuple[int, int]]]]
"""Slice -> brand -> prompt index -> (count, rank sum)."""


def _brand_metrics(
    names: Sequence[str],
    has_domains: dict[str, bool],
    prompts: dict[int, tuple[int, int, int]],
    mentions: dict[str, dict[int, tuple[int, int]]],
    cited_by: dict[str, dict[int, tuple[int, int]]],
) -> dict[str, BrandMetrics]:
    """Each tracked brand's rates in one slice, from per-prompt counts (pure)."""
    mentioned = {
        i: sum(mentions.get(name, {}).get(i, (0, 0))[0] for name in names) for i in prompts
    }
    out = {}
    for name in names:
        named = {i: mentions.get(name, {}).get(i, (0, 0))[0] for i in prompts}
        cited = {i: cited_by.get(name, {}).get(i, (0, 0))[0] for i in prompts}
        count = sum(named.values())
        rank_sum = sum(c[1] for i, c in mentions.get(name, {}).items() if i in prompts)
        out[name] = BrandMetrics(
            mention_rate=clustered_rate(
                (named[i], answers) for i, (answers, _, _) in prompts.items()
            ),
            share_of_voice=clustered_rate((named[i], mentioned[i]) for i in prompts),
            average_position=rank_sum / count if count else None,
            citation_rate=clustered_rate(
                (cited[i], citing if has_domains[name] else 0)
                for i, (_, _, citing) in prompts.items()
            ),
            answer_share=clustered_rate((named[i], any_) for i, (_, any_, _) in prompts.items()),
        )
    return out


def _group_sql(by: Sequence[str]) -> tuple[list[str], str]:
    if isinstance(by, str):
        by = (by,)
    columns = []
    for name in by:
        if name not in GROUPS:
            msg = f"by={name!r} is not a slice; metrics groups by {', '.join(GROUPS)}."
            raise VisibilityStoreError(msg, field="by", limit=tuple(GROUPS), actual=name)
        columns.append(GROUPS[name])
    if len(set(by)) != len(by):
        raise VisibilityStoreError("by repeats a key.", field="by", actual=tuple(by))
    return list(by), ", ".join(columns)


@dataclass
class _Counts:
    """A run's counts at the finest grain (engine, surface, model, prompt index), read once."""

    tasks: dict[tuple[str, str, str, int], list[Any]] = field(default_factory=dict)
    """Per slice and prompt: measured, failed, pending, cost, naming any, citing any,
    citations."""
    facts: list[tuple[str, str, int, str, str, int, int, int, int]] = field(default_factory=list)
    """``(engine, surface, prompt_index, kind, name, sum n, sum rank, sum cited, rows)``."""


def _read_counts(store: VisibilityStore, run_id: str) -> _Counts:
    """An index-only scan of the run's tasks (``tasks_by_slice``) and its ``fact_counts``."""
    conn = store.connection
    out = _Counts()
    for row in conn.execute(
        "SELECT engine, surface, model, prompt_index, status, COUNT(*), SUM(cost), "
        # CASE, not SUM(named_count > 0): PostgreSQL's sum(boolean) is an SQL-language
        # aggregate (_dialect.PG_COMPAT), about 8x slower and never run in parallel
        "SUM(CASE WHEN named_count > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN citation_count > 0 THEN 1 ELSE 0 END), SUM(citation_count) "
        "FROM tasks WHERE run_id = ? "
        "GROUP BY engine, surface, model, prompt_index, status",
        (run_id,),
    ):
        counts = out.tasks.setdefault((row[0], row[1], row[2], row[3]), [0, 0, 0, 0.0, 0, 0, 0])
        status, tasks, cost = row[4], row[5], row[6]
        counts[("measured", "failed", "pending").index(status)] += tasks
        counts[3] += cost or 0.0
        if status == "measured":
            counts[4] += row[7]
            counts[5] += row[8]
            counts[6] += row[9]
    out.facts = conn.execute(
        "SELECT engine, surface, prompt_index, kind, name, n, rank, cited, answers "
        "FROM fact_counts WHERE run_id = ? AND answers > 0",
        (run_id,),
    ).fetchall()
    return out


def _roll_up(
    counts: _Counts, names: Sequence[str], prompts: Sequence[str]
) -> tuple[
    dict[tuple[str, ...], dict[str, Any]],
    dict[tuple[str, ...], dict[int, tuple[int, int, int]]],
    _PerBrand,
    _PerBrand,
    dict[tuple[str, ...], dict[str, int]],
    dict[tuple[str, ...], dict[str, int]],
]:
    """The finest-grain counts summed up to the slices of ``by`` (pure)."""
    models: dict[tuple[str, str], str] = {}

    def key_of(engine: str, surface: str, model: str, index: int) -> tuple[str, ...]:
        values = {"engine": engine, "surface": surface, "model": model}
        return tuple(str(prompts[index]) if n == "prompt" else values[n] for n in names)

    base: dict[tuple[str, ...], dict[str, Any]] = {}
    per_prompt: dict[tuple[str, ...], dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for (engine, surface, model, index), c in sorted(counts.tasks.items()):
        models[(engine, surface)] = model
        key = key_of(engine, surface, model, index)
        info = base.setdefault(
            key,
            {
                "answers": 0,
                "failed": 0,
                "pending": 0,
                "cost": 0.0,
                "named_any": 0,
                "citing_any": 0,
                "citations": 0,
            },
        )
        for name, value in zip(info, c, strict=True):
            info[name] += value
        if c[0]:
            answers, any_, citing = per_prompt[key].get(index, (0, 0, 0))
            per_prompt[key][index] = (answers + c[0], any_ + c[4], citing + c[5])
    for key, by_prompt in per_prompt.items():  # prompts in order, as the intervals sum them
        per_prompt[key] = dict(sorted(by_prompt.items()))
    mentions: _PerBrand = defaultdict(lambda: defaultdict(dict))
    cited_by: _PerBrand = defaultdict(lambda: defaultdict(dict))
    domains: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    queries: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    for engine, surface, index, kind, name, n, rank_sum, cited, rows in counts.facts:
        key = key_of(engine, surface, models.get((engine, surface), ""), index)
        if kind == "brand":
            if n:
                named, ranks = mentions[key][name].get(index, (0, 0))
                mentions[key][name][index] = (named + n, ranks + rank_sum)
            if cited:
                count = cited_by[key][name].get(index, (0, 0))[0]
                cited_by[key][name][index] = (count + cited, 0)
        elif kind == "domain":
            domains[key][name] = domains[key].get(name, 0) + n
        else:
            queries[key][name] = queries[key].get(name, 0) + rows
    return base, per_prompt, mentions, cited_by, domains, queries


def metrics(
    store: VisibilityStore,
    run_id: str,
    by: Sequence[str] = ("engine",),
    *,
    top_queries: int = 10,
    judge: str | None = None,
) -> list[VisibilityRow]:
    """Compute the visibility metrics of a run, one row per slice.

    A run with app-surface tasks always has ``surface`` among its slice keys (after
    ``engine``), so API and app answers are side by side and never pooled.

    Args:
        store: The store.
        run_id: The run.
        by: Slice keys among ``engine``, ``surface``, ``prompt``, ``model``; ``()`` for one
            overall row (one per surface in a run with app tasks).
        top_queries: How many fan-out queries to keep per row.
        judge: Whose sentiment verdicts give ``positive_rate``, ``negative_rate`` and
            ``recommended_rate``: a judge model name (its latest prompt version), or
            ``None`` for the judge that judged the run last.

    Returns:
        The rows, ordered by slice key.

    Raises:
        VisibilityStoreError: For an unknown run id or slice key, or a ``judge`` that did
            not judge the run.
    """
    panel = store.panel(run_id)
    _group_sql(by)  # an unknown or repeated key is refused before any read
    counts = _read_counts(store, run_id)
    if any(surface != "api" for _engine, surface, _model, _p in counts.tasks):
        by = with_surface(by)
    names, cols = _group_sql(by)
    brand_names = [b.name for b in panel.brands]
    select = f"{cols}, " if cols else ""
    width = len(names)
    base, per_prompt, mentions, cited_by, domains, queries = _roll_up(counts, names, panel.prompts)
    has_domains = {b.name: bool(b.domains) for b in panel.brands}
    chosen = pick_judge(store, run_id, judge)
    judged = judged_counts(store, run_id, select, cols, width, chosen) if chosen else None
    out = []
    for key in sorted(base):
        info = base[key]
        per_brand = _brand_metrics(
            brand_names, has_domains, per_prompt[key], mentions[key], cited_by[key]
        )
        if judged is not None:
            per_brand = _judged_rates(per_brand, list(per_prompt[key]), judged[key])
        cited_domains = sorted(domains[key].items(), key=lambda item: (-item[1], item[0]))
        top = sorted(queries[key].items(), key=lambda item: (-item[1], item[0]))[:top_queries]
        out.append(
            VisibilityRow(
                key=dict(zip(names, key, strict=True)),
                brand=panel.brand.name,
                answers=info["answers"],
                failed=info["failed"],
                pending=info["pending"],
                cost=round(info["cost"], 7),
                answers_naming_any=info["named_any"],
                answers_citing_any=info["citing_any"],
                citations=info["citations"],
                brands=per_brand,
                citation_counts=dict(cited_domains),
                fan_out_queries=top,
                judge=chosen,
            )
        )
    return out
