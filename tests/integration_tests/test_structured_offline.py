"""``with_structured_output`` works offline: the emulator answers in JSON when asked to.

Before issue 19 the emulator never answered in JSON, so every structured-output call on
it failed to parse. Now a system message that asks for a JSON object gets one, valid for
the JSON Schema the package embeds in it (issue 19, point 12).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel, Field

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    BrandCatalogue,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}


class Pick(BaseModel):  # no docstrings: the schema must fit 500 characters
    brands: list[str]
    confidence: int = Field(ge=1, le=5)
    audience: Literal["small", "large"]


class Answer(BaseModel):
    summary: str
    pick: Pick


def _model(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(
        **AUTH,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        **kwargs,
    )


CATALOGUE = BrandCatalogue.from_dict(
    {
        "brands": [
            {"name": "HubSpot", "mention_probability": 1.0},
            {"name": "Pipedrive", "mention_probability": 1.0},
        ]
    }
)


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
def test_with_structured_output_parses_offline(engine: str) -> None:
    emu = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE))
    extra = {} if engine == "perplexity" else {"web_search": True}
    structured = _model(emu, engine=engine, **extra)
    answer = structured.with_structured_output(Answer).invoke("Which CRM for a small agency?")
    assert isinstance(answer, Answer)
    assert answer.summary
    assert set(answer.pick.brands) <= {"HubSpot", "Pipedrive"}
    assert answer.pick.brands
    assert 1 <= answer.pick.confidence <= 5


async def test_with_structured_output_async_and_a_json_schema_dict() -> None:
    schema = {
        "title": "Facts",
        "type": "object",
        "properties": {"topic": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["topic", "count"],
    }
    emu = Emulator()
    result = await _model(emu).with_structured_output(schema).ainvoke("Tell me about kayaks")
    assert isinstance(result["topic"], str)
    assert isinstance(result["count"], int)


def test_json_mode_without_a_schema_gets_an_object() -> None:
    emu = Emulator()
    model = _model(emu).with_structured_output(
        {"title": "Any", "type": "object", "properties": {}}, method="json_mode"
    )
    assert isinstance(model.invoke("Tell me about kayaks"), dict)


def test_without_a_json_request_the_answer_is_prose() -> None:
    message = _model(Emulator()).invoke("Tell me about kayaks")
    with pytest.raises(json.JSONDecodeError):
        json.loads(message.text)
    assert "kayaks" in message.text
