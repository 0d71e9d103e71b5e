"""How a client's calls travel: credentials, the account's shared pools, the call path.

:class:`ClientBase` holds what every endpoint needs (credentials read from the
environment, the account's httpx clients and limiters, one call path through the retry
protocol of ``_transport`` with a sync and an async driver) and the public seam
(:meth:`ClientBase.api_call`, :meth:`ClientBase.request`) the other AI Optimization parts
use. The endpoints themselves are on :class:`~langchain_dataforseo._client.DataForSEOClient`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import TypeVar

import httpx
from pydantic import SecretStr

from langchain_dataforseo import _pools
from langchain_dataforseo._auth import basic_auth_header
from langchain_dataforseo._base_url import (
    check_base_url,
    endpoint_url,
    redact_url,
    refuse_credentials,
)
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
from langchain_dataforseo._http import DEFAULT_MAX_RESPONSE_BYTES, asend, send
from langchain_dataforseo._pacing import CallPacer
from langchain_dataforseo._retry import RetryPolicy
from langchain_dataforseo._transport import (
    ApiCall,
    Outcome,
    Step,
    exchange,
    run_async,
    run_sync,
)

T = TypeVar("T")


class ClientBase:
    """An account's transport: credentials, shared pools and limiters, one call path.

    See :class:`~langchain_dataforseo._client.DataForSEOClient` for the arguments.
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
        base_url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        refuse_credentials(base_url)  # before anything keeps it
        self._login = login if login is not None else os.environ.get(ENV_LOGIN)
        if password is None and os.environ.get(ENV_PASSWORD):
            password = os.environ[ENV_PASSWORD]
        self._password = SecretStr(password) if isinstance(password, str) else password
        self._api_key = api_key
        self.base_url = base_url
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
