"""The example postback receiver under hostile traffic, started on 127.0.0.1 in each test.

Forged postbacks (no secret, a wrong one), the same task twice, a broken ``Content-Length``,
clients that stall, JSON that would balloon in memory, and the listen backlog.
"""

from __future__ import annotations

import gzip
import http.client
import importlib.util
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from tests.unit_tests.helpers import envelope

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "postback_receiver.py"
SECRET = "test-secret-0123456789abcdef"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postback_receiver_under_test", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Receiver:
    """A running receiver and what it recorded."""

    def __init__(self, example: ModuleType, **options: Any) -> None:
        self.received: list[tuple[AIMessage, dict[str, str]]] = []
        self._lock = threading.Lock()
        options.setdefault("secret", SECRET)
        self.server = example.make_server("127.0.0.1", 0, self._record, **options)
        self.port: int = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def _record(self, message: AIMessage, query: dict[str, str]) -> None:
        with self._lock:
            self.received.append((message, query))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def post(self, body: bytes, path: str = f"/postback?secret={SECRET}&id=x") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", path, body=body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def try_post(self, body: bytes) -> int | None:
        """The status, or ``None`` when the server closed the connection before answering."""
        try:
            return self.post(body)[0]
        except (ConnectionError, http.client.HTTPException):
            return None

    def raw(self, data: bytes, *, timeout: float = 10) -> bytes:
        """Send raw bytes, half-close, and read everything the server answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            return _read_all(sock)


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def start(example: ModuleType) -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def starter(**options: Any) -> Receiver:
        receiver = Receiver(example, **options)
        started.append(receiver)
        return receiver

    yield starter
    for receiver in started:
        receiver.close()


def postback(task_id: str = "11221111-1111-0000-0000-000000000001") -> bytes:
    return gzip.compress(json.dumps(envelope(task_id=task_id)).encode("utf-8"))


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:80]
    return int(answer.split(b" ", 2)[1])


# --------------------------------------------------------------------------- the secret


def test_a_postback_with_the_right_secret_is_accepted_and_recorded(
    start: Callable[..., Receiver],
) -> None:
    receiver = start()
    assert receiver.post(postback("task-1"), f"/postback?secret={SECRET}&id=task-1&tag=t")[0] == 200
    assert len(receiver.received) == 1
    message, query = receiver.received[0]
    assert message.response_metadata["task_id"] == "task-1"
    assert query == {"id": "task-1", "tag": "t"}  # the secret is not handed on


@pytest.mark.parametrize(
    "path",
    [
        "/postback?id=task-1",
        "/postback?secret=&id=task-1",
        "/postback?secret=wrong-secret-0123456789abcdef&id=task-1",
        f"/postback?secret={SECRET[:-1]}&id=task-1",
        f"/postback?secret={SECRET}x&id=task-1",
        f"/postback?secret={SECRET.upper()}",
    ],
)
def test_a_forged_postback_is_refused_with_403_and_not_recorded(
    start: Callable[..., Receiver], path: str
) -> None:
    receiver = start()
    assert receiver.post(postback("task-1"), path)[0] == 403
    assert receiver.received == []
    # The receiver is still up and takes the genuine one.
    assert receiver.post(postback("task-1"))[0] == 200
    assert len(receiver.received) == 1


def test_a_forged_pingback_is_refused_with_403(start: Callable[..., Receiver]) -> None:
    receiver = start()
    assert status_of(receiver.raw(b"GET /pingback?id=t HTTP/1.1\r\nHost: x\r\n\r\n")) == 403
    answer = receiver.raw(f"GET /pingback?secret={SECRET}&id=t HTTP/1.1\r\n\r\n".encode())
    assert status_of(answer) == 200


def test_make_server_refuses_a_weak_secret(example: ModuleType) -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        example.make_server("127.0.0.1", 0, lambda message, query: None, secret="short")


# --------------------------------------------------------------------------- de-duplication


def test_the_same_task_id_twice_is_recorded_once(start: Callable[..., Receiver]) -> None:
    receiver = start()
    assert receiver.post(postback("task-1"))[0] == 200
    assert receiver.post(postback("task-1"))[0] == 200  # acknowledged, so it is not resent
    assert receiver.post(postback("task-2"))[0] == 200
    assert [m.response_metadata["task_id"] for m, _ in receiver.received] == ["task-1", "task-2"]


def test_the_same_task_id_posted_concurrently_is_recorded_once(
    start: Callable[..., Receiver],
) -> None:
    receiver = start()
    body = postback("task-1")
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(receiver.post(body)[0])) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 8
    assert len(receiver.received) == 1


def test_a_task_whose_handler_failed_is_not_marked_seen(example: ModuleType) -> None:
    calls: list[str] = []

    def flaky(message: AIMessage, query: dict[str, str]) -> None:
        calls.append(message.response_metadata["task_id"])
        if len(calls) == 1:
            raise RuntimeError("storage is down")

    server = example.make_server("127.0.0.1", 0, flaky, secret=SECRET)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"/postback?secret={SECRET}"
        for expected in (500, 200, 200):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], 10)
            connection.request("POST", url, body=postback("task-1"))
            assert connection.getresponse().status == expected
            connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert calls == ["task-1", "task-1"]


# --------------------------------------------------------------------------- broken requests


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", " 12 ", "0x10", "99999999999999999999999"])
def test_a_bad_content_length_is_answered_400_and_the_server_keeps_serving(
    start: Callable[..., Receiver], value: str
) -> None:
    receiver = start()
    request = f"POST /postback?secret={SECRET} HTTP/1.1\r\nContent-Length: {value}\r\n\r\n"
    assert status_of(receiver.raw(request.encode())) in (400, 413)
    assert receiver.post(postback())[0] == 200
    assert len(receiver.received) == 1


def test_content_length_abc_is_400(start: Callable[..., Receiver]) -> None:
    receiver = start()
    request = f"POST /postback?secret={SECRET} HTTP/1.1\r\nContent-Length: abc\r\n\r\n"
    assert status_of(receiver.raw(request.encode())) == 400


def test_a_missing_content_length_is_411(start: Callable[..., Receiver]) -> None:
    receiver = start()
    answer = receiver.raw(f"POST /postback?secret={SECRET} HTTP/1.1\r\n\r\n".encode())
    assert status_of(answer) == 411


def test_a_body_over_the_byte_cap_is_413_before_it_is_read(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(max_bytes=1000)
    request = f"POST /postback?secret={SECRET} HTTP/1.1\r\nContent-Length: 1001\r\n\r\n"
    assert status_of(receiver.raw(request.encode())) == 413
    assert receiver.received == []


def test_a_body_that_is_not_a_postback_is_400(start: Callable[..., Receiver]) -> None:
    receiver = start()
    assert receiver.post(b"{not json")[0] == 400
    assert receiver.post(json.dumps({"tasks": "no"}).encode())[0] == 400
    assert receiver.received == []


def test_an_unknown_path_is_404(start: Callable[..., Receiver]) -> None:
    receiver = start()
    assert receiver.post(postback(), f"/elsewhere?secret={SECRET}")[0] == 404
    assert receiver.received == []


# --------------------------------------------------------------------------- parse budget


def test_json_over_the_parse_budget_is_refused_without_the_memory_ballooning(
    start: Callable[..., Receiver],
) -> None:
    receiver = start()
    # 8 MiB of empty objects: within the 16 MiB byte cap, hundreds of MiB once built.
    flat = b"[" + b"{}," * (8 * MIB // 3) + b"{}]"
    deep = gzip.compress(b"[" * (8 * MIB))
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        statuses = [receiver.post(flat)[0], receiver.post(deep)[0]]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert statuses == [413, 413]
    assert receiver.received == []
    # The body itself is held once or twice while it is read; building it takes ~25x.
    assert peak - baseline < 4 * len(flat)
    assert receiver.post(postback())[0] == 200


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_json_in_utf16_or_utf32_is_refused_before_it_is_parsed(
    start: Callable[..., Receiver], encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = start()
    handed: list[int] = []
    real_loads = json.loads

    def spy(text: Any, **kwargs: Any) -> Any:
        handed.append(len(text))
        return real_loads(text, **kwargs)

    monkeypatch.setattr(json, "loads", spy)
    # U+2200 holds a lone quote byte in UTF-16/32: a byte scan then sees one open string
    # and never counts the 300,000 values after it (the budget is 100,000).
    body = ('["\u2200",' + "{}," * 300_000 + "{}]").encode(encoding)
    packed = gzip.compress(body)
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        statuses = [receiver.post(body)[0], receiver.post(packed)[0]]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert statuses == [400, 400]
    assert handed == []  # json.loads never saw it
    assert receiver.received == []
    assert peak - baseline < 300_000 * sys.getsizeof({})  # less than parsing would build
    assert receiver.post(postback())[0] == 200  # UTF-8, as DataForSEO sends, still passes
    assert len(receiver.received) == 1


# --------------------------------------------------------------------------- slow clients


def test_a_client_that_sends_nothing_is_cut_off_and_others_are_served(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(timeout=0.5)
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as idle:
        assert receiver.post(postback())[0] == 200  # served while the idle one hangs
        assert _read_all(idle) == b""  # closed by the server, with no answer
    assert time.monotonic() - began < 5  # the socket timeout (0.5 s) plus a generous margin
    assert len(receiver.received) == 1


def test_a_client_that_stops_mid_body_is_cut_off_with_408_and_nothing_recorded(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(timeout=0.5)
    body = postback()
    head = f"POST /postback?secret={SECRET} HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as slow:
        slow.sendall(head.encode() + body[:10])
        answer = _read_all(slow)
    assert status_of(answer) == 408
    assert receiver.received == []
    assert receiver.post(body)[0] == 200


def test_a_client_that_trickles_its_body_is_cut_off_at_the_read_deadline(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(timeout=1.0, read_deadline=1.0)
    body = postback()
    head = f"POST /postback?secret={SECRET} HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n"
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as slow:
        slow.sendall(head.encode())
        slow.settimeout(0.2)
        answer = b""
        for byte in body:  # one byte every 0.2 s: each read is well within the timeout
            try:
                slow.sendall(bytes([byte]))
                answer += slow.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
    assert status_of(answer) == 408
    assert time.monotonic() - began < 8  # the 1 s deadline plus a generous margin
    assert receiver.received == []


def _trickle(port: int, data: bytes, stop: threading.Event, cut_off: list[int]) -> None:
    """Send ``data`` a byte every 50 ms; note in ``cut_off`` when the server closes on us."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for byte in data:
            if stop.is_set():
                return
            try:
                sock.sendall(bytes([byte]))
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable and not sock.recv(65536):
                    cut_off.append(1)  # closed, unanswered
                    return
            except OSError:
                cut_off.append(1)  # reset
                return


def test_clients_that_trickle_their_headers_are_cut_off_at_the_header_deadline(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(timeout=5.0, header_deadline=2.0, max_connections=4)
    # 4,000 bytes at 20 a second: 200 s of headers, each byte well within the 5 s timeout.
    head = f"POST /postback?secret={SECRET} HTTP/1.1\r\nX-Pad: {'a' * 4000}\r\n".encode()
    stop, cut_off = threading.Event(), []
    tricklers = [
        threading.Thread(target=_trickle, args=(receiver.port, head, stop, cut_off), daemon=True)
        for _ in range(4)
    ]
    for thread in tricklers:
        thread.start()
    try:
        give_up = time.monotonic() + 20
        while receiver.server._slots._value > 0:  # every slot taken by a trickler
            assert time.monotonic() < give_up
            time.sleep(0.01)
        while receiver.try_post(postback()) != 200:
            assert time.monotonic() < give_up, "the tricklers kept every slot"
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in tricklers:
            thread.join(timeout=10)
    assert len(cut_off) == 4  # each trickler was closed by the server
    assert len(receiver.received) == 1


def test_connections_past_max_connections_get_503_and_the_slot_is_freed(
    start: Callable[..., Receiver],
) -> None:
    receiver = start(timeout=3.0, max_connections=1)
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as idle:
        time.sleep(0.2)  # let the server accept it and take the only slot
        assert receiver.try_post(postback()) in (503, None)  # None: reset before the answer
        assert receiver.received == []
        assert _read_all(idle) == b""  # the idle one times out and frees the slot
    deadline = time.monotonic() + 5
    while receiver.post(postback())[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert len(receiver.received) == 1


# --------------------------------------------------------------------------- backlog


def test_the_backlog_is_passed_to_listen(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    backlogs: list[int] = []
    real_listen = socket.socket.listen

    def spy(self: socket.socket, backlog: int = 0) -> None:
        backlogs.append(backlog)
        real_listen(self, backlog)

    monkeypatch.setattr(socket.socket, "listen", spy)
    server = example.make_server("127.0.0.1", 0, lambda m, q: None, secret=SECRET, backlog=321)
    server.server_close()
    assert backlogs == [321]
    default = example.make_server("127.0.0.1", 0, lambda m, q: None, secret=SECRET)
    default.server_close()
    assert backlogs[-1] == default.request_queue_size >= 128


# --------------------------------------------------------------------------- the demo


def test_the_demo_delivers_every_postback_and_refuses_a_forged_one() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFORSEO_", "POSTBACK_"))}
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(EXAMPLE), "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "a postback without the secret was refused: HTTP 403" in done.stdout
    assert done.stdout.rstrip().endswith("received 3 of 3 postbacks")
    assert done.stdout.count("== task ") == 3
    assert "secret=" not in done.stdout
