"""Parsing LLM Scraper answers: cited vs found-in, fan-out, brands, typed items, cost."""

from __future__ import annotations

from typing import Any

from langchain_dataforseo.scraper._parse import (
    answer_markdown,
    brand_entities,
    cited_sources,
    parse_answer,
    search_results,
    typed_items,
)


def chat_gpt_task() -> dict[str, Any]:
    source_a = {"type": "source", "title": "A", "url": "https://a.example/x", "domain": "a.example"}
    source_b = {"type": "source", "title": "B", "url": "https://b.example/y", "domain": "b.example"}
    return {
        "id": "12011234-1234-0000-0000-000000000001",
        "status_code": 20000,
        "cost": 0.004,
        "data": {"api": "ai_optimization", "function": "llm_scraper", "tag": "t1"},
        "result": [
            {
                "keyword": "best crm",
                "location_code": 2840,
                "language_code": "en",
                "model": "gpt-5",
                "check_url": "https://chatgpt.com/?q=best+crm",
                "datetime": "2026-12-02 05:00:00 +00:00",
                "markdown": "## Best CRM\nHubSpot is popular [A](https://a.example/x).",
                "search_results": [
                    {"type": "search_result", "url": "https://a.example/x", "title": "A"},
                    {"type": "search_result", "url": "https://c.example/z", "title": "C"},
                    {"type": "search_result", "url": "https://c.example/z", "title": "C"},
                ],
                "sources": [source_a],
                "fan_out_queries": ["best crm 2026", None, "crm for small business"],
                "brand_entities": [{"type": "brand_entity", "title": "HubSpot", "category": "CRM"}],
                "item_types": ["chat_gpt_text", "chat_gpt_table", "chat_gpt_products"],
                "items": [
                    {
                        "type": "chat_gpt_text",
                        "markdown": "HubSpot is popular.",
                        "sources": [source_a, source_b],
                        "brand_entities": [
                            {"type": "brand_entity", "title": "hubspot"},
                            {"type": "brand_entity", "title": "Pipedrive"},
                        ],
                    },
                    {
                        "type": "chat_gpt_table",
                        "table": {"table_header": ["CRM", "Price"], "table_content": [["X", "$1"]]},
                    },
                    {"type": "chat_gpt_products", "items": [{"type": "product", "title": "P"}]},
                    {"type": "chat_gpt_new_widget", "x": 1},
                ],
            }
        ],
    }


def test_cited_are_top_level_then_item_sources_without_duplicates() -> None:
    result = chat_gpt_task()["result"][0]
    urls = [s["url"] for s in cited_sources(result)]
    assert urls == ["https://a.example/x", "https://b.example/y"]


def test_found_in_keeps_duplicates_and_marks_what_was_cited() -> None:
    result = chat_gpt_task()["result"][0]
    found = search_results(result, cited_sources(result))
    assert [(f["url"], f["cited"]) for f in found] == [
        ("https://a.example/x", True),
        ("https://c.example/z", False),
        ("https://c.example/z", False),
    ]


def test_brands_are_merged_case_insensitively() -> None:
    titles = [b["title"] for b in brand_entities(chat_gpt_task()["result"][0])]
    assert titles == ["HubSpot", "Pipedrive"]


def test_items_are_grouped_by_kind_and_unknown_types_kept() -> None:
    items = typed_items(chat_gpt_task()["result"][0])
    assert items["tables"][0]["table"]["table_header"] == ["CRM", "Price"]
    assert items["products"][0]["items"][0]["title"] == "P"
    assert items["chat_gpt_new_widget"] == [{"type": "chat_gpt_new_widget", "x": 1}]
    assert typed_items({"items": [{"no": "type"}, None]}) == {"unknown": [{"no": "type"}]}


def test_markdown_falls_back_to_the_items() -> None:
    result = {
        "markdown": None,
        "items": [{"markdown": "one"}, {"markdown": ""}, {"markdown": "two"}],
    }
    assert answer_markdown(result) == "one\n\ntwo"


def test_parse_answer_fills_everything() -> None:
    answer = parse_answer("chat_gpt", chat_gpt_task())
    assert answer.markdown.startswith("## Best CRM")
    assert answer.fan_out_queries == ["best crm 2026", "crm for small business"]
    assert answer.cost == 0.004
    assert answer.task_id == "12011234-1234-0000-0000-000000000001"
    assert answer.tag == "t1"
    meta = answer.metadata()
    assert meta["sources"] == ["https://a.example/x", "https://b.example/y"]
    assert [f["cited"] for f in meta["found_in"]] == [True, False, False]
    assert meta["model"] == "gpt-5"
    assert meta["location_code"] == 2840


def test_gemini_answer_without_search_results_or_fan_out() -> None:
    task = {
        "id": "x",
        "cost": 0.003,
        "result": [
            {
                "markdown": "Gemini says",
                "sources": [{"url": "https://g.example"}],
                "items": [{"type": "gemini_table", "table": {}}],
            }
        ],
    }
    answer = parse_answer("gemini", task)
    assert answer.found_in == []
    assert answer.fan_out_queries == []
    assert list(answer.items) == ["tables"]


def test_bad_cost_reads_as_zero_and_missing_result_is_empty() -> None:
    answer = parse_answer("chat_gpt", {"cost": "a lot", "result": None})
    assert answer.cost == 0.0
    assert answer.markdown == ""
