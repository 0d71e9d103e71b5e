"""Each of the package's tools bounds a call's cost from its arguments, before it runs.

The bound must never be below what the call is charged (here the emulator's ledger, which
charges the same inferred price models), and arguments the tool would refuse are refused
by the bound too (nothing is sent either way).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from langchain_dataforseo import DataForSEOClient, DataForSEOInputError
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
)
from langchain_dataforseo.mentions._endpoints import ENDPOINTS, max_rows, max_task_cost
from langchain_dataforseo.scraper import DataForSEOLLMScraperTool

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


CALLS: list[tuple[type[Any], dict[str, Any]]] = [
    (DataForSEOLLMMentionsTargetMetricsTool, {"keywords": ["hubspot"]}),
    (DataForSEOLLMMentionsTopMentionedTool, {"keywords": ["hubspot"], "limit": 3}),
    (DataForSEOLLMMentionsTopMentionedTool, {"keywords": ["crm"], "what": "brands"}),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["hubspot"]}),
    (
        DataForSEOLLMMentionsHistoryTool,
        {
            "keywords": ["hubspot"],
            "kind": "delta",
            "date_from": "2025-09-01",
            "date_to": "2025-10-15",
            "group_range": "week",
        },
    ),
    (
        DataForSEOLLMMentionsCompareTool,
        {"groups": {"hubspot": ["hubspot"], "zoho": ["zoho", "zoho crm"]}},
    ),
]


@pytest.mark.parametrize(("cls", "args"), CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_mentions_call_is_never_charged_above_its_bound(
    emu: Emulator, cls: type[Any], args: dict[str, Any]
) -> None:
    tool = cls(client=client(emu))
    bound = tool.max_call_cost(args)
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})
    assert message.status != "error", message.content
    charged = message.artifact["cost"]
    assert charged > 0
    assert charged <= bound + 1e-9
    assert float(emu.ledger()["charged_total"]) == pytest.approx(charged)


def test_the_bound_counts_the_rows_a_request_can_return() -> None:
    today = dt.date(2026, 1, 31)
    assert max_rows("search_mentions", {"limit": 7}) == 7
    assert max_rows("top_mentioned_domains", {}) == 100  # the API's default limit [I]
    assert max_rows("target_metrics", {"limit": 900}) == 0  # an aggregate without items
    assert max_rows("multi_target_metrics", {"targets": [{}, {}, {}]}) == 3
    months = {"date_from": "2025-08-01", "date_to": "2025-10-31"}
    assert max_rows("historical", months, today) >= 3
    new_lost = {"date_from": "2025-08-01", "date_to": "2025-12-31", "group_range": "month"}
    assert max_rows("timeseries_new_lost", new_lost, today) >= 5
    days = {"date_from": "2025-08-01", "date_to": "2025-08-10", "group_range": "day"}
    assert max_rows("timeseries_delta", days, today) >= 10
    assert max_task_cost(ENDPOINTS["search_mentions"], {"limit": 3}) == pytest.approx(0.0103)
    assert max_task_cost(ENDPOINTS["top_mentioned_domains"], {"limit": 2}) == pytest.approx(0.102)


def test_arguments_a_tool_refuses_are_refused_by_its_bound(emu: Emulator) -> None:
    tool = DataForSEOLLMMentionsTopMentionedTool(client=client(emu))
    with pytest.raises(ValueError, match="limit"):  # outside the schema
        tool.max_call_cost({"keywords": ["hubspot"], "limit": 5000})
    with pytest.raises(DataForSEOInputError, match="keyword"):  # refused by the checks
        tool.max_call_cost({"keywords": ["x" * 2001]})
    scraper = DataForSEOLLMScraperTool(client=client(emu))
    assert scraper.max_call_cost({"keyword": "best crm"}) == scraper.max_cost_per_call
    with pytest.raises(DataForSEOInputError, match="keyword"):
        scraper.max_call_cost({"keyword": "x" * 2001})
    assert emu.ledger()["charges"] == []
