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

# The modules, one concept each, lower ones first (each imports only the ones above it):
#   _envelope   envelopes, task objects, time formats, Reply / Exchange; a request body
#               taken in, bounded (shared by every way of serving)
#   _brands     the prompt as words (topic, subject, named); the brand truth (catalogue,
#               built-in default, brand answers, asking an emulator)
#   _responses  LLM Responses: each engine's models, task validation, deterministic answers,
#               JSON answers
#   _config     EmulatorConfig, seeded fault injection, rate limits and the concurrency cap
#   _store      task ids, Standard tasks, the billing ledger, pingback / postback delivery
#   _mentions   LLM Mentions: routes, checks, deterministic data, prices
#   _scraper    LLM Scraper: routes, checks, Standard tasks, answers, items, app brand answers
#   _app        Emulator: routing, auth, limits, faults, the LLM Responses endpoints
#   _server     EmulatorServer (HTTP/1.1) and the httpx transports (the only httpx import)
#   __main__    the command line
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
