"""Warnings point at the user's line, whatever path led to them (``_warnings``)."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO, DataForSEOInputWarning, DataForSEOLLMResponsesTool
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

LOGIN, PASSWORD = "emulator-login", "emulator-password"


def params(emu: Emulator, **kwargs: Any) -> dict[str, Any]:
    return {
        "login": LOGIN,
        "password": PASSWORD,
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        **kwargs,
    }


def model(**kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(**params(Emulator(EmulatorConfig()), **kwargs))


@contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def assert_points_here(caught: list[warnings.WarningMessage], count: int = 1) -> None:
    ours = [w for w in caught if issubclass(w.category, DataForSEOInputWarning)]
    assert len(ours) >= count, [str(w.message) for w in caught]
    for warning in ours:
        assert warning.filename == __file__, (warning.filename, warning.lineno, warning.message)


SYNC_PATHS: dict[str, Callable[[ChatDataForSEO], object]] = {
    "invoke": lambda m: m.invoke("hi", stop=["x"]),
    "batch": lambda m: m.batch(["hi", "ho", "hu"], stop=["x"]),
    "stream": lambda m: list(m.stream("hi", stop=["x"])),
    "bound": lambda m: m.bind(stop=["x"]).invoke("hi"),
    "chain": lambda m: (m.bind(stop=["x"]) | (lambda message: message)).batch(["hi", "ho"]),
}


@pytest.mark.parametrize("method", ["live", "standard"])
@pytest.mark.parametrize("path", sorted(SYNC_PATHS))
def test_a_sync_path_warns_at_the_users_line(path: str, method: str) -> None:
    chat = model(method=method, poll_interval=0.01)
    with recorded() as caught:
        SYNC_PATHS[path](chat)
    assert_points_here(caught)


ASYNC_PATHS: dict[str, Callable[[ChatDataForSEO], Awaitable[object]]] = {
    "ainvoke": lambda m: m.ainvoke("hi", stop=["x"]),
    "abatch": lambda m: m.abatch(["hi", "ho", "hu"], stop=["x"]),
    "bound_ainvoke": lambda m: m.bind(stop=["x"]).ainvoke("hi"),
}


async def _astream(chat: ChatDataForSEO) -> list[Any]:
    return [chunk async for chunk in chat.astream("hi", stop=["x"])]


@pytest.mark.parametrize("method", ["live", "standard"])
@pytest.mark.parametrize("path", [*sorted(ASYNC_PATHS), "astream"])
async def test_an_async_path_warns_at_the_users_line(path: str, method: str) -> None:
    chat = model(method=method, poll_interval=0.01)
    call = _astream if path == "astream" else ASYNC_PATHS[path]
    with recorded() as caught:
        await call(chat)
    assert_points_here(caught)


def test_the_tool_warns_at_the_users_line() -> None:
    tool = DataForSEOLLMResponsesTool(**params(Emulator(EmulatorConfig()), stop=["x"]))
    with recorded() as caught:
        tool.invoke({"prompt": "hi"})
    assert_points_here(caught)


async def test_the_async_tool_warns_at_the_users_line() -> None:
    tool = DataForSEOLLMResponsesTool(**params(Emulator(EmulatorConfig()), stop=["x"]))
    with recorded() as caught:
        await tool.ainvoke({"prompt": "hi"})
    assert_points_here(caught)


def _unreachable_catalogue(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/models"):
        return httpx.Response(500, content=b"down")
    return EmulatorTransport(Emulator(EmulatorConfig())).handle_request(request)


@pytest.mark.parametrize("path", ["invoke", "batch"])
def test_the_catalogue_warning_points_at_the_users_line(path: str) -> None:
    transport = httpx.MockTransport(_unreachable_catalogue)
    chat = ChatDataForSEO(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
    with recorded() as caught:
        if path == "invoke":
            chat.invoke("hi")
        else:
            chat.batch(["hi", "ho"])
    assert any("catalogue" in str(w.message) for w in caught)
    assert_points_here(caught)


def test_trim_warning_points_at_the_users_line() -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    history: list[Any] = []
    for i in range(6):
        history += [HumanMessage(f"q{i}"), AIMessage(f"a{i}")]
    chat = model(history_policy="trim")
    with recorded() as caught:
        chat.invoke([*history, HumanMessage("now")])
    assert any("trimmed" in str(w.message) for w in caught)
    assert_points_here(caught)
