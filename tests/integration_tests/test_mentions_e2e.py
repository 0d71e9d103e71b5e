"""LLM Mentions end to end on the in-process emulator: retriever, tools, ledger, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage

from langchain_dataforseo import DataForSEOClient, track_costs
from langchain_dataforseo._transport.retry import RetryPolicy
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
)
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsRetriever,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
    aavailable_filters,
    alocations_and_languages,
    available_filters,
    endpoint,
    locations_and_languages,
)
from langchain_dataforseo.mentions._endpoints import call_endpoint

LOGIN, PASSWORD = "emulator-login", "emulator-password"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))


def client(emu: Emulator) -> DataForSEOClient:
    return DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )


def charged(emu: Emulator) -> float:
    return float(emu.ledger()["charged_total"])


def tool_call(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


def test_retriever_rows_become_documents_with_the_documented_metadata(emu: Emulator) -> None:
    retriever = DataForSEOLLMMentionsRetriever(k=4, platform="chat_gpt", client=client(emu))
    docs = retriever.invoke("crm software")
    assert len(docs) == 4
    meta = docs[0].metadata
    assert "crm software" in meta["question"]
    assert docs[0].page_content.startswith("## Crm Software")
    assert meta["sources"][0]["url"].startswith("https://")
    assert meta["brand_entities"]
    assert meta["brand_entities"][0]["title"]
    assert isinstance(meta["ai_search_volume"], int)
    assert meta["first_seen"] <= meta["last_seen"]
    assert meta["platform"] == "chat_gpt"
    # each row carries the cost of the call that returned it, which is what was charged
    assert meta["call_cost"] == pytest.approx(0.01 + 4 * 0.0001)
    assert charged(emu) == pytest.approx(meta["call_cost"])
    [entry] = emu.ledger()["charges"]
    assert entry["id"] == meta["task_id"]


async def test_async_retriever_sends_the_same_request_and_parses_the_same(emu: Emulator) -> None:
    retriever = DataForSEOLLMMentionsRetriever(k=3, client=client(emu))
    sync_docs = retriever.invoke("email marketing")
    async_docs = await retriever.ainvoke("email marketing")
    strip = [{**d.metadata, "task_id": None} for d in sync_docs]
    assert strip == [{**d.metadata, "task_id": None} for d in async_docs]
    assert [d.page_content for d in sync_docs] == [d.page_content for d in async_docs]


def test_k_at_invoke_time_overrides_the_constructor(emu: Emulator) -> None:
    retriever = DataForSEOLLMMentionsRetriever(k=5, client=client(emu))
    assert len(retriever.invoke("crm software", k=2)) == 2


def test_bad_filters_fail_at_construction_and_nothing_is_sent(emu: Emulator) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        DataForSEOLLMMentionsRetriever(filters=["ai_search_volume", "~", 3], client=client(emu))
    assert info.value.field == "filters"
    with pytest.raises(DataForSEOInputError):
        DataForSEOLLMMentionsRetriever(
            extra_targets=[{"domain": f"d{i}.com"} for i in range(10)], client=client(emu)
        )
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_a_query_over_the_keyword_limit_is_refused_before_sending(emu: Emulator) -> None:
    retriever = DataForSEOLLMMentionsRetriever(client=client(emu))
    with pytest.raises(DataForSEOInputError) as info:
        retriever.invoke("x" * 2001)
    assert info.value.field == "target[0].keyword"
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_api_refusal_carries_status_code_and_task_id_and_costs_nothing(emu: Emulator) -> None:
    # bypass the client-side checks to see how the emulator's own validation answers
    with pytest.raises(DataForSEOInvalidRequestError) as info:
        call_endpoint(
            client(emu), endpoint("search_mentions"), {"target": [{"keyword": "a"}], "limit": 5000}
        )
    assert info.value.status_code == 40501
    assert info.value.task_id
    assert "limit" in str(info.value)
    assert charged(emu) == 0


def test_target_metrics_tool_artifact_carries_cost_and_groups(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsTargetMetricsTool(client=client(emu))
    message = tool_call(tool, {"keywords": ["hubspot"], "domains": ["hubspot.com"]})
    assert message.status == "success"
    assert message.content.startswith("Total: ")
    artifact = message.artifact
    assert artifact["endpoint"] == "target_metrics"
    assert artifact["cost"] == pytest.approx(0.1)
    assert artifact["metrics"]["total"]["mentions"] > 0
    assert {g["key"] for g in artifact["metrics"]["platform"]} == {"google", "chat_gpt"}
    assert artifact["request"]["target"] == [{"keyword": "hubspot"}, {"domain": "hubspot.com"}]
    assert charged(emu) == pytest.approx(artifact["cost"])


@pytest.mark.parametrize(
    ("what", "key"), [("domains", "domain"), ("brands", "brand"), ("pages", "page")]
)
def test_top_mentioned_tool(emu: Emulator, what: str, key: str) -> None:
    tool = DataForSEOLLMMentionsTopMentionedTool(client=client(emu))
    message = tool_call(tool, {"keywords": ["crm"], "what": what, "limit": 3})
    assert message.status == "success", message.content
    rows = message.artifact["rows"]
    assert len(rows) == 3
    assert all(row[key] for row in rows)
    assert message.content.splitlines()[0].startswith(f"1. {rows[0][key]}: ")
    assert message.artifact["cost"] == pytest.approx(0.1 + 3 * 0.001)


def test_history_tool_monthly_and_time_series(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsHistoryTool(client=client(emu))
    monthly = tool_call(
        tool, {"keywords": ["hubspot"], "date_from": "2025-08-01", "date_to": "2025-10-31"}
    )
    assert [(r["year"], r["month"]) for r in monthly.artifact["rows"]] == [
        (2025, 8),
        (2025, 9),
        (2025, 10),
    ]
    delta = tool_call(
        tool,
        {"keywords": ["hubspot"], "kind": "delta", "date_from": "2025-09-01",
         "date_to": "2025-09-21", "group_range": "week"},
    )  # fmt: skip
    assert [r["date"] for r in delta.artifact["rows"]] == ["2025-09-01", "2025-09-08", "2025-09-15"]
    assert "delta_mentions" in delta.content
    lost = tool_call(
        tool,
        {"keywords": ["hubspot"], "kind": "new_lost", "date_from": "2025-09-01",
         "date_to": "2025-09-02", "group_range": "day"},
    )  # fmt: skip
    assert set(lost.artifact["rows"][0]) >= {"new_mentions", "lost_mentions"}


def test_tool_bad_arguments_become_an_error_message_and_cost_nothing(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsHistoryTool(client=client(emu))
    message = tool_call(tool, {"keywords": ["hubspot"], "kind": "delta"})
    assert message.status == "error"
    assert "nothing was charged" in message.content
    assert "date_from" in message.content
    top = DataForSEOLLMMentionsTopMentionedTool(client=client(emu))
    message = tool_call(top, {"keywords": ["crm"], "limit": 500})
    assert message.status == "error"
    assert "'limit'" in message.content
    assert "nothing was sent" in message.content
    message = tool_call(tool, {"keywords": [], "domains": []})
    assert message.status == "error"
    assert "'target'" in message.content
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_legacy_paths_are_served_and_free_lists_cost_nothing(emu: Emulator) -> None:
    transport = httpx.Client(
        transport=EmulatorTransport(emu), base_url="http://127.0.0.1", auth=(LOGIN, PASSWORD)
    )
    body = json.dumps([{"target": [{"keyword": "crm"}], "limit": 2}])
    old = transport.post("/v3/ai_optimization/llm_mentions/search/live", content=body).json()
    new = transport.post(
        "/v3/ai_optimization/llm_mentions/search_mentions/live", content=body
    ).json()
    assert old["tasks"][0]["result"] == new["tasks"][0]["result"]
    places = call_endpoint(client(emu), endpoint("locations_and_languages"))
    assert places["result"][0]["location_code"] == 2840
    unknown = transport.post("/v3/ai_optimization/llm_mentions/nope/live", content=body).json()
    assert unknown["tasks"][0]["status_code"] == 40402
    assert emu.ledger()["calls"]["invalid_path"] == 1
    assert emu.ledger()["calls"]["llm_mentions/search_mentions"] == 2
    assert charged(emu) == pytest.approx(2 * (0.01 + 2 * 0.0001))


async def test_async_tools_send_the_same_request_as_sync_ones(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsTopMentionedTool(client=client(emu))
    args = {"keywords": ["crm"], "what": "brands", "limit": 2}
    sync = tool_call(tool, args)
    message = await tool.ainvoke({"type": "tool_call", "id": "c2", "name": tool.name, "args": args})
    assert message.artifact["request"] == sync.artifact["request"]
    assert message.artifact["rows"] == sync.artifact["rows"]
    assert message.content == sync.content
    assert charged(emu) == pytest.approx(2 * (0.1 + 2 * 0.001))


@pytest.mark.parametrize(
    ("config", "code"), [({"fault_http_500": 1.0}, 50000), ({"fault_rate_limit_40202": 1.0}, 40202)]
)
def test_emulator_faults_reach_the_retriever_as_typed_errors_and_cost_nothing(
    config: dict[str, Any], code: int
) -> None:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, **config))
    http = client(emu)
    http.retry = RetryPolicy(max_retries=0)
    retriever = DataForSEOLLMMentionsRetriever(client=http)
    with pytest.raises(DataForSEOError) as info:
        retriever.invoke("crm")
    assert info.value.status_code == code
    assert emu.ledger()["calls"]["llm_mentions/search_mentions"] == 1
    assert charged(emu) == 0


def test_the_calls_a_minute_window_covers_mentions_calls() -> None:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, calls_per_minute=1))
    http = client(emu)
    http.retry = RetryPolicy(max_retries=0)
    retriever = DataForSEOLLMMentionsRetriever(client=http)
    retriever.invoke("crm")
    with pytest.raises(DataForSEOError) as info:
        retriever.invoke("crm")
    assert info.value.status_code == 40202
    assert emu.ledger()["faults"]["limit_calls_per_minute"] == 1


async def test_track_costs_counts_mentions_calls_sync_and_async(emu: Emulator) -> None:
    retriever = DataForSEOLLMMentionsRetriever(k=2, client=client(emu))
    tool = DataForSEOLLMMentionsTargetMetricsTool(client=client(emu))
    with track_costs() as costs:
        retriever.invoke("crm")
        await retriever.ainvoke("crm")
        tool_call(tool, {"keywords": ["crm"]})
    assert costs.total_cost == pytest.approx(charged(emu))
    assert costs.by_model[("llm_mentions", "search_mentions")].tasks == 2
    assert costs.by_model[("llm_mentions", "target_metrics")].cost == pytest.approx(0.1)


def test_compare_tool_sends_labelled_groups_and_lists_one_row_per_group(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsCompareTool(client=client(emu))
    groups = {"hubspot": ["hubspot"], "salesforce": ["salesforce", "sales cloud"]}
    message = tool_call(tool, {"groups": groups})
    assert message.status == "success", message.content
    assert message.artifact["endpoint"] == "multi_target_metrics"
    assert message.artifact["request"]["targets"][1] == {
        "key": "salesforce",
        "target": [{"keyword": "salesforce"}, {"keyword": "sales cloud"}],
    }
    assert [r["key"] for r in message.artifact["rows"]] == ["hubspot", "salesforce"]
    assert message.content.startswith("1. hubspot: ")
    assert message.artifact["cost"] == pytest.approx(0.1 + 2 * 0.001)
    too_many = tool_call(tool, {"groups": {f"g{i}": ["x"] for i in range(11)}})
    assert too_many.status == "error"
    assert "'targets'" in too_many.content


async def test_free_lists_sync_and_async(emu: Emulator) -> None:
    places = locations_and_languages(client(emu))
    assert places == await alocations_and_languages(client(emu))
    us = next(p for p in places if p["location_code"] == 2840)
    assert us["available_languages"][0]["language_code"] == "en"
    fields = available_filters(client(emu))
    assert fields == await aavailable_filters(client(emu))
    assert "ai_search_volume" in fields["search_mentions"]
    assert charged(emu) == 0
