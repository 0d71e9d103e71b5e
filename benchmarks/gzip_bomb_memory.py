"""Peak memory of refusing a gzip bomb: httpx's own decoding vs the package's bounded one.

A loopback server sends 1 GiB of zeros gzipped (about 1 MB). Each way of reading stops
once the cap (32 MiB, the default, then 4 MiB) is passed; ``tracemalloc`` reports the
peak. Run:

    python benchmarks/gzip_bomb_memory.py
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable

import httpx

from langchain_dataforseo._api.envelope import ResponseTooLarge
from langchain_dataforseo._transport.http import send
from langchain_dataforseo._transport.retry import ApiCall


def bomb() -> bytes:
    """1 GiB of zeros, gzip-compressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush()


def serve(body: bytes) -> tuple[str, socket.socket]:
    """A loopback server answering every request with the gzipped body."""
    sock = socket.create_server(("127.0.0.1", 0))
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)

    def loop() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                with contextlib.suppress(OSError):
                    conn.sendall(head + body)

    threading.Thread(target=loop, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}/", sock


def httpx_decoding(url: str, cap: int) -> None:
    """httpx inflates; the cap counts what ``iter_bytes`` yields (small ``chunk_size``)."""
    with httpx.Client() as client, client.stream("GET", url) as response:
        size = 0
        for chunk in response.iter_bytes(chunk_size=4096):
            size += len(chunk)
            if size > cap:
                return


def package_send(url: str, cap: int) -> None:
    """The package's ``_http.send``: raw bytes from httpx, inflated by ``zlib`` with
    ``max_length`` (never more than the room left under the cap)."""
    call = ApiCall("GET", httpx.URL(url), None, idempotent=True, where="bomb", timeout=60.0)
    call.deadline = time.monotonic() + 60.0
    with httpx.Client() as client:
        try:
            send(client, call, "Basic bench", cap)
        except ResponseTooLarge:
            return
    raise AssertionError("the bomb was not refused")  # pragma: no cover


def peak(read: Callable[[str, int], None], url: str, cap: int) -> int:
    """Peak traced bytes while one answer is read."""
    tracemalloc.start()
    try:
        read(url, cap)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    body = bomb()
    url, sock = serve(body)
    print(f"gzip bomb: {len(body) / 1e6:.2f} MB on the wire, 1 GiB inflated")
    for cap in (32 << 20, 4 << 20):
        for name, read in (("httpx iter_bytes", httpx_decoding), ("package send", package_send)):
            mib = peak(read, url, cap) / (1 << 20)
            print(f"cap {cap >> 20:2} MiB  {name:18} peak {mib:7.1f} MiB")
    sock.close()


if __name__ == "__main__":
    main()
