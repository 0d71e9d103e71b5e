"""The agent budget counts a charged call whose answer could not be read at its bound.

A hostile server on loopback (the emulator served over HTTP with ``fault_malformed_json=1``:
it processes and charges every call, then sends half its JSON body) and an agent whose
fake model keeps calling the tool, twenty times. Each call's outcome is unknown to the
client, so the middleware must count it at the tool's bound (``max_call_cost``), as the
chat model's own budget does, and stop the agent with the ledger (what the server
charged) within ``max_cost``. Before, each such call counted $0 and the agent made all
twenty calls (the mentions tool: $2.00 charged under a $0.25 cap).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, ToolException

from langchain_dataforseo import DataForSEOClient, DataForSEOLLMResponsesTool, track_costs
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.mentions import DataForSEOLLMMentionsTargetMetricsTool

pytest.importorskip("langchain.agents")
from langchain.agents import create_agent

from langchain_dataforseo.middleware import (
    BUDGET_COST_KEY,
    DataForSEOBudgetMiddleware,
    call_cost,
    counted_tool_message,
)

LOGIN, PASSWORD = "emulator-login", "emulator-password"
CALLS = 20


class KeepsCalling(GenericFakeChatModel):
    """A fake chat model that accepts tools and replays its scripted turns."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self


def turns(name: str, args: dict[str, Any]) -> Iterator[AIMessage]:
    for n in range(CALLS):
        yield AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{n}"}])
    yield AIMessage("all twenty calls were made")


@pytest.fixture
def hostile() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, fault_malformed_json=1.0))
    with EmulatorServer(emu) as server:
        yield emu, server.base_url


def mentions_tool(base_url: str) -> BaseTool:
    client = DataForSEOClient(login=LOGIN, password=PASSWORD, base_url=base_url, max_retries=0)
    return DataForSEOLLMMentionsTargetMetricsTool(client=client)


def responses_tool(base_url: str) -> BaseTool:
    return DataForSEOLLMResponsesTool(
        model="gpt-4.1-mini",
        login=LOGIN,
        password=PASSWORD,
        base_url=base_url,
        validate_model=False,
        max_retries=0,
        max_cost_per_call=0.03,
    )


def run(tool: BaseTool, args: dict[str, Any], max_cost: float, mode: str) -> list[Any]:
    agent = create_agent(
        KeepsCalling(messages=turns(tool.name, args)),
        tools=[tool],
        middleware=[DataForSEOBudgetMiddleware(max_cost=max_cost)],
    )
    state = {"messages": [HumanMessage("go")]}
    result = agent.invoke(state) if mode == "sync" else asyncio.run(agent.ainvoke(state))
    messages: list[Any] = result["messages"]
    return messages


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_unreadable_paid_mentions_answers_count_at_their_bound(
    hostile: tuple[Emulator, str], mode: str
) -> None:
    emu, base_url = hostile
    tool = mentions_tool(base_url)
    args = {"keywords": ["hubspot"]}
    assert tool.max_call_cost(args) == pytest.approx(0.1)  # type: ignore[attr-defined]
    messages = run(tool, args, 0.25, mode)
    final = messages[-1]
    assert final.text.startswith(f"Stopped before the tool call {tool.name!r}")
    assert "$0.2000 of its $0.2500 budget" in final.text
    errors = [m for m in messages if isinstance(m, ToolMessage) and m.status == "error"]
    assert [m.response_metadata.get(BUDGET_COST_KEY) for m in errors[:2]] == [0.1, 0.1]
    ledger = emu.ledger()
    assert len(ledger["charges"]) == 2  # the server charged both unreadable answers
    assert float(ledger["charged_total"]) <= 0.25


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_unreadable_paid_llm_responses_answers_count_at_their_bound(
    hostile: tuple[Emulator, str], mode: str
) -> None:
    emu, base_url = hostile
    tool = responses_tool(base_url)
    messages = run(tool, {"prompt": "Best CRM?"}, 0.1, mode)
    final = messages[-1]
    assert final.text.startswith(f"Stopped before the tool call {tool.name!r}")  # not 20 calls
    made = [m for m in messages if isinstance(m, ToolMessage) and m.status == "error"]
    assert len(made) == 4  # 3 calls at $0.03 each, then the 4th is refused unrun
    assert [m.response_metadata.get(BUDGET_COST_KEY) for m in made[:3]] == [0.03] * 3
    ledger = emu.ledger()
    assert len(ledger["charges"]) == 3
    assert float(ledger["charged_total"]) <= 0.1


# -- the pure step ---------------------------------------------------------------------


class Flaky(BaseTool):
    """Another package's tool: it fails after it may have been charged, reporting nothing."""

    name: str = "flaky"
    description: str = "Fails."
    handle_tool_error: bool = True

    def _run(self) -> str:
        raise ToolException("the answer could not be read")


def message(status: str = "error", artifact: Any = None) -> ToolMessage:
    return ToolMessage("x", tool_call_id="1", status=status, artifact=artifact)


def test_counted_tool_message_adds_what_track_costs_saw() -> None:
    with track_costs() as seen:
        pass
    assert counted_tool_message(message(), seen, mentions_tool("http://127.0.0.1:9"), 0.1) == (
        message()
    )  # this package's tool, nothing seen: refused before sending, free
    seen.add_unknown("llm_mentions", "target_metrics", 0.1)
    counted = counted_tool_message(message(), seen, object(), 0.0)
    assert isinstance(counted, ToolMessage)
    assert call_cost(counted) == pytest.approx(0.1)
    paid = message("success", {"cost": 0.1})
    assert counted_tool_message(paid, seen, object(), 0.0) is paid  # already says as much


def test_another_packages_failed_call_counts_at_its_worst_case() -> None:
    with track_costs() as seen:
        pass
    counted = counted_tool_message(message(), seen, Flaky(), 0.07)
    assert isinstance(counted, ToolMessage)
    assert call_cost(counted) == pytest.approx(0.07)
    ok = message("success")
    assert counted_tool_message(ok, seen, Flaky(), 0.07) is ok  # a success says it all


def test_a_third_party_tool_with_a_figure_is_stopped_after_failures() -> None:
    tool = Flaky()
    agent = create_agent(
        KeepsCalling(messages=turns("flaky", {})),
        tools=[tool],
        middleware=[DataForSEOBudgetMiddleware(max_cost=0.25, tool_costs={"flaky": 0.1})],
    )
    messages = agent.invoke({"messages": [HumanMessage("go")]})["messages"]
    assert messages[-1].text.startswith("Stopped before the tool call 'flaky'")
    assert "$0.2000 of its $0.2500 budget" in messages[-1].text
