"""Build and check LLM Mentions request bodies before anything is sent (pure functions).

Every refusal is a :class:`~langchain_dataforseo.errors.DataForSEOInputError` naming the
field, the limit and the value (:func:`refuse`). Limits come from REFERENCE.md (tags
there; the values in ``_endpoints``). Each check returns the value as given, or refuses:

- the ``target``: keyword and domain entities (:func:`keyword_target`,
  :func:`domain_target`, :func:`check_targets`), and labelled groups (:func:`check_groups`);
- the ``filters`` and ``order_by``, for shape and limits (:func:`check_filters`,
  :func:`check_order_by`);
- the whole task for one endpoint (:func:`build_task`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from langchain_dataforseo._api.request import escape_keyword
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.mentions._endpoints import (
    CHAT_GPT_LANGUAGE,
    CHAT_GPT_LOCATION,
    DOMAIN_SCOPES,
    FILTER_OPERATORS,
    FIRST_DATE,
    GROUP_RANGES,
    KEYWORD_SCOPES,
    LINKS_SCOPES,
    MATCH_TYPES,
    MAX_FILTER_CONDITIONS,
    MAX_GROUPS,
    MAX_INTERNAL_LIST_LIMIT,
    MAX_KEY_CHARS,
    MAX_KEYWORD_CHARS,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_ORDER_BY,
    MAX_TAG_CHARS,
    MAX_TARGETS,
    PLATFORMS,
    SEARCH_FILTERS,
    Endpoint,
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


_LIST_OPERATORS = frozenset({"in", "not_in"})
_TEXT_OPERATORS = frozenset(
    {"regex", "not_regex", "match", "not_match", "like", "not_like", "ilike", "not_ilike"}
)
_KEYWORD_KEYS = frozenset({"keyword", "search_scope", "search_filter", "match_type"})
_DOMAIN_KEYS = frozenset({"domain", "search_scope", "search_filter", "include_subdomains"})


def refuse(field: str, message: str, *, limit: object = None, actual: object = None) -> NoReturn:
    """Raise the input error of ``field``: message, limit and the value given."""
    raise DataForSEOInputError(
        f"LLM Mentions: {field}: {message}", field=field, limit=limit, actual=actual
    )


def check_choice(field: str, value: object, choices: Sequence[str]) -> None:
    """Refuse a value that is not one of ``choices``."""
    if value not in choices:
        refuse(
            field,
            f"must be one of {', '.join(choices)}; got {value!r}.",
            limit=choices,
            actual=value,
        )


# -- the target: keyword and domain entities, labelled groups ------------------------------


def keyword_target(
    keyword: str,
    *,
    search_scope: Sequence[str] | None = None,
    search_filter: str | None = None,
    match_type: str | None = None,
) -> dict[str, Any]:
    """A keyword entity of ``target`` (unset options left out).

    The keyword is kept as typed here; ``build_task`` sends ``%`` as ``%25`` and ``+`` as
    ``%2B`` (the API decodes ``%##`` and turns ``+`` into a space).

    Args:
        keyword: The keyword to find in questions, answers, brand entities or fan-out queries.
        search_scope: Where to look: ``any``, ``question``, ``answer``, ``brand_entities``,
            ``fan_out_queries``.
        search_filter: ``include`` (default) or ``exclude``.
        match_type: ``word_match`` (default) or ``partial_match``.

    Returns:
        The entity.
    """
    entity: dict[str, Any] = {"keyword": keyword}
    if search_scope is not None:
        entity["search_scope"] = list(search_scope)
    if search_filter is not None:
        entity["search_filter"] = search_filter
    if match_type is not None:
        entity["match_type"] = match_type
    return entity


def domain_target(
    domain: str,
    *,
    search_scope: Sequence[str] | None = None,
    search_filter: str | None = None,
    include_subdomains: bool | None = None,
) -> dict[str, Any]:
    """A domain entity of ``target`` (unset options left out).

    Args:
        domain: The domain, without ``https://`` and ``www.``.
        search_scope: ``any``, ``sources`` or ``search_results``.
        search_filter: ``include`` (default) or ``exclude``.
        include_subdomains: Whether subdomains count too.

    Returns:
        The entity.
    """
    entity: dict[str, Any] = {"domain": domain}
    if search_scope is not None:
        entity["search_scope"] = list(search_scope)
    if search_filter is not None:
        entity["search_filter"] = search_filter
    if include_subdomains is not None:
        entity["include_subdomains"] = include_subdomains
    return entity


def _check_entity(index: int, raw: object) -> dict[str, Any]:
    where = f"target[{index}]"
    if not isinstance(raw, Mapping):
        refuse(where, f"each target must be an object, got {type(raw).__name__}.", actual=raw)
    entity = dict(raw)
    kind = [k for k in ("keyword", "domain") if k in entity]
    if len(kind) != 1:
        refuse(where, "a target holds either 'keyword' or 'domain' (exactly one).", actual=entity)
    allowed = _KEYWORD_KEYS if kind[0] == "keyword" else _DOMAIN_KEYS
    for key in entity:
        if key not in allowed:
            if key in _KEYWORD_KEYS | _DOMAIN_KEYS:
                other = "keyword" if kind[0] == "domain" else "domain"
                refuse(f"{where}.{key}", f"is for a {other} target only.", actual=entity[key])
            refuse(f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))}).")
    value = entity[kind[0]]
    if not isinstance(value, str) or not value.strip():
        refuse(f"{where}.{kind[0]}", "must be a non-empty string.", actual=value)
    if kind[0] == "keyword":
        sent = escape_keyword(value)  # the API decodes %## and '+': REFERENCE.md 2.1
        if len(sent) > MAX_KEYWORD_CHARS:
            extra = "" if sent == value else " ('%' and '+' are sent as '%25' and '%2B')"
            refuse(
                f"{where}.keyword",
                f"at most {MAX_KEYWORD_CHARS} characters as sent{extra}, got {len(sent)}.",
                limit=MAX_KEYWORD_CHARS,
                actual=len(sent),
            )
        entity["keyword"] = sent
        scopes: Sequence[str] = KEYWORD_SCOPES
    else:
        lowered = value.lower()
        if "://" in lowered or lowered.startswith("www.") or "/" in lowered:
            refuse(
                f"{where}.domain", "give the bare domain, without https:// and www.", actual=value
            )
        scopes = DOMAIN_SCOPES
    if "search_scope" in entity:
        scope = entity["search_scope"]
        if not isinstance(scope, list) or not scope:
            refuse(f"{where}.search_scope", "must be a non-empty list.", actual=scope)
        for item in scope:
            check_choice(f"{where}.search_scope", item, scopes)
    if "search_filter" in entity:
        check_choice(f"{where}.search_filter", entity["search_filter"], SEARCH_FILTERS)
    if "match_type" in entity:
        check_choice(f"{where}.match_type", entity["match_type"], MATCH_TYPES)
    if "include_subdomains" in entity and not isinstance(entity["include_subdomains"], bool):
        refuse(
            f"{where}.include_subdomains",
            "must be true or false.",
            actual=entity["include_subdomains"],
        )
    return entity


def check_targets(target: object) -> list[dict[str, Any]]:
    """Check a ``target`` array: 1 to 10 keyword or domain entities.

    Args:
        target: The array.

    Returns:
        The entities, as plain dicts.

    Raises:
        DataForSEOInputError: Naming ``target`` or ``target[i].field``.
    """
    if not isinstance(target, list | tuple) or not 1 <= len(target) <= MAX_TARGETS:
        size = len(target) if isinstance(target, list | tuple) else type(target).__name__
        refuse(
            "target",
            f"takes 1 to {MAX_TARGETS} entities, got {size}.",
            limit=MAX_TARGETS,
            actual=size,
        )
    return [_check_entity(i, raw) for i, raw in enumerate(target)]


def check_groups(targets: object) -> list[dict[str, Any]]:
    """Check ``targets`` of ``multi_target_metrics``: labelled groups of target entities.

    Each group is ``{"key": label, "target": [entities]}``; the docs' older field name
    ``aggregation_key`` is accepted and sent as ``key`` (the official client 2.1.x name).

    Args:
        targets: The groups.

    Returns:
        The groups, with ``key`` and checked ``target`` arrays.

    Raises:
        DataForSEOInputError: Naming ``targets`` or ``targets[i].field``.
    """
    if not isinstance(targets, list | tuple) or not 1 <= len(targets) <= MAX_GROUPS:
        size = len(targets) if isinstance(targets, list | tuple) else type(targets).__name__
        refuse(
            "targets", f"takes 1 to {MAX_GROUPS} groups, got {size}.", limit=MAX_GROUPS, actual=size
        )
    groups = []
    for i, raw in enumerate(targets):
        where = f"targets[{i}]"
        if not isinstance(raw, Mapping):
            refuse(where, "each group is {'key': label, 'target': [...]}.", actual=raw)
        group = dict(raw)
        if "aggregation_key" in group and "key" not in group:
            group["key"] = group.pop("aggregation_key")
        unknown = set(group) - {"key", "target"}
        if unknown:
            refuse(f"{where}.{sorted(unknown)[0]}", "unknown field (allowed: key, target).")
        key = group.get("key")
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_CHARS:
            refuse(
                f"{where}.key",
                f"a label of 1 to {MAX_KEY_CHARS} characters; got {key!r}.",
                limit=MAX_KEY_CHARS,
                actual=key,
            )
        try:
            entities = check_targets(group.get("target"))
        except DataForSEOInputError as error:
            refuse(
                f"{where}.{error.field}",
                str(error).split(": ", 2)[-1],
                limit=error.limit,
                actual=error.actual,
            )
        groups.append({"key": key, "target": entities})
    return groups


# -- filters and order_by ------------------------------------------------------------------


def _check_condition(field: str, condition: list[Any]) -> None:
    if (
        len(condition) != 3
        or not isinstance(condition[0], str)
        or not isinstance(condition[1], str)
    ):
        refuse(
            field, f"a condition is [field, operator, value]; got {condition!r}.", actual=condition
        )
    name, operator, value = condition
    if not name.strip():
        refuse(field, f"a condition needs a field name; got {condition!r}.", actual=condition)
    if operator not in FILTER_OPERATORS:
        refuse(
            field,
            f"unknown operator {operator!r} in {condition!r} "
            f"(allowed: {', '.join(sorted(FILTER_OPERATORS))}).",
            limit=sorted(FILTER_OPERATORS),
            actual=operator,
        )
    if operator in _LIST_OPERATORS and not isinstance(value, list):
        refuse(field, f"{operator!r} takes a list of values; got {value!r}.", actual=value)
    if operator in _TEXT_OPERATORS and not isinstance(value, str):
        refuse(field, f"{operator!r} takes a string pattern; got {value!r}.", actual=value)
    if operator not in _LIST_OPERATORS and isinstance(value, list | dict):
        refuse(field, f"{operator!r} takes a single value; got {value!r}.", actual=value)


def _is_condition(node: list[Any]) -> bool:
    return len(node) >= 1 and isinstance(node[0], str) and node[0] not in ("and", "or")


def _count(field: str, node: object) -> int:
    if not isinstance(node, list) or not node:
        refuse(field, f"filters are a non-empty list; got {node!r}.", actual=node)
    items: list[Any] = node
    if _is_condition(items):
        _check_condition(field, items)
        return 1
    if len(items) % 2 == 0:
        refuse(
            field, f"join conditions with 'and' or 'or' between them; got {items!r}.", actual=items
        )
    total = 0
    for i, part in enumerate(items):
        if i % 2:
            if part not in ("and", "or"):
                refuse(field, f"conditions are joined by 'and' or 'or', got {part!r}.", actual=part)
        else:
            total += _count(field, part)
    return total


def check_filters(filters: object, *, field: str = "filters") -> list[Any]:
    """Check a filter expression: conditions ``[field, operator, value]`` joined by and/or.

    Args:
        filters: One condition, or ``[cond, "and", cond, ...]`` (nested expressions allowed).
        field: The request field (``filters`` or ``initial_dataset_filters``).

    Returns:
        The expression, unchanged.

    Raises:
        DataForSEOInputError: On a malformed expression, an unknown operator, a value of the
            wrong kind, or more than 8 conditions.
    """
    count = _count(field, filters)
    if count > MAX_FILTER_CONDITIONS:
        refuse(
            field,
            f"at most {MAX_FILTER_CONDITIONS} conditions, got {count}.",
            limit=MAX_FILTER_CONDITIONS,
            actual=count,
        )
    checked: list[Any] = filters  # type: ignore[assignment]  # _count refused non-lists
    return list(checked)


def check_order_by(order_by: object) -> list[str]:
    """Check sorting rules: up to 3 of ``"field,asc"`` / ``"field,desc"``.

    Args:
        order_by: The rules.

    Returns:
        The rules, unchanged.

    Raises:
        DataForSEOInputError: On a malformed rule or more than 3.
    """
    if not isinstance(order_by, list | tuple) or not order_by:
        refuse("order_by", "must be a non-empty list of 'field,asc|desc'.", actual=order_by)
    rules = list(order_by)
    if len(rules) > MAX_ORDER_BY:
        refuse(
            "order_by",
            f"at most {MAX_ORDER_BY} rules, got {len(rules)}.",
            limit=MAX_ORDER_BY,
            actual=len(rules),
        )
    for rule in rules:
        parts = rule.split(",") if isinstance(rule, str) else []
        if len(parts) != 2 or not parts[0].strip() or parts[1].strip() not in ("asc", "desc"):
            refuse(
                "order_by", f"each rule is 'field,asc' or 'field,desc'; got {rule!r}.", actual=rule
            )
    return rules


# -- the task ------------------------------------------------------------------------------


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
