"""An answer's body, decoded within a size cap: neither a huge body nor a gzip bomb is held.

The body is read in chunks and inflated with a bounded ``zlib`` decoder (gzip, deflate,
raw deflate, or a list of them), so no more than the cap is ever produced
(:class:`~langchain_dataforseo._http_errors.ResponseTooLarge`).
"""

from __future__ import annotations

import zlib
from typing import Any

import httpx

from langchain_dataforseo._http_errors import ResponseTooLarge


class BoundedDecoder:
    """Inflate a body by its ``Content-Encoding``, never producing more than ``limit`` bytes.

    Args:
        encoding: The ``Content-Encoding`` header ("" for none); a list is undone in
            reverse order.
        limit: Most decoded bytes.
        request: The request, for the errors.
    """

    def __init__(self, encoding: str, limit: int, request: httpx.Request) -> None:
        self.limit = limit
        self.size = 0
        self._request = request
        self._stages: list[Any] = []
        self._raw_deflate: list[bool] = []
        names = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        for name in reversed(names):
            if name in ("identity", ""):
                continue
            if name in ("gzip", "x-gzip"):
                self._stages.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
            elif name == "deflate":
                self._stages.append(zlib.decompressobj())
            else:
                msg = f"the answer has an encoding this client did not ask for: {name!r}"
                raise httpx.DecodingError(msg, request=request)
            self._raw_deflate.append(name == "deflate")

    def _too_large(self) -> ResponseTooLarge:
        msg = f"the decoded answer is over max_response_bytes={self.limit}"
        return ResponseTooLarge(msg, request=self._request, limit=self.limit)

    def _inflate(self, index: int, data: bytes) -> bytes:
        room = self.limit - self.size + 1
        stage = self._stages[index]
        try:
            out: bytes = stage.decompress(data, room)
        except zlib.error as error:
            if not self._raw_deflate[index]:
                raise httpx.DecodingError(str(error), request=self._request) from error
            self._raw_deflate[index] = False  # not zlib-wrapped: raw deflate, as httpx does
            self._stages[index] = stage = zlib.decompressobj(-zlib.MAX_WBITS)
            out = stage.decompress(data, room)
        self._raw_deflate[index] = False
        if stage.unconsumed_tail:
            raise self._too_large()
        return out

    def feed(self, data: bytes) -> bytes:
        """Decode one raw chunk.

        Args:
            data: Bytes as received.

        Returns:
            The decoded bytes.

        Raises:
            ResponseTooLarge: Past the limit (nothing beyond it is inflated).
            httpx.DecodingError: A corrupt stream.
        """
        try:
            for index in range(len(self._stages)):
                data = self._inflate(index, data)
        except zlib.error as error:
            raise httpx.DecodingError(str(error), request=self._request) from error
        self.size += len(data)
        if self.size > self.limit:
            raise self._too_large()
        return data

    def flush(self) -> bytes:
        """The decoded bytes still buffered at the end of the body."""
        data = b""
        for stage in self._stages:
            data = stage.decompress(data, self.limit - self.size + 1) + stage.flush()
        self.size += len(data)
        if self.size > self.limit:
            raise self._too_large()
        return data


def decoder_for(response: httpx.Response, limit: int) -> BoundedDecoder:
    """The bounded decoder of a streamed answer (a declared size over ``limit`` fails now)."""
    decoder = BoundedDecoder(response.headers.get("Content-Encoding", ""), limit, response.request)
    declared = response.headers.get("Content-Length", "")
    if not decoder._stages and declared.isdigit() and int(declared) > limit:
        raise decoder._too_large()
    return decoder


def in_memory_body(response: httpx.Response, limit: int) -> bytes | None:
    """A body already read by a hook or a mock (``response.content`` is set), else ``None``."""
    if getattr(response, "_content", None) is None:
        return None
    body = response.content
    if len(body) > limit:
        msg = f"the decoded answer is over max_response_bytes={limit}"
        raise ResponseTooLarge(msg, request=response.request, limit=limit)
    return body
