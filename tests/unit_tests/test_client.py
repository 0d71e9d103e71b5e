"""The HTTP client: auth, base-URL safety, retries that never charge twice."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from pydantic import SecretStr

from langchain_dataforseo._transport.client import (
    DataForSEOClient,
    basic_auth_header,
    check_base_url,
    is_loopback_host,
)
from langchain_dataforseo._transport.retry import RetryPolicy
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError

from .helpers import Handler, envelope, json_response, sequence

TASK = {"user_prompt": "hi", "model_name": "gpt-4.1-mini"}


def make_client(
    handler: Handler, *, max_retries: int = 3, base_url: str = "https://api.example.test"
) -> DataForSEOClient:
    transport = httpx.MockTransport(handler)
    return DataForSEOClient(
        login="user@example.com",
        password=SecretStr("s3cret-pass"),
        base_url=base_url,
        timeout=5.0,
        retry=RetryPolicy(max_retries=max_retries, base_delay=0.0),
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.4.5", "localhost", "[::1]", "::1"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "api.dataforseo.com", "192.168.1.1", "localhost.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "url",
    ["https://api.dataforseo.com", "https://sandbox.dataforseo.com/", "http://127.0.0.1:8000"],
)
def test_safe_base_urls_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://api.dataforseo.com", "http://10.1.2.3:8080", "ftp://127.0.0.1", "api.x"]
)
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_base_url(url)
    assert info.value.field == "base_url"
    assert url in str(info.value)


def test_refused_base_url_opens_no_connection() -> None:
    handler, seen = sequence(json_response(envelope()))
    client = make_client(handler, base_url="http://api.dataforseo.com")
    with pytest.raises(DataForSEOInputError):
        client.live("chat_gpt", TASK)
    assert seen == []


def test_basic_auth_header_encodes_login_and_password() -> None:
    header = basic_auth_header("me", SecretStr("pw:with:colons"))
    assert header.startswith("Basic ")
    assert base64.b64decode(header[6:]).decode() == "me:pw:with:colons"


@pytest.mark.parametrize("key", ["me:pw", base64.b64encode(b"me:pw").decode()])
def test_api_key_accepts_pair_or_its_base64(key: str) -> None:
    header = basic_auth_header(None, None, SecretStr(key))
    assert base64.b64decode(header[6:]).decode() == "me:pw"


def test_missing_credentials_fail_before_any_request() -> None:
    handler, seen = sequence(json_response(envelope()))
    client = DataForSEOClient(
        login=None,
        password=None,
        base_url="https://api.example.test",
        timeout=5,
        retry=RetryPolicy(),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(ModelAuthenticationError, match="DATAFORSEO_LOGIN"):
        client.live("chat_gpt", TASK)
    assert seen == []


def test_malformed_api_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(DataForSEOError) as info:
        basic_auth_header(None, None, SecretStr("not-a-key-XYZ"))
    assert "not-a-key-XYZ" not in str(info.value)


def test_live_posts_one_task_array_with_auth_to_the_live_path() -> None:
    handler, seen = sequence(json_response(envelope()))
    task = make_client(handler).live("chat_gpt", TASK)
    assert task["status_code"] == 20000
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == "/v3/ai_optimization/chat_gpt/llm_responses/live"
    assert json.loads(request.content) == [TASK]
    assert request.headers["content-type"] == "application/json"
    assert base64.b64decode(request.headers["authorization"][6:]) == b"user@example.com:s3cret-pass"


@pytest.mark.parametrize("code", [40202, 40209])
def test_rate_limits_are_retried_then_succeed(code: int) -> None:
    limited = envelope(status_code=code, task_status=code, cost=0, result=None)
    handler, seen = sequence(json_response(limited), json_response(envelope()))
    assert make_client(handler).live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


def test_rate_limit_retries_stop_at_max_retries() -> None:
    limited = json_response(envelope(status_code=40202, task_status=40202, cost=0, result=None))
    handler, seen = sequence(*[limited] * 5)
    with pytest.raises(ModelRateLimitError) as info:
        make_client(handler, max_retries=2).live("chat_gpt", TASK)
    assert len(seen) == 3
    assert isinstance(info.value, DataForSEOError)
    assert info.value.status_code == 40202


def test_connect_error_is_retried_because_nothing_was_sent() -> None:
    handler, seen = sequence(httpx.ConnectError("refused"), json_response(envelope()))
    assert make_client(handler).live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


def test_read_timeout_on_live_post_is_not_retried() -> None:
    handler, seen = sequence(httpx.ReadTimeout("slow"), json_response(envelope()))
    with pytest.raises(ModelTimeoutError, match="may have run and been charged"):
        make_client(handler).live("chat_gpt", TASK)
    assert len(seen) == 1


def test_connection_dropped_after_sending_is_not_retried() -> None:
    handler, seen = sequence(httpx.RemoteProtocolError("gone"), json_response(envelope()))
    with pytest.raises(ModelConnectionError):
        make_client(handler).live("chat_gpt", TASK)
    assert len(seen) == 1


def test_free_server_error_is_retried() -> None:
    failed = envelope(task_status=50301, cost=0, result=None)
    handler, seen = sequence(json_response(failed), json_response(envelope()))
    assert make_client(handler).live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


def test_charged_server_error_is_not_retried() -> None:
    failed = envelope(task_status=50000, cost=0.0006, result=None)
    handler, seen = sequence(json_response(failed), json_response(envelope()))
    with pytest.raises(ModelAPIError) as info:
        make_client(handler).live("chat_gpt", TASK)
    assert len(seen) == 1
    assert info.value.cost == pytest.approx(0.0006)  # type: ignore[attr-defined]


def test_http_500_with_free_envelope_is_retried() -> None:
    broken = envelope(status_code=50000, task_status=50000, cost=0, result=None)
    handler, seen = sequence(json_response(broken, status=500), json_response(envelope()))
    assert make_client(handler).live("chat_gpt", TASK)["status_code"] == 20000
    assert len(seen) == 2


def test_invalid_field_is_raised_at_once_with_code_and_task_id() -> None:
    bad = envelope(task_status=40501, cost=0, result=None, task_id="t-40501")
    bad["tasks"][0]["status_message"] = "Invalid Field: 'temperature'."
    handler, seen = sequence(json_response(bad))
    with pytest.raises(ModelInvalidRequestError) as info:
        make_client(handler).live("chat_gpt", TASK)
    err = info.value
    assert isinstance(err, DataForSEOError)
    assert (err.status_code, err.task_id) == (40501, "t-40501")
    assert "40501" in str(err)
    assert "t-40501" in str(err)
    assert "temperature" in str(err)
    assert len(seen) == 1


def test_auth_failure_is_not_retried() -> None:
    denied = envelope(status_code=40100, cost=0, result=None)
    denied["tasks"] = None
    handler, seen = sequence(json_response(denied, status=401))
    with pytest.raises(ModelAuthenticationError):
        make_client(handler).live("chat_gpt", TASK)
    assert len(seen) == 1


async def test_async_live_shares_the_retry_protocol() -> None:
    limited = envelope(status_code=40209, task_status=40209, cost=0, result=None)
    handler, seen = sequence(
        httpx.ConnectError("refused"), json_response(limited), json_response(envelope())
    )
    task = await make_client(handler).alive("chat_gpt", TASK)
    assert task["status_code"] == 20000
    assert len(seen) == 3


async def test_async_read_timeout_is_not_retried() -> None:
    handler, seen = sequence(httpx.ReadTimeout("slow"), json_response(envelope()))
    with pytest.raises(ModelTimeoutError):
        await make_client(handler).alive("chat_gpt", TASK)
    assert len(seen) == 1


def test_retry_delays_grow_and_stay_within_the_cap() -> None:
    import random

    policy = RetryPolicy(max_retries=10, base_delay=1.0, max_delay=5.0)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(1, 7)]
    assert 0.5 <= delays[0] <= 1.0
    assert 1.0 <= delays[1] <= 2.0
    assert all(2.5 <= d <= 5.0 for d in delays[3:])


def test_repr_never_shows_the_password() -> None:
    handler, _ = sequence()
    client = make_client(handler)
    assert "s3cret-pass" not in repr(client)
    assert "s3cret-pass" not in str(vars(client))


# -- one client for every product: the product is a path segment ----------------------------

TASK_ID = "11221111-1111-0000-0000-000000000001"


@pytest.mark.parametrize(
    ("product", "live_path", "get_path"),
    [
        ("llm_responses", "llm_responses/live", f"llm_responses/task_get/{TASK_ID}"),
        ("llm_scraper", "llm_scraper/live/advanced", f"llm_scraper/task_get/advanced/{TASK_ID}"),
    ],
)
def test_each_product_is_a_path_segment_of_the_same_endpoints(
    product: str, live_path: str, get_path: str
) -> None:
    ready = {**envelope(), "tasks": [{"status_code": 20000, "result": [{"id": TASK_ID}]}]}
    handler, seen = sequence(
        json_response(envelope()),
        json_response(envelope(task_status=20100, result=[])),
        json_response(ready),
        json_response(envelope()),
    )
    client = make_client(handler)
    client.live("gemini", {"keyword": "kw"}, product=product)
    client.task_post("gemini", [{"keyword": "kw"}], product=product)
    assert client.tasks_ready("gemini", product=product) == [TASK_ID]
    client.task_get("gemini", TASK_ID, product=product)
    root = "/v3/ai_optimization/gemini/"
    assert [r.url.path for r in seen] == [
        root + live_path,
        root + f"{product}/task_post",
        root + f"{product}/tasks_ready",
        root + get_path,
    ]


def test_an_unknown_product_or_engine_is_refused_before_any_request() -> None:
    handler, seen = sequence()
    client = make_client(handler)
    with pytest.raises(DataForSEOInputError) as info:
        client.live("gemini", TASK, product="llm_mentions")
    assert (info.value.field, info.value.actual) == ("product", "llm_mentions")
    with pytest.raises(DataForSEOInputError):
        client.task_get("../appendix", TASK_ID, product="llm_scraper")
    assert seen == []


def test_a_40402_of_a_scraper_call_says_the_engine_is_not_served() -> None:
    invalid = envelope(task_status=40402, result=[])
    invalid["tasks"][0]["status_message"] = "Invalid Path."
    handler, _ = sequence(json_response(invalid), json_response(invalid))
    client = make_client(handler)
    with pytest.raises(DataForSEOError, match="LLM Scraper is not available") as info:
        client.live("perplexity", TASK, product="llm_scraper")
    assert info.value.status_code == 40402
    with pytest.raises(DataForSEOError) as plain:  # LLM Responses: the API's own words
        client.live("perplexity", TASK)
    assert "not available" not in str(plain.value)


def test_call_task_posts_one_task_to_any_path_and_reads_its_first_task() -> None:
    handler, seen = sequence(json_response(envelope(result=[])))
    path = "/v3/ai_optimization/llm_mentions/search/live"
    task = make_client(handler).call_task("POST", path, {"target": []}, where="LLM Mentions x")
    assert task["status_code"] == 20000
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", path)
    assert json.loads(request.content) == [{"target": []}]


def test_call_task_async_sends_a_get_without_a_body() -> None:
    import asyncio

    handler, seen = sequence(json_response(envelope(result=[])))
    path = "/v3/ai_optimization/llm_mentions/locations_and_languages"
    client = make_client(handler)
    asyncio.run(client.acall_task("GET", path, where="LLM Mentions list"))
    (request,) = seen
    assert (request.method, request.content) == ("GET", b"")


def test_a_client_bound_to_a_product_calls_its_paths_and_leaves_the_original_alone() -> None:
    ready = {**envelope(), "tasks": [{"status_code": 20000, "result": [{"id": TASK_ID}]}]}
    handler, seen = sequence(json_response(ready), json_response(ready))
    client = make_client(handler)
    scraper = client.for_product("llm_scraper")
    scraper.tasks_ready("chat_gpt")  # what the Standard queue's drivers call
    client.tasks_ready("chat_gpt")
    assert [r.url.path.split("/")[4] for r in seen] == ["llm_scraper", "llm_responses"]
    assert (scraper.product, client.product) == ("llm_scraper", "llm_responses")
    assert scraper.account is client.account  # the same pools, pacers and live slots
    with pytest.raises(DataForSEOInputError):
        client.for_product("llm_mentions")
