"""Read LLM Mentions answers (pure functions): tasks, mention rows as Documents, metrics.

Fields are the official client's (REFERENCE.md). Anything missing or null reads as empty,
so an answer with fewer fields than documented still parses.

**By documented type.** An answer is paid before it is read, so a field of the wrong type
(an ``items`` that is a number, an ``aggregated_metrics`` that is a list, a ``month`` that
is text) must not crash the agent or the caller: :func:`reading` turns it into a
:class:`~langchain_dataforseo.errors.DataForSEOResponseError` that names the field, its
task and what it was charged (the tools hand it to the agent as a ``ToolException``).
Missing or ``null`` fields still read as empty.

**Metrics in every documented shape**, or say which shape was met. The shapes
(REFERENCE.md 3.2, each with its source):

- current (SDK 2.1.10): the totals of ``target_metrics`` are in
  ``result[0].aggregated_metrics.total`` (``{mentions, ai_search_volume}``) beside the
  grouped lists; ``items`` is ``null``. An item of the top-mentioned and multi-target
  endpoints has the same groups and ``total``;
- Lite (SDK 2.1.10, help center): an item has ``location`` / ``language`` / ``platform``
  and ``metrics`` (``{mentions, ai_search_volume}``) instead of groups and ``total``;
  ``aggregated_metrics`` is ``null``;
- older docs: ``total`` is itself the grouped object (``total.platform[...]``...), each
  group entry with ``type``, ``key``, ``mentions``, ``ai_search_volume`` and
  ``impressions``; the totals are then summed from one complete grouping (``platform``,
  else ``location``, else ``language``: every mention has one of each) [I];
- group keys of domains can be Markdown links (``[www.x.com](https://www.x.com)``) mixed
  with bare domains: the key is the link's text, the link kept as ``url``; entries with the
  same key are merged (their counts added, their raw keys kept in ``raw_keys``) [I].

Anything else raises :class:`UnknownShapeError` (a ``DataForSEOResponseError`` once
:func:`reading` wraps it): an unrecognised answer is never reported as an empty total.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from langchain_core.documents import Document

from langchain_dataforseo._api.answers import parse_task
from langchain_dataforseo._api.envelope import as_dict, as_float, as_list
from langchain_dataforseo.errors import DataForSEOResponseError

__all__ = [
    "GROUPS",
    "UnknownShapeError",
    "UnreadableFieldError",
    "first_result",
    "format_metrics",
    "format_rows",
    "link_key",
    "mention_document",
    "obj",
    "objects",
    "parse_task",
    "read_groups",
    "read_summary",
    "reading",
    "result_object",
    "target_summary",
    "task_cost",
    "whole",
    "word_of",
]


GROUPS: Final = (
    "platform",
    "location",
    "language",
    "sources_domain",
    "search_results_domain",
    "brand_entities_title",
    "brand_entities_category",
)
"""The grouped lists of an aggregated-metrics object (SDK 2.1.10)."""


def task_cost(task: Mapping[str, Any]) -> float:
    """The USD cost the API reports for a task (0.0 when absent)."""
    return as_float(task.get("cost"))


def first_result(task: Mapping[str, Any]) -> dict[str, Any]:
    """The task's first result object, or ``{}`` when the result is null or empty."""
    results = as_list(task.get("result"))
    return as_dict(results[0]) if results else {}


def _entries(value: object) -> list[dict[str, Any]]:
    """Each object of a list, every field kept but nulls (documented or not: none dropped)."""
    return [
        {k: v for k, v in entry.items() if v is not None}
        for entry in as_list(value)
        if isinstance(entry, Mapping)
    ]


def _brands(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _entries(item.get("brand_entities"))


def mention_document(item: Mapping[str, Any], *, task_id: str | None, cost: float) -> Document:
    """Turn one ``search_mentions`` row into a Document.

    Args:
        item: One element of ``result[0].items``.
        task_id: The task that returned it.
        cost: The USD cost of the whole call that returned it (shared by its rows).

    Returns:
        A Document whose ``page_content`` is the answer (markdown) and whose metadata holds
        ``question``, ``sources`` (every field the API gives, ``thumbnail`` and
        ``markdown`` included), ``search_results`` (ChatGPT: every search result it
        retrieved), ``brand_entities``, ``ai_search_volume``,
        ``monthly_searches``, ``first_seen`` / ``last_seen`` (the API's
        ``first_response_at`` / ``last_response_at``), ``platform``, ``model_name``,
        ``location_code``, ``language_code``, ``fan_out_queries``, ``is_web_search_based``,
        ``task_id`` and ``call_cost``.
    """
    metadata: dict[str, Any] = {
        "question": item.get("question") or "",
        "sources": _entries(item.get("sources")),
        "search_results": _entries(item.get("search_results")),
        "brand_entities": _brands(item),
        "ai_search_volume": item.get("ai_search_volume"),
        "monthly_searches": [as_dict(m) for m in as_list(item.get("monthly_searches"))],
        "first_seen": item.get("first_response_at"),
        "last_seen": item.get("last_response_at"),
        "platform": item.get("platform"),
        "model_name": item.get("model_name"),
        "location_code": item.get("location_code"),
        "language_code": item.get("language_code"),
        "fan_out_queries": [q for q in as_list(item.get("fan_out_queries")) if isinstance(q, str)],
        "is_web_search_based": item.get("is_web_search_based"),
        "task_id": task_id,
        "call_cost": cost,
    }
    return Document(page_content=str(item.get("answer") or ""), metadata=metadata)


def format_metrics(summary: Mapping[str, Any], *, top: int = 5) -> str:
    """Text for an LLM: the totals, then the first entries of each non-empty group.

    ``summary`` is what :func:`read_summary` gives.
    """
    total = as_dict(summary.get("total"))
    impressions = f", impressions {total['impressions']}" if "impressions" in total else ""
    summed = f" ({total['from']})" if total.get("from") else ""
    lines = [
        f"Total: {total.get('mentions')} mentions, "
        f"AI search volume {total.get('ai_search_volume')}{impressions}{summed}."
    ]
    for name in GROUPS:
        groups = as_list(summary.get(name))[:top]
        if groups:
            shown = "; ".join(
                f"{g['key']} ({g['mentions']} mentions, volume {g['ai_search_volume']})"
                for g in groups
            )
            lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def format_rows(rows: list[dict[str, Any]], key: str) -> str:
    """Text for an LLM: one numbered line per top-mentioned domain, page or brand."""
    if not rows:
        return "No mentions found for this target."
    lines = []
    for i, row in enumerate(rows, 1):
        total = as_dict(as_dict(row.get("metrics")).get("total"))
        lines.append(
            f"{i}. {row.get(key)}: {total.get('mentions')} mentions, "
            f"AI search volume {total.get('ai_search_volume')}"
        )
    return "\n".join(lines)


# -- fields by their documented types ------------------------------------------------------


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


# -- metrics in every documented shape -----------------------------------------------------


_COMPLETE: Final = ("platform", "location", "language")
_COUNTS: Final = ("mentions", "ai_search_volume", "impressions")
_LINK: Final = re.compile(r"\[([^\[\]]+)\]\((\S+?)\)")


class UnknownShapeError(UnreadableFieldError):
    """A metrics object of no documented shape: named, never read as an empty total."""

    def __init__(self, path: str, value: object) -> None:
        ValueError.__init__(
            self,
            f"{path} has no metrics in any documented shape (no aggregated_metrics.total, "
            f"no grouped total, no Lite metrics); it is {_shape(value)}",
        )
        self.path = path


def _shape(value: object) -> str:
    """The shape of a value, for a message: an object's keys and their kinds."""
    if not isinstance(value, Mapping):
        return word_of(value)
    if not value:
        return "an empty object"
    keys = ", ".join(f"{k}: {word_of(v).split(' (')[0]}" for k, v in list(value.items())[:12])
    return f"an object with {{{keys}}}"


def link_key(raw: object) -> tuple[Any, str | None]:
    """A group key and the link it carried: ``[www.x.com](https://www.x.com)`` -> both.

    Args:
        raw: The key as the API gave it.

    Returns:
        ``(text, url)`` for a Markdown link, else ``(raw, None)``.
    """
    if isinstance(raw, str):
        match = _LINK.fullmatch(raw.strip())
        if match is not None:
            return match.group(1).strip(), match.group(2)
    return raw, None


def _count(value: object, path: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnreadableFieldError(path, value, "a number")
    return value


def _add(a: int | float | None, b: int | float | None) -> int | float | None:
    return b if a is None else a if b is None else a + b


def read_groups(value: object, path: str) -> list[dict[str, Any]]:
    """One grouped list: ``{key, mentions, ai_search_volume}`` entries, link keys read.

    Args:
        value: The list (``null`` reads as empty).
        path: Where it is, for errors.

    Returns:
        The entries in the API's order; ``impressions`` (older docs) and ``url`` (a link
        key) kept when present; entries of the same key merged (``raw_keys`` then lists
        the keys as given).
    """
    out: dict[Any, dict[str, Any]] = {}
    if value is not None and not isinstance(value, list):
        raise UnreadableFieldError(path, value, "a list")
    for n, entry in enumerate(value or []):
        if entry is None:  # the SDK's lists are of Optional items: a null is skipped
            continue
        if not isinstance(entry, dict):
            raise UnreadableFieldError(f"{path}[{n}]", entry, "an object")
        key, url = link_key(entry.get("key"))
        marker = key.lower() if isinstance(key, str) else key
        row = out.setdefault(marker, {"key": key, "mentions": None, "ai_search_volume": None})
        for name in _COUNTS:
            if name in entry:
                row[name] = _add(row.get(name), _count(entry[name], f"{path}[{n}].{name}"))
        if url is not None:
            row.setdefault("url", url)
        raw_keys = row.setdefault("raw_keys", [])
        if entry.get("key") not in raw_keys:
            raw_keys.append(entry.get("key"))
    for row in out.values():
        if len(row["raw_keys"]) == 1 and row["raw_keys"][0] == row["key"]:
            del row["raw_keys"]
    return list(out.values())


def _flat_total(value: Mapping[str, Any], path: str) -> dict[str, Any]:
    total: dict[str, Any] = {"mentions": None, "ai_search_volume": None}
    for name in _COUNTS:
        if name in value:
            total[name] = _count(value[name], f"{path}.{name}")
    return total


def _summed(groups: Mapping[str, list[dict[str, Any]]], path: str) -> dict[str, Any] | None:
    """Totals summed over the first complete grouping present, with where they come from."""
    for name in _COMPLETE:
        if groups.get(name):
            total: dict[str, Any] = {"mentions": None, "ai_search_volume": None}
            for row in groups[name]:
                for count in _COUNTS:
                    if count in row:
                        total[count] = _add(total.get(count), row[count])
            return {**total, "from": f"the sum of {path}.{name}"}
    return None


def read_summary(metrics: object, path: str) -> dict[str, Any]:
    """Normalize one metrics object (aggregated metrics, or one item) of any shape.

    Args:
        metrics: ``aggregated_metrics``, one item of a top-mentioned / multi-target /
            Lite list, or a result whose ``total`` is grouped (older docs).
        path: Where it is, for errors.

    Returns:
        ``{"total": {"mentions", "ai_search_volume", ...}, "platform": [...], ...}`` with
        every group present (empty when absent). A total summed from groups says so in
        ``total["from"]``.

    Raises:
        UnknownShapeError: When it holds no total, no grouped total, no Lite metrics and
            no complete grouping to sum.
        UnreadableFieldError: For a field of the wrong type.
    """
    data = obj(metrics, path)
    total_raw = data.get("total")
    source: Mapping[str, Any] = data
    source_path = path
    total: dict[str, Any] | None = None
    if isinstance(total_raw, Mapping) and any(isinstance(total_raw.get(g), list) for g in GROUPS):
        source, source_path = total_raw, f"{path}.total"  # older docs: a grouped total
    elif isinstance(total_raw, Mapping) and any(c in total_raw for c in _COUNTS):
        total = _flat_total(total_raw, f"{path}.total")
    elif isinstance(data.get("metrics"), Mapping):  # Lite item
        total = _flat_total(data["metrics"], f"{path}.metrics")
    elif total_raw is not None:
        obj(total_raw, f"{path}.total")  # a wrong-typed total is named as such
    summary: dict[str, Any] = {
        name: read_groups(source.get(name), f"{source_path}.{name}")
        for name in GROUPS
        if not (total is not None and "metrics" in data and name in _COMPLETE)
    }
    if total is not None and "metrics" in data:  # Lite: the item's own place and platform
        for name in _COMPLETE:
            summary[name] = [] if data.get(name) is None else [{"key": data.get(name), **total}]
    if total is None:
        total = _summed(summary, source_path)
    if total is None:
        raise UnknownShapeError(path, metrics)
    return {"total": total, **{name: summary[name] for name in GROUPS}}


def target_summary(result: Mapping[str, Any]) -> dict[str, Any]:
    """The totals of a ``target_metrics`` (or ``target_metrics_lite``) result.

    ``aggregated_metrics`` first (where the current API puts them; ``items`` is ``null``
    there, and reading ``items`` reports no mentions at all), then a grouped ``total`` at
    the result's level (older docs), then Lite items summed.

    Args:
        result: ``result[0]``.

    Returns:
        A summary as :func:`read_summary` gives; Lite rows also under ``rows``.

    Raises:
        UnknownShapeError: When the result is of none of these shapes.
    """
    at = "result[0]"
    if result.get("aggregated_metrics") is not None:
        return read_summary(result["aggregated_metrics"], f"{at}.aggregated_metrics")
    if isinstance(result.get("total"), Mapping):
        return read_summary(result, at)
    items = objects(result.get("items"), f"{at}.items")
    if items and all(isinstance(item.get("metrics"), Mapping) for item in items):
        rows = [read_summary(item, f"{at}.items[{n}]") for n, item in enumerate(items)]
        total: dict[str, Any] = {"mentions": None, "ai_search_volume": None}
        for row in rows:
            for name in _COUNTS:
                if name in row["total"]:
                    total[name] = _add(total.get(name), row["total"][name])
        merged = {
            name: read_groups([g for row in rows for g in row[name]], f"{at}.items[*].{name}")
            for name in GROUPS
        }
        return {"total": {**total, "from": f"the sum of {at}.items"}, **merged, "rows": rows}
    raise UnknownShapeError(at, result)
