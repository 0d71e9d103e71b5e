"""The httpcore network backend whose every socket operation ends by the call's deadline.

Imported on first use (with httpcore, which httpx itself loads only with its first
transport); see ``_deadline``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore

from langchain_dataforseo._deadline import clip


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes end by the running call's deadline.

    Args:
        stream: The stream of the wrapped backend.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read, within the deadline."""
        return self._stream.read(max_bytes, clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write, within the deadline."""
        self._stream.write(buffer, clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        """Close the stream."""
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        """Upgrade to TLS, within the deadline."""
        upgraded = self._stream.start_tls(
            ssl_context, server_hostname, clip(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        """What the wrapped stream tells (socket, TLS object, addresses)."""
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """A network backend whose connections obey the running call's deadline.

    Args:
        backend: The backend to wrap (httpcore's ``SyncBackend``).
    """

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect, within the deadline."""
        stream = self._backend.connect_tcp(
            host, port, clip(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to a Unix socket, within the deadline."""
        stream = self._backend.connect_unix_socket(
            path, clip(timeout, httpcore.ConnectTimeout), socket_options
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's own connection retries)."""
        self._backend.sleep(seconds)


def install(transport: object) -> bool:
    """Put a ``DeadlineBackend`` under an ``httpx.HTTPTransport`` built by the package.

    httpx does not take a network backend, so this sets the attribute of httpcore's pool
    (``_pool._network_backend``, httpcore 1.x); ``test_http`` pins that it is found.

    Args:
        transport: The transport.

    Returns:
        True when the backend is in place.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, DeadlineBackend):
        return True
    if not isinstance(backend, httpcore.NetworkBackend):
        return False
    pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return True
