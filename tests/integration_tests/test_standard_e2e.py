"""The Standard method end to end against the emulator: batches, resume, callbacks, costs.

Every test reconciles what the user is told with the emulator's ledger: the cost on each
message, the spend on the model and the totals of ``track_costs`` must equal what was
charged, and no task may be posted twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler, get_usage_metadata_callback
from langchain_core.messages import AIMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOBatchError,
    DataForSEOBudgetError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInputWarning,
    DataForSEOTaskPendingError,
    TaskHandle,
    track_costs,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(**config))


def standard(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {
        **AUTH,
        "base_url": "http://127.0.0.1",
        "method": "standard",
        "poll_interval": 0.05,
        "retry_base_delay": 0.0,
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    }
    return ChatDataForSEO(**{**params, **kwargs})


def calls(emu: Emulator, function: str, engine: str = "chat_gpt") -> int:
    return int(emu.ledger()["calls"].get(f"{engine}/{function}", 0))


def reconcile(emu: Emulator, messages: list[AIMessage]) -> None:
    """Each message's cost is its task's settled charge; nothing is charged twice."""
    ledger = emu.ledger()
    by_id = {c["id"]: c for c in ledger["charges"]}
    assert len(by_id) == len(ledger["charges"])
    for message in messages:
        charge = by_id[message.response_metadata["task_id"]]
        assert charge["method"] == "task_post"
        assert charge["cost"] == pytest.approx(message.response_metadata["cost"], abs=1e-9)


def test_invoke_posts_one_task_and_polls_until_done() -> None:
    emu = emulator(task_latency=0.2)
    message = standard(emu, web_search=True).invoke("Which CRM do agencies use?")
    meta = message.response_metadata
    assert meta["method"] == "standard"
    assert meta["annotations"]
    assert meta["cost"] == pytest.approx(round(0.0002 + meta["money_spent"], 7))
    assert calls(emu, "task_post") == 1
    assert calls(emu, "task_get") >= 1
    reconcile(emu, [message])


def test_batch_packs_100_tasks_per_post_and_keeps_input_order() -> None:
    emu = emulator(task_latency=0.2)
    model = standard(emu)
    topics = [f"{chr(97 + i % 26)}{chr(97 + i // 26)}vania" for i in range(230)]
    with track_costs() as costs:
        messages = model.batch([f"What is said about {t}?" for t in topics])
    assert calls(emu, "task_post") == 3  # 100 + 100 + 30
    assert all(isinstance(m, AIMessage) for m in messages)
    for topic, message in zip(topics, messages, strict=True):
        assert topic in message.text.lower()
    reconcile(emu, messages)  # type: ignore[arg-type]
    total = emu.ledger()["charged_total"]
    assert costs.total_cost == pytest.approx(total, abs=1e-6)
    assert costs.tasks == 230
    assert model.spent == pytest.approx(total, abs=1e-6)


async def test_abatch_collects_through_tasks_ready_without_tripping_its_limit() -> None:
    emu = emulator(task_latency=0.3, tasks_ready_per_minute=20)
    model = standard(emu, poll_interval=3.0)
    messages = await model.abatch([f"Question {chr(97 + i)} about CRM" for i in range(40)])
    assert len(messages) == 40
    ledger = emu.ledger()
    assert calls(emu, "tasks_ready") >= 1
    assert calls(emu, "task_get") == 40  # only our ready tasks, each once
    assert "40202" not in ledger["status_counts"]
    reconcile(emu, messages)  # type: ignore[arg-type]


def test_failed_tasks_come_back_in_place_with_code_and_task_id() -> None:
    emu = emulator(task_latency=0.1, fault_task_error_50301=0.5, seed=5)
    model = standard(emu)
    results = model.batch(
        [f"Prompt number {chr(97 + i)}" for i in range(20)], return_exceptions=True
    )
    failed = [r for r in results if isinstance(r, Exception)]
    answered = [r for r in results if isinstance(r, AIMessage)]
    assert failed
    assert answered
    for error in failed:
        assert isinstance(error, DataForSEOError)
        assert error.status_code == 50301
        assert error.task_id
    reconcile(emu, answered)
    refunded = [c for c in emu.ledger()["charges"] if c["status"] == "refunded"]
    assert len(refunded) == len(failed)
    assert model.spent == pytest.approx(emu.ledger()["charged_total"], abs=1e-6)


def test_without_return_exceptions_the_first_failure_is_raised() -> None:
    emu = emulator(task_latency=0.1, fault_task_error_50000=1.0)
    with pytest.raises(DataForSEOError) as info:
        standard(emu).batch(["one prompt", "another prompt"])
    assert info.value.status_code == 50000


def test_invalid_input_in_a_batch_posts_nothing() -> None:
    emu = emulator()
    with pytest.raises(DataForSEOInputError):
        standard(emu).batch(["fine", "x" * 501, "fine too"])
    assert calls(emu, "task_post") == 0
    assert emu.ledger()["charges"] == []


def test_invalid_input_with_return_exceptions_posts_only_the_valid() -> None:
    emu = emulator(task_latency=0.1)
    results = standard(emu).batch(["fine", "x" * 501, "fine too"], return_exceptions=True)
    assert isinstance(results[0], AIMessage)
    assert isinstance(results[1], DataForSEOInputError)
    assert isinstance(results[2], AIMessage)
    assert len(emu.ledger()["charges"]) == 2


def test_submit_returns_tagged_handles_at_once() -> None:
    emu = emulator(task_latency=60)
    handles = standard(emu).submit(["first", "second"], tag=None)
    assert all(isinstance(h, TaskHandle) for h in handles)
    tags = [h.tag for h in handles if isinstance(h, TaskHandle)]
    assert len(set(tags)) == 2
    assert all(t and t.startswith("lcdfs-") for t in tags)
    assert calls(emu, "task_get") == 0
    assert emu.ledger()["standard_pending"] == 2


def test_resume_after_restart_collects_everything_and_posts_nothing() -> None:
    emu = emulator(task_latency=0.3)
    first = standard(emu)
    prompts = [f"Resumable question {chr(97 + i % 26)}{i // 26}" for i in range(120)]
    saved = json.dumps([h.to_dict() for h in first.submit(prompts)])  # type: ignore[union-attr]
    del first
    posts_before = calls(emu, "task_post")
    second = standard(emu)  # a new client, as after a restart
    messages = second.collect(json.loads(saved))
    assert calls(emu, "task_post") == posts_before
    assert [m.response_metadata["tag"] for m in messages] == [  # type: ignore[union-attr]
        h["tag"] for h in json.loads(saved)
    ]
    for prompt, message in zip(prompts, messages, strict=True):
        assert prompt.split()[-1] in message.text  # type: ignore[union-attr]
    again = second.collect(json.loads(saved))  # already collected: fetched directly
    assert [m.text for m in again] == [m.text for m in messages]  # type: ignore[union-attr]
    assert calls(emu, "task_post") == posts_before


def test_wait_running_out_names_the_task_so_it_can_be_collected_later() -> None:
    emu = emulator(task_latency=30)
    model = standard(emu, max_wait=0.3)
    with pytest.raises(DataForSEOTaskPendingError) as info:
        model.invoke("a slow question")
    error = info.value
    assert error.task_id
    assert isinstance(error.handle, TaskHandle)
    assert error.handle.id == error.task_id
    assert calls(emu, "task_post") == 1


def test_perplexity_has_no_standard_method() -> None:
    with pytest.raises(ValueError, match="only the Live method"):
        ChatDataForSEO(engine="perplexity", method="standard")


def test_a_model_without_task_post_support_is_refused_before_posting() -> None:
    emu = emulator()
    catalogue = {
        "version": "0.1.20260601",
        "status_code": 20000,
        "status_message": "Ok.",
        "tasks": [
            {
                "id": "m",
                "status_code": 20000,
                "result": [
                    {
                        "model_name": "gpt-4.1-mini-2025-04-14",
                        "reasoning": False,
                        "web_search_supported": True,
                        "task_post_supported": False,
                    }
                ],
            }
        ],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json=catalogue)
        return EmulatorTransport(emu).handle_request(request)

    model = standard(emu, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(DataForSEOInputError) as info:
        model.invoke("q")
    assert info.value.field == "method"
    assert calls(emu, "task_post") == 0


def test_budget_refuses_a_batch_whose_prepayments_exceed_it() -> None:
    emu = emulator(task_latency=0.1)
    model = standard(emu, max_cost=0.05)
    with pytest.raises(DataForSEOBudgetError) as info:
        model.batch([f"q{i}" for i in range(5)])  # 5 x $0.0102 = $0.051
    assert info.value.spent == 0
    assert calls(emu, "task_post") == 0
    messages = model.batch([f"q{i}" for i in range(4)])
    assert model.spent == pytest.approx(sum(m.response_metadata["cost"] for m in messages))


def test_live_budget_refuses_the_next_call_and_reports_the_spend() -> None:
    emu = emulator()
    # the reservation of a call is its worst case unless set: here the known price alone
    model = standard(emu, method="live", max_cost=0.001, max_cost_per_call=0.0006)
    first = model.invoke("What is a CRM?")
    with pytest.raises(DataForSEOBudgetError, match="spend") as info:
        model.invoke("And an ERP?")
    assert info.value.spent == pytest.approx(first.response_metadata["cost"])
    assert len(emu.ledger()["charges"]) == 1


def test_live_batch_never_exceeds_30_simultaneous_tasks_even_if_asked() -> None:
    emu = emulator(live_latency=0.15)
    model = standard(emu, method="live", max_retries=0)
    results = model.batch([f"q {i}" for i in range(70)], config={"max_concurrency": 70})
    assert all(isinstance(r, AIMessage) for r in results)
    ledger = emu.ledger()
    assert ledger["live_peak"]["chat_gpt"] == 30
    assert "40209" not in ledger["status_counts"]


async def test_live_abatch_never_exceeds_30_simultaneous_tasks_even_if_asked() -> None:
    emu = emulator(live_latency=0.15)
    model = standard(emu, method="live", max_retries=0)
    results = await model.abatch([f"q {i}" for i in range(70)], config={"max_concurrency": 70})
    assert all(isinstance(r, AIMessage) for r in results)
    assert emu.ledger()["live_peak"]["chat_gpt"] == 30
    assert "40209" not in emu.ledger()["status_counts"]


RECEIVER_SECRET = "e2e-receiver-secret-0123456789"


@pytest.fixture
def receiver() -> Iterator[tuple[Any, list[tuple[AIMessage, dict[str, str]]]]]:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "postback_receiver.py"
    spec = importlib.util.spec_from_file_location("postback_receiver", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    received: list[tuple[AIMessage, dict[str, str]]] = []
    lock = threading.Lock()

    def on_message(message: AIMessage, query: dict[str, str]) -> None:
        with lock:
            received.append((message, query))

    server = module.make_server("127.0.0.1", 0, on_message, secret=RECEIVER_SECRET)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, received
    server.shutdown()


def test_postback_receiver_example_gets_the_same_answers_as_collect(
    receiver: tuple[Any, list[tuple[AIMessage, dict[str, str]]]],
) -> None:
    server, received = receiver
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}/postback?secret={RECEIVER_SECRET}&id=$id&tag=$tag"
    emu = emulator(task_latency=0.2)
    with EmulatorServer(emu, port=0) as api:
        model = ChatDataForSEO(
            **AUTH, base_url=api.base_url, method="standard", web_search=True, postback_url=url
        )
        handles = model.submit(["Best CRM?", "Best invoicing tool?", "Best time tracker?"])
        deadline = time.monotonic() + 10
        while len(received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        collected = model.collect(handles)  # type: ignore[arg-type]
    assert len(received) == 3
    by_id = {query["id"]: (message, query) for message, query in received}
    for handle, message in zip(handles, collected, strict=True):
        assert isinstance(handle, TaskHandle)
        assert isinstance(message, AIMessage)
        pushed, query = by_id[handle.id]
        assert query["tag"] == handle.tag
        assert pushed.text == message.text
        assert pushed.response_metadata["annotations"] == message.response_metadata["annotations"]
        assert pushed.response_metadata["cost"] == message.response_metadata["cost"]
    assert calls(emu, "tasks_ready") == 0  # postback tasks are polled directly, never listed


def test_pingback_url_is_passed_through_and_called() -> None:
    hits: list[str] = []

    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        emu = emulator(task_latency=0.1)
        url = f"http://127.0.0.1:{server.server_address[1]}/ping?id=$id&tag=$tag"
        model = standard(emu, pingback_url=url)
        message = model.invoke("Best CRM?")
        deadline = time.monotonic() + 5
        while not hits and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.shutdown()
    task_id = message.response_metadata["task_id"]
    assert hits
    assert hits[0].startswith(f"/ping?id={task_id}&tag=lcdfs-")


class RunLog(BaseCallbackHandler):
    """Counts the LLM runs that LangChain's callback system sees."""

    def __init__(self) -> None:
        self.started: list[Any] = []
        self.ended: list[Any] = []
        self.errors: list[BaseException] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.started.append(messages)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.ended.append(response)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.errors.append(error)


def test_standard_batch_traces_each_prompt_as_its_own_run() -> None:
    emu = emulator(task_latency=0.1, fault_task_error_50000=0.3, seed=4)
    log = RunLog()
    with get_usage_metadata_callback() as usage:
        results = standard(emu).batch(
            [f"traced question {chr(97 + i)}" for i in range(10)],
            config={"callbacks": [log]},
            return_exceptions=True,
        )
    answered = [r for r in results if isinstance(r, AIMessage)]
    assert len(log.started) == 10
    assert len(log.ended) == len(answered)
    assert len(log.errors) == 10 - len(answered)
    assert 0 < len(answered) < 10
    totals = next(iter(usage.usage_metadata.values()))
    assert totals["output_tokens"] == sum(
        m.usage_metadata["output_tokens"] for m in answered if m.usage_metadata
    )


async def test_standard_abatch_traces_each_prompt_as_its_own_run() -> None:
    emu = emulator(task_latency=0.1)
    log = RunLog()
    results = await standard(emu).abatch(
        ["async traced one", "async traced two", "async traced three"],
        config={"callbacks": [log]},
    )
    assert len(log.started) == 3
    assert [r.generations[0][0].message.text for r in log.ended] == [r.text for r in results]


def test_standard_answers_keep_the_notes_on_what_was_changed() -> None:
    emu = emulator(task_latency=0.1)
    model = standard(emu, history_policy="pack")
    long_prompt = "Context sentence about agencies. " * 30 + "Which CRM fits best?"
    with pytest.warns(DataForSEOInputWarning):
        message = model.invoke(long_prompt, stop=["END"])
    assert message.response_metadata["layout"]["policy"] == "pack"
    assert message.response_metadata["ignored"] == {"stop": ["END"]}
    handles = model.submit([long_prompt])
    assert isinstance(handles[0], TaskHandle)
    saved = json.loads(json.dumps(handles[0].to_dict()))
    (collected,) = standard(emu).collect([saved])
    assert collected.response_metadata["layout"]["policy"] == "pack"  # type: ignore[union-attr]


def test_stop_in_a_standard_batch_is_noted_not_refused() -> None:
    emu = emulator(task_latency=0.1)
    with pytest.warns(DataForSEOInputWarning):
        results = standard(emu).batch(["one question", "two questions"], stop=["x"])
    assert [r.response_metadata["ignored"] for r in results] == [{"stop": ["x"]}] * 2


def test_a_batch_that_cannot_finish_raises_with_every_result_and_pending_handle() -> None:
    emu = emulator(task_latency=30)
    model = standard(emu, max_wait=0.3)
    with pytest.raises(DataForSEOBatchError) as info:
        model.batch(["slow one", "slow two", "slow three"])
    error = info.value
    assert len(error.results) == 3
    assert len(error.pending) == 3
    assert {h.id for h in error.pending} == {c["id"] for c in emu.ledger()["charges"]}
    assert model.spent == pytest.approx(3 * 0.0102)  # prepayments still held


def test_a_collect_that_fails_for_good_keeps_every_task_pending_and_paid() -> None:
    emu = emulator(task_latency=0.1)
    model = standard(emu)
    handles = model.submit(["first question", "second question"])

    def refuse(request: httpx.Request) -> httpx.Response:
        body = {"status_code": 40100, "status_message": "Unauthorized.", "tasks": None}
        return httpx.Response(401, json=body)

    broken = standard(emu, http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    broken._budget = model._budget  # the same spend as the submitting model
    results = broken.collect(handles, return_exceptions=True)  # type: ignore[arg-type]
    assert all(isinstance(r, DataForSEOTaskPendingError) for r in results)
    assert all("collecting stopped" in str(r) for r in results)
    assert model.spent == pytest.approx(2 * 0.0102)
    messages = model.collect(handles)  # type: ignore[arg-type]
    assert all(isinstance(m, AIMessage) for m in messages)


def test_unreadable_tasks_ready_answers_are_retried_not_fatal() -> None:
    emu = emulator(task_latency=0.1)
    calls = {"ready": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tasks_ready") and calls["ready"] == 0:
            calls["ready"] += 1
            return httpx.Response(200, content=b"{not json")
        return EmulatorTransport(emu).handle_request(request)

    model = standard(emu, http_client=httpx.Client(transport=httpx.MockTransport(flaky)))
    messages = model.batch(["alpha question", "beta question"])
    assert all(isinstance(m, AIMessage) for m in messages)
    assert calls["ready"] == 1


def test_collect_refuses_a_handle_of_an_unknown_engine_before_any_call() -> None:
    emu = emulator()
    with pytest.raises(DataForSEOInputError) as info:
        standard(emu).collect([{"id": "x", "engine": "chat-gpt"}])
    assert info.value.field == "engine"
    assert emu.ledger()["calls"].get("total", 0) == 0


def test_live_spend_keeps_charges_whose_answer_could_not_be_read() -> None:
    emu = emulator(fault_malformed_json=1.0)
    model = standard(emu, method="live", validate_model=False)
    for _ in range(3):
        with pytest.raises(DataForSEOError):
            model.invoke("What is a CRM?")
    charged = emu.ledger()["charged_total"]
    assert charged > 0
    assert model.spent >= charged  # each unreadable answer stays at its worst case
    assert model.unknown_cost_max == pytest.approx(model.spent)  # all of it unknown


async def test_abatch_makes_one_task_get_per_task_however_long_the_tasks_take(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # tasks_ready paced fast (a fresh account, so a fresh pacer) and tasks that take far
    # longer than ten idle polls: a periodic sweep of unfinished tasks would fetch them in
    # vain (the queue's collect: each task is fetched once, when tasks_ready lists it)
    monkeypatch.setattr("langchain_dataforseo._transport.pools.TASKS_READY_INTERVAL_SECONDS", 0.01)
    emu = emulator(task_latency=1.5)
    model = standard(emu, poll_interval=0.02, base_url="http://127.0.0.13")
    messages = await model.abatch([f"Question {chr(97 + i)} about CRM" for i in range(8)])
    assert all(isinstance(m, AIMessage) for m in messages)
    assert calls(emu, "task_get") == 8
    assert calls(emu, "tasks_ready") >= 10  # it polled (idly) while the tasks ran
    reconcile(emu, messages)  # type: ignore[arg-type]
