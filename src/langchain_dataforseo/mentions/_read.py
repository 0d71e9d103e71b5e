"""Read the fields of a paid LLM Mentions answer by their documented types (pure).

An answer is paid before it is read, so a field of the wrong type (an ``items`` that is a
number, an ``aggregated_metrics`` that is a list, a ``month`` that is text) must not crash
the agent or the caller: :func:`reading` turns it into a
:class:`~langchain_dataforseo.errors.DataForSEOResponseError` that names the field, its
task and what it was charged (the tools hand it to the agent as a ``ToolException``).
Missing or ``null`` fields still read as empty, as the rest of ``_parse`` reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from langchain_dataforseo.errors import DataForSEOResponseError
from langchain_dataforseo.mentions._parse import task_cost

__all__ = [
    "UnreadableFieldError",
    "obj",
    "objects",
    "reading",
    "result_object",
    "whole",
    "word_of",
]


class UnreadableFieldError(ValueError):
    """A field of an answer whose value is not of its documented type.

    Attributes:
        path: Where it is, e.g. ``result[0].items[3].month``.
    """

    def __init__(self, path: str, value: object, expected: str) -> None:
        super().__init__(f"{path} is {word_of(value)}, expected {expected}")
        self.path = path


def word_of(value: object) -> str:
    """What a JSON value is, in words (``a list``, ``null``...), with a short sample."""
    kinds = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "an object"),
    )
    if value is None:
        return "null"
    kind = next((word for cls, word in kinds if isinstance(value, cls)), type(value).__name__)
    sample = repr(value)
    return f"{kind} ({sample[:40]}{'...' if len(sample) > 40 else ''})"


def obj(value: object, path: str) -> dict[str, Any]:
    """An object field (``null`` reads as empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UnreadableFieldError(path, value, "an object")
    return value


def objects(value: object, path: str) -> list[dict[str, Any]]:
    """A list of objects (``null`` reads as empty); each element must be an object."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnreadableFieldError(path, value, "a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise UnreadableFieldError(f"{path}[{index}]", item, "an object")
    return value


def whole(value: object, path: str) -> int | None:
    """An integer field (``null`` reads as ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnreadableFieldError(path, value, "an integer")
    return value


def result_object(task: Mapping[str, Any]) -> dict[str, Any]:
    """The task's first result object (``{}`` when ``result`` is null or empty)."""
    results = task.get("result")
    if results is None:
        return {}
    if not isinstance(results, list):
        raise UnreadableFieldError("result", results, "a list")
    return obj(results[0], "result[0]") if results else {}


@contextmanager
def reading(endpoint: str, task: Mapping[str, Any]) -> Iterator[None]:
    """Turn a paid answer that cannot be read into a ``DataForSEOResponseError``.

    Args:
        endpoint: The endpoint's name, for the message.
        task: The task object the API answered (its ``id`` and ``cost`` are named).

    Raises:
        DataForSEOResponseError: Naming the field (or, for anything the checks missed,
            the Python error), the task and its cost; chained to the cause.
    """
    try:
        yield
    except UnreadableFieldError as error:
        raise _unreadable(endpoint, task, str(error)) from error
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
        detail = f"an unexpected value ({type(error).__name__}: {error})"
        raise _unreadable(endpoint, task, detail) from error


def _unreadable(endpoint: str, task: Mapping[str, Any], detail: str) -> DataForSEOResponseError:
    task_id = task.get("id") if isinstance(task.get("id"), str) else None
    cost = task_cost(task)
    msg = (
        f"LLM Mentions {endpoint}: the answer to task {task_id} (charged ${cost:.4f}) "
        f"cannot be read: {detail}."
    )
    return DataForSEOResponseError(msg, status_code=20000, task_id=task_id, cost=cost)
