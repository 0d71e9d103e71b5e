"""Build and check LLM Mentions request bodies before anything is sent (pure functions).

Every refusal is a :class:`~langchain_dataforseo.errors.DataForSEOInputError` naming the
field, the limit and the value. Limits come from REFERENCE.md (tags there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from langchain_dataforseo.mentions._endpoints import Endpoint
from langchain_dataforseo.mentions._filters import check_filters, check_order_by
from langchain_dataforseo.mentions._limits import (
    CHAT_GPT_LANGUAGE,
    CHAT_GPT_LOCATION,
    FILTER_OPERATORS,
    FIRST_DATE,
    GROUP_RANGES,
    LINKS_SCOPES,
    MAX_FILTER_CONDITIONS,
    MAX_INTERNAL_LIST_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_TAG_CHARS,
    MAX_TARGETS,
    PLATFORMS,
    check_choice,
    refuse,
)
from langchain_dataforseo.mentions._targets import (
    check_groups,
    check_targets,
    domain_target,
    keyword_target,
)

__all__ = [
    "FILTER_OPERATORS",
    "MAX_FILTER_CONDITIONS",
    "MAX_LIMIT",
    "MAX_TARGETS",
    "build_task",
    "check_filters",
    "check_groups",
    "check_order_by",
    "check_targets",
    "domain_target",
    "keyword_target",
]


def _check_int(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        refuse(
            field,
            f"must be an integer from {low} to {high}; got {value!r}.",
            limit=high,
            actual=value,
        )
    return value


def _check_date(field: str, value: object) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        refuse(field, f"a date in the format yyyy-mm-dd; got {value!r}.", actual=value)
    if day < FIRST_DATE:
        refuse(
            field,
            f"the data starts on {FIRST_DATE.isoformat()}; got {value}.",
            limit=FIRST_DATE.isoformat(),
            actual=value,
        )
    return day


def _check_strings(field: str, value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        refuse(field, f"must be a list of non-empty strings; got {value!r}.", actual=value)
    return list(value)


def _check_place(fields: Mapping[str, Any]) -> None:
    """Check the location and language fields; a name with its code is allowed.

    The docs say only that with one "you don't need to specify" the other (REFERENCE.md
    2.2): both are sent as given, each checked.
    """
    if "location_code" in fields:
        _check_int("location_code", fields["location_code"], 1, 10**9)
    for name in ("location_name", "language_name", "language_code"):
        if name in fields and (not isinstance(fields[name], str) or not fields[name].strip()):
            refuse(name, "must be a non-empty string.", actual=fields[name])
    if fields.get("platform") == "chat_gpt":
        location = fields.get("location_code")
        if location is not None and location != CHAT_GPT_LOCATION:
            refuse(
                "location_code",
                f"chat_gpt data exists for the United States ({CHAT_GPT_LOCATION}) only; "
                f"got {location}.",
                limit=CHAT_GPT_LOCATION,
                actual=location,
            )
        place = fields.get("location_name")
        if place is not None and place != "United States":
            refuse(
                "location_name",
                f"chat_gpt data exists for 'United States' only; got {place!r}.",
                actual=place,
            )
        language = fields.get("language_code")
        if language is not None and language != CHAT_GPT_LANGUAGE:
            refuse(
                "language_code",
                f"chat_gpt data exists in English ('en') only; got {language!r}.",
                actual=language,
            )
        lang_name = fields.get("language_name")
        if lang_name is not None and lang_name != "English":
            refuse(
                "language_name",
                f"chat_gpt data exists in 'English' only; got {lang_name!r}.",
                actual=lang_name,
            )


def build_task(spec: Endpoint, **fields: Any) -> dict[str, Any]:
    """Check the fields of one task for ``spec`` and return the task (``None`` values dropped).

    Args:
        spec: The endpoint.
        **fields: Request fields (``target``, ``platform``, ``filters``, ``limit``...).

    Returns:
        The task object, keys in the order given.

    Raises:
        DataForSEOInputError: For a field the endpoint does not take, a missing required
            field, or any value outside the documented limits.
    """
    task = {k: v for k, v in fields.items() if v is not None}
    for key in task:
        if key not in spec.fields:
            allowed = ", ".join(sorted(spec.fields))
            refuse(key, f"the {spec.name} endpoint does not take this field (it takes: {allowed}).")
    for key in sorted(spec.required):
        if key not in task:
            refuse(key, f"is required by the {spec.name} endpoint.")
    if "target" in task:
        task["target"] = check_targets(task["target"])
    if "targets" in task:
        task["targets"] = check_groups(task["targets"])
    if "platform" in task:
        check_choice("platform", task["platform"], PLATFORMS)
    _check_place(task)
    for key in ("filters", "initial_dataset_filters"):
        if key in task:
            task[key] = check_filters(task[key], field=key)
    if "order_by" in task:
        task["order_by"] = check_order_by(task["order_by"])
    if "limit" in task:
        _check_int("limit", task["limit"], 1, MAX_LIMIT)
    if "offset" in task:
        _check_int("offset", task["offset"], 0, MAX_OFFSET)
    if "internal_list_limit" in task:
        _check_int("internal_list_limit", task["internal_list_limit"], 1, MAX_INTERNAL_LIST_LIMIT)
    if "links_scope" in task:
        check_choice("links_scope", task["links_scope"], LINKS_SCOPES)
    if "group_range" in task:
        check_choice("group_range", task["group_range"], GROUP_RANGES)
    if "search_after_token" in task and not isinstance(task["search_after_token"], str):
        refuse("search_after_token", "must be the string from a previous answer.")
    for key in (
        "include_domains",
        "exclude_domains",
        "include_pages",
        "exclude_pages",
        "include_brands",
        "exclude_brands",
        "include_brand_categories",
        "exclude_brand_categories",
    ):
        if key in task:
            task[key] = _check_strings(key, task[key])
    start = _check_date("date_from", task["date_from"]) if "date_from" in task else None
    end = _check_date("date_to", task["date_to"]) if "date_to" in task else None
    if start is not None and end is not None and start > end:
        refuse("date_from", f"must not be after date_to ({start} > {end}).", actual=str(start))
    tag = task.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > MAX_TAG_CHARS):
        size = len(tag) if isinstance(tag, str) else tag
        refuse(
            "tag",
            f"a string of at most {MAX_TAG_CHARS} characters; got {size}.",
            limit=MAX_TAG_CHARS,
            actual=size,
        )
    return task
