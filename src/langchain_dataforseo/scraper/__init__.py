"""LLM Scraper: what a person sees in the ChatGPT and Gemini apps, for agents and loaders.

See ``REFERENCE.md`` in this folder for the API facts (tagged [D]/[C]/[O]/[I]).

Public names are loaded on first use, so importing a private module of this package (the
visibility run reads ``_request`` and ``_parse``) does not load the tool, the loader or
the chat model under them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; each name is loaded on first use
    from langchain_dataforseo._standard.queue import CollectSettings as CollectSettings
    from langchain_dataforseo.scraper._parse import ScraperAnswer as ScraperAnswer
    from langchain_dataforseo.scraper._parse import parse_answer as parse_answer
    from langchain_dataforseo.scraper._request import MAX_KEYWORD_CHARS as MAX_KEYWORD_CHARS
    from langchain_dataforseo.scraper._request import SCRAPER_ENGINES as SCRAPER_ENGINES
    from langchain_dataforseo.scraper._request import ScraperRequest as ScraperRequest
    from langchain_dataforseo.scraper._request import build_task as build_task
    from langchain_dataforseo.scraper.loader import (
        DataForSEOLLMScraperLoader as DataForSEOLLMScraperLoader,
    )
    from langchain_dataforseo.scraper.tool import (
        DataForSEOLLMScraperTool as DataForSEOLLMScraperTool,
    )
    from langchain_dataforseo.scraper.tool import format_answer as format_answer

_WHERE: dict[str, str] = {
    "ScraperAnswer": "_parse",
    "parse_answer": "_parse",
    "MAX_KEYWORD_CHARS": "_request",
    "SCRAPER_ENGINES": "_request",
    "ScraperRequest": "_request",
    "build_task": "_request",
    "CollectSettings": "_calls",  # defined by the Standard queue (``_standard.queue``)
    "DataForSEOLLMScraperLoader": "loader",
    "DataForSEOLLMScraperTool": "tool",
    "format_answer": "tool",
}
"""Public name to the module it is loaded from on first use (the loader and the tool
bring langchain-core's document loaders and tools: only when asked for)."""

__all__ = [
    "MAX_KEYWORD_CHARS",
    "SCRAPER_ENGINES",
    "CollectSettings",
    "DataForSEOLLMScraperLoader",
    "DataForSEOLLMScraperTool",
    "ScraperAnswer",
    "ScraperRequest",
    "build_task",
    "format_answer",
    "parse_answer",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'langchain_dataforseo.scraper' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f"langchain_dataforseo.scraper.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
