"""Response envelopes and task objects (reference §3 and §4)."""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "API_VERSION",
    "MESSAGES",
    "envelope",
    "format_seconds",
    "service_data",
    "task_object",
    "to_json",
]

API_VERSION = "0.1.20260601"
"""The ``version`` string of every envelope (format ``0.1.YYYYMMDD``)."""

MESSAGES: dict[int, str] = {
    20000: "Ok.",
    20100: "Task Created.",
    40000: "You can set only one task at a time.",
    40002: "This id is used by another search engine, check the Path.",
    40006: "You can set no more than 100 tasks at a time.",
    40100: (
        "You are not authorized to access this resource. See your login details here: "
        "https://app.dataforseo.com/api-access ."
    ),
    40202: "The rate-limit per minute has been exceeded.",
    40209: "Too many simultaneous queries.",
    40400: "Not Found.",
    40401: "Task Not Found.",
    40402: "Invalid Path.",
    40403: "Results Expired.",
    40501: "Invalid Field.",
    40502: "POST Data Is Empty.",
    40503: "POST Data Is Invalid.",
    40506: "Unknown Fields in POST Data.",
    40602: "Task In Queue.",
    50000: "Internal Error.",
    50301: "3rd Party API Service Unavailable.",
}
"""Status messages by code."""


def format_seconds(seconds: float) -> str:
    """Format a duration as ``"N.NNNN sec."``.

    Args:
        seconds: The duration.

    Returns:
        The formatted duration.
    """
    return f"{max(seconds, 0.0):.4f} sec."


def service_data(engine: str, function: str = "llm_responses") -> dict[str, Any]:
    """Return the service keys that open every ``data`` echo.

    Args:
        engine: The engine (``se``).
        function: The ``function`` value.

    Returns:
        ``{"api": "ai_optimization", "function": function, "se": engine}``.
    """
    return {"api": "ai_optimization", "function": function, "se": engine}


def task_object(
    task_id: str,
    code: int,
    path: list[str],
    data: dict[str, Any],
    *,
    message: str | None = None,
    cost: float = 0.0,
    result: list[Any] | None = None,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """Build one task object.

    Args:
        task_id: The task id.
        code: Task status code.
        path: The URL path segments.
        data: The ``data`` echo.
        message: Status message (defaults to the code's standard message).
        cost: Task cost in USD.
        result: The result list, or ``None``.
        seconds: Execution time.

    Returns:
        The task object.
    """
    return {
        "id": task_id,
        "status_code": code,
        "status_message": message if message is not None else MESSAGES[code],
        "time": format_seconds(seconds),
        "cost": cost,
        "result_count": len(result) if result is not None else 0,
        "path": path,
        "data": data,
        "result": result,
    }


def envelope(
    tasks: list[dict[str, Any]] | None,
    *,
    code: int = 20000,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """Build the top-level envelope.

    Args:
        tasks: The task objects, or ``None`` for request-level errors.
        code: Top-level status code.
        seconds: Total execution time.

    Returns:
        The envelope; ``cost`` is the rounded sum of task costs, ``tasks_error`` counts tasks
        whose code is not 20000/20100.
    """
    items = tasks or []
    return {
        "version": API_VERSION,
        "status_code": code,
        "status_message": MESSAGES[code],
        "time": format_seconds(seconds),
        "cost": round(sum(float(t["cost"]) for t in items), 7),
        "tasks_count": len(items),
        "tasks_error": sum(1 for t in items if t["status_code"] not in (20000, 20100)),
        "tasks": tasks,
    }


def to_json(body: dict[str, Any]) -> bytes:
    """Serialise a response body as compact UTF-8 JSON.

    Args:
        body: The JSON object.

    Returns:
        The encoded bytes.
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
