"""LLM Scraper endpoints of the emulator (``/v3/ai_optimization/{chat_gpt|gemini}/llm_scraper``).

Served: ``live/advanced`` (POST), ``task_post`` (POST), ``tasks_ready`` (GET),
``task_get/advanced/{id}`` (GET), ``locations`` (GET; ChatGPT also ``locations/{country}``)
and ``languages`` (GET). The HTML functions (``live/html``, ``task_get/html``) answer
40402 ``Invalid Path.``: this emulator has no HTML to give.

Request fields, limits and response fields follow the official client 2.1.10 models
(``AiOptimization{ChatGpt,Gemini}LlmScraper*``). Answers are deterministic functions of the
request: the same keyword, location and language always give the same synthetic answer
(``_scraper_answer``).

Decisions where the reference is [I] (see ``scraper/REFERENCE.md``):

* Prices: Live $0.004 a task; Standard $0.0012 a task at normal priority, $0.0024 at high
  (the docs say only "from $0.0012 per ChatGPT results page"); same for Gemini; charged
  once, at ``live/advanced`` or ``task_post`` (the docs: "charged only for setting a task").
* Two locations (or two languages) at once are refused with 40501, as the client refuses them.
* A Gemini task with ``force_web_search`` gets 40501 (the field is not in its model).
* Standard tasks complete ``task_latency`` seconds after posting; callbacks are accepted but
  not delivered, and every completed, uncollected task is listed by ``tasks_ready``.
* Live scraper tasks do not take a slot of the LLM Responses concurrency gate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from ._answers import format_datetime
from ._brands import BrandCatalogue
from ._envelope import envelope, service_data, task_object
from ._ids import IdFactory
from ._scraper_answer import LANGUAGES, LOCATIONS, answer
from ._store import RETENTION, Ledger

__all__ = [
    "SCRAPER_ENGINES",
    "SCRAPER_PRICES",
    "ScraperCall",
    "ScraperEndpoints",
    "scraper_function",
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

    def _data(self, engine: str, raw: Any, function: str) -> dict[str, Any]:
        data = service_data(engine, function)
        if isinstance(raw, dict):
            data.update({k: v for k, v in raw.items() if v is not None and k not in data})
        return data

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
        data = self._data(engine, tasks[0], "llm_scraper")
        extras = [
            task_object(
                self._ids.next(now, standard=False),
                40000,
                path,
                self._data(engine, raw, "llm_scraper"),
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
            data = self._data(engine, raw, "llm_scraper")
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
