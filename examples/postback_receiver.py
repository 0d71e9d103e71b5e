"""A small web endpoint that receives DataForSEO postbacks and prints each answer and its sources.

Serve (point a Standard model's ``postback_url`` at the URL it prints, which carries a
shared secret: ``http://your-host:8080/postback?secret=...&id=$id&tag=$tag``)::

    POSTBACK_SECRET=... python examples/postback_receiver.py --host 0.0.0.0 --port 8080

See it work offline, with no credentials: ``--demo`` starts the local emulator, posts
three Standard tasks with a postback URL pointing here, prints what arrives, and exits::

    python examples/postback_receiver.py --demo

What it defends against: forged postbacks (403 without the secret, compared in constant
time), bodies over 16 MiB or over the JSON parse budget (413), bodies not in UTF-8 (400),
broken requests (400/411), clients that stall (a per-read timeout of 10 s; a deadline of
10 s for the request line and headers, after which the connection is closed unanswered;
a deadline of 30 s for the whole body: 408), floods (a listen backlog, a cap of 32
connections in flight: 503), and the same task delivered twice (handled once). It is
still a demo: serve it behind TLS, and store results durably keyed by task id (see
docs/standard.md, "What a production postback receiver needs").
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import math
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO, DataForSEOError
from langchain_dataforseo.postback import (
    DataForSEOPostbackError,
    DataForSEOPostbackLimitError,
    new_secret,
    parse_postback,
    secret_matches,
)

MAX_BODY = 16 * 1024 * 1024
BACKLOG = 128  # connections the kernel queues while all handlers are busy (default 5)
TIMEOUT = 10.0  # seconds any one read or write may stall
HEADER_DEADLINE = 10.0  # seconds for the request line and headers (a trickler is cut off)
READ_DEADLINE = 30.0  # seconds for the whole body
MAX_CONNECTIONS = 32  # handled at once; each may hold up to MAX_BODY in memory
_CHUNK = 64 * 1024
_BUSY = b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

OnMessage = Callable[[AIMessage, dict[str, str]], None]


class Refused(Exception):
    """A request answered with an HTTP error status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def body_length(value: str | None, max_bytes: int) -> int:
    """The declared body length, or ``Refused`` (411 none, 400 not a number or 0, 413 too big)."""
    if value is None:
        raise Refused(411, "no Content-Length")
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise Refused(400, f"Content-Length {value[:40]!r} is not a number")
    if len(text) > len(str(max_bytes)) or int(text) > max_bytes:
        raise Refused(413, f"Content-Length {text[:40]} is over the cap of {max_bytes} bytes")
    if int(text) == 0:
        raise Refused(400, "empty body")
    return int(text)


class DeadlineReader(io.RawIOBase):
    """A connection's bytes: each read waits at most ``timeout`` s, and none past ``deadline``.

    The per-read timeout alone lets a client that sends a byte every few seconds hold
    its connection forever; the deadline (a ``time.monotonic()`` value) bounds the whole.
    """

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self._timeout = timeout
        self.deadline = math.inf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(min(self._timeout, left))
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self._timeout)  # writes keep the per-read timeout


class SeenTasks:
    """The task ids already handled (the most recent ``size``), shared by the handler threads."""

    def __init__(self, size: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def claim(self, task_id: str) -> bool:
        """Mark ``task_id`` seen; ``False`` if it already was."""
        with self._lock:
            if task_id in self._ids:
                return False
            self._ids[task_id] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True

    def release(self, task_id: str) -> None:
        """Forget ``task_id`` (its handling failed, so a redelivery must be handled)."""
        with self._lock:
            self._ids.pop(task_id, None)


class PostbackServer(ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog and a cap on connections in flight."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        backlog: int,
        max_connections: int,
    ) -> None:
        self.request_queue_size = backlog  # read by listen() in server_activate
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.send(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def describe(message: AIMessage) -> str:
    """The answer with numbered sources and fan-out queries."""
    meta = message.response_metadata
    lines = [f"== task {meta['task_id']} ({meta['model_name']}, ${meta['cost']:.6f})", message.text]
    for number, source in enumerate(meta["annotations"], start=1):
        lines.append(f"  [{number}] {source.get('title', '')} - {source.get('url', '')}")
    lines.extend(f"  search: {query}" for query in meta["fan_out_queries"])
    return "\n".join(lines)


def make_server(
    host: str,
    port: int,
    on_message: OnMessage,
    *,
    secret: str,
    backlog: int = BACKLOG,
    timeout: float = TIMEOUT,
    header_deadline: float = HEADER_DEADLINE,
    read_deadline: float = READ_DEADLINE,
    max_connections: int = MAX_CONNECTIONS,
    max_bytes: int = MAX_BODY,
) -> PostbackServer:
    """A postback receiver: POST /postback (gzip JSON) and GET /pingback, both with ?secret=.

    ``on_message(message, query)`` is called once per task id (``query`` without the
    secret); if it raises, the answer is 500 and a redelivery is handled again.
    ``timeout`` bounds each read; ``header_deadline`` the request line and headers (the
    connection is then closed, unanswered); ``read_deadline`` the body (408).
    """
    secret_matches(None, secret)  # refuses a weak secret now, not on the first request
    seen = SeenTasks()
    socket_timeout = timeout

    class Receiver(BaseHTTPRequestHandler):
        timeout = socket_timeout  # applied to the connection's socket by setup()

        def setup(self) -> None:
            super().setup()
            self.rfile.close()  # replaced by a reader with deadlines (closing frees the socket)
            self._reader = DeadlineReader(self.connection, socket_timeout)
            self._reader.deadline = time.monotonic() + header_deadline
            self.rfile = io.BufferedReader(self._reader)

        def do_POST(self) -> None:
            self._serve("/postback", self._postback)

        def do_GET(self) -> None:
            self._serve("/pingback", lambda query: print(f"pingback: {query}"))

        def _serve(self, path: str, route: Callable[[dict[str, str]], None]) -> None:
            self._reader.deadline = time.monotonic() + read_deadline  # headers are in
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            try:
                if not secret_matches(query.pop("secret", None), secret):
                    self._drain()
                    raise Refused(403, "missing or wrong secret")
                if url.path != path:
                    raise Refused(404, f"no {self.command} {url.path}")
                route(query)
            except Refused as refused:
                print(f"refused {self.command} {url.path}: {refused.status} {refused}")
                self._answer(refused.status)
            else:
                self._answer(200)

        def _postback(self, query: dict[str, str]) -> None:
            body = self._read(body_length(self.headers.get("Content-Length"), max_bytes))
            try:
                message = parse_postback(body, max_bytes=max_bytes)
            except DataForSEOPostbackLimitError as error:
                raise Refused(413, str(error)) from error
            except (DataForSEOPostbackError, DataForSEOError) as error:
                raise Refused(400, str(error)) from error
            task_id = message.response_metadata.get("task_id")
            if not task_id:
                raise Refused(400, "postback without a task id")
            if not seen.claim(task_id):
                print(f"duplicate postback for task {task_id}: already handled")
                return
            try:
                on_message(message, query)
            except Exception as error:
                seen.release(task_id)
                raise Refused(500, f"handling task {task_id} failed: {error!r}") from error

        def _read(self, length: int) -> bytearray:
            """The body, in chunks, within the per-read timeout and the whole-body deadline."""
            body = bytearray()  # grows with what arrives, not with what is declared
            deadline = time.monotonic() + read_deadline
            try:
                while len(body) < length:
                    if time.monotonic() > deadline:
                        raise Refused(408, f"body not received within {read_deadline} s")
                    chunk = self.rfile.read1(min(length - len(body), _CHUNK))
                    if not chunk:
                        raise Refused(400, f"body ended after {len(body)} of {length} bytes")
                    body += chunk
            except TimeoutError as error:
                why = f"no data for {socket_timeout} s, or no body within {read_deadline} s"
                raise Refused(408, why) from error
            return body  # a bytearray: parse_postback reads it without a copy

        def _drain(self) -> None:
            """Read a small refused body, so that closing does not reset the connection."""
            with contextlib.suppress(Refused, OSError):
                self._read(body_length(self.headers.get("Content-Length"), _CHUNK))

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the console for the answers, and the secret in the URL out of the logs."""

    return PostbackServer((host, port), Receiver, backlog=backlog, max_connections=max_connections)


def store_writer(db: str, run_id: str) -> OnMessage:
    """An ``on_message`` that records each answer into a panel run of a visibility store.

    The task is found by the tag ``run_panel`` gave it (echoed in the postback, and in the
    URL's ``$tag``); recording twice replaces, so a redelivery is harmless. Each call opens
    its own connection (the receiver's handlers run in threads; SQLite serialises writers).
    """
    from langchain_dataforseo.visibility import VisibilityStore, task_from_message

    VisibilityStore(db).close()  # a missing folder or a newer schema is refused at start

    def record(message: AIMessage, query: dict[str, str]) -> None:
        tag = message.response_metadata.get("tag") or query.get("tag")
        if not isinstance(tag, str) or not tag.startswith(f"{run_id}:"):
            raise Refused(400, f"postback tag {tag!r} is not a task of run {run_id!r}")
        with VisibilityStore(db) as store:
            raw = task_from_message(message, tag)
            store.record_results(run_id, [(tag, raw, message.response_metadata.get("cost"))])
        print(f"recorded {tag} ({message.response_metadata.get('task_id')})")

    return record


def demo() -> None:
    """Emulator + receiver on loopback: three Standard tasks delivered by postback."""
    from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

    received: list[AIMessage] = []
    lock = threading.Lock()

    def on_message(message: AIMessage, query: dict[str, str]) -> None:
        with lock:
            received.append(message)
        print(f"postback for id={query.get('id')} tag={query.get('tag')}")
        print(describe(message))

    secret = new_secret()
    receiver = make_server("127.0.0.1", 0, on_message, secret=secret)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/postback?secret={secret}&id=$id&tag=$tag"
    emulator = Emulator(EmulatorConfig(task_latency=0.5))
    with EmulatorServer(emulator, port=0) as api:
        model = ChatDataForSEO(
            login="emulator-login",
            password="emulator-password",  # noqa: S106 - the local emulator's public password
            base_url=api.base_url,
            method="standard",
            web_search=True,
            postback_url=url,
        )
        prompts = ["Best CRM for agencies?", "Best invoicing tool?", "Best time tracker?"]
        handles = model.submit(prompts)
        print(f"posted {len(handles)} tasks; waiting for their postbacks")
        deadline = time.monotonic() + 15
        while len(received) < len(prompts) and time.monotonic() < deadline:
            time.sleep(0.1)
    forger = http.client.HTTPConnection("127.0.0.1", receiver.server_address[1], timeout=10)
    forger.request("POST", "/postback?id=forged", body=b"{}")
    print(f"a postback without the secret was refused: HTTP {forger.getresponse().status}")
    forger.close()
    receiver.shutdown()
    print(f"received {len(received)} of {len(prompts)} postbacks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--backlog", type=int, default=BACKLOG)
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per read")
    parser.add_argument(
        "--header-deadline",
        type=float,
        default=HEADER_DEADLINE,
        help="seconds for the request line and headers",
    )
    parser.add_argument("--demo", action="store_true", help="run against the local emulator")
    parser.add_argument("--db", default=None, help="write each answer into this panel store")
    parser.add_argument("--run", default=None, help="the panel run the tasks belong to (--db)")
    args = parser.parse_args()
    if (args.db is None) != (args.run is None):
        parser.error("--db and --run go together")
    if args.demo:
        demo()
        return
    secret = os.environ.get("POSTBACK_SECRET")
    shown = "$POSTBACK_SECRET"
    if not secret:
        secret = shown = new_secret()
        print("POSTBACK_SECRET is not set: using a new secret for this run only")
    handle: OnMessage = lambda message, _q: print(describe(message))  # noqa: E731
    if args.db is not None:
        handle = store_writer(args.db, args.run)
    server = make_server(
        args.host,
        args.port,
        handle,
        secret=secret,
        backlog=args.backlog,
        timeout=args.timeout,
        header_deadline=args.header_deadline,
    )
    base = f"http://{args.host}:{args.port}"
    print(f"listening; postback_url: {base}/postback?secret={shown}&id=$id&tag=$tag")
    server.serve_forever()


if __name__ == "__main__":
    main()
