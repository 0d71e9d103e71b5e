"""LLM Scraper: what a person sees in the ChatGPT and Gemini apps, for agents and loaders.

See ``REFERENCE.md`` in this folder for the API facts (tagged [D]/[C]/[O]/[I]).

Public names are loaded on first use, so importing a private module of this package (the
visibility run reads ``_request`` and ``_parse``) does not load the tool, the loader or
the chat model under them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_dataforseo.scraper._parse import ScraperAnswer, parse_answer
    from langchain_dataforseo.scraper._request import (
        MAX_KEYWORD_CHARS,
        SCRAPER_ENGINES,
        ScraperRequest,
        build_task,
    )
    from langchain_dataforseo.scraper._run import CollectSettings
    from langchain_dataforseo.scraper.loader import DataForSEOLLMScraperLoader
    from langchain_dataforseo.scraper.tool import DataForSEOLLMScraperTool, format_answer

_WHERE: dict[str, str] = {
    "MAX_KEYWORD_CHARS": "_request",
    "SCRAPER_ENGINES": "_request",
    "CollectSettings": "_run",
    "DataForSEOLLMScraperLoader": "loader",
    "DataForSEOLLMScraperTool": "tool",
    "ScraperAnswer": "_parse",
    "ScraperRequest": "_request",
    "build_task": "_request",
    "format_answer": "tool",
    "parse_answer": "_parse",
}
"""Public name to the module it is loaded from on first use."""

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
