"""ChatDataForSEO end to end against the emulator: real HTTP on loopback and in-process.

Each test checks what the user sees (messages, errors) and what the emulator's ledger says
was charged, so "retries never charge twice" is proven on the bill, not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)

LOGIN, PASSWORD = "e2e-login", "e2e-password"


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, **config))


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator(), host="127.0.0.1", port=0) as running:
        yield running


def over_http(server: EmulatorServer, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {"login": LOGIN, "password": PASSWORD, "base_url": server.base_url}
    return ChatDataForSEO(**{**params, **kwargs})


def in_process(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {
        "login": LOGIN,
        "password": PASSWORD,
        "base_url": "http://127.0.0.1",
        "retry_base_delay": 0.0,
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    }
    return ChatDataForSEO(**{**params, **kwargs})


def charges(emu: Emulator) -> list[dict[str, Any]]:
    return list(emu.ledger()["charges"])


def live_calls(emu: Emulator, engine: str = "chat_gpt") -> int:
    return int(emu.ledger()["calls"].get(f"{engine}/live", 0))


def test_invoke_over_loopback_with_web_search_reports_sources_and_cost(
    server: EmulatorServer,
) -> None:
    model = over_http(server, web_search=True, web_search_country_iso_code="US")
    message = model.invoke([SystemMessage("Be concise."), HumanMessage("Best CRM for agencies?")])
    meta = message.response_metadata
    assert message.text
    assert meta["model_name"].startswith("gpt-4.1-mini-")
    assert meta["annotations"]
    assert all(a["url"].startswith("https://") for a in meta["annotations"])
    assert meta["fan_out_queries"]
    (charge,) = charges(server.emulator)
    assert charge["id"] == meta["task_id"]
    assert charge["cost"] == pytest.approx(meta["cost"], abs=1e-9)
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["server_tool_call", "server_tool_result", "text"]


async def test_ainvoke_and_astream_over_loopback(server: EmulatorServer) -> None:
    model = over_http(server, web_search=True)
    message = await model.ainvoke("Which invoicing tools do freelancers use?")
    chunks = [chunk async for chunk in model.astream("Which invoicing tools do freelancers use?")]
    assert len(chunks) == 1
    assert chunks[0].content == message.content
    assert chunks[0].response_metadata["annotations"] == message.response_metadata["annotations"]
    assert len(charges(server.emulator)) == 2


def test_stream_over_loopback_yields_one_complete_chunk(server: EmulatorServer) -> None:
    chunks = list(over_http(server).stream("Name three project management tools."))
    assert len(chunks) == 1
    assert chunks[0].chunk_position == "last"
    assert chunks[0].usage_metadata is not None
    assert chunks[0].usage_metadata["output_tokens"] > 0


def test_web_search_off_gives_no_sources_and_no_search_blocks() -> None:
    message = in_process(emulator()).invoke("Explain what a CRM is.")
    assert message.response_metadata["annotations"] == []
    assert message.response_metadata["fan_out_queries"] == []
    assert [b["type"] for b in message.content_blocks] == ["text"]


def test_reasoning_model_returns_reasoning_summaries_and_tokens() -> None:
    model = in_process(emulator(), model="o4-mini", max_tokens=2048)
    message = model.invoke("A CRM costs $49 a seat a month. What do 12 seats cost a year?")
    assert message.additional_kwargs["reasoning"]
    assert message.usage_metadata is not None
    reasoning_tokens = message.usage_metadata["output_token_details"]["reasoning"]  # type: ignore[typeddict-item]
    assert 0 < reasoning_tokens <= message.usage_metadata["output_tokens"]
    kinds = [b["type"] for b in message.content_blocks]
    assert kinds[0] == "reasoning"
    assert kinds[-1] == "text"


def test_batch_keeps_input_order_and_each_answer_is_charged_once() -> None:
    emu = emulator()
    brands = ["Asana", "Trello", "Notion", "Jira", "Monday", "Basecamp", "Wrike", "Todoist"]
    prompts = [f"What do people say about {brand}?" for brand in brands]
    messages = in_process(emu).batch(prompts)
    assert all(isinstance(m, AIMessage) for m in messages)
    datas = {c["id"]: c for c in charges(emu)}
    assert len(datas) == len(brands)
    assert sorted(m.response_metadata["task_id"] for m in messages) == sorted(datas)
    for brand, message in zip(brands, messages, strict=True):  # each answer: its own prompt
        assert brand.lower() in message.text.lower()


async def test_abatch_over_loopback(server: EmulatorServer) -> None:
    prompts = [f"Question {i} about CRM tools" for i in range(8)]
    messages = await over_http(server).abatch(prompts)
    assert len(messages) == 8
    total = sum(m.response_metadata["cost"] for m in messages)
    assert server.emulator.ledger()["charged_total"] == pytest.approx(total, abs=1e-6)


def test_wrong_password_is_an_authentication_error_and_costs_nothing(
    server: EmulatorServer,
) -> None:
    model = over_http(server, password="wrong-password")
    with pytest.raises(ModelAuthenticationError) as info:
        model.invoke("hi there")
    error = info.value
    assert isinstance(error, DataForSEOError)
    assert (error.status_code, error.http_status) == (40100, 401)
    assert "wrong-password" not in str(error)
    assert charges(server.emulator) == []


def test_rate_limit_is_retried_then_raised_with_its_code_and_never_charged() -> None:
    emu = emulator(fault_rate_limit_40202=1.0)
    with pytest.raises(ModelRateLimitError) as info:
        in_process(emu, max_retries=2, validate_model=False).invoke("hi there")
    assert info.value.status_code == 40202  # type: ignore[attr-defined]
    assert live_calls(emu) == 3
    assert charges(emu) == []


def test_unknown_model_is_refused_from_the_catalogue_with_the_closest_names() -> None:
    emu = emulator()
    with pytest.raises(DataForSEOInputError) as info:
        in_process(emu, model="gpt-4.1-mimi").invoke("hi there")
    assert info.value.field == "model_name"
    assert "gpt-4.1-mini-2025-04-14" in str(info.value)
    assert live_calls(emu) == 0
    assert emu.ledger()["calls"]["chat_gpt/models"] == 1


def test_catalogue_is_fetched_once_per_model_and_reused() -> None:
    emu = emulator()
    model = in_process(emu)
    model.batch(["first question", "second question", "third question"])
    model.invoke("fourth question")
    assert emu.ledger()["calls"]["chat_gpt/models"] == 1
    assert live_calls(emu) == 4


def test_api_side_invalid_field_error_carries_code_and_task_id() -> None:
    emu = emulator()
    with pytest.raises(ModelInvalidRequestError) as info:
        in_process(emu, model="gpt-does-not-exist", validate_model=False).invoke("hi there")
    error = info.value
    assert isinstance(error, DataForSEOError)
    assert error.status_code == 40501
    assert error.task_id
    assert "model_name" in str(error)
    assert live_calls(emu) == 1
    assert charges(emu) == []


def test_server_errors_that_cost_nothing_are_retried_up_to_max_retries() -> None:
    emu = emulator(fault_task_error_50000=1.0)
    with pytest.raises(ModelAPIError) as info:
        in_process(emu, max_retries=2).invoke("hi there")
    assert info.value.status_code == 50000  # type: ignore[attr-defined]
    assert live_calls(emu) == 3
    assert charges(emu) == []


def test_http_500_is_retried_and_then_succeeds_once() -> None:
    emu = emulator(fault_http_500=0.5, seed=3)
    messages = in_process(emu, max_retries=10).batch([f"prompt {i}" for i in range(10)])
    assert all(isinstance(m, AIMessage) for m in messages)
    assert emu.ledger()["status_counts"].get("50000", 0) > 0
    assert len(charges(emu)) == 10


def test_live_timeout_is_not_retried() -> None:
    emu = emulator(live_latency=1.5)
    with EmulatorServer(emu, host="127.0.0.1", port=0) as running:
        model = over_http(running, timeout=0.3, max_retries=3)
        with pytest.raises(ModelTimeoutError) as info:
            model.invoke("hi there")
        assert isinstance(info.value, DataForSEOTimeoutError)
        assert "may have run and been charged" in str(info.value)
        assert live_calls(emu) == 1


def test_malformed_json_is_a_response_error_and_not_retried() -> None:
    emu = emulator(fault_malformed_json=1.0)
    with pytest.raises(DataForSEOResponseError):
        in_process(emu, max_retries=3, validate_model=False).invoke("hi there")
    assert live_calls(emu) == 1
    (charge,) = charges(emu)
    assert charge["response_corrupted"] is True


def test_concurrency_cap_is_respected_by_max_concurrency() -> None:
    emu = emulator(live_latency=0.2, live_concurrency_limit=5)
    model = in_process(emu, max_retries=0, max_concurrency=5)
    results = model.batch([f"prompt {i}" for i in range(15)], return_exceptions=True)
    assert all(isinstance(r, AIMessage) for r in results)
    assert emu.ledger()["live_peak"]["chat_gpt"] <= 5


async def test_above_the_cap_the_api_answers_40209_and_nothing_is_charged_for_it() -> None:
    emu = emulator(live_latency=0.2, live_concurrency_limit=3)
    model = in_process(emu, max_retries=0, max_concurrency=6)
    results = await model.abatch([f"prompt {i}" for i in range(6)], return_exceptions=True)
    refused = [r for r in results if isinstance(r, DataForSEOError)]
    answered = [r for r in results if isinstance(r, AIMessage)]
    assert refused
    assert all(r.status_code == 40209 for r in refused)
    assert len(charges(emu)) == len(answered)


@pytest.mark.parametrize("path", ["in-process", "loopback"])
async def test_faults_with_retries_never_charge_a_prompt_twice(path: str) -> None:
    """In-process goes through a given httpx client; over loopback, through the package's
    own pooled transport, with real dropped connections and HTTP 500s on real sockets."""
    emu = emulator(
        fault_task_error_50301=0.2,
        fault_rate_limit_40202=0.15,
        fault_drop_connection=0.15,
        fault_http_500=0.1,
        seed=11,
    )
    prompts = [f"What does AI say about brand {i}?" for i in range(60)]
    if path == "in-process":
        model = in_process(emu, max_retries=6)
        results = await model.abatch(prompts, return_exceptions=True)
    else:
        with EmulatorServer(emu, host="127.0.0.1", port=0) as running:
            model = over_http(running, max_retries=6, retry_base_delay=0.0)
            results = await model.abatch(prompts, return_exceptions=True)
            await model.client.aclose()
    answered = [r for r in results if isinstance(r, AIMessage)]
    failed = [r for r in results if not isinstance(r, AIMessage)]
    assert len(answered) + len(failed) == len(prompts)
    # a failure names its DataForSEO code, or is a connection lost after the request went
    # out (outcome unknown, so no code and no retry): over a real socket the emulator drops
    # a connection only after reading the request; in-process, before (a retried connect
    # error)
    dropped = [f for f in failed if isinstance(f, DataForSEOConnectionError)]
    assert all(isinstance(f, DataForSEOError) and f.status_code for f in failed if f not in dropped)
    assert bool(dropped) == (path == "loopback")
    ledger = emu.ledger()
    charged_ids = [c["id"] for c in ledger["charges"]]
    assert len(charged_ids) == len(set(charged_ids)) == len(answered)
    assert sorted(charged_ids) == sorted(m.response_metadata["task_id"] for m in answered)
    total = sum(m.response_metadata["cost"] for m in answered)
    assert ledger["charged_total"] == pytest.approx(total, abs=1e-6)
    assert sum(ledger["faults"].values()) > 0


def test_each_event_loop_s_pool_closes_with_it_and_aclose_closes_it_sooner(
    server: EmulatorServer,
) -> None:
    """Each ``asyncio.run`` is a new loop with its own pool, closed as the loop shuts down
    (before, an open keep-alive connection kept every closed loop and its pool alive)."""
    import asyncio

    from tests.unit_tests.helpers import async_pools, loops_with_pools

    model = over_http(server)
    client = model.client
    pools: list[httpx.AsyncClient] = []

    async def ask(close: bool) -> None:
        assert isinstance(await model.ainvoke("hi there"), AIMessage)
        pools.append(await client.ahttp_client())
        if close:
            await client.aclose()
            assert pools[-1].is_closed
            assert async_pools() == {}

    asyncio.run(ask(close=False))
    asyncio.run(ask(close=False))
    asyncio.run(ask(close=True))
    assert len({id(pool) for pool in pools}) == 3
    assert all(pool.is_closed for pool in pools)
    assert loops_with_pools() <= 1


def test_asyncio_run_of_a_batch_leaves_no_unclosed_transport(server: EmulatorServer) -> None:
    """``asyncio.run(model.abatch(...))`` used to print ~30 unclosed-transport warnings."""
    import asyncio
    import gc
    import warnings

    model = over_http(server)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = asyncio.run(model.abatch([f"question {i}" for i in range(40)]))
        del model  # what held the pool goes: its connections are collected now
        gc.collect()
    assert len(results) == 40
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
