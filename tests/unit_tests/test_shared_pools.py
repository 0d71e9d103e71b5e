"""One pool, one pacer, one live gate and one catalogue per account, whoever calls."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO, DataForSEOLLMResponsesToolkit
from langchain_dataforseo._transport.pacing import CallPacer, SlotGate, paced_interval, paced_limit

from .helpers import envelope, is_models_call, json_response, models_response

ACCOUNT: dict[str, Any] = {
    "login": "team@example.com",
    "password": "team-secret",
    "base_url": "https://api.example.test",
}


def toolkit_and_models() -> list[ChatDataForSEO]:
    toolkit = DataForSEOLLMResponsesToolkit(**ACCOUNT)
    tools = toolkit.get_tools()
    assert len(tools) == 4
    models = [tool.llm for tool in tools]  # type: ignore[attr-defined]
    return [*models, ChatDataForSEO(**ACCOUNT), ChatDataForSEO(engine="claude", **ACCOUNT)]


def test_a_four_engine_toolkit_and_two_models_share_one_pool_and_one_pacer() -> None:
    models = toolkit_and_models()
    clients = [model.client for model in models]
    assert len({id(client) for client in clients}) == 6  # six model instances...
    assert len({id(client.http_client) for client in clients}) == 1  # ...one pool
    assert len({id(client.call_pacer) for client in clients}) == 1  # ...one pacer
    assert len({id(client.tasks_ready_pacer) for client in clients}) == 1
    gates = {id(client.account.live_gate("chat_gpt")) for client in clients}
    assert len(gates) == 1

    async def async_pools() -> set[int]:
        return {id(await client.ahttp_client()) for client in clients}

    assert len(asyncio.run(async_pools())) == 1  # and one async pool per event loop


def test_another_account_gets_its_own_pool_and_pacer() -> None:
    ours = ChatDataForSEO(**ACCOUNT).client
    theirs = ChatDataForSEO(**{**ACCOUNT, "password": "other-secret"}).client
    elsewhere = ChatDataForSEO(**{**ACCOUNT, "base_url": "https://sandbox.example.test"}).client
    assert ours.http_client is not theirs.http_client
    assert ours.call_pacer is not theirs.call_pacer
    assert ours.call_pacer is not elsewhere.call_pacer


def test_the_lowest_calls_per_minute_asked_for_an_account_wins() -> None:
    fast = ChatDataForSEO(**ACCOUNT).client
    assert fast.call_pacer.limit == 1900
    slow = ChatDataForSEO(**ACCOUNT, calls_per_minute=100).client
    assert slow.call_pacer is fast.call_pacer
    assert fast.call_pacer.limit == 95


async def test_two_models_on_one_engine_stay_within_30_live_tasks_together() -> None:
    in_flight = {"now": 0, "most": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            return models_response()
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        await asyncio.sleep(0.02)
        in_flight["now"] -= 1
        return json_response(envelope())

    def model() -> ChatDataForSEO:
        given = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        return ChatDataForSEO(**ACCOUNT, http_async_client=given, max_concurrency=40)

    first, second = model(), model()
    prompts = [f"question {i}" for i in range(40)]
    await asyncio.gather(first.abatch(prompts), second.abatch(prompts))
    assert in_flight["most"] == 30  # each model alone would have allowed 30


# -- the catalogue is fetched once --------------------------------------------------------


async def test_a_cold_catalogue_is_fetched_once_by_a_concurrent_batch() -> None:
    models_calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            models_calls.append(request.url.path)
            await asyncio.sleep(0.05)
            return models_response()
        return json_response(envelope())

    given = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    model = ChatDataForSEO(**ACCOUNT, http_async_client=given)
    results = await model.abatch([f"question {i}" for i in range(30)])
    assert len(results) == 30
    assert len(models_calls) == 1


def test_a_cold_catalogue_is_fetched_once_by_a_threaded_batch() -> None:
    models_calls: list[str] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            with lock:
                models_calls.append(request.url.path)
            time.sleep(0.05)
            return models_response()
        return json_response(envelope())

    given = httpx.Client(transport=httpx.MockTransport(handler))
    model = ChatDataForSEO(**ACCOUNT, http_client=given)
    assert len(model.batch([f"question {i}" for i in range(30)])) == 30
    assert len(models_calls) == 1


def test_models_of_one_account_share_the_fetched_catalogue() -> None:
    models_calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        models_calls.append(request.url.path)
        return models_response()

    def model() -> ChatDataForSEO:
        given = httpx.Client(transport=httpx.MockTransport(handler))
        return ChatDataForSEO(**ACCOUNT, http_client=given)

    assert model().list_models() == model().list_models()
    assert len(models_calls) == 1


def test_a_failed_catalogue_fetch_is_not_kept() -> None:
    answers = [httpx.Response(401, json={"status_code": 40100}), models_response()]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    model = ChatDataForSEO(
        **ACCOUNT, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with pytest.raises(Exception, match="40100"):
        model.list_models()
    assert model.list_models()


# -- the pacer keeps a margin; the gate serves threads and loops ---------------------------


def test_the_pacer_keeps_five_percent_under_the_api_limit() -> None:
    assert paced_limit(2000) == 1900
    assert paced_limit(100) == 95
    assert paced_limit(1) == 1


def test_a_pacer_at_1900_lets_1900_through_then_waits() -> None:
    now = [0.0]
    pacer = CallPacer(paced_limit(2000), 61.0, clock=lambda: now[0])
    assert all(pacer.reserve() == 0 for _ in range(1900))
    assert pacer.reserve() == pytest.approx(61.0)


def test_the_tasks_ready_pacer_keeps_the_same_five_percent_margin() -> None:
    """20 ``tasks_ready`` a minute (one every 3 s) are paced at 19 a minute, not 20."""
    assert paced_interval(3.0) == pytest.approx(3.0 / 0.95)
    pacer = ChatDataForSEO(**ACCOUNT).client.tasks_ready_pacer
    assert pacer.limit == 1
    assert pacer.window == pytest.approx(3.0 / 0.95)
    assert 60.0 / pacer.window <= 19.0 + 1e-9


def test_a_gate_shared_by_threads_and_an_event_loop_never_exceeds_its_limit() -> None:
    gate = SlotGate(3)
    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def hold() -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.01)
        with lock:
            state["now"] -= 1

    def in_thread() -> None:
        with gate:
            hold()

    async def in_loop() -> None:
        async def one() -> None:
            async with gate:
                await asyncio.to_thread(hold)

        await asyncio.gather(*(one() for _ in range(10)))

    threads = [threading.Thread(target=in_thread) for _ in range(10)]
    for thread in threads:
        thread.start()
    asyncio.run(in_loop())
    for thread in threads:
        thread.join()
    assert state["most"] == 3
    assert gate.in_use == 0


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    gate = SlotGate(1)
    await gate.aacquire()
    waiter = asyncio.ensure_future(gate.aacquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.release()
    assert gate.in_use == 0
    await asyncio.wait_for(gate.aacquire(), 1)
