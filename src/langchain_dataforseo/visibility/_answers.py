"""Answers as the store keeps them: the task JSON the API sent, or one rebuilt from a message.

The store keeps the task as the API sent it (read off the wire by
:mod:`langchain_dataforseo._raw_tasks`); only an answer whose task was not read in the
call (a LangChain cache replay, say) is rebuilt from the ``ChatDataForSEO`` message,
marked ``"rebuilt_from": "message"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage

from langchain_dataforseo._cost_bounds import checked_cost


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


def raw_task_of(message: AIMessage, tag: str, kept: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The task the API sent for an answer (from ``kept``), else one rebuilt from it.

    Args:
        message: The answer.
        tag: The task's tag.
        kept: Tasks read off the wire during the call, by id
            (:func:`~langchain_dataforseo._raw_tasks.keep_raw_tasks`).

    Returns:
        The raw task object, or :func:`task_from_message`'s rebuilding.
    """
    task_id = message.response_metadata.get("task_id")
    raw = kept.get(task_id) if isinstance(task_id, str) else None
    return raw if raw is not None else task_from_message(message, tag)


def result_cost(message: AIMessage) -> float | None:
    """The cost the package reported for an answer (``response_metadata["cost"]``)."""
    return checked_cost(message.response_metadata.get("cost"))
