"""The LLM Mentions API as the package knows it (REFERENCE.md): endpoints, limits, prices.

- :data:`ENDPOINTS`: the paths, the old names, the fields each endpoint takes.
- The published limits of requests (tags in REFERENCE.md); ``_request`` checks them.
- :func:`max_task_cost`: the most a task may cost, from the request alone (pure) [I].
  DataForSEO publishes no price table for LLM Mentions that the package could read; the
  model here is the one in ``REFERENCE.md`` section 4, inferred from the two example
  answers the docs show ([I]): ``search`` $0.01 a task plus $0.0001 a returned row, every
  aggregate endpoint $0.1 a task plus $0.001 a row, the free GET lists nothing. The bound
  counts the most rows a request can return: its ``limit`` (100 when unset, the API's
  default), its targets for multi-target metrics, none for target metrics (an aggregate
  without items), and one row a period of the date range for historical and time-series
  data. The budget middleware asks the tools for it before they run; the cost reported is
  always the API's.
- :func:`call_endpoint` sends one task through the package client (``call_task``: the
  account's pools, pacer, retries, deadline and size cap) and counts it in the active
  ``track_costs()`` blocks: the API's cost under ``("llm_mentions", <endpoint>)``, or, when
  the outcome is unknown, at most :func:`max_task_cost`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo._api.cost_bounds import outcome_unknown
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.costs import record, record_unknown
from langchain_dataforseo.errors import DataForSEOError
from langchain_dataforseo.mentions._parse import task_cost

__all__ = ["ENDPOINTS", "LEGACY_NAMES", "PREFIX", "Endpoint", "endpoint"]


PREFIX = "/v3/ai_optimization/llm_mentions"
"""Root of every LLM Mentions path."""

_PLACE = frozenset({"location_name", "location_code", "language_name", "language_code"})
_COMMON = _PLACE | {"target", "platform", "tag"}
_AGGREGATE = _COMMON | {
    "filters",
    "initial_dataset_filters",
    "limit",
    "internal_list_limit",
    "order_by",
    "offset",
}


@dataclass(frozen=True)
class Endpoint:
    """One LLM Mentions endpoint.

    Attributes:
        name: The name the official client (2.1.x) uses, the path segment below ``llm_mentions``.
        fields: The request fields it takes (anything else is refused before sending).
        required: The fields it requires.
        method: ``POST`` (a live task) or ``GET`` (a free list).
    """

    name: str
    fields: frozenset[str]
    required: frozenset[str] = frozenset({"target"})
    method: str = "POST"

    @property
    def path(self) -> str:
        """The URL path, below the API root."""
        if self.method == "GET":
            return f"{PREFIX}/{self.name}"
        return f"{PREFIX}/{self.name}/live"


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint(
            "search_mentions",
            _COMMON | {"filters", "order_by", "offset", "search_after_token", "limit"},
        ),
        Endpoint("target_metrics", _COMMON | {"initial_dataset_filters", "internal_list_limit"}),
        Endpoint(
            "multi_target_metrics",
            (_AGGREGATE - {"target"}) | {"targets"},
            required=frozenset({"targets"}),
        ),
        Endpoint(
            "top_mentioned_domains",
            _AGGREGATE | {"links_scope", "include_domains", "exclude_domains"},
        ),
        Endpoint(
            "top_mentioned_pages", _AGGREGATE | {"links_scope", "include_pages", "exclude_pages"}
        ),
        Endpoint("top_mentioned_brands", _AGGREGATE | {"include_brands", "exclude_brands"}),
        Endpoint(
            "top_mentioned_brand_categories",
            _AGGREGATE | {"include_brand_categories", "exclude_brand_categories"},
        ),
        # Lite: the same data, one flat row (location, language, platform, metrics) an
        # item, no nested breakdowns (SDK 2.1.10 models; help-center article, REFERENCE.md 1)
        Endpoint(
            "target_metrics_lite",
            _COMMON | {"initial_dataset_filters", "limit", "order_by", "offset"},
        ),
        Endpoint(
            "top_mentioned_domains_lite",
            _AGGREGATE | {"links_scope", "include_domains", "exclude_domains"},
        ),
        Endpoint(
            "top_mentioned_pages_lite",
            _AGGREGATE | {"links_scope", "include_pages", "exclude_pages"},
        ),
        Endpoint("top_mentioned_brands_lite", _AGGREGATE | {"include_brands", "exclude_brands"}),
        Endpoint(
            "top_mentioned_brand_categories_lite",
            _AGGREGATE | {"include_brand_categories", "exclude_brand_categories"},
        ),
        Endpoint("historical", _COMMON | {"date_from", "date_to"}),
        Endpoint(
            "timeseries_delta",
            _COMMON | {"date_from", "date_to", "group_range"},
            required=frozenset({"target", "date_from", "date_to", "group_range"}),
        ),
        Endpoint(
            "timeseries_new_lost",
            _COMMON | {"date_from", "date_to", "group_range"},
            required=frozenset({"target", "date_from", "date_to", "group_range"}),
        ),
        Endpoint("locations_and_languages", frozenset(), frozenset(), "GET"),
        Endpoint("available_filters", frozenset(), frozenset(), "GET"),
    )
}
"""Every endpoint, by its current name."""

LEGACY_NAMES: dict[str, str] = {
    "search": "search_mentions",
    "aggregated_metrics": "target_metrics",
    "cross_aggregated_metrics": "multi_target_metrics",
    "top_domains": "top_mentioned_domains",
    "top_pages": "top_mentioned_pages",
}
"""Names DataForSEO's docs still show, mapped to the official client's 2.1.x names."""


def endpoint(name: str) -> Endpoint:
    """Look an endpoint up by its current or its old name.

    Args:
        name: ``search_mentions`` or the docs' older ``search``, and so on.

    Returns:
        The endpoint.

    Raises:
        KeyError: For an unknown name (the message lists the known ones).
    """
    current = LEGACY_NAMES.get(name, name)
    try:
        return ENDPOINTS[current]
    except KeyError:
        known = ", ".join(sorted([*ENDPOINTS, *LEGACY_NAMES]))
        msg = f"unknown LLM Mentions endpoint {name!r}; known: {known}"
        raise KeyError(msg) from None


# -- published limits of requests ----------------------------------------------------------


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


# -- the most a task may cost [I] ----------------------------------------------------------


SEARCH_TASK_USD: Final = 0.01
SEARCH_ROW_USD: Final = 0.0001
AGGREGATE_TASK_USD: Final = 0.1
AGGREGATE_ROW_USD: Final = 0.001
DEFAULT_LIMIT: Final = 100
"""Rows returned when a request sets no ``limit`` [I: the docs' default]."""
_DAYS_A_PERIOD: Final = {"day": 1, "week": 7, "month": 28, "year": 365}


def _date(value: object, default: dt.date) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return default
    return default


def _periods(task: Mapping[str, Any], group_range: str, today: dt.date) -> int:
    start = _date(task.get("date_from"), FIRST_DATE)
    end = _date(task.get("date_to"), today)
    days = max((end - start).days + 1, 1)
    return days // _DAYS_A_PERIOD.get(group_range, 1) + 1


def max_rows(name: str, task: Mapping[str, Any], today: dt.date | None = None) -> int:
    """The most rows an answer to ``task`` at endpoint ``name`` can hold.

    Args:
        name: The endpoint's name (2.1.x).
        task: The request, as it will be sent.
        today: The end of an open date range (default: today).

    Returns:
        The number of rows.
    """
    limit = task.get("limit")
    limit = limit if isinstance(limit, int) and limit > 0 else DEFAULT_LIMIT
    if name == "target_metrics":
        return 0
    if name == "multi_target_metrics":
        targets = task.get("targets")
        return min(limit, len(targets)) if isinstance(targets, list) else limit
    if name == "historical" or name.startswith("timeseries_"):
        group = str(task.get("group_range") or "month")
        return _periods(task, group, today or dt.date.today())
    return limit


def max_task_cost(spec: Endpoint, task: Mapping[str, Any], today: dt.date | None = None) -> float:
    """The most one task may cost under the [I] price model above.

    Args:
        spec: The endpoint.
        task: The request, as it will be sent.
        today: The end of an open date range (default: today).

    Returns:
        USD.
    """
    if spec.method == "GET":
        return 0.0
    rows = max_rows(spec.name, task, today)
    if spec.name == "search_mentions":
        return round(SEARCH_TASK_USD + SEARCH_ROW_USD * rows, 7)
    return round(AGGREGATE_TASK_USD + AGGREGATE_ROW_USD * rows, 7)


# -- one call, counted ---------------------------------------------------------------------

COST_ENGINE: Final = "llm_mentions"
"""The ``engine`` ``track_costs`` counts LLM Mentions calls under (the model: the endpoint)."""


@contextmanager
def _unknown_counted(spec: Endpoint, task: Mapping[str, Any] | None) -> Iterator[None]:
    """A call whose outcome is unknown counts in ``track_costs`` at its bound, then re-raises.

    An unreadable answer (or a timeout after sending) may have been charged: the active
    ``track_costs()`` blocks (and the budget middleware, which reads them) count it at
    the most the task may cost (:func:`max_task_cost`).
    """
    try:
        yield
    except DataForSEOError as error:
        if outcome_unknown(error):
            record_unknown(COST_ENGINE, spec.name, max_task_cost(spec, task or {}))
        raise


def _counted(spec: Endpoint, task: dict[str, Any]) -> dict[str, Any]:
    """Count the answered task's cost in every active ``track_costs()`` block."""
    record(COST_ENGINE, spec.name, task_cost(task))
    return task


def call_endpoint(
    client: DataForSEOClient, spec: Endpoint, task: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Send one checked task (or a GET) and return the API's task object, counted.

    Args:
        client: The client whose account, limits and retries apply.
        spec: The endpoint.
        task: The task (from ``build_task``); ``None`` for a GET endpoint.

    Returns:
        The task object, status 20000.
    """
    with _unknown_counted(spec, task):
        answer = client.call_task(spec.method, spec.path, task, where=_where(spec))
    return _counted(spec, answer)


async def acall_endpoint(
    client: DataForSEOClient, spec: Endpoint, task: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Async twin of :func:`call_endpoint`."""
    with _unknown_counted(spec, task):
        answer = await client.acall_task(spec.method, spec.path, task, where=_where(spec))
    return _counted(spec, answer)


def _where(spec: Endpoint) -> str:
    """The call's name in error messages."""
    return f"LLM Mentions {spec.name}"
