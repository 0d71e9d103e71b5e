"""Hand-built raw tasks for the visibility tests (plain data, no logic under test)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def raw_task(
    text: str,
    annotations: Sequence[dict[str, Any]] | None = None,
    *,
    fan_out: Sequence[str] | None = None,
    task_id: str = "12021200-1535-0612-0000-000000000001",
    cost: float = 0.0012,
    model: str = "gpt-4.1-mini-2025-04-14",
) -> dict[str, Any]:
    """A finished task (status 20000) whose message has one text section."""
    return {
        "id": task_id,
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": cost,
        "result_count": 1,
        "data": {"api": "ai_optimization", "function": "llm_responses"},
        "result": [
            {
                "model_name": model,
                "web_search": annotations is not None,
                "money_spent": 0.0006,
                "items": [
                    {
                        "type": "message",
                        "sections": [
                            {
                                "type": "text",
                                "text": text,
                                "annotations": list(annotations)
                                if annotations is not None
                                else None,
                            }
                        ],
                    }
                ],
                "fan_out_queries": list(fan_out) if fan_out is not None else None,
            }
        ],
    }


def failed_task(
    code: int = 50301, task_id: str = "12021200-1535-0612-0000-0000000000ff"
) -> dict[str, Any]:
    """A task that failed with ``code`` (no result)."""
    return {
        "id": task_id,
        "status_code": code,
        "status_message": "3rd Party API Service Unavailable.",
        "cost": 0,
        "result_count": 0,
        "result": None,
    }


def cite(url: str, direct_url: str | None = None, title: str = "source") -> dict[str, Any]:
    """One annotation."""
    note: dict[str, Any] = {"title": title, "url": url}
    if direct_url is not None:
        note["direct_url"] = direct_url
    return note
