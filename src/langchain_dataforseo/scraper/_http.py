"""The thinnest seam onto the package's HTTP client for the LLM Scraper paths.

``DataForSEOClient`` builds URLs below ``llm_responses`` only. This adapter builds the
``llm_scraper`` URLs and hands each call to the client's public seam (``request`` / ``arequest``:
the shared pools, the account's call pacer, the retry policy, the deadline, the response
size cap), and reads the answers with the shared parsers of ``_answers``. Nothing here
opens a socket itself.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import httpx

from langchain_dataforseo._answers import (
    parse_get,
    parse_live,
    parse_post,
    parse_ready,
    parse_ready_tagged,
)
from langchain_dataforseo._client import DataForSEOClient, check_base_url
from langchain_dataforseo._request import encode_tasks
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, check_task_id
from langchain_dataforseo._transport import ApiCall
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError
from langchain_dataforseo.scraper._request import check_engine

_ROOT = "/v3/ai_optimization"
INVALID_PATH: Final = 40402
"""``Invalid Path.``: what a scraper path of an engine not (yet) served answers."""


def not_available(engine: str, error: DataForSEOError) -> DataForSEOError:
    """A 40402 on a scraper path, said as what it means: the engine is not available.

    DataForSEO's PHP client announces the Perplexity LLM Scraper as "not yet available",
    and its path answers ``40402 Invalid Path`` (REFERENCE.md section 1). Any other error
    is returned unchanged.

    Args:
        engine: The engine whose path was called.
        error: The error the call raised (or a task of a post carried).

    Returns:
        For 40402, a copy of the same class and attributes (status code, task id, cost)
        whose message says the engine is not available on this account or not yet
        released; else ``error`` itself.
    """
    if error.status_code != INVALID_PATH:
        return error
    clone = copy.copy(error)
    clone.args = (
        f"The {engine!r} LLM Scraper is not available on this account or not yet released "
        f"(DataForSEO answered {INVALID_PATH} Invalid Path on its scraper path; nothing is "
        f"charged for it). Use one of the engines that answer, or ask DataForSEO support. "
        f"[{error}]",
    )
    clone.__cause__ = error
    return clone


@contextmanager
def _engine_paths(engine: str) -> Iterator[None]:
    """Raise a 40402 of a scraper call as :func:`not_available` says it."""
    try:
        yield
    except DataForSEOError as error:
        mapped = not_available(engine, error)
        if mapped is error:
            raise
        raise mapped from error


def scraper_url(base_url: str, engine: str, function: str) -> httpx.URL:
    """The URL of one LLM Scraper endpoint.

    Args:
        base_url: The API root (https, or http to loopback; checked).
        engine: ``chat_gpt`` or ``gemini``.
        function: Below ``llm_scraper`` (``live/advanced``, ``task_get/advanced/<id>``).

    Returns:
        The parsed URL.
    """
    return httpx.URL(
        f"{check_base_url(base_url)}{_ROOT}/{check_engine(engine)}/llm_scraper/{function}"
    )


class ScraperClient:
    """LLM Scraper calls through a :class:`DataForSEOClient` (its pools, pacer and retries).

    Args:
        client: The package client (credentials, base URL, timeout, retry policy).
    """

    def __init__(self, client: DataForSEOClient) -> None:
        self.client = client

    def preflight(self, engine: str) -> None:
        """Raise what would fail before sending (credentials, base URL, engine), early.

        Called before a reservation is made, so such a failure never holds budget.

        Raises:
            DataForSEOAuthenticationError: When no usable credentials are set.
            DataForSEOInputError: For a refused base URL or an unknown engine.
        """
        scraper_url(self.client.base_url, engine, "live/advanced")
        self.client.check_credentials()

    def _call(
        self, method: str, engine: str, function: str, body: bytes | None, where: str
    ) -> ApiCall:
        scraper_url(self.client.base_url, engine, function)  # engine and base URL checked
        path = f"{_ROOT}/{engine}/llm_scraper/{function}"
        return self.client.api_call(method, path, body, where)

    def _live_call(self, engine: str, task: dict[str, Any]) -> ApiCall:
        return self._call(
            "POST", engine, "live/advanced", encode_tasks([task]), "LLM Scraper live task"
        )

    def _post_call(self, engine: str, tasks: Sequence[dict[str, Any]]) -> ApiCall:
        if not 1 <= len(tasks) <= MAX_TASKS_PER_POST:
            msg = f"task_post takes 1 to {MAX_TASKS_PER_POST} tasks, got {len(tasks)}."
            raise DataForSEOInputError(
                msg, field="tasks", limit=MAX_TASKS_PER_POST, actual=len(tasks)
            )
        return self._call("POST", engine, "task_post", encode_tasks(tasks), "LLM Scraper task_post")

    def _get_call(self, engine: str, task_id: str) -> ApiCall:
        function = f"task_get/advanced/{check_task_id(task_id)}"
        return self._call("GET", engine, function, None, "LLM Scraper task_get")

    def _ready_call(self, engine: str) -> ApiCall:
        return self._call("GET", engine, "tasks_ready", None, "LLM Scraper tasks_ready")

    def _gate_key(self, engine: str) -> str:
        # a client-side cap on simultaneous scraper tasks per engine (max_live_tasks), apart
        # from the LLM Responses slots of the same engine
        return f"{engine}/llm_scraper"

    def live(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Run one live task (``live/advanced``); the task object, status 20000 with a result."""
        call = self._live_call(engine, task)
        with _engine_paths(engine), self.client.account.live_gate(self._gate_key(engine)):
            return self.client.request(call, parse_live)

    async def alive(self, engine: str, task: dict[str, Any]) -> dict[str, Any]:
        """Async twin of :meth:`live`."""
        call = self._live_call(engine, task)
        with _engine_paths(engine):
            async with self.client.account.live_gate(self._gate_key(engine)):
                return await self.client.arequest(call, parse_live)

    def task_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Post up to 100 Standard tasks; the answer's ``tasks`` array (20100 = created)."""
        with _engine_paths(engine):
            return self.client.request(self._post_call(engine, tasks), parse_post)

    async def atask_post(self, engine: str, tasks: Sequence[dict[str, Any]]) -> list[Any]:
        """Async twin of :meth:`task_post`."""
        call = self._post_call(engine, tasks)
        with _engine_paths(engine):
            return await self.client.arequest(call, parse_post)

    def tasks_ready(self, engine: str) -> list[str]:
        """Ids of completed, uncollected Standard tasks (free; paced to one call per 3 s)."""
        pacers = (self.client.tasks_ready_pacer,)
        return self.client.request(self._ready_call(engine), parse_ready, pacers)

    async def atasks_ready(self, engine: str) -> list[str]:
        """Async twin of :meth:`tasks_ready`."""
        pacers = (self.client.tasks_ready_pacer,)
        call = self._ready_call(engine)
        return await self.client.arequest(call, parse_ready, pacers)

    def tasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """``(id, tag)`` of completed, uncollected Standard tasks (a look-up by tag; free)."""
        pacers = (self.client.tasks_ready_pacer,)
        return self.client.request(self._ready_call(engine), parse_ready_tagged, pacers)

    async def atasks_ready_tagged(self, engine: str) -> list[tuple[str, str | None]]:
        """Async twin of :meth:`tasks_ready_tagged`."""
        pacers = (self.client.tasks_ready_pacer,)
        call = self._ready_call(engine)
        return await self.client.arequest(call, parse_ready_tagged, pacers)

    def task_get(self, engine: str, task_id: str) -> dict[str, Any]:
        """One Standard task as it stands (``task_get/advanced``; free)."""
        with _engine_paths(engine):
            return self.client.request(self._get_call(engine, task_id), parse_get)

    async def atask_get(self, engine: str, task_id: str) -> dict[str, Any]:
        """Async twin of :meth:`task_get`."""
        call = self._get_call(engine, task_id)
        with _engine_paths(engine):
            return await self.client.arequest(call, parse_get)
