"""LLM Mentions parsers: full rows, missing and null fields, envelopes with errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator._mentions import mentions_function, price
from langchain_dataforseo.errors import DataForSEOInvalidRequestError, DataForSEOPaymentError
from langchain_dataforseo.mentions._parse import (
    UnknownShapeError,
    first_result,
    format_metrics,
    format_rows,
    mention_document,
    parse_task,
    task_cost,
)
from langchain_dataforseo.mentions._parse import read_summary as metrics_summary

ROW: dict[str, Any] = {
    "platform": "chat_gpt",
    "model_name": "gpt-4o",
    "location_code": 2840,
    "language_code": "en",
    "question": "best crm for startups",
    "answer": "**HubSpot** and Pipedrive.",
    "sources": [
        {
            "title": "CRMs",
            "url": "https://g2.com/crm",
            "domain": "g2.com",
            "rank": 1,
            "thumbnail": None,
            "markdown": None,
        },
        "not an object",
    ],
    "search_results": [{"url": "https://x.com"}],
    "ai_search_volume": 880,
    "monthly_searches": [{"year": 2025, "month": 10, "search_volume": 900}],
    "first_response_at": "2025-08-02 10:00:00 +00:00",
    "last_response_at": "2025-10-21 06:25:30 +00:00",
    "brand_entities": [{"title": "HubSpot", "category": "CRM software", "rank": 1}],
    "fan_out_queries": ["crm pricing", 3],
    "is_web_search_based": True,
}


def test_a_full_row_becomes_a_document_with_every_documented_field() -> None:
    doc = mention_document(ROW, task_id="t1", cost=0.0102)
    assert doc.page_content == "**HubSpot** and Pipedrive."
    meta = doc.metadata
    assert meta["question"] == "best crm for startups"
    assert meta["sources"] == [
        {"title": "CRMs", "url": "https://g2.com/crm", "domain": "g2.com", "rank": 1}
    ]
    assert meta["brand_entities"] == [{"title": "HubSpot", "category": "CRM software", "rank": 1}]
    assert meta["ai_search_volume"] == 880
    assert meta["monthly_searches"][0]["search_volume"] == 900
    assert meta["first_seen"] == "2025-08-02 10:00:00 +00:00"
    assert meta["last_seen"] == "2025-10-21 06:25:30 +00:00"
    assert meta["fan_out_queries"] == ["crm pricing"]
    assert (meta["task_id"], meta["call_cost"]) == ("t1", 0.0102)


def test_a_google_row_with_nulls_parses_to_empty_values() -> None:
    row = {"platform": "google", "question": None, "answer": None, "sources": None,
           "brand_entities": None, "fan_out_queries": None, "monthly_searches": None}  # fmt: skip
    doc = mention_document(row, task_id=None, cost=0.0)
    assert doc.page_content == ""
    assert doc.metadata["question"] == ""
    assert doc.metadata["sources"] == []
    assert doc.metadata["brand_entities"] == []
    assert doc.metadata["first_seen"] is None


def test_metrics_summary_keeps_every_group_and_tolerates_missing_ones() -> None:
    summary = metrics_summary(
        {"total": {"mentions": 12, "ai_search_volume": 3400},
         "platform": [{"key": "google", "mentions": 12, "ai_search_volume": 3400}, None]},
        "m",
    )  # fmt: skip
    assert summary["total"] == {"mentions": 12, "ai_search_volume": 3400}
    assert summary["platform"] == [{"key": "google", "mentions": 12, "ai_search_volume": 3400}]
    assert summary["brand_entities_title"] == []
    text = format_metrics(summary)
    assert text.splitlines() == [
        "Total: 12 mentions, AI search volume 3400.",
        "platform: google (12 mentions, volume 3400)",
    ]
    with pytest.raises(UnknownShapeError, match="an empty object"):
        metrics_summary({}, "m")  # issue 19: never an empty total for an unknown shape


def test_format_rows() -> None:
    rows = [{"domain": "g2.com", "metrics": {"total": {"mentions": 4, "ai_search_volume": 10}}}]
    assert format_rows(rows, "domain") == "1. g2.com: 4 mentions, AI search volume 10"
    assert format_rows([], "domain") == "No mentions found for this target."


def envelope(task: dict[str, Any], status: int = 20000) -> httpx.Response:
    body = {"status_code": status, "status_message": "x", "cost": task.get("cost", 0),
            "tasks": [task]}  # fmt: skip
    return httpx.Response(200, content=json.dumps(body).encode())


def test_parse_task_returns_the_task_and_tolerates_a_null_result() -> None:
    task = parse_task(
        envelope({"id": "a", "status_code": 20000, "cost": 0.1, "result": None}), where="w"
    )
    assert first_result(task) == {}
    assert task_cost(task) == 0.1
    assert task_cost({"cost": None}) == 0.0


def test_parse_task_raises_typed_errors_with_code_and_task_id() -> None:
    with pytest.raises(DataForSEOInvalidRequestError) as info:
        parse_task(
            envelope(
                {"id": "t-9", "status_code": 40501, "status_message": "Invalid Field: 'limit'."}
            ),
            where="w",
        )
    assert (info.value.status_code, info.value.task_id) == (40501, "t-9")
    with pytest.raises(DataForSEOPaymentError):
        parse_task(envelope({"id": "t-1", "status_code": 40200}), where="w")


@pytest.mark.parametrize(
    ("path", "method", "expected"),
    [
        ("search/live", "POST", "search_mentions"),
        ("search_mentions/live", "POST", "search_mentions"),
        ("aggregated_metrics/live", "POST", "target_metrics"),
        ("top_domains/live", "POST", "top_mentioned_domains"),
        ("top_mentioned_brands/live", "POST", "top_mentioned_brands"),
        ("locations_and_languages", "GET", "locations_and_languages"),
        ("search_mentions/live", "GET", None),
        ("locations_and_languages", "POST", None),
        ("search_mentions", "POST", None),
        ("nope/live", "POST", None),
    ],
)
def test_emulator_routes_current_and_legacy_names(
    path: str, method: str, expected: str | None
) -> None:
    segments = ("v3", "ai_optimization", "llm_mentions", *path.split("/"))
    assert mentions_function(segments, method) == expected


def test_emulator_prices() -> None:
    assert price("search_mentions", 3) == pytest.approx(0.0103)
    assert price("top_mentioned_domains", 2) == pytest.approx(0.102)
    assert price("target_metrics", 0) == pytest.approx(0.1)
    assert price("locations_and_languages", 0) == 0.0
