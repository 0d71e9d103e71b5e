"""Taking a request body in, bounded: the declared length, chunked decoding, the 413 answer.

Shared by the HTTP server and the in-process transports, so both refuse the same bodies:
a declared ``Content-Length`` over the limit is refused before the body is read, and a body
without one (chunked, or an httpx stream) is counted as it is read and cut at the limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Protocol

from ._envelope import JSON_HEADER, Reply, envelope, to_json

__all__ = [
    "BodyTooLarge",
    "Intake",
    "agather",
    "declared_length",
    "gather",
    "has_body",
    "is_chunked",
    "read_chunked",
    "too_large",
]

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
