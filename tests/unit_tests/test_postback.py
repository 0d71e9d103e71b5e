"""Tests for ``postback``: reading the gzip JSON that DataForSEO POSTs when a task is done."""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import tracemalloc
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_dataforseo._api.results import standard_cost
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOError,
    DataForSEOInvalidRequestError,
)
from langchain_dataforseo.postback import (
    DataForSEOPostbackError,
    decompress_capped,
    parse_postback,
)
from tests.unit_tests.helpers import envelope, example

MIB = 1024 * 1024
TASK_ID = "06151432-1535-0612-0000-8c2d4f0a9e17"


def body_of(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


def web_search_envelope() -> dict[str, Any]:
    return example("4.1_live_web_search")


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MiB of zeros, gzip-compressed in 1 MiB pieces (about 200 KiB compressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MIB)
    parts = [packer.compress(zeros) for _ in range(200)]
    parts.append(packer.flush())
    return b"".join(parts)


# --------------------------------------------------------------------------- happy path


def test_gzip_and_plain_json_postbacks_give_the_same_message() -> None:
    plain = body_of(web_search_envelope())
    from_gzip = parse_postback(gzip.compress(plain))
    from_plain = parse_postback(plain)
    assert from_gzip.content == from_plain.content
    assert from_gzip.response_metadata == from_plain.response_metadata
    assert from_gzip.usage_metadata == from_plain.usage_metadata


def test_postback_message_carries_the_answer_sources_and_fan_out_queries() -> None:
    message = parse_postback(gzip.compress(body_of(web_search_envelope())))
    result = web_search_envelope()["tasks"][0]["result"][0]
    assert message.content == result["items"][0]["sections"][0]["text"]
    assert [a["url"] for a in message.response_metadata["annotations"]] == [
        a["url"] for a in result["items"][0]["sections"][0]["annotations"]
    ]
    assert message.response_metadata["fan_out_queries"] == result["fan_out_queries"]
    assert message.response_metadata["task_id"] == TASK_ID
    assert message.response_metadata["tag"] == "pm-tools-us-001"


def test_postback_cost_is_the_net_standard_cost_and_method_standard() -> None:
    message = parse_postback(body_of(web_search_envelope()))
    assert message.response_metadata["method"] == "standard"
    assert message.response_metadata["cost"] == standard_cost(0.0266228) == 0.0268228


def test_postback_reads_the_engine_from_path_when_data_does_not_say() -> None:
    data = web_search_envelope()
    task = data["tasks"][0]
    del task["data"]["se"]
    task["path"] = ["v3", "ai_optimization", "claude", "llm_responses", "task_get", TASK_ID]
    message = parse_postback(body_of(data))
    assert message.response_metadata["engine"] == "claude"


def test_postback_engine_given_by_the_caller_wins() -> None:
    message = parse_postback(body_of(web_search_envelope()), engine="gemini")
    assert message.response_metadata["engine"] == "gemini"


def test_postback_engine_is_empty_when_nothing_names_a_known_engine() -> None:
    data = web_search_envelope()
    task = data["tasks"][0]
    del task["data"]["se"]
    task["path"] = ["v3", "somewhere"]
    assert parse_postback(body_of(data)).response_metadata["engine"] == ""


def test_gzip_is_detected_by_magic_bytes_not_by_headers() -> None:
    plain = body_of(web_search_envelope())
    assert decompress_capped(gzip.compress(plain)) == plain
    assert decompress_capped(plain) == plain


# --------------------------------------------------------------------------- size caps


def test_gzip_bomb_is_refused_at_the_cap_without_inflating_it(gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < MIB  # passes the compressed-size check
    tracemalloc.start()
    try:
        with pytest.raises(DataForSEOPostbackError, match="cap of 1048576 bytes"):
            decompress_capped(gzip_bomb, max_bytes=MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MIB  # far below the 200 MiB it would inflate to


def test_parse_postback_refuses_a_gzip_bomb(gzip_bomb: bytes) -> None:
    with pytest.raises(DataForSEOPostbackError, match="cap"):
        parse_postback(gzip_bomb, max_bytes=MIB)


def test_a_body_larger_than_the_cap_is_refused_before_decompression() -> None:
    body = gzip.compress(body_of(web_search_envelope()))
    with pytest.raises(DataForSEOPostbackError, match=f"{len(body)} bytes; the cap is 100"):
        decompress_capped(body, max_bytes=100)
    with pytest.raises(DataForSEOPostbackError, match="the cap is"):
        parse_postback(b" " * 101, max_bytes=100)


def test_a_body_exactly_at_the_cap_is_accepted_compressed_or_not() -> None:
    plain = body_of(web_search_envelope())
    assert decompress_capped(plain, max_bytes=len(plain)) == plain
    assert decompress_capped(gzip.compress(plain), max_bytes=len(plain)) == plain
    with pytest.raises(DataForSEOPostbackError, match="decompresses to more than"):
        decompress_capped(gzip.compress(plain), max_bytes=len(plain) - 1)


# --------------------------------------------------------------------------- malformed bodies


@pytest.mark.parametrize(
    "body",
    [b"\x00\xff\xfe garbage", b"hello", b"", b"\xff" * 64, b"{not json"],
)
def test_bytes_that_are_neither_gzip_nor_json_are_refused(body: bytes) -> None:
    with pytest.raises(DataForSEOPostbackError, match="not JSON"):
        parse_postback(body)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_gzip_is_refused(keep: float) -> None:
    packed = gzip.compress(body_of(web_search_envelope()))
    truncated = packed[: int(len(packed) * keep)]
    with pytest.raises(DataForSEOPostbackError, match="truncated"):
        decompress_capped(truncated)
    with pytest.raises(DataForSEOPostbackError):
        parse_postback(truncated)


def test_gzip_with_only_its_trailer_cut_is_refused() -> None:
    packed = gzip.compress(body_of(web_search_envelope()))
    with pytest.raises(DataForSEOPostbackError):
        parse_postback(packed[:-4])


def test_broken_gzip_is_refused() -> None:
    with pytest.raises(DataForSEOPostbackError, match="does not decompress"):
        decompress_capped(b"\x1f\x8b" + b"\x00" * 40)


@pytest.mark.parametrize(
    "data",
    [
        [1, 2, 3],
        "a string",
        42,
        None,
        {"status_code": 20000},
        {"tasks": None},
        {"tasks": {"id": "x"}},
        example("4.4_auth_failure"),
    ],
)
def test_json_that_is_not_an_envelope_is_refused(data: Any) -> None:
    with pytest.raises(DataForSEOPostbackError, match="not a DataForSEO envelope"):
        parse_postback(body_of(data))


def test_an_envelope_with_a_finished_task_but_no_result_is_refused() -> None:
    data = envelope(task_status=20000, result=[])
    data["tasks"][0]["result"] = None
    with pytest.raises(DataForSEOPostbackError, match="no readable result"):
        parse_postback(body_of(data))


def test_an_envelope_with_no_task_is_a_postback_error() -> None:
    data = envelope()
    data["tasks"] = []
    with pytest.raises(DataForSEOPostbackError, match="no readable result"):
        parse_postback(body_of(data))


def test_an_envelope_whose_result_is_an_empty_object_is_refused() -> None:
    data = envelope()
    data["tasks"][0]["result"] = [{}]
    with pytest.raises(DataForSEOPostbackError):
        parse_postback(body_of(data))


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(40501, DataForSEOInvalidRequestError), (50000, DataForSEOAPIError)],
)
def test_a_failed_task_raises_its_typed_error_with_code_and_task_id(
    code: int, error_type: type[DataForSEOError]
) -> None:
    data = envelope(task_status=code, cost=0.0, task_id="failed-task-1")
    with pytest.raises(error_type) as info:
        parse_postback(gzip.compress(body_of(data)))
    assert info.value.status_code == code
    assert info.value.task_id == "failed-task-1"


def test_an_envelope_level_failure_raises_a_typed_error() -> None:
    data = copy.deepcopy(envelope())
    data["status_code"] = 50000
    with pytest.raises(DataForSEOAPIError) as info:
        parse_postback(body_of(data))
    assert info.value.status_code == 50000


@pytest.mark.parametrize("body", [b"[" * 100_000, gzip.compress(b'{"a":' * 100_000)])
def test_deeply_nested_json_is_refused_as_a_postback_error(body: bytes) -> None:
    with pytest.raises(DataForSEOPostbackError):
        parse_postback(body)


# --------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_postback_or_api_errors(body: bytes) -> None:
    with contextlib.suppress(DataForSEOPostbackError, DataForSEOError):
        parse_postback(body, max_bytes=64 * 1024)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_after_the_gzip_magic_raise_only_postback_errors(tail: bytes) -> None:
    with contextlib.suppress(DataForSEOPostbackError, DataForSEOError):
        parse_postback(b"\x1f\x8b" + tail, max_bytes=64 * 1024)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def _mutated_envelope(task: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    data = envelope()
    data["tasks"][0].update(task)
    if isinstance(data["tasks"][0].get("result"), list) and data["tasks"][0]["result"]:
        first = data["tasks"][0]["result"][0]
        if isinstance(first, dict):
            first.update(result)
    return data


@settings(max_examples=300, deadline=None)
@given(
    task=st.dictionaries(
        st.sampled_from(["status_code", "result", "data", "path", "id", "cost"]), _JSON
    ),
    result=st.dictionaries(
        st.sampled_from(["items", "model_name", "money_spent", "input_tokens", "fan_out_queries"]),
        _JSON,
    ),
    compress=st.booleans(),
)
def test_any_envelope_shape_gives_a_message_or_a_documented_error(
    task: dict[str, Any], result: dict[str, Any], compress: bool
) -> None:
    body = body_of(_mutated_envelope(task, result))
    try:
        message = parse_postback(gzip.compress(body) if compress else body)
    except (DataForSEOPostbackError, DataForSEOError):
        return
    assert isinstance(message.content, str)
    assert message.response_metadata["method"] == "standard"
