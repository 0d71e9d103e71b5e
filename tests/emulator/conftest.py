from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import (
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)

AUTH = ("emulator-login", "emulator-password")
ENGINES = ("chat_gpt", "claude", "gemini", "perplexity")
STANDARD = ("chat_gpt", "claude", "gemini")
MODEL = {
    "chat_gpt": "gpt-4.1-mini",
    "claude": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash",
    "perplexity": "sonar",
}


def path(engine: str, function: str) -> str:
    return f"/v3/ai_optimization/{engine}/llm_responses/{function}"


class Clock:
    """A manual clock for deterministic tests."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def live(client: httpx.Client, engine: str, *tasks: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path(engine, "live"), json=list(tasks))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def task0(body: dict[str, Any]) -> dict[str, Any]:
    task: dict[str, Any] = body["tasks"][0]
    return task


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Emulator:
    return Emulator(EmulatorConfig(clock=clock))


@pytest.fixture(params=["transport", "server"])
def client(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[httpx.Client]:
    """An authenticated client, in-process and over real HTTP on 127.0.0.1."""
    if request.param == "transport":
        with httpx.Client(
            transport=EmulatorTransport(emu), base_url="http://emulator.local", auth=AUTH
        ) as c:
            yield c
    else:
        with EmulatorServer(emu) as server, httpx.Client(base_url=server.base_url, auth=AUTH) as c:
            yield c


@pytest.fixture
def local_client(emu: Emulator) -> Iterator[httpx.Client]:
    """In-process client only (for the bulk of the validation matrix)."""
    with httpx.Client(
        transport=EmulatorTransport(emu), base_url="http://emulator.local", auth=AUTH
    ) as c:
        yield c


@pytest.fixture(autouse=True)
def _loopback_sockets(request: pytest.FixtureRequest) -> None:
    """The real-server tests need loopback sockets even if pytest-socket disables them."""
    if request.config.pluginmanager.hasplugin("socket"):
        request.getfixturevalue("socket_enabled")
