"""LLM Mentions endpoints of the emulator: validation, deterministic synthetic data, prices.

Field shapes follow the official client's models (``mentions/REFERENCE.md``). The data is
a function of the request only (a hash of its ``target``), so cassettes replay exactly.

Decisions where the reference is [I]:

* Prices: ``search_mentions`` $0.01 a task plus $0.0001 a returned row; every aggregate
  endpoint (metrics, top mentioned, historical, time series) $0.1 a task plus $0.001 a
  returned row; ``locations_and_languages`` and ``available_filters`` are free GETs.
* An invalid value -> task 40501 with a message naming the field; a missing or malformed
  ``target`` -> 40503; nothing is charged for a refused task.
* Filters are checked for shape but not applied to the synthetic rows; ``order_by`` is
  applied to ``search_mentions`` rows on their top-level fields.
* The docs' older names (``search``, ``aggregated_metrics``, ``top_domains``,
  ``top_pages``) are served as aliases of the 2.1.x names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._mentions_checks import Invalid, validate
from ._mentions_data import result_of

__all__ = ["MentionsAnswer", "answer_mentions", "mentions_function"]

_ALIASES = {
    "search": "search_mentions",
    "aggregated_metrics": "target_metrics",
    "cross_aggregated_metrics": "multi_target_metrics",
    "top_domains": "top_mentioned_domains",
    "top_pages": "top_mentioned_pages",
}
_POST = {
    "search_mentions",
    "target_metrics",
    "multi_target_metrics",
    "top_mentioned_domains",
    "top_mentioned_pages",
    "top_mentioned_brands",
    "historical",
    "timeseries_delta",
    "timeseries_new_lost",
}
_GET = {"locations_and_languages", "available_filters"}
_LOCATIONS = [
    (2840, "United States", "US", "English", "en", ["google", "chat_gpt"]),
    (2826, "United Kingdom", "GB", "English", "en", ["google"]),
    (2276, "Germany", "DE", "German", "de", ["google"]),
]
_MENTION_FIELDS = {
    "ai_search_volume": "num",
    "platform": "str",
    "model_name": "str",
    "question": "str",
    "answer": "str",
    "first_response_at": "time",
    "last_response_at": "time",
    "sources.domain": "str",
    "brand_entities.title": "str",
}


def _locations() -> list[dict[str, Any]]:
    return [
        {
            "location_code": code,
            "location_name": name,
            "country_iso_code": iso,
            "available_languages": [
                {
                    "language_name": language,
                    "language_code": lang_code,
                    "available_platforms": platforms,
                    "responses_count": 100_000 // (i + 1),
                }
            ],
        }
        for i, (code, name, iso, language, lang_code, platforms) in enumerate(_LOCATIONS)
    ]


def mentions_function(segments: tuple[str, ...], method: str) -> str | None:
    """The served function for ``/v3/ai_optimization/llm_mentions/...``, or ``None``.

    Args:
        segments: The path split on ``/``.
        method: The HTTP method.

    Returns:
        The 2.1.x name of the endpoint, or ``None`` for an unknown or wrongly called path.
    """
    rest = segments[3:]
    if not rest:
        return None
    name = _ALIASES.get(rest[0], rest[0])
    if name in _POST and rest[1:] == ("live",) and method.upper() == "POST":
        return name
    if name in _GET and len(rest) == 1 and method.upper() == "GET":
        return name
    return None


@dataclass(frozen=True)
class MentionsAnswer:
    """What one task gets: its status code, message, result and cost."""

    code: int
    message: str | None = None
    result: list[Any] | None = None
    cost: float = 0.0


def price(function: str, rows: int) -> float:
    """The emulator's price of one task ([I], see the module docstring)."""
    if function in _GET:
        return 0.0
    if function == "search_mentions":
        return round(0.01 + 0.0001 * rows, 7)
    return round(0.1 + 0.001 * rows, 7)


def answer_mentions(function: str, raw: Any) -> MentionsAnswer:
    """Answer one task (or a GET, ``raw`` is ``None``) of an LLM Mentions endpoint.

    Args:
        function: The 2.1.x endpoint name (from :func:`mentions_function`).
        raw: The first element of the POST array.

    Returns:
        The answer; ``cost`` is what the ledger charges.
    """
    if function == "locations_and_languages":
        return MentionsAnswer(20000, result=_locations())
    if function == "available_filters":
        names = sorted(_POST | set(_ALIASES))
        return MentionsAnswer(20000, result=[{n: dict(_MENTION_FIELDS) for n in names}])
    if not isinstance(raw, dict):
        return MentionsAnswer(40503)
    try:
        validate(function, raw)
    except Invalid as invalid:
        return MentionsAnswer(invalid.code, invalid.message)
    result, rows = result_of(function, raw)
    return MentionsAnswer(20000, result=[result], cost=price(function, rows))
