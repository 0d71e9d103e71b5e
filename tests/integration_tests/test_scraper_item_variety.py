"""The LLM Scraper loader reads every documented item type and the sandbox's prefixed names.

The emulator now answers with the item types of client 2.1.10 (navigation lists, images,
local businesses, ads, Gemini images) and with ``type`` values prefixed by the engine, as
sandbox answers have them (``chat_gpt_source``, ``chat_gpt_brand_entity``). The package
never keys on those names (sources and brand entities are read by place, items by their
full ``type``), so prefixed and bare names read alike: both are checked here.
"""

from __future__ import annotations

from typing import Any

import httpx

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.scraper import DataForSEOLLMScraperLoader
from langchain_dataforseo.scraper._parse import parse_answer

LOGIN, PASSWORD = "variety-login", "variety-password"
KEYWORDS = [f"garden tools {i}" for i in range(12)]


def _client(emu: Emulator) -> DataForSEOClient:
    return DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )


def test_loader_keeps_every_item_kind_and_reads_prefixed_sources_and_brands() -> None:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    kinds: set[str] = set()
    for engine in ("chat_gpt", "gemini"):
        loader = DataForSEOLLMScraperLoader(KEYWORDS, engine=engine, client=_client(emu))
        for document in loader.load():
            meta = document.metadata
            kinds |= {f"{engine}:{kind}" for kind in meta["items"]}
            assert meta["cited"], "prefixed source types are read"
            assert {s["type"] for s in meta["cited"]} <= {f"{engine}_source"}
            if engine == "chat_gpt":
                assert meta["brand_entities"]
                assert {b["type"] for b in meta["brand_entities"]} == {"chat_gpt_brand_entity"}
    assert kinds == {
        "chat_gpt:text",
        "chat_gpt:tables",
        "chat_gpt:products",
        "chat_gpt:navigation_lists",
        "chat_gpt:images",
        "chat_gpt:local_businesses",
        "chat_gpt:ads",
        "gemini:text",
        "gemini:tables",
        "gemini:images",
    }


def _task(source_type: str, entity_type: str) -> dict[str, Any]:
    return {
        "status_code": 20000,
        "result": [
            {
                "markdown": "Acme is good.",
                "sources": [{"type": source_type, "url": "https://acme.example/a"}],
                "brand_entities": [{"type": entity_type, "title": "Acme"}],
                "items": [
                    {
                        "type": "chat_gpt_navigation_list",
                        "title": "More",
                        "sources": [{"type": source_type, "url": "https://b.example/"}],
                    }
                ],
            }
        ],
    }


def test_prefixed_and_bare_type_names_read_alike() -> None:
    sandbox = parse_answer("chat_gpt", _task("chat_gpt_source", "chat_gpt_brand_entity"))
    bare = parse_answer("chat_gpt", _task("source", "brand_entity"))
    for answer in (sandbox, bare):
        assert [s["url"] for s in answer.cited] == ["https://acme.example/a", "https://b.example/"]
        assert [b["title"] for b in answer.brand_entities] == ["Acme"]
        assert list(answer.items) == ["navigation_lists"]
