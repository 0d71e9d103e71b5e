"""What a run's report says, read from a store and put in words (no markup; pure but for reads).

``_report`` lays it out as HTML (with inline SVG charts) and as a Markdown summary; this
module decides the contents:

- numbers as text (:func:`pct`, :func:`rate_text`) and the run's labels (:func:`when`,
  :func:`method_label`);
- the definitions the report prints (:data:`DEFINITIONS`), and the judged rates it shows
  where a run was judged (:data:`JUDGED`);
- surfaces: a run with app-surface tasks has rows by engine *and* surface. Every row is
  labelled (``chat_gpt · API``, ``chat_gpt · app``), and each engine asked on both surfaces
  gets a table with the two side by side (:func:`side_by_side`): per tracked brand, each
  rate on the API (LLM Responses: the engine's API) and on the app (LLM Scraper: what the
  ChatGPT or Gemini app shows);
- the view over time: :func:`headlines`, one sentence per engine (and surface) from
  ``trend``'s verdict on the panel brand's mention rate, e.g. "HubSpot is visible in 42% of
  ChatGPT answers, up 8 points since 30 Nov, model unchanged"; and :func:`versus_lines`,
  this run against the panel's previous run (``compare_runs``: every rate of every tracked
  brand, Benjamini-Hochberg verdicts);
- the per-prompt drill-down (:func:`drill_down`), bounded: at most :data:`MAX_PROMPTS`
  prompts, :data:`ANSWERS_PER_PROMPT` answers per prompt (the first measured ones, by
  engine, surface and sample), excerpts of at most :data:`EXCERPT_CHARS` characters and
  :data:`CITATIONS_PER_ANSWER` citations per answer; what is left out is said on the page
  ("… 7 more answers", ``[…]``);
- cited domains by category (:func:`domain_categories`), from the stored citations'
  tracked brand: **own** (the panel brand's domains or their subdomains), **competitor** (a
  competitor's domains), **other** (every other domain);
- :class:`Extras` and :func:`gather`: all of the above that the report reads beyond the
  run's own metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from langchain_dataforseo.visibility._matching import extract_for
from langchain_dataforseo.visibility._metrics import BrandMetrics, VisibilityRow
from langchain_dataforseo.visibility._plan import LIVE_ONLY_ENGINES
from langchain_dataforseo.visibility._stats import Rate
from langchain_dataforseo.visibility._store import RunInfo, VisibilityStore
from langchain_dataforseo.visibility._trend import (
    RATES,
    EngineComparison,
    TrendRow,
    compare_runs,
    slice_key,
    trend,
)

# -- numbers as text, the run's labels -----------------------------------------------------


def pct(value: float | None) -> str:
    """``42.0%``, or ``–`` when undefined."""
    return "–" if value is None else f"{100 * value:.1f}%"


def rate_text(value: Rate) -> str:
    """``50.0% [15.0%–85.0%] (2/4)``: Wilson in brackets; ``{…}`` the prompt-level interval."""
    if value.value is None:
        return "undefined"
    text = f"{pct(value.value)} [{pct(value.low)}–{pct(value.high)}] ({value.successes}/{value.n})"
    if value.prompt_low is None:
        return text
    return f"{text} {{{pct(value.prompt_low)}–{pct(value.prompt_high)}}}"


def when(timestamp: str) -> str:
    """An ISO 8601 UTC timestamp as ``2026-12-02 05:23 UTC`` (unchanged if unreadable)."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    except ValueError:
        return timestamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def method_label(info: RunInfo, rows: Sequence[VisibilityRow]) -> str:
    """``standard method``, naming the engines that ran Live in a Standard run.

    Args:
        info: The run.
        rows: Its metrics by engine.

    Returns:
        The label, e.g. ``standard method (perplexity: live)``.
    """
    engines = [str(row.key.get("engine")) for row in rows if row.key.get("surface", "api") == "api"]
    live = [e for e in engines if e in LIVE_ONLY_ENGINES]
    if info.method == "standard" and live:
        return f"standard method ({', '.join(live)}: live)"
    return f"{info.method} method"


# -- definitions and judged rates ----------------------------------------------------------


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


# -- surfaces ------------------------------------------------------------------------------


SURFACE_NAMES: Final = {"api": "API", "app": "app"}
"""How the report names the surfaces."""
SIDE_BY_SIDE_HEAD: Final = (
    "brand",
    "mention rate: API",
    "mention rate: app",
    "share of voice: API",
    "share of voice: app",
    "citation rate: API",
    "citation rate: app",
)


def has_surfaces(rows: Sequence[VisibilityRow]) -> bool:
    """Whether the rows are sliced by surface (a run with app-surface tasks)."""
    return any("surface" in row.key for row in rows)


def row_label(row: VisibilityRow) -> str:
    """``engine``, or ``engine · API`` / ``engine · app`` when rows are by surface."""
    engine = row.key.get("engine", "all")
    if "surface" not in row.key:
        return engine
    return f"{engine} · {SURFACE_NAMES.get(row.surface, row.surface)}"


def surface_note(rows: Sequence[VisibilityRow]) -> str:
    """Where the answers come from, for the report's header."""
    surfaces = {row.surface for row in rows}
    if surfaces == {"api"}:
        return (
            "Answers come from the engines' APIs through DataForSEO's LLM Responses API, not "
            "from the consumer apps; app answers can differ."
        )
    if surfaces == {"app"}:
        return (
            "Answers come from the ChatGPT and Gemini apps through DataForSEO's LLM Scraper "
            "(app surface); only the sources an answer cites count as citations, not the "
            "search results it merely found."
        )
    return (
        "Rows labelled API come from the engines' APIs (DataForSEO's LLM Responses API); rows "
        "labelled app from what the ChatGPT and Gemini apps show (DataForSEO's LLM Scraper). "
        "The two are never pooled. For app answers only the sources cited count as "
        "citations, not the search results merely found."
    )


def side_by_side(
    rows: Sequence[VisibilityRow],
    rate_text: Callable[[Rate], str],
    name_text: Callable[[str], str] = str,
) -> list[tuple[str, list[list[object]]]]:
    """Per engine asked on both surfaces: its API-vs-app table lines.

    Args:
        rows: The metrics by engine and surface.
        rate_text: How a rate is written.
        name_text: How a brand's name is written (the Markdown summary escapes it).

    Returns:
        ``(engine, lines)`` pairs, in engine order; lines follow :data:`SIDE_BY_SIDE_HEAD`.
    """
    by_engine: dict[str, dict[str, VisibilityRow]] = {}
    for row in rows:
        by_engine.setdefault(row.key.get("engine", "all"), {})[row.surface] = row
    out = []
    for engine in sorted(by_engine):
        pair = by_engine[engine]
        if "api" not in pair or "app" not in pair:
            continue
        api, app = pair["api"], pair["app"]
        lines: list[list[object]] = []
        for name in api.brands:
            if name not in app.brands:
                continue
            a, b = api.brands[name], app.brands[name]
            lines.append(
                [
                    name_text(name) + (" (brand)" if name == api.brand else ""),
                    rate_text(a.mention_rate),
                    rate_text(b.mention_rate),
                    rate_text(a.share_of_voice),
                    rate_text(b.share_of_voice),
                    rate_text(a.citation_rate),
                    rate_text(b.citation_rate),
                ]
            )
        out.append((engine, lines))
    return out


# -- over time: headlines and vs last run --------------------------------------------------


ENGINE_NAMES: Final = {
    "chat_gpt": "ChatGPT",
    "gemini": "Gemini",
    "perplexity": "Perplexity",
    "claude": "Claude",
}
"""How the headline names the engines (others by their id)."""
VERDICT_TEXT: Final = {
    "first": "first run",
    "up": "up",
    "down": "down",
    "within_noise": "within noise",
    "not_comparable": "not comparable",
}


VERSUS_HEAD: Final = ("brand", "rate", "last run", "this run", "change", "verdict")


def engine_name(key: dict[str, str]) -> str:
    """``ChatGPT``, ``ChatGPT app`` for an app-surface slice, or the engine's id."""
    engine = key.get("engine", "all")
    name = ENGINE_NAMES.get(engine, engine)
    return f"{name} app" if key.get("surface") == "app" else name


def day(timestamp: str) -> str:
    """An ISO 8601 timestamp as ``30 Nov 2026`` (unchanged if unreadable)."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    except ValueError:
        return timestamp
    return f"{moment.day} {moment:%b %Y}"


def _points(a: float | None, b: float | None) -> int | None:
    """``b - a`` in whole percentage points (``None`` when either is undefined)."""
    return None if a is None or b is None else round(100 * b) - round(100 * a)


def headline(row: TrendRow, previous: TrendRow | None) -> str:
    """The sentence on one slice of a run, from its trend verdict.

    Args:
        row: The run's trend row for the slice.
        previous: The row of the run it was compared against, if any.

    Returns:
        E.g. "HubSpot is visible in 42% of ChatGPT answers, up 8 points since 30 Nov
        2026, model unchanged".
    """
    engine = engine_name(row.key)
    value = row.mention_rate.value
    if value is None:
        return f"{row.brand}: no measured {engine} answer in this run"
    text = f"{row.brand} is visible in {round(100 * value)}% of {engine} answers"
    if previous is None or row.change == "first":
        return f"{text}, the first run of this panel"
    since = day(previous.created_at)
    points = _points(previous.mention_rate.value, value)
    models = f"model changed ({', '.join(previous.models)} → {', '.join(row.models)})"
    model = models if row.model_changed else "model unchanged"
    if not (row.models and previous.models):
        model = "model version not reported"
    if row.change == "up":
        return f"{text}, up {points} points since {since}, {model}"
    if row.change == "down":
        return f"{text}, down {abs(points or 0)} points since {since}, {model}"
    if row.change == "within_noise":
        return f"{text}, {points:+d} points since {since} (within noise), {model}"
    reason = model if row.model_changed else f"{row.reason}; {model}"
    return f"{text}; not comparable with {since}: {reason}"


def headlines(rows: Sequence[TrendRow], run_id: str) -> list[str]:
    """One headline per slice of ``run_id`` (see :func:`headline`).

    Args:
        rows: ``trend`` rows of the run's panel.
        run_id: The run.

    Returns:
        The sentences, in the slices' order.
    """
    by_run = {(r.run_id, slice_key(r.key)): r for r in rows}
    out = []
    for row in rows:
        if row.run_id != run_id:
            continue
        before = by_run.get((row.previous_run or "", slice_key(row.key)))
        out.append(headline(row, before))
    return out


def upto(rows: Sequence[TrendRow], run_id: str) -> list[TrendRow]:
    """The trend rows of the runs up to and including ``run_id`` (creation order)."""
    runs = list(dict.fromkeys(r.run_id for r in rows))
    keep = set(runs[: runs.index(run_id) + 1]) if run_id in runs else set(runs)
    return [r for r in rows if r.run_id in keep]


def interval_note(rows: Sequence[TrendRow]) -> str:
    """Which interval the chart's whiskers show."""
    kinds = {
        r.mention_rate.prompt_low is not None for r in rows if r.mention_rate.value is not None
    }
    if kinds == {True}:
        return "Whiskers: the 95% prompt-level interval (prompts like these)."
    if kinds == {False}:
        return "Whiskers (dashed): the 95% Wilson interval over answers (fewer than 2 prompts)."
    return (
        "Whiskers: the 95% prompt-level interval where a run has 2 or more prompts (solid), "
        "else the Wilson interval over answers (dashed)."
    )


def versus_lines(
    comparison: EngineComparison, name_text: Callable[[str], str] = str
) -> list[list[object]]:
    """The "vs last run" lines of one engine: every tracked brand's rates, both runs.

    Args:
        comparison: ``compare_runs(store, previous, this)`` for the engine and surface.
        name_text: How a brand's name is written (the Markdown summary escapes it).

    Returns:
        Lines following :data:`VERSUS_HEAD`.
    """
    lines: list[list[object]] = []
    for brand, per in comparison.changes.items():
        for name in RATES:
            change = per[name]
            points = None if change.delta is None else 100 * change.delta
            verdict = comparison.verdicts.get(brand, {}).get(name, "not_comparable")
            text = VERDICT_TEXT.get(verdict, verdict)
            if verdict == "not_comparable" and comparison.not_comparable:
                text = f"{text} ({comparison.not_comparable})"
            lines.append(
                [
                    name_text(brand),
                    name.replace("_", " "),
                    pct(change.a.value),
                    pct(change.b.value),
                    "–" if points is None else f"{points:+.1f} pts",
                    text,
                ]
            )
    return lines


# -- drill-down and cited domains by category ----------------------------------------------


MAX_PROMPTS: Final = 50
"""Prompts shown in the drill-down (the panel's first ones)."""
ANSWERS_PER_PROMPT: Final = 3
"""Answers shown per prompt."""
EXCERPT_CHARS: Final = 400
"""Longest excerpt of an answer, in characters (cut at a word, marked ``[…]``)."""
CITATIONS_PER_ANSWER: Final = 8
"""Citations listed per answer."""
CUT_MARKER: Final = " […]"
"""What ends an excerpt that was cut."""
CATEGORIES: Final = ("own", "competitor", "other")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters at a word with :data:`CUT_MARKER`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + CUT_MARKER


@dataclass(frozen=True)
class AnswerView:
    """One answer as the drill-down shows it.

    Attributes:
        engine: The engine.
        surface: ``api`` or ``app``.
        sample: The sample number.
        excerpt: The answer's start (:func:`excerpt`).
        brands: The tracked brands it names, first named first.
        citations: The URLs it cites (at most :data:`CITATIONS_PER_ANSWER`).
        more_citations: Citations left out.
    """

    engine: str
    surface: str
    sample: int
    excerpt: str
    brands: tuple[str, ...]
    citations: tuple[str, ...]
    more_citations: int


@dataclass(frozen=True)
class PromptView:
    """One prompt's answers in the drill-down.

    Attributes:
        prompt: The prompt.
        measured: Its measured answers in the run.
        answers: The ones shown (at most :data:`ANSWERS_PER_PROMPT`).
    """

    prompt: str
    measured: int
    answers: tuple[AnswerView, ...]


def drill_down(
    store: VisibilityStore, run_id: str, per_prompt: int = ANSWERS_PER_PROMPT
) -> tuple[list[PromptView], int]:
    """A run's prompts with a few answers each: excerpt, brands named, citations.

    Args:
        store: The store.
        run_id: The run.
        per_prompt: Answers shown per prompt.

    Returns:
        ``(prompts, prompts_left_out)``: at most :data:`MAX_PROMPTS` prompts, in panel order.
    """
    conn = store.connection
    named: dict[str, list[str]] = {}
    for tag, brand in conn.execute(
        "SELECT t.tag, m.brand FROM mentions m JOIN tasks t ON t.id = m.task "
        "WHERE t.run_id = ? ORDER BY t.tag, m.rank, m.first_offset, m.brand",
        (run_id,),
    ):
        named.setdefault(tag, []).append(brand)
    cited: dict[str, list[str]] = {}
    for tag, url in conn.execute(
        "SELECT t.tag, c.url FROM citations c JOIN tasks t ON t.id = c.task "
        "WHERE t.run_id = ? ORDER BY t.tag, c.seq",
        (run_id,),
    ):
        cited.setdefault(tag, []).append(url)
    measured = [t for t in store.tasks(run_id) if t.status == "measured"]
    measured.sort(key=lambda t: (t.prompt_index, t.sample, t.engine, t.surface))
    prompts: dict[int, tuple[str, list[AnswerView], list[int]]] = {}
    for task in measured:
        _, shown, count = prompts.setdefault(task.prompt_index, (task.prompt, [], [0]))
        count[0] += 1
        if len(shown) >= per_prompt:
            continue
        raw = store.raw_task(run_id, task.tag) or {}
        urls = cited.get(task.tag, [])
        shown.append(
            AnswerView(
                engine=task.engine,
                surface=task.surface,
                sample=task.sample,
                excerpt=excerpt(extract_for(raw, task.surface, task.engine).text),
                brands=tuple(named.get(task.tag, ())),
                citations=tuple(urls[:CITATIONS_PER_ANSWER]),
                more_citations=max(len(urls) - CITATIONS_PER_ANSWER, 0),
            )
        )
    ordered = [prompts[i] for i in sorted(prompts)]
    views = [PromptView(p, n[0], tuple(a)) for p, a, n in ordered[:MAX_PROMPTS]]
    return views, max(len(ordered) - MAX_PROMPTS, 0)


def domain_categories(store: VisibilityStore, run_id: str, brand: str) -> dict[str, Counter[str]]:
    """A run's cited domains by category: own, competitor, other.

    Args:
        store: The store.
        run_id: The run.
        brand: The panel's brand.

    Returns:
        Category (:data:`CATEGORIES`) -> citations per domain.
    """
    out: dict[str, Counter[str]] = {name: Counter() for name in CATEGORIES}
    for domain, owner, count in store.connection.execute(
        "SELECT c.domain, c.brand, COUNT(*) FROM citations c JOIN tasks t ON t.id = c.task "
        "WHERE t.run_id = ? AND t.status = 'measured' GROUP BY c.domain, c.brand",
        (run_id,),
    ):
        category = "other" if owner is None else "own" if owner == brand else "competitor"
        out[category][str(domain)] += int(count)
    return out


# -- what the report reads beyond the run's own metrics ------------------------------------


@dataclass(frozen=True)
class Extras:
    """What the report reads beyond the run's own metrics.

    Attributes:
        headlines: One sentence per engine (and surface).
        trend: ``trend`` rows of the panel's runs up to this one.
        previous: The panel's run before this one, if any.
        versus: ``compare_runs(previous, this)``, empty on a panel's first run.
        categories: Cited domains by category (own, competitor, other).
        prompts: The drill-down.
        prompts_left_out: Prompts past :data:`MAX_PROMPTS`.
    """

    headlines: list[str] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    previous: RunInfo | None = None
    versus: list[EngineComparison] = field(default_factory=list)
    categories: dict[str, Counter[str]] = field(default_factory=dict)
    prompts: list[PromptView] = field(default_factory=list)
    prompts_left_out: int = 0


def gather(store: VisibilityStore, info: RunInfo, brand: str) -> Extras:
    """Read the headline, trend, previous run, categories and drill-down of a run."""
    rows = trend(store, info.panel_name)
    runs = [r for r in store.runs() if r.panel_name == info.panel_name]
    ids = [r.run_id for r in runs]
    at = ids.index(info.run_id)
    previous = runs[at - 1] if at > 0 else None
    versus = compare_runs(store, previous.run_id, info.run_id) if previous else []
    prompts, left_out = drill_down(store, info.run_id)
    return Extras(
        headlines=headlines(rows, info.run_id),
        trend=upto(rows, info.run_id),
        previous=previous,
        versus=versus,
        categories=domain_categories(store, info.run_id, brand),
        prompts=prompts,
        prompts_left_out=left_out,
    )
