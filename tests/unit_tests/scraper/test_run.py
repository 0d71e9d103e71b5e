"""Budget and cost settlement of LLM Scraper calls, with a fake transport."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from langchain_dataforseo._api.answers import parse_ready
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import COST_LINE, Spend
from langchain_dataforseo._standard.queue import tagged
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.costs import track_costs
from langchain_dataforseo.errors import (
    DataForSEOBudgetError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)
from langchain_dataforseo.scraper._calls import arun_live, run_live, submit
from langchain_dataforseo.scraper._request import scraper_url

TASK = {"keyword": "kw", "location_code": 2840, "language_code": "en"}


class Fake:
    """Stands in for DataForSEOClient: answers or raises what it is told (scraper paths)."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.sent: list[Any] = []
        self.product = "llm_responses"

    def for_product(self, product: str) -> Fake:
        self.product = product  # the queue's calls name no product: the bound one
        return self

    def _reply(self, sent: Any, product: str) -> Any:
        assert product == "llm_scraper"
        self.sent.append(sent)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def check_credentials(self) -> None:
        pass

    def live(self, engine: str, task: dict[str, Any], *, product: str) -> Any:
        return self._reply(task, product)

    async def alive(self, engine: str, task: dict[str, Any], *, product: str) -> Any:
        return self._reply(task, product)

    def task_post(self, engine: str, tasks: Any, *, product: str | None = None) -> Any:
        return self._reply(list(tasks), product or self.product)


def answered(cost: object) -> dict[str, Any]:
    return {"id": "t", "status_code": 20000, "cost": cost, "result": [{"markdown": "hi"}]}


def scraper(outcome: Any) -> tuple[DataForSEOClient, Fake]:
    fake = Fake(outcome)
    return cast(DataForSEOClient, fake), fake


def test_answer_settles_at_the_reported_cost_and_is_tracked() -> None:
    client, _ = scraper(answered(0.004))
    budget = Budget(1.0)
    with track_costs() as tracker:
        answer = run_live(client, Spend(budget, "chat_gpt"), TASK, 0.01)
    assert answer.markdown == "hi"
    assert budget.spent == 0.004
    assert tracker.by_model[("chat_gpt", COST_LINE)].cost == 0.004


def test_unbelievable_cost_keeps_the_reservation() -> None:
    client, _ = scraper(answered(-1))
    budget = Budget(None)
    with pytest.raises(DataForSEOResponseError):
        run_live(client, Spend(budget, "chat_gpt"), TASK, 0.01)
    assert budget.spent == 0.01
    assert budget.unknown_tasks == 1


def test_a_refusal_with_a_code_costs_nothing() -> None:
    client, _ = scraper(DataForSEOInvalidRequestError("bad", status_code=40501))
    budget = Budget(None)
    with track_costs() as tracker, pytest.raises(DataForSEOInvalidRequestError):
        run_live(client, Spend(budget, "gemini"), TASK, 0.01)
    assert budget.spent == 0
    assert tracker.unknown_tasks == 0


def test_a_timeout_after_sending_is_held_as_unknown() -> None:
    client, _ = scraper(DataForSEOTimeoutError("no answer"))
    budget = Budget(None)
    with track_costs() as tracker, pytest.raises(DataForSEOTimeoutError):
        asyncio.run(arun_live(client, Spend(budget, "chat_gpt"), TASK, 0.01))
    assert budget.spent == 0.01
    assert tracker.unknown_cost_max == 0.01


def test_budget_refuses_before_sending() -> None:
    client, fake = scraper(answered(0.004))
    with pytest.raises(DataForSEOBudgetError):
        run_live(client, Spend(Budget(0.005), "chat_gpt"), TASK, 0.01)
    assert fake.sent == []


def test_submit_settles_to_the_created_tasks_costs() -> None:
    reply = [
        {"id": "00000000-0000-0000-0000-000000000001", "status_code": 20100, "cost": 0.0012},
        {"id": "00000000-0000-0000-0000-000000000002", "status_code": 40501, "cost": 0},
    ]
    client, fake = scraper(reply)
    budget = Budget(1.0)
    results = submit(client, Spend(budget, "chat_gpt"), tagged([TASK, TASK]), 0.005)
    assert budget.spent == 0.0012
    assert results[0].id == reply[0]["id"]  # type: ignore[union-attr]
    assert isinstance(results[1], Exception)
    assert all(t["tag"].startswith("lcdfs-") for t in fake.sent[0])


def test_submit_reserves_each_chunk_just_before_posting_it() -> None:
    # two chunks of one: the second fits once the first settled at its cost (0.0012);
    # reserving both worst cases up front (0.01) would refuse the whole submission
    reply = [{"id": "00000000-0000-0000-0000-000000000001", "status_code": 20100, "cost": 0.0012}]
    client, fake = scraper(reply)
    budget = Budget(0.0065)
    with track_costs() as tracker:
        results = submit(client, Spend(budget, "chat_gpt"), tagged([TASK, TASK]), 0.005, per_post=1)
    assert len(fake.sent) == 2
    assert all(not isinstance(r, Exception) for r in results)
    assert budget.spent == 0.0024
    assert tracker.total_cost == 0.0024
    assert tracker.by_model[("chat_gpt", COST_LINE)].cost == 0.0024


def test_submit_stops_where_the_budget_runs_out() -> None:
    reply = [{"id": "00000000-0000-0000-0000-000000000001", "status_code": 20100, "cost": 0.005}]
    client, fake = scraper(reply)
    budget = Budget(0.009)
    with pytest.raises(DataForSEOBudgetError):
        submit(client, Spend(budget, "chat_gpt"), tagged([TASK, TASK]), 0.005, per_post=1)
    assert len(fake.sent) == 1  # the first chunk went out and is paid; the second never
    assert budget.spent == 0.005


def test_an_interrupted_post_keeps_its_chunk_reserved() -> None:
    client, fake = scraper(KeyboardInterrupt())
    budget = Budget(1.0)
    with pytest.raises(KeyboardInterrupt):
        submit(client, Spend(budget, "chat_gpt"), tagged([TASK, TASK]), 0.005)
    assert len(fake.sent) == 1
    assert budget.spent == 0.01  # both tasks may have been created and charged


def test_tagged_keeps_user_tags_and_distinguishes_positions() -> None:
    tags = [t["tag"] for t in tagged([{**TASK, "tag": "mine"}, TASK, TASK])]
    assert tags[0] == "mine"
    assert tags[1] != tags[2]


def test_scraper_url_checks_engine_and_base_url() -> None:
    url = scraper_url("https://api.dataforseo.com/", "gemini", "live/advanced")
    assert (
        str(url) == "https://api.dataforseo.com/v3/ai_optimization/gemini/llm_scraper/live/advanced"
    )
    with pytest.raises(DataForSEOInputError):
        scraper_url("http://example.com", "chat_gpt", "live/advanced")
    with pytest.raises(DataForSEOInputError):
        scraper_url("https://api.dataforseo.com", "perplexity", "live/advanced")


def test_tasks_ready_of_either_client_shape_gives_the_ids() -> None:
    # client <= 2.1.6 documented se_type + endpoint_regular; 2.1.7+ function, no regular
    import json

    import httpx

    old = {"id": "a", "se": "chat_gpt", "se_type": "llm_scraper", "endpoint_regular": None}
    new = {"id": "b", "se": "chat_gpt", "function": "advanced", "endpoint_advanced": "/x/b"}
    body = {
        "status_code": 20000,
        "tasks": [{"status_code": 20000, "result": [old, new]}],
    }
    response = httpx.Response(
        200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    assert parse_ready(response) == ["a", "b"]
