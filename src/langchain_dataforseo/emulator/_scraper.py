"""LLM Scraper endpoints of the emulator (``/v3/ai_optimization/{chat_gpt|gemini}/llm_scraper``).

Served: ``live/advanced`` (POST), ``task_post`` (POST), ``tasks_ready`` (GET),
``task_get/advanced/{id}`` (GET), ``locations`` (GET; ChatGPT also ``locations/{country}``)
and ``languages`` (GET). The HTML functions (``live/html``, ``task_get/html``) answer
40402 ``Invalid Path.``: this emulator has no HTML to give.

Request fields, limits and response fields follow the official client 2.1.10 models
(``AiOptimization{ChatGpt,Gemini}LlmScraper*``). Answers are deterministic functions of the
request: the same keyword, location and language always give the same synthetic answer.

Decisions where the reference is [I] (see ``scraper/REFERENCE.md``):

* Prices: Live $0.004 a task; Standard $0.0012 a task at normal priority, $0.0024 at high
  (the docs say only "from $0.0012 per ChatGPT results page"); same for Gemini; charged
  once, at ``live/advanced`` or ``task_post`` (the docs: "charged only for setting a task").
* Two locations (or two languages) at once are refused with 40501, as the client refuses them.
* A Gemini task with ``force_web_search`` gets 40501 (the field is not in its model).
* Standard tasks complete ``task_latency`` seconds after posting; callbacks are accepted but
  not delivered, and every completed, uncollected task is listed by ``tasks_ready``.
* Live scraper tasks do not take a slot of the LLM Responses concurrency gate.

The answer is a deterministic function of the task's fields: the same keyword, location and
language always give the same synthetic answer, with the official client 2.1.10 result
fields of each engine (``chat_gpt``: search results, fan-out queries, brand entities,
products; ``gemini``: text and table items), plus less common item types drawn per task
(navigation lists, images, local businesses, ads). A keyword the brand catalogue matches
gets an app-surface brand answer instead, so a panel on the app surface has a known truth.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._brands import BrandCatalogue, _rng, brand_answer, named, topic_of
from ._envelope import echo, envelope, format_datetime, service_data, task_object
from ._store import RETENTION, IdFactory, Ledger

__all__ = [
    "LANGUAGES",
    "LOCATIONS",
    "SCRAPER_ENGINES",
    "SCRAPER_PRICES",
    "ScraperCall",
    "ScraperEndpoints",
    "answer",
    "app_brand_result",
    "extra_items",
    "rank",
    "scraper_function",
    "source",
]

SCRAPER_ENGINES: Final = ("chat_gpt", "gemini")
SCRAPER_PRICES: Final[dict[str, float]] = {
    "live": 0.004,
    "task_post_priority_1": 0.0012,
    "task_post_priority_2": 0.0024,
}
"""USD per task (see the module docstring: Live and high priority are [I])."""

MAX_KEYWORD: Final = 2000
MAX_TAG: Final = 255
MAX_TASKS_PER_POST: Final = 100

_FIELDS: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("chat_gpt", "live"): frozenset(
        {
            "keyword",
            "location_name",
            "location_code",
            "language_name",
            "language_code",
            "force_web_search",
            "tag",
        }
    ),
    ("gemini", "live"): frozenset(
        {
            "keyword",
            "location_name",
            "location_code",
            "location_coordinate",
            "language_name",
            "language_code",
            "tag",
        }
    ),
}
_STANDARD_EXTRA: Final = frozenset(
    {"priority", "expand_citations", "postback_url", "postback_data", "pingback_url"}
)
_ROUTES: Final[dict[str, tuple[str, int]]] = {
    "live/advanced": ("POST", 0),
    "task_post": ("POST", 0),
    "tasks_ready": ("GET", 0),
    "task_get/advanced": ("GET", 1),
    "locations": ("GET", 0),
    "languages": ("GET", 0),
}
_COORDINATE = re.compile(r"-?\d{1,3}(?:\.\d{1,7})?,-?\d{1,3}(?:\.\d{1,7})?,\d+(?:\.\d+)?")


def scraper_function(method: str, rest: tuple[str, ...]) -> tuple[str, str] | None:
    """Match the path below ``{engine}/llm_scraper/`` to a served function.

    Args:
        method: HTTP method.
        rest: The path segments after ``llm_scraper``.

    Returns:
        ``(function, task_id_or_country)`` or ``None`` when not served (40402).
    """
    for name, (verb, extra) in _ROUTES.items():
        parts = tuple(name.split("/"))
        if rest[: len(parts)] != parts or method.upper() != verb:
            continue
        tail = rest[len(parts) :]
        if len(tail) == extra or (name == "locations" and len(tail) == 1):
            return name, tail[0] if tail else ""
    return None


@dataclass
class _Task:
    id: str
    engine: str
    fields: dict[str, Any]
    data: dict[str, Any]
    posted_at: float
    ready_at: float
    cost: float
    collected: bool = False


@dataclass
class ScraperCall:
    """One served call: the envelope to send after ``delay`` s, and what it charges then.

    Attributes:
        delay: Seconds to wait before answering (live latency).
        body: The envelope (``time`` filled in when answering).
        charges: Ledger entries to add when answering (none if the caller gives up).
    """

    delay: float
    body: dict[str, Any]
    charges: list[dict[str, Any]] = field(default_factory=list)


def _invalid(name: str) -> tuple[int, str | None]:
    return 40501, f"Invalid Field: '{name}'."


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _location_error(engine: str, fields: dict[str, Any]) -> tuple[int, str | None] | None:
    names = ["location_name", "location_code"] + (
        ["location_coordinate"] if engine == "gemini" else []
    )
    given = [n for n in names if n in fields]
    if len(given) != 1:
        return _invalid("location_name")
    name = given[0]
    value = fields[name]
    if name == "location_code":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return _invalid(name)
    elif name == "location_coordinate":
        if not isinstance(value, str) or _COORDINATE.fullmatch(value) is None:
            return _invalid(name)
        latitude, longitude, radius = (float(p) for p in value.split(","))
        if abs(latitude) > 90 or abs(longitude) > 180 or not 199 <= radius <= 199999:
            return _invalid(name)
    elif _blank(value):
        return _invalid(name)
    return None


def validate(
    engine: str, method: str, raw: dict[str, Any]
) -> dict[str, Any] | tuple[int, str | None]:
    """Check one task as the API would.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        method: ``live`` or ``task_post``.
        raw: The posted task object.

    Returns:
        The set fields (nulls dropped), or ``(code, message)``.
    """
    fields = {k: v for k, v in raw.items() if v is not None}
    allowed = _FIELDS[(engine, "live")] | (_STANDARD_EXTRA if method == "task_post" else set())
    unknown = sorted(set(fields) - allowed)
    if unknown:
        return 40501, f"Invalid Field: '{unknown[0]}'."
    keyword = fields.get("keyword")
    if _blank(keyword) or len(str(keyword)) > MAX_KEYWORD:
        return _invalid("keyword")
    location = _location_error(engine, fields)
    if location is not None:
        return location
    languages = [n for n in ("language_name", "language_code") if n in fields]
    if len(languages) != 1 or _blank(fields[languages[0]]):
        return _invalid("language_code")
    if "force_web_search" in fields and not isinstance(fields["force_web_search"], bool):
        return _invalid("force_web_search")
    tag = fields.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > MAX_TAG):
        return _invalid("tag")
    if "priority" in fields and fields["priority"] not in (1, 2):
        return _invalid("priority")
    if "postback_url" in fields and fields.get("postback_data") not in ("advanced", "html"):
        return _invalid("postback_data")
    return fields


class ScraperEndpoints:
    """State and handlers of the LLM Scraper routes (the caller holds the emulator lock).

    Args:
        ledger: Where charges go.
        ids: The emulator's id factory.
        live_latency: Seconds a live task takes.
        task_latency: Seconds a Standard task takes.
        brands: The brand truth for app-surface panel answers (``None``: plain answers).
    """

    def __init__(
        self,
        ledger: Ledger,
        ids: IdFactory,
        live_latency: float,
        task_latency: float,
        brands: BrandCatalogue | None = None,
    ):
        self._brands = brands
        self._ledger = ledger
        self._ids = ids
        self._live_latency = live_latency
        self._task_latency = task_latency
        self._tasks: dict[str, _Task] = {}

    def serve(
        self, engine: str, function: str, arg: str, path: list[str], tasks: list[Any], now: float
    ) -> ScraperCall:
        """Serve one routed call.

        Args:
            engine: ``chat_gpt`` or ``gemini``.
            function: A key of the served routes (``live/advanced`` ...).
            arg: The task id (``task_get/advanced``) or country (``locations``), else ``""``.
            path: The URL path segments (echoed in ``path``).
            tasks: The POSTed array (empty for GETs).
            now: Epoch seconds.

        Returns:
            The call to answer.
        """
        handlers: dict[str, Callable[[], ScraperCall]] = {
            "live/advanced": lambda: self._live(engine, path, tasks, now),
            "task_post": lambda: self._post(engine, path, tasks, now),
            "tasks_ready": lambda: self._ready(engine, path, now),
            "task_get/advanced": lambda: self._get(engine, path, arg, now),
            "locations": lambda: self._list(engine, path, "locations", arg, now),
            "languages": lambda: self._list(engine, path, "languages", "", now),
        }
        return handlers[function]()

    def _charge(
        self, task_id: str, engine: str, method: str, cost: float, tag: Any
    ) -> dict[str, Any]:
        return {
            "id": task_id,
            "engine": engine,
            "method": f"llm_scraper/{method}",
            "cost": cost,
            "tag": tag if isinstance(tag, str) else None,
            "status": "charged",
            "response_corrupted": False,
        }

    def _live(self, engine: str, path: list[str], tasks: list[Any], now: float) -> ScraperCall:
        first_id = self._ids.next(now, standard=False)
        data = echo(engine, tasks[0], "llm_scraper")
        extras = [
            task_object(
                self._ids.next(now, standard=False),
                40000,
                path,
                echo(engine, raw, "llm_scraper"),
            )
            for raw in tasks[1:]
        ]
        raw = tasks[0]
        checked = validate(engine, "live", raw) if isinstance(raw, dict) else (40503, None)
        if isinstance(checked, tuple):
            code, message = checked
            obj = task_object(first_id, code, path, data, message=message)
            return ScraperCall(0.0, envelope([obj, *extras]))
        cost = SCRAPER_PRICES["live"]
        obj = task_object(
            first_id,
            20000,
            path,
            data,
            cost=cost,
            result=[answer(engine, checked, now, self._brands)],
        )
        charge = self._charge(first_id, engine, "live", cost, checked.get("tag"))
        return ScraperCall(self._live_latency, envelope([obj, *extras]), [charge])

    def _post(self, engine: str, path: list[str], tasks: list[Any], now: float) -> ScraperCall:
        objects: list[dict[str, Any]] = []
        charges: list[dict[str, Any]] = []
        for index, raw in enumerate(tasks):
            task_id = self._ids.next(now, standard=True)
            data = echo(engine, raw, "llm_scraper")
            if index >= MAX_TASKS_PER_POST:
                objects.append(task_object(task_id, 40006, path, data))
                continue
            checked = validate(engine, "task_post", raw) if isinstance(raw, dict) else (40503, None)
            if isinstance(checked, tuple):
                objects.append(task_object(task_id, checked[0], path, data, message=checked[1]))
                continue
            cost = SCRAPER_PRICES[f"task_post_priority_{checked.get('priority', 1)}"]
            self._tasks[task_id] = _Task(
                task_id, engine, checked, data, now, now + self._task_latency, cost
            )
            charges.append(self._charge(task_id, engine, "task_post", cost, checked.get("tag")))
            objects.append(task_object(task_id, 20100, path, data, cost=cost))
        return ScraperCall(0.0, envelope(objects), charges)

    def _ready(self, engine: str, path: list[str], now: float) -> ScraperCall:
        root = f"/v3/ai_optimization/{engine}/llm_scraper"
        result = [
            {
                "id": t.id,
                "se": engine,
                "function": "advanced",
                "date_posted": format_datetime(t.posted_at),
                "tag": t.fields.get("tag"),
                "endpoint_advanced": f"{root}/task_get/advanced/{t.id}",
                "endpoint_html": f"{root}/task_get/html/{t.id}",
            }
            for t in self._tasks.values()
            if t.engine == engine and not t.collected and t.ready_at <= now
        ][:1000]
        obj = task_object(
            self._ids.next(now, standard=False),
            20000,
            path,
            service_data(engine, "tasks_ready"),
            result=result,
        )
        return ScraperCall(0.0, envelope([obj]))

    def _get(self, engine: str, path: list[str], task_id: str, now: float) -> ScraperCall:
        task = self._tasks.get(task_id)
        if task is None:
            obj = task_object(task_id, 40401, path, service_data(engine, "llm_scraper"))
        elif task.engine != engine:
            obj = task_object(task_id, 40002, path, service_data(engine, "llm_scraper"))
        elif now - task.posted_at > RETENTION:
            obj = task_object(task_id, 40403, path, task.data)
        elif now < task.ready_at:
            obj = task_object(task_id, 40602, path, task.data)
        else:
            task.collected = True
            result = answer(engine, task.fields, task.ready_at, self._brands)
            obj = task_object(task_id, 20000, path, task.data, cost=task.cost, result=[result])
        return ScraperCall(0.0, envelope([obj]))

    def _list(
        self, engine: str, path: list[str], kind: str, country: str, now: float
    ) -> ScraperCall:
        if kind == "languages":
            result: list[dict[str, Any]] = [
                {"language_name": name, "language_code": code} for name, code in LANGUAGES
            ]
        else:
            result = [
                {
                    "location_code": code,
                    "location_name": name,
                    "location_code_parent": parent,
                    "country_iso_code": iso,
                    "location_type": kind_,
                }
                for code, name, parent, iso, kind_ in LOCATIONS
                if not country or iso.lower() == country.lower()
            ]
        obj = task_object(
            self._ids.next(now, standard=False),
            20000,
            path,
            service_data(engine, kind),
            result=result,
        )
        return ScraperCall(0.0, envelope([obj]))


# ---------------------------------------------- the answer


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
            (:func:`app_brand_result`).

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


# ---------------------------------------------- app-surface brand answers


# With a :class:`~._brands.BrandCatalogue` and a keyword it matches, an LLM Scraper task's
# result names the catalogue's brands at their *app* probabilities and cites its domains at
# their *app* citation rates (``_brands.brand_answer`` with ``surface="app"``: app answers
# always search). The shape is the LLM Scraper's (client 2.1.10): ``markdown`` (each cited
# source linked on its line as a domain chip, ``[hubspot.com](https://...)``), ``sources``
# (cited), one ``{engine}_text`` item with its sources, ``brand_entities`` for the brands
# named and, for ChatGPT only, ``search_results`` (every cited source, plus the catalogue
# domains *found* but not cited, each at its ``found_rate``) and ``fan_out_queries``.
#
# Deterministic: seeded like the API answers, by the catalogue's seed, the engine and the
# task's fields (tag included); the found-only draws use their own stream, so they change
# nothing of the rest.


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
    topic = topic_of(keyword)
    lines, cited, fan_out = brand_answer(
        catalogue, engine, fields, topic, True, surface="app", phrase=keyword
    )
    marked = list(lines)
    for index, (host, _title, url) in enumerate(cited):
        marked[index + 1] += f" [{host}]({url})"
    markdown = "\n".join(marked)
    sources = [source(engine, title, url, f"From {host}.") for host, title, url in cited]
    entities_named = named(lines)
    entities = [
        {
            "type": f"{engine}_brand_entity",
            "title": name,
            "category": "Software",
            "markdown": f"**{name}**",
        }
        for name in entities_named
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


# ---------------------------------------------- less common item types


# Client 2.1.10 item models. Besides text and tables, the apps' answers carry navigation
# lists, images, local businesses and ads (ChatGPT) and images (Gemini). Which of them an
# answer has is drawn from the task's seed, so a handful of keywords meets every type; the
# same task always gets the same items. Element ``type`` values inside an item
# (``chat_gpt_images_element``, ``chat_gpt_local_businesses_element``) follow the prefixed
# names of the sandbox answers (``chat_gpt_source``); they are [I] (not shown in what was
# read).


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
