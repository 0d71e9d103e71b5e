"""The report's view over time: the headline, the trend chart and "vs last run".

- :func:`headlines`: one sentence per engine (and surface) from ``trend``'s verdict on the
  panel brand's mention rate, e.g. "HubSpot is visible in 42% of ChatGPT answers, up 8
  points since 30 Nov, model unchanged".
- :func:`trend_chart`: the brand's mention rate run after run with its 95% interval (the
  prompt-level interval where there is one, else Wilson; the chart says which), each
  verdict written above its point and model changes marked by a dashed line.
- :func:`versus_lines`: this run against the panel's previous run (``compare_runs``: every
  rate of every tracked brand, Benjamini-Hochberg verdicts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Final

from langchain_dataforseo.visibility._compare import RATES, EngineComparison
from langchain_dataforseo.visibility._report_html import esc, pct
from langchain_dataforseo.visibility._trend import TrendRow, slice_key

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
_MARKS: Final = {
    "first": "first",
    "up": "▲ up",
    "down": "▼ down",
    "within_noise": "≈ noise",
    "not_comparable": "n/c",
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
