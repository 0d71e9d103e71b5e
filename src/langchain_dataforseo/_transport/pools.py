"""What one process shares per account: HTTP pools, pacers, live slots and the catalogue.

An account is a base URL and a set of credentials. Every ``DataForSEOClient`` on the same
account (every model instance, every tool of a toolkit) shares

- one ``httpx.Client``, and one ``httpx.AsyncClient`` per event loop (httpx binds async
  pools to a loop), unless the client was given its own;
- one calls-a-minute pacer and one ``tasks_ready`` pacer, and one live-task gate per
  engine, so that together they stay inside the account's limits (2000 calls a minute,
  30 live tasks per engine); when clients ask for different limits the lowest wins;
- one model catalogue per engine, fetched once however many calls need it at the same
  time (:class:`FetchLock`).

An async pool is closed when its event loop shuts down (``asyncio.run`` and
``asyncio.Runner`` close the loop's async generators; a suspended one holds the pool and
closes it), so no connection is left for the garbage collector to report. After
``os.fork`` the child starts with nothing shared (the parent's sockets stay the parent's).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from langchain_dataforseo._api.fields import TASKS_READY_INTERVAL_SECONDS
from langchain_dataforseo._transport.http import build_async_client, build_client
from langchain_dataforseo._transport.pacing import (
    PACER_WINDOW_SLACK_SECONDS,
    CallPacer,
    SlotGate,
    paced_interval,
    paced_limit,
)

T = TypeVar("T")

AccountKey = tuple[str, str]
"""``(base URL, SHA-256 of the Authorization value)``: no credential is kept in it."""


def account_key(base_url: str, auth: str) -> AccountKey:
    """The key of an account.

    Args:
        base_url: The checked base URL.
        auth: The ``Authorization`` header value.

    Returns:
        The base URL and a digest of the credentials.
    """
    return base_url, hashlib.sha256(auth.encode("utf-8")).hexdigest()


class FetchLock(Generic[T]):
    """One fetch per key at a time: a caller that comes while it runs waits, then reads the cache.

    A ``threading.Lock`` per key for blocking callers, an ``asyncio.Lock`` per key and
    event loop for async ones (an ``asyncio.Lock`` belongs to one loop). A failed fetch is
    not kept: the next caller in line fetches again.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._alocks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    def run(
        self, key: str, fetch: Callable[[], T], hit: Callable[[], T | None] = lambda: None
    ) -> T:
        """The cached value, or fetch it under the key's lock (once for concurrent callers).

        Args:
            key: What is fetched (the engine).
            fetch: The blocking fetch (it stores what it fetched where ``hit`` finds it).
            hit: A cached value, or ``None`` (asked before and again after taking the lock).

        Returns:
            The cached value, or the fetched one.
        """
        if (cached := hit()) is not None:
            return cached
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            return fetch() if (cached := hit()) is None else cached

    async def arun(
        self,
        key: str,
        fetch: Callable[[], Awaitable[T]],
        hit: Callable[[], T | None] = lambda: None,
    ) -> T:
        """Async :meth:`run`: the lock is the key's ``asyncio.Lock`` in the running loop.

        Args:
            key: What is fetched.
            fetch: Makes the awaitable fetch.
            hit: A cached value, or ``None``.

        Returns:
            The cached value, or the fetched one.
        """
        if (cached := hit()) is not None:
            return cached
        with self._guard:
            locks = self._alocks.setdefault(asyncio.get_running_loop(), {})
            lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            return await fetch() if (cached := hit()) is None else cached


@dataclass(eq=False)
class Account:
    """The limiters and the catalogue of one account, shared by all its clients.

    Attributes:
        call_pacer: Every call of the account (5% under the calls-a-minute limit).
        tasks_ready_pacer: ``tasks_ready`` calls (one every 3 s, plus the same 5% margin).
        live_gates: Simultaneous live tasks, per engine.
        max_live_tasks: The cap of each live gate.
        catalogue: Fetched model catalogues per engine: ``(monotonic time, records)``.
        fetches: The lock a catalogue fetch holds, per engine.
    """

    call_pacer: CallPacer
    tasks_ready_pacer: CallPacer
    max_live_tasks: int
    live_gates: dict[str, SlotGate] = field(default_factory=dict)
    catalogue: dict[str, tuple[float, Any]] = field(default_factory=dict)
    fetches: FetchLock[Any] = field(default_factory=FetchLock)

    def live_gate(self, engine: str) -> SlotGate:
        """The live-task gate of an engine.

        Args:
            engine: The engine.

        Returns:
            Its gate.
        """
        with _LOCK:
            gate = self.live_gates.get(engine)
            if gate is None:
                gate = self.live_gates[engine] = SlotGate(self.max_live_tasks)
            return gate


@dataclass
class _AsyncPool:
    client: httpx.AsyncClient
    closer: AsyncGenerator[None, None] | None = None


_LOCK = threading.RLock()
_ACCOUNTS: dict[AccountKey, Account] = {}
_CLIENTS: dict[AccountKey, httpx.Client] = {}
_ASYNC: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[AccountKey, _AsyncPool]] = (
    weakref.WeakKeyDictionary()
)


def account(key: AccountKey, calls_per_minute: int, max_live_tasks: int) -> Account:
    """The shared limiters of an account, made on first use.

    Args:
        key: The account.
        calls_per_minute: The caller's calls-a-minute limit (the lowest asked wins).
        max_live_tasks: The caller's cap on simultaneous live tasks per engine (same).

    Returns:
        The account.
    """
    with _LOCK:
        found = _ACCOUNTS.get(key)
        if found is None:
            window = 60.0 + PACER_WINDOW_SLACK_SECONDS
            found = _ACCOUNTS[key] = Account(
                call_pacer=CallPacer(paced_limit(calls_per_minute), window),
                tasks_ready_pacer=CallPacer(1, paced_interval(TASKS_READY_INTERVAL_SECONDS)),
                max_live_tasks=max_live_tasks,
            )
            return found
        found.call_pacer.lower_to(paced_limit(calls_per_minute))
        if max_live_tasks < found.max_live_tasks:
            found.max_live_tasks = max_live_tasks
            for gate in found.live_gates.values():
                gate.lower_to(max_live_tasks)
        return found


def client(key: AccountKey) -> httpx.Client:
    """The account's shared blocking client, made on first use.

    Args:
        key: The account.

    Returns:
        The ``httpx.Client``.
    """
    with _LOCK:
        found = _CLIENTS.get(key)
        if found is None or found.is_closed:
            found = _CLIENTS[key] = build_client(key[0])
        return found


async def _close_with_loop(pool: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Suspended until the event loop shuts its async generators down, then closes."""
    try:
        yield
    finally:
        await pool.aclose()


async def async_client(key: AccountKey) -> httpx.AsyncClient:
    """The account's shared async client for the running event loop, made on first use.

    Args:
        key: The account.

    Returns:
        The ``httpx.AsyncClient``.
    """
    loop = asyncio.get_running_loop()
    with _LOCK:
        pools = _ASYNC.get(loop)
        if pools is None:
            for closed in [other for other in _ASYNC if other.is_closed()]:
                del _ASYNC[closed]
            pools = _ASYNC[loop] = {}
        found = pools.get(key)
        if found is not None and not found.client.is_closed:
            return found.client
        found = pools[key] = _AsyncPool(build_async_client(key[0]))
    closer = _close_with_loop(found.client)
    await closer.__anext__()  # registered with the loop's async-generator hooks
    found.closer = closer
    return found.client


def close(key: AccountKey) -> None:
    """Close the account's shared blocking client; the next call opens a new one.

    Args:
        key: The account.
    """
    with _LOCK:
        found = _CLIENTS.pop(key, None)
    if found is not None:
        found.close()


async def aclose(key: AccountKey) -> None:
    """Close the account's async client of the running event loop.

    Args:
        key: The account.
    """
    with _LOCK:
        pools = _ASYNC.get(asyncio.get_running_loop(), {})
        found = pools.pop(key, None)
    if found is not None:
        await found.client.aclose()
        if found.closer is not None:
            await found.closer.aclose()


def reset() -> None:
    """Forget everything shared (tests; and the child after ``os.fork``).

    Blocking clients are closed; async ones are left to their loops.
    """
    with _LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
        _ACCOUNTS.clear()
        _ASYNC.clear()
    for found in clients:
        found.close()


def _forget_after_fork() -> None:
    global _LOCK
    _LOCK = threading.RLock()
    _CLIENTS.clear()
    _ACCOUNTS.clear()
    _ASYNC.clear()


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_forget_after_fork)


def fresh(entry: tuple[float, Any] | None, ttl: float) -> Any:
    """The records of a catalogue entry still within ``ttl`` seconds, else ``None``."""
    if entry is not None and time.monotonic() - entry[0] < ttl:
        return entry[1]
    return None
