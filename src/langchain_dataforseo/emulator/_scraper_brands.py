"""App-surface brand answers: the LLM Scraper routes answering from the brand catalogue.

With a :class:`~._brands.BrandCatalogue` and a keyword it matches, an LLM Scraper task's
result names the catalogue's brands at their *app* probabilities and cites its domains at
their *app* citation rates (``_brands.brand_answer`` with ``surface="app"``: app answers
always search). The shape is the LLM Scraper's (client 2.1.10): ``markdown`` (each cited
source linked on its line as a domain chip, ``[hubspot.com](https://...)``), ``sources``
(cited), one ``{engine}_text`` item with its sources, ``brand_entities`` for the brands
named and, for ChatGPT only, ``search_results`` (every cited source, plus the catalogue
domains *found* but not cited, each at its ``found_rate``) and ``fan_out_queries``.

Deterministic: seeded like the API answers, by the catalogue's seed, the engine and the
task's fields (tag included); the found-only draws use their own stream, so they change
nothing of the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._answers import _topic, format_datetime
from ._brands import BrandCatalogue, _rng, brand_answer

_LISTED = re.compile(r"^\d+\. \*\*(.+?)\*\*")


def _source(engine: str, host: str, title: str, url: str) -> dict[str, Any]:
    return {
        "type": f"{engine}_source",
        "title": title,
        "snippet": f"From {host}.",
        "domain": host,
        "url": url,
        "thumbnail": None,
        "source_name": host,
        "publication_date": None,
        "markdown": f"[{title}]({url})",
    }


def app_brand_result(
    catalogue: BrandCatalogue,
    engine: str,
    fields: Mapping[str, Any],
    keyword: str,
    now: float,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``result[0]`` of an app-surface brand answer.

    Args:
        catalogue: The truth.
        engine: ``chat_gpt`` or ``gemini``.
        fields: The validated task fields (tag included).
        keyword: The decoded keyword.
        now: Epoch seconds (for ``datetime``).
        extra: Result fields to keep from the plain answer (``location_code``,
            ``language_code``, ``model``...).

    Returns:
        The result object.
    """
    topic = _topic(keyword)
    lines, cited, fan_out = brand_answer(
        catalogue, engine, fields, topic, True, surface="app", phrase=keyword
    )
    marked = list(lines)
    for index, (host, _title, url) in enumerate(cited):
        marked[index + 1] += f" [{host}]({url})"
    markdown = "\n".join(marked)
    sources = [_source(engine, *entry) for entry in cited]
    named = [m.group(1) for line in lines if (m := _LISTED.match(line))]
    entities = [
        {
            "type": f"{engine}_brand_entity",
            "title": name,
            "category": "Software",
            "markdown": f"**{name}**",
        }
        for name in named
    ]
    item = {
        "type": f"{engine}_text",
        "rank_group": 1,
        "rank_absolute": 1,
        "markdown": markdown,
        "sources": sources,
        "brand_entities": entities,
    }
    result: dict[str, Any] = {
        **extra,
        "keyword": keyword,
        "datetime": format_datetime(now),
        "markdown": markdown,
        "sources": sources,
        "brand_entities": entities,
        "se_results_count": 0,
        "item_types": [item["type"]],
        "items_count": 1,
        "items": [item],
    }
    if engine == "chat_gpt":
        rng = _rng(catalogue, engine, {**fields, "_stream": "found"})
        cited_domains = {
            d.domain for d in catalogue.domains for h, _t, _u in cited if h.endswith(d.domain)
        }
        found = []
        slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-") or "guide"
        for entry in catalogue.domains:
            if entry.domain not in cited_domains and rng.random() < entry.found(engine):
                url = f"https://{entry.domain}/{slug}-found-{rng.randrange(10, 100)}"
                found.append((entry.domain, f"{topic.title()} – {entry.domain}", url))
        results = [
            {
                "type": "search_result",
                "url": url,
                "domain": host,
                "title": title,
                "description": f"About {topic}.",
                "breadcrumb": None,
            }
            for host, title, url in [*cited, *found]
        ]
        rng.shuffle(results)
        result["search_results"] = results
        result["fan_out_queries"] = list(fan_out or [])
    return result
