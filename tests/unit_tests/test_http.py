"""The senders: a given httpx client, or the package's own pooled transport.

The package's own path skips ``httpx.Client`` and calls httpx's transport directly. These
tests pin that it sends what the client path sends, decodes what it decodes, keeps the
retry rules, releases connections on failure, falls back to ``httpx.Client`` when a proxy
is set, and is seen by tools that patch httpx's transports (as vcrpy 8+ does).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelConnectionError, ModelTimeoutError
from pydantic import SecretStr

from langchain_dataforseo._client import DataForSEOClient, endpoint_url
from langchain_dataforseo._http import (
    ACCEPT_ENCODING,
    AsyncClientSender,
    AsyncTransportSender,
    ClientSender,
    TransportSender,
    pooled_request,
    proxy_from_environment,
)
from langchain_dataforseo._retry import RetryPolicy
from langchain_dataforseo._transport import ApiCall

from .helpers import Handler, envelope, json_response, sequence

TASK = {"user_prompt": "hi", "model_name": "gpt-4.1-mini"}
URL = httpx.URL("https://api.example.test/v3/ai_optimization/chat_gpt/llm_responses/live")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's own path is used only without proxy settings: clear the host's."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture
def own_pool(monkeypatch: pytest.MonkeyPatch) -> Callable[[Handler], list[Any]]:
    """Route httpx's own transports to a handler, the way vcrpy 8.2+ and pytest-httpx
    patch them (at class level).

    Returns a function that installs a handler and returns the list of transports that
    handled requests (to check which path was taken). Closed transports are appended to
    ``closed`` on the function.
    """
    used: list[Any] = []
    closed: list[Any] = []

    def install(handler: Handler) -> list[Any]:
        mock = httpx.MockTransport(handler)

        def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            used.append(self)
            return mock.handle_request(request)

        async def ahandle(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> Any:
            used.append(self)
            return await mock.handle_async_request(request)

        original_close = httpx.HTTPTransport.close

        def close(self: httpx.HTTPTransport) -> None:
            closed.append(self)
            original_close(self)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)
        monkeypatch.setattr(httpx.HTTPTransport, "close", close)
        return used

    install.closed = closed  # type: ignore[attr-defined]
    return install


def own_client(max_retries: int = 3, timeout: float = 5.0) -> DataForSEOClient:
    return DataForSEOClient(
        login="user@example.com",
        password=SecretStr("s3cret-pass"),
        base_url="https://api.example.test",
        timeout=timeout,
        retry=RetryPolicy(max_retries=max_retries, base_delay=0.0),
    )


# -- the request the package's own path builds -------------------------------------------


def test_pooled_request_carries_auth_agent_encodings_type_and_timeout() -> None:
    timeout = httpx.Timeout(7.0, connect=2.0)
    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task", timeout=timeout)
    request = pooled_request(call, "Basic abc", "langchain-dataforseo/9")
    assert request.method == "POST"
    assert request.url == URL
    assert request.headers["Authorization"] == "Basic abc"
    assert request.headers["User-Agent"] == "langchain-dataforseo/9"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Accept-Encoding"] == ACCEPT_ENCODING
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == "2"
    assert request.headers["Host"] == "api.example.test"
    assert request.extensions["timeout"] == {
        "connect": 2.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }


def test_a_get_has_no_content_type_and_a_default_timeout() -> None:
    call = ApiCall("GET", URL, None, idempotent=True, where="models")
    request = pooled_request(call, "Basic abc", "ua")
    assert "Content-Type" not in request.headers
    assert request.extensions["timeout"]["read"] == 150.0


def test_both_paths_send_the_same_api_headers() -> None:
    seen: dict[str, httpx.Request] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(envelope())

    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    client = httpx.Client(transport=httpx.MockTransport(handler))
    seen["client"] = ClientSender(client)(call, "Basic abc").request
    seen["pool"] = TransportSender(httpx.MockTransport(handler), "ua")(call, "Basic abc").request
    for name in ("Authorization", "Accept", "Content-Type", "Content-Length", "Host"):
        assert seen["client"].headers[name] == seen["pool"].headers[name], name
    assert seen["client"].content == seen["pool"].content == b"[]"
    # the encodings asked for are ones httpx.Client asks for too (so httpx decodes them)
    client_encodings = set(seen["client"].headers["Accept-Encoding"].split(", "))
    assert set(seen["pool"].headers["Accept-Encoding"].split(", ")) <= client_encodings


# -- which path is taken -----------------------------------------------------------------


def test_without_a_given_client_calls_go_straight_through_httpx_transport(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    task = client.live("chat_gpt", TASK)
    assert task["status_code"] == 20000
    assert isinstance(client.sender, TransportSender)
    assert used == [client.sender.transport]
    (request,) = seen
    assert request.headers["User-Agent"].startswith("langchain-dataforseo/")
    pair = base64.b64decode(request.headers["Authorization"][6:]).decode()
    assert pair == "user@example.com:s3cret-pass"
    assert json.loads(request.content) == [TASK]


async def test_async_calls_without_a_given_client_use_httpx_async_transport(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    task = await client.alive("chat_gpt", TASK)
    assert task["status_code"] == 20000
    sender = client.async_sender
    assert isinstance(sender, AsyncTransportSender)
    assert used == [sender.transport]
    assert seen[0].headers["Accept-Encoding"] == ACCEPT_ENCODING
    await client.aclose()
    assert client.async_sender is not sender


def test_a_given_client_is_used_as_is() -> None:
    handler, seen = sequence(json_response(envelope()))
    given = httpx.Client(transport=httpx.MockTransport(handler), headers={"X-Team": "geo"})
    client = DataForSEOClient(
        login="l", password="p", base_url="https://api.example.test", http_client=given
    )
    client.live("chat_gpt", TASK)
    assert isinstance(client.sender, ClientSender)
    assert client.sender.client is given
    assert seen[0].headers["X-Team"] == "geo"
    client.close()
    assert not given.is_closed  # the caller's client stays theirs to close


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"])
def test_a_proxy_in_the_environment_sends_through_httpx_client(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://proxy.example.test:3128")
    assert proxy_from_environment()
    client = own_client()
    assert isinstance(client.sender, ClientSender)
    client.close()


async def test_a_proxy_in_the_environment_sends_async_calls_through_httpx_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    client = own_client()
    assert isinstance(client.async_sender, AsyncClientSender)
    await client.aclose()


def test_no_proxy_alone_is_not_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert not proxy_from_environment()


def test_close_releases_the_pool_and_the_next_call_builds_a_new_one(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, _ = sequence(json_response(envelope()), json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    client.live("chat_gpt", TASK)
    first = client.sender
    client.close()
    assert own_pool.closed == [first.transport]  # type: ignore[attr-defined,union-attr]
    client.live("chat_gpt", TASK)
    assert client.sender is not first
    assert used == [first.transport, client.sender.transport]  # type: ignore[union-attr]


# -- responses, failures and retries on the package's own path ------------------------------


def test_gzip_answers_are_decoded(own_pool: Callable[[Handler], list[Any]]) -> None:
    body = gzip.compress(json.dumps(envelope()).encode())
    compressed = httpx.Response(  # a stream: decoded when the sender reads it
        200,
        stream=httpx.ByteStream(body),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    handler, _ = sequence(compressed)
    own_pool(handler)
    assert own_client().live("chat_gpt", TASK)["status_code"] == 20000


def test_connect_error_is_retried(own_pool: Callable[[Handler], list[Any]]) -> None:
    handler, seen = sequence(httpx.ConnectError("refused"), json_response(envelope()))
    own_pool(handler)
    assert own_client().live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


def test_read_timeout_on_a_live_post_is_not_retried(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(httpx.ReadTimeout("slow"), json_response(envelope()))
    own_pool(handler)
    with pytest.raises(ModelTimeoutError, match="may have run and been charged"):
        own_client().live("chat_gpt", TASK)
    assert len(seen) == 1


async def test_async_dropped_connection_is_not_retried(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(httpx.RemoteProtocolError("gone"), json_response(envelope()))
    own_pool(handler)
    with pytest.raises(ModelConnectionError):
        await own_client().alive("chat_gpt", TASK)
    assert len(seen) == 1


def test_http_503_is_retried(own_pool: Callable[[Handler], list[Any]]) -> None:
    handler, seen = sequence(httpx.Response(503, text="busy"), json_response(envelope()))
    own_pool(handler)
    assert own_client().live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that fails half-way, and remembers whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"status_code": 200'
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> Any:
        yield b'{"status_code": 200'
        raise httpx.ReadError("connection reset")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_a_body_that_fails_half_way_releases_its_connection() -> None:
    body = BrokenBody()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadError):
        TransportSender(transport, "ua")(call, "Basic abc")
    assert body.closed


async def test_an_async_body_that_fails_half_way_releases_its_connection() -> None:
    body = BrokenBody()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadError):
        await AsyncTransportSender(transport, "ua")(call, "Basic abc")
    assert body.closed


# -- endpoint URLs ---------------------------------------------------------------------------


def test_fixed_endpoint_urls_are_parsed_once_and_task_urls_each_time() -> None:
    base = "https://api.example.test/"
    live = endpoint_url(base, "claude", "live")
    assert live is endpoint_url(base, "claude", "live")
    assert str(live) == "https://api.example.test/v3/ai_optimization/claude/llm_responses/live"
    first = endpoint_url(base, "claude", "task_get/abc")
    assert str(first).endswith("/claude/llm_responses/task_get/abc")
    assert first is not endpoint_url(base, "claude", "task_get/abc")


# -- what errors and logs say --------------------------------------------------------------


def test_transport_errors_name_their_request_as_httpx_client_errors_do() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")  # raised without a request, as httpcore's are

    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadTimeout) as info:
        TransportSender(httpx.MockTransport(handler), "ua")(call, "Basic abc")
    assert info.value.request.url == URL


async def test_async_transport_errors_name_their_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    call = ApiCall("GET", URL, None, idempotent=True, where="models")
    with pytest.raises(httpx.ConnectError) as info:
        await AsyncTransportSender(httpx.MockTransport(handler), "ua")(call, "Basic abc")
    assert info.value.request.method == "GET"


def test_each_exchange_is_logged_at_debug_without_credentials(
    own_pool: Callable[[Handler], list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    handler, _ = sequence(json_response(envelope()))
    own_pool(handler)
    with caplog.at_level("DEBUG", logger="langchain_dataforseo"):
        own_client().live("chat_gpt", TASK)
    (record,) = [r for r in caplog.records if r.name == "langchain_dataforseo"]
    assert record.getMessage() == f"HTTP POST {URL} -> 200"
    assert "s3cret-pass" not in caplog.text
    assert base64.b64encode(b"user@example.com:s3cret-pass").decode() not in caplog.text
