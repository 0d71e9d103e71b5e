"""The senders: every call goes through an ``httpx.Client`` / ``httpx.AsyncClient``.

Without a client given, the process shares one per account (base URL and credentials).
These tests pin what the requests carry, that httpx's own machinery sees them (event
hooks, transports patched as vcrpy 8+ and pytest-httpx patch them), that bodies are
decoded, that the retry rules hold and that connections are released on failure.
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

from langchain_dataforseo._transport.client import DataForSEOClient, endpoint_url
from langchain_dataforseo._transport.http import ACCEPT_ENCODING, asend, build_client, send
from langchain_dataforseo._transport.retry import ApiCall, RetryPolicy

from .helpers import Handler, envelope, json_response, sequence

TASK = {"user_prompt": "hi", "model_name": "gpt-4.1-mini"}
URL = httpx.URL("https://api.example.test/v3/ai_optimization/chat_gpt/llm_responses/live")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the host's proxy settings: the patched transports below are the direct ones."""
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


# -- the request ---------------------------------------------------------------------------


def test_a_call_carries_auth_agent_encodings_type_and_what_is_left_of_its_deadline() -> None:
    import time

    handler, seen = sequence(json_response(envelope()))
    client = build_client("https://api.example.test")
    client._transport = httpx.MockTransport(handler)
    call = ApiCall(
        "POST",
        URL,
        b"[]",
        idempotent=False,
        where="live",
        timeout=7.0,
        deadline=time.monotonic() + 7.0,
    )
    send(client, call, "Basic abc")
    (request,) = seen
    assert request.url == URL
    assert request.headers["Authorization"] == "Basic abc"
    assert request.headers["User-Agent"].startswith("langchain-dataforseo/")
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Accept-Encoding"] == ACCEPT_ENCODING
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == "2"
    timeout = request.extensions["timeout"]
    assert 6.0 < timeout["read"] <= 7.0
    assert timeout["connect"] == pytest.approx(timeout["read"])


def test_a_get_has_no_content_type() -> None:
    handler, seen = sequence(json_response(envelope()))
    client = httpx.Client(transport=httpx.MockTransport(handler))
    send(client, ApiCall("GET", URL, None, idempotent=True, where="models"), "Basic abc")
    assert "Content-Type" not in seen[0].headers


# -- which client is used -------------------------------------------------------------------


def test_without_a_given_client_calls_go_through_the_shared_httpx_client(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    task = client.live("chat_gpt", TASK)
    assert task["status_code"] == 20000
    assert isinstance(client.http_client, httpx.Client)
    assert used == [client.http_client._transport]
    (request,) = seen
    pair = base64.b64decode(request.headers["Authorization"][6:]).decode()
    assert pair == "user@example.com:s3cret-pass"
    assert json.loads(request.content) == [TASK]


def test_httpx_client_event_hooks_and_log_line_see_the_calls(
    own_pool: Callable[[Handler], list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    handler, _ = sequence(json_response(envelope()))
    own_pool(handler)
    client = own_client()
    hooked: list[str] = []
    client.http_client.event_hooks["request"].append(lambda r: hooked.append(str(r.url)))
    with caplog.at_level("INFO", logger="httpx"):
        client.live("chat_gpt", TASK)
    assert hooked == [str(URL)]
    assert any(r.name == "httpx" and "HTTP Request: POST" in r.getMessage() for r in caplog.records)


async def test_what_wraps_httpx_client_send_sees_every_call(
    own_pool: Callable[[Handler], list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Sentry's httpx integration and some OpenTelemetry versions do."""
    handler, _ = sequence(json_response(envelope()), json_response(envelope()))
    own_pool(handler)
    seen: list[str] = []
    original, aoriginal = httpx.Client.send, httpx.AsyncClient.send

    def wrapped(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        seen.append(f"sync {request.method}")
        return original(self, request, **kwargs)

    async def awrapped(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> Any:
        seen.append(f"async {request.method}")
        return await aoriginal(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", wrapped)
    monkeypatch.setattr(httpx.AsyncClient, "send", awrapped)
    client = own_client()
    client.live("chat_gpt", TASK)
    await client.alive("chat_gpt", TASK)
    assert seen == ["sync POST", "async POST"]


def test_a_client_of_your_own_asks_only_for_encodings_the_bounded_decoder_knows() -> None:
    handler, seen = sequence(json_response(envelope()))
    given = httpx.Client(
        transport=httpx.MockTransport(handler), headers={"Accept-Encoding": "br, zstd"}
    )
    DataForSEOClient(login="l", password="p", http_client=given).live("chat_gpt", TASK)
    assert seen[0].headers["Accept-Encoding"] == ACCEPT_ENCODING


def test_an_answer_that_cannot_be_decoded_is_a_response_error(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    from langchain_dataforseo import DataForSEOResponseError

    broken = httpx.Response(200, stream=httpx.ByteStream(b"not gzip"))
    broken.headers["Content-Encoding"] = "gzip"
    handler, _ = sequence(broken)
    own_pool(handler)
    with pytest.raises(DataForSEOResponseError, match=r"could not be decoded.*may have been"):
        own_client().live("chat_gpt", TASK)


async def test_async_calls_without_a_given_client_use_the_loop_s_shared_async_client(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, seen = sequence(json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    task = await client.alive("chat_gpt", TASK)
    assert task["status_code"] == 20000
    shared = await client.ahttp_client()
    assert used == [shared._transport]
    assert seen[0].headers["Accept-Encoding"] == ACCEPT_ENCODING
    await client.aclose()
    assert shared.is_closed
    assert await client.ahttp_client() is not shared


def test_a_given_client_is_used_as_is() -> None:
    handler, seen = sequence(json_response(envelope()))
    given = httpx.Client(transport=httpx.MockTransport(handler), headers={"X-Team": "geo"})
    client = DataForSEOClient(
        login="l", password="p", base_url="https://api.example.test", http_client=given
    )
    client.live("chat_gpt", TASK)
    assert client.http_client is given
    assert seen[0].headers["X-Team"] == "geo"
    client.close()
    assert not given.is_closed  # the caller's client stays theirs to close


def test_close_releases_the_shared_pool_and_the_next_call_builds_a_new_one(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    handler, _ = sequence(json_response(envelope()), json_response(envelope()))
    used = own_pool(handler)
    client = own_client()
    client.live("chat_gpt", TASK)
    first = client.http_client
    client.close()
    assert first.is_closed
    assert own_pool.closed == [first._transport]  # type: ignore[attr-defined]
    client.live("chat_gpt", TASK)
    assert client.http_client is not first
    assert used == [first._transport, client.http_client._transport]


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


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_bare_http_error_on_a_live_post_is_not_retried(
    own_pool: Callable[[Handler], list[Any]], status: int
) -> None:
    """No DataForSEO envelope: a gateway may have answered after the API ran the task."""
    handler, seen = sequence(httpx.Response(status, text="busy"), json_response(envelope()))
    own_pool(handler)
    with pytest.raises(Exception, match=f"HTTP {status}") as info:
        own_client().live("chat_gpt", TASK)
    assert not info.value.is_retryable  # type: ignore[attr-defined]
    assert len(seen) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_a_bare_http_error_on_a_free_get_is_retried(
    own_pool: Callable[[Handler], list[Any]], status: int
) -> None:
    from .helpers import models_response

    handler, seen = sequence(httpx.Response(status, text="busy"), models_response())
    own_pool(handler)
    assert own_client().list_models("chat_gpt")
    assert len(seen) == 2


def test_a_5xxxx_envelope_with_cost_0_on_a_live_post_is_retried(
    own_pool: Callable[[Handler], list[Any]],
) -> None:
    failed = envelope(status_code=50000, task_status=50000, cost=0.0)
    handler, seen = sequence(json_response(failed, status=500), json_response(envelope()))
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
    client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    )
    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadError):
        send(client, call, "Basic abc")
    assert body.closed


async def test_an_async_body_that_fails_half_way_releases_its_connection() -> None:
    body = BrokenBody()
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    )
    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadError):
        await asend(client, call, "Basic abc")
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


def test_transport_errors_name_their_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")  # raised without a request, as httpcore's are

    call = ApiCall("POST", URL, b"[]", idempotent=False, where="live task")
    with pytest.raises(httpx.ReadTimeout) as info:
        send(httpx.Client(transport=httpx.MockTransport(handler)), call, "Basic abc")
    assert info.value.request.url == URL


async def test_async_transport_errors_name_their_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    call = ApiCall("GET", URL, None, idempotent=True, where="models")
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(httpx.ConnectError) as info:
        await asend(client, call, "Basic abc")
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


def test_proxied_https_clients_keep_the_environment_s_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    client = build_client("https://api.example.test")
    assert client.trust_env
    assert [t for t in client._mounts.values() if t is not None]  # the proxy applies to https


def test_a_loopback_http_client_takes_no_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example.test:3128")
    client = build_client("http://127.0.0.1:8080")
    assert not client.trust_env
    assert [t for t in client._mounts.values() if t is not None] == []


# -- giving an exchange up at its deadline (httpcore's public ``trace`` extension) ----------


class _Stream:
    """What httpcore's trace hands over on connect: a stream that tells its socket."""

    def __init__(self, sock: object) -> None:
        self.sock = sock

    def get_extra_info(self, info: str) -> object:
        return self.sock if info == "socket" else None


def test_a_request_given_up_before_it_was_sent_is_never_sent() -> None:
    from langchain_dataforseo._transport.http import _GivenUp, _Progress

    progress = _Progress()
    progress.trace("connection.connect_tcp.started", {})
    assert progress.give_up() is False  # nothing sent: a POST charged nothing
    with pytest.raises(_GivenUp):
        progress.trace("http11.send_request_headers.started", {"request": None})
    assert not progress.sending


def test_a_request_being_sent_when_given_up_may_have_reached_the_api() -> None:
    from langchain_dataforseo._transport.http import _Progress

    progress = _Progress()
    progress.trace("http11.send_request_headers.started", {"request": None})
    assert progress.give_up() is True


def test_giving_up_shuts_the_socket_of_the_connection_so_its_reader_ends() -> None:
    import socket

    from langchain_dataforseo._transport.http import _Progress

    ours, server = socket.socketpair()
    with ours, server:
        progress = _Progress()
        progress.trace("connection.connect_tcp.complete", {"return_value": _Stream(ours)})
        progress.give_up()
        ours.settimeout(5)
        assert ours.recv(10) == b""  # a blocked read returns at once: end of stream


def test_blocking_exchanges_reuse_an_idle_worker_thread() -> None:
    import threading
    import time

    def workers() -> int:
        return sum(t.name == "dataforseo-http" for t in threading.enumerate())

    handler, seen = sequence(*[json_response(envelope()) for _ in range(5)])
    client = httpx.Client(transport=httpx.MockTransport(handler))
    before = workers()
    for _ in range(5):
        call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=5.0)
        call.deadline = time.monotonic() + 5.0
        assert send(client, call, "Basic abc").status_code == 200
    assert len(seen) == 5
    assert workers() <= before + 1
