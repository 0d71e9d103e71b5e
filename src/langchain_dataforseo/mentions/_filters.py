"""The ``filters`` and ``order_by`` of an LLM Mentions task, checked for shape and limits.

Pure: each check returns the value as given, or refuses with the field, limit and value.
"""

from __future__ import annotations

from typing import Any

from langchain_dataforseo.mentions._limits import (
    _LIST_OPERATORS,
    _TEXT_OPERATORS,
    FILTER_OPERATORS,
    MAX_FILTER_CONDITIONS,
    MAX_ORDER_BY,
    refuse,
)


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
