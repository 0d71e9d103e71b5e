"""Cassette fixtures for the integration tests.

Replay (the default: ``DATAFORSEO_VCR_RECORD_MODE`` unset or ``none``): each test module
replays its cassettes from ``cassettes/<module>/``; a missing cassette fails, and the model
gets dummy credentials. Recording (``DATAFORSEO_VCR_RECORD_MODE=all``): calls go to
``DATAFORSEO_BASE_URL`` with ``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD``; when no base
URL is set, an emulator is started here on loopback and the environment points at it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.testing import record_mode
from langchain_dataforseo.testing import vcr_config as project_vcr_config

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
REPLAY_CREDENTIALS = {
    "login": "cassette-login",
    "password": "cassette-password",
    "base_url": "https://api.dataforseo.com",
}
_recording_server: list[EmulatorServer] = []


def cassette_model_params() -> dict[str, Any]:
    """Model arguments for cassette tests: dummy credentials on replay, none (env) to record."""
    return dict(REPLAY_CREDENTIALS) if record_mode() == "none" else {}


def pytest_configure(config: pytest.Config) -> None:
    if record_mode() == "none" or os.environ.get("DATAFORSEO_BASE_URL"):
        return
    login, password = "emulator-login", "emulator-password"
    server = EmulatorServer(Emulator(EmulatorConfig(login=login, password=password)), port=0)
    server.__enter__()
    _recording_server.append(server)
    os.environ.update(
        DATAFORSEO_BASE_URL=server.base_url, DATAFORSEO_LOGIN=login, DATAFORSEO_PASSWORD=password
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    while _recording_server:
        _recording_server.pop().__exit__(None, None, None)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return project_vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1]
    return str(CASSETTES / module)
