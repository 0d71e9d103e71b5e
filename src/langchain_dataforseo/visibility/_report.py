"""``report``: a self-contained HTML report (tables, inline SVG charts) and a Markdown summary.

No chart or table library: the SVG is written here, so a report needs nothing beyond the
standard library and opens offline. The layout fits a 1366 px laptop screen (content at
most 1180 px wide, wide tables scroll inside their box).

This module is the layout: the building blocks (escaped cells, tables, colours, charts),
the sections (headline, visibility over time, vs last run, cited domains by category, the
drill-down, definitions), and the two documents (:func:`render_html`,
:func:`render_markdown`). What they say is decided in ``_report_data``.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from langchain_dataforseo.visibility._export import escape_markdown, write_text
from langchain_dataforseo.visibility._metrics import VisibilityRow, metrics
from langchain_dataforseo.visibility._report_data import (
    ANSWERS_PER_PROMPT,
    CATEGORIES,
    CITATIONS_PER_ANSWER,
    EXCERPT_CHARS,
    INTERVAL_NOTE,
    MAX_PROMPTS,
    SIDE_BY_SIDE_HEAD,
    VERSUS_HEAD,
    AnswerView,
    Extras,
    day,
    definition_lines,
    engine_name,
    gather,
    interval_note,
    judged,
    judged_labels,
    method_label,
    pct,
    rate_text,
    row_label,
    side_by_side,
    surface_note,
    versus_lines,
    when,
)
from langchain_dataforseo.visibility._store import RunInfo, VisibilityStore
from langchain_dataforseo.visibility._trend import TrendRow, slice_key

_CSS: Final = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;
margin:0;background:#f9fafb}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px}
.meta{color:#4b5563;margin:0 0 16px}.note{color:#6b7280;font-size:13px}
.box{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 16px;
overflow-x:auto;margin-bottom:14px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{background:#f3f4f6;font-weight:600}
td.text{text-align:left;white-space:normal}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#374151}
.key span{display:inline-block;margin-right:14px;font-size:13px}
.key i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;
vertical-align:-1px}
.headline{font-size:18px;font-weight:600;margin:6px 0 14px;padding-left:0;list-style:none}
.headline li{margin:4px 0}
details{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;
margin-bottom:8px}
summary{cursor:pointer;font-weight:600}
.answer{border-top:1px solid #f3f4f6;padding:8px 0;font-size:14px}
.answer .who{color:#4b5563;font-size:13px}
.excerpt{margin:4px 0;white-space:normal}
.cites{color:#0e7490;font-size:12px;word-break:break-all}
"""


INTERVALS: Final = (
    f"{INTERVAL_NOTE} Share of voice is the brand's mentions over all tracked-brand "
    "mentions (sums to 100%). Definitions: at the end of the report and in docs/metrics.md."
)
"""The note on intervals, in the HTML report and the Markdown summary."""


# -- building blocks: escaped cells, tables, colours ---------------------------------------


COLOURS: Final = (
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#ca8a04",
    "#db2777",
    "#4b5563",
)
"""Series colours, brand first."""


def esc(text: object) -> str:
    """Text as inert HTML (``&``, ``<``, ``>`` and both quotes escaped)."""
    return html.escape(str(text), quote=True)


def colour(index: int) -> str:
    """The ``index``-th series colour (cycling)."""
    return COLOURS[index % len(COLOURS)]


def legend(names: Sequence[str]) -> str:
    """A colour key for the series ``names``."""
    items = "".join(
        f'<span><i style="background:{colour(i)}"></i>{esc(n)}</span>' for i, n in enumerate(names)
    )
    return f'<div class="key">{items}</div>'


def table(headers: Sequence[str], lines: Sequence[Sequence[object]], css: str = "") -> str:
    """An HTML table in a box; every cell escaped."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in line) + "</tr>" for line in lines
    )
    klass = f' class="{css}"' if css else ""
    return (
        f'<div class="box"><table{klass}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def md_table(headers: Sequence[str], lines: Sequence[Sequence[object]]) -> str:
    """A GFM table; text from a user or the API in ``lines`` is already escaped."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out.extend("| " + " | ".join(str(v) for v in line) + " |" for line in lines)
    return "\n".join(out)


# -- charts (inline SVG) -------------------------------------------------------------------


def _grouped_bars(title: str, rows: Sequence[VisibilityRow], names: Sequence[str]) -> str:
    """Share of voice: per engine a group of horizontal bars, one per brand."""
    bar, gap, label_w, width = 14, 10, 120, 540
    plot = width - label_w - 60
    y = 24
    parts = [f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    for row in rows:
        engine = row_label(row)
        parts.append(f'<text x="0" y="{y + bar}">{esc(engine)}</text>')
        for i, name in enumerate(names):
            value = row.brands[name].share_of_voice.value
            length = 0.0 if value is None else plot * value
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar - 2}" '
                f'fill="{colour(i)}"><title>{esc(name)}: {pct(value)}</title></rect>'
                f'<text x="{label_w + length + 4:.1f}" y="{y + bar - 3}">{pct(value)}</text>'
            )
            y += bar
        y += gap
    height = y + 4
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{esc(title)}">{"".join(parts)}</svg>'
    )


def _domain_bars(title: str, counts: Counter[str], total: int, limit: int = 12) -> str:
    bar, label_w, width = 18, 190, 540
    plot = width - label_w - 70
    top = counts.most_common(limit)
    parts = [f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    y = 26
    largest = top[0][1] if top else 1
    for domain, count in top:
        share = count / total if total else 0.0
        length = plot * count / largest
        parts.append(
            f'<text x="0" y="{y + 13}">{esc(domain[:28])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar - 4}" fill="#0891b2">'
            f"<title>{esc(domain)}: {count} citations</title></rect>"
            f'<text x="{label_w + length + 4:.1f}" y="{y + 12}">{pct(share)}</text>'
        )
        y += bar
    if not top:
        parts.append('<text x="0" y="40">no citations</text>')
        y += 24
    return (
        f'<svg viewBox="0 0 {width} {y + 6}" width="{width}" role="img" '
        f'aria-label="{esc(title)}">{"".join(parts)}</svg>'
    )


def _interval_chart(title: str, rows: Sequence[VisibilityRow], names: Sequence[str]) -> str:
    """Mention rate per engine and brand: a dot at the rate, a whisker for its 95% interval."""
    step, label_w, width = 16, 120, 540
    plot = width - label_w - 24
    parts = [f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    y = 46
    for tick in range(0, 101, 25):
        x = label_w + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="36" x2="{x:.1f}" y2="9999" stroke="#e5e7eb"/>'
            f'<text x="{x:.1f}" y="32" font-size="10" text-anchor="middle">{tick}%</text>'
        )
    for row in rows:
        parts.append(f'<text x="0" y="{y + 10}">{esc(row_label(row))}</text>')
        for i, name in enumerate(names):
            value = row.brands[name].mention_rate
            if value.value is not None and value.low is not None and value.high is not None:
                x1, x2 = label_w + plot * value.low, label_w + plot * value.high
                cx = label_w + plot * value.value
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y + 6}" x2="{x2:.1f}" y2="{y + 6}" '
                    f'stroke="{colour(i)}" stroke-width="2"/>'
                    f'<circle cx="{cx:.1f}" cy="{y + 6}" r="4" fill="{colour(i)}">'
                    f"<title>{esc(name)}: {esc(rate_text(value))}</title></circle>"
                )
            y += step
        y += 8
    svg = "".join(parts).replace('y2="9999"', f'y2="{y}"')
    return (
        f'<svg viewBox="0 0 {width} {y + 4}" width="{width}" role="img" '
        f'aria-label="{esc(title)}">{svg}</svg>'
    )


_MARKS: Final = {
    "first": "first",
    "up": "▲ up",
    "down": "▼ down",
    "within_noise": "≈ noise",
    "not_comparable": "n/c",
}


def trend_chart(rows: Sequence[TrendRow], colour: str) -> str:
    """One slice's mention rate over runs (an inline SVG), interval whiskers and verdicts.

    Args:
        rows: The slice's trend rows, oldest first.
        colour: The series colour.

    Returns:
        The SVG element.
    """
    left, top, plot_h, width = 44, 34, 180, 1080
    plot_w = width - left - 60
    title = f"{rows[0].brand} on {engine_name(rows[0].key)}: mention rate per run"
    parts = [f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick}%</text>'
        )
    step = plot_w / max(len(rows), 1)
    line: list[str] = []
    for i, row in enumerate(rows):
        x = left + step * (i + 0.5)
        rate = row.mention_rate
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="10" text-anchor="middle">'
            f"{esc(day(row.created_at))}</text>"
        )
        if row.model_changed or (row.reason or "").find("model") >= 0:
            parts.append(
                f'<line x1="{x - step / 2:.1f}" y1="{top - 4}" x2="{x - step / 2:.1f}" '
                f'y2="{top + plot_h}" stroke="#dc2626" stroke-dasharray="4 3"/>'
                f'<text x="{x - step / 2 + 4:.1f}" y="{top + plot_h - 6}" font-size="11" '
                f'fill="#dc2626">model changed</text>'
            )
        if rate.value is None:
            continue
        prompt_level = rate.prompt_low is not None and rate.prompt_high is not None
        low, high = (rate.prompt_low, rate.prompt_high) if prompt_level else (rate.low, rate.high)
        which = "prompt-level" if prompt_level else "Wilson"
        y = top + plot_h * (1 - rate.value)
        label_y = y + 16 if y < top + 16 else y - 7
        line.append(f"{x:.1f},{y:.1f}")
        if low is not None and high is not None:
            dash = "" if prompt_level else ' stroke-dasharray="3 2"'
            parts.append(
                f'<line x1="{x:.1f}" y1="{top + plot_h * (1 - low):.1f}" x2="{x:.1f}" '
                f'y2="{top + plot_h * (1 - high):.1f}" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"><title>'
            f"{esc(row.run_id)}: {pct(rate.value)}, {which} 95% interval "
            f"{pct(low)}–{pct(high)}</title></circle>"
            f'<text x="{x + 8:.1f}" y="{label_y:.1f}" font-size="12">{pct(rate.value)} '
            f"{esc(_MARKS.get(row.change, row.change))}</text>"
        )
    if len(line) > 1:
        parts.insert(1, f'<polyline points="{" ".join(line)}" fill="none" stroke="{colour}"/>')
    height = top + plot_h + 26
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{esc(title)}">{"".join(parts)}</svg>'
    )


# -- sections beyond one run's own tables --------------------------------------------------


DEFINITIONS_HEAD = ("metric", "definition", "interval it carries")
CATEGORY_HEAD = ("category", "domain", "citations", "share of all citations")
_PER_CATEGORY = 8


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


# -- the documents -------------------------------------------------------------------------


def _overview_lines(
    rows: Sequence[VisibilityRow], text: Callable[[str], str] = str
) -> list[list[object]]:
    return [
        [
            text(row_label(row)),
            row.answers,
            row.failed,
            row.pending,
            row.answers_naming_any,
            row.answers_citing_any,
            f"${row.cost:.4f}",
        ]
        for row in rows
    ]


def _brand_lines(
    row: VisibilityRow, text: Callable[[str], str] = str, judged_present: Sequence[str] = ()
) -> list[list[object]]:
    """Per tracked brand: its rates (and the judged rates present in the report)."""
    lines: list[list[object]] = []
    for name, m in row.brands.items():
        position = "–" if m.average_position is None else f"{m.average_position:.2f}"
        rates = judged(m)
        extra = [rate_text(rates[label]) if label in rates else "–" for label in judged_present]
        lines.append(
            [
                text(name) + (" (brand)" if name == row.brand else ""),
                rate_text(m.mention_rate),
                rate_text(m.share_of_voice),
                position,
                rate_text(m.citation_rate),
                *extra,
            ]
        )
    return lines


_OVERVIEW: Final = ("engine", "answers", "failed", "pending", "naming any brand", "citing", "cost")
_BRAND_HEAD: Final = (
    "brand",
    "mention rate [Wilson] {prompt level}",
    "share of voice (of tracked mentions)",
    "avg position",
    "citation rate",
)


def _all_domains(rows: Sequence[VisibilityRow]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(row.citation_counts)
    return counts, sum(row.citations for row in rows)


def render_html(
    info: RunInfo,
    rows: Sequence[VisibilityRow],
    names: Sequence[str],
    extras: Extras | None = None,
) -> str:
    """The HTML report of a run (one self-contained page).

    Args:
        info: The run.
        rows: Its metrics by engine.
        names: The tracked brands (brand first).
        extras: Headline, trend, vs last run, domain categories and drill-down
            (:func:`gather`); without it only the run's own tables and charts.

    Returns:
        The HTML document.
    """
    extras = extras or Extras()
    present = judged_labels(list(rows))
    counts, total = _all_domains(rows)
    sections = [
        f"<h1>AI visibility: {esc(info.panel_name)}</h1>",
        f'<p class="meta">Run <b>{esc(info.run_id)}</b> · {esc(method_label(info, rows))} · '
        f"created {esc(when(info.created_at))} · {info.measured} measured, {info.failed} failed, "
        f"{info.pending} pending · cost ${info.cost:.4f}</p>",
        headline_html(extras),
        f'<p class="note">{esc(surface_note(rows))} Failed and pending tasks are counted '
        f"apart and are in no denominator. {esc(INTERVALS)}</p>",
        trend_html(extras) if extras.trend else "",
        versus_html(extras),
        "<h2>This run: overview</h2>",
        table(_OVERVIEW, _overview_lines(rows)),
        '<div class="grid"><div class="box">',
        _grouped_bars("Share of voice per engine", rows, names),
        legend(names),
        '</div><div class="box">',
        _interval_chart("Mention rate per engine (95% interval, answer level)", rows, names),
        legend(names),
        "</div></div>",
        '<div class="box">',
        _domain_bars("Top cited domains (share of all citations)", counts, total),
        "</div>",
        categories_html(extras) if extras.categories else "",
    ]
    for engine, lines in side_by_side(rows, rate_text):
        sections.append(f"<h2>{esc(engine)}: API vs app</h2>")
        sections.append(table(SIDE_BY_SIDE_HEAD, lines))
    for row in rows:
        sections.append(f"<h2>{esc(row_label(row))}</h2>")
        head = (*_BRAND_HEAD, *present)
        sections.append(table(head, _brand_lines(row, judged_present=present)))
        domains = [
            [d, c, pct(c / row.citations)] for d, c in list(row.citation_counts.items())[:10]
        ]
        queries = [[q, n] for q, n in row.fan_out_queries]
        sections.append('<div class="grid"><div>')
        sections.append(table(("cited domain", "citations", "share"), domains))
        sections.append("</div><div>")
        sections.append(table(("fan-out query", "answers"), queries))
        sections.append("</div></div>")
    sections.append(drill_html(extras) if extras.prompts else "")
    sections.append(definitions_html(present))
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>AI visibility – {esc(info.panel_name)} – {esc(info.run_id)}</title>"
        f"<style>{_CSS}</style></head><body><main>\n{body}\n</main></body></html>\n"
    )


def render_markdown(
    info: RunInfo, rows: Sequence[VisibilityRow], extras: Extras | None = None
) -> str:
    """The Markdown summary of a run.

    Everything that came from a user or the API (panel and brand names, the run id, cited
    domains, engine names) is escaped (:func:`escape_markdown`): it renders as text, never
    as HTML, a link or a table cell of its own.

    Args:
        info: The run.
        rows: Its metrics by engine.
        extras: As for :func:`render_html`.

    Returns:
        Markdown text.
    """
    esc = escape_markdown
    extras = extras or Extras()
    present = judged_labels(list(rows))
    counts, total = _all_domains(rows)
    parts = [
        f"# AI visibility: {esc(info.panel_name)}",
        "",
        f"Run **{esc(info.run_id)}** ({esc(method_label(info, rows))}, created "
        f"{esc(when(info.created_at))}): "
        f"{info.measured} measured, {info.failed} failed, {info.pending} pending; "
        f"cost ${info.cost:.4f}. {surface_note(rows)} "
        f"Failed and pending tasks are in no denominator. {INTERVALS}",
        "",
        *headline_markdown(extras),
        "",
        md_table(_OVERVIEW, _overview_lines(rows, esc)),
        "",
    ]
    for engine, lines in side_by_side(rows, rate_text, esc):
        parts += [f"## {esc(engine)}: API vs app", "", md_table(SIDE_BY_SIDE_HEAD, lines), ""]
    for row in rows:
        parts += [
            f"## {esc(row_label(row))}",
            "",
            md_table((*_BRAND_HEAD, *present), _brand_lines(row, esc, present)),
        ]
        parts.append("")
    top = [[esc(d), c, pct(c / total)] for d, c in counts.most_common(10)]
    parts += ["## Top cited domains", "", md_table(("domain", "citations", "share"), top), ""]
    parts += markdown_sections(extras, present)
    return "\n".join(parts)


def report(
    store: VisibilityStore, run_id: str, path: str | Path, *, markdown: str | Path | None = None
) -> tuple[Path, Path]:
    """Write a run's HTML report and its Markdown summary.

    Args:
        store: The store.
        run_id: The run.
        path: The HTML file.
        markdown: The Markdown file; defaults to ``path`` with the suffix ``.md``.

    Returns:
        ``(html_path, markdown_path)``.

    Raises:
        VisibilityStoreError: For an unknown run id.
    """
    info = store.run(run_id)
    rows = metrics(store, run_id, ("engine",))
    names = [b.name for b in store.panel(run_id).brands]
    extras = gather(store, info, names[0])
    html_path = write_text(path, render_html(info, rows, names, extras))
    md_path = write_text(
        markdown if markdown is not None else Path(path).with_suffix(".md"),
        render_markdown(info, rows, extras),
    )
    return html_path, md_path
