"""The emulator's LLM Scraper answer: a deterministic function of the task's fields.

The same keyword, location and language always give the same synthetic answer, with the
official client 2.1.10 result fields of each engine (``chat_gpt``: search results, fan-out
queries, brand entities, products; ``gemini``: text and table items). A keyword the brand
catalogue matches gets an app-surface brand answer instead (``_scraper_brands``), so a
panel on the app surface has a known truth.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

from ._answers import format_datetime
from ._brands import BrandCatalogue
from ._scraper_brands import app_brand_result
from ._scraper_items import extra_items, rank, source

__all__ = ["LANGUAGES", "LOCATIONS", "answer"]

LOCATIONS: Final = (
    (2840, "United States", None, "US", "Country"),
    (2826, "United Kingdom", None, "GB", "Country"),
    (2276, "Germany", None, "DE", "Country"),
    (2250, "France", None, "FR", "Country"),
    (1023191, "New York,New York,United States", 21167, "US", "City"),
)
"""The locations served: ``(code, name, parent, country ISO, type)``."""
LANGUAGES: Final = (("English", "en"), ("German", "de"), ("French", "fr"), ("Spanish", "es"))
"""The languages served: ``(name, code)``."""


def _decode(keyword: str) -> str:
    text = keyword.replace("+", " ")
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def _language_code(fields: dict[str, Any]) -> str:
    if "language_code" in fields:
        return str(fields["language_code"])
    names = {name.lower(): code for name, code in LANGUAGES}
    return names.get(str(fields["language_name"]).lower(), "en")


def _location_code(fields: dict[str, Any]) -> int | None:
    if "location_code" in fields:
        return int(fields["location_code"])
    if "location_name" in fields:
        names = {name.lower(): code for code, name, *_ in LOCATIONS}
        return names.get(str(fields["location_name"]).lower())
    return None


def answer(
    engine: str, fields: dict[str, Any], now: float, catalogue: BrandCatalogue | None = None
) -> dict[str, Any]:
    """The synthetic, deterministic ``result[0]`` for a valid task.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        fields: The validated fields.
        now: Epoch seconds (for ``datetime``).
        catalogue: The brand truth; a keyword it matches gets an app-surface brand answer
            (``_scraper_brands``).

    Returns:
        A result object with the client 2.1.10 fields of that engine.
    """
    keyword = _decode(str(fields["keyword"]))
    where = {
        "location_code": _location_code(fields),
        "language_code": _language_code(fields),
        "model": "gpt-5" if engine == "chat_gpt" else "gemini-2.5-flash",
    }
    if catalogue is not None and catalogue.applies(keyword):
        extra = dict(where)
        if engine == "chat_gpt":
            extra["check_url"] = "https://chatgpt.com/"
        return app_brand_result(catalogue, engine, fields, keyword, now, extra)
    seed = hashlib.sha256(f"{engine}|{keyword}|{sorted(fields.items())!r}".encode()).hexdigest()
    n = int(seed[:2], 16)
    brands = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
    first, second = brands[n % 5], brands[(n + 2) % 5]
    sites = [
        f"https://www.{b.lower()}.example/{seed[i : i + 6]}" for i, b in ((2, first), (8, second))
    ]
    prefix = engine
    sources = [
        source(engine, f"{brand} guide", url, f"What {brand} says about {keyword}.")
        for brand, url in ((first, sites[0]), (second, sites[1]))
    ]
    text_md = (
        f"For **{keyword}**, people often look at {first} and {second}. [{first} guide]({sites[0]})"
    )
    table = {
        "table_element": "table_element",
        "table_header": ["Brand", "Known for"],
        "table_content": [[first, "breadth"], [second, "price"]],
    }
    table_md = f"| Brand | Known for |\n|---|---|\n| {first} | breadth |\n| {second} | price |"
    text_item: dict[str, Any] = {
        "type": f"{prefix}_text",
        "rank_group": 1,
        "rank_absolute": 1,
        "markdown": text_md,
        "sources": sources[:1],
    }
    table_item: dict[str, Any] = {
        "type": f"{prefix}_table",
        "rank_group": 1,
        "rank_absolute": 2,
        "markdown": table_md,
        "table": table,
    }
    result: dict[str, Any] = {
        "keyword": keyword,
        **where,
        "datetime": format_datetime(now),
        "markdown": f"{text_md}\n\n{table_md}",
        "sources": sources,
        "se_results_count": 0,
    }
    entities = [
        {
            "type": f"{engine}_brand_entity",
            "title": b,
            "category": "Software",
            "markdown": f"**{b}**",
            "urls": [{"url": u, "domain": u.split("/")[2]}],
        }
        for b, u in ((first, sites[0]), (second, sites[1]))
    ]
    items: list[dict[str, Any]] = [text_item, table_item]
    if engine == "chat_gpt":
        text_item["brand_entities"] = entities[:1]
        table_item["text"] = None
        table_item["brand_entities"] = entities[1:]
        result["check_url"] = f"https://chatgpt.com/?q={seed[:8]}"
        result["search_results"] = [
            {
                "type": "search_result",
                "url": url,
                "domain": url.split("/")[2],
                "title": title,
                "description": f"About {keyword}.",
                "breadcrumb": None,
            }
            for url, title in (
                (sites[0], f"{first} guide"),
                (f"https://news.example/{seed[14:20]}", f"News on {keyword}"),
                (f"https://news.example/{seed[14:20]}", f"News on {keyword}"),
            )
        ]
        result["fan_out_queries"] = [f"{keyword} 2026", f"{keyword} comparison"]
        result["brand_entities"] = entities
        products = {
            "type": "chat_gpt_products",
            "rank_group": 1,
            "rank_absolute": 3,
            "items": [
                {
                    "type": "chat_gpt_products_element",
                    "product_id": seed[20:28],
                    "title": f"{first} Pro",
                    "price": float(10 + n % 90),
                    "currency": "USD",
                    "url": sites[0],
                    "domain": sites[0].split("/")[2],
                    "images": [],
                    "rating": None,
                    "merchants": None,
                    "id_to_token_map": None,
                    "tag": None,
                    "product_ids": None,
                }
            ],
        }
        items.append(products)
        if fields.get("force_web_search"):
            result["fan_out_queries"].append(f"best {keyword}")
    extras = extra_items(engine, keyword, seed)
    items.extend(extras)
    rank(items)
    shown = [str(item["markdown"]) for item in extras if item.get("markdown")]
    result["markdown"] = "\n\n".join([result["markdown"], *shown])
    result["item_types"] = sorted({item["type"] for item in items})
    result["items_count"] = len(items)
    result["items"] = items
    return result
