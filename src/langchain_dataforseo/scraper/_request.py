"""LLM Scraper request: the fields, their limits, and the task object sent (pure).

Limits come from the official client's request models and DataForSEO's docs (see
``REFERENCE.md`` in this folder). Every refusal is a :class:`DataForSEOInputError` naming
the field, the limit and the value, raised before any request.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from langchain_dataforseo.errors import DataForSEOInputError

ScraperEngine = Literal["chat_gpt", "gemini"]
"""Engines the LLM Scraper serves."""
ScraperMethod = Literal["live", "standard"]

SCRAPER_ENGINES: Final[tuple[ScraperEngine, ...]] = ("chat_gpt", "gemini")
MAX_KEYWORD_CHARS: Final = 2000
MAX_TAG_CHARS: Final = 255
COORDINATE_MAX_DECIMALS: Final = 7
COORDINATE_RADIUS_MIN: Final = 199
COORDINATE_RADIUS_MAX: Final = 199999
PRIORITIES: Final = (1, 2)

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
        DataForSEOInputError: For anything but ``chat_gpt`` or ``gemini``.
    """
    if engine not in SCRAPER_ENGINES:
        msg = f"engine={engine!r}: the LLM Scraper serves only 'chat_gpt' and 'gemini'."
        raise _refuse(msg, "engine", list(SCRAPER_ENGINES), engine)
    return engine


def escape_keyword(keyword: str) -> str:
    """Escape ``%`` and ``+`` the way the API asks, so it sees the text as typed.

    The API decodes ``%##`` sequences and turns ``+`` into a space; the docs ask for
    ``%25`` and ``%2B`` instead.

    Args:
        keyword: The text as typed.

    Returns:
        The text to send.
    """
    return keyword.replace("%", "%25").replace("+", "%2B")


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
    given = {
        name: value
        for name, value in (
            ("location_name", request.location_name),
            ("location_code", request.location_code),
            ("location_coordinate", request.location_coordinate),
        )
        if value is not None
    }
    accepted = ["location_name", "location_code"]
    if engine == "gemini":
        accepted.append("location_coordinate")
    elif "location_coordinate" in given:
        msg = "location_coordinate is a Gemini field; for ChatGPT give location_name or _code."
        raise _refuse(msg, "location_coordinate", "gemini only", request.location_coordinate)
    if len(given) != 1:
        msg = (
            f"Give exactly one of {', '.join(accepted)} (got {len(given)}: "
            f"{sorted(given) or 'none'})."
        )
        raise _refuse(msg, "location_name", f"exactly one of {accepted}", list(given))
    name, value = next(iter(given.items()))
    if name == "location_code" and (
        isinstance(value, bool) or not isinstance(value, int) or value <= 0
    ):
        msg = f"location_code={value!r}: must be a positive integer (e.g. 2840)."
        raise _refuse(msg, "location_code", "positive integer", value)
    if name == "location_name":
        _check_text(name, value)
    if name == "location_coordinate":
        check_coordinate(value)
    return given


def _language(request: ScraperRequest) -> dict[str, Any]:
    given = {
        name: value
        for name, value in (
            ("language_name", request.language_name),
            ("language_code", request.language_code),
        )
        if value is not None
    }
    if len(given) != 1:
        msg = f"Give exactly one of language_code or language_name (got {sorted(given)})."
        limit = "exactly one of language_code, language_name"
        raise _refuse(msg, "language_code", limit, list(given))
    name, value = next(iter(given.items()))
    _check_text(name, value)
    return given


def build_task(
    engine: str,
    request: ScraperRequest,
    *,
    method: ScraperMethod = "live",
    priority: int | None = None,
) -> dict[str, Any]:
    """The task object for one request, after every check.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        request: The request.
        method: ``live`` (``live/advanced``) or ``standard`` (``task_post``).
        priority: Standard only: 1 normal (default), 2 high (charged more).

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
        if checked == "gemini" and request.force_web_search:
            msg = "force_web_search is a ChatGPT field; the Gemini scraper has no such switch."
            raise _refuse(msg, "force_web_search", "chat_gpt only", True)
        if checked == "chat_gpt":
            task["force_web_search"] = request.force_web_search
    if request.tag is not None:
        if not isinstance(request.tag, str) or len(request.tag) > MAX_TAG_CHARS:
            size = len(request.tag) if isinstance(request.tag, str) else request.tag
            msg = f"tag is {size!r} characters; the limit is {MAX_TAG_CHARS}."
            raise _refuse(msg, "tag", MAX_TAG_CHARS, size)
        task["tag"] = request.tag
    if priority is not None:
        if method != "standard":
            msg = "priority is a Standard (task_post) field; Live has no priority."
            raise _refuse(msg, "priority", "standard only", priority)
        if priority not in PRIORITIES or isinstance(priority, bool):
            msg = f"priority={priority!r}: 1 (normal) or 2 (high)."
            raise _refuse(msg, "priority", list(PRIORITIES), priority)
        task["priority"] = priority
    return task
