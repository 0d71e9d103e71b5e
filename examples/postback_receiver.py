"""A small web endpoint that receives DataForSEO postbacks and prints each answer and its sources.

Serve (point a Standard model's ``postback_url`` at it, e.g.
``http://your-host:8080/postback?id=$id&tag=$tag``)::

    python examples/postback_receiver.py --host 0.0.0.0 --port 8080

See it work offline, with no credentials: ``--demo`` starts the local emulator, posts
three Standard tasks with a postback URL pointing here, prints what arrives, and exits::

    python examples/postback_receiver.py --demo

Postbacks are not signed: treat them as triggers, and re-fetch with ``collect`` if the
result matters.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO, DataForSEOError
from langchain_dataforseo.postback import DataForSEOPostbackError, parse_postback

MAX_BODY = 16 * 1024 * 1024


def describe(message: AIMessage) -> str:
    """The answer with numbered sources and fan-out queries."""
    meta = message.response_metadata
    lines = [f"== task {meta['task_id']} ({meta['model_name']}, ${meta['cost']:.6f})", message.text]
    for number, source in enumerate(meta["annotations"], start=1):
        lines.append(f"  [{number}] {source.get('title', '')} - {source.get('url', '')}")
    lines.extend(f"  search: {query}" for query in meta["fan_out_queries"])
    return "\n".join(lines)


def make_server(
    host: str, port: int, on_message: Callable[[AIMessage, dict[str, str]], None]
) -> ThreadingHTTPServer:
    """A postback receiver: POST /postback (gzip JSON) and GET /pingback."""

    class Receiver(BaseHTTPRequestHandler):
        def _query(self) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                self._answer(413)
                return
            try:
                message = parse_postback(self.rfile.read(length))
            except (DataForSEOPostbackError, DataForSEOError) as error:
                print(f"rejected postback: {error}")
                self._answer(400)
                return
            on_message(message, self._query())
            self._answer(200)

        def do_GET(self) -> None:
            print(f"pingback: {self._query()}")
            self._answer(200)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the console for the answers."""

    return ThreadingHTTPServer((host, port), Receiver)


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

    receiver = make_server("127.0.0.1", 0, on_message)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/postback?id=$id&tag=$tag"
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
    receiver.shutdown()
    print(f"received {len(received)} of {len(prompts)} postbacks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--demo", action="store_true", help="run against the local emulator")
    args = parser.parse_args()
    if args.demo:
        demo()
        return
    server = make_server(args.host, args.port, lambda message, _q: print(describe(message)))
    print(f"listening on http://{args.host}:{args.port}/postback")
    server.serve_forever()


if __name__ == "__main__":
    main()
