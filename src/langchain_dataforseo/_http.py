"""How one API call becomes an HTTP response: the senders the transport drivers use.

Two ways, with the same result for the caller (an ``httpx.Response`` whose body is read,
or an ``httpx.HTTPError``):

- through an ``httpx.Client`` the user gave (their proxies, event hooks, mounts and
  transports apply), or the one built when the environment sets a proxy;
- straight through the pooled transport the package owns. ``httpx.Client`` adds
  cookie, redirect, auth-flow and URL-merging steps this API never needs, and those
  cost about as much per call as the rest of this package; its default transport
  (connection pool, TLS settings, ``SSL_CERT_FILE``) is the same either way.

Recorders and mocks that patch httpx's transports or httpcore (vcrpy 8+, pytest-httpx,
respx's default mode) see both paths. What hooks ``httpx.Client`` itself (Sentry's httpx
integration, respx with ``using="httpx"``, httpx's own ``HTTP Request:`` log line) sees only
the first: pass an ``http_client`` to keep it. This module logs each exchange at DEBUG on
the ``langchain_dataforseo`` logger instead (method, URL, status: no header, no body).
"""

from __future__ import annotations

import contextlib
import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from langchain_dataforseo._constants import DEFAULT_TIMEOUT_SECONDS
from langchain_dataforseo._transport import ApiCall

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings httpx always decodes (what ``httpx.Client`` asks for by default)."""

_DEFAULT_TIMEOUT = httpx.Timeout(DEFAULT_TIMEOUT_SECONDS)
_LOG = logging.getLogger("langchain_dataforseo")


def _log_exchange(request: httpx.Request, response: httpx.Response) -> None:
    if _LOG.isEnabledFor(logging.DEBUG):
        _LOG.debug("HTTP %s %s -> %d", request.method, request.url, response.status_code)


@contextlib.contextmanager
def _naming(request: httpx.Request) -> Iterator[None]:
    """Give transport errors their request, as ``httpx.Client`` does (httpcore's lack it)."""
    try:
        yield
    except httpx.RequestError as error:
        error.request = request
        raise


def call_headers(call: ApiCall, auth: str) -> dict[str, str]:
    """The headers every call carries, whichever way it is sent.

    Args:
        call: The call.
        auth: The ``Authorization`` header value.

    Returns:
        ``Authorization``, ``Accept`` and, for a body, ``Content-Type``.
    """
    headers = {"Authorization": auth, "Accept": "application/json"}
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    return headers


def pooled_request(call: ApiCall, auth: str, user_agent: str) -> httpx.Request:
    """The complete request for the package's own transport.

    ``httpx.Request`` adds ``Host`` and ``Content-Length``; the timeout travels in the
    request's extensions, as ``httpx.Client`` sends it.

    Args:
        call: The call.
        auth: The ``Authorization`` header value.
        user_agent: The ``User-Agent`` header value.

    Returns:
        The request, ready for ``transport.handle_request``.
    """
    headers = {"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING}
    headers.update(call_headers(call, auth))
    timeout = call.timeout or _DEFAULT_TIMEOUT
    return httpx.Request(
        call.method,
        call.url,
        headers=headers,
        content=call.body,
        extensions={"timeout": timeout.as_dict()},
    )


def proxy_from_environment() -> bool:
    """Tell whether the environment sets an HTTP proxy (``HTTPS_PROXY``, ``ALL_PROXY``...).

    ``httpx.Client`` honours those (with ``NO_PROXY``), so calls then go through one.

    Returns:
        True when a proxy is set for http, https or all traffic.
    """
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


@dataclass(frozen=True, slots=True)
class ClientSender:
    """Send through an ``httpx.Client``.

    Attributes:
        client: The client.
    """

    client: httpx.Client

    def __call__(self, call: ApiCall, auth: str) -> httpx.Response:
        """Send one call.

        Args:
            call: The call.
            auth: The ``Authorization`` header value.

        Returns:
            The response, body read.
        """
        return self.client.request(
            call.method,
            call.url,
            content=call.body,
            headers=call_headers(call, auth),
            timeout=call.timeout or httpx.USE_CLIENT_DEFAULT,
        )

    def close(self) -> None:
        """Close the client."""
        self.client.close()


@dataclass(frozen=True, slots=True)
class TransportSender:
    """Send straight through a pooled ``httpx`` transport.

    Attributes:
        transport: The transport (an ``httpx.HTTPTransport``).
        user_agent: The ``User-Agent`` header value.
    """

    transport: httpx.BaseTransport
    user_agent: str

    def __call__(self, call: ApiCall, auth: str) -> httpx.Response:
        """Send one call.

        Args:
            call: The call.
            auth: The ``Authorization`` header value.

        Returns:
            The response, body read (the connection goes back to the pool).
        """
        request = pooled_request(call, auth, self.user_agent)
        with _naming(request):
            response = self.transport.handle_request(request)
            response.request = request
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        _log_exchange(request, response)
        return response

    def close(self) -> None:
        """Close the transport and its connections."""
        self.transport.close()


@dataclass(frozen=True, slots=True)
class AsyncClientSender:
    """Send through an ``httpx.AsyncClient``.

    Attributes:
        client: The client.
    """

    client: httpx.AsyncClient

    async def __call__(self, call: ApiCall, auth: str) -> httpx.Response:
        """Send one call.

        Args:
            call: The call.
            auth: The ``Authorization`` header value.

        Returns:
            The response, body read.
        """
        return await self.client.request(
            call.method,
            call.url,
            content=call.body,
            headers=call_headers(call, auth),
            timeout=call.timeout or httpx.USE_CLIENT_DEFAULT,
        )

    async def aclose(self) -> None:
        """Close the client."""
        await self.client.aclose()


@dataclass(frozen=True, slots=True)
class AsyncTransportSender:
    """Send straight through a pooled async ``httpx`` transport.

    Attributes:
        transport: The transport (an ``httpx.AsyncHTTPTransport``).
        user_agent: The ``User-Agent`` header value.
    """

    transport: httpx.AsyncBaseTransport
    user_agent: str

    async def __call__(self, call: ApiCall, auth: str) -> httpx.Response:
        """Send one call.

        Args:
            call: The call.
            auth: The ``Authorization`` header value.

        Returns:
            The response, body read (the connection goes back to the pool).
        """
        request = pooled_request(call, auth, self.user_agent)
        with _naming(request):
            response = await self.transport.handle_async_request(request)
            response.request = request
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        _log_exchange(request, response)
        return response

    async def aclose(self) -> None:
        """Close the transport and its connections."""
        await self.transport.aclose()


SyncSender = ClientSender | TransportSender
AsyncSender = AsyncClientSender | AsyncTransportSender
