"""What identifies a panel task: its request body, the digest in its tag, the echo check.

A task's tag carries a short digest of its whole request body with the run id
(:func:`task_digest`), so two panels that use the same run id on one account never share
a tag. A task id found by tag (a look-up in ``tasks_ready`` for a task in doubt) is kept
only when the request the API echoes in the task's ``data`` matches ours
(:func:`echo_differs`): an answer to another request is never taken for this task's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote, unquote_plus

from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._store_base import task_digest
from langchain_dataforseo.visibility._surfaces import API, app_task

__all__ = ["echo_differs", "task_body", "task_digest"]
_TEXT_FIELDS: Final = frozenset({"user_prompt", "keyword", "system_message"})
"""Echoed text fields compared after percent-decoding and folding white space."""


def task_body(panel: Panel, prompt_index: int, engine: str, surface: str) -> dict[str, Any]:
    """The request body of one task of a panel, without its tag (pure).

    Args:
        panel: The panel.
        prompt_index: The prompt's index.
        engine: The engine.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).

    Returns:
        The fields sent for the task: the LLM Responses task (model, prompt, settings) or
        the LLM Scraper task object.
    """
    prompt = panel.prompts[prompt_index]
    if surface == API:
        return {"model_name": panel.engines[engine], "user_prompt": prompt} | dict(
            panel.task_settings(engine)
        )
    body = app_task(engine, prompt, panel.app_settings, None, "standard")
    body.pop("tag", None)
    return body


def _fold(text: str) -> str:
    """Text with its white space folded (runs of spaces, line breaks: one space)."""
    return " ".join(text.split())


def _same(key: str, ours: object, theirs: object) -> bool:
    """Whether an echoed field says what we sent (text folded, numbers to 1e-9)."""
    if key in _TEXT_FIELDS and isinstance(ours, str) and isinstance(theirs, str):
        # as sent, or as the API may decode it (``%##`` and ``+`` read as a space)
        mine = {_fold(ours), _fold(unquote(ours)), _fold(unquote_plus(ours))}
        return bool(mine & {_fold(theirs), _fold(unquote(theirs)), _fold(unquote_plus(theirs))})
    if key == "model_name" and isinstance(ours, str) and isinstance(theirs, str):
        # an alias may come back as the dated name it resolved to, or the other way
        return theirs.startswith(ours) or ours.startswith(theirs)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)
    return ours == theirs


def echo_differs(body: Mapping[str, Any], raw_task: Mapping[str, Any]) -> str | None:
    """The first field the task's echoed request (``data``) has with another value than ours.

    Only fields present on both sides are compared: the echo may leave fields out.

    Args:
        body: What we sent (:func:`task_body`).
        raw_task: The task object the API sent.

    Returns:
        ``None`` when the echo matches (or there is none), else a description of the
        first difference, naming the field.
    """
    data = raw_task.get("data")
    if not isinstance(data, Mapping):
        return None
    for key, ours in body.items():
        if key in data and not _same(key, ours, data[key]):
            return f"data.{key} is {data[key]!r}, this task sent {ours!r}"
    return None
