from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport

from .conftest import AUTH, Clock, live, path, task0


def post(client: httpx.Client, engine: str, *tasks: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = client.post(path(engine, "task_post"), json=list(tasks)).json()
    return body


def get(client: httpx.Client, engine: str, task_id: str) -> dict[str, Any]:
    return task0(client.get(path(engine, f"task_get/{task_id}")).json())


def ready_ids(client: httpx.Client, engine: str) -> list[str]:
    t = task0(client.get(path(engine, "tasks_ready")).json())
    assert t["status_code"] == 20000
    return [r["id"] for r in t["result"]]


@pytest.fixture
def slow_emu(clock: Clock) -> Emulator:
    return Emulator(EmulatorConfig(clock=clock, task_latency=30.0))


@pytest.fixture
def slow_client(slow_emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=EmulatorTransport(slow_emu), base_url="http://e", auth=AUTH) as c:
        yield c


def test_lifecycle(slow_client: httpx.Client, slow_emu: Emulator, clock: Clock) -> None:
    task = {
        "user_prompt": "Which CRM for a 10-person agency?",
        "model_name": "claude-sonnet-4-5",
        "tag": "batch-7:q1",
    }
    posted = post(slow_client, "claude", task)
    assert posted["cost"] == 0.0102
    created = task0(posted)
    assert created["status_code"] == 20100
    assert created["status_message"] == "Task Created."
    assert created["result"] is None
    task_id = created["id"]
    ledger = slow_emu.ledger()
    assert ledger["charges"] == [
        {
            "id": task_id,
            "engine": "claude",
            "method": "task_post",
            "cost": 0.0102,
            "prepaid": 0.0102,
            "refund": 0.0,
            "tag": "batch-7:q1",
            "status": "prepaid",
            "response_corrupted": False,
        }
    ]
    pending = get(slow_client, "claude", task_id)
    assert pending["status_code"] == 40602
    assert pending["status_message"] == "Task In Queue."
    assert pending["cost"] == 0
    assert pending["result"] is None
    assert pending["data"]["tag"] == "batch-7:q1"
    assert ready_ids(slow_client, "claude") == []

    clock.advance(30)
    items = task0(slow_client.get(path("claude", "tasks_ready")).json())["result"]
    assert items == [
        {
            "id": task_id,
            "se": "claude",
            "se_type": "llm_responses",
            "date_posted": items[0]["date_posted"],
            "tag": "batch-7:q1",
            "endpoint": f"/v3/ai_optimization/claude/llm_responses/task_get/{task_id}",
        }
    ]
    done = get(slow_client, "claude", task_id)
    assert done["status_code"] == 20000
    result = done["result"][0]
    assert done["cost"] == round(0.0002 + result["money_spent"], 7)
    # same answer as live for the same request
    live_result = task0(live(slow_client, "claude", task))["result"][0]
    assert live_result["items"] == result["items"]
    assert live_result["money_spent"] == result["money_spent"]
    # collected: leaves tasks_ready, task_get stays repeatable and free
    assert ready_ids(slow_client, "claude") == []
    again = get(slow_client, "claude", task_id)
    assert again["result"] == done["result"]
    ledger = slow_emu.ledger()
    entry = ledger["charges"][0]
    assert entry["status"] == "settled"
    assert entry["cost"] == done["cost"]
    assert entry["prepaid"] == 0.0102
    assert entry["refund"] == round(0.0102 - done["cost"], 7)
    assert len(ledger["charges"]) == 2  # + the live call
    assert ledger["charged_total"] == round(done["cost"] + ledger["charges"][1]["cost"], 7)


def test_settlement_above_prepayment(
    slow_client: httpx.Client, slow_emu: Emulator, clock: Clock
) -> None:
    # gemini web search fee alone exceeds the $0.01 advance
    created = task0(
        post(
            slow_client,
            "gemini",
            {"user_prompt": "x y", "model_name": "gemini-2.5-pro", "web_search": True},
        )
    )
    clock.advance(31)
    done = get(slow_client, "gemini", created["id"])
    assert done["result"][0]["money_spent"] > 0.01
    entry = slow_emu.ledger()["charges"][0]
    assert entry["cost"] == round(0.0002 + done["result"][0]["money_spent"], 7)
    assert entry["refund"] < 0


def test_task_get_errors(slow_client: httpx.Client, clock: Clock) -> None:
    created = task0(
        post(slow_client, "chat_gpt", {"user_prompt": "x", "model_name": "gpt-4o-mini"})
    )
    assert (
        get(slow_client, "chat_gpt", "00000000-0000-0000-1000-000000000000")["status_code"] == 40401
    )
    wrong = get(slow_client, "claude", created["id"])
    assert wrong["status_code"] == 40002
    clock.advance(31 * 86400)
    assert get(slow_client, "chat_gpt", created["id"])["status_code"] == 40403


def test_tasks_ready_per_engine_and_order(slow_client: httpx.Client, clock: Clock) -> None:
    a = task0(
        post(slow_client, "chat_gpt", {"user_prompt": "a", "model_name": "gpt-4o-mini", "tag": "A"})
    )["id"]
    b = task0(
        post(slow_client, "chat_gpt", {"user_prompt": "b", "model_name": "gpt-4o", "tag": "B"})
    )["id"]
    c = task0(post(slow_client, "gemini", {"user_prompt": "c", "model_name": "gemini-2.5-flash"}))[
        "id"
    ]
    clock.advance(30)
    assert ready_ids(slow_client, "chat_gpt") == [a, b]
    assert ready_ids(slow_client, "gemini") == [c]
    get(slow_client, "chat_gpt", a)
    assert ready_ids(slow_client, "chat_gpt") == [b]


def test_tasks_ready_rate_limit(clock: Clock) -> None:
    emu = Emulator(EmulatorConfig(clock=clock, tasks_ready_per_minute=3))
    with httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH) as c:
        codes = [c.get(path("chat_gpt", "tasks_ready")).json()["status_code"] for _ in range(5)]
        assert codes == [20000, 20000, 20000, 40202, 40202]
        limited = c.get(path("chat_gpt", "tasks_ready")).json()
        assert task0(limited)["status_code"] == 40202
        clock.advance(61)
        assert c.get(path("claude", "tasks_ready")).json()["status_code"] == 20000
        assert emu.ledger()["status_counts"]["40202"] == 3


# ---------------------------------------------------------------- callbacks


class Receiver:
    """A loopback HTTP receiver recording pingbacks/postbacks."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = _record
            do_POST = _record

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def cb_emu() -> Emulator:
    return Emulator(EmulatorConfig(task_latency=0.1, callback_timeout=1.0))


@pytest.fixture
def cb_client(cb_emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=EmulatorTransport(cb_emu), base_url="http://e", auth=AUTH) as c:
        yield c


def test_pingback(cb_client: httpx.Client, cb_emu: Emulator, receiver: Receiver) -> None:
    tag = "batch 7#q1&x"
    created = task0(
        post(
            cb_client,
            "chat_gpt",
            {
                "user_prompt": "x",
                "model_name": "gpt-4o-mini",
                "tag": tag,
                "pingback_url": receiver.url + "/ping?id=$id&tag=$tag",
            },
        )
    )
    assert created["data"]["pingback_url"].endswith("?id=$id&tag=$tag")  # data keeps what was sent
    wait_for(lambda: len(receiver.requests) == 1)
    request = receiver.requests[0]
    assert request["method"] == "GET"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query == {"id": [created["id"]], "tag": [tag]}
    assert "batch%207%23q1%26x" in request["path"]
    wait_for(lambda: cb_emu.ledger()["callbacks"])
    assert cb_emu.ledger()["callbacks"][0]["delivered"] is True
    assert ready_ids(cb_client, "chat_gpt") == []
    assert get(cb_client, "chat_gpt", created["id"])["status_code"] == 20000


def test_postback_gzip(cb_client: httpx.Client, cb_emu: Emulator, receiver: Receiver) -> None:
    created = task0(
        post(
            cb_client,
            "gemini",
            {
                "user_prompt": "best solar panels",
                "model_name": "gemini-2.5-flash",
                "web_search": True,
                "tag": "t1",
                "postback_url": receiver.url + "/post/$id?tag=$tag",
            },
        )
    )
    wait_for(lambda: len(receiver.requests) == 1)
    request = receiver.requests[0]
    assert request["method"] == "POST"
    assert request["path"] == f"/post/{created['id']}?tag=t1"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Content-Encoding"] == "gzip"
    assert request["body"][:2] == b"\x1f\x8b"
    body = json.loads(gzip.decompress(request["body"]))
    assert body["status_code"] == 20000
    task = task0(body)
    assert task["id"] == created["id"]
    assert task["status_code"] == 20000
    assert task["result"][0]["items"][-1]["sections"][0]["annotations"]
    assert task["path"][-2:] == ["task_get", created["id"]]
    wait_for(lambda: cb_emu.ledger()["callbacks"])
    assert ready_ids(cb_client, "gemini") == []
    # the delivered result equals what task_get returns
    assert get(cb_client, "gemini", created["id"])["result"] == task["result"]


@pytest.mark.parametrize("failure", ["status", "refused", "off_machine"])
def test_failed_delivery_goes_to_tasks_ready(
    cb_client: httpx.Client, cb_emu: Emulator, receiver: Receiver, failure: str
) -> None:
    receiver.status = 500
    url = {
        "status": receiver.url + "/p?id=$id",
        "refused": "http://127.0.0.1:9/p?id=$id",  # nothing listens on the discard port
        "off_machine": "http://192.0.2.1/p?id=$id",  # never contacted: not loopback
    }[failure]
    created = task0(
        post(
            cb_client,
            "claude",
            {"user_prompt": "x", "model_name": "claude-3-haiku", "postback_url": url},
        )
    )
    wait_for(lambda: cb_emu.ledger()["callbacks"])
    outcome = cb_emu.ledger()["callbacks"][0]
    assert outcome["delivered"] is False
    if failure == "off_machine":
        assert outcome["error"].startswith("refused")
    if failure == "status":
        assert outcome["http_status"] == 500
    assert ready_ids(cb_client, "claude") == [created["id"]]


def test_callback_task_hidden_until_delivery_outcome(clock: Clock, receiver: Receiver) -> None:
    emu = Emulator(EmulatorConfig(clock=clock, task_latency=10))
    with httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH) as c:
        created = task0(
            post(
                c,
                "chat_gpt",
                {
                    "user_prompt": "x",
                    "model_name": "gpt-4o",
                    "pingback_url": receiver.url + "/?id=$id",
                },
            )
        )
        time.sleep(0.1)
        assert receiver.requests == []  # not yet complete (manual clock)
        clock.advance(10)
        wait_for(lambda: len(receiver.requests) == 1)
        assert ready_ids(c, "chat_gpt") == []
        assert get(c, "chat_gpt", created["id"])["status_code"] == 20000
