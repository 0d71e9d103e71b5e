"""The ``target`` of an LLM Mentions task: keyword and domain entities, and labelled groups.

Pure: each check returns the entities as given, or refuses with the field, limit and value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_dataforseo._keyword import escape_keyword
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.mentions._limits import (
    _DOMAIN_KEYS,
    _KEYWORD_KEYS,
    DOMAIN_SCOPES,
    KEYWORD_SCOPES,
    MATCH_TYPES,
    MAX_GROUPS,
    MAX_KEY_CHARS,
    MAX_KEYWORD_CHARS,
    MAX_TARGETS,
    SEARCH_FILTERS,
    check_choice,
    refuse,
)


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
