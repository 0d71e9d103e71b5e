"""A task's answer to LangChain's outputs, and its charge to LangSmith.

A task's answer to LangChain's outputs: the message with its notes, a result, a chunk.

The USD DataForSEO charged, into LangSmith's cost views, without touching usage totals.

LangSmith reads a run's cost from ``extra.metadata.usage_metadata`` (``input_cost`` /
``output_cost`` / ``total_cost``, langsmith's ``ExtractedUsageMetadata``). For a chat
model run, langchain-core's ``LangChainTracer`` fills that key when the run ends, from the
message's ``usage_metadata``, overwriting whatever was there. The message's
``usage_metadata`` cannot carry the cost: langchain-core's ``UsageMetadata`` has no cost
field, and a float in it makes ``add_usage`` raise, which breaks
``get_usage_metadata_callback`` from the second call on.

So the charge goes on a child run of the chat model's run, of type ``llm``, named
``DataForSEO charge``, whose usage is zero tokens and ``total_cost`` the charge: the way
langsmith's own voice sessions record a model's usage "for cost rollup". It is posted
straight to the tracer's LangSmith client, not through the callbacks, so no usage handler
counts it and the token totals are unchanged. Anything that goes wrong here is logged,
never raised: tracing must not break a call.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo.costs import record_cost

if TYPE_CHECKING:
    from langchain_core.tracers.langchain import LangChainTracer


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


CHARGE_RUN_NAME: Final = "DataForSEO charge"
"""The name of the child run that carries the charge."""

_LOG: Final = logging.getLogger(__name__)


def charge_usage(cost: float) -> dict[str, Any]:
    """The child run's usage: no tokens, the charge as ``total_cost`` (langsmith's keys).

    DataForSEO reports one charge per task, not split into input and output, so only
    ``total_cost`` is given.

    Args:
        cost: USD charged.

    Returns:
        An ``ExtractedUsageMetadata`` dict.
    """
    return {
        "input_tokens": 0,
        "output_tokens": 0,
        "total_tokens": 0,
        "total_cost": cost,
    }


def report_charge(
    run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
    message: AIMessage,
) -> None:
    """Post the answer's charge under the chat model's run, for each LangSmith tracer.

    Nothing is posted when no ``LangChainTracer`` traces the call or nothing was charged.

    Args:
        run_manager: The chat model run's callback manager.
        message: The answer (``response_metadata["cost"]`` is the charge).
    """
    cost = message.response_metadata.get("cost")
    if run_manager is None or not isinstance(cost, (int, float)) or cost <= 0:
        return
    # a tracer exists only once its module is loaded: not loaded, none traces this call (and
    # the module, with langsmith's run helpers, is not loaded for nothing: import cost)
    tracers = sys.modules.get("langchain_core.tracers.langchain")
    if tracers is None:
        return
    for handler in run_manager.handlers:
        if not isinstance(handler, tracers.LangChainTracer):
            continue
        try:
            _post_charge(handler, str(run_manager.run_id), float(cost), message)
        except Exception:  # tracing must never break the call
            _LOG.debug("Could not post the DataForSEO charge to LangSmith", exc_info=True)


def _post_charge(tracer: LangChainTracer, run_id: str, cost: float, message: AIMessage) -> None:
    """Create, end and post the charge's child run of one tracer's run."""
    run = tracer.run_map.get(run_id)
    if run is None:
        return
    meta = message.response_metadata
    details = {key: meta.get(key) for key in ("task_id", "model_name", "engine", "method")}
    child = run.create_child(
        name=CHARGE_RUN_NAME,
        run_type="llm",
        inputs={"task_id": details["task_id"]},
        extra={"metadata": {"usage_metadata": charge_usage(cost), "dataforseo": details}},
    )
    child.end(outputs={"cost": cost, **details})
    child.post()
