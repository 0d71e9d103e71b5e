"""Local emulator of DataForSEO's AI Optimization "LLM Responses" API.

A faithful stand-in (auth, envelopes, per-engine validation, deterministic answers, Standard
task lifecycle with pingback/postback, limits, billing ledger, fault injection) for tests,
cassette recording, benchmarks and offline development. Standard library only, plus ``httpx``
for the in-process transports. Never sends traffic off the machine. Bounded against hostile
local clients: credentials and the body size are checked before a body is read (8 MiB,
``max_body_bytes``), idle and slow connections are closed (``idle_timeout``,
``request_timeout``), and JSON nested past 100 levels is answered 40503.

Example:
    >>> import httpx
    >>> from langchain_dataforseo.emulator import Emulator, EmulatorTransport
    >>> emu = Emulator()
    >>> client = httpx.Client(
    ...     transport=EmulatorTransport(emu),
    ...     base_url="http://emulator.local",
    ...     auth=("emulator-login", "emulator-password"),
    ... )
    >>> r = client.post(
    ...     "/v3/ai_optimization/chat_gpt/llm_responses/live",
    ...     json=[{"user_prompt": "hi there", "model_name": "gpt-4o-mini"}],
    ... )
    >>> r.json()["tasks"][0]["status_code"]
    20000
"""

from ._app import Emulator
from ._brands import BrandCatalogue, CatalogueBrand, CatalogueDomain, emulator_catalogue_note
from ._config import EmulatorConfig
from ._envelope import Exchange, Reply
from ._server import AsyncEmulatorTransport, EmulatorServer, EmulatorTransport

__all__ = [
    "AsyncEmulatorTransport",
    "BrandCatalogue",
    "CatalogueBrand",
    "CatalogueDomain",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "EmulatorTransport",
    "Exchange",
    "Reply",
    "emulator_catalogue_note",
]
