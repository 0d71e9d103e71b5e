"""The LLM Scraper against the API's documented shapes (issue 19, points 4, 5, 7 and 8).

Answers are documented shapes served by a real HTTP server on 127.0.0.1
(``tests/loopback.py``); where each comes from is said at the fixture (the official client
``dataforseo-client`` 2.1.10, ``shared/reference/dataforseo_api.md``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.protocol import CollectState
from langchain_dataforseo._standard.queue import Collected, raw_outcomes
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOInputError,
    DataForSEONotFoundError,
)
from langchain_dataforseo.scraper import DataForSEOLLMScraperLoader, ScraperRequest, build_task
from langchain_dataforseo.scraper import _request as scraper_request
from langchain_dataforseo.scraper._request import (
    SCRAPER_APPS,
    SCRAPER_ENGINES,
    ScraperApp,
    check_engine,
    scraper_url,
)
from tests.loopback import serve

TASK_ID = "07281559-0695-0632-0000-9d4b1f1d1a5e"
SECRET = "s3cr3t-receiver-token"
POSTBACK = f"https://receiver.example/pb?secret={SECRET}&id=$id"
PINGBACK = f"https://receiver.example/ping/{SECRET}?id=$id&tag=$tag"

# SDK 2.1.10 models/ai_optimization_chat_gpt_llm_scraper_live_advanced_result_info.py:
# keyword, location_code, language_code, model, check_url, datetime, markdown, sources,
# search_results, fan_out_queries, brand_entities, se_results_count, item_types,
# items_count, items.
RESULT: dict[str, Any] = {
    "keyword": "best crm", "location_code": 2840, "language_code": "en",
    "model": "gpt-5", "check_url": "https://chatgpt.com/?q=best+crm",
    "datetime": "2026-07-01 10:00:00 +00:00", "markdown": "HubSpot [1]",
    "sources": [{"type": "chat_gpt_source", "title": "HubSpot", "url": "https://www.hubspot.com/"}],
    "search_results": [], "fan_out_queries": ["best crm 2026"], "brand_entities": [],
    "se_results_count": 12, "item_types": ["chat_gpt_text"], "items_count": 1,
    "items": [{"type": "chat_gpt_text", "rank_group": 1, "rank_absolute": 1,
               "markdown": "HubSpot [1]"}],
}  # fmt: skip


def envelope(*tasks: dict[str, Any]) -> dict[str, Any]:
    return {"version": "0.1.20260610", "status_code": 20000, "status_message": "Ok.",
            "cost": sum(t.get("cost", 0) for t in tasks), "tasks_count": len(tasks),
            "tasks_error": 0, "tasks": list(tasks)}  # fmt: skip


class Served:
    """A mock API; each request's path and body is recorded."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.paths: list[str] = []
        self.bodies: list[Any] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self.bodies.append(json.loads(request.content) if request.content else None)
        return httpx.Response(200, json=self.answer(request))

    def client(self) -> DataForSEOClient:
        return DataForSEOClient(
            login="l",
            password="p",
            base_url=serve(self, self.handler),  # a real server on 127.0.0.1
        )


def nothing(request: httpx.Request) -> dict[str, Any]:
    raise AssertionError(f"nothing may be sent: {request.url}")


# -- point 4: priority ---------------------------------------------------------------------


@pytest.mark.parametrize("priority", [3, 0, True, "2"])
def test_an_unknown_priority_is_an_input_error_before_any_request(priority: Any) -> None:
    served = Served(nothing)
    with pytest.raises(DataForSEOInputError) as info:
        DataForSEOLLMScraperLoader(
            ["kw"], method="standard", priority=priority, client=served.client()
        )
    assert (info.value.field, info.value.limit, info.value.actual) == ("priority", [1, 2], priority)
    assert "priority" in str(info.value)
    assert served.paths == []


def test_priority_on_live_and_an_unknown_method_are_refused_when_built() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        DataForSEOLLMScraperLoader(
            ["kw"], method="live", priority=2, client=Served(nothing).client()
        )
    assert info.value.field == "priority"
    with pytest.raises(DataForSEOInputError) as info:
        DataForSEOLLMScraperLoader(["kw"], method="batch", client=Served(nothing).client())  # type: ignore[arg-type]
    assert (info.value.field, info.value.actual) == ("method", "batch")


# -- point 5: se_results_count and items_count ---------------------------------------------


def test_se_results_count_and_items_count_reach_the_document() -> None:
    task = {"id": TASK_ID, "status_code": 20000, "status_message": "Ok.", "cost": 0.004,
            "data": {"keyword": "best crm"}, "result": [RESULT]}  # fmt: skip
    served = Served(lambda request: envelope(task))
    (doc,) = DataForSEOLLMScraperLoader(["best crm"], client=served.client()).load()
    assert (doc.metadata["se_results_count"], doc.metadata["items_count"]) == (12, 1)
    assert served.paths == ["/v3/ai_optimization/chat_gpt/llm_scraper/live/advanced"]


# -- point 8: callbacks on Standard --------------------------------------------------------


def test_standard_callbacks_are_sent_and_never_shown() -> None:
    # task_post answer: dataforseo_api.md section "task_post" (20100 "Task Created.");
    # task_get/advanced: the live result above, ``data`` echoing the callback URLs (section 7).
    posted: list[Any] = []

    def answer(request: httpx.Request) -> dict[str, Any]:
        if request.url.path.endswith("/task_post"):
            posted.extend(json.loads(request.content))
            created = {"id": TASK_ID, "status_code": 20100, "status_message": "Task Created.",
                       "cost": 0.0012, "data": posted[0], "result": None}  # fmt: skip
            return envelope(created)
        assert "tasks_ready" not in request.url.path  # such tasks never show there
        return envelope({"id": TASK_ID, "status_code": 20000, "status_message": "Ok.",
                         "cost": 0, "data": posted[0], "result": [RESULT]})  # fmt: skip

    served = Served(answer)
    loader = DataForSEOLLMScraperLoader(
        ["best crm"],
        method="standard",
        pingback_url=PINGBACK,
        postback_url=POSTBACK,
        client=served.client(),
    )
    assert loader.collect_settings.use_tasks_ready is False
    (doc,) = loader.load()
    assert doc.page_content == "HubSpot [1]"
    sent = posted[0]
    assert (sent["pingback_url"], sent["postback_url"]) == (PINGBACK, POSTBACK)
    assert sent["postback_data"] == "advanced"  # required with postback_url; what we collect
    assert SECRET not in repr(loader) + repr(vars(loader)) + json.dumps(doc.metadata)


def test_the_raw_task_collected_hides_the_echoed_callback_urls() -> None:
    handle = TaskHandle(id=TASK_ID, engine="chat_gpt", tag="t")
    data = {"keyword": "kw", "postback_url": POSTBACK, "pingback_url": PINGBACK}
    got = Collected(done={TASK_ID: {"id": TASK_ID, "data": data, "result": [RESULT]}})
    (raw,) = raw_outcomes([handle], got, CollectState(), "LLM Scraper")
    assert SECRET not in json.dumps(raw)
    assert isinstance(raw, dict)
    assert raw["data"]["postback_url"].startswith("https://receiver.example/")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "live", "postback_url": POSTBACK}, "postback_url"),
        ({"method": "standard", "pingback_url": f"ftp://x/{SECRET}?k={SECRET}"}, "pingback_url"),
        ({"method": "standard", "postback_data": "advanced"}, "postback_data"),
        (
            {"method": "standard", "postback_url": POSTBACK, "postback_data": "json"},
            "postback_data",
        ),
    ],
)
def test_bad_callbacks_are_refused_without_showing_the_secret(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        DataForSEOLLMScraperLoader(["kw"], client=Served(nothing).client(), **kwargs)
    assert info.value.field == field
    assert SECRET not in str(info.value) + repr(info.value.actual) + repr(info.value.limit)


# -- point 8: the engine list as data, and 40402 -------------------------------------------


def test_the_engines_are_data_and_one_entry_adds_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tuple(SCRAPER_APPS) == SCRAPER_ENGINES == ("chat_gpt", "gemini")
    with pytest.raises(DataForSEOInputError):
        check_engine("perplexity")
    monkeypatch.setitem(SCRAPER_APPS, "perplexity", ScraperApp("Perplexity"))
    assert check_engine("perplexity") == "perplexity"
    url = scraper_url("http://127.0.0.1:9", "perplexity", "live/advanced")
    assert url.path == "/v3/ai_optimization/perplexity/llm_scraper/live/advanced"
    task = build_task("perplexity", ScraperRequest("kw", location_code=2840, language_code="en"))
    assert task["keyword"] == "kw"
    with pytest.raises(DataForSEOInputError, match="chat_gpt scraper only"):
        build_task(
            "perplexity",
            ScraperRequest("kw", location_code=2840, language_code="en", force_web_search=True),
        )
    assert scraper_request.SCRAPER_APPS is SCRAPER_APPS


# dataforseo_api.md errors table: 40402 "Invalid Path." is task-level inside an HTTP 200
# envelope with top-level 20000 [O]; DataForSEO's PHP client announces the Perplexity LLM
# Scraper as "not yet available".
INVALID_PATH = {"id": TASK_ID, "status_code": 40402, "status_message": "Invalid Path.",
                "cost": 0, "result_count": 0, "data": {}, "result": None}  # fmt: skip


def test_40402_on_a_live_scraper_path_says_the_engine_is_not_available() -> None:
    served = Served(lambda request: envelope(INVALID_PATH))
    loader = DataForSEOLLMScraperLoader(["kw"], engine="gemini", client=served.client())
    with pytest.raises(DataForSEONotFoundError) as info:
        loader.load()
    message = str(info.value)
    assert "'gemini' LLM Scraper is not available on this account or not yet released" in message
    assert (info.value.status_code, info.value.task_id) == (40402, TASK_ID)
    assert isinstance(info.value.__cause__, DataForSEOError)


def test_40402_on_a_posted_scraper_task_says_the_engine_is_not_available() -> None:
    served = Served(lambda request: envelope(INVALID_PATH))
    loader = DataForSEOLLMScraperLoader(["kw"], method="standard", client=served.client())
    (outcome,) = loader.submit()
    assert isinstance(outcome, DataForSEOError)
    assert outcome.status_code == 40402
    assert "not available on this account or not yet released" in str(outcome)
