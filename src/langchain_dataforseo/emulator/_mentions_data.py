"""The emulated LLM Mentions data: deterministic rows, a function of the request only.

The seed is a hash of the task's ``target`` (or ``targets``), platform and location, so
the same request always gets the same answer and cassettes replay exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

_DOMAINS = (
    "en.wikipedia.org",
    "forbes.com",
    "g2.com",
    "capterra.com",
    "reddit.com",
    "techradar.com",
    "zapier.com",
    "pcmag.com",
    "nerdwallet.com",
    "youtube.com",
)
_BRANDS = (
    ("HubSpot", "CRM software"),
    ("Salesforce", "CRM software"),
    ("Zoho", "Business software"),
    ("Pipedrive", "CRM software"),
    ("Mailchimp", "Email marketing"),
    ("Notion", "Productivity"),
)


def _seed(task: dict[str, Any]) -> int:
    key = json.dumps(
        [
            task.get("target") or task.get("targets"),
            task.get("platform"),
            task.get("location_code"),
        ],
        sort_keys=True,
    )
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _label(task: dict[str, Any]) -> str:
    entity = task["target"][0]
    return str(entity.get("keyword") or entity.get("domain"))


def _monthly(seed: int, volume: int) -> list[dict[str, int]]:
    return [
        {"year": 2025, "month": month, "search_volume": max(0, volume - (seed >> month) % 50)}
        for month in (11, 10, 9)
    ]


def _row(task: dict[str, Any], seed: int, n: int) -> dict[str, Any]:
    label = _label(task)
    platform = task.get("platform") or ("google" if n % 2 == 0 else "chat_gpt")
    volume = 50 + (seed >> (n % 40)) % 5000
    domains = [_DOMAINS[(seed + n + i) % len(_DOMAINS)] for i in range(3)]
    sources = [
        {
            "title": f"{label.title()}: guide {n + 1}.{i + 1}",
            "url": f"https://{d}/{label.replace(' ', '-')}-{n + 1}",
            "domain": d,
            "source_name": d.split(".")[-2].title(),
            "snippet": f"What {d} says about {label}.",
            "rank": i + 1,
            "publication_date": "2025-09-15 08:00:00 +00:00",
            "thumbnail": None,
            "markdown": None,
        }
        for i, d in enumerate(domains)
    ]
    brands = [_BRANDS[(seed + n + i) % len(_BRANDS)] for i in range(2)]
    chat = platform == "chat_gpt"
    first = dt.datetime(2025, 8, 1, tzinfo=dt.UTC) + dt.timedelta(hours=(seed + n * 37) % 2000)
    last = first + dt.timedelta(days=20 + n % 30)
    names = " and ".join(b[0] for b in brands)
    return {
        "platform": platform,
        "model_name": "gpt-4o" if chat else "google_ai_overview",
        "location_code": task.get("location_code") or 2840,
        "language_code": task.get("language_code") or "en",
        "question": f"what is the best {label} option #{n + 1}",
        "answer": (
            f"## {label.title()}\n\nFor {label}, answers most often name {names}. "
            f"Option {n + 1} is cited by {domains[0]} and {domains[1]}."
        ),
        "sources": sources,
        "search_results": (
            [
                {
                    "title": s["title"],
                    "url": s["url"],
                    "domain": s["domain"],
                    "rank": s["rank"],
                    "description": s["snippet"],
                    "breadcrumb": None,
                    "publication_date": None,
                }
                for s in sources
            ]
            if chat
            else None
        ),
        "ai_search_volume": volume,
        "monthly_searches": _monthly(seed + n, volume),
        "first_response_at": first.strftime("%Y-%m-%d %H:%M:%S +00:00"),
        "last_response_at": last.strftime("%Y-%m-%d %H:%M:%S +00:00"),
        "brand_entities": (
            [{"title": t, "category": c, "rank": i + 1} for i, (t, c) in enumerate(brands)]
            if chat
            else None
        ),
        "fan_out_queries": [f"{label} pricing", f"{label} reviews"] if chat else None,
        "is_web_search_based": chat or n % 3 != 0,
    }


def _group(seed: int, keys: list[Any], scale: int) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "mentions": scale // (i + 1) + seed % 7,
            "ai_search_volume": scale * 13 // (i + 1),
        }
        for i, key in enumerate(keys)
    ]


def _aggregated(task: dict[str, Any], seed: int, scale: int) -> dict[str, Any]:
    inner = int(task.get("internal_list_limit") or 5)
    platforms = [task["platform"]] if task.get("platform") else ["google", "chat_gpt"]
    chat = "chat_gpt" in platforms
    return {
        "location": _group(seed, [str(task.get("location_code") or 2840)], scale),
        "language": _group(seed, [task.get("language_code") or "en"], scale),
        "platform": _group(seed, platforms, scale),
        "sources_domain": _group(seed, [_DOMAINS[(seed + i) % 10] for i in range(inner)], scale),
        "search_results_domain": (
            _group(seed, [_DOMAINS[(seed + i + 3) % 10] for i in range(inner)], scale)
            if chat
            else []
        ),
        "brand_entities_title": _group(seed, [b[0] for b in _BRANDS[:inner]], scale)
        if chat
        else [],
        "brand_entities_category": _group(seed, sorted({b[1] for b in _BRANDS}), scale)
        if chat
        else [],
        "total": {"mentions": scale + seed % 11, "ai_search_volume": scale * 17},
    }


def _paged(task: dict[str, Any], total: int) -> tuple[int, int]:
    offset = int(task.get("offset") or 0)
    limit = int(task.get("limit") or 100)
    return offset, max(0, min(limit, total - offset))


def _months(task: dict[str, Any]) -> list[dt.date]:
    start = dt.date.fromisoformat(task.get("date_from") or "2025-08-01")
    end = dt.date.fromisoformat(task.get("date_to") or "2025-11-30")
    months: list[dt.date] = []
    day = start.replace(day=1)
    while day <= end and len(months) < 60:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _periods(task: dict[str, Any]) -> list[dt.date]:
    start = dt.date.fromisoformat(task["date_from"])
    end = dt.date.fromisoformat(task["date_to"])
    step = {"day": 1, "week": 7, "month": 30, "year": 365}[task["group_range"]]
    days: list[dt.date] = []
    day = start
    while day <= end and len(days) < 400:
        days.append(day)
        day += dt.timedelta(days=step)
    return days


def _ordered(rows: list[dict[str, Any]], order_by: object) -> list[dict[str, Any]]:
    """Apply ``order_by`` rules on top-level row fields (last rule first: a stable sort)."""
    for rule in reversed(order_by if isinstance(order_by, list) else []):
        field, _, direction = str(rule).partition(",")
        if all(isinstance(r.get(field), int | str) for r in rows):
            rows = sorted(rows, key=lambda r: r[field], reverse=direction.strip() == "desc")
    return rows


def result_of(function: str, task: dict[str, Any]) -> tuple[dict[str, Any], int]:
    seed = _seed(task)
    if function == "search_mentions":
        total = 5 + seed % 40
        offset, count = _paged(task, total)
        rows = _ordered([_row(task, seed, n) for n in range(total)], task.get("order_by"))
        items = rows[offset : offset + count]
        token = hashlib.sha256(f"{seed}:{offset + count}".encode()).hexdigest()[:32]
        return {
            "total_count": total,
            "offset": offset,
            "search_after_token": token,
            "items_count": count,
            "items": items,
        }, count
    if function == "target_metrics":
        metrics = _aggregated(task, seed, 100 + seed % 900)
        return {
            "total_count": 0,
            "offset": 0,
            "items_count": 0,
            "aggregated_metrics": metrics,
            "items": None,
        }, 0
    if function == "multi_target_metrics":
        groups = task["targets"]
        offset, count = _paged(task, len(groups))
        items = [
            {"key": g["key"], **_aggregated(task, seed + i, 100 + (seed >> i) % 900)}
            for i, g in enumerate(groups[offset : offset + count])
        ]
        overall = _aggregated(task, seed, 1000 + seed % 900)
        page = {"total_count": len(groups), "offset": offset, "items_count": count}
        return {**page, "aggregated_metrics": overall, "items": items}, count
    if function.startswith("top_mentioned_"):
        key = {
            "top_mentioned_domains": "domain",
            "top_mentioned_pages": "page",
            "top_mentioned_brands": "brand",
        }[function]
        names = {
            "domain": list(_DOMAINS),
            "page": [f"https://{d}/{_label(task).replace(' ', '-')}" for d in _DOMAINS],
            "brand": [b[0] for b in _BRANDS],
        }[key]
        offset, count = _paged(task, len(names))
        items = [
            {
                key: names[offset + i],
                **_aggregated(task, seed + i, (400 + seed % 200) // (offset + i + 1)),
            }
            for i in range(count)
        ]
        overall = _aggregated(task, seed, 400 + seed % 200)
        page = {"total_count": len(names), "offset": offset, "items_count": count}
        return {**page, "aggregated_metrics": overall, "items": items}, count
    if function == "historical":
        months = _months(task)
        items = [
            {
                "year": m.year,
                "month": m.month,
                "metrics": {
                    "mentions": 50 + (seed >> i) % 200,
                    "ai_search_volume": 1000 + (seed >> i) % 9000,
                },
            }
            for i, m in enumerate(months)
        ]
        return {"items_count": len(items), "items": items}, len(items)
    days = _periods(task)
    if function == "timeseries_delta":
        items = [
            {
                "date": d.isoformat(),
                "delta_mentions": (seed >> i) % 21 - 10,
                "delta_ai_search_volume": (seed >> i) % 2001 - 1000,
            }
            for i, d in enumerate(days)
        ]
    else:
        items = [
            {
                "date": d.isoformat(),
                "new_mentions": (seed >> i) % 15,
                "lost_mentions": (seed >> (i + 1)) % 9,
                "new_ai_search_volume": (seed >> i) % 700,
                "lost_ai_search_volume": (seed >> (i + 2)) % 400,
            }
            for i, d in enumerate(days)
        ]
    return {"items_count": len(items), "items": items}, len(items)
