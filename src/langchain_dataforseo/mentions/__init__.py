"""LLM Mentions: what AI engines already answered, without paying for new prompts.

A retriever over ``search_mentions`` rows and agent tools over target metrics, top
mentioned domains / pages / brands and history. See REFERENCE.md for the API facts used.

Modules: ``_endpoints`` (the endpoint table, the published limits, the price bound [I],
and one call through the package client, counted in ``track_costs``), ``_request`` (a task
built and checked before anything is sent), ``_parse`` (answers read: rows as
Documents, fields by type, metrics in every documented shape), and the public ``lists``,
``retrievers`` and ``tools`` (the tools with their argument schemas).
"""

from langchain_dataforseo.mentions._endpoints import ENDPOINTS, LEGACY_NAMES, endpoint
from langchain_dataforseo.mentions._request import build_task, domain_target, keyword_target
from langchain_dataforseo.mentions.lists import (
    aavailable_filters,
    alocations_and_languages,
    available_filters,
    locations_and_languages,
)
from langchain_dataforseo.mentions.retrievers import DataForSEOLLMMentionsRetriever
from langchain_dataforseo.mentions.tools import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
)

__all__ = [
    "ENDPOINTS",
    "LEGACY_NAMES",
    "DataForSEOLLMMentionsCompareTool",
    "DataForSEOLLMMentionsHistoryTool",
    "DataForSEOLLMMentionsRetriever",
    "DataForSEOLLMMentionsTargetMetricsTool",
    "DataForSEOLLMMentionsTopMentionedTool",
    "aavailable_filters",
    "alocations_and_languages",
    "available_filters",
    "build_task",
    "domain_target",
    "endpoint",
    "keyword_target",
    "locations_and_languages",
]
