"""Reading the answers of each endpoint: HTTP response to value, or a typed error (pure).

Shared by the LLM Responses client and by the other AI Optimization endpoints (the LLM
Scraper uses the same envelope and task shapes).
"""

from __future__ import annotations

from typing import Any

import httpx

from langchain_dataforseo._api.catalogue import ModelRecord, parse_models
from langchain_dataforseo._api.envelope import (
    as_dict,
    as_list,
    decode_envelope,
    first_result,
    first_task,
)
from langchain_dataforseo.errors import DataForSEOError, DataForSEOResponseError


def parse_live(response: httpx.Response) -> dict[str, Any]:
    """A live answer: its task, status 20000 with a non-empty result."""
    envelope = decode_envelope(response.status_code, response.content, where="live task")
    try:
        task = first_task(envelope, where="live task")
        first_result(task, where="live task")
    except DataForSEOError as error:  # the failed task as sent, for callers that keep it
        tasks = as_list(envelope.get("tasks"))
        if tasks and isinstance(tasks[0], dict):
            error.raw_task = dict(tasks[0])
        raise
    return task


def parse_post(response: httpx.Response) -> list[Any]:
    """A ``task_post`` answer: its ``tasks`` array, in the order sent."""
    envelope = decode_envelope(response.status_code, response.content, where="task_post")
    return as_list(envelope.get("tasks"))


def parse_ready_tagged(response: httpx.Response) -> list[tuple[str, str | None]]:
    """A ``tasks_ready`` answer: ``(id, tag)`` of each listed task."""
    envelope = decode_envelope(response.status_code, response.content, where="tasks_ready")
    pairs: list[tuple[str, str | None]] = []
    for task in as_list(envelope.get("tasks")):
        for item in as_list(as_dict(task).get("result")):
            task_id, tag = as_dict(item).get("id"), as_dict(item).get("tag")
            if isinstance(task_id, str):
                pairs.append((task_id, tag if isinstance(tag, str) else None))
    return pairs


def parse_ready(response: httpx.Response) -> list[str]:
    """A ``tasks_ready`` answer: the listed task ids."""
    return [task_id for task_id, _ in parse_ready_tagged(response)]


def parse_get(response: httpx.Response) -> dict[str, Any]:
    """A ``task_get`` answer: the one task, whatever its status."""
    envelope = decode_envelope(response.status_code, response.content, where="task_get")
    tasks = as_list(envelope.get("tasks"))
    task = as_dict(tasks[0]) if tasks else {}
    if not task:
        msg = "task_get answered status 20000 with no task."
        raise DataForSEOResponseError(msg)
    return task


def parse_models_answer(response: httpx.Response) -> list[ModelRecord]:
    """A ``models`` answer: one record per model."""
    envelope = decode_envelope(response.status_code, response.content, where="models")
    return parse_models(first_task(envelope, where="models"))


def parse_task(response: httpx.Response, *, where: str) -> dict[str, Any]:
    """Any one-task answer (LLM Mentions): its first task, status 20000.

    Args:
        response: The HTTP answer.
        where: What was being done, for error messages.

    Returns:
        The task object (its ``result`` may be null or empty).

    Raises:
        DataForSEOError: A typed error carrying the status code and task id.
    """
    envelope = decode_envelope(response.status_code, response.content, where=where)
    return first_task(envelope, where=where)
