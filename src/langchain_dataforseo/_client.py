"""The HTTP client of the LLM Responses endpoints: live, Standard (post, ready, get), models.

Sync and async methods share everything but the driver (see ``_transport``): each public
pair builds its call once and hands it to ``_run`` / ``_arun``. How calls travel
(credentials, base-URL safety, the account's shared httpx clients, pacers and live slots)
is :class:`~langchain_dataforseo._client_base.ClientBase`; constructing a client is cheap
and works without credentials, missing credentials are reported when a call is made,
before any request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_dataforseo import _pools
from langchain_dataforseo._answers import (
    parse_get,
    parse_live,
    parse_models_answer,
    parse_post,
    parse_ready,
    parse_ready_tagged,
)
from langchain_dataforseo._auth import basic_auth_header
from langchain_dataforseo._base_url import (
    check_base_url,
    endpoint_url,
    is_loopback_host,
    redact_url,
    refuse_credentials,
)
from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._client_base import ClientBase
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import encode_tasks
from langchain_dataforseo._transport import ApiCall
from langchain_dataforseo.errors import DataForSEOInputError

__all__ = [
    "DataForSEOClient",
    "basic_auth_header",
    "check_base_url",
    "endpoint_url",
    "is_loopback_host",
    "redact_url",
    "refuse_credentials",
]


class DataForSEOClient(ClientBase):
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

    # -- live ---------------------------------------------------------------------------

    def _live_call(self, engine: str, task: dict[str, Any]) -> tuple[str, ApiCall]:
        return self._call("POST", engine, "live", encode_tasks([task]), "live task")

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
        from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST  # a Standard call

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
        from langchain_dataforseo._standard.handle import check_task_id  # a Standard call

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
        account, call, hit = self._models(engine)

        def fetch() -> list[ModelRecord]:
            return self._store_models(account, engine, self._run(*call, parse_models_answer))

        return list(account.fetches.run(engine, fetch, hit))

    async def alist_models(self, engine: str) -> list[ModelRecord]:
        """Async twin of :meth:`list_models`.

        Args:
            engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

        Returns:
            One record per model.
        """
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
