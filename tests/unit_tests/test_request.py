"""Tests for ``_request``: settings validation, task building and body encoding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_dataforseo._api.fields import engine_spec
from langchain_dataforseo._api.messages import PromptLayout
from langchain_dataforseo._api.request import (
    TASK_KEY_ORDER,
    TaskSettings,
    build_task,
    check_model_settings,
    encode_tasks,
    validate_settings,
)
from langchain_dataforseo.errors import DataForSEOInputError

MODELS = {
    "chat_gpt": "gpt-4.1-mini",
    "claude": "claude-sonnet-4-5",
    "gemini": "gemini-2.5-flash",
    "perplexity": "sonar",
}


def _settings(engine: str, **kwargs: Any) -> TaskSettings:
    return TaskSettings(model_name=MODELS[engine], **kwargs)


def _validate(engine: str, **kwargs: Any) -> None:
    validate_settings(engine_spec(engine), _settings(engine, **kwargs))


def _rejected(engine: str, **kwargs: Any) -> DataForSEOInputError:
    with pytest.raises(DataForSEOInputError) as info:
        _validate(engine, **kwargs)
    return info.value


def _layout(
    prompt: str = "hi",
    system_message: str | None = None,
    message_chain: tuple[dict[str, str], ...] = (),
) -> PromptLayout:
    return PromptLayout(
        user_prompt=prompt, system_message=system_message, message_chain=message_chain
    )


# --- numeric ranges ------------------------------------------------------------------------

# (engine, field, extra settings, accepted boundary values, rejected just-outside values, limit)
RANGES: list[tuple[str, str, dict[str, Any], list[Any], list[Any], tuple[float, float]]] = [
    ("chat_gpt", "temperature", {}, [0, 0.0, 2, 2.0, 0.94], [-0.01, 2.01], (0, 2.0)),
    ("chat_gpt", "top_p", {}, [0, 1, 1.0, 0.92], [-0.01, 1.01], (0, 1)),
    ("chat_gpt", "max_output_tokens", {}, [16, 4096], [15, 4097], (16, 4096)),
    ("claude", "temperature", {}, [0, 1, 1.0], [-0.001, 1.001], (0, 1.0)),
    ("claude", "top_p", {}, [0, 1], [-0.01, 1.01], (0, 1)),
    ("claude", "max_output_tokens", {}, [1, 4096], [0, 4097], (1, 4096)),
    (
        "claude",
        "max_output_tokens",
        {"use_reasoning": True},
        [1025, 4096],
        [1024, 4097],
        (1025, 4096),
    ),
    ("gemini", "temperature", {}, [0, 2.0], [-0.01, 2.01], (0, 2.0)),
    ("gemini", "top_p", {}, [0, 1], [-0.01, 1.01], (0, 1)),
    ("gemini", "max_output_tokens", {}, [1, 4096], [0, 4097], (1, 4096)),
    (
        "gemini",
        "max_output_tokens",
        {"use_reasoning": True},
        [1024, 4096],
        [1023, 4097],
        (1024, 4096),
    ),
    ("perplexity", "temperature", {}, [0, 1.9], [-0.01, 1.91, 2.0], (0, 1.9)),
    ("perplexity", "top_p", {}, [0, 1], [-0.01, 1.01], (0, 1)),
    ("perplexity", "max_output_tokens", {}, [1, 4096], [0, 4097], (1, 4096)),
]


def _range_cases(accepted: bool) -> list[Any]:
    cases = []
    for engine, field, extra, good, bad, limit in RANGES:
        for value in good if accepted else bad:
            case_id = f"{engine}-{field}-{'-'.join(extra)}-{value}"
            cases.append(pytest.param(engine, field, extra, value, limit, id=case_id))
    return cases


@pytest.mark.parametrize(("engine", "field", "extra", "value", "limit"), _range_cases(True))
def test_boundary_values_are_accepted(
    engine: str, field: str, extra: dict[str, Any], value: Any, limit: Any
) -> None:
    _validate(engine, **extra, **{field: value})


@pytest.mark.parametrize(("engine", "field", "extra", "value", "limit"), _range_cases(False))
def test_values_just_outside_range_are_rejected_with_field_limit_actual(
    engine: str, field: str, extra: dict[str, Any], value: Any, limit: Any
) -> None:
    err = _rejected(engine, **extra, **{field: value})
    assert err.field == field
    assert err.limit == limit
    assert err.actual == value
    assert field in str(err)
    assert engine in str(err)


@pytest.mark.parametrize("field", ["temperature", "top_p", "max_output_tokens"])
@pytest.mark.parametrize("value", [True, False])
def test_bools_are_rejected_as_numbers(field: str, value: bool) -> None:
    err = _rejected("chat_gpt", **{field: value})
    assert err.field == field
    assert err.actual is value


@pytest.mark.parametrize("value", ["0.5", [0.5], float("nan")])
def test_non_numbers_are_rejected_for_temperature(value: Any) -> None:
    err = _rejected("chat_gpt", temperature=value)
    assert err.field == "temperature"


def test_float_max_output_tokens_is_rejected_as_non_integer() -> None:
    err = _rejected("chat_gpt", max_output_tokens=100.0)
    assert err.field == "max_output_tokens"
    assert err.limit == "integer"


# --- exclusions and dependencies --------------------------------------------------------------


def test_claude_rejects_temperature_together_with_top_p() -> None:
    err = _rejected("claude", temperature=0.5, top_p=0.5)
    assert err.field == "top_p"
    assert err.actual == 0.5


@pytest.mark.parametrize("engine", ["chat_gpt", "gemini", "perplexity"])
def test_other_engines_accept_temperature_together_with_top_p(engine: str) -> None:
    _validate(engine, temperature=0.3, top_p=0.5)


@pytest.mark.parametrize("field", ["temperature", "top_p"])
def test_claude_use_reasoning_rejects_sampling_settings(field: str) -> None:
    err = _rejected("claude", use_reasoning=True, max_output_tokens=2048, **{field: 0.5})
    assert err.field == field


def test_claude_use_reasoning_rejects_force_web_search() -> None:
    err = _rejected(
        "claude", use_reasoning=True, max_output_tokens=2048, web_search=True, force_web_search=True
    )
    assert err.field == "force_web_search"


def test_claude_without_reasoning_accepts_low_max_output_tokens() -> None:
    _validate("claude", use_reasoning=False, max_output_tokens=1)


def test_gemini_use_reasoning_accepts_temperature() -> None:
    _validate("gemini", use_reasoning=True, max_output_tokens=2048, temperature=1.3)


@pytest.mark.parametrize("engine", ["chat_gpt", "claude"])
def test_force_web_search_needs_web_search(engine: str) -> None:
    err = _rejected(engine, force_web_search=True)
    assert err.field == "force_web_search"
    err = _rejected(engine, web_search=False, force_web_search=True)
    assert err.field == "force_web_search"
    _validate(engine, web_search=True, force_web_search=True)


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("web_search_country_iso_code", {"web_search_country_iso_code": "FR"}),
        (
            "web_search_city",
            {"web_search_country_iso_code": None, "web_search_city": "Paris"},
        ),
    ],
)
def test_chat_gpt_country_and_city_need_web_search(field: str, extra: dict[str, Any]) -> None:
    err = _rejected("chat_gpt", **extra)
    assert err.field == field
    assert "web_search" in str(err)


def test_claude_country_and_city_do_not_need_web_search() -> None:
    # Claude's docs (client 2.1.10) list the countries and say the city needs the
    # country; "web_search must also be enabled" is said of ChatGPT only.
    _validate("claude", web_search_country_iso_code="FR", web_search_city="Paris")
    err = _rejected("claude", web_search_city="Paris")
    assert err.limit == "needs web_search_country_iso_code"


@pytest.mark.parametrize("engine", ["chat_gpt", "claude"])
def test_city_needs_country(engine: str) -> None:
    err = _rejected(engine, web_search=True, web_search_city="Paris")
    assert err.field == "web_search_city"
    assert err.limit == "needs web_search_country_iso_code"
    _validate(engine, web_search=True, web_search_city="Paris", web_search_country_iso_code="FR")


def test_perplexity_accepts_country_without_web_search_field() -> None:
    _validate("perplexity", web_search_country_iso_code="US")


@pytest.mark.parametrize(
    ("engine", "field", "value"),
    [
        ("chat_gpt", "use_reasoning", True),
        ("chat_gpt", "use_reasoning", False),
        ("perplexity", "web_search", True),
        ("perplexity", "web_search", False),
        ("perplexity", "force_web_search", True),
        ("perplexity", "use_reasoning", True),
        ("gemini", "force_web_search", False),
        ("gemini", "web_search_country_iso_code", "US"),
        ("gemini", "web_search_city", "Paris"),
    ],
)
def test_field_the_engine_lacks_is_an_error_naming_the_field(
    engine: str, field: str, value: Any
) -> None:
    err = _rejected(engine, **{field: value})
    assert err.field == field
    assert err.limit == "not supported"
    assert field in str(err)


@pytest.mark.parametrize("model_name", ["", "   "])
def test_empty_model_name_is_rejected(model_name: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        validate_settings(engine_spec("chat_gpt"), TaskSettings(model_name=model_name))
    assert info.value.field == "model_name"


def test_tag_of_255_chars_passes_and_256_is_rejected() -> None:
    _validate("chat_gpt", tag="t" * 255)
    err = _rejected("chat_gpt", tag="t" * 256)
    assert err.field == "tag"
    assert err.limit == 255
    assert err.actual == 256


# --- build_task -----------------------------------------------------------------------------------


def test_build_task_leaves_out_unset_fields() -> None:
    task = build_task(engine_spec("chat_gpt"), _layout("hello"), _settings("chat_gpt"))
    assert task == {"user_prompt": "hello", "model_name": "gpt-4.1-mini"}


def test_build_task_orders_keys_stably_regardless_of_input() -> None:
    spec = engine_spec("claude")
    settings = _settings(
        "claude",
        tag="t",
        web_search=True,
        force_web_search=True,
        web_search_city="Paris",
        web_search_country_iso_code="FR",
        temperature=0.2,
        max_output_tokens=100,
    )
    layout = _layout(
        "q",
        system_message="s",
        message_chain=({"role": "user", "message": "u"}, {"role": "ai", "message": "a"}),
    )
    task = build_task(spec, layout, settings, extra={"pingback_url": "https://x/p?id=$id"})
    assert list(task) == [
        "user_prompt",
        "model_name",
        "system_message",
        "message_chain",
        "max_output_tokens",
        "temperature",
        "web_search",
        "force_web_search",
        "web_search_country_iso_code",
        "web_search_city",
        "tag",
        "pingback_url",
    ]
    assert list(task) == [key for key in TASK_KEY_ORDER if key in task]


def test_build_task_key_order_does_not_depend_on_extra_insertion_order() -> None:
    spec = engine_spec("chat_gpt")
    settings = _settings("chat_gpt", tag="t", max_output_tokens=100)
    urls = {"pingback_url": "https://x/ping", "postback_url": "https://x/post"}
    forward = build_task(spec, _layout(), settings, extra=urls)
    backward = build_task(spec, _layout(), settings, extra=dict(reversed(list(urls.items()))))
    assert list(forward) == list(backward)
    assert list(forward)[-3:] == ["tag", "pingback_url", "postback_url"]
    assert encode_tasks([forward]) == encode_tasks([backward])


def test_build_task_leaves_out_extra_fields_set_to_none() -> None:
    task = build_task(
        engine_spec("chat_gpt"), _layout(), _settings("chat_gpt"), extra={"pingback_url": None}
    )
    assert "pingback_url" not in task


def test_build_task_copies_values_and_chain_items() -> None:
    chain = ({"role": "user", "message": "u"}, {"role": "ai", "message": "a"})
    layout = _layout("q", system_message="sys", message_chain=chain)
    task = build_task(engine_spec("chat_gpt"), layout, _settings("chat_gpt", temperature=0.0))
    assert task["system_message"] == "sys"
    assert task["message_chain"] == [dict(item) for item in chain]
    assert isinstance(task["message_chain"], list)
    # Falsy-but-set values are kept (0 is not "unset").
    assert task["temperature"] == 0.0
    task["message_chain"][0]["message"] = "changed"
    assert chain[0]["message"] == "u"


def test_build_task_keeps_false_booleans() -> None:
    task = build_task(engine_spec("chat_gpt"), _layout(), _settings("chat_gpt", web_search=False))
    assert task["web_search"] is False


def test_build_task_leaves_out_empty_chain_and_missing_system() -> None:
    task = build_task(engine_spec("gemini"), _layout(message_chain=()), _settings("gemini"))
    assert "message_chain" not in task
    assert "system_message" not in task


def test_build_task_validates_settings() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        build_task(engine_spec("chat_gpt"), _layout(), _settings("chat_gpt", temperature=3))
    assert info.value.field == "temperature"


def test_build_task_checks_perplexity_alternation() -> None:
    layout = _layout(message_chain=({"role": "ai", "message": "a"},))
    with pytest.raises(DataForSEOInputError) as info:
        build_task(engine_spec("perplexity"), layout, _settings("perplexity"))
    assert info.value.field == "message_chain[0].role"


@pytest.mark.parametrize("field", ["pingback_url", "postback_url"])
def test_callback_url_on_perplexity_is_an_error_naming_the_field(field: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        build_task(
            engine_spec("perplexity"),
            _layout(),
            _settings("perplexity"),
            extra={field: "https://example.com/cb"},
        )
    assert info.value.field == field
    assert field in str(info.value)


def test_unknown_extra_field_is_an_error() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        build_task(engine_spec("chat_gpt"), _layout(), _settings("chat_gpt"), extra={"foo": 1})
    assert info.value.field == "foo"


def test_extra_callback_url_is_added_for_standard_engine() -> None:
    task = build_task(
        engine_spec("gemini"),
        _layout(),
        _settings("gemini"),
        extra={"postback_url": "https://example.com/post?id=$id"},
    )
    assert task["postback_url"] == "https://example.com/post?id=$id"
    assert list(task)[-1] == "postback_url"


# --- encode_tasks ---------------------------------------------------------------------------------


def _sample_task() -> dict[str, Any]:
    layout = _layout(
        "Quelle est la meilleure crêperie à Paris ? 東京 🚀",
        system_message="réponds en français",
        message_chain=(
            {"role": "user", "message": "Hello, what’s up?"},
            {"role": "ai", "message": "ok"},
        ),
    )
    return build_task(
        engine_spec("chat_gpt"), layout, _settings("chat_gpt", temperature=0.3, top_p=0.5)
    )


def test_encode_tasks_is_byte_identical_for_equal_input() -> None:
    first = encode_tasks([_sample_task()])
    second = encode_tasks([_sample_task()])
    assert first == second
    assert isinstance(first, bytes)


def test_encode_tasks_produces_a_json_array_that_round_trips() -> None:
    tasks = [_sample_task(), {"user_prompt": "b", "model_name": "m"}]
    body = encode_tasks(tasks)
    decoded = json.loads(body)
    assert isinstance(decoded, list)
    assert decoded == tasks
    assert body.startswith(b"[")
    assert body.endswith(b"]")


def test_encode_tasks_keeps_key_order_of_task() -> None:
    task = _sample_task()
    decoded = json.loads(encode_tasks([task]))
    assert list(decoded[0]) == list(task)


def test_encode_tasks_keeps_non_ascii_unescaped_as_utf8() -> None:
    body = encode_tasks([_sample_task()])
    assert "crêperie".encode() in body
    assert "’".encode() in body
    assert "東京 🚀".encode() in body
    assert b"\\u" not in body


def test_encode_tasks_of_one_task_is_still_an_array() -> None:
    body = encode_tasks([{"user_prompt": "x", "model_name": "m"}])
    assert json.loads(body) == [{"user_prompt": "x", "model_name": "m"}]


# --- text that cannot be encoded ------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "settings", "field", "position"),
    [
        (_layout("ab\ud83dcd"), {}, "user_prompt", 2),
        (_layout("ok", system_message="\udc00 sys"), {}, "system_message", 0),
        (
            _layout(
                "ok",
                message_chain=(
                    {"role": "user", "message": "q"},
                    {"role": "ai", "message": "fine \udfff"},
                ),
            ),
            {},
            "message_chain[1].message",
            5,
        ),
        (_layout("ok"), {"tag": "t\ud800"}, "tag", 1),
        (
            _layout("ok"),
            {"web_search": True, "web_search_country_iso_code": "US", "web_search_city": "\ud800"},
            "web_search_city",
            0,
        ),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_field_and_position(
    layout: PromptLayout, settings: dict[str, Any], field: str, position: int
) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        build_task(engine_spec("chat_gpt"), layout, _settings("chat_gpt", **settings))
    assert (info.value.field, info.value.actual) == (field, position)
    assert f"position {position}" in str(info.value)
    assert "U+D" in str(info.value)


def test_astral_characters_and_emoji_are_fine() -> None:
    task = build_task(engine_spec("chat_gpt"), _layout("\U0001f600 \u00e9"), _settings("chat_gpt"))
    assert json.loads(encode_tasks([task]))[0]["user_prompt"] == "\U0001f600 \u00e9"


# --- the checks a model's own settings must pass --------------------------------------------


def test_check_model_settings_names_the_field_as_the_user_wrote_it() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_model_settings(
            engine_spec("chat_gpt"),
            _settings("chat_gpt", max_output_tokens=5),
            {"max_output_tokens": "max_tokens"},
        )
    assert (info.value.field, info.value.limit, info.value.actual) == ("max_tokens", (16, 4096), 5)
    assert str(info.value).startswith("max_tokens=5 ")


def test_check_model_settings_leaves_dependencies_to_the_call() -> None:
    # force_web_search without web_search, and a low max_output_tokens with reasoning:
    # a call's options may still make them valid.
    check_model_settings(engine_spec("chat_gpt"), _settings("chat_gpt", force_web_search=True))
    check_model_settings(
        engine_spec("claude"), _settings("claude", use_reasoning=True, max_output_tokens=100)
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:hunter2@x/p?secret=hunter2",  # not http(s): refused
        "hxxps://x/postback/hunter2/$id",
    ],
)
def test_a_refused_callback_url_never_shows_its_secret(url: str) -> None:
    with pytest.raises(DataForSEOInputError) as caught:
        build_task(
            engine_spec("chat_gpt"), _layout("q"), _settings("chat_gpt"), {"postback_url": url}
        )
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(caught.value.actual)
    assert caught.value.field == "postback_url"
