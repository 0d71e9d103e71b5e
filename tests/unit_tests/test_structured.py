"""``with_structured_output`` without tool calling (``_structured``): asked, parsed, validated."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_dataforseo import DataForSEOInputError, DataForSEOUnsupportedError
from langchain_dataforseo._chat.capabilities import INSTRUCTION_PREFIX, schema_instruction

from .helpers import envelope
from .test_chat_models import Recorder, make_model


class Tool(BaseModel):
    """A CRM tool."""

    name: str = Field(description="product name")
    price_usd: float | None = None


class ToolDict(TypedDict):
    """A CRM tool."""

    name: str
    price_usd: float


def answering(text: str) -> Recorder:
    result = envelope()["tasks"][0]["result"]
    result[0]["items"] = [{"type": "message", "sections": [{"type": "text", "text": text}]}]
    return Recorder(envelope(result=result))


def test_the_schema_is_asked_for_in_the_system_message_and_the_answer_validated() -> None:
    recorder = answering('```json\n{"name": "HubSpot", "price_usd": 20}\n```')
    tool = make_model(recorder).with_structured_output(Tool).invoke("Best CRM?")
    assert tool == Tool(name="HubSpot", price_usd=20)
    (task,) = recorder.bodies[0]
    assert task["system_message"].startswith(INSTRUCTION_PREFIX)
    assert '"name":{"description":"product name","type":"string"}' in task["system_message"]
    assert '"title"' not in task["system_message"]  # schema names left out: fewer characters
    assert task["user_prompt"] == "Best CRM?"


def test_the_users_system_message_follows_the_instruction() -> None:
    recorder = answering('{"name": "Pipedrive"}')
    structured = make_model(recorder).with_structured_output(Tool)
    structured.invoke([SystemMessage("Answer as an analyst."), HumanMessage("Best CRM?")])
    system = recorder.bodies[0][0]["system_message"]
    assert system == f"{schema_instruction(Tool)}\nAnswer as an analyst."


def test_json_inside_prose_is_found() -> None:
    recorder = answering('Sure! Here it is: {"name": "Zoho", "price_usd": 14} Hope it helps.')
    assert make_model(recorder).with_structured_output(Tool).invoke("q") == Tool(
        name="Zoho", price_usd=14
    )


@pytest.mark.parametrize("schema", [ToolDict, Tool.model_json_schema()])
def test_typed_dict_and_json_schema_give_dicts_with_required_fields_checked(schema: Any) -> None:
    good = make_model(answering('{"name": "HubSpot", "price_usd": 20}'))
    assert good.with_structured_output(schema).invoke("q") == {"name": "HubSpot", "price_usd": 20}
    bad = make_model(answering('{"price_usd": 20}'))
    with pytest.raises(OutputParserException, match="name"):
        bad.with_structured_output(schema).invoke("q")


@pytest.mark.parametrize("text", ["I cannot answer that.", '{"name": 5, "price_usd": "x"}', "[1]"])
def test_an_answer_that_does_not_fit_raises_an_output_parser_exception(text: str) -> None:
    with pytest.raises(OutputParserException):
        make_model(answering(text)).with_structured_output(Tool).invoke("q")


def test_include_raw_returns_the_message_and_the_parsing_error() -> None:
    structured = make_model(answering("no JSON here")).with_structured_output(
        Tool, include_raw=True
    )
    out = structured.invoke("q")
    assert isinstance(out["raw"], AIMessage)
    assert out["raw"].response_metadata["cost"] > 0
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    ok = make_model(answering('{"name": "HubSpot"}')).with_structured_output(Tool, include_raw=True)
    assert ok.invoke("q")["parsed"] == Tool(name="HubSpot")


async def test_async_and_batch_go_the_same_way() -> None:
    structured = make_model(answering('{"name": "HubSpot"}')).with_structured_output(Tool)
    assert await structured.ainvoke("q") == Tool(name="HubSpot")
    assert structured.batch(["a", "b"]) == [Tool(name="HubSpot")] * 2


def test_a_schema_whose_instruction_is_over_500_characters_is_refused_before_sending() -> None:
    fields = {f"field_{i}": {"type": "string", "description": "x" * 30} for i in range(12)}
    schema = {"title": "Big", "type": "object", "properties": fields}
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError) as info:
        make_model(recorder).with_structured_output(schema)
    assert (info.value.field, info.value.limit) == ("schema", 500)
    assert info.value.actual > 500
    assert recorder.bodies == []


def test_instruction_and_a_long_system_message_over_500_are_refused_before_sending() -> None:
    recorder = Recorder()
    structured = make_model(recorder).with_structured_output(Tool)
    with pytest.raises(DataForSEOInputError, match="history_policy='pack'"):
        structured.invoke([SystemMessage("s" * 300), HumanMessage("q")])
    assert recorder.bodies == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"method": "function_calling"}, "tool calling"), ({"tools": []}, "tools")],
)
def test_what_needs_tool_calling_is_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(DataForSEOUnsupportedError, match=match):
        make_model(Recorder()).with_structured_output(Tool, **kwargs)


@pytest.mark.parametrize("method", [None, "json_schema", "json_mode"])
def test_json_methods_and_strict_are_accepted(method: str | None) -> None:
    structured = make_model(answering('{"name": "HubSpot"}')).with_structured_output(
        Tool, method=method, strict=True
    )
    assert structured.invoke("q") == Tool(name="HubSpot")
