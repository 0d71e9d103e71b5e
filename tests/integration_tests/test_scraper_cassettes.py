"""The LLM Scraper tool and loader replayed from cassettes (recorded against the emulator).

Re-record (see ``cassettes/README.md``):
``env -u DATAFORSEO_BASE_URL DATAFORSEO_VCR_RECORD_MODE=all python -m pytest
tests/integration_tests/test_scraper_cassettes.py``.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import ToolMessage

from langchain_dataforseo.scraper import DataForSEOLLMScraperLoader, DataForSEOLLMScraperTool
from langchain_dataforseo.testing import use_cassette

from .conftest import CASSETTES, cassette_model_params

HERE = CASSETTES / "test_scraper_cassettes"


def cassette(name: str) -> Path:
    return HERE / f"{name}.yaml"


def test_replayed_tool_call_is_an_answer_with_cited_and_found_in() -> None:
    tool = DataForSEOLLMScraperTool(**cassette_model_params())
    with use_cassette(cassette("tool_live_chat_gpt")):
        message = tool.invoke(
            {
                "type": "tool_call",
                "id": "c1",
                "name": tool.name,
                "args": {"keyword": "best crm for a small marketing agency"},
            }
        )
    assert isinstance(message, ToolMessage)
    assert message.status == "success"
    assert message.artifact["cited"]
    assert any(not r["cited"] for r in message.artifact["found_in"])
    assert message.artifact["cost"] > 0


def test_replayed_loader_gives_one_document_per_keyword() -> None:
    params = cassette_model_params()
    loader = DataForSEOLLMScraperLoader(
        ["best crm", "hubspot alternatives"],
        engine="gemini",
        login=params.get("login"),
        password=params.get("password"),
        base_url=params.get("base_url"),
    )
    with use_cassette(cassette("loader_live_gemini")):
        documents = loader.load()
    assert [d.metadata["keyword"] for d in documents] == ["best crm", "hubspot alternatives"]
    assert all(d.page_content for d in documents)
