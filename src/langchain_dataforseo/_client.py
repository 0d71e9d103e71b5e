"""The HTTP client: credentials, base-URL safety, shared httpx clients, one method per call.

Sync and async methods share everything but the driver (see ``_transport``). The httpx
clients, pacers and live slots are shared per account (see ``_pools``) and made on first
use, so constructing a model is cheap and works without credentials; missing credentials
are reported when a call is made, before any request.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import os
import socket
import time
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from langchain_dataforseo import _pools
from langchain_dataforseo._answers import (
    parse_get,
    parse_live,
    parse_models_answer,
    parse_post,
    parse_ready,
    parse_ready_tagged,
)
from langchain_dataforseo._catalogue import ModelRecord
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
from langchain_dataforseo._http import DEFAULT_MAX_RESPONSE_BYTES, asend, send
from langchain_dataforseo._pacing import CallPacer
from langchain_dataforseo._request import encode_tasks
from langchain_dataforseo._retry import RetryPolicy
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, check_task_id
from langchain_dataforseo._transport import (
    ApiCall,
    Outcome,
    Step,
    exchange,
    run_async,
    run_sync,
)
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOInputError,
)

T = TypeVar("T")

_API_PREFIX = "/v3/ai_optimization"


def is_loopback_host(host: str) -> bool:
    """Tell whether a host name or address is on this machine (loopback).

    Args:
        host: A host name or an IP address, with or without brackets.

    Returns:
        True for ``localhost``, addresses in 127.0.0.0/8 or ``::1``, and other
        ``*.localhost`` names only when every address they resolve to is loopback (a
        resolver may send such a name anywhere).
    """
    name = host.strip("[]").lower().rstrip(".")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    if name == "localhost":
        return True
    if not name.endswith(".localhost"):
        return False
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses
    )


def redact_url(url: str) -> str:
    """The URL with any password (or user) it carries replaced by ``***``.

    Args:
        url: A URL as given.

    Returns:
        The URL, safe to show.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        rest, scheme = url, ""
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    host = authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}***@{host}{slash}{path}"


@functools.lru_cache(maxsize=64)
def check_base_url(base_url: str) -> str:
    """Refuse a base URL that would send credentials in clear over the network.

    Args:
        base_url: The API root, e.g. ``https://api.dataforseo.com``.

    Returns:
        The base URL without a trailing slash.

    Raises:
        DataForSEOInputError: For a scheme other than https, except plain http to a
            loopback host (the local emulator); or a URL carrying a user or password
            (give them as ``login`` / ``password``). The message never shows a password.
    """
    shown = redact_url(base_url)
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = httpx.URL("invalid:")
    if url.userinfo:
        msg = (
            f"base_url={shown!r} is refused: it carries a user or password. Give the "
            "credentials as login= and password= (or DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)."
        )
        raise DataForSEOInputError(msg, field="base_url", limit="no user info", actual=shown)
    if url.scheme == "https" and url.host:
        return base_url.rstrip("/")
    if url.scheme == "http" and url.host and is_loopback_host(url.host):
        return base_url.rstrip("/")
    msg = (
        f"base_url={shown!r} is refused: credentials are sent only over https, or over "
        "plain http to a loopback host (127.0.0.1, ::1, localhost) such as the local "
        "emulator."
    )
    raise DataForSEOInputError(msg, field="base_url", limit="https or loopback http", actual=shown)


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
        timeout: Seconds a call may take from its first send, retries included (a deadline).
        max_retries: Retries of calls that provably did not run or cost nothing.
        retry: Full retry policy (wins over ``max_retries``).
        models_cache_ttl: Seconds a fetched model catalogue is reused.
        calls_per_minute: Client-side cap on calls a minute (the API allows 2000).
        max_live_tasks: Client-side cap on simultaneous live tasks per engine (API: 30).
        http_client: A ready ``httpx.Client`` every blocking call goes through. Without
            one, calls go through the ``httpx.Client`` this process shares for the
            account (base URL and credentials; see ``_pools``).
        http_async_client: A ready ``httpx.AsyncClient``, as ``http_client`` for async.
        max_response_bytes: Largest decoded answer read; a larger one (or a gzip bomb)
            raises ``DataForSEOResponseTooLargeError`` without being held whole.

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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
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
        self.calls_per_minute = calls_per_minute
        self.max_live_tasks = max_live_tasks
        self.max_response_bytes = max_response_bytes
        self._given_client = http_client
        self._given_async_client = http_async_client
        self._key_cache: tuple[str, _pools.AccountKey] | None = None

    def __repr__(self) -> str:
        return f"DataForSEOClient(base_url={redact_url(self.base_url)!r}, login={self._login!r})"

    # -- the account's shared pools and limiters (see ``_pools``) -------------------------

    def _auth(self) -> str:
        return basic_auth_header(self._login, self._password, self._api_key)

    def _key(self) -> _pools.AccountKey:
        cached = self._key_cache
        if cached is not None and cached[0] == self.base_url:
            return cached[1]
        key = _pools.account_key(check_base_url(self.base_url), self._auth())
        self._key_cache = (self.base_url, key)
        return key

    @property
    def account(self) -> _pools.Account:
        """The limiters and catalogue shared by every client of this account."""
        return _pools.account(self._key(), self.calls_per_minute, self.max_live_tasks)

    @property
    def call_pacer(self) -> CallPacer:
        """Keeps every call of the account under the API's calls-a-minute limit."""
        return self.account.call_pacer

    @property
    def tasks_ready_pacer(self) -> CallPacer:
        """``tasks_ready`` allows 20 calls a minute: one every 3 s, never faster."""
        return self.account.tasks_ready_pacer

    @property
    def http_client(self) -> httpx.Client:
        """The ``httpx.Client`` blocking calls go through: the one given, else the shared one."""
        if self._given_client is not None:
            return self._given_client
        return _pools.client(self._key())

    async def ahttp_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` async calls of the running loop go through.

        Returns:
            The one given, else the account's shared client for the running event loop.
        """
        if self._given_async_client is not None:
            return self._given_async_client
        return await _pools.async_client(self._key())

    # -- one place that turns an endpoint into a call -----------------------------------

    def _call(
        self, method: str, engine: str, function: str, body: bytes | None, where: str
    ) -> tuple[str, ApiCall]:
        url = endpoint_url(self.base_url, engine, function)
        return self._auth(), self._api_call(method, url, body, where)

    def _api_call(self, method: str, url: httpx.URL, body: bytes | None, where: str) -> ApiCall:
        # a GET is free and safe to send again; every call carries this client's timeout
        return ApiCall(
            method, url, body, idempotent=method == "GET", where=where, timeout=self.timeout
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
        client, limit = self.http_client, self.max_response_bytes
        return run_sync(
            lambda one, value: send(client, one, value, limit),
            auth,
            self._steps(call, parse, extra),
        )

    async def _arun(
        self,
        auth: str,
        call: ApiCall,
        parse: Callable[[httpx.Response], T],
        extra: Sequence[CallPacer] = (),
    ) -> T:
        client, limit = await self.ahttp_client(), self.max_response_bytes
        return await run_async(
            lambda one, value: asend(client, one, value, limit),
            auth,
            self._steps(call, parse, extra),
        )

    # -- live ---------------------------------------------------------------------------

    def _live_call(self, engine: str, task: dict[str, Any]) -> tuple[str, ApiCall]:
        return self._call("POST", engine, "live", encode_tasks([task]), "live task")

    # -- any endpoint: the seam the other AI Optimization parts use ----------------------

    def check_credentials(self) -> None:
        """Raise now what would refuse every call: no usable credentials, a refused base URL.

        Callers run it before reserving budget, so such a failure never holds money.

        Raises:
            DataForSEOAuthenticationError: No usable credentials.
            DataForSEOInputError: A refused base URL.
        """
        check_base_url(self.base_url)
        self._auth()

    def api_call(self, method: str, path: str, body: bytes | None, where: str) -> ApiCall:
        """One call to ``base_url`` + ``path`` with this client's timeout (nothing sent).

        Args:
            method: ``GET`` (free, safe to retry) or ``POST``.
            path: Below the API root, from ``/v3/`` (``/v3/ai_optimization/...``).
            body: JSON bytes for a POST.
            where: What it is, for error messages.

        Returns:
            The call, for :meth:`request` / :meth:`arequest`.
        """
        url = httpx.URL(f"{check_base_url(self.base_url)}{path}")
        return self._api_call(method, url, body, where)

    def request(
        self,
        call: ApiCall,
        parse: Callable[[httpx.Response], T],
        pacers: Sequence[CallPacer] = (),
    ) -> T:
        """Send one call through the account's pool, pacer, retries, deadline and size cap.

        Args:
            call: From :meth:`api_call`.
            parse: Reads the answer (see ``_answers``), raising typed errors.
            pacers: Further client-side limiters (e.g. :attr:`tasks_ready_pacer`).

        Returns:
            What ``parse`` returned.
        """
        return self._run(self._auth(), call, parse, pacers)

    async def arequest(
        self,
        call: ApiCall,
        parse: Callable[[httpx.Response], T],
        pacers: Sequence[CallPacer] = (),
    ) -> T:
        """Async :meth:`request`.

        Args:
            call: From :meth:`api_call`.
            parse: Reads the answer.
            pacers: Further client-side limiters.

        Returns:
            What ``parse`` returned.
        """
        return await self._arun(self._auth(), call, parse, pacers)

    def live(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Run one live task and return the task object (with its result).

        Args:
            engine: Engine path segment.
            task: The task object (from ``build_task``).

        Returns:
            The API's task object, status 20000 with a non-empty ``result``.
        """
        call = self._live_call(engine, task)
        with self.account.live_gate(engine):
            return self._run(*call, parse_live)

    async def alive(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Async twin of :meth:`live`.

        Args:
            engine: Engine path segment.
            task: The task object.

        Returns:
            The API's task object.
        """
        call = self._live_call(engine, task)
        async with self.account.live_gate(engine):
            return await self._arun(*call, parse_live)

    # -- Standard: task_post, tasks_ready, task_get --------------------------------------

    def _post_call(self, engine: str, tasks: Sequence[dict[str, Any]]) -> tuple[str, ApiCall]:
        if not 1 <= len(tasks) <= MAX_TASKS_PER_POST:
            msg = f"task_post takes 1 to {MAX_TASKS_PER_POST} tasks, got {len(tasks)}."
            raise DataForSEOInputError(
                msg, field="tasks", limit=MAX_TASKS_PER_POST, actual=len(tasks)
            )
        return self._call("POST", engine, "task_post", encode_tasks(tasks), "task_post")

    def task_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Post up to 100 Standard tasks (charged: $0.0102 each, settled on completion).

        Args:
            engine: Engine path segment.
            tasks: Task objects.

        Returns:
            The ``tasks`` array of the answer, in the order sent (20100 = created).
        """
        return self._run(*self._post_call(engine, tasks), parse_post)

    async def atask_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Async twin of :meth:`task_post`.

        Args:
            engine: Engine path segment.
            tasks: Task objects.

        Returns:
            The ``tasks`` array of the answer.
        """
        return await self._arun(*self._post_call(engine, tasks), parse_post)

    def tasks_ready(self, engine: str) -> list[str]:
        """Ids of completed, uncollected Standard tasks (free; one call per 3 s at most).

        Args:
            engine: Engine path segment.

        Returns:
            Task ids (of the whole account, not only this client's).
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return self._run(*call, parse_ready, (self.tasks_ready_pacer,))

    async def atasks_ready(self, engine: str) -> list[str]:
        """Async twin of :meth:`tasks_ready`.

        Args:
            engine: Engine path segment.

        Returns:
            Task ids.
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return await self._arun(*call, parse_ready, (self.tasks_ready_pacer,))

    def tasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """:meth:`tasks_ready` with each task's tag: ``(id, tag)`` pairs (recovery by tag).

        Args:
            engine: Engine path segment.

        Returns:
            ``(id, tag)`` of each listed task (``tag`` ``None`` when absent).
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return self._run(*call, parse_ready_tagged, (self.tasks_ready_pacer,))

    async def atasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """Async twin of :meth:`tasks_ready_tagged`.

        Args:
            engine: Engine path segment.

        Returns:
            ``(id, tag)`` pairs.
        """
        call = self._call("GET", engine, "tasks_ready", None, "tasks_ready")
        return await self._arun(*call, parse_ready_tagged, (self.tasks_ready_pacer,))

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
        return self._run(*self._get_call(engine, task_id), parse_get)

    async def atask_get(self, engine: str, task_id: str) -> dict[str, Any]:
        """Async twin of :meth:`task_get`.

        Args:
            engine: Engine path segment.
            task_id: The task id.

        Returns:
            The task object.
        """
        return await self._arun(*self._get_call(engine, task_id), parse_get)

    # -- models -------------------------------------------------------------------------

    def list_models(self, engine: str) -> list[ModelRecord]:
        """The engine's model catalogue (a free call), cached for ``models_cache_ttl`` s.

        The catalogue is shared by every client of the account, and fetched once however
        many calls need it at the same time.

        Args:
            engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

        Returns:
            One record per model.
        """
        engine_spec(engine)
        account = self.account
        cached = _pools.fresh(account.catalogue.get(engine), self.models_cache_ttl)
        if cached is not None:
            return list(cached)

        def fetch() -> list[ModelRecord]:
            again = _pools.fresh(account.catalogue.get(engine), self.models_cache_ttl)
            if again is not None:
                return list(again)
            call = self._call("GET", engine, "models", None, "models")
            return self._store_models(account, engine, self._run(*call, parse_models_answer))

        return list(account.fetches.run(engine, fetch))

    async def alist_models(self, engine: str) -> list[ModelRecord]:
        """Async twin of :meth:`list_models`.

        Args:
            engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

        Returns:
            One record per model.
        """
        engine_spec(engine)
        account = self.account
        cached = _pools.fresh(account.catalogue.get(engine), self.models_cache_ttl)
        if cached is not None:
            return list(cached)

        async def fetch() -> list[ModelRecord]:
            again = _pools.fresh(account.catalogue.get(engine), self.models_cache_ttl)
            if again is not None:
                return list(again)
            call = self._call("GET", engine, "models", None, "models")
            records = await self._arun(*call, parse_models_answer)
            return self._store_models(account, engine, records)

        return list(await account.fetches.arun(engine, fetch))

    @staticmethod
    def _store_models(
        account: _pools.Account, engine: str, records: list[ModelRecord]
    ) -> list[ModelRecord]:
        account.catalogue[engine] = (time.monotonic(), list(records))
        return records

    def close(self) -> None:
        """Close the account's shared blocking pool (the next call opens a new one).

        A client given as ``http_client`` is left open: it belongs to the caller. Async
        pools are per event loop and close with it; :meth:`aclose` closes the running
        loop's sooner.
        """
        if self._given_client is None:
            _pools.close(self._key())

    async def aclose(self) -> None:
        """Close the account's shared pool of the running event loop.

        A client given as ``http_async_client`` is left open: it belongs to the caller.
        """
        if self._given_async_client is None:
            await _pools.aclose(self._key())
