"""The HTTP client: credentials, base-URL safety, pooled httpx clients, one method per call.

Sync and async methods share everything but the driver (see ``_transport``). Clients
are built lazily on first use, so constructing a model is cheap and works without
credentials; missing credentials are reported when a call is made, before any request.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import ipaddress
import os
import threading
import time
import weakref
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from langchain_dataforseo._catalogue import ModelRecord, parse_models
from langchain_dataforseo._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CALLS_PER_MINUTE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_BASE_URL,
    ENV_LOGIN,
    ENV_PASSWORD,
)
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._envelope import (
    as_dict,
    as_list,
    decode_envelope,
    first_result,
    first_task,
)
from langchain_dataforseo._http import (
    AsyncClientSender,
    AsyncSender,
    AsyncTransportSender,
    ClientSender,
    SyncSender,
    TransportSender,
    proxy_from_environment,
)
from langchain_dataforseo._pacing import CallPacer
from langchain_dataforseo._request import encode_tasks
from langchain_dataforseo._retry import RetryPolicy
from langchain_dataforseo._standard import (
    MAX_TASKS_PER_POST,
    TASKS_READY_INTERVAL_SECONDS,
    check_task_id,
)
from langchain_dataforseo._transport import (
    ApiCall,
    Outcome,
    Step,
    exchange,
    run_async,
    run_sync,
)
from langchain_dataforseo._version import __version__
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOInputError,
    DataForSEOResponseError,
)

T = TypeVar("T")

_API_PREFIX = "/v3/ai_optimization"
_USER_AGENT = f"langchain-dataforseo/{__version__}"
_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50)


def is_loopback_host(host: str) -> bool:
    """Tell whether a host name or address is on this machine (loopback).

    Args:
        host: A host name or an IP address, with or without brackets.

    Returns:
        True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``.
    """
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=64)
def check_base_url(base_url: str) -> str:
    """Refuse a base URL that would send credentials in clear over the network.

    Args:
        base_url: The API root, e.g. ``https://api.dataforseo.com``.

    Returns:
        The base URL without a trailing slash.

    Raises:
        DataForSEOInputError: For a scheme other than https, except plain http to a
            loopback host (the local emulator).
    """
    url = httpx.URL(base_url)
    if url.scheme == "https" and url.host:
        return base_url.rstrip("/")
    if url.scheme == "http" and url.host and is_loopback_host(url.host):
        return base_url.rstrip("/")
    msg = (
        f"base_url={base_url!r} is refused: credentials are sent only over https, or over "
        "plain http to a loopback host (127.0.0.1, ::1, localhost) such as the local "
        "emulator."
    )
    raise DataForSEOInputError(
        msg, field="base_url", limit="https or loopback http", actual=base_url
    )


def endpoint_url(base_url: str, engine: str, function: str) -> httpx.URL:
    """The parsed URL of one endpoint; fixed endpoints are parsed once, then reused.

    Args:
        base_url: The API root (checked by :func:`check_base_url`).
        engine: Engine path segment (``chat_gpt``).
        function: Endpoint below ``llm_responses`` (``live``, ``task_get/<id>``).

    Returns:
        The absolute URL (httpx skips parsing a ready ``httpx.URL``). Per-task URLs
        (``task_get/<id>``) are not cached: each is used about once.

    Raises:
        DataForSEOInputError: When the base URL is refused.
    """
    if "/" in function:
        return _parse_endpoint_url(base_url, engine, function)
    return _fixed_endpoint_url(base_url, engine, function)


def _parse_endpoint_url(base_url: str, engine: str, function: str) -> httpx.URL:
    base = check_base_url(base_url)
    return httpx.URL(f"{base}{_API_PREFIX}/{engine}/llm_responses/{function}")


_fixed_endpoint_url = functools.lru_cache(maxsize=128)(_parse_endpoint_url)


def basic_auth_header(
    login: str | None, password: SecretStr | None, api_key: SecretStr | None = None
) -> str:
    """Build the ``Authorization`` header value from the credentials.

    Args:
        login: The API login.
        password: The API password.
        api_key: Alternative to login/password: ``"login:password"``, or its base64
            form (the token DataForSEO's dashboard shows for curl).

    Returns:
        ``"Basic <base64(login:password)>"``.

    Raises:
        DataForSEOAuthenticationError: When no usable credentials are set. The message
            never contains a credential.
    """
    if login and password is not None and password.get_secret_value():
        pair = f"{login}:{password.get_secret_value()}"
    elif api_key is not None and api_key.get_secret_value():
        pair = _pair_from_api_key(api_key.get_secret_value())
    else:
        msg = (
            f"No DataForSEO credentials: set {ENV_LOGIN} and {ENV_PASSWORD} (the API "
            "credentials from https://app.dataforseo.com/api-access), or pass login= and "
            "password=."
        )
        raise DataForSEOAuthenticationError(msg)
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _pair_from_api_key(key: str) -> str:
    if ":" in key:
        return key
    try:
        decoded = base64.b64decode(key, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if ":" not in decoded:
        msg = (
            "api_key must be 'login:password' or the base64 of it; the value given is "
            "neither (it is not shown here)."
        )
        raise DataForSEOAuthenticationError(msg)
    return decoded


class DataForSEOClient:
    """HTTP client for the LLM Responses endpoints of any engine.

    ``ChatDataForSEO`` builds one per model instance (``model.client``); build one yourself
    to list another engine's models. Arguments left out come from the environment
    (``DATAFORSEO_LOGIN``, ``DATAFORSEO_PASSWORD``, ``DATAFORSEO_BASE_URL``).

    Args:
        login: API login.
        password: API password.
        api_key: ``"login:password"`` (or base64 of it), used when login/password are unset.
        base_url: API root; https, or plain http to a loopback host.
        timeout: Seconds before a request times out.
        max_retries: Retries of calls that provably did not run or cost nothing.
        retry: Full retry policy (wins over ``max_retries``).
        models_cache_ttl: Seconds a fetched model catalogue is reused.
        calls_per_minute: Client-side cap on calls a minute (the API allows 2000).
        max_live_tasks: Client-side cap on simultaneous live tasks per engine (API: 30).
        http_client: A ready ``httpx.Client`` every blocking call goes through. Without
            one, calls go straight through a pooled httpx transport, or through an
            ``httpx.Client`` when the environment sets a proxy (see ``_http``).
        http_async_client: A ready ``httpx.AsyncClient``, as ``http_client`` for async.

    Example:
        .. code-block:: python

            from langchain_dataforseo import DataForSEOClient

            for record in DataForSEOClient().list_models("claude"):
                print(record.model_name, record.reasoning, record.web_search_supported)
    """

    def __init__(
        self,
        *,
        login: str | None = None,
        password: SecretStr | str | None = None,
        api_key: SecretStr | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        models_cache_ttl: float = 3600.0,
        calls_per_minute: int = DEFAULT_CALLS_PER_MINUTE,
        max_live_tasks: int = DEFAULT_MAX_CONCURRENCY,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._login = login if login is not None else os.environ.get(ENV_LOGIN)
        if password is None and os.environ.get(ENV_PASSWORD):
            password = os.environ[ENV_PASSWORD]
        self._password = SecretStr(password) if isinstance(password, str) else password
        self._api_key = api_key
        self.base_url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        self.timeout = timeout
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.models_cache_ttl = models_cache_ttl
        self._given_client = http_client
        self._given_async_client = http_async_client
        self._sender: SyncSender | None = None
        self._async_senders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncSender] = (
            weakref.WeakKeyDictionary()
        )
        self._models: dict[str, tuple[float, list[ModelRecord]]] = {}
        self._lock = threading.Lock()
        self._timeout_cache: tuple[float, httpx.Timeout] | None = None
        self.call_pacer = CallPacer(calls_per_minute, 60.0)
        """Keeps every call of this client under the API's calls-a-minute limit."""
        self.tasks_ready_pacer = CallPacer(1, TASKS_READY_INTERVAL_SECONDS)
        """``tasks_ready`` allows 20 calls a minute: one every 3 s, never faster."""
        self.max_live_tasks = max_live_tasks
        self._live_slots: dict[str, threading.BoundedSemaphore] = {}
        self._alive_slots: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"DataForSEOClient(base_url={self.base_url!r}, login={self._login!r})"

    @property
    def _timeout(self) -> httpx.Timeout:
        cached = self._timeout_cache
        if cached is None or cached[0] != self.timeout:
            timeout = httpx.Timeout(self.timeout, connect=min(10.0, self.timeout))
            self._timeout_cache = cached = (self.timeout, timeout)
        return cached[1]

    def _proxied_client_options(self) -> dict[str, Any]:
        return {
            "timeout": self._timeout,
            "limits": _POOL_LIMITS,
            "headers": {"User-Agent": _USER_AGENT},
        }

    def _build_sender(self) -> SyncSender:
        if proxy_from_environment():
            return ClientSender(httpx.Client(**self._proxied_client_options()))
        return TransportSender(httpx.HTTPTransport(limits=_POOL_LIMITS), _USER_AGENT)

    def _build_async_sender(self) -> AsyncSender:
        if proxy_from_environment():
            return AsyncClientSender(httpx.AsyncClient(**self._proxied_client_options()))
        return AsyncTransportSender(httpx.AsyncHTTPTransport(limits=_POOL_LIMITS), _USER_AGENT)

    @property
    def sender(self) -> SyncSender:
        """How blocking calls are sent, built on first use.

        Through the ``http_client`` given, else straight through a pooled httpx
        transport (through an ``httpx.Client`` when the environment sets a proxy).
        """
        sender = self._sender
        if sender is not None:
            return sender
        with self._lock:
            if self._sender is None:
                given = self._given_client
                self._sender = self._build_sender() if given is None else ClientSender(given)
            return self._sender

    @property
    def async_sender(self) -> AsyncSender:
        """How async calls of the running event loop are sent, built on first use.

        httpx's async pools are bound to the loop they first ran on, so one is kept per
        event loop; a closed loop's pool is dropped when another loop first calls (close
        it cleanly with :meth:`aclose` before the loop ends).
        """
        if self._given_async_client is not None:
            return AsyncClientSender(self._given_async_client)
        loop = asyncio.get_running_loop()
        with self._lock:
            sender = self._async_senders.get(loop)
            if sender is None:
                self._forget_closed_loops()
                sender = self._build_async_sender()
                self._async_senders[loop] = sender
            return sender

    def _forget_closed_loops(self) -> None:
        """Drop the pools and slots of event loops that have closed (lock held).

        A pool with open connections keeps its loop alive, so the weak keys alone would
        never let go of it. The connections of a closed loop cannot be closed politely any
        more; dropping them lets the garbage collector close their sockets.
        """
        for table in (self._async_senders, self._alive_slots):
            for loop in [loop for loop in table if loop.is_closed()]:
                del table[loop]

    # -- one place that turns an endpoint into a call -----------------------------------

    def _call(
        self, method: str, engine: str, function: str, body: bytes | None, where: str
    ) -> tuple[str, ApiCall]:
        url = endpoint_url(self.base_url, engine, function)
        auth = basic_auth_header(self._login, self._password, self._api_key)
        return auth, ApiCall(
            method, url, body, idempotent=method == "GET", where=where, timeout=self._timeout
        )

    def _steps(
        self, call: ApiCall, parse: Callable[[httpx.Response], T], extra: Sequence[CallPacer]
    ) -> Generator[Step, Outcome, T]:
        return exchange(call, parse, self.retry, (*extra, self.call_pacer))

    def _run(
        self,
        auth: str,
        call: ApiCall,
        parse: Callable[[httpx.Response], T],
        extra: Sequence[CallPacer] = (),
    ) -> T:
        return run_sync(self.sender, auth, self._steps(call, parse, extra))

    async def _arun(
        self,
        auth: str,
        call: ApiCall,
        parse: Callable[[httpx.Response], T],
        extra: Sequence[CallPacer] = (),
    ) -> T:
        return await run_async(self.async_sender, auth, self._steps(call, parse, extra))

    def _live_slot(self, engine: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._live_slots.setdefault(
                engine, threading.BoundedSemaphore(self.max_live_tasks)
            )

    def _alive_slot(self, engine: str) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            slots = self._alive_slots.get(loop)
            if slots is None:
                self._forget_closed_loops()
                slots = self._alive_slots[loop] = {}
            return slots.setdefault(engine, asyncio.Semaphore(self.max_live_tasks))

    # -- live ---------------------------------------------------------------------------

    def _live_call(self, engine: str, task: dict[str, Any]) -> tuple[str, ApiCall]:
        return self._call("POST", engine, "live", encode_tasks([task]), "live task")

    @staticmethod
    def _parse_live(response: httpx.Response) -> dict[str, Any]:
        envelope = decode_envelope(response.status_code, response.content, where="live task")
        task = first_task(envelope, where="live task")
        first_result(task, where="live task")
        return task

    def live(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Run one live task and return the task object (with its result).

        Args:
            engine: Engine path segment.
            task: The task object (from ``build_task``).

        Returns:
            The API's task object, status 20000 with a non-empty ``result``.
        """
        with self._live_slot(engine):
            return self._run(*self._live_call(engine, task), self._parse_live)

    async def alive(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Async twin of :meth:`live`.

        Args:
            engine: Engine path segment.
            task: The task object.

        Returns:
            The API's task object.
        """
        async with self._alive_slot(engine):
            return await self._arun(*self._live_call(engine, task), self._parse_live)

    # -- Standard: task_post, tasks_ready, task_get --------------------------------------

    def _post_call(self, engine: str, tasks: Sequence[dict[str, Any]]) -> tuple[str, ApiCall]:
        if not 1 <= len(tasks) <= MAX_TASKS_PER_POST:
            msg = f"task_post takes 1 to {MAX_TASKS_PER_POST} tasks, got {len(tasks)}."
            raise DataForSEOInputError(
                msg, field="tasks", limit=MAX_TASKS_PER_POST, actual=len(tasks)
            )
        return self._call("POST", engine, "task_post", encode_tasks(tasks), "task_post")

    @staticmethod
    def _parse_post(response: httpx.Response) -> list[Any]:
        envelope = decode_envelope(response.status_code, response.content, where="task_post")
        return as_list(envelope.get("tasks"))

    def task_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Post up to 100 Standard tasks (charged: $0.0102 each, settled on completion).

        Args:
            engine: Engine path segment.
            tasks: Task objects.

        Returns:
            The ``tasks`` array of the answer, in the order sent (20100 = created).
        """
        return self._run(*self._post_call(engine, tasks), self._parse_post)

    async def atask_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Async twin of :meth:`task_post`.

        Args:
            engine: Engine path segment.
            tasks: Task objects.

        Returns:
            The ``tasks`` array of the answer.
        """
        return await self._arun(*self._post_call(engine, tasks), self._parse_post)

    @staticmethod
    def _parse_ready_tagged(response: httpx.Response) -> list[tuple[str, str | None]]:
        envelope = decode_envelope(response.status_code, response.content, where="tasks_ready")
        pairs: list[tuple[str, str | None]] = []
        for task in as_list(envelope.get("tasks")):
            for item in as_list(as_dict(task).get("result")):
                task_id, tag = as_dict(item).get("id"), as_dict(item).get("tag")
                if isinstance(task_id, str):
                    pairs.append((task_id, tag if isinstance(tag, str) else None))
        return pairs

    @staticmethod
    def _parse_ready(response: httpx.Response) -> list[str]:
        return [task_id for task_id, _ in DataForSEOClient._parse_ready_tagged(response)]

    def tasks_ready(self, engine: str) -> list[str]:
        """Ids of completed, uncollected Standard tasks (free; one call per 3 s at most).

        Args:
            engine: Engine path segment.

        Returns:
            Task ids (of the whole account, not only this client's).
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return self._run(*call, self._parse_ready, (self.tasks_ready_pacer,))

    async def atasks_ready(self, engine: str) -> list[str]:
        """Async twin of :meth:`tasks_ready`.

        Args:
            engine: Engine path segment.

        Returns:
            Task ids.
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return await self._arun(*call, self._parse_ready, (self.tasks_ready_pacer,))

    def tasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """:meth:`tasks_ready` with each task's tag: ``(id, tag)`` pairs (recovery by tag).

        Args:
            engine: Engine path segment.

        Returns:
            ``(id, tag)`` of each listed task (``tag`` ``None`` when absent).
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return self._run(*call, self._parse_ready_tagged, (self.tasks_ready_pacer,))

    async def atasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """Async twin of :meth:`tasks_ready_tagged`.

        Args:
            engine: Engine path segment.

        Returns:
            ``(id, tag)`` pairs.
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return await self._arun(*call, self._parse_ready_tagged, (self.tasks_ready_pacer,))

    @staticmethod
    def _parse_get(response: httpx.Response) -> dict[str, Any]:
        envelope = decode_envelope(response.status_code, response.content, where="task_get")
        tasks = as_list(envelope.get("tasks"))
        task = as_dict(tasks[0]) if tasks else {}
        if not task:
            msg = "task_get answered status 20000 with no task."
            raise DataForSEOResponseError(msg)
        return task

    def _get_call(self, engine: str, task_id: str) -> tuple[str, ApiCall]:
        # the id goes into the path: only the API's format, never "../" or "?"
        return self._call("GET", engine, f"task_get/{check_task_id(task_id)}", None, "task_get")

    def task_get(self, engine: str, task_id: str) -> dict[str, Any]:
        """One Standard task as it stands (free; repeatable for 30 days).

        Args:
            engine: Engine path segment.
            task_id: The task id.

        Returns:
            The task object, whatever its status (20000 done, 40602 pending, ...).

        Raises:
            DataForSEOInputError: When ``task_id`` is not in the API's UUID format
                (nothing is sent).
        """
        return self._run(*self._get_call(engine, task_id), self._parse_get)

    async def atask_get(self, engine: str, task_id: str) -> dict[str, Any]:
        """Async twin of :meth:`task_get`.

        Args:
            engine: Engine path segment.
            task_id: The task id.

        Returns:
            The task object.
        """
        return await self._arun(*self._get_call(engine, task_id), self._parse_get)

    # -- models -------------------------------------------------------------------------

    @staticmethod
    def _parse_models(response: httpx.Response) -> list[ModelRecord]:
        envelope = decode_envelope(response.status_code, response.content, where="models")
        return parse_models(first_task(envelope, where="models"))

    def _cached_models(self, engine: str) -> list[ModelRecord] | None:
        entry = self._models.get(engine)
        if entry is not None and entry[0] > time.monotonic():
            return list(entry[1])
        return None

    def _store_models(self, engine: str, records: list[ModelRecord]) -> list[ModelRecord]:
        self._models[engine] = (time.monotonic() + self.models_cache_ttl, records)
        return list(records)

    def list_models(self, engine: str) -> list[ModelRecord]:
        """The engine's model catalogue (a free call), cached for ``models_cache_ttl`` s.

        Args:
            engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

        Returns:
            One record per model.
        """
        engine_spec(engine)
        cached = self._cached_models(engine)
        if cached is not None:
            return cached
        call = self._call("GET", engine, "models", None, "models")
        return self._store_models(engine, self._run(*call, self._parse_models))

    async def alist_models(self, engine: str) -> list[ModelRecord]:
        """Async twin of :meth:`list_models`.

        Args:
            engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

        Returns:
            One record per model.
        """
        engine_spec(engine)
        cached = self._cached_models(engine)
        if cached is not None:
            return cached
        call = self._call("GET", engine, "models", None, "models")
        return self._store_models(engine, await self._arun(*call, self._parse_models))

    def close(self) -> None:
        """Close the pooled blocking connections.

        A client given as ``http_client`` is left open: it belongs to the caller. Async
        pools are per event loop: close the running loop's with :meth:`aclose`.
        """
        with self._lock:
            sender, self._sender = self._sender, None
        if sender is not None and self._given_client is None:
            sender.close()

    async def aclose(self) -> None:
        """Close the running event loop's pooled connections.

        A client given as ``http_async_client`` is left open: it belongs to the caller.
        """
        if self._given_async_client is not None:
            return
        with self._lock:
            sender = self._async_senders.pop(asyncio.get_running_loop(), None)
        if sender is not None:
            await sender.aclose()
