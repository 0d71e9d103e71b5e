"""A task's answer to LangChain's outputs: the message with its notes, a result, a chunk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_dataforseo._results import task_to_message
from langchain_dataforseo.costs import record_cost


def answer_message(
    task: Mapping[str, Any],
    notes: Mapping[str, Any],
    engine: str,
    sent: Mapping[str, Any] | None = None,
) -> AIMessage:
    """The answer of one task, with the builder's notes, its cost recorded.

    Args:
        task: The task object of the API's answer.
        notes: What the builder changed or ignored (``layout``, ``trimmed``, ``ignored``).
        engine: The engine that answered.
        sent: The task as it was sent (its ``max_output_tokens`` decides
            ``finish_reason``: the answer's ``data`` echo may leave it out).

    Returns:
        The message; its cost is counted by any active ``track_costs``.
    """
    limit = (sent or {}).get("max_output_tokens")
    sent_max = limit if isinstance(limit, int) else None
    message = task_to_message(dict(task), engine=engine, sent_max_tokens=sent_max)
    message.response_metadata.update(notes)
    record_cost(message)
    return message


def chat_result(message: AIMessage) -> ChatResult:
    """One message as a ``ChatResult``.

    Args:
        message: The answer.

    Returns:
        A result of one generation.
    """
    return ChatResult(generations=[ChatGeneration(message=message)])


def single_result(outcome: Sequence[AIMessage | Exception]) -> ChatResult:
    """The one outcome of a one-prompt Standard run, as a result or raised.

    Args:
        outcome: Exactly one answer or exception.

    Returns:
        The answer as a result.

    Raises:
        Exception: The outcome, when it is an exception.
    """
    (item,) = outcome
    if isinstance(item, Exception):
        raise item
    return chat_result(item)


def only_message(result: ChatResult) -> AIMessage:
    """The answer of a result made by :func:`chat_result`.

    Args:
        result: A result of one generation.

    Returns:
        Its message.

    Raises:
        TypeError: The generation holds no ``AIMessage``.
    """
    message = result.generations[0].message
    if not isinstance(message, AIMessage):
        msg = f"expected an AIMessage, got {type(message).__name__}"
        raise TypeError(msg)
    return message


def as_chunk(message: AIMessage) -> ChatGenerationChunk:
    """The answer as the one, final chunk of a stream (the API does not stream).

    Args:
        message: The answer.

    Returns:
        A chunk carrying everything: text, metadata, usage.
    """
    chunk = AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        usage_metadata=message.usage_metadata,
        chunk_position="last",
    )
    return ChatGenerationChunk(message=chunk)
