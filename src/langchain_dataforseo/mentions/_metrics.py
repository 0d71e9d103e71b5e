"""Read LLM Mentions metrics in every documented shape, or say which shape was met (pure).

The shapes (REFERENCE.md 3.2, each with its source):

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
:func:`~langchain_dataforseo.mentions._read.reading` wraps it): an unrecognised answer is
never reported as an empty total.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from langchain_dataforseo.mentions._parse import GROUPS
from langchain_dataforseo.mentions._read import UnreadableFieldError, obj, objects, word_of

__all__ = [
    "GROUPS",
    "UnknownShapeError",
    "link_key",
    "read_groups",
    "read_summary",
    "target_summary",
]

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
