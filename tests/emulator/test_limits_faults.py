from __future__ import annotations

import asyncio
import base64
import json
import threading
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)

from .conftest import AUTH, Clock, path, task0

TASK = [{"user_prompt": "standing desks", "model_name": "gpt-4o-mini"}]


def sync_client(emu: Emulator) -> httpx.Client:
    return httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH)


async def test_concurrency_cap_40209() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.3, live_concurrency_limit=3))
    async with httpx.AsyncClient(
        transport=AsyncEmulatorTransport(emu), base_url="http://e", auth=AUTH
    ) as c:
        calls = [c.post(path("chat_gpt", "live"), json=TASK) for _ in range(5)]
        calls.append(
            c.post(
                path("claude", "live"), json=[{"user_prompt": "x", "model_name": "claude-3-haiku"}]
            )
        )
        bodies = [r.json() for r in await asyncio.gather(*calls)]
    codes = sorted(task0(b)["status_code"] for b in bodies[:5])
    assert codes == [20000, 20000, 20000, 40209, 40209]
    assert task0(bodies[5])["status_code"] == 20000  # per engine
    for b in bodies[:5]:
        if task0(b)["status_code"] == 40209:
            assert b["status_code"] == 40209
            assert task0(b)["status_message"] == "Too many simultaneous queries."
            assert b["cost"] == 0
    ledger = emu.ledger()
    assert ledger["status_counts"]["40209"] == 2
    assert ledger["live_peak"] == {"chat_gpt": 3, "claude": 1}
    assert ledger["live_in_flight"] == {"chat_gpt": 0, "claude": 0}
    assert len(ledger["charges"]) == 4


async def test_async_latency_does_not_block_loop() -> None:
    emu = Emulator(EmulatorConfig(live_latency=0.3))
    async with httpx.AsyncClient(
        transport=AsyncEmulatorTransport(emu), base_url="http://e", auth=AUTH
    ) as c:
        responses = await asyncio.gather(
            *(
                c.post(
                    path("gemini", "live"),
                    json=[{"user_prompt": f"q{i}", "model_name": "gemini-2.5-flash"}],
                )
                for i in range(30)
            )
        )
    assert all(task0(r.json())["status_code"] == 20000 for r in responses)
    assert emu.ledger()["live_peak"]["gemini"] == 30  # all 30 slept at once: the loop was free
    assert float(task0(responses[0].json())["time"].split()[0]) >= 0.3


async def test_async_cancel_releases_slot() -> None:
    emu = Emulator(EmulatorConfig(live_latency=5, live_concurrency_limit=1))
    async with httpx.AsyncClient(
        transport=AsyncEmulatorTransport(emu), base_url="http://e", auth=AUTH
    ) as c:
        pending = asyncio.create_task(c.post(path("chat_gpt", "live"), json=TASK))
        await asyncio.sleep(0.05)
        assert emu.ledger()["live_in_flight"]["chat_gpt"] == 1
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
    ledger = emu.ledger()
    assert ledger["live_in_flight"]["chat_gpt"] == 0
    assert ledger["charges"] == []


async def _raw_live(port: int, i: int) -> dict[str, Any]:
    """A bare asyncio HTTP/1.1 client (measures the server, not client overhead)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps([{"user_prompt": f"q{i}", "model_name": "gpt-4o-mini"}]).encode()
    auth = base64.b64encode(":".join(AUTH).encode()).decode()
    writer.write(
        (
            f"POST {path('chat_gpt', 'live')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Basic {auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    payload = await reader.readexactly(length)
    writer.close()
    result: dict[str, Any] = json.loads(payload)
    return result


def test_server_300_concurrent_live_calls() -> None:
    emu = Emulator(EmulatorConfig(live_latency=1.0, live_concurrency_limit=1000))

    async def run(port: int) -> list[dict[str, Any]]:
        return await asyncio.gather(*(_raw_live(port, i) for i in range(300)))

    with EmulatorServer(emu) as server:
        bodies = asyncio.run(run(server.port))
    assert [task0(b)["status_code"] for b in bodies] == [20000] * 300
    ledger = emu.ledger()
    assert len({c["id"] for c in ledger["charges"]}) == 300
    assert ledger["live_peak"]["chat_gpt"] > 250


def test_server_keeps_connection_alive(emu: Emulator) -> None:
    with EmulatorServer(emu) as server, httpx.Client(base_url=server.base_url, auth=AUTH) as c:
        for _ in range(20):
            assert c.get(path("chat_gpt", "models")).status_code == 200


def test_server_default_cap_with_threads() -> None:
    emu = Emulator(EmulatorConfig(live_latency=1.0))
    results: list[int] = []
    barrier = threading.Barrier(35)
    with EmulatorServer(emu) as server:

        def call() -> None:
            with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=10) as c:
                barrier.wait()
                results.append(
                    task0(
                        c.post(
                            path("perplexity", "live"),
                            json=[{"user_prompt": "x", "model_name": "sonar"}],
                        ).json()
                    )["status_code"]
                )

        threads = [threading.Thread(target=call) for _ in range(35)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results.count(20000) + results.count(40209) == 35
    assert results.count(40209) >= 1
    assert emu.ledger()["live_peak"]["perplexity"] == 30


def test_calls_per_minute(clock: Clock) -> None:
    emu = Emulator(EmulatorConfig(clock=clock, calls_per_minute=5))
    with sync_client(emu) as c:
        for _ in range(4):
            assert c.get(path("claude", "models")).json()["status_code"] == 20000
        assert task0(c.post(path("chat_gpt", "live"), json=TASK).json())["status_code"] == 20000
        limited = c.post(path("chat_gpt", "live"), json=TASK + TASK).json()
        assert limited["status_code"] == 40202
        assert limited["status_message"] == "The rate-limit per minute has been exceeded."
        assert [t["status_code"] for t in limited["tasks"]] == [40202, 40202]
        assert limited["cost"] == 0
        assert c.get(path("claude", "models")).json()["status_code"] == 40202
        clock.advance(30)
        assert c.get(path("claude", "models")).json()["status_code"] == 40202
        clock.advance(31)
        assert c.get(path("claude", "models")).json()["status_code"] == 20000
        # control routes are never limited
        assert c.get("/emulator/ledger").status_code == 200
    ledger = emu.ledger()
    assert len(ledger["charges"]) == 1
    assert ledger["status_counts"] == {"20000": 6, "40202": 3}
    assert ledger["calls"]["total"] == 9


# ---------------------------------------------------------------- faults


def test_fault_drop_connection_transport() -> None:
    emu = Emulator(EmulatorConfig(fault_drop_connection=1.0))
    with sync_client(emu) as c, pytest.raises(httpx.ConnectError):
        c.post(path("chat_gpt", "live"), json=TASK)
    ledger = emu.ledger()
    assert ledger["faults"] == {"drop_connection": 1}
    assert ledger["charges"] == []
    assert ledger["calls"]["total"] == 1


async def test_fault_drop_connection_async() -> None:
    emu = Emulator(EmulatorConfig(fault_drop_connection=1.0))
    async with httpx.AsyncClient(
        transport=AsyncEmulatorTransport(emu), base_url="http://e", auth=AUTH
    ) as c:
        with pytest.raises(httpx.ConnectError):
            await c.get(path("chat_gpt", "models"))


def test_fault_drop_connection_server() -> None:
    emu = Emulator(EmulatorConfig(fault_drop_connection=1.0))
    errors = (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)
    with (
        EmulatorServer(emu) as server,
        httpx.Client(base_url=server.base_url, auth=AUTH) as c,
        pytest.raises(errors),
    ):
        c.post(path("chat_gpt", "live"), json=TASK)
    assert emu.ledger()["charges"] == []


@pytest.mark.parametrize("kind", ["transport", "server"])
def test_fault_http_500(kind: str) -> None:
    emu = Emulator(EmulatorConfig(fault_http_500=1.0))
    with EmulatorServer(emu) as server:
        client = (
            sync_client(emu)
            if kind == "transport"
            else httpx.Client(base_url=server.base_url, auth=AUTH)
        )
        with client as c:
            r = c.post(path("chat_gpt", "live"), json=TASK)
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    assert r.json()["status_code"] == 50000
    assert emu.ledger()["charges"] == []
    assert emu.ledger()["faults"] == {"http_500": 1}


def test_fault_rate_limit() -> None:
    emu = Emulator(EmulatorConfig(fault_rate_limit_40202=1.0))
    with sync_client(emu) as c:
        body = c.post(
            path("claude", "task_post"), json=[{"user_prompt": "x", "model_name": "claude-3-haiku"}]
        ).json()
    assert body["status_code"] == 40202
    assert task0(body)["status_code"] == 40202
    assert emu.ledger()["charges"] == []


def test_fault_malformed_json_is_charged(emu: Emulator) -> None:
    emu = Emulator(EmulatorConfig(fault_malformed_json=1.0))
    with EmulatorServer(emu) as server, httpx.Client(base_url=server.base_url, auth=AUTH) as c:
        r = c.post(path("chat_gpt", "live"), json=TASK)
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    ledger = emu.ledger()
    assert len(ledger["charges"]) == 1
    assert ledger["charges"][0]["response_corrupted"] is True
    assert ledger["charged_total"] > 0
    assert ledger["faults"] == {"malformed_json": 1}


@pytest.mark.parametrize("code", [50000, 50301])
def test_fault_task_errors_live(code: int) -> None:
    config = EmulatorConfig(**{f"fault_task_error_{code}": 1.0})  # type: ignore[arg-type]
    emu = Emulator(config)
    with sync_client(emu) as c:
        body = c.post(path("chat_gpt", "live"), json=TASK).json()
    assert body["status_code"] == 20000
    task = task0(body)
    assert task["status_code"] == code
    assert task["cost"] == 0
    assert task["result"] is None
    assert emu.ledger()["charges"] == []
    assert emu.ledger()["task_status_counts"] == {str(code): 1}


def test_fault_task_error_standard_refunded() -> None:
    emu = Emulator(EmulatorConfig(fault_task_error_50301=1.0))
    with sync_client(emu) as c:
        created = task0(
            c.post(
                path("gemini", "task_post"),
                json=[{"user_prompt": "x", "model_name": "gemini-2.5-flash"}],
            ).json()
        )
        assert created["status_code"] == 20100
        assert emu.ledger()["charged_total"] == 0  # settled at completion (task_latency 0)
        got = task0(c.get(path("gemini", f"task_get/{created['id']}")).json())
    assert got["status_code"] == 50301
    assert got["cost"] == 0
    entry = emu.ledger()["charges"][0]
    assert entry["status"] == "refunded"
    assert entry["cost"] == 0
    assert entry["refund"] == 0.0102


def _fault_sequence(seed: int) -> list[Any]:
    emu = Emulator(
        EmulatorConfig(
            seed=seed,
            fault_http_500=0.2,
            fault_rate_limit_40202=0.2,
            fault_task_error_50000=0.2,
            fault_malformed_json=0.2,
            fault_drop_connection=0.1,
        )
    )
    out: list[Any] = []
    with sync_client(emu) as c:
        for i in range(40):
            try:
                r = c.post(
                    path("chat_gpt", "live"),
                    json=[{"user_prompt": f"q{i}", "model_name": "gpt-4o-mini"}],
                )
            except httpx.ConnectError:
                out.append("drop")
                continue
            try:
                body = r.json()
                out.append(
                    (
                        r.status_code,
                        body["status_code"],
                        task0(body)["status_code"] if body["tasks"] else None,
                    )
                )
            except json.JSONDecodeError:
                out.append("malformed")
    ledger = emu.ledger()
    ids = [c["id"] for c in ledger["charges"]]
    assert len(ids) == len(set(ids))  # nothing charged twice
    out.append(ledger["charged_total"])
    return out


def test_faults_are_seeded() -> None:
    first, second, other = _fault_sequence(7), _fault_sequence(7), _fault_sequence(8)
    assert first == second
    assert first != other
    kinds = {
        x if isinstance(x, str) else (x[0], x[2]) for x in first[:-1] if not isinstance(x, float)
    }
    assert {"drop", "malformed", (500, None), (200, 40202), (200, 50000), (200, 20000)} <= kinds


def test_reset_forgets_everything(clock: Clock) -> None:
    emu = Emulator(EmulatorConfig(clock=clock, calls_per_minute=3))
    with sync_client(emu) as c:
        for _ in range(3):
            c.post(path("chat_gpt", "live"), json=TASK)
        assert c.get(path("chat_gpt", "models")).json()["status_code"] == 40202
        emu.reset()
        assert emu.ledger()["charges"] == []
        assert emu.ledger()["calls"] == {}
        assert c.get(path("chat_gpt", "models")).json()["status_code"] == 20000
