"""One HTTP client for every AI Optimization product; the product is a path segment.

LLM Responses and the LLM Scraper are the same four endpoints below
``/v3/ai_optimization/<engine>/<product>/`` (``live``, ``task_post``, ``tasks_ready``,
``task_get``); each method takes ``product=`` (``llm_responses`` or ``llm_scraper``; by
default the client's own, which ``for_product`` sets), and the few places where the
products differ are one row of a table (:data:`_PRODUCTS`: the ``advanced`` result form,
the live slots, what a 40402 means). LLM Mentions (no engine) goes through the same
seam (:meth:`DataForSEOClient.call_task`).

How calls travel is here too: credentials read from the environment, base-URL safety, the
account's shared httpx clients, pacers and live slots (``_pools``), and one call path
through the retry protocol of ``_transport`` with a sync and an async driver. Sync and
async methods share everything but the driver: each public pair builds its call once and
hands it to ``_run`` / ``_arun``. Constructing a client is cheap and works without
credentials; missing credentials are reported when a call is made, before any request.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar

import httpx
from pydantic import SecretStr

from langchain_dataforseo._api.answers import (
    parse_get,
    parse_live,
    parse_models_answer,
    parse_post,
    parse_ready,
    parse_ready_tagged,
    parse_task,
)
from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.fields import (
    DEFAULT_BASE_URL,
    DEFAULT_CALLS_PER_MINUTE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_BASE_URL,
    ENV_LOGIN,
    ENV_PASSWORD,
    LLM_RESPONSES,
    LLM_SCRAPER,
    MAX_TASKS_PER_POST,
    check_task_id,
    engine_spec,
)
from langchain_dataforseo._api.request import encode_tasks
from langchain_dataforseo._transport import pools as _pools
from langchain_dataforseo._transport.auth import basic_auth_header
from langchain_dataforseo._transport.base_url import (
    check_base_url,
    endpoint_url,
    is_loopback_host,
    redact_url,
    refuse_credentials,
)
from langchain_dataforseo._transport.http import DEFAULT_MAX_RESPONSE_BYTES, asend, send
from langchain_dataforseo._transport.pacing import CallPacer
from langchain_dataforseo._transport.retry import (
    ApiCall,
    Outcome,
    RetryPolicy,
    Step,
    exchange,
    run_async,
    run_sync,
)
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError

__all__ = [
    "DataForSEOClient",
    "basic_auth_header",
    "check_base_url",
    "endpoint_url",
    "is_loopback_host",
    "redact_url",
    "refuse_credentials",
]

T = TypeVar("T")

INVALID_PATH: Final = 40402
"""``Invalid Path.``: what the path of an engine a product does not (yet) serve answers."""


@dataclass(frozen=True)
class _Product:
    """Where one product's endpoints differ from LLM Responses'."""

    label: str
    """How error messages name its calls (``""`` for LLM Responses)."""
    result: str = ""
    """The result form of ``live`` and ``task_get`` (``/advanced``), ``""`` for none."""
    unserved_is_40402: bool = False
    """A 40402 of its calls means the engine is not served (:func:`not_available`)."""


_PRODUCTS: Final[dict[str, _Product]] = {
    LLM_RESPONSES: _Product(""),
    LLM_SCRAPER: _Product("LLM Scraper", "/advanced", unserved_is_40402=True),
}


def _product(product: str) -> _Product:
    """The product's row, or a refusal naming the field, before any request."""
    spec = _PRODUCTS.get(product)
    if spec is None:
        known = list(_PRODUCTS)
        msg = f"product={product!r} is not one of {known}; refused before any request."
        raise DataForSEOInputError(msg, field="product", limit=known, actual=product)
    return spec


def not_available(
    engine: str, error: DataForSEOError, label: str = "LLM Scraper"
) -> DataForSEOError:
    """A 40402 on an engine's product path, said as what it means: the engine is not served.

    DataForSEO's PHP client announces the Perplexity LLM Scraper as "not yet available",
    and its path answers ``40402 Invalid Path`` (``scraper/REFERENCE.md`` section 1). Any
    other error is returned unchanged.

    Args:
        engine: The engine whose path was called.
        error: The error the call raised (or a task of a post carried).
        label: The product's name, for the message.

    Returns:
        For 40402, a copy of the same class and attributes (status code, task id, cost)
        whose message says the engine is not available on this account or not yet
        released; else ``error`` itself.
    """
    if error.status_code != INVALID_PATH:
        return error
    clone = copy.copy(error)
    clone.args = (
        f"The {engine!r} {label} is not available on this account or not yet released "
        f"(DataForSEO answered {INVALID_PATH} Invalid Path on its {label} path; nothing is "
        f"charged for it). Use one of the engines that answer, or ask DataForSEO support. "
        f"[{error}]",
    )
    clone.__cause__ = error
    return clone


@contextmanager
def _served(engine: str, spec: _Product) -> Iterator[None]:
    """Raise a 40402 of a product whose unserved engines answer it as :func:`not_available`."""
    try:
        yield
    except DataForSEOError as error:
        mapped = not_available(engine, error, spec.label) if spec.unserved_is_40402 else error
        if mapped is error:
            raise
        raise mapped from error


class DataForSEOClient:
    """HTTP client for the AI Optimization endpoints of any engine and product.

    One client serves LLM Responses (the default ``product``), the LLM Scraper
    (``product="llm_scraper"``, or a client bound to it by :meth:`for_product`) and LLM
    Mentions (:meth:`call_task`), through the same credentials, shared pools, pacers,
    retries, deadline and size cap. ``ChatDataForSEO``
    builds one per model instance (``model.client``); build one yourself to list another
    engine's models. Arguments left out come from the environment
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
        self.product: str = LLM_RESPONSES

    def __repr__(self) -> str:
        return f"DataForSEOClient(base_url={redact_url(self.base_url)!r}, login={self._login!r})"

    # -- how calls travel: the account's shared pools and limiters (see ``_pools``) --------

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

    def for_product(self, product: str) -> DataForSEOClient:
        """This client (same account, pools, limits) with ``product`` as its default.

        The Standard queue's drivers call ``task_post`` / ``tasks_ready`` / ``task_get``
        without a product: given ``client.for_product("llm_scraper")`` they run the LLM
        Scraper's endpoints.

        Args:
            product: ``llm_responses`` or ``llm_scraper``.

        Returns:
            A shallow copy whose methods default to ``product``.

        Raises:
            DataForSEOInputError: For any other product (nothing is sent).
        """
        _product(product)
        bound = copy.copy(self)
        bound.product = product
        return bound

    def _resolve(self, product: str | None) -> str:
        """The product a call names, else this client's; checked."""
        name = product or self.product
        _product(name)
        return name

    def _call(
        self,
        method: str,
        engine: str,
        function: str,
        body: bytes | None,
        where: str,
        product: str = LLM_RESPONSES,
    ) -> tuple[str, ApiCall]:
        spec = _product(product)
        engine_spec(engine)  # the engine goes into the path: a known one only
        url = endpoint_url(self.base_url, engine, function, product)
        where = f"{spec.label} {where}" if spec.label else where
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

    def _live_call(self, engine: str, task: dict[str, Any], product: str) -> tuple[str, ApiCall]:
        function = f"live{_product(product).result}"
        return self._call("POST", engine, function, encode_tasks([task]), "live task", product)

    @staticmethod
    def _gate_key(engine: str, product: str) -> str:
        # live slots per engine and product: the scraper's apart from LLM Responses'
        return engine if product == LLM_RESPONSES else f"{engine}/{product}"

    def live(
        self, engine: str, task: dict[str, Any], *, product: str | None = None
    ) -> dict[str, Any]:
        """Run one live task and return the task object (with its result).

        Args:
            engine: Engine path segment.
            task: The task object (from ``build_task``).
            product: ``llm_responses`` or ``llm_scraper`` (``live/advanced``); default:
                :attr:`product`.

        Returns:
            The API's task object, status 20000 with a non-empty ``result``.
        """
        product = self._resolve(product)
        call = self._live_call(engine, task, product)
        with (
            _served(engine, _product(product)),
            self.account.live_gate(self._gate_key(engine, product)),
        ):
            return self._run(*call, parse_live)

    async def alive(
        self, engine: str, task: dict[str, Any], *, product: str | None = None
    ) -> dict[str, Any]:
        """Async twin of :meth:`live` (the same arguments and answer)."""
        product = self._resolve(product)
        call = self._live_call(engine, task, product)
        with _served(engine, _product(product)):
            async with self.account.live_gate(self._gate_key(engine, product)):
                return await self._arun(*call, parse_live)

    # -- Standard: task_post, tasks_ready, task_get --------------------------------------

    def _post_call(
        self, engine: str, tasks: Sequence[dict[str, Any]], product: str
    ) -> tuple[str, ApiCall]:
        if not 1 <= len(tasks) <= MAX_TASKS_PER_POST:
            msg = f"task_post takes 1 to {MAX_TASKS_PER_POST} tasks, got {len(tasks)}."
            raise DataForSEOInputError(
                msg, field="tasks", limit=MAX_TASKS_PER_POST, actual=len(tasks)
            )
        return self._call("POST", engine, "task_post", encode_tasks(tasks), "task_post", product)

    def task_post(
        self, engine: str, tasks: Sequence[dict[str, Any]], *, product: str | None = None
    ) -> list[Any]:
        """Post up to 100 Standard tasks (charged: $0.0102 each, settled on completion).

        Args:
            engine: Engine path segment.
            tasks: Task objects.
            product: ``llm_responses`` or ``llm_scraper`` (default: :attr:`product`).

        Returns:
            The ``tasks`` array of the answer, in the order sent (20100 = created).
        """
        product = self._resolve(product)
        call = self._post_call(engine, tasks, product)
        with _served(engine, _product(product)):
            return self._run(*call, parse_post)

    async def atask_post(
        self, engine: str, tasks: Sequence[dict[str, Any]], *, product: str | None = None
    ) -> list[Any]:
        """Async twin of :meth:`task_post` (the same arguments and answer)."""
        product = self._resolve(product)
        call = self._post_call(engine, tasks, product)
        with _served(engine, _product(product)):
            return await self._arun(*call, parse_post)

    def _ready_call(self, engine: str, product: str) -> tuple[str, ApiCall]:
        return self._call("GET", engine, "tasks_ready", None, "tasks_ready", product)

    def tasks_ready(self, engine: str, *, product: str | None = None) -> list[str]:
        """Ids of completed, uncollected Standard tasks (free; one call per 3 s at most).

        Args:
            engine: Engine path segment.
            product: ``llm_responses`` or ``llm_scraper`` (default: :attr:`product`).

        Returns:
            Task ids (of the whole account, not only this client's).
        """
        product = self._resolve(product)
        call = self._ready_call(engine, product)
        return self._run(*call, parse_ready, (self.tasks_ready_pacer,))

    async def atasks_ready(self, engine: str, *, product: str | None = None) -> list[str]:
        """Async twin of :meth:`tasks_ready` (the same arguments and answer)."""
        product = self._resolve(product)
        call = self._ready_call(engine, product)
        return await self._arun(*call, parse_ready, (self.tasks_ready_pacer,))

    def tasks_ready_tagged(
        self, engine: str, *, product: str | None = None
    ) -> list[tuple[str, str | None]]:
        """:meth:`tasks_ready` with each task's tag: ``(id, tag)`` pairs (recovery by tag).

        Args:
            engine: Engine path segment.
            product: ``llm_responses`` or ``llm_scraper`` (default: :attr:`product`).

        Returns:
            ``(id, tag)`` of each listed task (``tag`` ``None`` when absent).
        """
        product = self._resolve(product)
        call = self._ready_call(engine, product)
        return self._run(*call, parse_ready_tagged, (self.tasks_ready_pacer,))

    async def atasks_ready_tagged(
        self, engine: str, *, product: str | None = None
    ) -> list[tuple[str, str | None]]:
        """Async twin of :meth:`tasks_ready_tagged` (the same arguments and answer)."""
        product = self._resolve(product)
        call = self._ready_call(engine, product)
        return await self._arun(*call, parse_ready_tagged, (self.tasks_ready_pacer,))

    def _get_call(self, engine: str, task_id: str, product: str) -> tuple[str, ApiCall]:
        # the id goes into the path: only the API's format, never "../" or "?"
        function = f"task_get{_product(product).result}/{check_task_id(task_id)}"
        return self._call("GET", engine, function, None, "task_get", product)

    def task_get(self, engine: str, task_id: str, *, product: str | None = None) -> dict[str, Any]:
        """One Standard task as it stands (free; repeatable for 30 days).

        Args:
            engine: Engine path segment.
            task_id: The task id.
            product: ``llm_responses`` or ``llm_scraper`` (``task_get/advanced``); default:
                :attr:`product`.

        Returns:
            The task object, whatever its status (20000 done, 40602 pending, ...).

        Raises:
            DataForSEOInputError: When ``task_id`` is not in the API's UUID format
                (nothing is sent).
        """
        product = self._resolve(product)
        call = self._get_call(engine, task_id, product)
        with _served(engine, _product(product)):
            return self._run(*call, parse_get)

    async def atask_get(
        self, engine: str, task_id: str, *, product: str | None = None
    ) -> dict[str, Any]:
        """Async twin of :meth:`task_get` (the same arguments and answer)."""
        product = self._resolve(product)
        call = self._get_call(engine, task_id, product)
        with _served(engine, _product(product)):
            return await self._arun(*call, parse_get)

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
        account, call, hit = self._models(engine)

        def fetch() -> list[ModelRecord]:
            return self._store_models(account, engine, self._run(*call, parse_models_answer))

        return list(account.fetches.run(engine, fetch, hit))

    async def alist_models(self, engine: str) -> list[ModelRecord]:
        """Async twin of :meth:`list_models` (the same arguments and answer)."""
        account, call, hit = self._models(engine)

        async def fetch() -> list[ModelRecord]:
            records = await self._arun(*call, parse_models_answer)
            return self._store_models(account, engine, records)

        return list(await account.fetches.arun(engine, fetch, hit))

    def _models(
        self, engine: str
    ) -> tuple[_pools.Account, tuple[str, ApiCall], Callable[[], list[ModelRecord] | None]]:
        """The account, the ``models`` call, and the look-up of a fresh cached catalogue."""
        engine_spec(engine)
        account, ttl = self.account, self.models_cache_ttl

        def hit() -> list[ModelRecord] | None:
            cached = _pools.fresh(account.catalogue.get(engine), ttl)
            return None if cached is None else list(cached)

        return account, self._call("GET", engine, "models", None, "models"), hit

    @staticmethod
    def _store_models(
        account: _pools.Account, engine: str, records: list[ModelRecord]
    ) -> list[ModelRecord]:
        account.catalogue[engine] = (time.monotonic(), list(records))
        return records

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
        """Async twin of :meth:`request` (the same arguments and answer)."""
        return await self._arun(self._auth(), call, parse, pacers)

    def _task_call(
        self, method: str, path: str, task: dict[str, Any] | None, where: str
    ) -> tuple[ApiCall, Callable[[httpx.Response], dict[str, Any]]]:
        body = encode_tasks([task]) if method == "POST" and task is not None else None
        return self.api_call(method, path, body, where), partial(parse_task, where=where)

    def call_task(
        self, method: str, path: str, task: dict[str, Any] | None = None, *, where: str
    ) -> dict[str, Any]:
        """One task at any path below the API root (LLM Mentions); its task object.

        Args:
            method: ``POST`` (a live task; sent as a one-task array) or ``GET``.
            path: From ``/v3/`` (``/v3/ai_optimization/llm_mentions/search/live``).
            task: The task object of a POST (``None`` for a GET).
            where: What it is, for error messages.

        Returns:
            The answer's first task, status 20000.
        """
        call, parse = self._task_call(method, path, task, where)
        return self.request(call, parse)

    async def acall_task(
        self, method: str, path: str, task: dict[str, Any] | None = None, *, where: str
    ) -> dict[str, Any]:
        """Async twin of :meth:`call_task` (the same arguments and answer)."""
        call, parse = self._task_call(method, path, task, where)
        return await self.arequest(call, parse)

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
