"""DataForSEOLLMResponsesTool and the toolkit: schema, content, artifact, errors, engines."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import ToolException
from langchain_tests.unit_tests import ToolsUnitTests
from pydantic import ValidationError

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOLLMResponsesTool,
    DataForSEOLLMResponsesToolkit,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.tools import tool_input_schema

LOGIN, PASSWORD = "tool-login", "tool-password"
PROMPT = "Which CRM tools do small marketing agencies use?"


class TestDataForSEOLLMResponsesToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[DataForSEOLLMResponsesTool]:
        return DataForSEOLLMResponsesTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"model": "gpt-4.1-mini", "web_search": True}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": PROMPT, "web_search_country_iso_code": "US"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"DATAFORSEO_LOGIN": "env-login", "DATAFORSEO_PASSWORD": "env-password"},
            {"model": "gpt-4.1-mini"},
            {"name": "dataforseo_llm_responses"},
        )


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, **config))


def chat_params(emu: Emulator, **kwargs: Any) -> dict[str, Any]:
    return {
        "login": LOGIN,
        "password": PASSWORD,
        "base_url": "http://127.0.0.1",
        "retry_base_delay": 0.0,
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        **kwargs,
    }


def tool_call(args: dict[str, Any], name: str = "dataforseo_llm_responses") -> dict[str, Any]:
    return {"type": "tool_call", "id": "call_1", "name": name, "args": args}


def live_calls(emu: Emulator, engine: str = "chat_gpt") -> int:
    return int(emu.ledger()["calls"].get(f"{engine}/live", 0))


# -- construction ----------------------------------------------------------------------


def test_init_from_env_reaches_the_chat_model() -> None:
    env = {"DATAFORSEO_LOGIN": "env-login", "DATAFORSEO_PASSWORD": "env-password"}
    with mock.patch.dict(os.environ, env):
        tool = DataForSEOLLMResponsesTool(model="gpt-4.1-mini")
    assert tool.llm.login == "env-login"
    assert tool.llm.password is not None
    assert tool.llm.password.get_secret_value() == "env-password"


def test_takes_chat_model_kwargs_or_a_ready_chat_model() -> None:
    tool = DataForSEOLLMResponsesTool(engine="claude", model_name="claude-sonnet-4-5", top_p=0.5)
    assert (tool.llm.engine, tool.llm.model, tool.llm.top_p) == ("claude", "claude-sonnet-4-5", 0.5)
    ready = ChatDataForSEO(engine="gemini", web_search=True)
    tool = DataForSEOLLMResponsesTool(llm=ready, name="ask_gemini")
    assert tool.llm is ready
    assert tool.name == "ask_gemini"
    assert tool.engine == "gemini"


def test_refuses_a_chat_model_together_with_settings() -> None:
    with pytest.raises(ValidationError, match="either llm"):
        DataForSEOLLMResponsesTool(llm=ChatDataForSEO(), web_search=True)


def test_refuses_unknown_keyword_arguments() -> None:
    with pytest.raises(ValidationError, match="websearch"):
        DataForSEOLLMResponsesTool(websearch=True)


def test_tool_level_fields_stay_on_the_tool() -> None:
    tool = DataForSEOLLMResponsesTool(name="ask", tags=["geo"], metadata={"k": 1}, verbose=True)
    assert (tool.name, tool.tags, tool.metadata, tool.verbose) == ("ask", ["geo"], {"k": 1}, True)
    assert tool.llm.tags is None


def test_description_names_engine_model_and_limit() -> None:
    tool = DataForSEOLLMResponsesTool(engine="perplexity", model="sonar-pro")
    assert "Perplexity (sonar-pro)" in tool.description
    assert "500 characters" in tool.description
    custom = DataForSEOLLMResponsesTool(description="my words")
    assert custom.description == "my words"


@pytest.mark.parametrize(
    ("engine", "fields"),
    [
        ("chat_gpt", {"prompt", "web_search", "web_search_country_iso_code"}),
        ("claude", {"prompt", "web_search", "web_search_country_iso_code"}),
        ("gemini", {"prompt", "web_search"}),
        ("perplexity", {"prompt", "web_search_country_iso_code"}),
    ],
)
def test_schema_offers_only_what_the_engine_takes(engine: str, fields: set[str]) -> None:
    tool = DataForSEOLLMResponsesTool(engine=engine)
    schema = tool.tool_call_schema.model_json_schema()
    assert set(schema["properties"]) == fields
    assert schema["required"] == ["prompt"]
    assert schema["properties"]["prompt"]["maxLength"] == 500
    assert all(prop.get("description") for prop in schema["properties"].values())


def test_schema_enforces_the_prompt_limit_and_the_country_code() -> None:
    schema = tool_input_schema("chat_gpt")
    schema(prompt="p" * 500)
    with pytest.raises(ValidationError):
        schema(prompt="p" * 501)
    with pytest.raises(ValidationError):
        schema(prompt="")
    with pytest.raises(ValidationError):
        schema(prompt="ok", web_search_country_iso_code="USA")


# -- invocation ------------------------------------------------------------------------


def test_content_is_answer_then_numbered_sources_then_searches() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, web_search=True))
    message = tool.invoke(tool_call({"prompt": PROMPT}))
    assert isinstance(message, ToolMessage)
    assert message.status == "success"
    artifact = message.artifact
    content = str(message.content)
    assert content.startswith(f"Answer from ChatGPT ({artifact['model_name']}):\n")
    assert artifact["text"].strip() in content
    assert artifact["annotations"]
    for number, source in enumerate(artifact["annotations"], start=1):
        assert f"[{number}] {source['title']} - {source['url']}" in content
    assert content.index("Sources cited:") > content.index(artifact["text"].strip()[:40])
    for query in artifact["fan_out_queries"]:
        assert f"- {query}" in content
    assert set(artifact) == {
        "text",
        "annotations",
        "fan_out_queries",
        "model_name",
        "engine",
        "usage",
        "cost",
        "task_id",
    }
    assert artifact["engine"] == "chat_gpt"
    assert artifact["usage"]["total_tokens"] > 0
    assert artifact["cost"] == pytest.approx(emu.ledger()["charges"][-1]["cost"])
    assert artifact["task_id"] == emu.ledger()["charges"][-1]["id"]


def test_country_turns_web_search_on_and_is_upper_cased() -> None:
    emu = emulator()
    seen: list[dict[str, Any]] = []
    tool = DataForSEOLLMResponsesTool(**chat_params(emu))
    with mock.patch.object(
        ChatDataForSEO, "invoke", autospec=True, side_effect=ChatDataForSEO.invoke
    ) as spy:
        tool.invoke({"prompt": PROMPT, "web_search_country_iso_code": "de"})
        seen.append(spy.call_args.kwargs)
    assert seen == [{"web_search_country_iso_code": "DE", "web_search": True}]


def test_without_web_search_the_content_says_no_sources() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, web_search=False))
    content = tool.invoke({"prompt": PROMPT})
    assert "Sources cited: none." in content


async def test_ainvoke_is_native_async_and_returns_the_same_shape() -> None:
    emu = emulator()
    params = chat_params(emu, web_search=True)
    params["http_client"] = httpx.Client(transport=httpx.MockTransport(_no_sync_calls))
    tool = DataForSEOLLMResponsesTool(**params)
    message = await tool.ainvoke(tool_call({"prompt": PROMPT}))
    assert message.status == "success"
    assert message.artifact["annotations"]
    assert live_calls(emu) == 1


def _no_sync_calls(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the sync client was used by an async call")


# -- errors become ToolMessages the agent can read -------------------------------------


def test_over_long_prompt_is_explained_and_nothing_is_sent() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu))
    message = tool.invoke(tool_call({"prompt": "p" * 612}))
    assert message.status == "error"
    assert "'prompt' is 612 characters; the limit is 500" in message.content
    assert live_calls(emu) == 0


def test_limit_violation_names_field_limit_and_value_before_any_request() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu))
    message = tool.invoke(
        tool_call({"prompt": PROMPT, "web_search": False, "web_search_country_iso_code": "US"})
    )
    assert message.status == "error"
    assert "web_search_country_iso_code" in message.content
    assert "needs web_search=True" in message.content
    assert "'US'" in message.content
    assert "nothing was charged" in message.content
    assert live_calls(emu) == 0


def test_rate_limit_becomes_an_actionable_tool_error() -> None:
    emu = emulator(fault_rate_limit_40202=1.0)
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, max_retries=0, validate_model=False))
    message = tool.invoke(tool_call({"prompt": PROMPT}))
    assert message.status == "error"
    assert "status code 40202" in message.content
    assert "wait a few seconds" in message.content


def test_refused_credentials_say_so_and_that_retrying_will_not_help() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, password="wrong"))
    message = tool.invoke(tool_call({"prompt": PROMPT}))
    assert message.status == "error"
    assert "40100" in message.content
    assert "DATAFORSEO_PASSWORD" in message.content


async def test_async_errors_are_handled_the_same_way() -> None:
    emu = emulator(fault_rate_limit_40202=1.0)
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, max_retries=0, validate_model=False))
    message = await tool.ainvoke(tool_call({"prompt": PROMPT}))
    assert message.status == "error"
    assert "40202" in message.content


def test_with_error_handling_off_the_tool_exception_is_raised() -> None:
    emu = emulator(fault_rate_limit_40202=1.0)
    tool = DataForSEOLLMResponsesTool(
        **chat_params(emu, max_retries=0, validate_model=False), handle_tool_error=False
    )
    with pytest.raises(ToolException, match="40202") as caught:
        tool.invoke({"prompt": PROMPT})
    assert caught.value.__cause__ is not None


# -- toolkit ---------------------------------------------------------------------------


def test_toolkit_gives_one_tool_per_engine_with_distinct_names_and_descriptions() -> None:
    tools = DataForSEOLLMResponsesToolkit(web_search=True, login="l", password="p").get_tools()
    assert [t.name for t in tools] == ["ask_chat_gpt", "ask_claude", "ask_gemini", "ask_perplexity"]
    assert len({t.description for t in tools}) == 4
    by_name = {t.name: t for t in tools}
    assert isinstance(by_name["ask_claude"], DataForSEOLLMResponsesTool)
    assert by_name["ask_claude"].llm.web_search is True
    # Perplexity always searches and has no web_search field: the shared setting is left out.
    assert by_name["ask_perplexity"].llm.web_search is None
    assert by_name["ask_perplexity"].llm.login == "l"


def test_toolkit_names_the_model_when_an_engine_appears_twice() -> None:
    toolkit = DataForSEOLLMResponsesToolkit(
        engines=[("chat_gpt", "gpt-4.1-mini"), ("chat_gpt", "gpt-4o"), "gemini"]
    )
    tools = toolkit.get_tools()
    assert [t.name for t in tools] == [
        "ask_chat_gpt_gpt_4_1_mini",
        "ask_chat_gpt_gpt_4o",
        "ask_gemini",
    ]
    assert "(gpt-4o)" in tools[1].description


def test_toolkit_refuses_duplicates_and_per_tool_settings() -> None:
    with pytest.raises(ValidationError, match="twice"):
        DataForSEOLLMResponsesToolkit(engines=["claude", ("claude", "claude-haiku-4-5")])
    with pytest.raises(ValidationError, match="'model'"):
        DataForSEOLLMResponsesToolkit(model="gpt-4o")
    with pytest.raises(ValidationError):
        DataForSEOLLMResponsesToolkit(engines=["bing"])  # type: ignore[list-item]


def test_toolkit_tools_answer_through_their_own_engine() -> None:
    emu = emulator()
    tools = DataForSEOLLMResponsesToolkit(
        engines=["claude", "perplexity"], **chat_params(emu, web_search=True)
    ).get_tools()
    for tool in tools:
        message = tool.invoke(tool_call({"prompt": PROMPT}, name=tool.name))
        assert message.status == "success", message.content
        assert message.artifact["engine"] == tool.name.removeprefix("ask_")
    assert live_calls(emu, "claude") == 1
    assert live_calls(emu, "perplexity") == 1


def test_a_spent_budget_is_a_tool_error_the_agent_can_read() -> None:
    emu = emulator()
    tool = DataForSEOLLMResponsesTool(**chat_params(emu, max_cost=0.0001))
    message = tool.invoke(tool_call({"prompt": PROMPT}))
    assert message.status == "error"
    assert "budget" in message.content
    assert "Do not call this tool again" in message.content
    assert live_calls(emu) == 0
