"""The call deadline in the retry protocol, the bounded decoder and the retry table. Pure."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from langchain_dataforseo._api.envelope import (
    CallDeadlineExceeded,
    ResponseTooLarge,
    api_error,
    transport_error,
)
from langchain_dataforseo._transport.http import BoundedDecoder
from langchain_dataforseo._transport.pacing import CallPacer
from langchain_dataforseo._transport.retry import (
    ApiCall,
    RetryPolicy,
    Sleep,
    current_deadline,
    deadline_scope,
    exchange,
    may_retry,
)
from langchain_dataforseo.errors import (
    DataForSEOConnectionError,
    DataForSEOResponseError,
    DataForSEOResponseTooLargeError,
    DataForSEOTimeoutError,
)

URL = httpx.URL("https://api.example.test/v3/ai_optimization/chat_gpt/llm_responses/models")
REQUEST = httpx.Request("GET", URL)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def parse(response: httpx.Response) -> int:
    return response.status_code


def test_the_deadline_starts_at_the_first_send_not_while_waiting_for_a_pacer() -> None:
    clock = Clock()
    pacer = CallPacer(1, 60.0, clock=clock)
    pacer.reserve()  # the next slot is 60 s away
    call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=5.0)
    steps = exchange(call, parse, RetryPolicy(), (pacer,), clock=clock)
    assert steps.send(None) == Sleep(60.0)
    clock.now += 60.0
    sent = steps.send(None)
    assert isinstance(sent, ApiCall)
    assert sent.deadline == pytest.approx(165.0)


def test_no_retry_starts_once_its_wait_would_pass_the_deadline() -> None:
    clock = Clock()
    call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=5.0)
    steps = exchange(call, parse, RetryPolicy(max_retries=5, base_delay=1.0), clock=clock)
    first = next(steps)
    assert isinstance(first, ApiCall)
    clock.now += 4.5  # the first attempt took most of the deadline
    with pytest.raises(DataForSEOConnectionError):
        steps.send(httpx.ConnectError("refused", request=REQUEST))


def test_retries_within_the_deadline_keep_the_same_deadline() -> None:
    clock = Clock()
    call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=50.0)
    steps = exchange(call, parse, RetryPolicy(max_retries=1, base_delay=1.0), clock=clock)
    first = next(steps)
    assert isinstance(first, ApiCall)
    assert isinstance(steps.send(httpx.ConnectError("refused", request=REQUEST)), Sleep)
    second = steps.send(None)
    assert isinstance(second, ApiCall)
    assert second.deadline == first.deadline == pytest.approx(150.0)


def test_an_outer_deadline_wins_when_earlier() -> None:
    clock = Clock()
    call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=50.0)
    with deadline_scope(110.0):
        sent = next(exchange(call, parse, RetryPolicy(), clock=clock))
        with deadline_scope(200.0):
            assert current_deadline() == 110.0
    assert isinstance(sent, ApiCall)
    assert sent.deadline == 110.0
    assert current_deadline() is None


# -- what a passed deadline says ----------------------------------------------------------


def test_a_deadline_after_a_live_post_was_sent_may_be_charged_and_is_not_retried() -> None:
    error = transport_error(
        CallDeadlineExceeded("late", request=REQUEST, sent=True), idempotent=False, where="live"
    )
    assert isinstance(error, DataForSEOTimeoutError)
    assert error.may_be_charged
    assert not error.is_retryable
    assert "may have run and been charged" in str(error)


def test_a_deadline_before_sending_charged_nothing() -> None:
    error = transport_error(
        CallDeadlineExceeded("late", request=REQUEST, sent=False), idempotent=False, where="live"
    )
    assert not error.may_be_charged
    assert "not sent" in str(error)


def test_a_read_timeout_on_a_post_may_be_charged() -> None:
    error = transport_error(httpx.ReadTimeout("slow", request=REQUEST), idempotent=False)
    assert isinstance(error, DataForSEOTimeoutError)
    assert error.may_be_charged


# -- the bounded decoder ------------------------------------------------------------------


def decode(encoding: str, data: bytes, limit: int = 1 << 20, step: int = 7) -> bytes:
    decoder = BoundedDecoder(encoding, limit, REQUEST)
    parts = [decoder.feed(data[i : i + step]) for i in range(0, len(data), step)]
    return b"".join(parts) + decoder.feed(b"", final=True)


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("", lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ],
)
def test_the_decoder_undoes_the_encodings_httpx_would(encoding: str, pack: object) -> None:
    body = b'{"status_code": 20000, "tasks": []}' * 50
    assert decode(encoding, pack(body)) == body  # type: ignore[operator]


def test_the_decoder_stops_at_the_limit_without_inflating_further() -> None:
    bomb = gzip.compress(bytes(64 << 20))
    decoder = BoundedDecoder("gzip", 1 << 20, REQUEST)
    with pytest.raises(ResponseTooLarge) as info:
        decoder.feed(bomb)
    assert info.value.limit == 1 << 20
    assert decoder.size <= 1 << 20


def test_an_exact_fit_is_accepted() -> None:
    assert len(decode("gzip", gzip.compress(b"x" * 1000), limit=1000)) == 1000
    with pytest.raises(ResponseTooLarge):
        decode("gzip", gzip.compress(b"x" * 1001), limit=1000)


def test_a_corrupt_or_unasked_encoding_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        decode("gzip", b"not gzip at all")
    with pytest.raises(httpx.DecodingError, match="did not ask for"):
        BoundedDecoder("br", 100, REQUEST)


def test_a_too_large_answer_is_its_own_error_and_never_retried() -> None:
    error = transport_error(
        ResponseTooLarge("big", request=REQUEST, limit=10), idempotent=True, where="models"
    )
    assert isinstance(error, DataForSEOResponseTooLargeError)
    assert isinstance(error, DataForSEOResponseError)
    assert error.limit == 10
    assert not may_retry(error, idempotent=True)


# -- the retry table (``_retry``'s docstring) -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "http", "cost", "post", "get"),
    [
        (40202, 200, 0, True, True),
        (40209, 200, 0, True, True),
        (50000, 500, 0, True, True),
        (50301, 200, 0, True, True),
        (50000, 500, 0.0006, False, True),
        (50000, 500, None, False, True),
        (None, 429, None, False, True),
        (None, 500, None, False, True),
        (None, 502, None, False, True),
        (None, 503, None, False, True),
        (None, 504, None, False, True),
        (40501, 200, 0, False, False),
        (40100, 401, 0, False, False),
        (40200, 402, 0, False, False),
        (None, 404, None, False, False),
    ],
)
def test_which_failures_are_sent_again(
    code: int | None, http: int, cost: float | None, post: bool, get: bool
) -> None:
    error = api_error(code, "x", http_status=http, cost=cost)
    assert may_retry(error, idempotent=False) is post
    assert may_retry(error, idempotent=True) is get


def test_a_retry_whose_pacer_slot_comes_after_the_deadline_is_not_made() -> None:
    clock = Clock()
    pacer = CallPacer(1, 60.0, clock=clock)
    call = ApiCall("GET", URL, None, idempotent=True, where="models", timeout=5.0)
    steps = exchange(call, parse, RetryPolicy(max_retries=3, base_delay=0.0), (pacer,), clock=clock)
    assert isinstance(next(steps), ApiCall)
    assert steps.send(httpx.ConnectError("refused", request=REQUEST)) == Sleep(0.0)
    with pytest.raises(DataForSEOConnectionError):
        steps.send(None)  # the pacer's next slot is 60 s away, past the 5 s deadline
