"""What a tool hands the calling LLM is bounded (``max_output_chars``) and says when it was cut.

A hostile answer (the emulator's, with one text field blown up to two million characters by
a transport) must not become a ToolMessage of millions of tokens: every tool of the package
cuts its content to ``max_output_chars`` (default 20,000) with a marker that says how much
there was and how to see more, and keeps the whole answer in its artifact. Errors too.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from langchain_dataforseo import (
    DataForSEOClient,
    DataForSEOLLMResponsesTool,
    DataForSEOLLMResponsesToolkit,
)
from langchain_dataforseo._tooling import DEFAULT_MAX_OUTPUT_CHARS, bounded
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.mentions import DataForSEOLLMMentionsTopMentionedTool
from langchain_dataforseo.scraper import DataForSEOLLMScraperTool

LOGIN, PASSWORD = "emulator-login", "emulator-password"
HUGE = 2_000_000


def blow_up(node: Any, field: str) -> Any:
    """Every string under ``field`` becomes HUGE characters long."""
    if isinstance(node, dict):
        return {
            k: "A" * HUGE if k == field and isinstance(v, str) else blow_up(v, field)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [blow_up(v, field) for v in node]
    return node


def hostile(body: bytes, field: str | None) -> bytes:
    envelope = json.loads(body)
    if field is None:  # an API error with a huge status message
        error = {"status_code": 40501, "status_message": "Invalid Field: " + "B" * HUGE}
        envelope["tasks"][0] |= error | {"cost": 0, "result": None}
        envelope["tasks_error"] = 1
    elif envelope.get("tasks"):
        envelope["tasks"] = blow_up(envelope["tasks"], field)
    return json.dumps(envelope).encode()


class Huge(httpx.BaseTransport):
    """The emulator's answers, with ``field`` blown up (or turned into a huge error)."""

    def __init__(self, emu: Emulator, field: str | None) -> None:
        self.inner, self.field = EmulatorTransport(emu), field

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method != "POST":
            return response
        return httpx.Response(response.status_code, content=hostile(response.read(), self.field))


class AHuge(httpx.AsyncBaseTransport):
    """Async :class:`Huge`."""

    def __init__(self, emu: Emulator, field: str | None) -> None:
        self.inner, self.field = AsyncEmulatorTransport(emu), field

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "POST":
            return response
        body = hostile(await response.aread(), self.field)
        return httpx.Response(response.status_code, content=body)


def transports(field: str | None) -> dict[str, Any]:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    return {
        "login": LOGIN,
        "password": PASSWORD,
        "base_url": "http://127.0.0.1",
        "max_retries": 0,
        "http_client": httpx.Client(transport=Huge(emu, field)),
        "http_async_client": httpx.AsyncClient(transport=AHuge(emu, field)),
    }


def responses(field: str | None, **options: Any) -> tuple[BaseTool, dict[str, Any]]:
    tool = DataForSEOLLMResponsesTool(
        model="gpt-4.1-mini", validate_model=False, **transports(field), **options
    )
    return tool, {"prompt": "Best CRM?"}


def scraper(field: str | None, **options: Any) -> tuple[BaseTool, dict[str, Any]]:
    tool = DataForSEOLLMScraperTool(client=DataForSEOClient(**transports(field)), **options)
    return tool, {"keyword": "best crm"}


def mentions(field: str | None, **options: Any) -> tuple[BaseTool, dict[str, Any]]:
    client = DataForSEOClient(**transports(field))
    tool = DataForSEOLLMMentionsTopMentionedTool(client=client, **options)
    return tool, {"keywords": ["crm"], "what": "domains", "limit": 3}


TOOLS = {
    "responses": (responses, "text"),
    "scraper": (scraper, "markdown"),
    "mentions": (mentions, "domain"),
}


def call(tool: BaseTool, args: dict[str, Any], mode: str) -> ToolMessage:
    tool_call = {"type": "tool_call", "id": "c1", "name": tool.name, "args": args}
    out = tool.invoke(tool_call) if mode == "sync" else asyncio.run(tool.ainvoke(tool_call))
    assert isinstance(out, ToolMessage)
    return out


def test_bounded_keeps_what_fits_and_says_what_it_cut() -> None:
    assert bounded("short", 100) == "short"
    assert bounded("x" * 100, 100) == "x" * 100
    cut = bounded("x" * 13_000_000, 20_000)
    assert cut == (
        "x" * 20_000 + "\n[cut: 13,000,000 characters, showing the first 20,000; "
        "raise max_output_chars to see more]"
    )


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", list(TOOLS))
def test_a_huge_answer_is_cut_for_the_llm_and_kept_in_the_artifact(name: str, mode: str) -> None:
    make, field = TOOLS[name]
    tool, args = make(field)
    out = call(tool, args, mode)
    assert out.status == "success"
    assert len(out.text) < DEFAULT_MAX_OUTPUT_CHARS + 200  # not two million characters
    assert "showing the first 20,000; raise max_output_chars to see more]" in out.text
    assert json.dumps(out.artifact).count("A" * HUGE) >= 1  # the artifact keeps everything


@pytest.mark.parametrize("name", list(TOOLS))
def test_max_output_chars_is_adjustable(name: str) -> None:
    make, field = TOOLS[name]
    tool, args = make(field, max_output_chars=50_000)
    out = call(tool, args, "sync")
    assert 50_000 < len(out.text) < 50_300
    assert "showing the first 50,000;" in out.text
    with pytest.raises(ValidationError, match="max_output_chars"):
        make(field, max_output_chars=10)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", list(TOOLS))
def test_a_huge_error_is_cut_too(name: str, mode: str) -> None:
    make, _field = TOOLS[name]
    tool, args = make(None)
    out = call(tool, args, mode)
    assert out.status == "error"
    assert "40501" in out.text
    assert len(out.text) < DEFAULT_MAX_OUTPUT_CHARS + 200
    assert "raise max_output_chars to see more]" in out.text


def test_the_toolkit_hands_max_output_chars_to_each_tool() -> None:
    toolkit = DataForSEOLLMResponsesToolkit(
        engines=["chat_gpt", "claude"], login=LOGIN, password=PASSWORD, max_output_chars=5_000
    )
    tools = toolkit.get_tools()
    assert [t.max_output_chars for t in tools] == [5_000, 5_000]  # type: ignore[attr-defined]
