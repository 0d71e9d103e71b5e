"""How one API call becomes an HTTP response: plain ``httpx.Client`` / ``httpx.AsyncClient``.

Every call goes through an httpx client (the package's shared one, see ``_pools``, or the
one you gave), so what watches httpx sees it: Sentry's httpx integration, respx,
OpenTelemetry, httpx's own ``HTTP Request:`` log line. This module adds three things
around ``client.send``:

- a deadline for the whole exchange (connect, send, every byte of the body; see
  ``_deadline``), raised as :class:`CallDeadlineExceeded` with whether the request may
  have reached the API;
- a cap on the decoded size of the body, :data:`DEFAULT_MAX_RESPONSE_BYTES` unless set:
  the body is read in a loop and inflated with a bounded ``zlib`` decoder (``_decoding``),
  so neither a huge body nor a gzip bomb is ever held whole (:class:`ResponseTooLarge`);
- a DEBUG line per exchange on the ``langchain_dataforseo`` logger (method, URL, status:
  no header, no body).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import httpx

from langchain_dataforseo._deadline import deadline_scope
from langchain_dataforseo._decoding import BoundedDecoder, decoder_for, in_memory_body
from langchain_dataforseo._http_errors import CallDeadlineExceeded
from langchain_dataforseo._transport import ApiCall
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


def _transports(client: httpx.Client | httpx.AsyncClient) -> Iterable[object]:
    yield getattr(client, "_transport", None)
    yield from getattr(client, "_mounts", {}).values()


def build_client(base_url: str) -> httpx.Client:
    """The shared blocking client for a base URL, its pools obeying each call's deadline.

    Args:
        base_url: The checked base URL.

    Returns:
        An ``httpx.Client``.
    """
    client = httpx.Client(
        trust_env=trusts_environment(base_url),
        limits=POOL_LIMITS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    )
    for transport in _transports(client):
        if transport is not None:
            from langchain_dataforseo._deadline_backend import install  # loads httpcore

            install(transport)
    return client


def build_async_client(base_url: str) -> httpx.AsyncClient:
    """The shared async client for a base URL (the deadline is an ``asyncio.timeout``).

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


def _seconds_left(call: ApiCall) -> float | None:
    if call.deadline is None:
        return None
    return call.deadline - time.monotonic()


def _timeout(left: float | None) -> httpx.Timeout:
    whole = 150.0 if left is None else max(left, 0.001)
    return httpx.Timeout(whole, connect=min(CONNECT_TIMEOUT_SECONDS, whole))


@dataclass(slots=True)
class _Progress:
    """What httpcore's trace said of the exchange: was the request sent at all?"""

    traced: bool = False
    sending: bool = False

    def note(self, name: str) -> None:
        self.traced = True
        if "send_request_headers" in name:
            self.sending = True

    def trace(self, name: str, info: dict[str, Any]) -> None:
        self.note(name)

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        self.note(name)

    def may_have_sent(self, error: BaseException | None) -> bool:
        """Whether the API may have received the request (unknown counts as yes)."""
        if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return False
        return self.sending or not self.traced


def _request(
    client: httpx.Client | httpx.AsyncClient,
    call: ApiCall,
    auth: str,
    progress: _Progress,
    trace: Any,
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


def send(
    client: httpx.Client, call: ApiCall, auth: str, limit: int = DEFAULT_MAX_RESPONSE_BYTES
) -> httpx.Response:
    """Send one call and read its answer, within its deadline and the size cap.

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
    request = _request(client, call, auth, progress, progress.trace)
    try:
        with deadline_scope(call.deadline):
            response = client.send(request, stream=True)
            try:
                body = in_memory_body(response, limit)
                if body is None:
                    decoder = decoder_for(response, limit)
                    parts = []
                    for chunk in response.iter_raw():
                        parts.append(decoder.feed(chunk))
                        if _past_deadline(call):
                            raise _deadline_error(call, request, sent=True)
                    body = b"".join([*parts, decoder.flush()])
            finally:
                response.close()
    except CallDeadlineExceeded:
        raise
    except httpx.TimeoutException as error:
        if _past_deadline(call):
            raise _deadline_error(call, request, sent=progress.may_have_sent(error)) from error
        raise
    return _answer(response, body)


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
    request = _request(client, call, auth, progress, progress.atrace)
    try:
        async with asyncio.timeout(_seconds_left(call)):
            response = await client.send(request, stream=True)
            try:
                body = in_memory_body(response, limit)
                if body is None:
                    decoder = decoder_for(response, limit)
                    parts = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
                    body = b"".join([*parts, decoder.flush()])
            finally:
                await response.aclose()
    except TimeoutError as error:
        raise _deadline_error(call, request, sent=progress.may_have_sent(None)) from error
    except httpx.TimeoutException as error:
        if _past_deadline(call):
            raise _deadline_error(call, request, sent=progress.may_have_sent(error)) from error
        raise
    return _answer(response, body)
