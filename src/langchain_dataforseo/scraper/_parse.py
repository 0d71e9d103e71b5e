"""LLM Scraper answers: a task object becomes a :class:`ScraperAnswer` (pure).

What the app showed is kept apart from what it only looked at:

- ``cited``: the sources the answer cites or relies on (``result.sources``, plus the
  sources of its text and list items, de-duplicated by URL, in order of appearance);
- ``found_in``: every search result it retrieved (``result.search_results``, ChatGPT only;
  duplicates and unused entries included, as the API documents), each marked ``cited``
  when its URL is also among the cited sources.

Typed items (tables, products, local businesses, navigation lists, images, ads) are kept
by kind in ``items``; an item of a type this package does not know is kept under its own
type name, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from langchain_dataforseo._api.envelope import as_dict, as_int, as_list

ITEM_KINDS: Final[Mapping[str, str]] = {
    "chat_gpt_text": "text",
    "chat_gpt_table": "tables",
    "chat_gpt_navigation_list": "navigation_lists",
    "chat_gpt_images": "images",
    "chat_gpt_local_businesses": "local_businesses",
    "chat_gpt_products": "products",
    "chat_gpt_ad": "ads",
    "gemini_text": "text",
    "gemini_table": "tables",
    "gemini_images": "images",
}
"""Item ``type`` to the key it is kept under in ``items`` (client 2.1.10's item types)."""


@dataclass(frozen=True)
class ScraperAnswer:
    """What one LLM Scraper task returned.

    Attributes:
        engine: ``chat_gpt`` or ``gemini``.
        keyword: The keyword as the API echoes it (decoded).
        markdown: The whole answer as markdown.
        cited: Sources the answer cites (see the module docstring).
        found_in: Search results it retrieved (ChatGPT), each with ``cited`` true/false.
        fan_out_queries: The searches it ran (ChatGPT; empty for Gemini).
        brand_entities: Brands the answer mentions (``title``, ``category``, ``urls``).
        items: Typed items by kind (``tables``, ``products``, ``local_businesses`` ...).
        item_types: The ``item_types`` the API listed.
        se_results_count: The API's ``se_results_count``, when reported.
        items_count: The API's ``items_count`` (items in ``result.items``), when reported.
        model: The model version the app used, when reported.
        check_url: A URL to see the same answer, when reported.
        datetime: When the answer was scraped.
        location_code: The location code the API echoes.
        language_code: The language code the API echoes.
        cost: USD charged for the task.
        task_id: The task id.
        tag: The task's tag, when set.
    """

    engine: str
    keyword: str | None
    markdown: str
    cited: list[dict[str, Any]] = field(default_factory=list)
    found_in: list[dict[str, Any]] = field(default_factory=list)
    fan_out_queries: list[str] = field(default_factory=list)
    brand_entities: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    item_types: list[str] = field(default_factory=list)
    se_results_count: int | None = None
    items_count: int | None = None
    model: str | None = None
    check_url: str | None = None
    datetime: str | None = None
    location_code: int | None = None
    language_code: str | None = None
    cost: float = 0.0
    task_id: str | None = None
    tag: str | None = None

    def metadata(self) -> dict[str, Any]:
        """Everything but the markdown, as JSON-ready metadata (Document / tool artifact)."""
        return {
            "source": "dataforseo_llm_scraper",
            "engine": self.engine,
            "keyword": self.keyword,
            "cited": [dict(s) for s in self.cited],
            "found_in": [dict(s) for s in self.found_in],
            "sources": [s["url"] for s in self.cited if s.get("url")],
            "fan_out_queries": list(self.fan_out_queries),
            "brand_entities": [dict(b) for b in self.brand_entities],
            "items": {kind: [dict(i) for i in found] for kind, found in self.items.items()},
            "item_types": list(self.item_types),
            "se_results_count": self.se_results_count,
            "items_count": self.items_count,
            "model": self.model,
            "check_url": self.check_url,
            "datetime": self.datetime,
            "location_code": self.location_code,
            "language_code": self.language_code,
            "cost": self.cost,
            "task_id": self.task_id,
            "tag": self.tag,
        }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _unique_by(entries: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for entry in entries:
        value = entry.get(key)
        marker = value.strip().lower() if isinstance(value, str) and value.strip() else None
        if marker is not None and marker in seen:
            continue
        if marker is not None:
            seen.add(marker)
        out.append(entry)
    return out


def _objects(value: object) -> list[dict[str, Any]]:
    return [dict(entry) for entry in as_list(value) if isinstance(entry, dict)]


def cited_sources(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sources an answer cites: top-level ``sources`` first, then those of its items.

    Args:
        result: The ``result[0]`` object.

    Returns:
        Source objects, de-duplicated by URL (entries without a URL are all kept).
    """
    found = _objects(result.get("sources"))
    for item in _objects(result.get("items")):
        found.extend(_objects(item.get("sources")))
    return _unique_by(found, "url")


def search_results(
    result: Mapping[str, Any], cited: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every search result retrieved, each marked ``cited`` when the answer cites its URL.

    Args:
        result: The ``result[0]`` object.
        cited: The cited sources (from :func:`cited_sources`).

    Returns:
        The search results in the API's order, duplicates kept (they are documented).
    """
    urls = {str(s.get("url")).strip().lower() for s in cited if isinstance(s.get("url"), str)}
    out: list[dict[str, Any]] = []
    for entry in _objects(result.get("search_results")):
        url = entry.get("url")
        entry["cited"] = isinstance(url, str) and url.strip().lower() in urls
        out.append(entry)
    return out


def brand_entities(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Brands mentioned: top-level ``brand_entities`` first, then those of items, by title.

    Args:
        result: The ``result[0]`` object.

    Returns:
        Brand entity objects, de-duplicated by title (case-insensitive).
    """
    found = _objects(result.get("brand_entities"))
    for item in _objects(result.get("items")):
        found.extend(_objects(item.get("brand_entities")))
    return _unique_by(found, "title")


def typed_items(result: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The result's items grouped by kind (see :data:`ITEM_KINDS`).

    Args:
        result: The ``result[0]`` object.

    Returns:
        Kind to items, in the API's order. Unknown types are kept under their ``type``
        (or ``"unknown"`` when an item has none).
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in _objects(result.get("items")):
        kind_type = item.get("type")
        kind = ITEM_KINDS.get(kind_type, kind_type) if isinstance(kind_type, str) else None
        grouped.setdefault(kind or "unknown", []).append(item)
    return grouped


def answer_markdown(result: Mapping[str, Any]) -> str:
    """The answer as markdown: ``result.markdown``, else the items' markdown joined.

    Args:
        result: The ``result[0]`` object.

    Returns:
        The markdown (empty when the answer has none).
    """
    markdown = _text(result.get("markdown"))
    if markdown and markdown.strip():
        return markdown
    parts = [_text(item.get("markdown")) for item in _objects(result.get("items"))]
    return "\n\n".join(part for part in parts if part and part.strip())


def parse_answer(engine: str, task: Mapping[str, Any]) -> ScraperAnswer:
    """Turn a finished task object (status 20000) into a :class:`ScraperAnswer`.

    Args:
        engine: The engine the task ran on.
        task: The task object (its ``result`` has been checked to be non-empty).

    Returns:
        The answer.
    """
    results = as_list(task.get("result"))
    result = as_dict(results[0]) if results else {}
    data = as_dict(task.get("data"))
    cited = cited_sources(result)
    cost = task.get("cost")
    queries = [q for q in as_list(result.get("fan_out_queries")) if isinstance(q, str)]
    return ScraperAnswer(
        engine=engine,
        keyword=_text(result.get("keyword")) or _text(data.get("keyword")),
        markdown=answer_markdown(result),
        cited=cited,
        found_in=search_results(result, cited),
        fan_out_queries=queries,
        brand_entities=brand_entities(result),
        items=typed_items(result),
        item_types=[t for t in as_list(result.get("item_types")) if isinstance(t, str)],
        se_results_count=as_int(result.get("se_results_count")),
        items_count=as_int(result.get("items_count")),
        model=_text(result.get("model")),
        check_url=_text(result.get("check_url")),
        datetime=_text(result.get("datetime")),
        location_code=as_int(result.get("location_code")),
        language_code=_text(result.get("language_code")),
        cost=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else 0.0,
        task_id=_text(task.get("id")),
        tag=_text(data.get("tag")),
    )
