"""Serve an ``httpx`` request handler on 127.0.0.1: documented shapes through real sockets.

The conformance tests write their answers as ``handler(httpx.Request) -> httpx.Response``;
:func:`serve` puts that handler behind a real HTTP server on loopback, so every call goes
through the package's client, its transport and the network stack.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.errors: list[BaseException] = []
        super().__init__(("127.0.0.1", 0), _Exchange)


class _Exchange(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"
        request = httpx.Request(self.command, url, headers=dict(self.headers), content=body)
        try:
            response = self.server.handler(request)
            response.read()
        except BaseException as error:  # the test's handler refused the request
            self.server.errors.append(error)
            response = httpx.Response(500, json={"status_code": 50000, "tasks": []})
        content = response.content
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "content-encoding", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def serve(owner: object, handler: Handler) -> str:
    """Serve ``handler`` on 127.0.0.1 while ``owner`` lives; the base URL.

    Args:
        owner: The object whose lifetime bounds the server's (it is shut down with it).
        handler: The answer to each request.

    Returns:
        ``http://127.0.0.1:PORT``.
    """
    server = _Server(handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    weakref.finalize(owner, server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}"
