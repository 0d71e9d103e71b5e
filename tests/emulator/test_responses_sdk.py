"""The official SDK (``dataforseo-client``) parses the emulator's LLM Responses answers.

Each answer goes through the SDK's own models (strict types, item discriminators), so a
field of the wrong type or an item the SDK does not know would fail here; what the SDK
reads is then checked against what the emulator charged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

pytest.importorskip("dataforseo_client", exc_type=ImportError)

from dataforseo_client import api_client, configuration
from dataforseo_client.api.ai_optimization_api import AiOptimizationApi
from dataforseo_client.models import (
    AiOptimizationChatGptLlmResponsesLiveRequestInfo,
    AiOptimizationChatGptLlmResponsesTaskPostRequestInfo,
    AiOptimizationClaudeLlmResponsesLiveRequestInfo,
    AiOptimizationGeminiLlmResponsesLiveRequestInfo,
    AiOptimizationPerplexityLlmResponsesLiveRequestInfo,
)

LOGIN, PASSWORD = "sdk-login", "sdk-password"


@pytest.fixture
def api() -> Iterator[tuple[AiOptimizationApi, Emulator]]:
    emulator = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, task_latency=0.05))
    with EmulatorServer(emulator, host="127.0.0.1", port=0) as server:
        config = configuration.Configuration(
            username=LOGIN, password=PASSWORD, host=server.base_url
        )
        with api_client.ApiClient(config) as client:
            yield AiOptimizationApi(client), emulator


LIVE = [
    (
        "chat_gpt_llm_responses_live",
        AiOptimizationChatGptLlmResponsesLiveRequestInfo(
            user_prompt="Best CRM for agencies?", model_name="gpt-4.1-mini", web_search=True
        ),
    ),
    (
        "claude_llm_responses_live",
        AiOptimizationClaudeLlmResponsesLiveRequestInfo(
            user_prompt="Best CRM for agencies?", model_name="claude-haiku-4-5"
        ),
    ),
    (
        "gemini_llm_responses_live",
        AiOptimizationGeminiLlmResponsesLiveRequestInfo(
            user_prompt="Best CRM for agencies?", model_name="gemini-2.5-flash", web_search=True
        ),
    ),
    (
        "perplexity_llm_responses_live",
        AiOptimizationPerplexityLlmResponsesLiveRequestInfo(
            user_prompt="Best CRM for agencies?", model_name="sonar"
        ),
    ),
]


@pytest.mark.parametrize(("method", "request_info"), LIVE, ids=[m for m, _ in LIVE])
def test_sdk_parses_every_engines_live_answer(
    api: tuple[AiOptimizationApi, Emulator], method: str, request_info: Any
) -> None:
    client, emulator = api
    response: Any = getattr(client, method)([request_info])
    assert response.status_code == 20000
    task = response.tasks[0]
    assert task.status_code == 20000
    result = task.result[0]
    assert result.model_name.startswith(request_info.model_name)
    assert result.items, "an answer has at least one item"
    texts = [
        section.text
        for item in result.items
        if getattr(item, "sections", None)
        for section in item.sections
        if getattr(section, "text", None)
    ]
    assert texts
    assert all(isinstance(text, str) and text for text in texts)
    assert task.cost == pytest.approx(emulator.ledger()["charged_total"], abs=1e-9)


def test_sdk_round_trips_a_standard_task(api: tuple[AiOptimizationApi, Emulator]) -> None:
    client, _ = api
    posted: Any = client.chat_gpt_llm_responses_task_post(
        [
            AiOptimizationChatGptLlmResponsesTaskPostRequestInfo(
                user_prompt="Best invoicing app?", model_name="gpt-4.1-mini", tag="sdk-1"
            )
        ]
    )
    task_id = posted.tasks[0].id
    assert posted.tasks[0].status_code == 20100
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ready: Any = client.chat_gpt_llm_responses_tasks_ready()
        if any(item.id == task_id for t in ready.tasks or [] for item in t.result or []):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the task never became ready")
    got: Any = client.chat_gpt_llm_responses_task_get(task_id)
    assert got.tasks[0].status_code == 20000
    assert got.tasks[0].data["tag"] == "sdk-1"
    assert got.tasks[0].result[0].items


def _sdk(emulator: Emulator, server_url: str) -> api_client.ApiClient:
    config = configuration.Configuration(username=LOGIN, password=PASSWORD, host=server_url)
    return api_client.ApiClient(config)


@pytest.mark.parametrize("shape", ["documented", "reasoning"])
@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
def test_sdk_parses_the_models_answer_in_both_shapes(engine: str, shape: str) -> None:
    emulator = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, models_shape=shape))
    with (
        EmulatorServer(emulator, host="127.0.0.1", port=0) as server,
        _sdk(emulator, server.base_url) as client,
    ):
        response: Any = getattr(AiOptimizationApi(client), f"{engine}_llm_responses_models")()
    assert response.status_code == 20000
    assert response.cost == 0
    models = response.tasks[0].result
    assert models
    names = {m.model_name for m in models}
    for m in models:
        assert isinstance(m.web_search_supported, bool)
        assert isinstance(m.task_post_supported, bool)
        # client 2.1.10 has no ``reasoning`` field: it lands in additional_properties
        assert ("reasoning" in m.additional_properties) == (shape == "reasoning")
    if engine == "chat_gpt":
        assert ("gpt-4.1-mini" in names) == (shape == "documented")
        assert "gpt-4.1-mini-2025-04-14" in names


def test_sdk_parses_answers_with_and_without_the_optional_parts(
    api: tuple[AiOptimizationApi, Emulator],
) -> None:
    """Over 24 prompts the emulator serves both the documented and the client-model shapes."""
    client, _ = api
    seen: set[str] = set()
    for i in range(24):
        response: Any = client.chat_gpt_llm_responses_live(
            [
                AiOptimizationChatGptLlmResponsesLiveRequestInfo(
                    user_prompt=f"Garden tools question {i}?",
                    model_name="gpt-4.1-mini",
                    web_search=True,
                )
            ]
        )
        result = response.tasks[0].result[0]
        notes = result.items[-1].sections[0].annotations
        assert notes
        seen.add("usage" if result.reasoning_tokens is not None else "no-usage")
        seen.add("fan-out" if result.fan_out_queries is not None else "no-fan-out")
        seen.add("indices" if notes[0].start_index is not None else "no-indices")
        if len({n.url for n in notes}) < len(notes):
            seen.add("repeat")
    assert seen == {
        "usage",
        "no-usage",
        "fan-out",
        "no-fan-out",
        "indices",
        "no-indices",
        "repeat",
    }
