"""What every answer is made of: envelopes, task objects, their encoding, the Reply.

The envelope and task objects follow reference §3 and §4; :func:`echo` builds a task's
``data``; :func:`format_seconds` and :func:`format_datetime` are the API's two time formats.
An :class:`Exchange` is one emulated call while it runs (sleep its ``delay``, then
:meth:`Exchange.finish`), and its :class:`Reply` the HTTP answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "API_VERSION",
    "JSON_HEADER",
    "MESSAGES",
    "Exchange",
    "Reply",
    "echo",
    "envelope",
    "format_datetime",
    "format_seconds",
    "service_data",
    "task_object",
    "to_json",
]

JSON_HEADER = ("Content-Type", "application/json")
"""The ``Content-Type`` header of every JSON answer."""

API_VERSION = "0.1.20260601"
"""The ``version`` string of every envelope (format ``0.1.YYYYMMDD``)."""

MESSAGES: dict[int, str] = {
    20000: "Ok.",
    20100: "Task Created.",
    40000: "You can set only one task at a time.",
    40002: "This id is used by another search engine, check the Path.",
    40006: "You can set no more than 100 tasks at a time.",
    40100: (
        "You are not authorized to access this resource. See your login details here: "
        "https://app.dataforseo.com/api-access ."
    ),
    40202: "The rate-limit per minute has been exceeded.",
    40209: "Too many simultaneous queries.",
    40400: "Not Found.",
    40401: "Task Not Found.",
    40402: "Invalid Path.",
    40403: "Results Expired.",
    40501: "Invalid Field.",
    40502: "POST Data Is Empty.",
    40503: "POST Data Is Invalid.",
    40506: "Unknown Fields in POST Data.",
    40602: "Task In Queue.",
    50000: "Internal Error.",
    50301: "3rd Party API Service Unavailable.",
}
"""Status messages by code."""


def format_seconds(seconds: float) -> str:
    """Format a duration as ``"N.NNNN sec."``.

    Args:
        seconds: The duration.

    Returns:
        The formatted duration.
    """
    return f"{max(seconds, 0.0):.4f} sec."


def service_data(engine: str, function: str = "llm_responses") -> dict[str, Any]:
    """Return the service keys that open every ``data`` echo.

    Args:
        engine: The engine (``se``).
        function: The ``function`` value.

    Returns:
        ``{"api": "ai_optimization", "function": function, "se": engine}``.
    """
    return {"api": "ai_optimization", "function": function, "se": engine}


def task_object(
    task_id: str,
    code: int,
    path: list[str],
    data: dict[str, Any],
    *,
    message: str | None = None,
    cost: float = 0.0,
    result: list[Any] | None = None,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """Build one task object.

    Args:
        task_id: The task id.
        code: Task status code.
        path: The URL path segments.
        data: The ``data`` echo.
        message: Status message (defaults to the code's standard message).
        cost: Task cost in USD.
        result: The result list, or ``None``.
        seconds: Execution time.

    Returns:
        The task object.
    """
    return {
        "id": task_id,
        "status_code": code,
        "status_message": message if message is not None else MESSAGES[code],
        "time": format_seconds(seconds),
        "cost": cost,
        "result_count": len(result) if result is not None else 0,
        "path": path,
        "data": data,
        "result": result,
    }


def envelope(
    tasks: list[dict[str, Any]] | None,
    *,
    code: int = 20000,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """Build the top-level envelope.

    Args:
        tasks: The task objects, or ``None`` for request-level errors.
        code: Top-level status code.
        seconds: Total execution time.

    Returns:
        The envelope; ``cost`` is the rounded sum of task costs, ``tasks_error`` counts tasks
        whose code is not 20000/20100.
    """
    items = tasks or []
    return {
        "version": API_VERSION,
        "status_code": code,
        "status_message": MESSAGES[code],
        "time": format_seconds(seconds),
        "cost": round(sum(float(t["cost"]) for t in items), 7),
        "tasks_count": len(items),
        "tasks_error": sum(1 for t in items if t["status_code"] not in (20000, 20100)),
        "tasks": tasks,
    }


def to_json(body: dict[str, Any]) -> bytes:
    """Serialise a response body as compact UTF-8 JSON.

    Args:
        body: The JSON object.

    Returns:
        The encoded bytes.
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def echo(engine: str, raw: Any, function: str = "llm_responses") -> dict[str, Any]:
    """A task's ``data``: the service fields, then what the request set (``None`` left out)."""
    data = service_data(engine, function)
    if isinstance(raw, dict):
        data.update({k: v for k, v in raw.items() if v is not None and k not in data})
    return data


def format_datetime(epoch: float) -> str:
    """Format epoch seconds as ``"YYYY-MM-DD hh:mm:ss +00:00"``.

    Args:
        epoch: Seconds since the epoch.

    Returns:
        The formatted UTC time.
    """
    return time.strftime("%Y-%m-%d %H:%M:%S +00:00", time.gmtime(epoch))


# ---------------------------------------------- the call and its reply


@dataclass(frozen=True)
class Reply:
    """An HTTP answer.

    Attributes:
        status: HTTP status (0 when ``drop``).
        headers: Response headers.
        body: Response body.
        drop: Close the connection without answering (injected fault).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    drop: bool = False


class Exchange:
    """One call in progress: sleep ``delay`` seconds, then :meth:`finish`.

    Args:
        delay: Seconds to wait before finishing (live latency).
        finish: Produces the reply (called at most once).
        abandon: Releases resources if the caller gives up before finishing.
    """

    def __init__(
        self,
        delay: float,
        finish: Callable[[], Reply],
        abandon: Callable[[], None] | None = None,
    ) -> None:
        self.delay = delay
        self._finish = finish
        self._abandon = abandon
        self._done = False

    @classmethod
    def ready(cls, reply: Reply) -> Exchange:
        """Wrap an immediate reply.

        Args:
            reply: The reply.

        Returns:
            An exchange with no delay.
        """
        return cls(0.0, lambda: reply)

    def finish(self) -> Reply:
        """Produce the reply.

        Returns:
            The reply.

        Raises:
            RuntimeError: If called twice or after :meth:`abandon`.
        """
        if self._done:
            raise RuntimeError("exchange already finished")
        self._done = True
        return self._finish()

    def abandon(self) -> None:
        """Give up (e.g. the client was cancelled); a no-op after :meth:`finish`."""
        if not self._done:
            self._done = True
            if self._abandon is not None:
                self._abandon()
