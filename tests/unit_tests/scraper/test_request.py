"""Validators of LLM Scraper requests: every refusal names the field, the limit and the value."""

from __future__ import annotations

import pytest

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.scraper._request import (
    MAX_KEYWORD_CHARS,
    ScraperRequest,
    build_task,
    escape_keyword,
)


def refused(engine: str, request: ScraperRequest, **kwargs: object) -> DataForSEOInputError:
    with pytest.raises(DataForSEOInputError) as info:
        build_task(engine, request, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_minimal_chat_gpt_task_has_only_what_was_set() -> None:
    task = build_task(
        "chat_gpt", ScraperRequest("best crm", location_code=2840, language_code="en")
    )
    assert task == {"keyword": "best crm", "location_code": 2840, "language_code": "en"}


def test_keyword_at_the_limit_passes_and_one_more_is_refused() -> None:
    build_task(
        "chat_gpt",
        ScraperRequest("k" * MAX_KEYWORD_CHARS, location_code=2840, language_code="en"),
    )
    error = refused(
        "chat_gpt",
        ScraperRequest("k" * (MAX_KEYWORD_CHARS + 1), location_code=2840, language_code="en"),
    )
    assert error.field == "keyword"
    assert error.limit == 2000
    assert error.actual == 2001
    assert "2000" in str(error)


def test_escaping_counts_toward_the_limit() -> None:
    # 1999 chars + one "%" -> "%25": 2002 characters sent
    error = refused(
        "chat_gpt",
        ScraperRequest("k" * 1999 + "%", location_code=2840, language_code="en"),
    )
    assert error.field == "keyword"
    assert error.actual == 2002


@pytest.mark.parametrize("keyword", ["", "   ", None, 12])
def test_empty_or_non_text_keyword_is_refused(keyword: object) -> None:
    error = refused("chat_gpt", ScraperRequest(keyword, location_code=2840, language_code="en"))  # type: ignore[arg-type]
    assert error.field == "keyword"


def test_percent_and_plus_are_escaped_so_the_api_sees_what_was_typed() -> None:
    assert escape_keyword("c++ 100% guide") == "c%2B%2B 100%25 guide"
    task = build_task("chat_gpt", ScraperRequest("c++", location_code=2840, language_code="en"))
    assert task["keyword"] == "c%2B%2B"


def test_a_location_is_required() -> None:
    error = refused("chat_gpt", ScraperRequest("kw", language_code="en"))
    assert error.field == "location_name"
    assert "location_code" in str(error)


def test_a_location_name_with_a_code_is_sent_as_the_docs_allow() -> None:
    # SDK 2.1.10 task_post/live models: location_name "required field if you don't specify
    # location_code ... if you use this field, you don't need to specify location_code":
    # optional, not forbidden. Both are sent as given (issue 19, point 7).
    task = build_task(
        "chat_gpt",
        ScraperRequest("kw", location_name="United States", location_code=2840, language_code="en"),
    )
    assert task["location_name"] == "United States"
    assert task["location_code"] == 2840
    gemini = build_task(
        "gemini",
        ScraperRequest(
            "kw", location_code=2840, location_coordinate="53.476225,-2.243572,200",
            language_code="en",
        ),
    )  # fmt: skip
    assert gemini["location_coordinate"] == "53.476225,-2.243572,200"


def test_two_locations_are_each_still_checked() -> None:
    error = refused(
        "chat_gpt", ScraperRequest("kw", location_name=" ", location_code=2840, language_code="en")
    )
    assert error.field == "location_name"
    error = refused(
        "chat_gpt", ScraperRequest("kw", location_name="US", location_code=0, language_code="en")
    )
    assert error.field == "location_code"


def test_a_language_is_required_and_both_forms_may_be_sent() -> None:
    assert refused("chat_gpt", ScraperRequest("kw", location_code=2840)).field == "language_code"
    task = build_task(
        "chat_gpt",
        ScraperRequest("kw", location_code=2840, language_code="en", language_name="English"),
    )
    assert (task["language_code"], task["language_name"]) == ("en", "English")


@pytest.mark.parametrize("code", [0, -5, True, "2840"])
def test_location_code_must_be_a_positive_integer(code: object) -> None:
    error = refused("chat_gpt", ScraperRequest("kw", location_code=code, language_code="en"))  # type: ignore[arg-type]
    assert error.field == "location_code"


def test_coordinate_is_gemini_only() -> None:
    error = refused(
        "chat_gpt",
        ScraperRequest("kw", location_coordinate="53.476225,-2.243572,200", language_code="en"),
    )
    assert error.field == "location_coordinate"
    task = build_task(
        "gemini",
        ScraperRequest("kw", location_coordinate="53.476225,-2.243572,200", language_code="en"),
    )
    assert task["location_coordinate"] == "53.476225,-2.243572,200"


@pytest.mark.parametrize(
    ("coordinate", "limit_word"),
    [
        ("53.4,-2.2", "latitude,longitude,radius"),
        ("91,0,200", "latitude"),
        ("0,181,200", "longitude"),
        ("53.12345678,0,200", "7 decimal"),
        ("0,0,198", "radius"),
        ("0,0,200000", "radius"),
        ("a,b,c", "latitude,longitude,radius"),
    ],
)
def test_bad_coordinates_are_refused(coordinate: str, limit_word: str) -> None:
    error = refused(
        "gemini", ScraperRequest("kw", location_coordinate=coordinate, language_code="en")
    )
    assert error.field == "location_coordinate"
    assert error.actual == coordinate
    assert limit_word in str(error.limit)


def test_force_web_search_on_chat_gpt_only() -> None:
    task = build_task(
        "chat_gpt",
        ScraperRequest("kw", location_code=2840, language_code="en", force_web_search=True),
    )
    assert task["force_web_search"] is True
    error = refused(
        "gemini",
        ScraperRequest("kw", location_code=2840, language_code="en", force_web_search=True),
    )
    assert error.field == "force_web_search"
    # false is Gemini's behaviour anyway: not sent, not refused
    task = build_task(
        "gemini",
        ScraperRequest("kw", location_code=2840, language_code="en", force_web_search=False),
    )
    assert "force_web_search" not in task


def test_tag_limit() -> None:
    build_task("chat_gpt", ScraperRequest("kw", location_code=1, language_code="en", tag="t" * 255))
    error = refused(
        "chat_gpt", ScraperRequest("kw", location_code=1, language_code="en", tag="t" * 256)
    )
    assert (error.field, error.limit, error.actual) == ("tag", 255, 256)


def test_unknown_engine_is_refused() -> None:
    error = refused("claude", ScraperRequest("kw", location_code=2840, language_code="en"))
    assert error.field == "engine"
    assert error.actual == "claude"


def test_priority_is_standard_only_and_one_or_two() -> None:
    request = ScraperRequest("kw", location_code=2840, language_code="en")
    assert build_task("chat_gpt", request, method="standard", priority=2)["priority"] == 2
    assert refused("chat_gpt", request, method="standard", priority=3).field == "priority"
    assert refused("chat_gpt", request, method="live", priority=2).field == "priority"
