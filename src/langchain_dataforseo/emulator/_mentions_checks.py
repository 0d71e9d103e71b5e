"""How the emulated LLM Mentions endpoints check a task: 40501 naming the field, or 40503.

A null field counts as absent (the official client sends nulls); the limits are the
published ones (``mentions/REFERENCE.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

FIRST_DATE = dt.date(2025, 8, 1)
TIMESERIES = {"timeseries_delta", "timeseries_new_lost"}


class Invalid(Exception):
    """A refused task: its status code (40501, 40503) and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _bad(field: str, why: str) -> Invalid:
    return Invalid(40501, f"Invalid Field: '{field}'. {why}")


def _count_conditions(node: object) -> int:
    if not isinstance(node, list) or not node:
        raise _bad("filters", "Filters must be a non-empty array.")
    if isinstance(node[0], str) and node[0] not in ("and", "or"):
        if len(node) != 3:
            raise _bad("filters", "A condition is [field, operator, value].")
        return 1
    return sum(_count_conditions(p) for i, p in enumerate(node) if i % 2 == 0)


def _date(task: dict[str, Any], field: str) -> dt.date | None:
    value = task.get(field)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _bad(field, "Use the format yyyy-mm-dd.")
    if day < FIRST_DATE:
        raise _bad(field, f"The minimal value is {FIRST_DATE.isoformat()}.")
    return day


def validate(function: str, task: dict[str, Any]) -> None:
    """Check one task; a null field counts as absent (the official client sends nulls)."""
    if function == "multi_target_metrics":
        groups = task.get("targets")
        if not isinstance(groups, list) or not groups:
            raise Invalid(40503, "Invalid Field: 'targets'. The field is required.")
        for group in groups:
            key = group.get("key") if isinstance(group, dict) else None
            if not isinstance(key, str) or not 0 < len(key) <= 250:
                raise _bad("key", "The key is required, up to 250 characters.")
            _validate_target(group.get("target"))
    else:
        _validate_target(task.get("target"))
    _validate_fields(function, task)


def _validate_target(target: object) -> None:
    if not isinstance(target, list) or not target:
        raise Invalid(40503, "Invalid Field: 'target'. The field is required.")
    if len(target) > 10:
        raise _bad("target", "You can specify up to 10 entities.")
    for entity in target:
        if not isinstance(entity, dict) or (entity.get("keyword") is None) == (
            entity.get("domain") is None
        ):
            raise _bad("target", "Each entity holds either a keyword or a domain.")
        keyword = entity.get("keyword")
        if keyword is not None and (not isinstance(keyword, str) or not 0 < len(keyword) <= 2000):
            raise _bad("keyword", "Up to 2000 characters.")


def _validate_fields(function: str, task: dict[str, Any]) -> None:
    if task.get("platform") not in (None, "chat_gpt", "google"):
        raise _bad("platform", "Possible values: chat_gpt, google.")
    if task.get("platform") == "chat_gpt" and (task.get("location_code") or 2840) != 2840:
        raise _bad("location_code", "chat_gpt data is available for 2840 only.")
    if task.get("platform") == "chat_gpt" and (task.get("language_code") or "en") != "en":
        raise _bad("language_code", "chat_gpt data is available for en only.")
    limit = task.get("limit")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 1000):
        raise _bad("limit", "The maximum value is 1000.")
    offset = task.get("offset")
    if offset is not None and (not isinstance(offset, int) or not 0 <= offset <= 1_000_000):
        raise _bad("offset", "The maximum value is 1000000.")
    inner = task.get("internal_list_limit")
    if inner is not None and (not isinstance(inner, int) or not 1 <= inner <= 10):
        raise _bad("internal_list_limit", "Minimum value 1, maximum value 10.")
    for key in ("filters", "initial_dataset_filters"):
        if task.get(key) is not None and _count_conditions(task[key]) > 8:
            raise _bad(key, "You can add 8 filters maximum.")
    order_by = task.get("order_by")
    if order_by is not None and (not isinstance(order_by, list) or len(order_by) > 3):
        raise _bad("order_by", "You can set no more than three sorting rules.")
    tag = task.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > 255):
        raise _bad("tag", "The character limit is 255.")
    start, end = _date(task, "date_from"), _date(task, "date_to")
    if function in TIMESERIES:
        for field in ("date_from", "date_to", "group_range"):
            if task.get(field) is None:
                raise _bad(field, "The field is required.")
        if task["group_range"] not in ("day", "week", "month", "year"):
            raise _bad("group_range", "Possible values: day, week, month, year.")
    if start is not None and end is not None and start > end:
        raise _bad("date_from", "date_from cannot exceed date_to.")
