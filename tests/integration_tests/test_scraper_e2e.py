"""LLM Scraper end to end on the emulator: tool, loader (Live and Standard), budget, ledger."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo.costs import track_costs
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)
from langchain_dataforseo.emulator._scraper import SCRAPER_PRICES
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOBudgetError,
    DataForSEOInputError,
    DataForSEOSubmitError,
    DataForSEOTaskPendingError,
)
from langchain_dataforseo.scraper import (
    CollectSettings,
    DataForSEOLLMScraperLoader,
    DataForSEOLLMScraperTool,
)

LOGIN, PASSWORD = "e2e-login", "e2e-password"
LIVE = SCRAPER_PRICES["live"]
FAST = CollectSettings(max_wait=20.0, poll_interval=0.05, first_wait=0.0)


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, **config))


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator(), host="127.0.0.1", port=0) as running:
        yield running


def in_process(emu: Emulator) -> DataForSEOClient:
    return DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )


def call(tool: DataForSEOLLMScraperTool, **args: Any) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


def test_tool_over_loopback_http_returns_answer_cited_and_found_in(server: EmulatorServer) -> None:
    tool = DataForSEOLLMScraperTool(login=LOGIN, password=PASSWORD, base_url=server.base_url)
    with track_costs() as tracker:
        message = call(tool, keyword="best crm for agencies")
    assert message.status == "success"
    assert "What the ChatGPT app answered" in message.content
    assert "Sources it cited:" in message.content
    assert "Found in its searches but not cited:" in message.content
    artifact = message.artifact
    assert artifact["cited"]
    assert artifact["found_in"]
    assert artifact["fan_out_queries"]
    assert any(not r["cited"] for r in artifact["found_in"])
    assert artifact["items"]["tables"][0]["table"]["table_header"]
    assert artifact["items"]["products"]
    assert artifact["brand_entities"]
    assert artifact["cost"] == LIVE
    assert tracker.total_cost == LIVE
    ledger = server.emulator.ledger()
    assert ledger["charged_total"] == LIVE
    sent = ledger["calls"]
    assert sent["chat_gpt/llm_scraper/live/advanced"] == 1
    assert tool.spent == LIVE


def test_tool_async_shares_the_path(server: EmulatorServer) -> None:
    tool = DataForSEOLLMScraperTool(
        engine="gemini", login=LOGIN, password=PASSWORD, base_url=server.base_url
    )
    message = asyncio.run(
        tool.ainvoke({"type": "tool_call", "id": "c", "name": tool.name, "args": {"keyword": "x"}})
    )
    assert message.artifact["engine"] == "gemini"
    assert message.artifact["found_in"] == []
    assert server.emulator.ledger()["charges"][0]["method"] == "llm_scraper/live"


def test_tool_bad_arguments_are_an_error_message_and_nothing_is_sent() -> None:
    emu = emulator()
    tool = DataForSEOLLMScraperTool(engine="gemini", client=in_process(emu))
    message = call(tool, keyword="x", force_web_search=True)
    assert message.status == "error"
    assert "force_web_search" in str(message.content)
    assert "Change the arguments" in str(message.content)
    message = call(tool, keyword="k" * 2001)
    assert "2000" in str(message.content)
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_tool_budget_refuses_before_sending() -> None:
    emu = emulator()
    tool = DataForSEOLLMScraperTool(client=in_process(emu), max_cost=0.015)
    assert call(tool, keyword="one").status == "success"
    message = call(tool, keyword="two")
    assert message.status == "success"  # 0.004 + reservation 0.01 fits 0.015
    message = call(tool, keyword="three")
    assert message.status == "error"
    assert "budget" in str(message.content).lower()
    assert emu.ledger()["charged_total"] == round(2 * LIVE, 7)


def test_api_error_carries_the_status_code() -> None:
    emu = emulator(fault_rate_limit_40202=1.0)
    tool = DataForSEOLLMScraperTool(client=in_process(emu), max_retries=0)
    message = call(tool, keyword="x")
    assert message.status == "error"
    assert "40202" in str(message.content)
    assert tool.spent == 0


def test_loader_live_one_document_per_keyword() -> None:
    emu = emulator()
    loader = DataForSEOLLMScraperLoader(["best crm", "c++ ide"], client=in_process(emu))
    documents = loader.load()
    assert [d.metadata["keyword"] for d in documents] == ["best crm", "c++ ide"]
    assert documents[0].page_content.startswith("For **best crm**")
    for document in documents:
        assert set(document.metadata) >= {
            "cited",
            "found_in",
            "sources",
            "fan_out_queries",
            "brand_entities",
            "items",
            "cost",
        }
    assert emu.ledger()["charged_total"] == round(2 * LIVE, 7)


def test_loader_checks_every_keyword_before_sending() -> None:
    emu = emulator()
    loader = DataForSEOLLMScraperLoader(["ok", "k" * 2001], client=in_process(emu))
    with pytest.raises(DataForSEOInputError) as info:
        loader.load()
    assert info.value.field == "keyword"
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_loader_async_live(server: EmulatorServer) -> None:
    loader = DataForSEOLLMScraperLoader(
        ["a", "b"], engine="gemini", login=LOGIN, password=PASSWORD, base_url=server.base_url
    )

    async def run() -> list[Any]:
        return [doc async for doc in loader.alazy_load()]

    documents = asyncio.run(run())
    assert [d.metadata["engine"] for d in documents] == ["gemini", "gemini"]


def test_loader_standard_posts_once_and_collects_in_order() -> None:
    emu = emulator(task_latency=0.2)
    keywords = [f"question {i}" for i in range(3)]
    loader = DataForSEOLLMScraperLoader(
        keywords, method="standard", client=in_process(emu), collect_settings=FAST
    )
    with track_costs() as tracker:
        documents = loader.load()
    assert [d.metadata["keyword"] for d in documents] == keywords
    ledger = emu.ledger()
    assert ledger["calls"]["chat_gpt/llm_scraper/task_post"] == 1
    # the Standard queue's collect: one task_get per task (no sweep of the tasks just posted)
    assert ledger["calls"]["chat_gpt/llm_scraper/task_get/advanced"] == 3
    price = SCRAPER_PRICES["task_post_priority_1"]
    assert ledger["charged_total"] == round(3 * price, 7)
    assert tracker.total_cost == round(3 * price, 7)


def test_loader_standard_async_gets_each_task_once() -> None:
    emu = emulator(task_latency=0.2)
    keywords = [f"question {i}" for i in range(4)]
    loader = DataForSEOLLMScraperLoader(
        keywords, method="standard", client=in_process(emu), collect_settings=FAST
    )
    documents = asyncio.run(loader.aload())
    assert [d.metadata["keyword"] for d in documents] == keywords
    assert emu.ledger()["calls"]["chat_gpt/llm_scraper/task_get/advanced"] == 4


def test_standard_handles_resume_in_another_loader() -> None:
    emu = emulator(task_latency=0.2)
    first = DataForSEOLLMScraperLoader(
        ["x", "y"], method="standard", priority=2, client=in_process(emu)
    )
    saved = [h.to_dict() for h in first.submit()]  # type: ignore[union-attr]
    later = DataForSEOLLMScraperLoader(
        [], method="standard", client=in_process(emu), collect_settings=FAST
    )
    documents = later.load_handles(saved)
    assert [d.metadata["keyword"] for d in documents] == ["x", "y"]
    assert all(d.metadata["tag"].startswith("lcdfs-") for d in documents)
    # collecting again is free
    again = asyncio.run(later.aload_handles(saved))
    assert len(again) == 2
    assert emu.ledger()["charged_total"] == round(2 * SCRAPER_PRICES["task_post_priority_2"], 7)


def test_standard_not_done_in_time_is_pending_with_its_handle() -> None:
    emu = emulator(task_latency=60.0)
    loader = DataForSEOLLMScraperLoader(
        ["slow"],
        method="standard",
        client=in_process(emu),
        collect_settings=CollectSettings(max_wait=0.3, poll_interval=0.1),
    )
    with pytest.raises(DataForSEOBatchError) as info:
        loader.load()
    assert isinstance(info.value.results[0], DataForSEOTaskPendingError)
    assert info.value.pending[0].engine == "chat_gpt"
    # nothing is posted again while waiting
    assert emu.ledger()["calls"]["chat_gpt/llm_scraper/task_post"] == 1


def test_standard_budget_refuses_the_whole_post() -> None:
    emu = emulator()
    loader = DataForSEOLLMScraperLoader(
        ["a", "b", "c"], method="standard", client=in_process(emu), max_cost=0.01
    )
    with pytest.raises(DataForSEOBudgetError):
        loader.submit()
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_standard_partial_refusal_keeps_the_created_handles() -> None:
    emu = emulator(task_latency=0.1)
    loader = DataForSEOLLMScraperLoader(
        ["fine", "also fine"], method="standard", client=in_process(emu), collect_settings=FAST
    )
    # a task the emulator refuses but the client lets through cannot be built from the
    # loader's checked input, so post one refused task by hand through the same path
    tasks = loader.tasks()
    tasks[1] = {**tasks[1], "location_code": -1}
    from langchain_dataforseo._standard.queue import tagged
    from langchain_dataforseo.scraper._calls import submit

    posted = submit(loader._client, loader._spend, tagged(tasks), 0.005)
    with pytest.raises(DataForSEOSubmitError) as info:
        loader._raise_failed(posted)
    assert len(info.value.handles) == 1
    assert list(info.value.errors) == [1]
    assert [d.metadata["keyword"] for d in loader.load_handles(info.value.handles)] == ["fine"]


def test_standard_over_loopback_http() -> None:
    with EmulatorServer(emulator(task_latency=0.1), host="127.0.0.1", port=0) as running:
        loader = DataForSEOLLMScraperLoader(
            ["over http"],
            method="standard",
            login=LOGIN,
            password=PASSWORD,
            base_url=running.base_url,
            collect_settings=FAST,
        )
        documents = loader.load()
        assert documents[0].metadata["keyword"] == "over http"
        assert running.emulator.ledger()["calls"]["chat_gpt/llm_scraper/task_get/advanced"] >= 1
