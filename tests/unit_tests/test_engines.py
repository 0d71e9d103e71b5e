"""Tests for ``_engines``: per-engine field sets, Standard support and chain alternation."""

from __future__ import annotations

import pytest

from langchain_dataforseo._api.fields import check_chain_alternation, engine_spec
from langchain_dataforseo.errors import DataForSEOInputError


def _chain(*roles: str) -> list[dict[str, str]]:
    return [{"role": role, "message": f"m{i}"} for i, role in enumerate(roles)]


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
def test_engine_spec_returns_spec_named_after_engine(engine: str) -> None:
    spec = engine_spec(engine)
    assert spec.name == engine
    assert {"user_prompt", "model_name", "system_message", "message_chain", "tag"} <= spec.fields


@pytest.mark.parametrize("engine", ["", "ChatGPT", "chatgpt", "openai", "perplexity "])
def test_unknown_engine_is_an_input_error_naming_engine(engine: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        engine_spec(engine)
    assert info.value.field == "engine"
    assert info.value.actual == engine
    assert "chat_gpt" in str(info.value)


@pytest.mark.parametrize(
    ("engine", "field", "present"),
    [
        ("chat_gpt", "web_search", True),
        ("chat_gpt", "force_web_search", True),
        ("chat_gpt", "web_search_city", True),
        ("chat_gpt", "use_reasoning", False),
        ("chat_gpt", "pingback_url", True),
        ("claude", "use_reasoning", True),
        ("claude", "force_web_search", True),
        ("claude", "web_search_country_iso_code", True),
        ("gemini", "use_reasoning", True),
        ("gemini", "web_search", True),
        ("gemini", "force_web_search", False),
        ("gemini", "web_search_country_iso_code", False),
        ("gemini", "web_search_city", False),
        ("gemini", "postback_url", True),
        ("perplexity", "web_search", False),
        ("perplexity", "force_web_search", False),
        ("perplexity", "web_search_city", False),
        ("perplexity", "web_search_country_iso_code", True),
        ("perplexity", "use_reasoning", False),
        ("perplexity", "pingback_url", False),
        ("perplexity", "postback_url", False),
    ],
)
def test_engine_field_matrix_matches_reference(engine: str, field: str, present: bool) -> None:
    assert (field in engine_spec(engine).fields) is present


@pytest.mark.parametrize(
    ("engine", "standard"),
    [("chat_gpt", True), ("claude", True), ("gemini", True), ("perplexity", False)],
)
def test_only_perplexity_lacks_the_standard_method(engine: str, standard: bool) -> None:
    assert engine_spec(engine).has_standard is standard


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini"])
def test_non_strict_engines_accept_any_chain_order(engine: str) -> None:
    check_chain_alternation(engine_spec(engine), _chain("ai", "ai", "user"))


@pytest.mark.parametrize(
    "roles",
    [(), ("user", "ai"), ("user", "ai", "user", "ai", "user", "ai")],
    ids=["empty", "one_pair", "three_pairs"],
)
def test_perplexity_accepts_strict_user_ai_alternation(roles: tuple[str, ...]) -> None:
    check_chain_alternation(engine_spec("perplexity"), _chain(*roles))


def test_perplexity_chain_starting_with_ai_is_rejected_at_position_0() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_chain_alternation(engine_spec("perplexity"), _chain("ai", "user", "ai"))
    err = info.value
    assert err.field == "message_chain[0].role"
    assert err.limit == "user"
    assert err.actual == "ai"
    assert err.index == 0


def test_perplexity_repeated_role_is_rejected_at_its_position() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_chain_alternation(engine_spec("perplexity"), _chain("user", "ai", "ai", "user"))
    assert info.value.field == "message_chain[2].role"
    assert info.value.limit == "user"
    assert info.value.index == 2


def test_perplexity_chain_ending_with_user_is_rejected() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_chain_alternation(engine_spec("perplexity"), _chain("user", "ai", "user"))
    err = info.value
    assert err.field == "message_chain[2].role"
    assert err.limit == "ai"
    assert err.actual == "user"
    assert err.index == 2
