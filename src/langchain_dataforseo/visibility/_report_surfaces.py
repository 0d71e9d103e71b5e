"""The report's surface labels and its API-vs-app tables (pure text building).

A run with app-surface tasks has rows by engine *and* surface. Every row is labelled
(``chat_gpt · API``, ``chat_gpt · app``), and each engine asked on both surfaces gets a
table with the two side by side: per tracked brand, each rate on the API (LLM Responses:
the engine's API) and on the app (LLM Scraper: what the ChatGPT or Gemini app shows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from langchain_dataforseo.visibility._metrics import VisibilityRow
from langchain_dataforseo.visibility._stats import Rate

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
