"""Tests for ``_cost_bounds``: the worst case a task can cost, and which costs to believe."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo._api.cost_bounds import (
    MAX_PLAUSIBLE_TASK_COST_USD,
    STANDARD_PREPAID_USD,
    believable_result_cost,
    checked_cost,
    live_reservation,
    model_rates,
    outcome_unknown,
    provider_cost_bound,
    standard_reservation,
)
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport
from langchain_dataforseo.emulator._responses import catalogue
from langchain_dataforseo.errors import (
    DataForSEOConnectionError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)


def test_a_plain_call_is_bounded_by_its_tokens_and_max_output_tokens() -> None:
    task = {"user_prompt": "x" * 100, "model_name": "gpt-4.1-mini", "max_output_tokens": 100}
    # in: 100 bytes + 64 + 256 framing at $0.40/M; out: 100 at $1.60/M
    expected = (420 * 0.40 + 100 * 1.60) / 1e6
    assert provider_cost_bound("chat_gpt", task) == pytest.approx(expected, abs=1e-7)
    assert live_reservation("chat_gpt", task) == pytest.approx(0.0006 + expected, abs=1e-7)


def test_without_max_output_tokens_the_api_default_2048_bounds_the_output() -> None:
    short = {"user_prompt": "q", "model_name": "gpt-4.1-mini", "max_output_tokens": 2048}
    unset = {"user_prompt": "q", "model_name": "gpt-4.1-mini"}
    assert provider_cost_bound("chat_gpt", unset) == provider_cost_bound("chat_gpt", short)


def test_web_search_adds_search_context_overrun_and_the_engine_fee() -> None:
    plain = {"user_prompt": "q", "model_name": "gpt-4.1-mini", "max_output_tokens": 100}
    web = {**plain, "web_search": True}
    bound = provider_cost_bound("chat_gpt", web)
    expected = ((1 + 64 + 256 + 60_000) * 0.40 + 16_384 * 1.60) / 1e6 + 0.075
    assert bound == pytest.approx(expected, abs=1e-7)
    assert bound > 20 * provider_cost_bound("chat_gpt", plain)


def test_perplexity_always_counts_as_searching() -> None:
    task = {"user_prompt": "q", "model_name": "sonar"}
    assert provider_cost_bound("perplexity", task) >= 0.014


def test_reasoning_models_and_use_reasoning_may_exceed_max_output_tokens() -> None:
    base = {"user_prompt": "q", "max_output_tokens": 1024}
    o4 = provider_cost_bound("chat_gpt", {**base, "model_name": "o4-mini"})
    assert o4 >= 16_384 * 4.40 / 1e6
    plain = provider_cost_bound("claude", {**base, "model_name": "claude-haiku-4-5"})
    reasoning = provider_cost_bound(
        "claude", {**base, "model_name": "claude-haiku-4-5", "use_reasoning": True}
    )
    assert reasoning > 10 * plain


def test_the_longest_prefix_wins_and_versions_match_their_base_name() -> None:
    assert model_rates("chat_gpt", "gpt-4.1-mini-2025-04-14") == model_rates(
        "chat_gpt", "gpt-4.1-mini"
    )
    assert model_rates("chat_gpt", "gpt-4.1-mini").price_in == 0.40
    assert model_rates("chat_gpt", "gpt-4.1").price_in == 2.00
    assert model_rates("perplexity", "sonar-reasoning-pro").price_out == 8.00


def test_an_unknown_model_gets_the_engines_dearest_prices() -> None:
    rates = model_rates("claude", "claude-future-9")
    assert rates.price_in == 15.00
    assert rates.price_out == 75.00
    assert rates.reasoning


def test_multibyte_text_counts_its_bytes() -> None:
    ascii_task = {"user_prompt": "a" * 300, "model_name": "gpt-4.1-mini"}
    emoji_task = {"user_prompt": "\U0001f600" * 300, "model_name": "gpt-4.1-mini"}
    assert provider_cost_bound("chat_gpt", emoji_task) > provider_cost_bound("chat_gpt", ascii_task)


def test_history_counts_in_the_input_bound() -> None:
    alone = {"user_prompt": "q", "model_name": "gpt-4.1-mini"}
    chain = [{"role": "user", "message": "m" * 500}, {"role": "ai", "message": "n" * 500}]
    with_history = {**alone, "system_message": "s" * 500, "message_chain": chain}
    difference = provider_cost_bound("chat_gpt", with_history) - provider_cost_bound(
        "chat_gpt", alone
    )
    assert difference == pytest.approx((1500 + 3 * 64) * 0.40 / 1e6, abs=2e-7)


def test_a_standard_task_reserves_the_prepayment_or_its_worst_case_if_dearer() -> None:
    cheap = {"user_prompt": "q", "model_name": "gpt-4.1-mini", "max_output_tokens": 100}
    assert standard_reservation("chat_gpt", cheap) == STANDARD_PREPAID_USD == 0.0102
    dear = {**cheap, "web_search": True}
    assert standard_reservation("chat_gpt", dear) == pytest.approx(
        0.0002 + provider_cost_bound("chat_gpt", dear), abs=1e-7
    )


@pytest.mark.parametrize(
    "value", [-5, -0.0001, math.nan, math.inf, MAX_PLAUSIBLE_TASK_COST_USD + 1, "0.1", None, True]
)
def test_unbelievable_costs_are_refused(value: object) -> None:
    assert checked_cost(value) is None


@pytest.mark.parametrize("value", [0, 0.0, 0.0272228, 3])
def test_believable_costs_are_kept(value: object) -> None:
    assert checked_cost(value) == value


def test_unknown_outcome_is_a_failure_without_status_that_may_have_run() -> None:
    assert outcome_unknown(DataForSEOResponseError("unreadable"))
    assert outcome_unknown(DataForSEOTimeoutError("read timeout"))
    assert not outcome_unknown(DataForSEOConnectionError("refused", retryable=True))
    assert not outcome_unknown(DataForSEOResponseError("api said", status_code=50000))


def _emulated(engine: str, model_name: str, **settings: Any) -> float:
    emu = Emulator(EmulatorConfig())
    model = ChatDataForSEO(
        login="emulator-login",
        password="emulator-password",
        base_url="http://127.0.0.1",
        engine=engine,  # type: ignore[arg-type]
        model=model_name,
        validate_model=False,
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        **settings,
    )
    prompt = "Which project management tools do remote agencies use in 2026, and why? " * 6
    message = model.invoke(prompt[:500])
    cost = float(message.response_metadata["cost"])
    request = emu.ledger()["charges"][0]
    assert cost == pytest.approx(float(request["cost"]))
    task = {"user_prompt": prompt[:500], "model_name": model_name, **settings}
    assert cost <= live_reservation(engine, task)
    return cost


@pytest.mark.parametrize(
    ("engine", "name"),
    [
        (engine, info.base_name)
        for engine in ("chat_gpt", "claude", "gemini", "perplexity")
        for info in catalogue(engine)
    ],
)
def test_no_emulated_answer_costs_more_than_its_reservation(engine: str, name: str) -> None:
    info = next(i for i in catalogue(engine) if i.base_name == name)
    settings: dict[str, Any] = {"max_output_tokens": 4096}
    if info.web_search_supported and engine != "perplexity":
        settings["web_search"] = True
    if info.reasoning and engine in ("claude", "gemini") and not info.auto_reasoning:
        settings["use_reasoning"] = True
    if engine == "claude" and settings.get("use_reasoning"):
        settings.pop("web_search", None)
    _emulated(engine, name, **settings)


@pytest.mark.parametrize(
    ("task", "believed"),
    [
        ({"result": [{"money_spent": 0.0031}]}, True),
        ({"result": [{"money_spent": -5}]}, False),
        ({"result": [{"money_spent": None}]}, False),
        ({"result": []}, False),
        ({"result": None}, False),
    ],
)
def test_a_standard_result_is_believed_only_with_a_plausible_money_spent(
    task: dict[str, Any], believed: bool
) -> None:
    assert believable_result_cost(task) is believed
