"""``report``: a self-contained HTML report (tables, inline SVG charts) and a Markdown summary.

No chart or table library: the SVG is written here, so a report needs nothing beyond the
standard library and opens offline. The layout fits a 1366 px laptop screen (content at
most 1180 px wide, wide tables scroll inside their box).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from langchain_dataforseo.visibility._escape import escape_markdown
from langchain_dataforseo.visibility._export import write_text
from langchain_dataforseo.visibility._metrics import VisibilityRow, metrics
from langchain_dataforseo.visibility._plan import LIVE_ONLY_ENGINES
from langchain_dataforseo.visibility._report_defs import INTERVAL_NOTE, judged, judged_labels
from langchain_dataforseo.visibility._report_html import (
    colour,
    esc,
    legend,
    md_table,
    pct,
    rate_text,
    table,
)
from langchain_dataforseo.visibility._report_sections import (
    Extras,
    categories_html,
    definitions_html,
    drill_html,
    gather,
    headline_html,
    headline_markdown,
    markdown_sections,
    trend_html,
    versus_html,
)
from langchain_dataforseo.visibility._report_surfaces import (
    SIDE_BY_SIDE_HEAD,
    row_label,
    side_by_side,
    surface_note,
)
from langchain_dataforseo.visibility._store import RunInfo, VisibilityStore

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


_rate_text = rate_text  # the name tests/unit_tests/visibility/test_intervals.py imports
INTERVALS: Final = (
    f"{INTERVAL_NOTE} Share of voice is the brand's mentions over all tracked-brand "
    "mentions (sums to 100%). Definitions: at the end of the report and in docs/metrics.md."
)
"""The note on intervals, in the HTML report and the Markdown summary."""


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


def when(timestamp: str) -> str:
    """An ISO 8601 UTC timestamp as ``2026-12-02 05:23 UTC`` (unchanged if unreadable)."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    except ValueError:
        return timestamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


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
