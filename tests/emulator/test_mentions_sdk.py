"""The official SDK (``dataforseo-client``, the ``bench`` extra) parses the emulator's LLM
Mentions answers: every endpoint, through the SDK's own models. Skipped without the SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

pytest.importorskip("dataforseo_client", exc_type=ImportError)
from dataforseo_client import api_client, configuration
from dataforseo_client.api.ai_optimization_api import AiOptimizationApi
from dataforseo_client.models import (
    ai_optimization_l_lm_mentions_domain_element as domain_element,
)
from dataforseo_client.models import (
    ai_optimization_l_lm_mentions_keyword_element as keyword_element,
)
from dataforseo_client.models import (
    ai_optimization_l_lm_mentions_multi_target_metrics_request_info as group,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_historical_live_request_info as historical,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_multi_target_metrics_live_request_info as multi,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_search_mentions_live_request_info as search,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_target_metrics_live_request_info as metrics,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_timeseries_delta_live_request_info as delta,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_timeseries_new_lost_live_request_info as new_lost,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_top_mentioned_brands_live_request_info as brands,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_top_mentioned_domains_live_request_info as domains,
)
from dataforseo_client.models import (
    ai_optimization_llm_mentions_top_mentioned_pages_live_request_info as pages,
)

LOGIN, PASSWORD = "emulator-login", "emulator-password"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    with EmulatorServer(emu, host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
def api(server: EmulatorServer) -> AiOptimizationApi:
    config = configuration.Configuration(username=LOGIN, password=PASSWORD, host=server.base_url)
    return AiOptimizationApi(api_client.ApiClient(config))


def target() -> list[Any]:
    return [
        keyword_element.AiOptimizationLLmMentionsKeywordElement(keyword="crm software"),
        domain_element.AiOptimizationLLmMentionsDomainElement(
            domain="hubspot.com", search_filter="exclude"
        ),
    ]


def first_result(response: Any) -> Any:
    assert response.status_code == 20000
    task = response.tasks[0]
    assert task.status_code == 20000, task.status_message
    assert task.cost > 0
    return task.result[0]


def test_sdk_parses_search_mentions(api: AiOptimizationApi, server: EmulatorServer) -> None:
    request = search.AiOptimizationLlmMentionsSearchMentionsLiveRequestInfo(
        target=target(), platform="chat_gpt", limit=3
    )
    result = first_result(api.llm_mentions_search_mentions_live([request]))
    assert result.items_count == 3
    item = result.items[0]
    assert "crm software" in item.question
    assert item.answer
    assert item.sources[0].url.startswith("https://")
    assert item.brand_entities[0].title
    assert item.fan_out_queries
    assert isinstance(item.ai_search_volume, int)
    assert item.monthly_searches[0].search_volume >= 0
    assert item.first_response_at <= item.last_response_at
    assert server.emulator.ledger()["charges"][0]["cost"] == pytest.approx(0.0103)


def test_sdk_parses_target_metrics(api: AiOptimizationApi) -> None:
    request = metrics.AiOptimizationLlmMentionsTargetMetricsLiveRequestInfo(target=target())
    result = first_result(api.llm_mentions_target_metrics_live([request]))
    aggregated = result.aggregated_metrics
    assert aggregated.total.mentions > 0
    assert {g.key for g in aggregated.platform} == {"google", "chat_gpt"}
    assert aggregated.sources_domain[0].ai_search_volume > 0


def test_sdk_parses_multi_target_metrics(api: AiOptimizationApi) -> None:
    groups = [
        group.AiOptimizationLLmMentionsMultiTargetMetricsRequestInfo(key=k, target=target())
        for k in ("first", "second")
    ]
    request = multi.AiOptimizationLlmMentionsMultiTargetMetricsLiveRequestInfo(targets=groups)
    result = first_result(api.llm_mentions_multi_target_metrics_live([request]))
    assert [item.key for item in result.items] == ["first", "second"]
    assert result.items[0].total.mentions > 0
    assert result.aggregated_metrics.total.ai_search_volume > 0


@pytest.mark.parametrize(
    ("method", "model", "key"),
    [
        ("llm_mentions_top_mentioned_domains_live", domains, "domain"),
        ("llm_mentions_top_mentioned_pages_live", pages, "page"),
        ("llm_mentions_top_mentioned_brands_live", brands, "brand"),
    ],
)
def test_sdk_parses_top_mentioned(
    api: AiOptimizationApi, method: str, model: Any, key: str
) -> None:
    cls = next(v for k, v in vars(model).items() if k.endswith("RequestInfo"))
    result = first_result(getattr(api, method)([cls(target=target(), limit=4)]))
    assert result.items_count == 4
    assert all(getattr(item, key) for item in result.items)
    assert result.items[0].total.mentions > 0


def test_sdk_parses_history_and_time_series(api: AiOptimizationApi) -> None:
    monthly = first_result(
        api.llm_mentions_historical_live(
            [
                historical.AiOptimizationLlmMentionsHistoricalLiveRequestInfo(
                    target=target(), date_from="2025-08-01", date_to="2025-09-30"
                )
            ]
        )
    )
    assert [(i.year, i.month) for i in monthly.items] == [(2025, 8), (2025, 9)]
    assert monthly.items[0].metrics.mentions > 0
    fields = {"target": target(), "date_from": "2025-09-01", "date_to": "2025-09-03"}
    changes = first_result(
        api.llm_mentions_timeseries_delta_live(
            [
                delta.AiOptimizationLlmMentionsTimeseriesDeltaLiveRequestInfo(
                    **fields, group_range="day"
                )
            ]
        )
    )
    assert [i.date for i in changes.items] == ["2025-09-01", "2025-09-02", "2025-09-03"]
    gained = first_result(
        api.llm_mentions_timeseries_new_lost_live(
            [
                new_lost.AiOptimizationLlmMentionsTimeseriesNewLostLiveRequestInfo(
                    **fields, group_range="day"
                )
            ]
        )
    )
    assert gained.items[0].new_mentions >= 0


def test_sdk_parses_the_free_lists(api: AiOptimizationApi) -> None:
    places = api.llm_mentions_locations_and_languages()
    us = places.tasks[0].result[0]
    assert us.location_code == 2840
    assert us.available_languages[0].available_platforms == ["google", "chat_gpt"]
    assert places.tasks[0].cost == 0
    filters = api.llm_mentions_available_filters()
    assert filters.tasks[0].status_code == 20000
    assert "ai_search_volume" in filters.tasks[0].result[0].search_mentions
    assert filters.tasks[0].result[0].search == filters.tasks[0].result[0].search_mentions


def test_sdk_sees_the_emulator_refuse_an_over_limit_request(api: AiOptimizationApi) -> None:
    request = search.AiOptimizationLlmMentionsSearchMentionsLiveRequestInfo(
        target=target(), limit=1001
    )
    response = api.llm_mentions_search_mentions_live([request])
    assert response.tasks[0].status_code == 40501
    assert "limit" in response.tasks[0].status_message
    assert response.tasks[0].cost == 0
