"""LLM Scraper request: the fields, their limits, and the task object sent (pure).

Limits come from the official client's request models and DataForSEO's docs (see
``REFERENCE.md`` in this folder). Every refusal is a :class:`DataForSEOInputError` naming
the field, the limit and the value, raised before any request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

import httpx

from langchain_dataforseo._api.fields import LLM_SCRAPER
from langchain_dataforseo._api.redact import redact_url
from langchain_dataforseo._api.request import escape_keyword
from langchain_dataforseo._transport.base_url import endpoint_url
from langchain_dataforseo.errors import DataForSEOInputError

ScraperEngine = str
"""An engine the LLM Scraper serves: a key of :data:`SCRAPER_APPS`."""
ScraperMethod = Literal["live", "standard"]


@dataclass(frozen=True)
class ScraperApp:
    """One app the LLM Scraper serves.

    Attributes:
        label: The app's name, for people (``ChatGPT``).
        own_fields: The request fields only this app takes (refused for the others).
    """

    label: str
    own_fields: frozenset[str] = frozenset()


SCRAPER_APPS: Final[dict[str, ScraperApp]] = {
    "chat_gpt": ScraperApp("ChatGPT", frozenset({"force_web_search"})),
    "gemini": ScraperApp("Gemini", frozenset({"location_coordinate"})),
    # perplexity: announced as "not yet available" in DataForSEO's PHP client; its path
    # answers 40402 today (REFERENCE.md section 1). When it opens, it is one line here.
}
"""The engines, as data: adding one is one entry (its path segment, label, own fields)."""
SCRAPER_ENGINES: Final[tuple[str, ...]] = tuple(SCRAPER_APPS)
MAX_KEYWORD_CHARS: Final = 2000
MAX_TAG_CHARS: Final = 255
COORDINATE_MAX_DECIMALS: Final = 7
COORDINATE_RADIUS_MIN: Final = 199
COORDINATE_RADIUS_MAX: Final = 199999
PRIORITIES: Final = (1, 2)
POSTBACK_DATA: Final = ("advanced", "html")
"""What a ``postback_url`` receives: the result of ``task_get/advanced`` or ``/html``."""
METHODS: Final[tuple[ScraperMethod, ...]] = ("live", "standard")

_COORDINATE_FORMAT: Final = "'latitude,longitude,radius'"
_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")


@dataclass(frozen=True)
class ScraperRequest:
    """One question for the LLM Scraper, as a person would type it in the app.

    Attributes:
        keyword: The question (up to 2000 characters once ``%`` and ``+`` are escaped).
        location_name: Full location name (``"United States"``).
        location_code: Location code (``2840``).
        location_coordinate: ``"latitude,longitude,radius"`` (Gemini only).
        language_name: Full language name (``"English"``).
        language_code: Language code (``"en"``).
        force_web_search: Make ChatGPT search the web (ChatGPT only; no guarantee of citations).
        tag: Your identifier for the task (up to 255 characters), echoed back.
    """

    keyword: str
    location_name: str | None = None
    location_code: int | None = None
    location_coordinate: str | None = None
    language_name: str | None = None
    language_code: str | None = None
    force_web_search: bool | None = None
    tag: str | None = None


def _refuse(message: str, field: str, limit: object, actual: object) -> DataForSEOInputError:
    return DataForSEOInputError(
        f"{message} Refused before any request (nothing was charged).",
        field=field,
        limit=limit,
        actual=actual,
    )


def check_engine(engine: object) -> ScraperEngine:
    """Refuse an engine the LLM Scraper does not serve.

    Args:
        engine: The engine path segment.

    Returns:
        The engine.

    Raises:
        DataForSEOInputError: For anything but a key of :data:`SCRAPER_APPS`.
    """
    if not isinstance(engine, str) or engine not in SCRAPER_APPS:
        known = " and ".join(repr(e) for e in SCRAPER_ENGINES)
        msg = f"engine={engine!r}: the LLM Scraper serves only {known}."
        raise _refuse(msg, "engine", list(SCRAPER_ENGINES), engine)
    return engine


def scraper_url(base_url: str, engine: str, function: str) -> httpx.URL:
    """The URL of one LLM Scraper endpoint (engine and base URL checked).

    Args:
        base_url: The API root (https, or http to loopback; checked).
        engine: ``chat_gpt`` or ``gemini``.
        function: Below ``llm_scraper`` (``live/advanced``, ``task_get/advanced/<id>``).

    Returns:
        The parsed URL.
    """
    return endpoint_url(base_url, check_engine(engine), function, LLM_SCRAPER)


def _only_for(field: str, value: object) -> DataForSEOInputError:
    """The refusal of a field that only other engines take."""
    owners = [e for e, app in SCRAPER_APPS.items() if field in app.own_fields]
    msg = f"{field} is a field of the {' and '.join(owners)} scraper only."
    return _refuse(msg, field, f"{', '.join(owners)} only", value)


def _check_keyword(keyword: object) -> str:
    if not isinstance(keyword, str) or not keyword.strip():
        msg = f"keyword={keyword!r}: a non-empty question is required."
        raise _refuse(msg, "keyword", "non-empty text", keyword)
    sent = escape_keyword(keyword)
    if len(sent) > MAX_KEYWORD_CHARS:
        extra = "" if sent == keyword else " ('%' and '+' are sent as '%25' and '%2B')"
        msg = (
            f"keyword is {len(sent)} characters as sent{extra}; the LLM Scraper takes up to "
            f"{MAX_KEYWORD_CHARS}. Shorten it."
        )
        raise _refuse(msg, "keyword", MAX_KEYWORD_CHARS, len(sent))
    return sent


def _check_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"{name}={value!r}: must be non-empty text.", name, "non-empty text", value)


def _decimals(part: str) -> int | None:
    match = _NUMBER.fullmatch(part.strip())
    if match is None:
        return None
    return len(match.group(1) or "")


def check_coordinate(value: object) -> str:
    """Check a ``location_coordinate`` (``"latitude,longitude,radius"``).

    Args:
        value: The coordinate as given.

    Returns:
        The coordinate, unchanged.

    Raises:
        DataForSEOInputError: For another format, a latitude outside -90..90, a longitude
            outside -180..180, more than 7 decimal digits, or a radius outside 199..199999.
    """
    field = "location_coordinate"
    parts = value.split(",") if isinstance(value, str) else []
    decimals = [_decimals(part) for part in parts]
    if len(parts) != 3 or any(d is None for d in decimals):
        msg = f"location_coordinate={value!r}: the format is {_COORDINATE_FORMAT}."
        raise _refuse(msg, field, _COORDINATE_FORMAT, value)
    latitude, longitude, radius = (float(part) for part in parts)
    checks = (
        (-90.0 <= latitude <= 90.0, "latitude in -90..90"),
        (-180.0 <= longitude <= 180.0, "longitude in -180..180"),
        (
            max(cast(list[int], decimals[:2])) <= COORDINATE_MAX_DECIMALS,
            f"at most {COORDINATE_MAX_DECIMALS} decimal digits in latitude and longitude",
        ),
        (
            math.isfinite(radius) and COORDINATE_RADIUS_MIN <= radius <= COORDINATE_RADIUS_MAX,
            f"radius in {COORDINATE_RADIUS_MIN}..{COORDINATE_RADIUS_MAX}",
        ),
    )
    for ok, limit in checks:
        if not ok:
            msg = f"location_coordinate={value!r}: needs {limit} ({_COORDINATE_FORMAT})."
            raise _refuse(msg, field, limit, value)
    return cast(str, value)


def _location(engine: ScraperEngine, request: ScraperRequest) -> dict[str, Any]:
    """The location fields to send: at least one; several are sent as given.

    The docs say of each that it is "required if you don't specify" the others and that
    with it "you don't need to specify" them: they do not forbid two (REFERENCE.md 2).
    """
    given = {
        name: value
        for name, value in (
            ("location_name", request.location_name),
            ("location_code", request.location_code),
            ("location_coordinate", request.location_coordinate),
        )
        if value is not None
    }
    coordinates = "location_coordinate" in SCRAPER_APPS[engine].own_fields
    if "location_coordinate" in given and not coordinates:
        raise _only_for("location_coordinate", request.location_coordinate)
    if not given:
        accepted = ["location_name", "location_code"] + (
            ["location_coordinate"] if coordinates else []
        )
        msg = f"Give at least one of {', '.join(accepted)} (got none)."
        raise _refuse(msg, "location_name", f"at least one of {accepted}", None)
    code = given.get("location_code")
    if code is not None and (isinstance(code, bool) or not isinstance(code, int) or code <= 0):
        msg = f"location_code={code!r}: must be a positive integer (e.g. 2840)."
        raise _refuse(msg, "location_code", "positive integer", code)
    if "location_name" in given:
        _check_text("location_name", given["location_name"])
    if "location_coordinate" in given:
        check_coordinate(given["location_coordinate"])
    return given


def _language(request: ScraperRequest) -> dict[str, Any]:
    """The language fields to send: at least one; both are sent as given (as locations)."""
    given = {
        name: value
        for name, value in (
            ("language_name", request.language_name),
            ("language_code", request.language_code),
        )
        if value is not None
    }
    if not given:
        msg = "Give language_code or language_name (got neither)."
        limit = "at least one of language_code, language_name"
        raise _refuse(msg, "language_code", limit, None)
    for name, value in given.items():
        _check_text(name, value)
    return given


def build_task(
    engine: str,
    request: ScraperRequest,
    *,
    method: ScraperMethod = "live",
    priority: int | None = None,
    callbacks: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The task object for one request, after every check.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        request: The request.
        method: ``live`` (``live/advanced``) or ``standard`` (``task_post``).
        priority: Standard only: 1 normal (default), 2 high (charged more).
        callbacks: Standard only: ``pingback_url``, ``postback_url``, ``postback_data``
            (revealed; see :func:`check_callbacks`).

    Returns:
        The task object; fields left unset are not sent.

    Raises:
        DataForSEOInputError: For any field the API would refuse.
    """
    checked = check_engine(engine)
    task: dict[str, Any] = {"keyword": _check_keyword(request.keyword)}
    task.update(_location(checked, request))
    task.update(_language(request))
    if request.force_web_search is not None:
        if not isinstance(request.force_web_search, bool):
            msg = f"force_web_search={request.force_web_search!r}: must be true or false."
            raise _refuse(msg, "force_web_search", "boolean", request.force_web_search)
        takes = "force_web_search" in SCRAPER_APPS[checked].own_fields
        if not takes and request.force_web_search:
            raise _only_for("force_web_search", True)
        if takes:  # false elsewhere is those apps' behaviour anyway: not sent
            task["force_web_search"] = request.force_web_search
    if request.tag is not None:
        if not isinstance(request.tag, str) or len(request.tag) > MAX_TAG_CHARS:
            size = len(request.tag) if isinstance(request.tag, str) else request.tag
            msg = f"tag is {size!r} characters; the limit is {MAX_TAG_CHARS}."
            raise _refuse(msg, "tag", MAX_TAG_CHARS, size)
        task["tag"] = request.tag
    if check_priority(priority, method) is not None:
        task["priority"] = priority
    task.update(check_callbacks(method, **(callbacks or {})))
    return task


def check_callbacks(
    method: ScraperMethod,
    pingback_url: str | None = None,
    postback_url: str | None = None,
    postback_data: str | None = None,
) -> dict[str, str]:
    """Check the Standard callback fields; the fields to send.

    The URLs usually carry the receiver's secret: a refusal shows them redacted
    (``_redact.redact_url``), never as given.

    Args:
        method: ``live`` or ``standard`` (Live has no callbacks: SDK 2.1.10 Live models).
        pingback_url: URL DataForSEO GETs when a task is done (``$id``, ``$tag`` filled in).
        postback_url: URL DataForSEO POSTs the gzip result to.
        postback_data: ``advanced`` or ``html``: required with ``postback_url`` by the
            docs; ``advanced`` (what this package collects) when left unset.

    Returns:
        The fields set, ``postback_data`` included with a ``postback_url``.

    Raises:
        DataForSEOInputError: Naming the field, the rule and the (redacted) value.
    """
    fields: dict[str, str] = {}
    for name, url in (("pingback_url", pingback_url), ("postback_url", postback_url)):
        if url is None:
            continue
        shown = redact_url(url, hide_path=True) if isinstance(url, str) else type(url).__name__
        if method != "standard":
            msg = f"{name}={shown}: a Standard (task_post) field; Live has no callbacks."
            raise _refuse(msg, name, "standard only", shown)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            msg = f"{name}={shown}: must be an http:// or https:// URL."
            raise _refuse(msg, name, "http(s) URL", shown)
        fields[name] = url
    if postback_data is not None or "postback_url" in fields:
        data = "advanced" if postback_data is None else postback_data
        if "postback_url" not in fields:
            msg = f"postback_data={data!r}: only with a postback_url."
            raise _refuse(msg, "postback_data", "with postback_url only", data)
        if data not in POSTBACK_DATA:
            msg = f"postback_data={data!r}: one of {', '.join(map(repr, POSTBACK_DATA))}."
            raise _refuse(msg, "postback_data", list(POSTBACK_DATA), data)
        fields["postback_data"] = data
    return fields


def check_method(method: object) -> ScraperMethod:
    """Refuse a method other than ``live`` or ``standard``.

    Args:
        method: The method as given.

    Returns:
        The method.

    Raises:
        DataForSEOInputError: Naming ``method``, the allowed values and the value.
    """
    if method not in METHODS:
        msg = f"method={method!r}: one of {', '.join(map(repr, METHODS))}."
        raise _refuse(msg, "method", list(METHODS), method)
    return method


def check_priority(priority: object, method: ScraperMethod) -> int | None:
    """Check a Standard ``priority`` (1 normal, 2 high); ``None`` leaves the API default.

    Every place that maps a priority (the task, the loader's reservation per task) checks
    it here first, so an unknown one is an input error, never a ``KeyError``.

    Args:
        priority: The priority as given.
        method: ``live`` or ``standard``.

    Returns:
        The priority, or ``None``.

    Raises:
        DataForSEOInputError: Naming ``priority``, the allowed values and the value, for
            a value other than 1 or 2, or any priority on Live.
    """
    if priority is None:
        return None
    if method != "standard":
        msg = f"priority={priority!r}: a Standard (task_post) field; Live has no priority."
        raise _refuse(msg, "priority", "standard only", priority)
    if isinstance(priority, bool) or priority not in PRIORITIES:
        msg = f"priority={priority!r}: one of 1 (normal) or 2 (high)."
        raise _refuse(msg, "priority", list(PRIORITIES), priority)
    return priority
