"""The LLM Scraper's less common item types, drawn per task (client 2.1.10 item models).

Besides text and tables, the apps' answers carry navigation lists, images, local
businesses and ads (ChatGPT) and images (Gemini). Which of them an answer has is drawn
from the task's seed, so a handful of keywords meets every type; the same task always
gets the same items. Element ``type`` values inside an item (``chat_gpt_images_element``,
``chat_gpt_local_businesses_element``) follow the prefixed names of the sandbox answers
(``chat_gpt_source``); they are [I] (not shown in what was read).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extra_items", "rank", "source"]


def source(engine: str, title: str, url: str, snippet: str) -> dict[str, Any]:
    """A source object as the sandbox sends it (``type`` prefixed by the engine)."""
    domain = url.split("/")[2]
    return {
        "type": f"{engine}_source",
        "title": title,
        "snippet": snippet,
        "domain": domain,
        "url": url,
        "thumbnail": None,
        "source_name": domain,
        "publication_date": None,
        "markdown": f"[{title}]({url})",
    }


def _images(engine: str, keyword: str, seed: str) -> dict[str, Any]:
    pictures = [
        {
            "type": f"{engine}_images_element",
            "url": f"https://images.example/{seed[i : i + 6]}",
            "alt": f"{keyword} photo {n}",
            "image_url": f"https://images.example/{seed[i : i + 6]}.jpg",
            "markdown": f"![{keyword} photo {n}](https://images.example/{seed[i : i + 6]}.jpg)",
        }
        for n, i in ((1, 30), (2, 36))
    ]
    return {
        "type": f"{engine}_images",
        "markdown": "\n".join(p["markdown"] for p in pictures),
        "items": pictures,
    }


def _navigation(keyword: str, seed: str) -> dict[str, Any]:
    links = [
        source(
            "chat_gpt", f"{keyword.title()}: {what}", f"https://guides.example/{seed[i:j]}", what
        )
        for what, i, j in (("a buyer's guide", 40, 46), ("a price comparison", 46, 52))
    ]
    return {"type": "chat_gpt_navigation_list", "title": f"More on {keyword}", "sources": links}


def _local(keyword: str, seed: str, n: int) -> dict[str, Any]:
    shops = [
        {
            "type": "chat_gpt_local_businesses_element",
            "title": f"{name} {keyword.title()}",
            "description": f"A local shop for {keyword}.",
            "address": f"{10 + n % 80} Main Street",
            "phone": f"+1 555 01{n % 90:02d}",
            "reviews_count": 20 + n,
            "url": f"https://{name.lower()}.example/{seed[52:58]}",
            "domain": f"{name.lower()}.example",
            "rating": {
                "rating_type": "Max5",
                "value": round(3.5 + (n % 15) / 10, 1),
                "votes_count": 20 + n,
                "rating_max": 5,
            },
        }
        for name in ("Corner", "Central")
    ]
    markdown = "\n".join(f"- **{s['title']}**, {s['address']}" for s in shops)
    return {"type": "chat_gpt_local_businesses", "markdown": markdown, "items": shops}


def _ad(keyword: str, seed: str) -> dict[str, Any]:
    url = f"https://sponsor.example/{seed[58:64]}"
    return {
        "type": "chat_gpt_ad",
        "is_rendered": True,
        "title": "Sponsor Co",
        "snippet": f"Sponsored: everything for {keyword}.",
        "url": url,
        "domain": "sponsor.example",
        "image_url": f"{url}.png",
        "advertiser": {
            "name": "Sponsor Co",
            "url": "https://sponsor.example/",
            "favicon_url": "https://sponsor.example/favicon.ico",
        },
    }


def extra_items(engine: str, keyword: str, seed: str) -> list[dict[str, Any]]:
    """The task's less common items (each present for about half of the tasks).

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        keyword: The decoded keyword.
        seed: The task's hex seed (64 characters).

    Returns:
        Items without ranks (see :func:`rank`).
    """
    bits = int(seed[26:28], 16)
    n = int(seed[28:30], 16)
    if engine != "chat_gpt":
        return [_images(engine, keyword, seed)] if bits & 2 else []
    out: list[dict[str, Any]] = []
    if bits & 1:
        out.append(_navigation(keyword, seed))
    if bits & 2:
        out.append(_images(engine, keyword, seed))
    if bits & 4:
        out.append(_local(keyword, seed, n))
    if bits & 8:
        out.append(_ad(keyword, seed))
    return out


def rank(items: list[dict[str, Any]]) -> None:
    """Number the items: ``rank_absolute`` in order, ``rank_group`` within each type."""
    groups: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        groups[item["type"]] = groups.get(item["type"], 0) + 1
        item["rank_group"] = groups[item["type"]]
        item["rank_absolute"] = position
