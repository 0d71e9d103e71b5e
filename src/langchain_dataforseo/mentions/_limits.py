"""The published limits of LLM Mentions requests, and the refusal every check raises.

Limits come from REFERENCE.md (tags there). Every refusal is a
:class:`~langchain_dataforseo.errors.DataForSEOInputError` naming the field, the limit and
the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NoReturn

from langchain_dataforseo.errors import DataForSEOInputError

PLATFORMS = ("chat_gpt", "google")
KEYWORD_SCOPES = ("any", "question", "answer", "brand_entities", "fan_out_queries")
DOMAIN_SCOPES = ("any", "sources", "search_results")
SEARCH_FILTERS = ("include", "exclude")
MATCH_TYPES = ("word_match", "partial_match")
LINKS_SCOPES = ("sources", "search_results")
GROUP_RANGES = ("day", "week", "month", "year")
MAX_TARGETS = 10
MAX_KEYWORD_CHARS = 2000
MAX_FILTER_CONDITIONS = 8
MAX_ORDER_BY = 3
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000
MAX_INTERNAL_LIST_LIMIT = 10
MAX_TAG_CHARS = 255
MAX_GROUPS = 10
MAX_KEY_CHARS = 250
FIRST_DATE = dt.date(2025, 8, 1)
CHAT_GPT_LOCATION = 2840
CHAT_GPT_LANGUAGE = "en"
FILTER_OPERATORS = frozenset(
    {
        "regex", "not_regex", "<", "<=", ">", ">=", "=", "<>", "in", "not_in",
        "match", "not_match", "like", "not_like", "ilike", "not_ilike",
    }
)  # fmt: skip
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
