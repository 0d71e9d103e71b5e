"""Emulator: LLM Scraper routes, validation, Standard lifecycle and ledger."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport
from langchain_dataforseo.emulator._scraper import SCRAPER_PRICES

from .conftest import AUTH, Clock

ROOT = "/v3/ai_optimization/{engine}/llm_scraper/{function}"
TASK = {"keyword": "best crm", "location_code": 2840, "language_code": "en"}


def url(engine: str, function: str) -> str:
    return ROOT.format(engine=engine, function=function)


@pytest.fixture
def scraper(clock: Clock) -> tuple[Emulator, httpx.Client]:
    emulator = Emulator(EmulatorConfig(clock=clock, task_latency=5.0))
    client = httpx.Client(
        transport=EmulatorTransport(emulator), base_url="http://emulator", auth=AUTH
    )
    return emulator, client


def post(client: httpx.Client, engine: str, function: str, *tasks: Any) -> dict[str, Any]:
    response = client.post(url(engine, function), json=list(tasks))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("engine", ["chat_gpt", "gemini"])
def test_live_advanced_answers_with_the_client_fields_and_charges_once(
    scraper: tuple[Emulator, httpx.Client], engine: str
) -> None:
    emulator, client = scraper
    body = post(client, engine, "live/advanced", TASK)
    task = body["tasks"][0]
    assert task["status_code"] == 20000
    assert task["cost"] == SCRAPER_PRICES["live"]
    result = task["result"][0]
    assert result["keyword"] == "best crm"
    assert result["markdown"]
    assert result["sources"]
    assert all(item["type"].startswith(engine) for item in result["items"])
    assert ("search_results" in result) == (engine == "chat_gpt")
    assert ("fan_out_queries" in result) == (engine == "chat_gpt")
    ledger = emulator.ledger()
    assert ledger["charged_total"] == SCRAPER_PRICES["live"]
    assert ledger["charges"][0]["method"] == "llm_scraper/live"
    # deterministic
    assert (
        post(client, engine, "live/advanced", TASK)["tasks"][0]["result"][0]["markdown"]
        == (result["markdown"])
    )


@pytest.mark.parametrize(
    ("engine", "task", "field"),
    [
        ("chat_gpt", {**TASK, "keyword": "k" * 2001}, "keyword"),
        ("chat_gpt", {"keyword": "x", "language_code": "en"}, "location_name"),
        ("chat_gpt", {**TASK, "location_name": "United States"}, "location_name"),
        ("chat_gpt", {"keyword": "x", "location_code": 2840}, "language_code"),
        ("chat_gpt", {**TASK, "tag": "t" * 256}, "tag"),
        ("chat_gpt", {**TASK, "location_coordinate": "1,1,200"}, "location_coordinate"),
        ("gemini", {**TASK, "force_web_search": True}, "force_web_search"),
        (
            "gemini",
            {"keyword": "x", "language_code": "en", "location_coordinate": "1,1,5"},
            "location_coordinate",
        ),
    ],
)
def test_live_validation_is_task_level_40501_and_free(
    scraper: tuple[Emulator, httpx.Client], engine: str, task: dict[str, Any], field: str
) -> None:
    emulator, client = scraper
    body = post(client, engine, "live/advanced", task)
    assert body["tasks"][0]["status_code"] == 40501
    assert field in body["tasks"][0]["status_message"]
    assert emulator.ledger()["charged_total"] == 0


def test_live_takes_one_task_and_nulls_count_as_unset(
    scraper: tuple[Emulator, httpx.Client],
) -> None:
    _, client = scraper
    body = post(client, "chat_gpt", "live/advanced", {**TASK, "location_name": None}, TASK)
    assert [t["status_code"] for t in body["tasks"]] == [20000, 40000]


def test_standard_lifecycle(scraper: tuple[Emulator, httpx.Client], clock: Clock) -> None:
    emulator, client = scraper
    body = post(client, "chat_gpt", "task_post", {**TASK, "tag": "a"}, {**TASK, "priority": 2})
    created = body["tasks"]
    assert [t["status_code"] for t in created] == [20100, 20100]
    assert [t["cost"] for t in created] == [
        SCRAPER_PRICES["task_post_priority_1"],
        SCRAPER_PRICES["task_post_priority_2"],
    ]
    first = created[0]["id"]
    early = client.get(url("chat_gpt", f"task_get/advanced/{first}")).json()
    assert early["tasks"][0]["status_code"] == 40602
    assert client.get(url("chat_gpt", "tasks_ready")).json()["tasks"][0]["result"] == []
    clock.advance(6)
    ready = client.get(url("chat_gpt", "tasks_ready")).json()["tasks"][0]["result"]
    assert {r["id"] for r in ready} == {t["id"] for t in created}
    assert ready[0]["endpoint_advanced"].endswith(f"/task_get/advanced/{ready[0]['id']}")
    done = client.get(url("chat_gpt", f"task_get/advanced/{first}")).json()["tasks"][0]
    assert done["status_code"] == 20000
    assert done["data"]["tag"] == "a"
    assert done["result"][0]["markdown"]
    remaining = client.get(url("chat_gpt", "tasks_ready")).json()["tasks"][0]["result"]
    assert first not in {r["id"] for r in remaining}
    ledger = emulator.ledger()
    assert ledger["charged_total"] == round(
        SCRAPER_PRICES["task_post_priority_1"] + SCRAPER_PRICES["task_post_priority_2"], 7
    )


def test_task_post_over_100_and_unknown_task(scraper: tuple[Emulator, httpx.Client]) -> None:
    _, client = scraper
    body = post(client, "gemini", "task_post", *([TASK] * 101))
    assert body["tasks"][100]["status_code"] == 40006
    missing = client.get(url("gemini", "task_get/advanced/00000000-0000-0000-0000-000000000000"))
    assert missing.json()["tasks"][0]["status_code"] == 40401


def test_locations_languages_and_unserved_paths(scraper: tuple[Emulator, httpx.Client]) -> None:
    _, client = scraper
    locations = client.get(url("chat_gpt", "locations")).json()["tasks"][0]["result"]
    assert {"location_code": 2840, "location_name": "United States"}.items() <= locations[0].items()
    by_country = client.get(url("chat_gpt", "locations/gb")).json()["tasks"][0]["result"]
    assert [loc["country_iso_code"] for loc in by_country] == ["GB"]
    languages = client.get(url("gemini", "languages")).json()["tasks"][0]["result"]
    assert {"language_name": "English", "language_code": "en"} in languages
    html = client.post(url("chat_gpt", "live/html"), json=[TASK]).json()
    assert html["tasks"][0]["status_code"] == 40402
    assert client.post(url("claude", "live/advanced"), json=[TASK]).status_code == 404
    assert client.get(url("chat_gpt", "live/advanced")).json()["tasks"][0]["status_code"] == 40402


def test_scraper_routes_need_auth_and_count_in_the_ledger(
    scraper: tuple[Emulator, httpx.Client],
) -> None:
    emulator, client = scraper
    client.auth = ("emulator-login", "wrong")  # type: ignore[assignment]
    response = client.post(url("chat_gpt", "live/advanced"), json=[TASK])
    assert response.status_code == 401
    assert response.json()["status_code"] == 40100
    assert emulator.ledger()["charged_total"] == 0
