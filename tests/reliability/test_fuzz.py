"""Bad-input fuzzing: histories, parameters and response bodies never crash the model.

Every generated case ends in a result or a documented error type (``DataForSEOInputError``
or pydantic's ``ValidationError`` for input, ``DataForSEOError`` for responses), never an
unhandled ``KeyError`` / ``TypeError`` / ``AttributeError``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import ValidationError

from langchain_dataforseo import ChatDataForSEO, DataForSEOError, DataForSEOInputError

from ..unit_tests.helpers import example, is_models_call, json_response, models_response

pytestmark = pytest.mark.slow
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GOOD = example("4.1_live_web_search")


def model_answering(body: bytes | None = None, **kwargs: Any) -> tuple[ChatDataForSEO, list[Any]]:
    sent: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            return models_response()
        sent.append(json.loads(request.content))
        if body is None:
            return json_response(GOOD)
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    params: dict[str, Any] = {
        "login": "l",
        "password": "p",
        "base_url": "http://127.0.0.1:1",
        "max_retries": 0,
        "http_client": httpx.Client(transport=httpx.MockTransport(handler)),
        **kwargs,
    }
    return ChatDataForSEO(**params), sent


text = st.text(max_size=700)
content = st.one_of(
    text,
    st.lists(
        st.one_of(
            text,
            st.fixed_dictionaries({"type": st.just("text"), "text": text}),
            st.fixed_dictionaries({"type": st.just("image"), "url": st.just("https://x/y.png")}),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        ),
        max_size=3,
    ),
)
message = st.one_of(
    st.builds(SystemMessage, content=content),
    st.builds(HumanMessage, content=content),
    st.builds(AIMessage, content=content),
    st.builds(ToolMessage, content=text, tool_call_id=st.just("call-1")),
)


@FUZZ
@given(history=st.lists(message, max_size=14), policy=st.sampled_from(["error", "trim", "pack"]))
def test_any_history_ends_in_an_answer_or_an_input_error(
    history: list[BaseMessage], policy: str
) -> None:
    model, sent = model_answering(history_policy=policy)
    try:
        result = model.invoke(history)
    except DataForSEOInputError:
        assert sent == []  # refused before any request
        return
    assert isinstance(result, AIMessage)
    (task,) = sent[0]
    assert len(task["user_prompt"]) <= 500
    assert len(task.get("message_chain", [])) <= 10


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "temperature": anything,
            "top_p": anything,
            "max_tokens": anything,
            "web_search": anything,
            "force_web_search": anything,
            "web_search_country_iso_code": anything,
            "web_search_city": anything,
            "tag": anything,
            "use_reasoning": anything,
        },
    )
)
def test_any_parameter_values_end_in_an_answer_or_a_clear_error(values: dict[str, Any]) -> None:
    at_construction: DataForSEOInputError | None = None
    try:
        model, sent = model_answering(**values)
    except ValidationError:
        return  # refused at construction, naming the field
    except DataForSEOInputError as error:
        at_construction = error
    if at_construction is not None:
        assert at_construction.field  # refused at construction, naming the field
        return
    refused: DataForSEOInputError | None = None
    try:
        result = model.invoke("What is a CRM?")
    except DataForSEOInputError as error:
        refused = error
    if refused is not None:
        assert refused.field
        assert sent == []
        return
    assert isinstance(result, AIMessage)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=30),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=25,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


ALL_PATHS = paths(GOOD)[1:]


def replaced(path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    body = copy.deepcopy(GOOD)
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return body


def check_response(body: bytes) -> None:
    model, _ = model_answering(body)
    try:
        result = model.invoke("What is a CRM?")
    except DataForSEOError:
        return
    assert isinstance(result, AIMessage)
    assert isinstance(result.content, str)
    assert isinstance(result.response_metadata["annotations"], list)
    assert isinstance(result.response_metadata["fan_out_queries"], list)


@FUZZ
@given(path=st.sampled_from(ALL_PATHS), new=st.one_of(st.none(), json_values))
def test_a_value_replaced_anywhere_in_a_good_response_never_crashes(
    path: tuple[Any, ...], new: Any
) -> None:
    check_response(json.dumps(replaced(path, new)).encode())


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(json.dumps(GOOD)) - 1))
def test_truncated_json_is_a_response_error(cut: int) -> None:
    check_response(json.dumps(GOOD).encode()[:cut])


@FUZZ
@given(body=json_values)
def test_any_json_body_never_crashes(body: Any) -> None:
    check_response(json.dumps(body).encode())


@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_huge_strings_in_a_response_are_carried_not_crashed_on(size: int) -> None:
    huge = replaced(("tasks", 0, "result", 0, "items", 0, "sections", 0, "text"), "x" * size)
    model, _ = model_answering(json.dumps(huge).encode())
    assert len(model.invoke("q").text) == size


@FUZZ
@given(path=st.sampled_from(ALL_PATHS))
def test_null_at_every_depth_never_crashes(path: tuple[Any, ...]) -> None:
    check_response(json.dumps(replaced(path, None)).encode())
