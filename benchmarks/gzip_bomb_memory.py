"""Peak memory of reading a gzip bomb under a 32 MiB cap: httpx's decoding vs a bounded one.

A loopback server sends 1 GiB of zeros gzipped (about 1 MB). Each way of reading stops
once 32 MiB are decoded; ``tracemalloc`` reports the peak. Run:

    python benchmarks/gzip_bomb_memory.py
"""

from __future__ import annotations

import contextlib
import socket
import threading
import tracemalloc
import zlib
from collections.abc import Callable

import httpx

from langchain_dataforseo._http import BoundedDecoder
from langchain_dataforseo._http_errors import ResponseTooLarge

CAP = 32 << 20


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


def httpx_decoding(response: httpx.Response) -> None:
    """httpx inflates; the cap counts what ``iter_bytes`` yields."""
    size = 0
    for chunk in response.iter_bytes(chunk_size=4096):
        size += len(chunk)
        if size > CAP:
            return


def bounded_decoding(response: httpx.Response) -> None:
    """Raw bytes from httpx, inflated by ``zlib`` with ``max_length`` (the package's way)."""
    decoder = BoundedDecoder("gzip", CAP, response.request)
    try:
        for chunk in response.iter_raw(chunk_size=4096):
            decoder.feed(chunk)
    except ResponseTooLarge:
        return


def peak(url: str, read: Callable[[httpx.Response], None]) -> int:
    """Peak traced bytes while one answer is read."""
    with httpx.Client() as client:
        tracemalloc.start()
        try:
            with client.stream("GET", url) as response:
                read(response)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def main() -> None:
    body = bomb()
    url, sock = serve(body)
    print(f"gzip bomb: {len(body) / 1e6:.2f} MB on the wire, 1 GiB inflated; cap {CAP >> 20} MiB")
    ways = (("httpx iter_bytes", httpx_decoding), ("iter_raw + zlib max_length", bounded_decoding))
    for name, read in ways:
        print(f"{name:28} peak {peak(url, read) / (1 << 20):7.1f} MiB")
    sock.close()


if __name__ == "__main__":
    main()
