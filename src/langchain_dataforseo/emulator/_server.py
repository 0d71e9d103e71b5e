"""Serving an :class:`Emulator`: a real HTTP/1.1 server, or in-process httpx transports.

:class:`EmulatorServer` is threaded and keeps connections alive. It is hardened for a
development server that takes any local client: credentials and the declared body size are
checked from the headers, before the body is read (``max_body_bytes``); an idle keep-alive
connection is closed after ``idle_timeout`` seconds; a request must arrive whole (line,
headers, body) within ``request_timeout`` seconds of its first byte.

:class:`EmulatorTransport` and :class:`AsyncEmulatorTransport` serve httpx clients with no
socket at all; they refuse the same bodies as the server (:mod:`._envelope`). This is the only
module that imports ``httpx``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

from ._app import Emulator
from ._envelope import (
    BodyTooLarge,
    Exchange,
    Reply,
    agather,
    declared_length,
    gather,
    has_body,
    is_chunked,
    read_chunked,
    too_large,
)

__all__ = ["AsyncEmulatorTransport", "EmulatorServer", "EmulatorTransport"]

_LINGER_SECONDS = 2.0
"""Longest wait, after answering a request whose body was not read, for the client to stop."""

_LINGER_BYTES = 1024 * 1024
"""Most unread body bytes drained (and dropped) before such a connection is closed."""


class _DeadlineReader(io.RawIOBase):
    """The receiving side of a connection: each wait ends at the deadline, or after ``idle``.

    Args:
        sock: The connection.
        idle: Longest wait for any data (seconds).
    """

    def __init__(self, sock: socket.socket, idle: float) -> None:
        super().__init__()
        self._sock = sock
        self.idle = idle
        self.deadline: float | None = None

    def readable(self) -> bool:
        """A reader."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Receive what has arrived, waiting no longer than the deadline allows."""
        wait = self.idle
        if self.deadline is not None:
            wait = min(wait, self.deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("the request was not read whole within request_timeout")
        self._sock.settimeout(wait)
        return self._sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "DataForSEO-Emulator"
    sys_version = ""
    emulator: Emulator

    def log_message(self, format: str, *args: Any) -> None:
        """Silence request logging (never log anything that could include credentials)."""

    def setup(self) -> None:
        """Read the connection through a :class:`_DeadlineReader` (idle and request timeouts)."""
        super().setup()
        self.rfile.close()
        self._reader = _DeadlineReader(self.connection, self.emulator.config.idle_timeout)
        self._buffered = io.BufferedReader(self._reader)
        self.rfile = self._buffered

    def handle_one_request(self) -> None:
        """Wait ``idle_timeout`` for a request, then read it whole within ``request_timeout``."""
        self._reader.deadline = None
        try:
            arrived = self._buffered.peek(1)
        except OSError:  # idle too long (TimeoutError), or the client is gone
            arrived = b""
        if not arrived:
            self.close_connection = True
            return
        self._reader.deadline = time.monotonic() + self.emulator.config.request_timeout
        super().handle_one_request()

    def handle_expect_100(self) -> bool:
        """Defer ``100 Continue`` until the headers are accepted (see :meth:`_serve`)."""
        return True

    def _read_body(self, headers: dict[str, str]) -> bytes:
        """Read the body, at most ``max_body_bytes`` of it (BodyTooLarge past that)."""
        limit = self.emulator.config.max_body_bytes
        if is_chunked(headers):
            return read_chunked(self.rfile, limit)
        length = declared_length(headers) or 0
        if length > limit:  # refused earlier; kept so this read is bounded on its own
            raise BodyTooLarge(length, limit)
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            raise ValueError("the connection ended inside the body")
        return body

    def _serve(self) -> None:
        """Refuse from the headers, or read the body (bounded) and serve the request."""
        headers = {key: value for key, value in self.headers.items()}
        early = self.emulator.refuse_early(self.command, self.path, headers)
        if early is not None:
            self._answer(early, unread=has_body(headers))
            return
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        try:
            body = self._read_body(headers)
        except BodyTooLarge as error:
            self._answer(too_large(error), unread=True)
            return
        except ValueError:
            self.send_error(400)
            return
        self._answer(self.emulator.handle(self.command, self.path, headers, body))

    def _answer(self, reply: Reply, unread: bool = False) -> None:
        """Send ``reply``; when the body was left unread, close the connection after it."""
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.connection.settimeout(self.emulator.config.idle_timeout)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if unread:
            self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(reply.body)  # the client may have given up (its timeout)
        if unread:
            self._linger()

    def _linger(self) -> None:
        """Half-close, then drop what the client still sends (bounded) so it reads the answer.

        Closing a socket with unread data makes the kernel reset the connection, which can
        destroy the answer before the client reads it.
        """
        deadline = time.monotonic() + min(_LINGER_SECONDS, self.emulator.config.idle_timeout)
        drained = 0
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while drained < _LINGER_BYTES and (wait := deadline - time.monotonic()) > 0:
                self.connection.settimeout(wait)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve
    do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up; report anything else."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class EmulatorServer:
    """Serve an :class:`Emulator` over real HTTP in a background thread.

    Args:
        emulator: The emulator holding the state.
        host: Interface to bind (default loopback).
        port: Port; 0 picks a free one.

    Example:
        >>> with EmulatorServer(Emulator(), port=0) as server:
        ...     print(server.base_url)  # doctest: +SKIP
    """

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        handler = type("EmulatorHandler", (_Handler,), {"emulator": emulator})
        self._httpd = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        """The bound host."""
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> EmulatorServer:
        """Start serving in a daemon thread.

        Returns:
            The server itself.
        """
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="dfs-emulator-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` or KeyboardInterrupt."""
        self._httpd.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# ---------------------------------------------- in-process httpx transports (no sockets at all)


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
