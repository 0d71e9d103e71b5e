"""A paid LLM Mentions answer with a wrong-typed field: a named error, never a crash.

The emulator answers each call (and charges it); a transport then puts a value of the
wrong type into one field the tools, the retriever or the lists read. The tools must hand
the agent an error ``ToolMessage`` (a ``ToolException``) naming the field, and the
retriever and the lists raise ``DataForSEOResponseError`` naming it: before, an
``AttributeError``, ``TypeError`` or ``ValueError`` escaped after the call was paid.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.errors import DataForSEOResponseError
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsRetriever,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
    alocations_and_languages,
    locations_and_languages,
)
from langchain_dataforseo.mentions._parse import UnreadableFieldError, whole, word_of

LOGIN, PASSWORD = "emulator-login", "emulator-password"
Path = tuple[str | int, ...]

NOT_OBJECT = [7, "x", [1], True]
NOT_LIST = [7, "x", {"a": 1}, True]
NOT_INTEGER = ["x", [1], 1.5, True]


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out


def corrupt(body: bytes, path: Path, value: object) -> bytes:
    envelope = json.loads(body)
    node: Any = envelope["tasks"][0]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return json.dumps(envelope).encode()


class Corrupting(httpx.BaseTransport):
    """Serves the emulator's answer with one field of its first task replaced."""

    def __init__(self, emu: Emulator, path: Path, value: object) -> None:
        self.inner = EmulatorTransport(emu)
        self.path, self.value = path, value

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = corrupt(response.read(), self.path, self.value)
        return httpx.Response(response.status_code, content=body)


class ACorrupting(httpx.AsyncBaseTransport):
    """Async :class:`Corrupting`."""

    def __init__(self, emu: Emulator, path: Path, value: object) -> None:
        self.inner = AsyncEmulatorTransport(emu)
        self.path, self.value = path, value

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = corrupt(await response.aread(), self.path, self.value)
        return httpx.Response(response.status_code, content=body)


def client(path: Path, value: object) -> tuple[Emulator, DataForSEOClient]:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    http = DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1",
        max_retries=0,
        http_client=httpx.Client(transport=Corrupting(emu, path, value)),
        http_async_client=httpx.AsyncClient(transport=ACorrupting(emu, path, value)),
    )
    return emu, http


HISTORY = {"keywords": ["hubspot"], "kind": "delta", "date_from": "2025-09-01"}
HISTORY |= {"date_to": "2025-12-31", "group_range": "month"}
ITEMS: Path = ("result", 0, "items")
TOOLS: list[tuple[Callable[..., BaseTool], dict[str, Any], Path, list[object]]] = [
    (DataForSEOLLMMentionsTargetMetricsTool, {"keywords": ["hubspot"]}, ("result",), NOT_LIST),
    (DataForSEOLLMMentionsTargetMetricsTool, {"keywords": ["hubspot"]}, ("result", 0), NOT_OBJECT),
    (
        DataForSEOLLMMentionsTargetMetricsTool,
        {"keywords": ["hubspot"]},
        ("result", 0, "aggregated_metrics"),
        NOT_OBJECT,
    ),
    (DataForSEOLLMMentionsCompareTool, {"groups": {"a": ["hubspot"]}}, ITEMS, NOT_LIST),
    (DataForSEOLLMMentionsCompareTool, {"groups": {"a": ["hubspot"]}}, (*ITEMS, 0), NOT_OBJECT),
    *(
        (DataForSEOLLMMentionsTopMentionedTool, {"keywords": ["crm"], "what": what}, path, bad)
        for what in ("domains", "pages", "brands")
        for path, bad in ((ITEMS, NOT_LIST), ((*ITEMS, 0), NOT_OBJECT))
    ),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["hubspot"]}, ITEMS, NOT_LIST),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["hubspot"]}, (*ITEMS, 0), NOT_OBJECT),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["x"]}, (*ITEMS, 0, "metrics"), NOT_OBJECT),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["x"]}, (*ITEMS, 0, "year"), NOT_INTEGER),
    (DataForSEOLLMMentionsHistoryTool, {"keywords": ["x"]}, (*ITEMS, 0, "month"), NOT_INTEGER),
    (DataForSEOLLMMentionsHistoryTool, HISTORY, ITEMS, NOT_LIST),
    (DataForSEOLLMMentionsHistoryTool, HISTORY, (*ITEMS, 0), NOT_OBJECT),
]
TOOL_CASES = [
    pytest.param(make, args, path, value, id=f"{make.__name__[21:]}-{dotted(path)}-{value!r}")
    for make, args, path, values in TOOLS
    for value in values
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("make", "args", "path", "value"), TOOL_CASES)
def test_a_tool_names_the_wrong_typed_field_of_a_paid_answer(
    make: Callable[..., BaseTool], args: dict[str, Any], path: Path, value: object, mode: str
) -> None:
    emu, http = client(path, value)
    tool = make(client=http)
    call = {"type": "tool_call", "id": "c1", "name": tool.name, "args": args}
    out = tool.invoke(call) if mode == "sync" else asyncio.run(tool.ainvoke(call))
    assert isinstance(out, ToolMessage)
    assert out.status == "error"
    assert f"{dotted(path)} is " in out.text
    assert "cannot be read" in out.text
    charged = float(emu.ledger()["charged_total"])
    assert charged > 0  # it was paid for: the message says how much
    assert f"charged ${charged:.4f}" in out.text


RETRIEVER_CASES = [
    pytest.param(path, value, id=f"{dotted(path)}-{value!r}")
    for path, values in (
        (("result",), NOT_LIST),
        (("result", 0), NOT_OBJECT),
        (ITEMS, NOT_LIST),
        ((*ITEMS, 0), NOT_OBJECT),
    )
    for value in values
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("path", "value"), RETRIEVER_CASES)
def test_the_retriever_names_the_wrong_typed_field(path: Path, value: object, mode: str) -> None:
    _emu, http = client(path, value)
    retriever = DataForSEOLLMMentionsRetriever(client=http, k=3)
    expected = re.escape(f"{dotted(path)} is ")

    def fetch() -> object:
        if mode == "sync":
            return retriever.invoke("crm software")
        return asyncio.run(retriever.ainvoke("crm software"))

    with pytest.raises(DataForSEOResponseError, match=expected) as caught:
        fetch()
    assert caught.value.cost > 0
    assert caught.value.task_id is not None


@pytest.mark.parametrize("value", NOT_OBJECT)
def test_the_free_lists_name_a_wrong_typed_row(value: object) -> None:
    _emu, http = client(("result", 0), value)
    with pytest.raises(DataForSEOResponseError, match=re.escape("result[0] is ")):
        locations_and_languages(http)
    with pytest.raises(DataForSEOResponseError, match=re.escape("result[0] is ")):
        asyncio.run(alocations_and_languages(http))


def test_the_readers_name_what_they_found() -> None:
    assert word_of(None) == "null"
    assert word_of(True) == "a boolean (True)"
    assert word_of("x" * 100).startswith("a string ('xxx")
    assert word_of("x" * 100).endswith("...)")
    assert whole(None, "m") is None
    assert whole(3, "m") == 3
    with pytest.raises(UnreadableFieldError, match=r"^m is a number \(1\.5\), expected an integer"):
        whole(1.5, "m")
