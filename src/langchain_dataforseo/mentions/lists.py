"""The free LLM Mentions lists: locations with their languages, and the filterable fields."""

from __future__ import annotations

from typing import Any

from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.mentions._endpoints import acall_endpoint, call_endpoint, endpoint
from langchain_dataforseo.mentions._parse import objects, reading

__all__ = [
    "aavailable_filters",
    "alocations_and_languages",
    "available_filters",
    "locations_and_languages",
]


def _rows(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The result rows; a wrong-typed one is a ``DataForSEOResponseError`` naming it."""
    with reading("list", task):
        return objects(task.get("result"), "result")


def locations_and_languages(client: DataForSEOClient | None = None) -> list[dict[str, Any]]:
    """Locations LLM Mentions has data for, each with ``available_languages`` (a free GET).

    Args:
        client: The client to call through (default: one from the environment).

    Returns:
        The API's rows (``location_code``, ``location_name``, ``available_languages``...).
    """
    task = call_endpoint(client or DataForSEOClient(), endpoint("locations_and_languages"))
    return _rows(task)


async def alocations_and_languages(
    client: DataForSEOClient | None = None,
) -> list[dict[str, Any]]:
    """Async twin of :func:`locations_and_languages`."""
    task = await acall_endpoint(client or DataForSEOClient(), endpoint("locations_and_languages"))
    return _rows(task)


def available_filters(client: DataForSEOClient | None = None) -> dict[str, Any]:
    """The fields each endpoint can filter and sort on, with their types (a free GET).

    Args:
        client: The client to call through (default: one from the environment).

    Returns:
        The API's first result object (endpoint name to ``{field: type}``), or ``{}``.
    """
    rows = _rows(call_endpoint(client or DataForSEOClient(), endpoint("available_filters")))
    return rows[0] if rows else {}


async def aavailable_filters(client: DataForSEOClient | None = None) -> dict[str, Any]:
    """Async twin of :func:`available_filters`."""
    task = await acall_endpoint(client or DataForSEOClient(), endpoint("available_filters"))
    rows = _rows(task)
    return rows[0] if rows else {}
