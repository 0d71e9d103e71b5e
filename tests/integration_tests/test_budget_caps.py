"""``max_cost`` as a real cap: concurrency, unknown outcomes, Live batches, hostile costs.

Every test checks the emulator's (or the hostile server's) own ledger: what was really
charged must never pass ``max_cost`` (by more than one call's documented worst case), the
model's ``spent`` must never be below what is known to be charged, and ``track_costs``
must report charges it could not read as "unknown, at most X".
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage
from pydantic import ValidationError

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOAuthenticationError,
    DataForSEOBatchError,
    DataForSEOBudgetError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    track_costs,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}


def model_over(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {
        **AUTH,
        "base_url": "http://127.0.0.1",
        "retry_base_delay": 0.0,
        "poll_interval": 0.05,
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    }
    return ChatDataForSEO(**{**params, **kwargs})


def prompts(n: int) -> list[str]:
    return [f"Which CRM tools do agencies use, case {i:03d}?" for i in range(n)]


def charged(emu: Emulator) -> float:
    return float(emu.ledger()["charged_total"])


# -- point 1: the cap holds under concurrency, Live and Standard --------------------------


async def test_abatch_with_web_search_never_spends_past_the_cap() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.05))
    model = model_over(emu, web_search=True, max_cost=0.13)
    results = await model.abatch(prompts(200), return_exceptions=True)
    assert len(results) == 200
    answered = [r for r in results if isinstance(r, AIMessage)]
    refused = [r for r in results if isinstance(r, DataForSEOBudgetError)]
    assert answered  # the budget let calls through
    assert len(answered) + len(refused) == 200  # the rest refused, nothing else
    assert charged(emu) <= 0.13
    assert model.spent == pytest.approx(charged(emu), abs=1e-6)


def test_sync_batch_with_web_search_never_spends_past_the_cap() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.05))
    model = model_over(emu, web_search=True, max_cost=0.13)
    results = model.batch(prompts(60), return_exceptions=True)
    assert any(isinstance(r, AIMessage) for r in results)
    assert all(isinstance(r, AIMessage | DataForSEOBudgetError) for r in results)
    assert charged(emu) <= 0.13


async def test_unreadable_answers_are_held_at_their_worst_case_and_cap_the_batch() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.05, fault_malformed_json=1.0))
    model = model_over(emu, web_search=True, max_cost=0.13, validate_model=False)
    results = await model.abatch(prompts(200), return_exceptions=True)
    assert all(isinstance(r, DataForSEOError | DataForSEOBudgetError) for r in results)
    assert charged(emu) > 0  # the emulator charged for answers the client could not read
    assert charged(emu) <= 0.13
    assert model.spent >= charged(emu)  # unknown outcomes are held, never released


async def test_the_cap_holds_with_a_user_set_reservation_when_calls_cost_less() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.05))
    model = model_over(emu, web_search=True, max_cost=0.3, max_cost_per_call=0.05)
    results = await model.abatch(prompts(100), return_exceptions=True)
    answered = [r for r in results if isinstance(r, AIMessage)]
    assert len(answered) > 3  # a tighter reservation lets more calls through
    assert all(m.response_metadata["cost"] <= 0.05 for m in answered)
    assert charged(emu) <= 0.3


def test_a_standard_chunk_of_unknown_outcome_keeps_its_prepayments_in_the_spend() -> None:
    emu = Emulator(EmulatorConfig(fault_malformed_json=1.0))
    model = model_over(emu, method="standard", validate_model=False)
    with track_costs() as costs:
        results = model.submit(prompts(450), return_exceptions=True)
    assert all(isinstance(r, DataForSEOError) for r in results)
    posted = [c for c in emu.ledger()["charges"] if c["method"] == "task_post"]
    assert len(posted) == 450  # the tasks were created and paid for
    assert model.spent >= 450 * 0.0102 - 1e-9  # not 0: held at their worst case
    assert model.spent >= charged(emu)
    assert costs.unknown_tasks == 450
    assert costs.unknown_cost_max >= charged(emu)


def test_standard_reservations_cap_what_can_be_posted() -> None:
    emu = Emulator(EmulatorConfig(fault_malformed_json=1.0))
    model = model_over(emu, method="standard", validate_model=False, max_cost=0.5)
    model.submit(prompts(40), return_exceptions=True)  # 40 x 0.0102 held: unknown outcome
    with pytest.raises(DataForSEOBudgetError):
        model.submit(prompts(20), return_exceptions=True)
    assert charged(emu) <= 0.5


# -- what a batch does when the cap is hit mid-way -----------------------------------------


@pytest.mark.parametrize("run", ["sync", "async"])
async def test_a_batch_cut_by_the_cap_raises_with_every_paid_answer_in_order(run: str) -> None:
    emu = Emulator(EmulatorConfig())
    model = model_over(emu, max_cost=0.02, max_cost_per_call=0.01)
    batch = asyncio.to_thread(model.batch, prompts(30)) if run == "sync" else None
    with pytest.raises(DataForSEOBatchError) as info:
        await (batch if batch is not None else model.abatch(prompts(30)))
    results = info.value.results
    assert len(results) == 30
    answered = [r for r in results if isinstance(r, AIMessage)]
    assert answered
    assert any(isinstance(r, DataForSEOBudgetError) for r in results)
    ids = {c["id"] for c in emu.ledger()["charges"]}
    assert {m.response_metadata["task_id"] for m in answered} == ids  # nothing paid lost
    first_refused = next(i for i, r in enumerate(results) if isinstance(r, DataForSEOBudgetError))
    assert all(isinstance(r, DataForSEOBudgetError) for r in results[first_refused:])
    assert all(isinstance(r, AIMessage) for r in results[:first_refused])  # a prefix was paid
    assert isinstance(info.value.__cause__, DataForSEOBudgetError)


def test_a_cached_prompt_in_a_capped_batch_does_not_hold_up_the_others() -> None:
    from langchain_core.caches import InMemoryCache

    emu = Emulator(EmulatorConfig())
    model = model_over(emu, max_cost=1.0, cache=InMemoryCache())
    first = model.invoke(prompts(1)[0])
    answers = model.batch([prompts(1)[0], *prompts(6)[1:]])
    assert answers[0].content == first.content  # replayed from the cache, never reserved
    assert len({c["id"] for c in emu.ledger()["charges"]}) == 6  # 1 + 5 new, none twice


# -- point 6: a failure in a Live batch does not throw the paid answers away ---------------


@pytest.mark.parametrize("run", ["sync", "async"])
async def test_live_batch_failure_raises_after_every_prompt_with_results(run: str) -> None:
    emu = Emulator(EmulatorConfig(fault_task_error_50000=0.2, seed=3))
    model = model_over(emu, max_retries=0)
    run_batch = model.batch if run == "sync" else None
    with pytest.raises(DataForSEOBatchError) as info:
        await (model.abatch(prompts(40)) if run_batch is None else _done(run_batch(prompts(40))))
    error = info.value
    assert len(error.results) == 40
    answered = [r for r in error.results if isinstance(r, AIMessage)]
    failed = [r for r in error.results if isinstance(r, Exception)]
    assert answered
    assert failed
    assert error.status_code == 50000
    ids = {c["id"] for c in emu.ledger()["charges"]}
    assert {m.response_metadata["task_id"] for m in answered} == ids
    clean = model_over(Emulator(EmulatorConfig())).batch(prompts(40))
    for expected, result in zip(clean, error.results, strict=True):
        if isinstance(result, AIMessage):  # input order: each answer is its own prompt's
            assert result.content == expected.content


# -- point 8: a negative or absurd cost never lowers the spend ------------------------------


class _Hostile:
    """A loopback API that charges $0.002 a live call but reports the cost it is told."""

    def __init__(self, costs: Iterator[object]) -> None:
        self.costs = costs
        self.calls = 0
        self.lock = threading.Lock()
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with hostile.lock:
                    hostile.calls += 1
                    number = hostile.calls
                    cost = next(hostile.costs)
                body = _live_envelope(number, cost)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> _Hostile:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _live_envelope(number: int, cost: object) -> dict[str, Any]:
    task_id = f"11221111-1111-0000-0000-{number:012d}"
    result = {
        "model_name": "gpt-4.1-mini-2025-04-14",
        "input_tokens": 10,
        "output_tokens": 5,
        "reasoning_tokens": 0,
        "web_search": False,
        "money_spent": 0.0014,
        "datetime": "2026-11-22 10:00:00 +00:00",
        "items": [{"type": "message", "sections": [{"type": "text", "text": "Hello."}]}],
        "fan_out_queries": None,
    }
    task = {
        "id": task_id,
        "status_code": 20000,
        "status_message": "Ok.",
        "time": "0.1 sec.",
        "cost": cost,
        "result_count": 1,
        "path": ["v3", "ai_optimization", "chat_gpt", "llm_responses", "live"],
        "data": {"api": "ai_optimization", "function": "llm_responses", "se": "chat_gpt"},
        "result": [result],
    }
    return {
        "version": "0.1.20261122",
        "status_code": 20000,
        "status_message": "Ok.",
        "time": "0.1 sec.",
        "cost": cost,
        "tasks_count": 1,
        "tasks_error": 0,
        "tasks": [task],
    }


@pytest.mark.parametrize("bad", [-5.0, -0.0001, 1e9])
def test_a_negative_or_absurd_cost_is_a_response_error_and_never_lowers_the_spend(
    bad: float,
) -> None:
    def costs() -> Iterator[object]:
        yield bad
        while True:
            yield 0.002

    with Hostile(costs()) as api:
        model = ChatDataForSEO(
            **AUTH,
            base_url=api.base_url,
            validate_model=False,
            max_cost=0.01,
            max_cost_per_call=0.002,
        )
        with pytest.raises(DataForSEOResponseError) as info:
            model.invoke("first")
        assert info.value.task_id == "11221111-1111-0000-0000-000000000001"
        assert str(bad) in str(info.value) or f"{bad:g}" in str(info.value)
        assert model.spent >= 0.002  # the reservation stays: never lowered
        results = model.batch(prompts(10), return_exceptions=True)
        assert sum(isinstance(r, AIMessage) for r in results) <= 4
    assert api.calls <= 5  # 0.01 / 0.002: the budget was not bypassed
    assert api.calls * 0.002 <= 0.01 + 1e-9


Hostile = _Hostile


# -- point 17: track_costs and spent reconcile with the ledger under faults ----------------


async def test_track_costs_reports_unreadable_charges_as_unknown_at_most() -> None:
    emu = Emulator(EmulatorConfig(fault_malformed_json=0.3, seed=5))
    model = model_over(emu, validate_model=False, max_retries=0)
    with track_costs() as costs:
        results = await model.abatch(prompts(60), return_exceptions=True)
    answered = [r for r in results if isinstance(r, AIMessage)]
    ledger = emu.ledger()
    corrupted = [c for c in ledger["charges"] if c.get("response_corrupted")]
    assert corrupted  # the fault happened
    assert costs.tasks == len(answered)
    assert costs.unknown_tasks == len(corrupted)
    known = costs.total_cost
    assert known <= ledger["charged_total"] + 1e-9
    assert ledger["charged_total"] <= known + costs.unknown_cost_max + 1e-9
    assert model.spent - model.unknown_cost_max == pytest.approx(known, abs=1e-6)
    assert "unknown" in str(costs)


# -- the per-call reservation field -------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "limit"),
    [
        ({"max_cost_per_call": 0.0001}, 0.0006),
        ({"max_cost_per_call": 0.005, "method": "standard"}, 0.0102),
        ({"max_cost_per_call": 0.2, "max_cost": 0.1}, 0.1),
    ],
)
def test_max_cost_per_call_is_validated_naming_the_limit(
    params: dict[str, Any], limit: float
) -> None:
    with pytest.raises(ValueError, match="max_cost_per_call") as info:
        ChatDataForSEO(**AUTH, **params)
    error = info.value
    if isinstance(error, ValidationError):  # pydantic wraps what the validator raised
        error = error.errors()[0]["ctx"]["error"]
    assert isinstance(error, DataForSEOInputError)
    assert error.field == "max_cost_per_call"
    assert error.limit == limit
    assert error.actual == params["max_cost_per_call"]
    assert "max_cost_per_call" in str(error)


async def _done(value: Any) -> Any:
    return value


class _RewritingProxy:
    """A loopback API: the emulator behind it, with ``rewrite`` applied to each JSON answer."""

    def __init__(self, emu: Emulator, rewrite: Any) -> None:
        transport = EmulatorTransport(emu)

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                request = httpx.Request(
                    self.command,
                    f"http://127.0.0.1{self.path}",
                    headers={"authorization": self.headers.get("authorization", "")},
                    content=body,
                )
                response = transport.handle_request(request)
                response.read()
                data = json.dumps(rewrite(self.path, response.json())).encode()
                self.send_response(response.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _forward
            do_POST = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> _RewritingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_negative_standard_money_spent_keeps_the_prepayment_in_the_spend() -> None:
    def negative(path: str, body: dict[str, Any]) -> dict[str, Any]:
        if "/task_get/" in path:
            for task in body.get("tasks") or []:
                for result in task.get("result") or []:
                    result["money_spent"] = -5.0
        return body

    emu = Emulator(EmulatorConfig())
    with _RewritingProxy(emu, negative) as api:
        model = ChatDataForSEO(**AUTH, base_url=api.base_url, method="standard", poll_interval=0.05)
        with track_costs() as costs, pytest.raises(DataForSEOResponseError) as info:
            model.invoke("What is a CRM?")
    (charge,) = emu.ledger()["charges"]
    assert info.value.task_id == charge["id"]
    assert "-5.0" in str(info.value)
    assert model.spent >= 0.0102  # the prepayment is not lowered by a negative charge
    assert model.unknown_cost_max == pytest.approx(model.spent)
    assert costs.total_cost == 0.0
    assert costs.unknown_tasks == 1


async def test_a_cancelled_call_stays_reserved_and_does_not_block_later_calls() -> None:
    emu = Emulator(EmulatorConfig(live_latency=1.0))
    model = model_over(emu, max_cost=0.01, max_cost_per_call=0.004)
    call = asyncio.ensure_future(model.ainvoke("slow question"))
    await asyncio.sleep(0.3)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert model.unknown_cost_max == pytest.approx(0.004)  # it may have been sent
    answer = await asyncio.wait_for(model.ainvoke("next question"), timeout=10)
    assert isinstance(answer, AIMessage)


def test_a_live_model_submitting_standard_tasks_reserves_at_least_the_prepayment() -> None:
    emu = Emulator(EmulatorConfig(fault_malformed_json=1.0))
    model = model_over(emu, validate_model=False, max_cost=0.05, max_cost_per_call=0.001)
    with pytest.raises(DataForSEOBudgetError) as info:  # 10 x $0.0102, not 10 x $0.001
        model.submit(prompts(10), return_exceptions=True)
    assert info.value.needed == pytest.approx(0.102)
    assert emu.ledger()["calls"].get("total", 0) == 0


@pytest.mark.parametrize("method", ["live", "standard"])
def test_a_call_refused_for_missing_credentials_holds_nothing_in_the_budget(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the catalogue look-up (validate_model=False) nothing else checks the
    # credentials before the reservation: the refusal must still cost nothing.
    for name in ("DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    model = ChatDataForSEO(validate_model=False, max_cost=1.0, method=method)
    call = model.invoke if method == "live" else (lambda prompt: model.submit([prompt]))
    with pytest.raises(DataForSEOAuthenticationError):
        call("hi")
    assert model.spent == 0.0
    assert model.unknown_cost_max == 0.0
