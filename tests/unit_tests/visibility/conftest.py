"""Fixtures of the visibility tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

from ...pg import pg_server, store_url  # noqa: F401 - the PostgreSQL fixtures (tests/pg.py)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """An emulator served on loopback, with the CLI's environment pointing at it."""
    with EmulatorServer(Emulator(EmulatorConfig(task_latency=0.05))) as running:
        monkeypatch.setenv("DATAFORSEO_LOGIN", "emulator-login")
        monkeypatch.setenv("DATAFORSEO_PASSWORD", "emulator-password")
        monkeypatch.setenv("DATAFORSEO_BASE_URL", running.base_url)
        yield running
