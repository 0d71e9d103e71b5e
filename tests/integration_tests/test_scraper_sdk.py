"""The official SDK (``dataforseo-client``, ``bench`` extra) parses the emulator's scraper answers.

Skipped when the SDK is not installed. Each answer goes through the SDK's own models
(strict types, item discriminators), so a field of the wrong type or an item type the SDK
does not know would fail here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

sdk = pytest.importorskip("dataforseo_client")

from dataforseo_client import api_client, configuration  # noqa: E402
from dataforseo_client.api.ai_optimization_api import AiOptimizationApi  # noqa: E402
from dataforseo_client.models import (  # noqa: E402
    AiOptimizationChatGptLlmScraperLiveAdvancedRequestInfo as ChatGptLive,
)
from dataforseo_client.models import (  # noqa: E402
    AiOptimizationChatGptLlmScraperTaskPostRequestInfo as ChatGptPost,
)
from dataforseo_client.models import (  # noqa: E402
    AiOptimizationGeminiLlmScraperLiveAdvancedRequestInfo as GeminiLive,
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


def test_sdk_parses_chat_gpt_live_advanced(api: tuple[AiOptimizationApi, Emulator]) -> None:
    client, emulator = api
    response: Any = client.chat_gpt_llm_scraper_live_advanced(
        [ChatGptLive(keyword="best crm", location_code=2840, language_code="en")]
    )
    task = response.tasks[0]
    assert task.status_code == 20000
    result = task.result[0]
    assert result.markdown
    assert result.sources[0].url
    assert result.search_results[0].url
    assert result.fan_out_queries
    assert result.brand_entities[0].title
    kinds = {type(item).__name__ for item in result.items}
    assert kinds >= {
        "ChatGptTextElementItem",
        "ChatGptTableElementItem",
        "ChatGptProductsElementItem",
    }
    table = next(i for i in result.items if type(i).__name__ == "ChatGptTableElementItem")
    assert table.table.table_header == ["Brand", "Known for"]
    assert task.cost == emulator.ledger()["charged_total"]


def test_sdk_parses_gemini_live_advanced(api: tuple[AiOptimizationApi, Emulator]) -> None:
    client, _ = api
    response: Any = client.gemini_llm_scraper_live_advanced(
        [GeminiLive(keyword="x", location_coordinate="53.476225,-2.243572,200", language_code="en")]
    )
    result = response.tasks[0].result[0]
    assert {type(item).__name__ for item in result.items} >= {
        "GeminiTextElementItem",
        "GeminiTableElementItem",
    }


def test_sdk_sends_nulls_and_its_errors_are_task_level(
    api: tuple[AiOptimizationApi, Emulator],
) -> None:
    client, emulator = api
    response: Any = client.chat_gpt_llm_scraper_live_advanced(
        [ChatGptLive(keyword="k" * 2001, location_code=2840, language_code="en")]
    )
    assert response.tasks[0].status_code == 40501
    assert emulator.ledger()["charged_total"] == 0


def test_sdk_standard_round_trip(api: tuple[AiOptimizationApi, Emulator]) -> None:
    client, _ = api
    posted: Any = client.chat_gpt_llm_scraper_task_post(
        [ChatGptPost(keyword="best crm", location_name="United States", language_code="en")]
    )
    task_id = posted.tasks[0].id
    assert posted.tasks[0].status_code == 20100
    time.sleep(0.1)
    ready: Any = client.chat_gpt_llm_scraper_tasks_ready()
    assert ready.tasks[0].result[0].endpoint_advanced.endswith(task_id)
    got: Any = client.chat_gpt_llm_scraper_task_get_advanced(task_id)
    assert got.tasks[0].result[0].markdown


def test_sdk_parses_locations_and_languages(api: tuple[AiOptimizationApi, Emulator]) -> None:
    client, _ = api
    locations: Any = client.chat_gpt_llm_scraper_locations()
    assert locations.tasks[0].result[0].location_code == 2840
    by_country: Any = client.chat_gpt_llm_scraper_locations_country("us")
    assert by_country.tasks[0].result
    languages: Any = client.gemini_llm_scraper_languages()
    assert languages.tasks[0].result[0].language_code == "en"


KEYWORDS = [f"garden tools {i}" for i in range(12)]


def test_sdk_meets_every_documented_item_type_over_a_few_keywords(
    api: tuple[AiOptimizationApi, Emulator],
) -> None:
    """Every item type of client 2.1.10 comes up, each parsed by its own SDK model."""
    client, _ = api
    kinds: set[str] = set()
    for keyword in KEYWORDS:
        chat: Any = client.chat_gpt_llm_scraper_live_advanced(
            [ChatGptLive(keyword=keyword, location_code=2840, language_code="en")]
        )
        result = chat.tasks[0].result[0]
        kinds |= {type(item).__name__ for item in result.items}
        # the sandbox's prefixed names
        assert {s.type for s in result.sources} == {"chat_gpt_source"}
        assert {e.type for e in result.brand_entities} == {"chat_gpt_brand_entity"}
        ranks = [item.rank_absolute for item in result.items]
        assert ranks == list(range(1, len(ranks) + 1))
        gemini: Any = client.gemini_llm_scraper_live_advanced(
            [GeminiLive(keyword=keyword, location_code=2840, language_code="en")]
        )
        kinds |= {type(item).__name__ for item in gemini.tasks[0].result[0].items}
    assert kinds == {
        "ChatGptTextElementItem",
        "ChatGptTableElementItem",
        "ChatGptNavigationListElementItem",
        "ChatGptImagesElementItem",
        "ChatGptProductsElementItem",
        "ChatGptLocalBusinessesElementItem",
        "ChatGptAdElementItem",
        "GeminiTextElementItem",
        "GeminiTableElementItem",
        "GeminiImagesElementItem",
    }
