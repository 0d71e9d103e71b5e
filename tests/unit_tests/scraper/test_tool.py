"""The LLM Scraper tool: schema for the LLM, defaults, content text, errors before sending."""

from __future__ import annotations

import pytest
from langchain_core.messages import ToolMessage

from langchain_dataforseo.scraper import DataForSEOLLMScraperTool, format_answer, parse_answer
from langchain_dataforseo.scraper.tool import LLMScraperInput

from .test_parse import chat_gpt_task


def test_name_and_description_follow_the_engine() -> None:
    tool = DataForSEOLLMScraperTool(engine="gemini", login="l", password="p")
    assert tool.name == "dataforseo_gemini_app"
    assert "Gemini app" in tool.description
    assert DataForSEOLLMScraperTool(name="x", login="l", password="p").name == "x"


def test_schema_describes_every_argument() -> None:
    schema = LLMScraperInput.model_json_schema()
    assert schema["required"] == ["keyword"]
    for prop in schema["properties"].values():
        assert prop["description"]


def test_defaults_apply_only_when_no_location_or_language_is_given() -> None:
    tool = DataForSEOLLMScraperTool(login="l", password="p")
    assert tool._task({"keyword": "k"}) == {
        "keyword": "k",
        "location_code": 2840,
        "language_code": "en",
    }
    task = tool._task({"keyword": "k", "location_name": "France", "language_code": "fr"})
    assert "location_code" not in task
    assert task["language_code"] == "fr"


def test_content_keeps_cited_and_found_only_apart() -> None:
    text = format_answer(parse_answer("chat_gpt", chat_gpt_task()))
    cited, found = text.split("Found in its searches but not cited:")
    assert "https://a.example/x" in cited
    assert "https://c.example/z" in found
    assert "https://a.example/x" not in found
    assert "Searches it ran:" in text
    assert "Brands it named: HubSpot, Pipedrive" in text
    assert "Also shown: tables (1), products (1), chat_gpt_new_widget (1)" in text


def test_bad_argument_is_an_error_tool_message_without_credentials() -> None:
    # no credentials at all: the input check comes first, so nothing is needed or sent
    tool = DataForSEOLLMScraperTool(login=None, password=None, base_url="https://x.invalid")
    message = tool.invoke(
        {
            "type": "tool_call",
            "id": "1",
            "name": tool.name,
            "args": {"keyword": "k", "location_coordinate": "1,2,300"},
        }
    )
    assert isinstance(message, ToolMessage)
    assert message.status == "error"
    assert "location_coordinate" in str(message.content)
    assert "nothing was charged" in str(message.content)


def test_missing_credentials_hold_nothing_in_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.delenv("DATAFORSEO_PASSWORD", raising=False)
    tool = DataForSEOLLMScraperTool(max_cost=1.0)
    message = tool.invoke(
        {"type": "tool_call", "id": "1", "name": tool.name, "args": {"keyword": "x"}}
    )
    assert message.status == "error"
    assert "credentials" in str(message.content)
    assert tool.spent == 0
    assert tool._budget.unknown_tasks == 0
