"""LLM Scraper: what a person sees in the ChatGPT and Gemini apps, for agents and loaders.

See ``REFERENCE.md`` in this folder for the API facts (tagged [D]/[C]/[O]/[I]).
"""

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
