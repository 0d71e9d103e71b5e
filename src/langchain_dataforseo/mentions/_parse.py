"""Read LLM Mentions answers (pure functions): tasks, mention rows as Documents, metrics.

Fields are the official client's (REFERENCE.md). Anything missing or null reads as empty,
so an answer with fewer fields than documented still parses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from langchain_core.documents import Document

from langchain_dataforseo._answers import parse_task
from langchain_dataforseo._envelope import as_dict, as_float, as_list

__all__ = [
    "first_result",
    "format_metrics",
    "format_rows",
    "mention_document",
    "parse_task",
    "task_cost",
]

GROUPS: Final = (
    "platform",
    "location",
    "language",
    "sources_domain",
    "search_results_domain",
    "brand_entities_title",
    "brand_entities_category",
)
"""The grouped lists of an aggregated-metrics object (SDK 2.1.10)."""


def task_cost(task: Mapping[str, Any]) -> float:
    """The USD cost the API reports for a task (0.0 when absent)."""
    return as_float(task.get("cost"))


def first_result(task: Mapping[str, Any]) -> dict[str, Any]:
    """The task's first result object, or ``{}`` when the result is null or empty."""
    results = as_list(task.get("result"))
    return as_dict(results[0]) if results else {}


def _entries(value: object) -> list[dict[str, Any]]:
    """Each object of a list, every field kept but nulls (documented or not: none dropped)."""
    return [
        {k: v for k, v in entry.items() if v is not None}
        for entry in as_list(value)
        if isinstance(entry, Mapping)
    ]


def _brands(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _entries(item.get("brand_entities"))


def mention_document(item: Mapping[str, Any], *, task_id: str | None, cost: float) -> Document:
    """Turn one ``search_mentions`` row into a Document.

    Args:
        item: One element of ``result[0].items``.
        task_id: The task that returned it.
        cost: The USD cost of the whole call that returned it (shared by its rows).

    Returns:
        A Document whose ``page_content`` is the answer (markdown) and whose metadata holds
        ``question``, ``sources`` (every field the API gives, ``thumbnail`` and
        ``markdown`` included), ``search_results`` (ChatGPT: every search result it
        retrieved), ``brand_entities``, ``ai_search_volume``,
        ``monthly_searches``, ``first_seen`` / ``last_seen`` (the API's
        ``first_response_at`` / ``last_response_at``), ``platform``, ``model_name``,
        ``location_code``, ``language_code``, ``fan_out_queries``, ``is_web_search_based``,
        ``task_id`` and ``call_cost``.
    """
    metadata: dict[str, Any] = {
        "question": item.get("question") or "",
        "sources": _entries(item.get("sources")),
        "search_results": _entries(item.get("search_results")),
        "brand_entities": _brands(item),
        "ai_search_volume": item.get("ai_search_volume"),
        "monthly_searches": [as_dict(m) for m in as_list(item.get("monthly_searches"))],
        "first_seen": item.get("first_response_at"),
        "last_seen": item.get("last_response_at"),
        "platform": item.get("platform"),
        "model_name": item.get("model_name"),
        "location_code": item.get("location_code"),
        "language_code": item.get("language_code"),
        "fan_out_queries": [q for q in as_list(item.get("fan_out_queries")) if isinstance(q, str)],
        "is_web_search_based": item.get("is_web_search_based"),
        "task_id": task_id,
        "call_cost": cost,
    }
    return Document(page_content=str(item.get("answer") or ""), metadata=metadata)


def format_metrics(summary: Mapping[str, Any], *, top: int = 5) -> str:
    """Text for an LLM: the totals, then the first entries of each non-empty group.

    ``summary`` is what ``_metrics.read_summary`` gives.
    """
    total = as_dict(summary.get("total"))
    impressions = f", impressions {total['impressions']}" if "impressions" in total else ""
    summed = f" ({total['from']})" if total.get("from") else ""
    lines = [
        f"Total: {total.get('mentions')} mentions, "
        f"AI search volume {total.get('ai_search_volume')}{impressions}{summed}."
    ]
    for name in GROUPS:
        groups = as_list(summary.get(name))[:top]
        if groups:
            shown = "; ".join(
                f"{g['key']} ({g['mentions']} mentions, volume {g['ai_search_volume']})"
                for g in groups
            )
            lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def format_rows(rows: list[dict[str, Any]], key: str) -> str:
    """Text for an LLM: one numbered line per top-mentioned domain, page or brand."""
    if not rows:
        return "No mentions found for this target."
    lines = []
    for i, row in enumerate(rows, 1):
        total = as_dict(as_dict(row.get("metrics")).get("total"))
        lines.append(
            f"{i}. {row.get(key)}: {total.get('mentions')} mentions, "
            f"AI search volume {total.get('ai_search_volume')}"
        )
    return "\n".join(lines)
