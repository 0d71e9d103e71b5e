"""URL routing and request-body parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._catalogue import ENGINES, STANDARD_ENGINES
from ._mentions import mentions_function
from ._scraper import SCRAPER_ENGINES, scraper_function

__all__ = ["MAX_JSON_DEPTH", "Route", "parse_body", "route"]

MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects a POST body may have (a real task nests 4 or 5 deep).

A deeper body is answered 40503 ("POST Data Is Invalid."), like any JSON that cannot be read,
and the handler keeps serving: no answer re-encodes a structure deep enough to exhaust the stack.
"""

_FUNCTIONS: dict[str, tuple[str, int]] = {
    "models": ("GET", 0),
    "live": ("POST", 0),
    "task_post": ("POST", 0),
    "tasks_ready": ("GET", 0),
    "task_get": ("GET", 1),
}


@dataclass(frozen=True)
class Route:
    """A routed API path.

    Attributes:
        kind: ``api`` (served), ``mentions`` (an LLM Mentions path, see ``_mentions``),
            ``invalid`` (known root, answered 40402 in HTTP 200) or
            ``not_found`` (HTTP 404 + 40400).
        engine: The engine segment (``api``/``invalid`` kinds).
        function: ``models``, ``live``, ``task_post``, ``tasks_ready`` or ``task_get``.
        task_id: The id of a ``task_get`` path.
        segments: The path split on ``/``.
        family: ``llm_responses`` or ``llm_scraper`` (see ``_scraper``).
    """

    kind: str
    engine: str = ""
    function: str = ""
    task_id: str = ""
    segments: tuple[str, ...] = ()
    family: str = "llm_responses"

    @property
    def key(self) -> str:
        """The counter key of the route (``engine/function``, ``invalid_path``, ``not_found``).

        LLM Scraper routes count apart: ``engine/llm_scraper/function``.
        """
        if self.kind == "api" and self.family == "llm_scraper":
            return f"{self.engine}/llm_scraper/{self.function}"
        if self.kind == "api" or (self.kind == "mentions" and self.function):
            return f"{self.engine}/{self.function}"
        return "invalid_path" if self.kind in ("invalid", "mentions") else "not_found"


def route(method: str, path: str) -> Route:
    """Route an API request.

    Args:
        method: HTTP method.
        path: URL path (no query string).

    Returns:
        The route. A known ``/v3/ai_optimization/{engine}/llm_responses/`` root with an unknown
        function, a wrong HTTP method, a wrong number of segments or a Standard function on
        Perplexity is ``invalid``; anything else unknown is ``not_found``.
    """
    segments = tuple(s for s in path.split("/") if s)
    if segments[:2] == ("v3", "ai_optimization") and segments[3:4] == ("llm_scraper",):
        return _scraper_route(method, segments)
    if segments[:3] == ("v3", "ai_optimization", "llm_mentions"):
        function = mentions_function(segments, method) or ""
        return Route("mentions", engine="llm_mentions", function=function, segments=segments)
    if (
        len(segments) < 5
        or segments[:2] != ("v3", "ai_optimization")
        or segments[2] not in ENGINES
        or segments[3] != "llm_responses"
    ):
        return Route("not_found", segments=segments)
    engine, function, rest = segments[2], segments[4], segments[5:]
    expected = _FUNCTIONS.get(function)
    if (
        expected is None
        or method.upper() != expected[0]
        or len(rest) != expected[1]
        or (function in ("task_post", "tasks_ready", "task_get") and engine not in STANDARD_ENGINES)
    ):
        return Route("invalid", engine=engine, function=function, segments=segments)
    task_id = rest[0] if rest else ""
    return Route("api", engine=engine, function=function, task_id=task_id, segments=segments)


def _scraper_route(method: str, segments: tuple[str, ...]) -> Route:
    if segments[2] not in SCRAPER_ENGINES or len(segments) < 5:
        return Route("not_found", segments=segments)
    served = scraper_function(method, segments[4:])
    if served is None:
        return Route("invalid", segments[2], "/".join(segments[4:]), "", segments, "llm_scraper")
    function, arg = served
    return Route("api", segments[2], function, arg, segments, "llm_scraper")


def parse_body(body: bytes) -> list[Any] | int:
    """Parse a POST body that must be a JSON array.

    Args:
        body: The raw body.

    Returns:
        The array, or 40502 (empty body or empty array) / 40503 (invalid JSON, not an array,
        nested deeper than :data:`MAX_JSON_DEPTH`).
    """
    if not body.strip():
        return 40502
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return 40503  # RecursionError: nested far deeper than MAX_JSON_DEPTH
    if not isinstance(value, list) or nesting_depth(value) > MAX_JSON_DEPTH:
        return 40503
    if not value:
        return 40502
    return value


def nesting_depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value, counted without recursion.

    Args:
        value: The value (``[]`` and ``{}`` are depth 1, a scalar 0).

    Returns:
        The depth.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest
