"""The raw task JSON, as the API sent it, for a caller that keeps it (the visibility store).

The chat model turns each task into an ``AIMessage`` and keeps only what a message needs.
A caller that must keep the whole task (every field, unknown ones included) opens
:func:`keep_raw_tasks` around its calls: the parsers of ``live`` and ``task_get`` answers
offer every task they read, by id, to the innermost open keeper of the current context.

A context variable, so that nothing in the call path changes shape: concurrent asyncio
tasks and LangChain's executor threads copy the context, and with it the same keeper.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_KEEPER: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar(
    "langchain_dataforseo_raw_tasks", default=None
)


@contextmanager
def keep_raw_tasks() -> Iterator[dict[str, dict[str, Any]]]:
    """Keep every task the parsers read while the block runs, by task id.

    Yields:
        The tasks by id (a task read twice, e.g. fetched again, keeps its last reading).
    """
    kept: dict[str, dict[str, Any]] = {}
    token = _KEEPER.set(kept)
    try:
        yield kept
    finally:
        _KEEPER.reset(token)


def offer_raw_task(task: Mapping[str, Any]) -> None:
    """Hand a task object just read off the wire to the open keeper, if there is one.

    Args:
        task: The task object (an element of the envelope's ``tasks``); kept only when it
            has a string ``id``.
    """
    kept = _KEEPER.get()
    task_id = task.get("id")
    if kept is not None and isinstance(task_id, str):
        kept[task_id] = dict(task)
