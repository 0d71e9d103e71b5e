"""Tests for the postback guards: the shared-secret check and the JSON parse budget."""

from __future__ import annotations

import contextlib
import gzip
import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from langchain_dataforseo.postback import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_VALUES,
    DataForSEOPostbackError,
    DataForSEOPostbackLimitError,
    check_json_budget,
    decompress_capped,
    new_secret,
    parse_postback,
    secret_matches,
)
from tests.unit_tests.helpers import example

MIB = 1024 * 1024
SECRET = "s3cr3t-" + "x" * 24


def body_of(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


# --------------------------------------------------------------------------- shared secret


def test_the_right_secret_matches() -> None:
    assert secret_matches(SECRET, SECRET)
    assert secret_matches(SECRET, SecretStr(SECRET))


@pytest.mark.parametrize(
    "presented",
    [None, "", SECRET[:-1], SECRET + "x", SECRET.upper(), "x" * len(SECRET), " " + SECRET],
)
def test_a_missing_or_wrong_secret_does_not_match(presented: str | None) -> None:
    assert not secret_matches(presented, SECRET)


def test_secret_matches_compares_in_constant_time_over_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hmac

    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert not secret_matches("short", SECRET)
    assert secret_matches(SECRET, SECRET)
    # Fixed-length digests: the comparison time does not depend on the presented length.
    assert len(seen) == 2
    assert all(len(a) == len(b) == 32 for a, b in seen)


@pytest.mark.parametrize("expected", ["", "too-short", SecretStr("abc")])
def test_a_weak_expected_secret_is_refused_with_its_length_not_its_value(
    expected: str | SecretStr,
) -> None:
    with pytest.raises(ValueError, match=r"at least 16 characters") as info:
        secret_matches("anything", expected)
    plain = expected.get_secret_value() if isinstance(expected, SecretStr) else expected
    assert f"got {len(plain)}" in str(info.value)
    if plain:
        assert plain not in str(info.value)


def test_new_secret_is_long_url_safe_and_fresh() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert len(first) >= 32
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in first)
    assert secret_matches(first, first)


# --------------------------------------------------------------------------- parse budget


def test_a_real_result_is_well_within_the_default_budget() -> None:
    data = body_of(example("4.1_live_web_search"))
    check_json_budget(data)
    check_json_budget(data, max_depth=12, max_values=500)


def test_nesting_past_max_depth_is_refused_naming_the_limit() -> None:
    check_json_budget(b"[[[[1]]]]", max_depth=4)
    with pytest.raises(DataForSEOPostbackLimitError, match=r"deeper than 3 levels") as info:
        check_json_budget(b"[[[[1]]]]", max_depth=3)
    assert info.value.limit_name == "max_depth"
    assert info.value.limit == 3


def test_too_many_values_are_refused_naming_the_limit() -> None:
    check_json_budget(b'[1,2,{"a":3}]', max_values=5)
    with pytest.raises(DataForSEOPostbackLimitError, match=r"more than 4 values") as info:
        check_json_budget(b'[1,2,{"a":3}]', max_values=4)
    assert info.value.limit_name == "max_values"
    assert info.value.limit == 4


def test_an_empty_array_or_object_counts_as_two_values() -> None:
    check_json_budget(b"[[], {}]", max_values=5)
    with pytest.raises(DataForSEOPostbackLimitError):
        check_json_budget(b"[[], {}]", max_values=4)


def test_brackets_and_commas_inside_strings_do_not_count() -> None:
    tricky = json.dumps({"text": '[[[[{{{{,,,,]]]] " \\ \\" [[[[', "n": 1}).encode()
    check_json_budget(tricky, max_depth=1, max_values=3)


def test_escaped_quotes_do_not_end_a_string() -> None:
    # If \" ended the string, the brackets after it would count as nesting.
    check_json_budget(b'["a\\"[[[[[[[["]', max_depth=1)
    with pytest.raises(DataForSEOPostbackLimitError):
        check_json_budget(b'["a\\\\"[[[[[[[["]', max_depth=1)


def test_the_budget_errors_are_postback_errors_and_limit_errors() -> None:
    assert issubclass(DataForSEOPostbackLimitError, DataForSEOPostbackError)
    with pytest.raises(DataForSEOPostbackLimitError) as info:
        decompress_capped(b" " * 101, max_bytes=100)
    assert info.value.limit_name == "max_bytes"
    assert info.value.limit == 100


def _huge_flat(total: int) -> bytes:
    return b"[" + b"{}," * ((total - 4) // 3) + b"{}]"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_huge_flat(8 * MIB), id="millions-of-objects"),
        pytest.param(b"[" * (8 * MIB), id="deep-nesting"),
        pytest.param(b"[" + b"0," * (4 * MIB) + b"0]", id="millions-of-numbers"),
    ],
)
def test_parse_postback_refuses_an_over_budget_body_without_building_it(body: bytes) -> None:
    assert len(body) < 16 * MIB  # within the default byte cap
    tracemalloc.start()
    try:
        with pytest.raises(DataForSEOPostbackLimitError):
            parse_postback(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Building the objects would take many times the body (hundreds of MiB here).
    assert peak < 2 * MIB


def test_parse_postback_applies_the_budget_after_gunzip() -> None:
    packed = gzip.compress(_huge_flat(2 * MIB))
    with pytest.raises(DataForSEOPostbackLimitError, match="values"):
        parse_postback(packed)


def test_parse_postback_budget_is_configurable() -> None:
    body = body_of(example("4.1_live_web_search"))
    assert parse_postback(body, max_depth=DEFAULT_MAX_DEPTH, max_values=DEFAULT_MAX_VALUES).text
    with pytest.raises(DataForSEOPostbackLimitError, match="max_values=10"):
        parse_postback(body, max_values=10)
    with pytest.raises(DataForSEOPostbackLimitError, match="max_depth=2"):
        parse_postback(body, max_depth=2)


@pytest.mark.parametrize("bad", [0, -1])
def test_the_budget_limits_must_be_positive(bad: int) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        check_json_budget(b"[]", max_depth=bad)
    with pytest.raises(ValueError, match="max_values"):
        check_json_budget(b"[]", max_values=bad)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='a[]{},"\\:\n é'),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=30,
)


def _depth_and_values(value: Any, depth: int = 0) -> tuple[int, int]:
    """The nesting depth and the values (empty containers twice), counted on the object."""
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return depth, 1
    deepest, count = depth + 1, 1 if children else 2
    for child in children:
        d, n = _depth_and_values(child, depth + 1)
        deepest, count = max(deepest, d), count + n
    return deepest, count


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans())
def test_the_budget_agrees_with_the_parsed_object(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    depth, values = _depth_and_values(value)
    check_json_budget(data, max_depth=max(depth, 1), max_values=values)
    if depth > 1:
        with pytest.raises(DataForSEOPostbackLimitError):
            check_json_budget(data, max_depth=depth - 1)
    if values > 1:
        with pytest.raises(DataForSEOPostbackLimitError):
            check_json_budget(data, max_values=values - 1)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_pass_or_raise_a_limit_error(data: bytes) -> None:
    with contextlib.suppress(DataForSEOPostbackLimitError):
        check_json_budget(data, max_depth=4, max_values=16)


# --------------------------------------------------------------------------- UTF-8 only


def smuggled(values: int, encoding: str) -> bytes:
    """JSON whose U+2200 (one 0x22 byte in UTF-16/32) hides every later value from a byte scan."""
    return ('["\u2200",' + "{}," * values + "{}]").encode(encoding)


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_utf16_and_utf32_json_is_refused_before_it_is_parsed(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real_loads = json.loads

    def spy(text: Any, **kwargs: Any) -> Any:
        parsed.append(len(text))
        return real_loads(text, **kwargs)

    monkeypatch.setattr(json, "loads", spy)
    body = smuggled(2 * DEFAULT_MAX_VALUES, encoding)
    for sent in (body, gzip.compress(body)):
        with pytest.raises(DataForSEOPostbackError, match="only UTF-8 JSON is accepted"):
            parse_postback(sent)
    assert parsed == []  # nothing was built from it


def test_the_same_values_in_utf8_are_counted_and_refused() -> None:
    with pytest.raises(DataForSEOPostbackLimitError, match="max_values"):
        parse_postback(smuggled(2 * DEFAULT_MAX_VALUES, "utf-8"))


def test_bytes_that_are_not_utf8_are_refused_with_their_offset() -> None:
    with pytest.raises(DataForSEOPostbackError, match="byte 10 is not UTF-8"):
        parse_postback(b'{"tasks":"\xff"}')
    with pytest.raises(DataForSEOPostbackError, match="a NUL byte at offset 1"):
        parse_postback(b"{\x00}")


def test_utf8_with_a_byte_order_mark_and_non_ascii_text_is_read() -> None:
    task = example("4.1_live_web_search")["tasks"][0]
    task["result"][0]["items"][-1]["sections"][0]["text"] = "Ça coûte 5 € — “vrai” 😀"
    body = json.dumps({"status_code": 20000, "tasks": [task]}, ensure_ascii=False)
    for sent in (body.encode("utf-8"), b"\xef\xbb\xbf" + body.encode("utf-8")):
        assert "coûte 5 € — “vrai” 😀" in parse_postback(sent, engine="chat_gpt").text
