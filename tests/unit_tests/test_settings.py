"""The table of task fields and everything derived from it agree, and the checks follow it."""

from __future__ import annotations

import dataclasses
import re
import types
from typing import Any, get_type_hints

import pytest

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo._api.fields import (
    CALL_OPTIONS,
    ENGINE_SPECS,
    ENGINES,
    MODEL_FIELDS,
    SETTING_NAMES,
    SETTINGS,
    TASK_FIELDS,
    TASK_KEY_ORDER,
    TaskSettings,
    engine_fields,
    engine_only,
    engine_spec,
    model_field,
)
from langchain_dataforseo._api.request import (
    check_model_settings,
    ordered_task,
    settings_for,
    validate_settings,
)
from langchain_dataforseo._chat.base import ChatDataForSEOBase
from langchain_dataforseo._tooling import PROMPT_DESCRIPTION, tool_input_schema
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.tools import DataForSEOLLMResponsesToolkit
from langchain_dataforseo.visibility import _panel

# ChatDataForSEO's fields that are not task settings: a new field must be put here or in
# the table, so that it is a deliberate choice either way.
OTHER_FIELDS = {
    "engine",
    "history_policy",
    "login",
    "password",
    "api_key",
    "base_url",
    "timeout",
    "max_retries",
    "retry_base_delay",
    "validate_model",
    "models_cache_ttl",
    "calls_per_minute",
    "max_concurrency",
    "method",
    "poll_interval",
    "max_wait",
    "pingback_url",
    "postback_url",
    "max_cost",
    "max_cost_per_call",
    "stop",
    "streaming",
    "http_client",
    "http_async_client",
    "max_response_bytes",
}


def _model_field_hints() -> dict[str, Any]:
    return get_type_hints(ChatDataForSEOBase)


def test_every_engine_named_is_an_engine_and_names_are_unique() -> None:
    assert len(TASK_KEY_ORDER) == len(set(TASK_KEY_ORDER))
    for item in TASK_FIELDS:
        assert item.engines <= set(ENGINES), item.name
        assert item.engines, item.name


def test_the_model_has_exactly_the_table_settings_and_the_other_fields() -> None:
    own = set(ChatDataForSEOBase.model_fields) - set(
        ChatDataForSEOBase.__mro__[1].model_fields  # BaseChatModel's own
    )
    settings = {item.field for item in SETTINGS}
    assert own == settings | OTHER_FIELDS
    assert not settings & OTHER_FIELDS


@pytest.mark.parametrize("item", SETTINGS, ids=lambda item: item.name)
def test_each_setting_field_takes_its_type_default_aliases_and_description_from_the_table(
    item: Any,
) -> None:
    info = ChatDataForSEO.model_fields[item.field]
    expected = model_field(item.name)
    assert info.default == item.default == expected.default
    assert info.alias == item.alias
    assert info.validation_alias == expected.validation_alias
    assert info.description == item.description
    assert item.description
    hint = _model_field_hints()[item.field]
    accepted = set(hint.__args__) if isinstance(hint, types.UnionType) else {hint}
    assert item.kind in accepted
    assert accepted <= {item.kind, type(None)}


def test_every_accepted_name_builds_the_model_and_sets_the_setting() -> None:
    values = {"tag": "t", "max_output_tokens": 100, "temperature": 0.5, "model_name": "x"}
    for item in SETTINGS:
        for name in item.names:
            if item.name not in values:
                continue
            model = ChatDataForSEO(**{name: values[item.name]})
            assert getattr(model, item.field) == values[item.name], name


def test_task_settings_record_has_the_table_settings_in_order_with_their_types() -> None:
    record = dataclasses.fields(TaskSettings)
    assert tuple(f.name for f in record) == SETTING_NAMES
    hints = get_type_hints(TaskSettings)
    for item in SETTINGS:
        hint = hints[item.name]
        accepted = set(hint.__args__) if isinstance(hint, types.UnionType) else {hint}
        assert item.kind in accepted, item.name


def test_call_options_are_every_setting_by_field_and_api_name() -> None:
    expected = {name: item.name for item in SETTINGS for name in (item.field, item.name)}
    assert dict(CALL_OPTIONS) == expected
    assert dict(MODEL_FIELDS) == {"model_name": "model", "max_output_tokens": "max_tokens"}
    for name, target in CALL_OPTIONS.items():
        settings = settings_for({"model_name": "m"}, {name: "v"})
        assert getattr(settings, target) == "v"


def test_an_option_outside_the_table_is_refused_and_the_error_lists_the_table() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        settings_for({"model_name": "m"}, {"seed": 1})
    assert info.value.field == "seed"
    assert set(str(info.value.limit).split(", ")) == set(CALL_OPTIONS)


def test_engine_field_sets_derive_from_the_table() -> None:
    for name, spec in ENGINE_SPECS.items():
        assert spec.fields == engine_fields(name, spec.has_standard)
        assert spec.fields == {
            item.name
            for item in TASK_FIELDS
            if name in item.engines and (item.source != "callback" or spec.has_standard)
        }
    assert "pingback_url" not in engine_spec("perplexity").fields
    assert "use_reasoning" in engine_spec("claude").fields
    assert "use_reasoning" not in engine_spec("chat_gpt").fields


def test_request_keys_follow_the_table_order() -> None:
    values = {name: "x" for name in reversed(TASK_KEY_ORDER)}
    assert list(ordered_task(values)) == list(TASK_KEY_ORDER)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_tool_schema_is_prompt_plus_the_table_tool_settings_of_the_engine(engine: str) -> None:
    schema = tool_input_schema(engine)  # type: ignore[arg-type]
    expected = {
        item.name: item for item in SETTINGS if item.tool is not None and engine in item.engines
    }
    assert list(schema.model_fields) == ["prompt", *expected]
    assert schema.model_fields["prompt"].description == PROMPT_DESCRIPTION
    for name, item in expected.items():
        info = schema.model_fields[name]
        assert item.tool is not None
        assert info.description == item.tool.description
        assert info.annotation == (item.kind | None)
        assert info.default is None


def test_toolkit_leaves_out_what_an_engine_lacks_per_the_table() -> None:
    assert engine_only() == {item.name for item in SETTINGS if item.engines != set(ENGINES)}
    toolkit = DataForSEOLLMResponsesToolkit(engines=["perplexity", "gemini"], web_search=True)
    perplexity, gemini = toolkit.get_tools()
    assert perplexity.llm.web_search is None  # type: ignore[attr-defined]
    assert gemini.llm.web_search is True  # type: ignore[attr-defined]


def test_panel_settings_are_the_table_settings_but_model_and_tag() -> None:
    assert set(_panel.PANEL_SETTINGS) == set(SETTING_NAMES) - {"model_name", "tag"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("item", [i for i in SETTINGS if i.bounds], ids=lambda i: i.name)
def test_ranges_follow_the_table_bounds_on_every_engine(engine: str, item: Any) -> None:
    spec = engine_spec(engine)
    low, high = item.bounds(spec, False)
    kind = item.kind
    for good in (low, high):
        validate_settings(spec, TaskSettings(model_name="m", **{item.name: kind(good)}))
    step = 1 if kind is int else 0.01
    for bad in (low - step, high + step):
        with pytest.raises(DataForSEOInputError) as info:
            validate_settings(spec, TaskSettings(model_name="m", **{item.name: kind(bad)}))
        assert (info.value.field, info.value.limit, info.value.actual) == (
            item.name,
            (low, high),
            kind(bad),
        )


def test_construction_errors_name_the_user_field_the_limit_and_the_value() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        ChatDataForSEO(max_tokens=5)
    assert (info.value.field, info.value.limit, info.value.actual) == ("max_tokens", (16, 4096), 5)
    assert re.search(r"max_tokens=5 .* 16 to 4096", str(info.value))
    with pytest.raises(DataForSEOInputError) as info:
        ChatDataForSEO(max_output_tokens=5)
    assert info.value.field == "max_output_tokens"
    with pytest.raises(DataForSEOInputError) as info:
        ChatDataForSEO(tag="t" * 256)
    assert (info.value.field, info.value.limit, info.value.actual) == ("tag", 255, 256)


@pytest.mark.parametrize("item", SETTINGS, ids=lambda item: item.name)
def test_each_setting_of_the_wrong_type_is_refused_by_the_checks(item: Any) -> None:
    wrong: Any = [] if item.kind is not bool else "yes"
    spec = engine_spec(next(iter(sorted(item.engines))))
    with pytest.raises(DataForSEOInputError) as info:
        check_model_settings(spec, TaskSettings(**{"model_name": "m", item.name: wrong}))
    assert info.value.field == item.name
    assert info.value.actual == wrong


def test_a_setting_an_engine_lacks_is_refused_naming_it() -> None:
    for item in SETTINGS:
        for engine in set(ENGINES) - item.engines:
            value: Any = {bool: True, str: "US", int: 100, float: 0.5}[item.kind]
            with pytest.raises(DataForSEOInputError) as info:
                check_model_settings(
                    engine_spec(engine), TaskSettings(**{"model_name": "m", item.name: value})
                )
            assert (info.value.field, info.value.limit) == (item.name, "not supported")
