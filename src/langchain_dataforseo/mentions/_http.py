"""The thinnest adapter from an LLM Mentions endpoint to ``DataForSEOClient``'s call path.

Each call goes through the client's public seam (``api_call`` / ``request`` /
``arequest``): the account's shared httpx clients, call pacer, retry policy (a POST is
retried only when it provably did not run), deadline and response-size cap all apply as
for every other call. Each answered task is counted in active ``track_costs()`` blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from langchain_core.messages import AIMessage

from langchain_dataforseo._client import DataForSEOClient
from langchain_dataforseo._cost_bounds import outcome_unknown
from langchain_dataforseo._request import encode_tasks
from langchain_dataforseo._transport import ApiCall
from langchain_dataforseo.costs import record_cost, record_unknown
from langchain_dataforseo.errors import DataForSEOError
from langchain_dataforseo.mentions._endpoints import Endpoint, max_task_cost
from langchain_dataforseo.mentions._parse import parse_task, task_cost

__all__ = ["acall_endpoint", "call_endpoint"]


def _prepare(client: DataForSEOClient, spec: Endpoint, task: dict[str, Any] | None) -> ApiCall:
    body = encode_tasks([task]) if spec.method == "POST" and task is not None else None
    return client.api_call(spec.method, spec.path, body, f"LLM Mentions {spec.name}")


def _counted(spec: Endpoint, task: dict[str, Any]) -> dict[str, Any]:
    """Count the task's cost in every active ``track_costs()`` block.

    The engine is ``llm_mentions`` and the model the endpoint name, as ``ChatDataForSEO``
    counts its answers.
    """
    meta = {"engine": "llm_mentions", "model_name": spec.name, "cost": task_cost(task)}
    record_cost(AIMessage("", response_metadata=meta))
    return task


@contextmanager
def _unknown_counted(spec: Endpoint, task: dict[str, Any] | None) -> Iterator[None]:
    """A call whose outcome is unknown counts in ``track_costs`` at its bound, then re-raises.

    An unreadable answer (or a timeout after sending) may have been charged: the active
    ``track_costs()`` blocks (and the budget middleware, which reads them) count it at
    the most the task may cost (``mentions._endpoints.max_task_cost``).
    """
    try:
        yield
    except DataForSEOError as error:
        if outcome_unknown(error):
            record_unknown("llm_mentions", spec.name, max_task_cost(spec, task or {}))
        raise


def call_endpoint(
    client: DataForSEOClient, spec: Endpoint, task: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Send one checked task (or a GET) and return the API's task object.

    Args:
        client: The client whose account, limits and retries apply.
        spec: The endpoint.
        task: The task (from ``build_task``); ``None`` for a GET endpoint.

    Returns:
        The task object, status 20000.
    """
    call = _prepare(client, spec, task)
    with _unknown_counted(spec, task):
        answer = client.request(call, partial(parse_task, where=call.where))
    return _counted(spec, answer)


async def acall_endpoint(
    client: DataForSEOClient, spec: Endpoint, task: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Async twin of :func:`call_endpoint` (same request, same parsing).

    Args:
        client: The client.
        spec: The endpoint.
        task: The task, or ``None`` for a GET endpoint.

    Returns:
        The task object, status 20000.
    """
    call = _prepare(client, spec, task)
    with _unknown_counted(spec, task):
        answer = await client.arequest(call, partial(parse_task, where=call.where))
    return _counted(spec, answer)
