"""Tests for ``_results``: a task's result to an ``AIMessage``."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.load import dumpd, dumps
from langchain_core.messages import AIMessage

from langchain_dataforseo._api.results import (
    MAX_KEPT_DEPTH,
    MAX_KEPT_VALUES,
    read_items,
    task_to_message,
    usage_from_result,
)

TASK_ID = "06151432-1535-0612-0000-8c2d4f0a9e17"


def _section(text: Any, annotations: Any = None) -> dict[str, Any]:
    return {"type": "text", "text": text, "annotations": annotations}


def _message_item(*sections: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "sections": list(sections)}


def _reasoning_item(*texts: str) -> dict[str, Any]:
    return {"type": "reasoning", "sections": [{"type": "summary_text", "text": t} for t in texts]}


def _task(result: Any = None, **fields: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "id": TASK_ID,
        "status_code": 20000,
        "cost": 0.0012,
        "data": {"model_name": "gpt-4.1-mini", "se": "chat_gpt"},
        "result": [result] if result is not None else None,
    }
    task.update(fields)
    return task


def _result(*items: Any, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "model_name": "gpt-4.1-mini-2025-04-14",
        "input_tokens": 10,
        "output_tokens": 20,
        "reasoning_tokens": 0,
        "web_search": False,
        "money_spent": 0.0006,
        "datetime": "2026-06-15 14:32:51 +00:00",
        "items": list(items),
        "fan_out_queries": None,
    }
    result.update(fields)
    return result


# --- read_items ---------------------------------------------------------------------------------


def test_text_sections_are_concatenated_in_order_without_separator() -> None:
    result = _result(
        _message_item(_section("Hello, "), _section("world")),
        _message_item(_section("!")),
    )
    text, annotations, reasoning, unknown = read_items(result)
    assert text == "Hello, world!"
    assert annotations == []
    assert reasoning == []
    assert unknown == []


def test_annotations_keep_api_fields_and_drop_nulls() -> None:
    note = {
        "title": "Zapier",
        "url": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZ",
        "direct_url": "https://zapier.com/blog/",
        "start_index": 0,
        "end_index": 5,
        "text": "cited",
    }
    plain = {"title": "Asana", "url": "https://asana.com/", "direct_url": None, "text": None}
    _, annotations, _, _ = read_items(_result(_message_item(_section("Hello", [note, plain]))))
    assert annotations == [note, {"title": "Asana", "url": "https://asana.com/"}]


def test_unknown_annotation_keys_are_kept() -> None:
    note = {"title": "t", "url": "u", "favicon": "f.ico"}
    _, annotations, _, _ = read_items(_result(_message_item(_section("x", [note]))))
    assert annotations == [note]


def test_null_annotations_give_empty_list() -> None:
    _, annotations, _, _ = read_items(_result(_message_item(_section("x", None))))
    assert annotations == []


def test_annotation_indices_in_later_sections_are_shifted_into_content() -> None:
    first = "The first section. "
    second = "Asana is popular."
    note = {"title": "Asana", "url": "https://asana.com", "start_index": 0, "end_index": 5}
    result = _result(
        _message_item(_section(first, [{"title": "a", "url": "u", "start_index": 4}])),
        _message_item(_section(second, [note])),
    )
    text, annotations, _, _ = read_items(result)
    assert annotations[0]["start_index"] == 4
    shifted = annotations[1]
    assert shifted["start_index"] == len(first)
    assert shifted["end_index"] == len(first) + 5
    assert text[shifted["start_index"] : shifted["end_index"]] == "Asana"


def test_sections_without_text_do_not_shift_later_indices() -> None:
    result = _result(
        _message_item(
            _section(None, [{"title": "lost", "url": "u"}]),
            _section("abc", [{"title": "t", "url": "u", "start_index": 1, "end_index": 2}]),
        )
    )
    text, annotations, _, _ = read_items(result)
    assert text == "abc"
    assert [(n["title"], n["start_index"]) for n in annotations] == [("t", 1)]


def test_non_integer_annotation_indices_are_dropped() -> None:
    note = {"title": "t", "url": "u", "start_index": "3", "end_index": True}
    _, annotations, _, _ = read_items(_result(_message_item(_section("abcdef", [note]))))
    assert annotations == [{"title": "t", "url": "u"}]


def test_reasoning_and_unknown_items_are_separated_from_text() -> None:
    reasoning = _reasoning_item("thinking")
    unknown = {"type": "image", "url": "https://x"}
    result = _result(reasoning, unknown, "stray", 7, _message_item(_section("answer")))
    text, _, reasoning_items, unknown_items = read_items(result)
    assert text == "answer"
    assert reasoning_items == [reasoning]
    assert unknown_items == [unknown, "stray", 7]


# --- usage -------------------------------------------------------------------------------------


def test_usage_reports_input_output_total_and_reasoning_detail() -> None:
    usage = usage_from_result({"input_tokens": 38, "output_tokens": 1372, "reasoning_tokens": 1216})
    assert usage["input_tokens"] == 38
    assert usage["output_tokens"] == 1372
    assert usage["total_tokens"] == 38 + 1372
    assert usage["output_token_details"] == {"reasoning": 1216}


def test_usage_without_reasoning_tokens_has_no_output_details() -> None:
    usage = usage_from_result({"input_tokens": 1, "output_tokens": 2})
    assert "output_token_details" not in usage
    assert usage["total_tokens"] == 3


@pytest.mark.parametrize(
    "result",
    [{}, {"input_tokens": None, "output_tokens": "12"}, {"input_tokens": True}],
)
def test_usage_with_missing_or_wrong_types_is_zero(result: dict[str, Any]) -> None:
    usage = usage_from_result(result)
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (0, 0, 0)


# --- task_to_message ----------------------------------------------------------------------------


def test_message_content_and_metadata_from_web_search_result() -> None:
    note = {"title": "Asana", "url": "https://asana.com/?utm_source=openai"}
    result = _result(
        _message_item(_section("Use Asana.", [note])),
        web_search=True,
        fan_out_queries=["best pm tools", 3, None, "asana review"],
        money_spent=0.0266228,
    )
    task = _task(result, cost=0.0272228)
    task["data"]["tag"] = "pm-1"
    message = task_to_message(task, engine="chat_gpt")
    assert isinstance(message, AIMessage)
    assert message.content == "Use Asana."
    meta = message.response_metadata
    assert meta["model_provider"] == "dataforseo"
    assert meta["model_name"] == "gpt-4.1-mini-2025-04-14"
    assert meta["engine"] == "chat_gpt"
    assert meta["method"] == "live"
    assert meta["finish_reason"] == "stop"
    assert meta["task_id"] == TASK_ID
    assert meta["cost"] == 0.0272228
    assert meta["money_spent"] == 0.0266228
    assert meta["web_search"] is True
    assert meta["datetime"] == "2026-06-15 14:32:51 +00:00"
    assert meta["annotations"] == [note]
    assert meta["fan_out_queries"] == ["best pm tools", "asana review"]
    assert meta["tag"] == "pm-1"
    assert message.additional_kwargs == {}


def test_null_fan_out_queries_and_annotations_give_empty_lists() -> None:
    message = task_to_message(_task(_result(_message_item(_section("x")))), engine="gemini")
    assert message.response_metadata["fan_out_queries"] == []
    assert message.response_metadata["annotations"] == []
    assert message.response_metadata["web_search"] is False


def test_reasoning_items_go_to_additional_kwargs() -> None:
    reasoning = _reasoning_item("step one", "step two")
    message = task_to_message(
        _task(_result(reasoning, _message_item(_section("42")))), engine="claude"
    )
    assert message.content == "42"
    assert message.additional_kwargs["reasoning"] == [reasoning]
    assert "unknown_items" not in message.additional_kwargs


def test_unknown_item_types_are_kept_in_additional_kwargs() -> None:
    unknown = {"type": "tool_use", "name": "x"}
    message = task_to_message(
        _task(_result(_message_item(_section("a")), unknown)), engine="chat_gpt"
    )
    assert message.additional_kwargs["unknown_items"] == [unknown]
    assert "reasoning" not in message.additional_kwargs


def test_usage_metadata_is_attached() -> None:
    result = _result(input_tokens=5, output_tokens=9, reasoning_tokens=4)
    message = task_to_message(_task(result), engine="chat_gpt")
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 5
    assert message.usage_metadata["output_tokens"] == 9
    assert message.usage_metadata["total_tokens"] == 14
    assert message.usage_metadata["output_token_details"] == {"reasoning": 4}


def test_model_name_falls_back_to_requested_name_then_empty() -> None:
    result = _result()
    del result["model_name"]
    assert (
        task_to_message(_task(result), engine="chat_gpt").response_metadata["model_name"]
        == "gpt-4.1-mini"
    )
    bare = task_to_message({"result": [{}]}, engine="chat_gpt")
    assert bare.response_metadata["model_name"] == ""


def test_explicit_cost_overrides_task_cost_and_is_rounded() -> None:
    message = task_to_message(_task(_result()), engine="claude", method="standard", cost=0.01020001)
    assert message.response_metadata["cost"] == 0.0102
    assert message.response_metadata["method"] == "standard"


def test_finish_reason_is_length_when_visible_output_reaches_the_limit() -> None:
    task = _task(_result(output_tokens=150, reasoning_tokens=50))
    task["data"]["max_output_tokens"] = 100
    assert task_to_message(task, engine="chat_gpt").response_metadata["finish_reason"] == "length"
    task = _task(_result(output_tokens=149, reasoning_tokens=50))
    task["data"]["max_output_tokens"] = 100
    assert task_to_message(task, engine="chat_gpt").response_metadata["finish_reason"] == "stop"


def test_finish_reason_is_stop_with_web_search_even_over_the_limit() -> None:
    task = _task(_result(output_tokens=500, web_search=True))
    task["data"]["max_output_tokens"] = 100
    assert task_to_message(task, engine="chat_gpt").response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize(
    "task",
    [
        {},
        {"result": None},
        {"result": []},
        {"result": [None]},
        {"result": "oops"},
        {"result": [{"items": None}]},
        {"result": [{"items": [None, 1, "x", [], {}]}]},
        {"result": [{"items": [{"type": "message", "sections": None}]}]},
        {"result": [{"items": [{"type": "message", "sections": [None, {"text": 5}]}]}]},
        {"result": [{"items": [{"type": "message", "sections": [{"annotations": "x"}]}]}]},
        {"id": 5, "cost": "1", "data": "d", "result": [{"model_name": 3, "datetime": 4}]},
        {"result": [{"fan_out_queries": "q", "money_spent": "0.1", "web_search": "yes"}]},
    ],
)
def test_tolerant_parsing_of_missing_null_and_wrong_typed_fields(task: dict[str, Any]) -> None:
    message = task_to_message(task, engine="chat_gpt")
    assert isinstance(message, AIMessage)
    assert isinstance(message.content, str)
    meta = message.response_metadata
    assert isinstance(meta["cost"], float)
    assert isinstance(meta["annotations"], list)
    assert isinstance(meta["fan_out_queries"], list)
    assert meta["task_id"] is None or isinstance(meta["task_id"], str)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_the_body_are_tolerated(literal: str) -> None:
    body = (
        '{"id": "t", "result": [{"input_tokens": LIT, "items": [{"type": "message", '
        '"sections": [{"text": "x", "annotations": [{"url": "u", "start_index": LIT}]}]}]}]}'
    ).replace("LIT", literal)
    message = task_to_message(json.loads(body), engine="chat_gpt")
    assert message.content == "x"
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 0


# --- property: arbitrary JSON never breaks parsing ------------------------------------------------

_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_JSON = st.recursive(
    _LEAF,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def _keyed(keys: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts over the API's own keys (so deep paths are reached), with arbitrary values."""
    return st.dictionaries(st.sampled_from(keys), value, max_size=len(keys))


_ANNOTATION = _keyed(["title", "url", "direct_url", "start_index", "end_index", "text"], _JSON)
_SECTION = _keyed(["type", "text", "annotations"], _JSON | st.lists(_ANNOTATION | _JSON))
_ITEM = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "reasoning"]) | _JSON},
    optional={"sections": st.lists(_SECTION | _JSON, max_size=3) | _JSON},
)
_RESULT_KEYS = [
    "model_name",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_search",
    "money_spent",
    "datetime",
    "fan_out_queries",
]
_RESULT = st.fixed_dictionaries(
    {}, optional={"items": st.lists(_ITEM | _JSON, max_size=4) | _JSON}
).flatmap(lambda base: _keyed(_RESULT_KEYS, _JSON).map(lambda extra: {**extra, **base}))
_TASK = st.fixed_dictionaries(
    {},
    optional={
        "id": _JSON | st.text(max_size=30),
        "cost": _JSON,
        "status_code": _JSON,
        "data": _keyed(["model_name", "max_output_tokens", "tag"], _JSON) | _JSON,
        "result": st.lists(_RESULT | _JSON, max_size=2) | _JSON,
    },
)


@settings(max_examples=400, deadline=None)
@given(_TASK)
def test_property_task_to_message_never_raises_on_json_like_input(task: dict[str, Any]) -> None:
    message = task_to_message(task, engine="chat_gpt")
    assert isinstance(message, AIMessage)
    assert isinstance(message.content, str)
    # The translated view must not break either.
    blocks = message.content_blocks
    assert [b["type"] for b in blocks].count("text") == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5), st.data())
def test_property_shifted_annotation_indices_point_into_content(
    texts: list[str], data: st.DataObject
) -> None:
    sections = []
    expected = []
    for text in texts:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        sections.append(
            _section(text, [{"title": "t", "url": "u", "start_index": start, "end_index": end}])
        )
        expected.append(text[start:end])
    message = task_to_message(_task(_result(_message_item(*sections))), engine="chat_gpt")
    assert message.content == "".join(texts)
    cited = [
        message.content[n["start_index"] : n["end_index"]]
        for n in message.response_metadata["annotations"]
    ]
    assert cited == expected


# --- what is kept of raw items is capped, so the message always serialises -------------


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


def _serialises(message: AIMessage) -> None:
    dumpd(message)
    json.loads(dumps(message))
    json.loads(message.model_dump_json())
    copy.deepcopy(message)
    message.model_copy(deep=True)


@pytest.mark.parametrize("depth", [300, 900])
def test_deeply_nested_unknown_items_are_cut_noted_and_never_break_serialising(
    depth: int,
) -> None:
    raw = json.loads(json.dumps(_task(_result(
        _message_item(_section("Answer.")),
        {"type": "new_kind", "payload": _nested(depth)},
        {"type": "reasoning", "sections": [{"type": "summary_text", "text": "why"}],
         "extra": _nested(depth)},
    ))))  # fmt: skip
    message = task_to_message(raw, engine="chat_gpt")
    _serialises(message)
    assert message.content == "Answer."
    (unknown,) = message.additional_kwargs["unknown_items"]
    assert unknown["type"] == "new_kind"
    assert f"nested deeper than {MAX_KEPT_DEPTH} levels" in json.dumps(unknown)
    assert message.additional_kwargs["reasoning"][0]["sections"][0]["text"] == "why"
    cut = message.response_metadata["cut"]
    assert cut["too_deep"] == 2
    assert (cut["max_depth"], cut["too_many"]) == (MAX_KEPT_DEPTH, 0)


def test_an_oversized_unknown_item_is_cut_to_the_value_cap() -> None:
    raw = _task(_result({"type": "new_kind", "payload": list(range(MAX_KEPT_VALUES + 10))}))
    message = task_to_message(raw, engine="chat_gpt")
    _serialises(message)
    payload = message.additional_kwargs["unknown_items"][0]["payload"]
    assert payload[:3] == [0, 1, 2]
    assert payload[-1] == f"[cut: over {MAX_KEPT_VALUES} values]"
    assert message.response_metadata["cut"]["too_many"] == 13


def test_ordinary_unknown_items_are_kept_whole_and_nothing_is_noted() -> None:
    item = {"type": "new_kind", "payload": {"list": [1, {"x": [None, True, "s"]}]}}
    message = task_to_message(_task(_result(item)), engine="chat_gpt")
    assert message.additional_kwargs["unknown_items"] == [item]
    assert "cut" not in message.response_metadata
