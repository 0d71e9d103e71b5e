"""The charge reaches LangSmith's cost views; usage totals stay as they were (issue 19, point 13).

A ``LangChainTracer`` with a recording client stands in for LangSmith: what it would
send is asserted, nothing leaves the machine.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import get_usage_metadata_callback
from langchain_core.messages import AIMessage
from langchain_core.tracers.langchain import LangChainTracer

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo._chat.outputs import CHARGE_RUN_NAME, charge_usage, report_charge
from tests.unit_tests.helpers import example, is_models_call, json_response, models_response


class RecordingClient:
    """What the tracer would send to LangSmith: created and updated runs."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.updated: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def create_run(self, **kwargs: Any) -> None:
        with self.lock:
            self.created.append(kwargs)

    def update_run(self, **kwargs: Any) -> None:
        with self.lock:
            self.updated.append(kwargs)

    def charges(self) -> list[dict[str, Any]]:
        return [run for run in self.created if run.get("name") == CHARGE_RUN_NAME]


def model() -> ChatDataForSEO:
    live = example("4.1_live_web_search")

    def handler(request: httpx.Request) -> httpx.Response:
        return models_response() if is_models_call(request) else json_response(live)

    transport = httpx.MockTransport(handler)
    return ChatDataForSEO(
        login="login",
        password="password",
        base_url="http://127.0.0.1:1",
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
    )


def tracer(client: RecordingClient) -> LangChainTracer:
    return LangChainTracer(client=client, project_name="dataforseo-test")  # type: ignore[arg-type]


def test_charge_usage_has_only_langsmith_keys_and_no_tokens() -> None:
    from langsmith.run_trees import validate_extracted_usage_metadata

    usage = charge_usage(0.0272228)
    assert validate_extracted_usage_metadata(usage) == usage  # type: ignore[arg-type]
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_cost"]) == (0, 0, 0.0272228)


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_the_charge_is_a_child_run_with_the_exact_cost(asynchronous: bool) -> None:
    client = RecordingClient()
    llm = model()
    config = {"callbacks": [tracer(client)]}
    if asynchronous:
        message = await llm.ainvoke("Which PM tools?", config=config)  # type: ignore[arg-type]
    else:
        message = llm.invoke("Which PM tools?", config=config)  # type: ignore[arg-type]
    cost = message.response_metadata["cost"]
    assert cost == 0.0272228
    (charge,) = client.charges()
    assert charge["run_type"] == "llm"
    assert charge["extra"]["metadata"]["usage_metadata"]["total_cost"] == cost
    assert charge["extra"]["metadata"]["usage_metadata"]["total_tokens"] == 0
    chat_runs = [
        run for run in client.created if run.get("run_type") == "llm" and run is not charge
    ]
    assert charge["parent_run_id"] == chat_runs[0]["id"]
    # The chat model's own run keeps its token usage, without a cost key.
    (ended,) = [run for run in client.updated if run["run_id"] == chat_runs[0]["id"]]
    usage = ended["extra"]["metadata"]["usage_metadata"]
    assert usage["total_tokens"] == message.usage_metadata["total_tokens"]  # type: ignore[index]
    assert "total_cost" not in usage


def test_usage_totals_still_add_up_over_calls() -> None:
    client = RecordingClient()
    llm = model()
    with get_usage_metadata_callback() as usage:
        first = llm.invoke("one", config={"callbacks": [tracer(client)]})
        llm.invoke("two", config={"callbacks": [tracer(client)]})
    (total,) = usage.usage_metadata.values()
    assert total["total_tokens"] == 2 * first.usage_metadata["total_tokens"]  # type: ignore[index]
    assert "total_cost" not in total
    assert len(client.charges()) == 2


def test_nothing_is_posted_without_a_tracer_or_a_charge() -> None:
    report_charge(None, AIMessage("x", response_metadata={"cost": 0.01}))
    client = RecordingClient()
    llm = model()
    llm.invoke("one")  # no tracer: nothing to post, nothing raised
    assert client.created == []


def test_a_failing_langsmith_client_does_not_break_the_call() -> None:
    class Broken(RecordingClient):
        def create_run(self, **kwargs: Any) -> None:
            if kwargs.get("name") == CHARGE_RUN_NAME:
                raise RuntimeError("LangSmith is down")
            super().create_run(**kwargs)

    message = model().invoke("one", config={"callbacks": [tracer(Broken())]})
    assert message.response_metadata["cost"] == 0.0272228
