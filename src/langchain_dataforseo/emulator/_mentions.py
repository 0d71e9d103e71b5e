"""LLM Mentions endpoints of the emulator: validation, deterministic synthetic data, prices.

Field shapes follow the official client's models (``mentions/REFERENCE.md``). The data is
a function of the request only (a hash of its ``target`` or ``targets``, platform and
location), so the same request always gets the same answer and cassettes replay exactly.
A null field counts as absent (the official client sends nulls).

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

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Invalid", "MentionsAnswer", "answer_mentions", "mentions_function", "price", "validate"]

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


# ---------------------------------------------- checks: 40501 naming the field, or 40503


FIRST_DATE = dt.date(2025, 8, 1)
TIMESERIES = {"timeseries_delta", "timeseries_new_lost"}


class Invalid(Exception):
    """A refused task: its status code (40501, 40503) and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _bad(field: str, why: str) -> Invalid:
    return Invalid(40501, f"Invalid Field: '{field}'. {why}")


def _count_conditions(node: object) -> int:
    if not isinstance(node, list) or not node:
        raise _bad("filters", "Filters must be a non-empty array.")
    if isinstance(node[0], str) and node[0] not in ("and", "or"):
        if len(node) != 3:
            raise _bad("filters", "A condition is [field, operator, value].")
        return 1
    return sum(_count_conditions(p) for i, p in enumerate(node) if i % 2 == 0)


def _date(task: dict[str, Any], field: str) -> dt.date | None:
    value = task.get(field)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _bad(field, "Use the format yyyy-mm-dd.")
    if day < FIRST_DATE:
        raise _bad(field, f"The minimal value is {FIRST_DATE.isoformat()}.")
    return day


def validate(function: str, task: dict[str, Any]) -> None:
    """Check one task; a null field counts as absent (the official client sends nulls)."""
    if function == "multi_target_metrics":
        groups = task.get("targets")
        if not isinstance(groups, list) or not groups:
            raise Invalid(40503, "Invalid Field: 'targets'. The field is required.")
        for group in groups:
            key = group.get("key") if isinstance(group, dict) else None
            if not isinstance(key, str) or not 0 < len(key) <= 250:
                raise _bad("key", "The key is required, up to 250 characters.")
            _validate_target(group.get("target"))
    else:
        _validate_target(task.get("target"))
    _validate_fields(function, task)


def _validate_target(target: object) -> None:
    if not isinstance(target, list) or not target:
        raise Invalid(40503, "Invalid Field: 'target'. The field is required.")
    if len(target) > 10:
        raise _bad("target", "You can specify up to 10 entities.")
    for entity in target:
        if not isinstance(entity, dict) or (entity.get("keyword") is None) == (
            entity.get("domain") is None
        ):
            raise _bad("target", "Each entity holds either a keyword or a domain.")
        keyword = entity.get("keyword")
        if keyword is not None and (not isinstance(keyword, str) or not 0 < len(keyword) <= 2000):
            raise _bad("keyword", "Up to 2000 characters.")


def _validate_fields(function: str, task: dict[str, Any]) -> None:
    if task.get("platform") not in (None, "chat_gpt", "google"):
        raise _bad("platform", "Possible values: chat_gpt, google.")
    if task.get("platform") == "chat_gpt" and (task.get("location_code") or 2840) != 2840:
        raise _bad("location_code", "chat_gpt data is available for 2840 only.")
    if task.get("platform") == "chat_gpt" and (task.get("language_code") or "en") != "en":
        raise _bad("language_code", "chat_gpt data is available for en only.")
    limit = task.get("limit")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 1000):
        raise _bad("limit", "The maximum value is 1000.")
    offset = task.get("offset")
    if offset is not None and (not isinstance(offset, int) or not 0 <= offset <= 1_000_000):
        raise _bad("offset", "The maximum value is 1000000.")
    inner = task.get("internal_list_limit")
    if inner is not None and (not isinstance(inner, int) or not 1 <= inner <= 10):
        raise _bad("internal_list_limit", "Minimum value 1, maximum value 10.")
    for key in ("filters", "initial_dataset_filters"):
        if task.get(key) is not None and _count_conditions(task[key]) > 8:
            raise _bad(key, "You can add 8 filters maximum.")
    order_by = task.get("order_by")
    if order_by is not None and (not isinstance(order_by, list) or len(order_by) > 3):
        raise _bad("order_by", "You can set no more than three sorting rules.")
    tag = task.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > 255):
        raise _bad("tag", "The character limit is 255.")
    start, end = _date(task, "date_from"), _date(task, "date_to")
    if function in TIMESERIES:
        for field in ("date_from", "date_to", "group_range"):
            if task.get(field) is None:
                raise _bad(field, "The field is required.")
        if task["group_range"] not in ("day", "week", "month", "year"):
            raise _bad("group_range", "Possible values: day, week, month, year.")
    if start is not None and end is not None and start > end:
        raise _bad("date_from", "date_from cannot exceed date_to.")


# ---------------------------------------------- data: deterministic rows


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
