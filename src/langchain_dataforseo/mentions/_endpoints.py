"""The LLM Mentions endpoints: paths, old names, the fields each one takes (see REFERENCE.md)."""

from __future__ import annotations

from dataclasses import dataclass

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
