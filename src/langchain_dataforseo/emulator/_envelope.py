"""What every answer is made of (envelopes, task objects, the Reply), and a body taken in.

The envelope and task objects follow reference §3 and §4; :func:`echo` builds a task's
``data``; :func:`format_seconds` and :func:`format_datetime` are the API's two time formats.
An :class:`Exchange` is one emulated call while it runs (sleep its ``delay``, then
:meth:`Exchange.finish`), and its :class:`Reply` the HTTP answer. Below, a request body
taken in, bounded (:class:`Intake`, :func:`gather`, :func:`agather`): shared by the server and
the in-process transports, so both refuse the same bodies with the same 413.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "API_VERSION",
    "JSON_HEADER",
    "MESSAGES",
    "BodyTooLarge",
    "Exchange",
    "Intake",
    "Reply",
    "agather",
    "declared_length",
    "echo",
    "envelope",
    "format_datetime",
    "format_seconds",
    "gather",
    "has_body",
    "is_chunked",
    "read_chunked",
    "service_data",
    "task_object",
    "to_json",
    "too_large",
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


# ---------------------------------------------- taking a request body in
# Taking a request body in, bounded: the declared length, chunked decoding, the 413 answer.
#
# Shared by the HTTP server and the in-process transports, so both refuse the same bodies:
# a declared ``Content-Length`` over the limit is refused before the body is read, and a body
# without one (chunked, or an httpx stream) is counted as it is read and cut at the limit.


_MAX_LINE = 4096
"""Longest chunk-size or trailer line read (a real one is a few bytes)."""

_MAX_TRAILERS = 64
"""Most trailer lines read after the last chunk."""


class BodyTooLarge(Exception):
    """The body passed the limit.

    Args:
        size: Bytes the body has (declared), or had when it passed the limit (read).
        limit: The limit in bytes.
    """

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"request body of {size} bytes is over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class _Reader(Protocol):
    """The two reads a chunked decoder needs (a buffered binary file)."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with lower-case names."""
    return {name.lower(): value for name, value in headers.items()}


def is_chunked(headers: Mapping[str, str]) -> bool:
    """Whether the body is sent chunked (``Transfer-Encoding: chunked``).

    Args:
        headers: Request headers (any case).

    Returns:
        ``True`` when chunked; a declared ``Content-Length`` then does not count.
    """
    return "chunked" in _lower(headers).get("transfer-encoding", "").lower()


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The body length a request declares.

    Args:
        headers: Request headers (any case).

    Returns:
        The ``Content-Length``, or ``None`` when the body is chunked or no length is given.

    Raises:
        ValueError: If the ``Content-Length`` is not a whole number >= 0.
    """
    if is_chunked(headers):
        return None
    raw = _lower(headers).get("content-length")
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if not value.isdigit():
        raise ValueError(f"Content-Length must be a whole number >= 0, got {value!r}")
    return int(value)


def has_body(headers: Mapping[str, str]) -> bool:
    """Whether a body follows the headers (chunked, or a ``Content-Length`` over 0).

    Args:
        headers: Request headers (any case).

    Returns:
        ``True`` when a body follows (an unreadable ``Content-Length`` counts as one).
    """
    try:
        length = declared_length(headers)
    except ValueError:
        return True
    return is_chunked(headers) or bool(length)


def too_large(error: BodyTooLarge) -> Reply:
    """The answer to a body over the limit: HTTP 413, a 40503 envelope that says the sizes.

    Args:
        error: The refusal.

    Returns:
        The reply (never counted as an API call, never charged).
    """
    body = envelope(None, code=40503)
    body["status_message"] = (
        f"POST Data Is Invalid: the request body ({error.size} bytes) is over the "
        f"emulator's limit of {error.limit} bytes (max_body_bytes)."
    )
    return Reply(413, (JSON_HEADER,), to_json(body))


class Intake:
    """A body taken in piece by piece, refused once it passes ``limit`` bytes.

    Args:
        limit: The most bytes taken.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._parts: list[bytes] = []

    def add(self, part: bytes) -> None:
        """Take one piece in.

        Args:
            part: The bytes.

        Raises:
            BodyTooLarge: If the body passes the limit with this piece (it is not kept).
        """
        self.room(len(part))
        self.size += len(part)
        self._parts.append(part)

    def room(self, size: int) -> None:
        """Check that ``size`` more bytes fit, before they are read.

        Args:
            size: The bytes about to be read.

        Raises:
            BodyTooLarge: If they do not fit.
        """
        if self.size + size > self.limit:
            raise BodyTooLarge(self.size + size, self.limit)

    def body(self) -> bytes:
        """The whole body taken in.

        Returns:
            The bytes.
        """
        return b"".join(self._parts)


def gather(parts: Iterable[bytes], limit: int) -> bytes:
    """Read a body stream whole, cut at ``limit`` bytes.

    Args:
        parts: The stream.
        limit: The most bytes read.

    Returns:
        The body.

    Raises:
        BodyTooLarge: Once the stream passes the limit (the rest is not read).
    """
    intake = Intake(limit)
    for part in parts:
        intake.add(part)
    return intake.body()


async def agather(parts: AsyncIterable[bytes], limit: int) -> bytes:
    """Read an async body stream whole, cut at ``limit`` bytes (see :func:`gather`).

    Args:
        parts: The stream.
        limit: The most bytes read.

    Returns:
        The body.

    Raises:
        BodyTooLarge: Once the stream passes the limit (the rest is not read).
    """
    intake = Intake(limit)
    async for part in parts:
        intake.add(part)
    return intake.body()


def _line(reader: _Reader) -> bytes:
    """One CRLF-ended line of the chunked framing, bounded; EOF or a long line is an error."""
    line = reader.readline(_MAX_LINE + 1)
    if not line.endswith(b"\n") or len(line) > _MAX_LINE:
        raise ValueError("chunked body: a framing line is cut short or too long")
    return line


def read_chunked(reader: _Reader, limit: int) -> bytes:
    """Decode a chunked body, never reading a chunk that would pass ``limit`` bytes.

    Args:
        reader: The connection's buffered reader, just after the headers.
        limit: The most body bytes read.

    Returns:
        The body.

    Raises:
        BodyTooLarge: When the next chunk would pass the limit (it is not read).
        ValueError: If the framing is malformed or the connection ends early.
    """
    intake = Intake(limit)
    while True:
        size_text = _line(reader).split(b";")[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            raise ValueError(f"chunked body: bad chunk size {size_text[:20]!r}")
        size = int(size_text, 16)
        if size == 0:
            break
        intake.room(size)
        part = reader.read(size)
        if len(part) < size:
            raise ValueError("chunked body: the connection ended inside a chunk")
        intake.add(part)
        if _line(reader).strip():
            raise ValueError("chunked body: a chunk is not followed by CRLF")
    for _ in range(_MAX_TRAILERS):
        if _line(reader) in (b"\r\n", b"\n"):
            return intake.body()
    raise ValueError(f"chunked body: more than {_MAX_TRAILERS} trailer lines")
