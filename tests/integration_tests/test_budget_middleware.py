"""The budget middleware ends a create_agent run before a call would pass max_cost."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

from langchain_dataforseo import (
    DataForSEOClient,
    DataForSEOInputError,
    DataForSEOLLMResponsesTool,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
)

pytest.importorskip("langchain.agents")
from langchain.agents import create_agent

from langchain_dataforseo.middleware import (
    DataForSEOBudgetMiddleware,
    call_cost,
    plan_tool_calls,
    spent,
    tool_call_bound,
)

LOGIN, PASSWORD = "emulator-login", "emulator-password"
METRICS, TOP = "llm_mentions_target_metrics", "llm_mentions_top_mentioned"


class ScriptedToolCallingModel(GenericFakeChatModel):
    """langchain-core's fake chat model, made to accept tools: it replays scripted turns."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self


def call(name: str, n: int, **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{n}"}])


def tools(emu: Emulator) -> list[BaseTool]:
    client = DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )
    return [
        DataForSEOLLMMentionsTargetMetricsTool(client=client),
        DataForSEOLLMMentionsTopMentionedTool(client=client),
    ]


def script() -> list[AIMessage]:
    # metrics costs $0.10, top-3 costs $0.103 on the emulator
    return [
        call(METRICS, 1, keywords=["hubspot"]),
        call(TOP, 2, keywords=["hubspot"], limit=3),
        call(METRICS, 3, keywords=["salesforce"]),
        AIMessage("final answer (must not be reached)"),
    ]


@pytest.fixture
def emu() -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))


def test_pure_steps() -> None:
    assert call_cost(AIMessage("x", response_metadata={"cost": 0.02})) == 0.02
    assert call_cost(AIMessage("x", response_metadata={"cost": "a lot"})) == 0.0
    tool = ToolMessage("x", tool_call_id="1", artifact={"cost": 0.1})
    assert spent([tool, tool, HumanMessage("hi")]) == pytest.approx(0.2)
    calls = [{"name": "a", "id": "1"}, {"name": "b", "id": "2"}]
    decision = plan_tool_calls(
        calls, spent_so_far=0.1, max_cost=0.25, estimate={"a": 0.1, "b": 0.1}
    )
    assert decision.blocked is not None
    assert decision.blocked["id"] == "2"
    fits = plan_tool_calls(calls, spent_so_far=0.05, max_cost=0.25, estimate={"a": 0.1, "b": 0.1})
    assert fits.blocked is None
    with pytest.raises(ValueError, match="max_cost"):
        DataForSEOBudgetMiddleware(max_cost=-1)


def test_run_stops_before_the_call_that_would_pass_the_cap(emu: Emulator) -> None:
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(script())),
        tools=tools(emu),
        middleware=[DataForSEOBudgetMiddleware(max_cost=0.25)],
    )
    result = agent.invoke({"messages": [HumanMessage("How visible is HubSpot in AI answers?")]})
    messages = result["messages"]
    final = messages[-1]
    assert isinstance(final, AIMessage)
    assert final.text.startswith("Stopped before the tool call 'llm_mentions_target_metrics'")
    assert "$0.2030 of its $0.2500 budget" in final.text
    refused = [m for m in messages if isinstance(m, ToolMessage) and m.status == "error"]
    assert [m.tool_call_id for m in refused] == ["call_3"]
    assert "budget" in refused[0].text
    # the third call never reached the API: two charges, within the cap
    ledger = emu.ledger()
    assert len(ledger["charges"]) == 2
    assert float(ledger["charged_total"]) == pytest.approx(0.203)
    assert float(ledger["charged_total"]) <= 0.25


def test_worst_case_estimates_stop_a_tool_never_called_before(emu: Emulator) -> None:
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(script())),
        tools=tools(emu),
        middleware=[DataForSEOBudgetMiddleware(max_cost=0.15, tool_costs={TOP: 0.2})],
    )
    result = agent.invoke({"messages": [HumanMessage("go")]})
    assert "'llm_mentions_top_mentioned'" in result["messages"][-1].text
    assert float(emu.ledger()["charged_total"]) == pytest.approx(0.1)


async def test_model_call_costs_count_and_stop_before_the_next_model_call(emu: Emulator) -> None:
    paid = [
        AIMessage(
            "",
            response_metadata={"cost": 0.05},
            tool_calls=call(METRICS, 1, keywords=["x"]).tool_calls,
        ),
        AIMessage("second turn", response_metadata={"cost": 0.05}),
    ]
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(paid)),
        tools=tools(emu),
        middleware=[DataForSEOBudgetMiddleware(max_cost=0.18)],
    )
    result = await agent.ainvoke({"messages": [HumanMessage("go")]})
    final = result["messages"][-1]
    # 0.05 (model) + 0.10 (tool) spent; the next model call may cost 0.05: 0.20 > 0.18
    assert final.text.startswith("Stopped before the next model call")
    assert "$0.1500 of its $0.1800 budget" in final.text
    assert final.response_metadata["budget_stop"] is True


def test_the_budget_is_per_run(emu: Emulator) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    middleware = DataForSEOBudgetMiddleware(max_cost=0.15)
    turns = [
        call(METRICS, 1, keywords=["a"]),
        AIMessage("one"),
        call(METRICS, 2, keywords=["b"]),
        AIMessage("two"),
    ]
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(turns)),
        tools=tools(emu),
        middleware=[middleware],
        checkpointer=InMemorySaver(),
    )
    config: Any = {"configurable": {"thread_id": "t"}}
    assert agent.invoke({"messages": [HumanMessage("1")]}, config)["messages"][-1].text == "one"
    assert agent.invoke({"messages": [HumanMessage("2")]}, config)["messages"][-1].text == "two"
    assert float(emu.ledger()["charged_total"]) == pytest.approx(0.2)


class PricedTool(BaseTool):
    """A tool that says what a call may cost: its price per row times the rows asked."""

    name: str = "priced"
    description: str = "Costs $0.1 a row."
    calls: list[int] = Field(default_factory=list)

    def max_call_cost(self, tool_input: Mapping[str, Any]) -> float:
        rows = tool_input["rows"]
        if not isinstance(rows, int) or rows < 1:
            msg = f"rows must be a positive integer, got {rows!r}"
            raise ValueError(msg)
        return 0.1 * rows

    def _run(self, rows: int) -> str:
        self.calls.append(rows)
        return "done"


def test_a_tool_that_bounds_its_cost_is_stopped_on_its_first_call() -> None:
    tool = PricedTool()
    turns = [
        AIMessage("", tool_calls=[{"name": "priced", "args": {"rows": 1}, "id": "c1"}]),
        AIMessage("", tool_calls=[{"name": "priced", "args": {"rows": 3}, "id": "c2"}]),
        AIMessage("never"),
    ]
    middleware = DataForSEOBudgetMiddleware(max_cost=0.25)
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(turns)), tools=[tool], middleware=[middleware]
    )
    final = agent.invoke({"messages": [HumanMessage("go")]})["messages"][-1]
    # the first call's bound ($0.10) fits; the second may cost $0.30, more than is left,
    # although no call of that tool has cost anything yet (its artifacts report none)
    assert tool.calls == [1]
    assert final.text.startswith("Stopped before the tool call 'priced'")
    assert "may cost up to $0.3000" in final.text
    assert middleware.known_tools["priced"] is tool


def test_a_bound_that_refuses_the_arguments_counts_nothing() -> None:
    assert tool_call_bound(PricedTool(), {"rows": 0}) == 0.0
    assert tool_call_bound(PricedTool(), {"rows": 2}) == pytest.approx(0.2)
    assert tool_call_bound(object(), {"rows": 2}) == 0.0
    decision = plan_tool_calls(
        [{"name": "a", "id": "1"}, {"name": "a", "id": "2"}],
        spent_so_far=0.0,
        max_cost=0.25,
        estimate={"a": 0.05},
        bounds=[0.1, 0.2],
    )
    assert decision.blocked is not None
    assert decision.blocked["id"] == "2"
    assert decision.worst == pytest.approx(0.2)


def responses_tool(emu: Emulator, **fields: Any) -> DataForSEOLLMResponsesTool:
    return DataForSEOLLMResponsesTool(
        model="gpt-4.1-mini",
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        **fields,
    )


def test_the_llm_responses_tool_bounds_a_call_by_what_its_model_reserves(emu: Emulator) -> None:
    tool = responses_tool(emu)
    small = tool.max_call_cost({"prompt": "Best CRM?"})
    large = tool.max_call_cost({"prompt": "Best CRM?", "web_search": True})
    assert 0 < small < large  # a web search may read ~60k tokens more
    assert large == pytest.approx(tool.llm.max_call_cost("Best CRM?", web_search=True))
    _content, artifact = tool._run("Best CRM?", web_search=True)
    assert 0 < artifact["cost"] <= large  # charged what the API reports, within the bound
    fixed = responses_tool(emu, max_cost_per_call=0.02)
    assert fixed.max_call_cost({"prompt": "Best CRM?"}) == pytest.approx(0.02)
    with pytest.raises(DataForSEOInputError, match="user_prompt"):
        tool.max_call_cost({"prompt": "x" * 501})
    assert tool_call_bound(tool, {"prompt": "x" * 501}) == 0.0  # refused before sending


def test_an_agent_is_stopped_before_a_first_llm_responses_call_past_the_cap(
    emu: Emulator,
) -> None:
    tool = responses_tool(emu)
    bound = tool.max_call_cost({"prompt": "Best CRM?"})
    turns = [
        AIMessage("", tool_calls=[{"name": tool.name, "args": {"prompt": "Best CRM?"}, "id": "1"}]),
        AIMessage("never"),
    ]
    agent = create_agent(
        ScriptedToolCallingModel(messages=iter(turns)),
        tools=[tool],
        middleware=[DataForSEOBudgetMiddleware(max_cost=bound / 2)],
    )
    final = agent.invoke({"messages": [HumanMessage("go")]})["messages"][-1]
    assert final.text.startswith(f"Stopped before the tool call {tool.name!r}")
    assert f"may cost up to ${bound:.4f}" in final.text
    assert emu.ledger()["charges"] == []  # nothing was sent
