"""The emulator against hostile clients: huge bodies, silent or trickling connections, deep JSON.

Real sockets on loopback for the server; the in-process transports refuse the same bodies.
No timing is asserted: every wait has a generous hang guard (``GUARD``) and only the outcome
(an answer, a closed connection) is checked.
"""

from __future__ import annotations

import base64
import http.client
import json
import select
import socket
import time
from collections.abc import AsyncIterator, Iterator
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
from langchain_dataforseo.emulator.__main__ import build_parser
from langchain_dataforseo.emulator._app import MAX_JSON_DEPTH, nesting_depth
from langchain_dataforseo.emulator._config import MAX_BODY_BYTES

from .conftest import AUTH, MODEL, path, task0

GUARD = 10.0
"""Hang guard (seconds) for any wait on the server: far above any expected wait."""

LIVE = path("chat_gpt", "live")
TASK = [{"user_prompt": "standing desks", "model_name": MODEL["chat_gpt"]}]
BASIC = "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()
HUGE = 400 * 1024 * 1024


def connect(server: EmulatorServer) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=GUARD)


def head(target: str, *lines: str, method: str = "POST") -> bytes:
    """A request line and headers, without the body."""
    text = "".join(f"{line}\r\n" for line in (f"{method} {target} HTTP/1.1", "Host: e", *lines))
    return (text + "\r\n").encode()


def answer(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, Any]]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    body = json.loads(response.read())
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def closed_by_server(sock: socket.socket, send: bytes = b"") -> bool:
    """Wait up to GUARD for the server to close; send ``send`` a byte at a time meanwhile."""
    end = time.monotonic() + GUARD
    position = 0
    while time.monotonic() < end:
        if position < len(send):
            try:
                sock.send(send[position : position + 1])
            except OSError:
                return True
            position += 1
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            try:
                return sock.recv(65536) == b""
            except OSError:
                return True
    return False


def still_serves(server: EmulatorServer) -> None:
    with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=GUARD) as client:
        response = client.post(LIVE, json=TASK)
    assert response.status_code == 200
    assert task0(response.json())["status_code"] == 20000


# ---------------------------------------------------------------- bodies refused unread


def test_a_declared_huge_body_is_refused_before_it_is_sent() -> None:
    emu = Emulator()
    with EmulatorServer(emu) as server, connect(server) as sock:
        sock.sendall(head(LIVE, f"Authorization: {BASIC}", f"Content-Length: {HUGE}"))
        status, headers, body = answer(sock)  # not one byte of the body was sent
        assert status == 413
        assert headers["connection"] == "close"
        assert body["status_code"] == 40503
        assert body["tasks"] is None
        assert str(HUGE) in body["status_message"]
        assert str(MAX_BODY_BYTES) in body["status_message"]
        still_serves(server)
    ledger = emu.ledger()
    assert ledger["calls"]["total"] == 1  # only still_serves' call: the refusal is not a call
    assert len(ledger["charges"]) == 1


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect-100-continue"])
def test_an_unauthenticated_huge_body_gets_401_before_it_is_sent(expect: bool) -> None:
    emu = Emulator()
    extra = ("Expect: 100-continue",) if expect else ()
    with EmulatorServer(emu) as server, connect(server) as sock:
        sock.sendall(head(LIVE, f"Content-Length: {HUGE}", *extra))
        status, headers, body = answer(sock)  # a "100 Continue" first would be status 100
        assert status == 401
        assert headers["connection"] == "close"
        assert body["status_code"] == 40100
        still_serves(server)
    assert emu.ledger()["status_counts"]["40100"] == 1  # counted as every 401 is


def test_a_wrong_password_with_a_small_body_still_reads_its_401() -> None:
    with EmulatorServer(Emulator()) as server:
        with httpx.Client(base_url=server.base_url, auth=("x", "y"), timeout=GUARD) as client:
            for _ in range(3):  # the connection is closed after each: the next one is new
                response = client.post(LIVE, json=TASK)
                assert response.status_code == 401
                assert response.json()["status_code"] == 40100
        still_serves(server)


def test_a_chunked_body_is_cut_at_the_limit() -> None:
    emu = Emulator(EmulatorConfig(max_body_bytes=4096))
    chunk = b"3e8\r\n" + b"x" * 1000 + b"\r\n"
    with EmulatorServer(emu) as server, connect(server) as sock:
        sock.sendall(head(LIVE, f"Authorization: {BASIC}", "Transfer-Encoding: chunked"))
        sock.sendall(chunk * 5)  # 5000 bytes, and the body never ends
        status, _, body = answer(sock)
        assert status == 413
        assert "4096" in body["status_message"]
        still_serves(server)


def test_a_chunk_declaring_a_gigabyte_is_refused_unread() -> None:
    with EmulatorServer(Emulator()) as server, connect(server) as sock:
        sock.sendall(head(LIVE, f"Authorization: {BASIC}", "Transfer-Encoding: chunked"))
        sock.sendall(b"40000000\r\n")  # 1 GiB announced, nothing of it sent
        status, _, body = answer(sock)
        assert status == 413
        assert str(0x40000000) in body["status_message"]


def test_a_body_at_the_limit_is_served() -> None:
    payload = json.dumps(TASK).encode()
    emu = Emulator(EmulatorConfig(max_body_bytes=len(payload)))
    with (
        EmulatorServer(emu) as server,
        httpx.Client(base_url=server.base_url, auth=AUTH, timeout=GUARD) as client,
    ):
        response = client.post(LIVE, content=payload)
        chunked = client.post(LIVE, content=iter([payload[:10], payload[10:]]))
    assert task0(response.json())["status_code"] == 20000
    assert task0(chunked.json())["status_code"] == 20000


def _stream(size: int, seen: list[int]) -> Iterator[bytes]:
    for _ in range(size // 1000):
        seen.append(1000)
        yield b"x" * 1000


async def _astream(size: int, seen: list[int]) -> AsyncIterator[bytes]:
    for part in _stream(size, seen):
        yield part


def test_the_transport_refuses_the_same_bodies() -> None:
    emu = Emulator(EmulatorConfig(max_body_bytes=4096))
    seen: list[int] = []
    with httpx.Client(transport=EmulatorTransport(emu), base_url="http://e") as client:
        unauthenticated = client.post(LIVE, content=_stream(8000, seen))
        assert unauthenticated.status_code == 401
        assert seen == []  # the body was never read
        declared = client.post(LIVE, content=b"x" * 5000, auth=AUTH)
        streamed = client.post(LIVE, content=_stream(1_000_000, seen), auth=AUTH)
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["status_code"] == 40503
    assert sum(seen) == 5000  # cut once past the limit, the rest never produced


async def test_the_async_transport_refuses_the_same_bodies() -> None:
    emu = Emulator(EmulatorConfig(max_body_bytes=4096))
    seen: list[int] = []
    transport = AsyncEmulatorTransport(emu)
    async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:
        unauthenticated = await client.post(LIVE, content=_astream(8000, seen))
        assert unauthenticated.status_code == 401
        assert seen == []
        streamed = await client.post(LIVE, content=_astream(1_000_000, seen), auth=AUTH)
    assert streamed.status_code == 413
    assert sum(seen) == 5000


# ---------------------------------------------------------------- idle and trickling


def test_a_silent_connection_is_closed() -> None:
    with EmulatorServer(Emulator(EmulatorConfig(idle_timeout=0.3))) as server:
        with connect(server) as sock:
            assert closed_by_server(sock)
        still_serves(server)


def test_an_idle_keep_alive_connection_is_closed_after_its_request() -> None:
    payload = json.dumps(TASK).encode()
    lines = (f"Authorization: {BASIC}", f"Content-Length: {len(payload)}")
    config = EmulatorConfig(idle_timeout=0.3)
    with EmulatorServer(Emulator(config)) as server, connect(server) as sock:
        sock.sendall(head(LIVE, *lines) + payload)
        status, headers, _ = answer(sock)
        assert status == 200
        assert headers.get("connection") != "close"
        assert closed_by_server(sock)


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickled_request_is_cut_at_the_request_timeout(part: str) -> None:
    config = EmulatorConfig(idle_timeout=GUARD, request_timeout=0.3)
    with EmulatorServer(Emulator(config)) as server, connect(server) as sock:
        if part == "headers":
            sock.sendall(b"POST " + LIVE.encode() + b" HTTP/1.1\r\nX-Slow: ")
        else:
            sock.sendall(head(LIVE, f"Authorization: {BASIC}", "Content-Length: 100000"))
        assert closed_by_server(sock, send=b"a" * 100_000)  # a byte each 50 ms, never idle


# ---------------------------------------------------------------- deep JSON


@pytest.mark.parametrize(
    "target",
    [LIVE, "/v3/ai_optimization/llm_mentions/search_mentions/live"],
    ids=["llm_responses", "llm_mentions"],
)
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 100_000])
def test_deep_json_gets_40503_and_the_next_request_is_served(
    client: httpx.Client, target: str, depth: int
) -> None:
    inner = "[" * (depth - 2) + "]" * (depth - 2)
    body = f'[{{"user_prompt":"x","model_name":"{MODEL["chat_gpt"]}","x":{inner}}}]'
    response = client.post(target, content=body.encode())
    assert response.status_code == 200
    assert response.json()["status_code"] == 40503
    assert response.json()["tasks"] is None
    assert task0(client.post(LIVE, json=TASK).json())["status_code"] == 20000


def test_json_at_the_depth_limit_is_read(client: httpx.Client) -> None:
    inner = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)
    body = f'[{{"user_prompt":"x","model_name":"{MODEL["chat_gpt"]}","x":{inner}}}]'
    answered = client.post(LIVE, content=body.encode()).json()
    assert answered["status_code"] == 20000  # read: its unknown field is the task's error
    assert task0(answered)["status_code"] != 40503


def test_nesting_depth_counts_without_recursion() -> None:
    assert nesting_depth(3) == 0
    assert nesting_depth([]) == 1
    assert nesting_depth([{"a": [1, {"b": []}]}]) == 5
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert nesting_depth(deep) == 100_001


# ---------------------------------------------------------------- settings


def test_the_limits_are_settings_and_cli_options() -> None:
    args = build_parser().parse_args(
        ["--max-body-bytes", "1024", "--idle-timeout", "2.5", "--request-timeout", "3"]
    )
    assert (args.max_body_bytes, args.idle_timeout, args.request_timeout) == (1024, 2.5, 3.0)
    defaults = build_parser().parse_args([])
    assert defaults.max_body_bytes == MAX_BODY_BYTES == 8 * 1024 * 1024
    for bad in ({"max_body_bytes": 0}, {"idle_timeout": 0.0}, {"request_timeout": float("nan")}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            EmulatorConfig(**bad)
