"""In-process httpx transports (no sockets at all)."""

from __future__ import annotations

import asyncio
import time

import httpx

from ._app import Emulator, Exchange, Reply
from ._intake import BodyTooLarge, agather, gather, too_large

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]


def _target(request: httpx.Request) -> str:
    raw = request.url.raw_path
    return raw.decode("ascii", "replace")


def _response(reply: Reply, request: httpx.Request) -> httpx.Response:
    if reply.drop:
        raise httpx.ConnectError("emulator: connection dropped (injected fault)", request=request)
    return httpx.Response(
        reply.status, headers=list(reply.headers), content=reply.body, request=request
    )


class EmulatorTransport(httpx.BaseTransport):
    """Synchronous httpx transport serving requests from an :class:`Emulator`.

    Live latency blocks the calling thread (``time.sleep``). A dropped-connection fault raises
    ``httpx.ConnectError``. As over HTTP, credentials and the declared body size are checked
    before the body is read, and a body over ``max_body_bytes`` gets HTTP 413.

    Args:
        emulator: The emulator holding the state.

    Example:
        >>> emu = Emulator()
        >>> client = httpx.Client(
        ...     transport=EmulatorTransport(emu), base_url="http://emulator.local"
        ... )
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request.

        Args:
            request: The httpx request.

        Returns:
            The httpx response.
        """
        early = self.emulator.refuse_early(request.method, _target(request), request.headers)
        if early is not None:
            return _response(early, request)
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("EmulatorTransport needs a sync body; use AsyncEmulatorTransport")
        try:
            body = gather(request.stream, self.emulator.config.max_body_bytes)
        except BodyTooLarge as error:
            return _response(too_large(error), request)
        exchange: Exchange = self.emulator.begin(
            request.method, _target(request), dict(request.headers), body
        )
        try:
            if exchange.delay > 0:
                time.sleep(exchange.delay)
            reply = exchange.finish()
        finally:
            exchange.abandon()
        return _response(reply, request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """Asynchronous httpx transport serving requests from an :class:`Emulator`.

    Live latency uses ``asyncio.sleep`` (never blocks the event loop); a cancelled request
    releases its concurrency slot and is not charged.

    Args:
        emulator: The emulator holding the state.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request.

        Args:
            request: The httpx request.

        Returns:
            The httpx response.
        """
        early = self.emulator.refuse_early(request.method, _target(request), request.headers)
        if early is not None:
            return _response(early, request)
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("AsyncEmulatorTransport needs an async body; use EmulatorTransport")
        try:
            body = await agather(request.stream, self.emulator.config.max_body_bytes)
        except BodyTooLarge as error:
            return _response(too_large(error), request)
        exchange = self.emulator.begin(
            request.method, _target(request), dict(request.headers), body
        )
        try:
            if exchange.delay > 0:
                await asyncio.sleep(exchange.delay)
            reply = exchange.finish()
        finally:
            exchange.abandon()
        return _response(reply, request)
