"""Hostile servers on loopback: slow drips, huge bodies, gzip bombs, a proxy that listens.

Every call must end within its deadline (``timeout``, retries included) plus a small
margin, sync and async, saying whether it may have been charged; answers are read only
up to ``max_response_bytes`` decoded; and plain-http credentials never go to a proxy.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOResponseTooLargeError,
    DataForSEOTaskPendingError,
    DataForSEOTimeoutError,
    TaskHandle,
)
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

LOGIN, PASSWORD = "hostile-login", "hostile-password"
TIMEOUT = 1.0
MARGIN = 2.0
"""Generous: the machine is shared; a blocked call would take for ever, not 3 s."""

Respond = Callable[[socket.socket, threading.Event], None]


class HostileServer:
    """A loopback HTTP server that reads each request and answers with ``respond``."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests.append(head)
                self.respond(conn, self.stop)
            except OSError:
                return


def drip(data: bytes, stop: threading.Event, conn: socket.socket, every: float = 0.2) -> None:
    """Send ``data`` one byte at a time, faster than any read timeout trips."""
    for byte in data:
        if stop.wait(every):
            return
        conn.sendall(bytes([byte]))


def drip_body(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    )
    drip(b" " * 100000, stop, conn)


def drip_head(conn: socket.socket, stop: threading.Event) -> None:
    drip(b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 100000, stop, conn)


@pytest.fixture(params=[drip_body, drip_head], ids=["body", "headers"])
def dripping(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    with HostileServer(request.param) as server:
        yield server


def model_for(base_url: str, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {
        "login": LOGIN,
        "password": PASSWORD,
        "base_url": base_url,
        "timeout": TIMEOUT,
        "validate_model": False,
        "retry_base_delay": 0.0,
    }
    return ChatDataForSEO(**{**params, **kwargs})


def ends_within(seconds: float, work: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``work`` in a thread; fail if it is still blocked after ``seconds``."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:
            box["value"] = error

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the call was still blocked after {seconds} s"
    return time.monotonic() - started, box["value"]


async def aends_within(seconds: float, work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.monotonic()
    try:
        value = await asyncio.wait_for(work(), seconds)
    except TimeoutError:
        pytest.fail(f"the call was still blocked after {seconds} s")
    except Exception as error:
        value = error
    return time.monotonic() - started, value


# -- point 2: every call ends by its deadline ----------------------------------------------


def check_charged_timeout(elapsed: float, error: Any, *, charged: bool) -> None:
    assert isinstance(error, DataForSEOTimeoutError), error
    assert elapsed < TIMEOUT + MARGIN
    assert error.may_be_charged is charged
    if charged:
        assert "may have run and been charged" in str(error)
    else:
        assert "nothing was charged" in str(error)


def test_invoke_ends_by_its_deadline(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url)
    elapsed, error = ends_within(TIMEOUT + MARGIN, lambda: model.invoke("hi"))
    check_charged_timeout(elapsed, error, charged=True)
    assert len(dripping.requests) == 1  # a live POST that may have run is not sent again


async def test_ainvoke_ends_by_its_deadline(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url)
    elapsed, error = await aends_within(TIMEOUT + MARGIN, lambda: model.ainvoke("hi"))
    check_charged_timeout(elapsed, error, charged=True)
    assert len(dripping.requests) == 1


def test_list_models_ends_by_its_deadline(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url)
    elapsed, error = ends_within(TIMEOUT + MARGIN, model.list_models)
    check_charged_timeout(elapsed, error, charged=False)


async def test_alist_models_ends_by_its_deadline(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url)
    elapsed, error = await aends_within(TIMEOUT + MARGIN, model.alist_models)
    check_charged_timeout(elapsed, error, charged=False)


def answer_then_drip_head(conn: socket.socket, stop: threading.Event) -> None:
    """Answer the first request and keep the connection; drip the next answer's headers."""
    body = b'{"status_code": 40100, "status_message": "Unauthorized."}'
    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    drip_head(conn, stop)


def test_a_reused_connection_dripping_its_headers_ends_by_the_deadline() -> None:
    """The second call goes over the first one's kept-alive connection (no new connect)."""
    with HostileServer(answer_then_drip_head) as server:
        model = model_for(server.base_url, timeout=TIMEOUT)
        _, first = ends_within(10, model.list_models)
        assert getattr(first, "status_code", None) == 40100
        elapsed, error = ends_within(TIMEOUT + MARGIN, lambda: model.invoke("hi"))
        assert len(server.requests) == 1  # one connection served both calls
    check_charged_timeout(elapsed, error, charged=True)


HANDLE = TaskHandle(id="11221111-1111-0000-0000-000000000001", engine="chat_gpt")
MAX_WAIT = 1.5


def test_standard_collection_ends_by_max_wait(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url, method="standard", timeout=30.0)
    bound = MAX_WAIT + MARGIN  # the call in flight at max_wait ends then too
    elapsed, results = ends_within(
        bound, lambda: model.collect([HANDLE], max_wait=MAX_WAIT, return_exceptions=True)
    )
    assert elapsed < bound
    (result,) = results
    assert isinstance(result, DataForSEOTaskPendingError)  # the task may be fine: not lost
    assert result.task_id == HANDLE.id


async def test_async_standard_collection_ends_by_max_wait(dripping: HostileServer) -> None:
    model = model_for(dripping.base_url, method="standard", timeout=30.0)
    bound = MAX_WAIT + MARGIN
    elapsed, results = await aends_within(
        bound, lambda: model.acollect([HANDLE], max_wait=MAX_WAIT, return_exceptions=True)
    )
    assert elapsed < bound
    (result,) = results
    assert isinstance(result, DataForSEOTaskPendingError)


# -- point 4: a cap on the decoded size of an answer ----------------------------------------


def answer_with(head: bytes, body: bytes) -> Respond:
    def respond(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head + b"\r\n" + body)

    return respond


def big_identity(size: int) -> Respond:
    def respond(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"[" * 65536
        for _ in range(size // len(chunk)):
            if stop.is_set():
                return
            conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        conn.sendall(b"0\r\n\r\n")

    return respond


_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzip-compressed to about 1 MB."""
    if not _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        zeros = bytes(1 << 20)
        parts = [packer.compress(zeros) for _ in range(1024)]
        _BOMB.append(b"".join(parts) + packer.flush())
    return _BOMB[0]


def test_a_body_over_the_cap_is_refused_while_streaming() -> None:
    with HostileServer(big_identity(8 << 20)) as server:
        model = model_for(server.base_url, max_response_bytes=1 << 20)
        _elapsed, error = ends_within(10, lambda: model.invoke("hi"))
    assert isinstance(error, DataForSEOResponseTooLargeError), error
    assert error.limit == 1 << 20
    assert "max_response_bytes=1048576" in str(error)
    assert "may have been charged" in str(error)


def test_a_declared_100_mb_body_is_refused_before_it_is_read() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n"
    with HostileServer(answer_with(head, b"[" * 1000)) as server:
        _elapsed, error = ends_within(10, lambda: model_for(server.base_url).list_models())
    assert isinstance(error, DataForSEOResponseTooLargeError), error
    assert error.limit == 32 * 1024 * 1024


BOMB_CAP = 4 << 20
PEAK_BOUND = 16 << 20
"""Peak memory while refusing a 1 GiB gzip bomb under a 4 MiB cap. httpx's own decoder
would inflate a whole 64 KiB network read at once (about 64 MiB; 258 MiB peak measured by
``benchmarks/gzip_bomb_memory.py``); the bounded one holds at most about twice the cap."""


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap() -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 2 << 20
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n" % len(bomb)
    )
    with HostileServer(answer_with(head, bomb)) as server:
        model = model_for(server.base_url, max_response_bytes=BOMB_CAP)
        tracemalloc.start()
        try:
            _elapsed, error = ends_within(30, lambda: model.invoke("hi"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(error, DataForSEOResponseTooLargeError), error
    assert error.limit == BOMB_CAP
    assert peak < PEAK_BOUND


async def test_an_async_gzip_bomb_is_refused_too() -> None:
    bomb = gzip_bomb()
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n" % len(bomb)
    )
    with HostileServer(answer_with(head, bomb)) as server:
        model = model_for(server.base_url)
        _elapsed, error = await aends_within(30, lambda: model.ainvoke("hi"))
    assert isinstance(error, DataForSEOResponseTooLargeError), error


def test_a_small_gzip_answer_still_decodes() -> None:
    body = gzip.compress(b'{"status_code": 40100, "status_message": "Unauthorized."}')
    head = (
        b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
        b"Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(body)
    )
    with HostileServer(answer_with(head, body)) as server:
        _, error = ends_within(10, lambda: model_for(server.base_url).list_models())
    assert getattr(error, "status_code", None) == 40100


# -- point 13: plain-http credentials never go to a proxy -----------------------------------


def refuse_as_proxy(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy_in_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    with HostileServer(refuse_as_proxy) as proxy:
        for name in list(os.environ):
            if name.lower().endswith("_proxy"):
                monkeypatch.delenv(name)
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.base_url)
        yield proxy


@pytest.fixture
def emulator_server() -> Iterator[EmulatorServer]:
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    with EmulatorServer(emu, port=0) as server:
        yield server


def test_a_loopback_base_url_never_goes_through_a_proxy_from_the_environment(
    proxy_in_environment: HostileServer, emulator_server: EmulatorServer
) -> None:
    model = model_for(emulator_server.base_url, validate_model=True, timeout=10)
    assert model.invoke("hi").text
    assert proxy_in_environment.requests == []  # the credentials never reached it


async def test_async_loopback_calls_never_go_through_a_proxy_either(
    proxy_in_environment: HostileServer, emulator_server: EmulatorServer
) -> None:
    model = model_for(emulator_server.base_url, timeout=10)
    assert (await model.ainvoke("hi")).text
    assert proxy_in_environment.requests == []
