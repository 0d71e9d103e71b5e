"""A raw task object rebuilt from a ``ChatDataForSEO`` answer, for users who hold one.

A panel run keeps the task objects the API sent (it runs on the Standard queue, raw
tasks in and out); :func:`task_from_message` is for a user who holds an ``AIMessage``
(from ``invoke``, a cache replay, an agent) and wants it in the store's shape, marked
``"rebuilt_from": "message"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage


def task_from_message(message: AIMessage, tag: str) -> dict[str, Any]:
    """A raw task object (the API's shape) rebuilt from a ``ChatDataForSEO`` answer.

    The package's message keeps everything the store's matching reads: the text (one
    section; the annotations' indices point into it), the annotations (``direct_url``
    included), the fan-out queries, the model, tokens and cost.

    Args:
        message: The answer.
        tag: The task's tag.

    Returns:
        A task object with ``status_code`` 20000 and one result, marked
        ``"rebuilt_from": "message"``.
    """
    meta = message.response_metadata
    usage: Mapping[str, Any] = message.usage_metadata or {}
    details = usage.get("output_token_details") or {}
    items: list[Any] = list(message.additional_kwargs.get("reasoning") or [])
    items.append(
        {
            "type": "message",
            "sections": [
                {"type": "text", "text": message.text, "annotations": meta.get("annotations")}
            ],
        }
    )
    result = {
        "model_name": meta.get("model_name"),
        "input_tokens": usage.get("input_tokens"),
        "output_tokens": usage.get("output_tokens"),
        "reasoning_tokens": details.get("reasoning"),
        "web_search": meta.get("web_search"),
        "money_spent": meta.get("money_spent"),
        "datetime": meta.get("datetime"),
        "items": items,
        "fan_out_queries": meta.get("fan_out_queries"),
    }
    return {
        "id": meta.get("task_id"),
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": meta.get("cost"),
        "data": {"tag": tag, "model_name": meta.get("model_name"), "method": meta.get("method")},
        "rebuilt_from": "message",
        "result": [result],
    }
