"""The report's building blocks: numbers as text, escaped cells, tables (pure functions)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Final

from langchain_dataforseo.visibility._stats import Rate

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
