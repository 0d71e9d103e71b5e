"""Small builders for API envelopes used by the unit tests (plain data, no logic under test)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from langchain_dataforseo._transport import pools as _pools

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "api_examples"


def example(name: str) -> dict[str, Any]:
    """Load one example response of the API reference."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def envelope(
    *,
    status_code: int = 20000,
    task_status: int = 20000,
    cost: float = 0.0012,
    result: list[dict[str, Any]] | None = None,
    task_id: str = "11221111-1111-0000-0000-000000000001",
) -> dict[str, Any]:
    """A live envelope with one task."""
    if result is None and task_status == 20000:
        result = [
            {
                "model_name": "gpt-4.1-mini-2025-04-14",
                "input_tokens": 10,
                "output_tokens": 5,
                "reasoning_tokens": 0,
                "web_search": False,
                "money_spent": round(cost - 0.0006, 7),
                "datetime": "2026-11-22 10:00:00 +00:00",
                "items": [{"type": "message", "sections": [{"type": "text", "text": "Hello."}]}],
                "fan_out_queries": None,
            }
        ]
    return {
        "version": "0.1.20261122",
        "status_code": status_code,
        "status_message": "Ok." if status_code == 20000 else "Failed.",
        "time": "0.1000 sec.",
        "cost": cost,
        "tasks_count": 1,
        "tasks_error": 0 if task_status == 20000 else 1,
        "tasks": [
            {
                "id": task_id,
                "status_code": task_status,
                "status_message": "Ok." if task_status == 20000 else "Failed.",
                "time": "0.1000 sec.",
                "cost": cost,
                "result_count": len(result or []),
                "path": ["v3", "ai_optimization", "chat_gpt", "llm_responses", "live"],
                "data": {"api": "ai_optimization", "function": "llm_responses", "se": "chat_gpt"},
                "result": result,
            }
        ],
    }


def json_response(body: dict[str, Any], status: int = 200) -> httpx.Response:
    """An httpx response carrying a JSON body."""
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )


def is_models_call(request: httpx.Request) -> bool:
    """Whether the request is the (free) models catalogue GET."""
    return request.method == "GET" and request.url.path.endswith("/llm_responses/models")


def models_response() -> httpx.Response:
    """The reference's models example (gpt-4.1-mini, gpt-4o, o3-mini, o4-mini)."""
    return json_response(example("5.1_models"))


Handler = Callable[[httpx.Request], httpx.Response]


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with the given responses in turn; raises the exceptions.

    Returns the handler and the list of requests it has seen.
    """
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def async_pools() -> dict[Any, httpx.AsyncClient]:
    """The running event loop's shared async clients (read from ``_pools``' own state)."""
    with _pools._LOCK:
        pools = _pools._ASYNC.get(asyncio.get_running_loop(), {})
        return {key: pool.client for key, pool in pools.items()}


def loops_with_pools() -> int:
    """How many event loops hold shared async pools (closed ones are dropped on use)."""
    with _pools._LOCK:
        return len(_pools._ASYNC)
