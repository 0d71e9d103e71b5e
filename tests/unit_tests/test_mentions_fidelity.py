"""LLM Mentions against the API's documented shapes (issue 19, points 3, 5, 6, 7 and 8).

Every answer here is a documented shape, served by a real HTTP server on 127.0.0.1
(``tests/loopback.py``; nothing leaves the machine; the emulator is not used, as it answers
the Lite and brand-category endpoints 40402). Where each shape comes from is said at the
fixture: the official client ``dataforseo-client`` 2.1.10 (``models/...``), the
help-center article on Lite endpoints, an older docs copy, or issue 19's report.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsRetriever,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
    build_task,
    endpoint,
)
from langchain_dataforseo.mentions._endpoints import MAX_KEYWORD_CHARS
from langchain_dataforseo.mentions._parse import UnknownShapeError, read_summary, target_summary
from tests.loopback import serve


class Served:
    """A mock API: records each request's path and body, answers one documented result."""

    def __init__(self, result: dict[str, Any] | None, cost: float = 0.1) -> None:
        self.result = result
        self.cost = cost
        self.paths: list[str] = []
        self.bodies: list[Any] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self.bodies.append(json.loads(request.content) if request.content else None)
        task = {
            "id": "11051522-1535-0651-0000-d0e9d3a5e1f2",
            "status_code": 20000,
            "status_message": "Ok.",
            "cost": self.cost,
            "result_count": 1,
            "path": request.url.path.strip("/").split("/"),
            "data": {"api": "ai_optimization", "function": "llm_mentions"},
            "result": None if self.result is None else [self.result],
        }
        envelope = {
            "version": "0.1.20260610",
            "status_code": 20000,
            "status_message": "Ok.",
            "cost": self.cost,
            "tasks_count": 1,
            "tasks_error": 0,
            "tasks": [task],
        }
        return httpx.Response(200, json=envelope)

    def client(self) -> DataForSEOClient:
        return DataForSEOClient(
            login="l",
            password="p",
            base_url=serve(self, self.handler),  # a real server on 127.0.0.1
        )


def call(tool: BaseTool, **args: Any) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


def group(key: str, mentions: int, volume: int) -> dict[str, Any]:
    return {"key": key, "mentions": mentions, "ai_search_volume": volume}


# SDK 2.1.10 models/ai_optimization_llm_mentions_target_metrics_live_result_info.py:
# total_count, offset, items_count "always 0", items "equals null", the totals in
# aggregated_metrics (llm_mentions_aggregated_metrics_info.py: the groups and total
# {mentions, ai_search_volume}). 855 mentions: the firm of issue 19's report, which a raw
# API user read as none by reading ``items``.
TARGET_METRICS: dict[str, Any] = {
    "total_count": 0,
    "offset": 0,
    "items_count": 0,
    "aggregated_metrics": {
        "location": [group("2840", 855, 120000)],
        "language": [group("en", 855, 120000)],
        "platform": [group("google", 700, 90000), group("chat_gpt", 155, 30000)],
        "sources_domain": [group("hubspot.com", 300, 50000)],
        "search_results_domain": [],
        "brand_entities_title": [group("HubSpot", 80, 9000)],
        "brand_entities_category": [group("CRM software", 80, 9000)],
        "total": {"mentions": 855, "ai_search_volume": 120000},
    },
    "items": None,
}

# The older docs' shape (docs.dataforseo.com "top_domains/live" field list as mirrored by
# aisa.one: ``result.total.location[].{type, key, mentions, ai_search_volume,
# impressions}``): ``total`` is itself the grouped object, no flat totals.
OLDER_TOTAL: dict[str, Any] = {
    "total": {
        "platform": [
            {"type": "group_element", "key": "google", "mentions": 700,
             "ai_search_volume": 90000, "impressions": 400000},
            {"type": "group_element", "key": "chat_gpt", "mentions": 155,
             "ai_search_volume": 30000, "impressions": 80000},
        ],
        "location": [
            {"type": "group_element", "key": "2840", "mentions": 855,
             "ai_search_volume": 120000, "impressions": 480000},
        ],
    }
}  # fmt: skip

# Issue 19's report: domain keys as Markdown links mixed with bare domains.
LINK_KEYS: dict[str, Any] = {
    "total": {"mentions": 40, "ai_search_volume": 700},
    "sources_domain": [
        group("[www.hubspot.com](https://www.hubspot.com)", 25, 400),
        group("www.hubspot.com", 5, 100),
        group("g2.com", 10, 200),
    ],
}

# SDK 2.1.10 models/ai_optimization_llm_mentions_target_metrics_lite_live_item.py: an item
# is {location (int), language, platform, metrics {mentions, ai_search_volume}};
# ..._lite_live_result_info.py: aggregated_metrics "always returns null".
LITE_TARGET: dict[str, Any] = {
    "total_count": 2,
    "offset": 0,
    "items_count": 2,
    "aggregated_metrics": None,
    "items": [
        {"location": 2840, "language": "en", "platform": "google",
         "metrics": {"mentions": 700, "ai_search_volume": 90000}},
        {"location": 2840, "language": "en", "platform": "chat_gpt",
         "metrics": {"mentions": 155, "ai_search_volume": 30000}},
    ],
}  # fmt: skip


# -- point 6: target_metrics totals in every documented shape ------------------------------


def test_the_totals_are_read_from_aggregated_metrics_not_items() -> None:
    served = Served(TARGET_METRICS)
    tool = DataForSEOLLMMentionsTargetMetricsTool(client=served.client())
    message = call(tool, keywords=["hubspot"])
    assert message.status != "error"
    assert message.artifact["metrics"]["total"]["mentions"] == 855
    assert "Total: 855 mentions" in str(message.content)
    assert served.paths == ["/v3/ai_optimization/llm_mentions/target_metrics/live"]


def test_the_older_grouped_total_is_summed_from_a_complete_grouping() -> None:
    summary = target_summary(OLDER_TOTAL)
    assert summary["total"]["mentions"] == 855
    assert summary["total"]["impressions"] == 480000
    assert "platform" in summary["total"]["from"]
    assert summary["location"][0]["impressions"] == 480000
    served = Served(OLDER_TOTAL)
    message = call(DataForSEOLLMMentionsTargetMetricsTool(client=served.client()), keywords=["x"])
    assert "Total: 855 mentions" in str(message.content)
    assert "impressions 480000" in str(message.content)


def test_markdown_link_keys_are_read_as_their_domain_and_merged_with_bare_ones() -> None:
    rows = read_summary(LINK_KEYS, "m")["sources_domain"]
    assert rows[0] == {
        "key": "www.hubspot.com",
        "mentions": 30,
        "ai_search_volume": 500,
        "url": "https://www.hubspot.com",
        "raw_keys": ["[www.hubspot.com](https://www.hubspot.com)", "www.hubspot.com"],
    }
    assert rows[1] == group("g2.com", 10, 200)


def test_lite_items_are_summed_into_the_totals() -> None:
    summary = target_summary(LITE_TARGET)
    assert summary["total"]["mentions"] == 855
    assert [g["key"] for g in summary["platform"]] == ["google", "chat_gpt"]
    assert summary["location"] == [group(2840, 855, 120000)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "result",
    [
        {"aggregated_metrics": {}, "items": None},
        {"aggregated_metrics": None, "items": None},
        {"something_new": {"count": 855}},
    ],
)
def test_an_unknown_shape_is_named_never_an_empty_total(result: dict[str, Any]) -> None:
    with pytest.raises(UnknownShapeError, match="no metrics in any documented shape"):
        target_summary(result)
    tool = DataForSEOLLMMentionsTargetMetricsTool(client=Served(result).client())
    message = call(tool, keywords=["hubspot"])
    assert message.status == "error"
    assert "documented shape" in str(message.content)
    assert "Total: None" not in str(message.content)


# -- point 8: top_mentioned_brand_categories and the Lite endpoints ------------------------

# SDK 2.1.10 ..._top_mentioned_brand_categories_live_item.py: brand_category plus the groups
# and total; ..._top_mentioned_domains_lite_live_item.py: domain plus location, language,
# platform, metrics (the help-center article shows the same two answers side by side).
BRAND_CATEGORIES: dict[str, Any] = {
    "total_count": 1, "offset": 0, "items_count": 1,
    "aggregated_metrics": {"total": {"mentions": 80, "ai_search_volume": 9000}},
    "items": [{"brand_category": "CRM software", "platform": [group("chat_gpt", 80, 9000)],
               "total": {"mentions": 80, "ai_search_volume": 9000}}],
}  # fmt: skip
DOMAINS_LITE: dict[str, Any] = {
    "total_count": 2, "offset": 0, "items_count": 2, "aggregated_metrics": None,
    "items": [
        {"domain": "[www.hubspot.com](https://www.hubspot.com)", "location": 2840,
         "language": "en", "platform": "google",
         "metrics": {"mentions": 300, "ai_search_volume": 50000}},
        {"domain": "g2.com", "location": 2840, "language": "en", "platform": "google",
         "metrics": {"mentions": 120, "ai_search_volume": 20000}},
    ],
}  # fmt: skip


def test_top_mentioned_brand_categories_is_wrapped() -> None:
    served = Served(BRAND_CATEGORIES)
    tool = DataForSEOLLMMentionsTopMentionedTool(client=served.client())
    message = call(tool, keywords=["crm"], what="brand_categories", limit=5)
    assert served.paths == ["/v3/ai_optimization/llm_mentions/top_mentioned_brand_categories/live"]
    assert message.artifact["rows"][0]["brand_category"] == "CRM software"
    assert "1. CRM software: 80 mentions" in str(message.content)


def test_the_lite_endpoints_are_wrapped_and_read() -> None:
    served = Served(DOMAINS_LITE)
    tool = DataForSEOLLMMentionsTopMentionedTool(client=served.client())
    message = call(tool, keywords=["crm"], lite=True)
    assert served.paths == ["/v3/ai_optimization/llm_mentions/top_mentioned_domains_lite/live"]
    first = message.artifact["rows"][0]
    assert (first["domain"], first["url"]) == ("www.hubspot.com", "https://www.hubspot.com")
    assert first["metrics"]["total"]["mentions"] == 300
    served = Served(LITE_TARGET)
    tool = DataForSEOLLMMentionsTargetMetricsTool(client=served.client())
    message = call(tool, keywords=["hubspot"], lite=True)
    assert served.paths == ["/v3/ai_optimization/llm_mentions/target_metrics_lite/live"]
    assert message.artifact["metrics"]["total"]["mentions"] == 855


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("top_mentioned_brand_categories", "include_brand_categories"),
        ("top_mentioned_brand_categories_lite", "exclude_brand_categories"),
        ("target_metrics_lite", "limit"),
        ("top_mentioned_pages_lite", "links_scope"),
        ("top_mentioned_brands_lite", "include_brands"),
    ],
)
def test_the_new_endpoints_take_their_sdk_fields(name: str, field: str) -> None:
    # fields from the SDK 2.1.10 request models of each endpoint
    value: Any = {"limit": 5, "links_scope": "sources"}.get(field, ["business"])
    task = build_task(endpoint(name), target=[{"keyword": "crm"}], **{field: value})
    assert task[field] == value
    assert endpoint(name).path == f"/v3/ai_optimization/llm_mentions/{name}/live"


# -- point 3: keywords travel escaped -------------------------------------------------------

# SDK 2.1.10 models/ai_optimization_l_lm_mentions_keyword_element.py: "all %## will be
# decoded (plus character '+' will be decoded to a space character) ... specify it as
# '%25' ... as '%2B'".


def test_keywords_are_sent_with_percent_and_plus_escaped() -> None:
    served = Served({"total_count": 0, "items_count": 0, "items": []}, cost=0.01)
    retriever = DataForSEOLLMMentionsRetriever(client=served.client())
    retriever.invoke("c++ 100% guide")
    asyncio.run(retriever.ainvoke("a+b"))
    sent = [body[0]["target"][0]["keyword"] for body in served.bodies]
    assert sent == ["c%2B%2B 100%25 guide", "a%2Bb"]
    served = Served(TARGET_METRICS)
    call(DataForSEOLLMMentionsTargetMetricsTool(client=served.client()), keywords=["50%"])
    assert served.bodies[0][0]["target"][0]["keyword"] == "50%25"


def test_the_keyword_limit_counts_the_text_as_sent() -> None:
    fits = "a" * MAX_KEYWORD_CHARS
    search = endpoint("search_mentions")
    assert build_task(search, target=[{"keyword": fits}])["target"][0]["keyword"] == fits
    with pytest.raises(DataForSEOInputError) as info:
        build_task(search, target=[{"keyword": "%" + "a" * (MAX_KEYWORD_CHARS - 2)}])
    assert info.value.field == "target[0].keyword"
    assert (info.value.limit, info.value.actual) == (MAX_KEYWORD_CHARS, MAX_KEYWORD_CHARS + 1)
    assert "%25" in str(info.value)


# -- point 5: nothing documented is dropped from a mention row ------------------------------

# SDK 2.1.10 ..._search_mentions_live_item.py (sources: sources.py with thumbnail and
# markdown; search_results: search_results.py) and ..._search_mentions_live_result_info.py.
SEARCH: dict[str, Any] = {
    "total_count": 1, "offset": 0, "search_after_token": "tok", "items_count": 1,
    "items": [{
        "platform": "chat_gpt", "model_name": "gpt-4o", "location_code": 2840,
        "language_code": "en", "question": "best crm", "answer": "HubSpot.",
        "sources": [{"title": "HubSpot", "url": "https://www.hubspot.com/", "domain":
                     "www.hubspot.com", "source_name": "HubSpot", "snippet": "CRM",
                     "rank": 1, "publication_date": None,
                     "thumbnail": "https://img.example/t.png", "markdown": "[HubSpot](...)"}],
        "search_results": [{"title": "G2 CRM", "url": "https://www.g2.com/crm", "domain":
                            "www.g2.com", "description": "Compare CRM", "breadcrumb":
                            "g2.com > crm", "rank": 1, "publication_date": None}],
        "ai_search_volume": 10, "monthly_searches": [], "first_response_at": None,
        "last_response_at": None, "brand_entities": [], "fan_out_queries": [],
        "is_web_search_based": True,
    }],
}  # fmt: skip


def test_the_retriever_keeps_search_results_and_every_source_field() -> None:
    retriever = DataForSEOLLMMentionsRetriever(client=Served(SEARCH, cost=0.0101).client())
    (doc,) = retriever.invoke("crm")
    source = doc.metadata["sources"][0]
    assert source["thumbnail"] == "https://img.example/t.png"
    assert source["markdown"] == "[HubSpot](...)"
    assert "publication_date" not in source  # null: nothing to keep
    result = doc.metadata["search_results"][0]
    assert (result["description"], result["breadcrumb"]) == ("Compare CRM", "g2.com > crm")
