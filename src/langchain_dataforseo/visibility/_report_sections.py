"""The report's sections beyond one run's own tables (HTML and Markdown).

The headline, visibility over time, this run vs the last run, cited domains by category,
the per-prompt drill-down and the definitions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from langchain_dataforseo.visibility._compare import EngineComparison, compare_runs
from langchain_dataforseo.visibility._escape import escape_markdown
from langchain_dataforseo.visibility._report_defs import definition_lines
from langchain_dataforseo.visibility._report_drill import (
    ANSWERS_PER_PROMPT,
    CATEGORIES,
    CITATIONS_PER_ANSWER,
    EXCERPT_CHARS,
    MAX_PROMPTS,
    AnswerView,
    PromptView,
    domain_categories,
    drill_down,
)
from langchain_dataforseo.visibility._report_html import colour, esc, md_table, pct, table
from langchain_dataforseo.visibility._report_trend import (
    VERSUS_HEAD,
    day,
    engine_name,
    headlines,
    interval_note,
    trend_chart,
    upto,
    versus_lines,
)
from langchain_dataforseo.visibility._store import RunInfo, VisibilityStore
from langchain_dataforseo.visibility._trend import TrendRow, slice_key, trend

DEFINITIONS_HEAD = ("metric", "definition", "interval it carries")
CATEGORY_HEAD = ("category", "domain", "citations", "share of all citations")
_PER_CATEGORY = 8


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


def headline_html(extras: Extras) -> str:
    """The headline: one sentence per engine."""
    items = "".join(f"<li>{esc(line)}.</li>" for line in extras.headlines)
    return f'<ul class="headline">{items}</ul>' if items else ""


def trend_html(extras: Extras) -> str:
    """Visibility over time: one chart per engine (and surface)."""
    slices: dict[tuple[tuple[str, str], ...], list[TrendRow]] = {}
    for row in extras.trend:
        slices.setdefault(slice_key(row.key), []).append(row)
    runs = len({r.run_id for r in extras.trend})
    charts = "".join(
        f'<div class="box">{trend_chart(rows, colour(0))}'
        f'<p class="note">{esc(interval_note(rows))}</p></div>'
        for rows in slices.values()
    )
    return (
        f"<h2>Visibility over time ({runs} run{'s' * (runs != 1)} of this panel)</h2>"
        '<p class="note">The brand\'s mention rate per run; above each point its verdict '
        "against the previous run (▲ up, ▼ down, ≈ within noise, n/c not comparable); a "
        f"dashed red line marks a model change.</p>{charts}"
    )


def _versus_title(extras: Extras) -> str:
    """Which run this one is compared against."""
    if extras.previous is None:
        return "This is the panel's first run: nothing to compare against yet."
    return (
        f"Against run {extras.previous.run_id} of {day(extras.previous.created_at)} "
        "(every rate of every tracked brand; verdicts by the z-test, Benjamini-Hochberg "
        "across the cells)."
    )


def versus_html(extras: Extras) -> str:
    """This run against the panel's previous run, per engine."""
    parts = [
        "<h2>This run vs the last run</h2>",
        f'<p class="note">{esc(_versus_title(extras))}</p>',
    ]
    for comparison in extras.versus:
        key = {"engine": comparison.engine, "surface": comparison.surface}
        parts.append(f"<h3>{esc(engine_name(key))}</h3>")
        parts.append(table(VERSUS_HEAD, versus_lines(comparison)))
    return "".join(parts)


def _category_lines(extras: Extras) -> list[list[object]]:
    """The top domains of each category, with the rest summed."""
    total = sum(sum(c.values()) for c in extras.categories.values())
    lines: list[list[object]] = []
    for name in CATEGORIES:
        counts = extras.categories.get(name, Counter())
        top = counts.most_common(_PER_CATEGORY)
        if not top:
            lines.append([name, "(none)", 0, pct(0.0 if total else None)])
        for domain, count in top:
            lines.append([name, domain, count, pct(count / total)])
        if len(counts) > _PER_CATEGORY:
            rest = sum(counts.values()) - sum(c for _, c in top)
            lines.append(
                [name, f"{len(counts) - _PER_CATEGORY} more domains", rest, pct(rest / total)]
            )
    return lines


def categories_html(extras: Extras) -> str:
    """Cited domains by category (own / competitor / other), with totals."""
    total = sum(sum(c.values()) for c in extras.categories.values())
    shares = {n: sum(extras.categories.get(n, Counter()).values()) for n in CATEGORIES}
    sums = ", ".join(f"{n} {pct(c / total) if total else '–'}" for n, c in shares.items())
    return (
        "<h2>Cited domains by category</h2>"
        f'<p class="note">Of {total} citations: {esc(sums)}. Own: the brand\'s domains; '
        "competitor: a competitor's domains; other: everything else.</p>"
        + table(CATEGORY_HEAD, _category_lines(extras))
    )


def _answer_html(a: AnswerView) -> str:
    """One answer of the drill-down: where, which brands, the excerpt, its citations."""
    where = engine_name({"engine": a.engine, "surface": a.surface})
    brands = ", ".join(a.brands) if a.brands else "no tracked brand"
    cites = " · ".join(a.citations) if a.citations else "no citation"
    more = f" · … {a.more_citations} more" if a.more_citations else ""
    return (
        f'<div class="answer"><div class="who">{esc(where)}, sample {a.sample + 1} · names: '
        f'<b>{esc(brands)}</b></div><p class="excerpt">{esc(a.excerpt)}</p>'
        f'<div class="cites">Cites: {esc(cites)}{esc(more)}</div></div>'
    )


def drill_html(extras: Extras) -> str:
    """The per-prompt drill-down: a few answers per prompt, escaped."""
    parts = [
        "<h2>Prompts and answers</h2>",
        f'<p class="note">Per prompt at most {ANSWERS_PER_PROMPT} answers, excerpts cut at '
        f"{EXCERPT_CHARS} characters (marked […]), {CITATIONS_PER_ANSWER} citations per "
        f"answer, the first {MAX_PROMPTS} prompts; the whole answers are in answers.json.</p>",
    ]
    for view in extras.prompts:
        hidden = view.measured - len(view.answers)
        more = f'<p class="note">… {hidden} more answers</p>' if hidden else ""
        answers = "".join(_answer_html(a) for a in view.answers)
        parts.append(
            f"<details open><summary>{esc(view.prompt)} ({view.measured} answers)</summary>"
            f"{answers}{more}</details>"
        )
    if extras.prompts_left_out:
        parts.append(f'<p class="note">… {extras.prompts_left_out} more prompts</p>')
    return "".join(parts)


def definitions_html(judged: list[str]) -> str:
    """Every metric's definition and which interval it carries."""
    return "<h2>Definitions</h2>" + table(DEFINITIONS_HEAD, definition_lines(judged), "defs")


def markdown_sections(extras: Extras, judged: list[str]) -> list[str]:
    """The Markdown summary's headline-to-definitions parts (user text escaped)."""
    e = escape_markdown
    parts = ["## This run vs the last run", "", e(_versus_title(extras)), ""]
    for comparison in extras.versus:
        key = {"engine": comparison.engine, "surface": comparison.surface}
        parts += [
            f"### {e(engine_name(key))}",
            "",
            md_table(VERSUS_HEAD, versus_lines(comparison, e)),
            "",
        ]
    lines = [
        [e(str(c)) if i == 1 else c for i, c in enumerate(line)] for line in _category_lines(extras)
    ]
    parts += ["## Cited domains by category", "", md_table(CATEGORY_HEAD, lines), ""]
    defs = [[e(str(c)) for c in line] for line in definition_lines(judged)]
    parts += ["## Definitions", "", md_table(DEFINITIONS_HEAD, defs), ""]
    return parts


def headline_markdown(extras: Extras) -> list[str]:
    """The headline as Markdown bullets (brand names escaped)."""
    return [f"- **{escape_markdown(line)}.**" for line in extras.headlines]
