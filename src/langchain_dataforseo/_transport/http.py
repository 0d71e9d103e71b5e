"""How one API call becomes an HTTP response: plain ``httpx.Client`` / ``httpx.AsyncClient``.

Every call goes through an httpx client (the package's shared one, see ``_pools``, or the
one you gave), so what watches httpx sees it: Sentry's httpx integration, respx,
OpenTelemetry, vcrpy and pytest-httpx (they patch httpx's transports), httpx's own
``HTTP Request:`` log line. This module adds three things around ``client.send``, using
only httpx's and httpcore's public interfaces (no private attribute is read or set):

- a deadline for the whole exchange (connect, send, every byte of the body), raised as
  :class:`CallDeadlineExceeded` with whether the request may have reached the API.
  Each request's timeouts are what is left of the deadline. httpx's timeouts are per
  socket operation, so a server that drips a byte at a time never trips them: async
  calls therefore run under ``asyncio.timeout``, and blocking calls run the exchange in
  a worker thread that the caller waits for no longer than the time left. At the
  deadline the caller gives the exchange up: a request not yet sent never is (the
  ``trace`` extension refuses to start sending), and the connection's socket, when
  known (``trace`` on connect, or the response's ``network_stream``), is shut down so
  the worker ends too;
- a cap on the decoded size of the body, :data:`DEFAULT_MAX_RESPONSE_BYTES` unless set.
  httpx's own gzip decoder inflates a whole network read at once (a 64 KiB read of a
  gzip bomb is about 64 MiB, whatever ``chunk_size`` says), so the raw body is read
  (``iter_raw``) and inflated here by ``zlib`` with ``max_length``: no more than the cap
  is ever produced (:class:`ResponseTooLarge`);
- a DEBUG line per exchange on the ``langchain_dataforseo`` logger (method, URL, status:
  no header, no body).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import queue
import socket
import threading
import time
import zlib
from typing import Any, Final

import httpx

from langchain_dataforseo._api.envelope import CallDeadlineExceeded, ResponseTooLarge
from langchain_dataforseo._transport.retry import ApiCall
from langchain_dataforseo._version import __version__

__all__ = [
    "ACCEPT_ENCODING",
    "CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "POOL_LIMITS",
    "USER_AGENT",
    "BoundedDecoder",
    "asend",
    "build_async_client",
    "build_client",
    "call_headers",
    "send",
    "trusts_environment",
]

ACCEPT_ENCODING: Final = "gzip, deflate"
"""The encodings asked for: those the bounded decoder inflates."""

DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
"""Largest decoded response body read (32 MiB); the API's answers are kilobytes."""

CONNECT_TIMEOUT_SECONDS: Final = 10.0
"""Longest wait for a connection (within the call's deadline)."""

POOL_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=50)
"""Connections of one shared pool: up to 100 open, 50 kept alive."""

USER_AGENT: Final = f"langchain-dataforseo/{__version__}"

_DEADLINE_SLACK = 0.05
"""A timeout this close to the deadline is the deadline's doing."""
_LOG = logging.getLogger("langchain_dataforseo")
_DROPPED_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


def trusts_environment(base_url: str) -> bool:
    """Whether the client may take settings (proxies) from the environment.

    Plain http goes only to loopback (see ``_client.check_base_url``): through a proxy
    from ``HTTP_PROXY`` / ``ALL_PROXY`` it would carry the credentials in clear text over
    the network, so such a base URL never uses one. https keeps the environment's proxies
    (the tunnel is encrypted end to end) and its certificate settings.

    Args:
        base_url: The checked base URL.

    Returns:
        True for https.
    """
    return httpx.URL(base_url).scheme == "https"


def build_client(base_url: str) -> httpx.Client:
    """The shared blocking client for a base URL.

    Args:
        base_url: The checked base URL.

    Returns:
        An ``httpx.Client``.
    """
    return httpx.Client(
        trust_env=trusts_environment(base_url),
        limits=POOL_LIMITS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def build_async_client(base_url: str) -> httpx.AsyncClient:
    """The shared async client for a base URL.

    Args:
        base_url: The checked base URL.

    Returns:
        An ``httpx.AsyncClient``.
    """
    return httpx.AsyncClient(
        trust_env=trusts_environment(base_url),
        limits=POOL_LIMITS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def call_headers(call: ApiCall, auth: str) -> dict[str, str]:
    """The headers every call carries.

    Args:
        call: The call.
        auth: The ``Authorization`` header value.

    Returns:
        ``Authorization``, ``Accept``, ``Accept-Encoding`` (only what the bounded decoder
        inflates, whatever a client of your own would ask for) and, for a body,
        ``Content-Type``.
    """
    headers = {
        "Authorization": auth,
        "Accept": "application/json",
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    return headers


# -- the size cap ----------------------------------------------------------------------------


class BoundedDecoder:
    """Inflate a body by its ``Content-Encoding``, never producing more than ``limit`` bytes.

    gzip, deflate (zlib-wrapped or raw, as httpx takes it) and identity, or a list of
    them (undone in reverse order); any other encoding (``br``, ``zstd``: not asked for)
    is a decoding error.

    Args:
        encoding: The ``Content-Encoding`` header ("" for none).
        limit: Most decoded bytes.
        request: The request, for the errors.
    """

    def __init__(self, encoding: str, limit: int, request: httpx.Request) -> None:
        self.limit = limit
        self.size = 0
        self._request = request
        names = [part.strip().lower() for part in encoding.split(",")]
        self._stages: list[list[Any]] = []  # [decompressor, raw deflate still possible]
        for name in reversed([n for n in names if n not in ("", "identity")]):
            if name not in ("gzip", "x-gzip", "deflate"):
                msg = f"the answer has an encoding this client did not ask for: {name!r}"
                raise httpx.DecodingError(msg, request=request)
            wbits = zlib.MAX_WBITS if name == "deflate" else zlib.MAX_WBITS | 16
            self._stages.append([zlib.decompressobj(wbits), name == "deflate"])

    def too_large(self) -> ResponseTooLarge:
        """The error of a body over the cap."""
        msg = f"the decoded answer is over max_response_bytes={self.limit}"
        return ResponseTooLarge(msg, request=self._request, limit=self.limit)

    def _inflate(self, stage: list[Any], data: bytes) -> bytes:
        """One stage's output for ``data``: at most one byte over the room left."""
        room = self.limit - self.size + 1
        try:
            out: bytes = stage[0].decompress(data, room)
        except zlib.error:
            if not stage[1]:
                raise
            stage[0] = zlib.decompressobj(-zlib.MAX_WBITS)  # not zlib-wrapped: raw deflate
            out = stage[0].decompress(data, room)
        stage[1] = False
        if stage[0].unconsumed_tail:
            raise self.too_large()
        return out

    def _count(self, data: bytes) -> bytes:
        """``data``, counted against the cap."""
        self.size += len(data)
        if self.size > self.limit:
            raise self.too_large()
        return data

    def feed(self, data: bytes, *, final: bool = False) -> bytes:
        """Decode one raw chunk (``final``: and flush what the decoders still hold).

        Args:
            data: Bytes as received.
            final: The body has ended.

        Returns:
            The decoded bytes.

        Raises:
            ResponseTooLarge: Past the limit (nothing beyond it is inflated).
            httpx.DecodingError: A corrupt stream.
        """
        try:
            for stage in self._stages:
                data = self._inflate(stage, data)
                if final:
                    data += stage[0].flush()
        except zlib.error as error:
            raise httpx.DecodingError(str(error), request=self._request) from error
        return self._count(data)


def _decoder(response: httpx.Response, limit: int) -> BoundedDecoder:
    """The bounded decoder of a streamed answer (a declared size over ``limit`` fails now)."""
    decoder = BoundedDecoder(response.headers.get("Content-Encoding", ""), limit, response.request)
    declared = response.headers.get("Content-Length", "")
    if not decoder._stages and declared.isdigit() and int(declared) > limit:
        raise decoder.too_large()
    return decoder


def _read_already(response: httpx.Response, limit: int) -> bytes | None:
    """A body an event hook or a mock transport has read already, else ``None``."""
    if not response.is_stream_consumed:
        return None
    body = response.content
    if len(body) > limit:
        raise BoundedDecoder("", limit, response.request).too_large()
    return body


# -- the deadline ----------------------------------------------------------------------------


def _seconds_left(call: ApiCall) -> float | None:
    if call.deadline is None:
        return None
    return call.deadline - time.monotonic()


def _timeout(left: float | None) -> httpx.Timeout:
    whole = 150.0 if left is None else max(left, 0.001)
    return httpx.Timeout(whole, connect=min(CONNECT_TIMEOUT_SECONDS, whole))


class _GivenUp(Exception):
    """Raised in the worker when its caller has given the exchange up."""


class _Progress:
    """What httpcore's ``trace`` said of one exchange; the gate that gives it up."""

    def __init__(self) -> None:
        self.traced = False
        self.sending = False
        self.given_up = False
        self._stream: Any = None
        self._lock = threading.Lock()

    def trace(self, name: str, info: dict[str, Any]) -> None:
        """The ``trace`` extension of httpcore: note the socket; never send once given up."""
        with self._lock:
            self.traced = True
            if name.endswith((".connect_tcp.complete", ".start_tls.complete")):
                self._stream = info.get("return_value")
            elif name.endswith(".send_request_headers.started"):
                if self.given_up:
                    raise _GivenUp
                self.sending = True

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        """Async ``trace`` (no gate: ``asyncio.timeout`` cancels the exchange itself)."""
        self.traced = True
        self.sending = self.sending or name.endswith(".send_request_headers.started")

    def holds(self, response: httpx.Response) -> None:
        """The answer's headers are in: its stream is the one to shut at the deadline."""
        with self._lock:
            self._stream = response.extensions.get("network_stream", self._stream)
            if self.given_up:
                raise _GivenUp

    def give_up(self) -> bool:
        """Stop the exchange: shut its socket if known; True if the request may have gone."""
        with self._lock:
            self.given_up = True
            stream, sent = self._stream, self.sending or not self.traced
        sock = None if stream is None else stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the fd, TLS or not
        return sent

    def may_have_sent(self, error: BaseException | None) -> bool:
        """Whether the API may have received the request (unknown counts as yes)."""
        if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return False
        return self.sending or not self.traced


def _request(
    client: httpx.Client | httpx.AsyncClient, call: ApiCall, auth: str, trace: Any
) -> httpx.Request:
    left = _seconds_left(call)
    request = client.build_request(
        call.method,
        call.url,
        content=call.body,
        headers=call_headers(call, auth),
        timeout=_timeout(left),
        extensions={"trace": trace},
    )
    if left is not None and left <= 0:
        raise _deadline_error(call, request, sent=False)
    return request


def _deadline_error(call: ApiCall, request: httpx.Request, *, sent: bool) -> CallDeadlineExceeded:
    seconds = f"{call.timeout:g} s" if call.timeout is not None else "its"
    msg = f"no complete answer within the call's deadline ({seconds})"
    return CallDeadlineExceeded(msg, request=request, sent=sent)


def _past_deadline(call: ApiCall) -> bool:
    left = _seconds_left(call)
    return left is not None and left <= _DEADLINE_SLACK


def _answer(response: httpx.Response, body: bytes) -> httpx.Response:
    """The response with its decoded body, ready for the parsers."""
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _DROPPED_HEADERS]
    answer = httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions={"http_version": response.extensions.get("http_version", b"HTTP/1.1")},
    )
    if _LOG.isEnabledFor(logging.DEBUG):
        request = response.request
        _LOG.debug("HTTP %s %s -> %d", request.method, request.url, response.status_code)
    return answer


class _Workers:
    """Daemon threads for the blocking exchanges, reused; one idle for 30 s ends.

    A thread is started only when none is idle. Daemon threads: one held by a server that
    drips its answer after its caller gave up never keeps the process from exiting.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def run(self, *job: Any) -> None:
        """Run ``job[0](*job[1:])`` on an idle worker, or a new one."""
        with self._lock:
            start = self._idle == 0
            if not start:
                self._idle -= 1  # that idle worker will take a job
        self._jobs.put(job)
        if start:
            threading.Thread(target=self._serve, daemon=True, name="dataforseo-http").start()

    def _serve(self) -> None:
        """Take jobs until none came for 30 s (and no caller counts on this thread)."""
        while True:
            try:
                function, *args = self._jobs.get(timeout=_WORKER_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:
                        self._idle -= 1
                        return
                continue
            function(*args)
            with self._lock:
                self._idle += 1


_WORKER_IDLE_SECONDS = 30.0
_WORKERS = _Workers()


def _forget_workers_after_fork() -> None:
    global _WORKERS
    _WORKERS = _Workers()  # the parent's threads are not in the child


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_forget_workers_after_fork)


def _exchange(
    client: httpx.Client, request: httpx.Request, limit: int, progress: _Progress
) -> httpx.Response:
    """Send and read the whole answer, checking between chunks that it was not given up."""
    if progress.given_up:  # waited for a worker past the deadline
        raise _GivenUp
    response = client.send(request, stream=True)
    try:
        progress.holds(response)
        body = _read_already(response, limit)
        if body is None:
            decoder = _decoder(response, limit)
            parts = []
            for chunk in response.iter_raw():
                if progress.given_up:
                    raise _GivenUp
                parts.append(decoder.feed(chunk))
            body = b"".join([*parts, decoder.feed(b"", final=True)])
    finally:
        response.close()
    return _answer(response, body)


def send(
    client: httpx.Client, call: ApiCall, auth: str, limit: int = DEFAULT_MAX_RESPONSE_BYTES
) -> httpx.Response:
    """Send one call and read its answer, within its deadline and the size cap.

    With a deadline, the exchange runs on a worker thread (in a copy of the caller's
    context) and the caller waits no longer than the time left.

    Args:
        client: The httpx client.
        call: The call (its ``deadline`` is absolute ``time.monotonic()`` seconds).
        auth: The ``Authorization`` header value.
        limit: Most decoded bytes of the body.

    Returns:
        The response, its body read and decoded.

    Raises:
        CallDeadlineExceeded: The deadline passed.
        ResponseTooLarge: The body is over ``limit``.
        httpx.HTTPError: Any other transport failure.
    """
    progress = _Progress()
    request = _request(client, call, auth, progress.trace)
    left = _seconds_left(call)
    if left is None:
        return _exchange(client, request, limit, progress)
    outcome: list[httpx.Response | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_exchange(client, request, limit, progress))
        except BaseException as error:  # handed to the caller
            outcome.append(error)
        finally:
            done.set()

    done = threading.Event()
    _WORKERS.run(contextvars.copy_context().run, work)
    try:
        done.wait(left)
    except BaseException:  # KeyboardInterrupt: the exchange stops with the caller
        progress.give_up()
        raise
    if not outcome:
        raise _deadline_error(call, request, sent=progress.give_up())
    found = outcome[0]
    if isinstance(found, httpx.TimeoutException) and _past_deadline(call):
        sent = progress.may_have_sent(found)
        raise _deadline_error(call, request, sent=sent) from found
    if isinstance(found, BaseException):
        raise found
    return found


async def asend(
    client: httpx.AsyncClient,
    call: ApiCall,
    auth: str,
    limit: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> httpx.Response:
    """Async :func:`send`: the whole exchange runs under ``asyncio.timeout``.

    Args:
        client: The httpx async client.
        call: The call.
        auth: The ``Authorization`` header value.
        limit: Most decoded bytes of the body.

    Returns:
        The response, its body read and decoded.
    """
    progress = _Progress()
    request = _request(client, call, auth, progress.atrace)
    try:
        async with asyncio.timeout(_seconds_left(call)):
            response = await client.send(request, stream=True)
            try:
                body = _read_already(response, limit)
                if body is None:
                    decoder = _decoder(response, limit)
                    parts = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
                    body = b"".join([*parts, decoder.feed(b"", final=True)])
            finally:
                await response.aclose()
    except TimeoutError as error:
        raise _deadline_error(call, request, sent=progress.may_have_sent(None)) from error
    except httpx.TimeoutException as error:
        if _past_deadline(call):
            raise _deadline_error(call, request, sent=progress.may_have_sent(error)) from error
        raise
    return _answer(response, body)
