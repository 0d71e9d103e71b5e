"""``DataForSEOLLMScraperLoader``: one Document per keyword, as the ChatGPT or Gemini app shows."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from pydantic import SecretStr

from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import Spend
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import SubmitJournal
from langchain_dataforseo._standard.protocol import RECOVER_WAIT_SECONDS
from langchain_dataforseo._standard.queue import CollectSettings, tagged
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOError,
    DataForSEOSubmitError,
    DataForSEOTaskPendingError,
)
from langchain_dataforseo.scraper._calls import (
    LIVE_RESERVATION_USD,
    STANDARD_RESERVATION_USD,
    acollect,
    arun_live,
    asubmit,
    collect,
    run_live,
    submit,
)
from langchain_dataforseo.scraper._parse import ScraperAnswer
from langchain_dataforseo.scraper._request import (
    ScraperEngine,
    ScraperMethod,
    ScraperRequest,
    build_task,
    check_callbacks,
    check_engine,
    check_method,
    check_priority,
)

__all__ = ["DataForSEOLLMScraperLoader"]


def _secret(url: SecretStr | str | None) -> SecretStr | None:
    """A callback URL kept as a ``SecretStr`` (it usually carries the receiver's secret)."""
    return url if url is None or isinstance(url, SecretStr) else SecretStr(url)


def to_document(answer: ScraperAnswer) -> Document:
    """The answer as a Document: the markdown, and everything else in metadata.

    Args:
        answer: The parsed answer.

    Returns:
        ``page_content`` the markdown answer; ``metadata`` with ``cited``, ``found_in``,
        ``sources``, ``fan_out_queries``, ``brand_entities``, ``items``, ``cost``, ...
    """
    return Document(page_content=answer.markdown, metadata=answer.metadata())


class DataForSEOLLMScraperLoader(BaseLoader):
    """Load what the ChatGPT or Gemini app answers to each keyword, one Document each.

    Every keyword is checked before anything is sent. ``method="live"`` runs one live task
    per keyword, in order; ``method="standard"`` posts them all (up to 100 a request,
    cheaper, slower), then collects. For Standard, :meth:`submit` returns JSON-friendly
    handles (``handle.to_dict()``) that :meth:`load_handles` collects later, from any
    process. Each task's cost is in its Document's metadata, counted by ``track_costs``,
    and capped in all by ``max_cost``.

    Args:
        keywords: The questions, as a person would type them.
        engine: ``chat_gpt`` or ``gemini``.
        location_name: Location name for every keyword (one location field at most).
        location_code: Location code; the default 2840 (US) applies when none is given.
        location_coordinate: ``"latitude,longitude,radius"`` (Gemini).
        language_name: Language name (one language field at most).
        language_code: Language code; ``"en"`` when none is given.
        force_web_search: ChatGPT only.
        method: ``live`` or ``standard``.
        priority: Standard only: 1 normal, 2 high.
        pingback_url: Standard only: URL DataForSEO GETs when a task is done (``$id``,
            ``$tag`` filled in). Kept as a ``SecretStr``: never in a repr, an error or a
            stored task. Such tasks never show in ``tasks_ready``; collecting fetches them.
        postback_url: Standard only: URL DataForSEO POSTs the gzip result to (a
            ``SecretStr`` too).
        postback_data: With ``postback_url``: ``advanced`` (default) or ``html``.
        max_cost: Cap in USD on what this loader may spend in all.
        max_cost_per_task: Worst case reserved per task against ``max_cost`` [I].
        collect_settings: How long and how often Standard collecting polls.
        client: A ready :class:`DataForSEOClient`; else built from the arguments below.
        login: API login.
        password: API password.
        base_url: API root.

    Example:
        .. code-block:: python

            from langchain_dataforseo.scraper import DataForSEOLLMScraperLoader

            docs = DataForSEOLLMScraperLoader(
                ["best crm for agencies", "hubspot vs pipedrive"], engine="chat_gpt"
            ).load()
            docs[0].metadata["cited"], docs[0].metadata["fan_out_queries"]
    """

    def __init__(
        self,
        keywords: Sequence[str],
        *,
        engine: ScraperEngine = "chat_gpt",
        location_name: str | None = None,
        location_code: int | None = None,
        location_coordinate: str | None = None,
        language_name: str | None = None,
        language_code: str | None = None,
        force_web_search: bool | None = None,
        method: ScraperMethod = "live",
        priority: int | None = None,
        pingback_url: SecretStr | str | None = None,
        postback_url: SecretStr | str | None = None,
        postback_data: str | None = None,
        max_cost: float | None = None,
        max_cost_per_task: float | None = None,
        collect_settings: CollectSettings | None = None,
        client: DataForSEOClient | None = None,
        login: str | None = None,
        password: SecretStr | str | None = None,
        base_url: str | None = None,
    ) -> None:
        if isinstance(keywords, str):
            keywords = [keywords]
        self.engine = check_engine(engine)
        self.keywords = list(keywords)
        if location_name is None and location_code is None and location_coordinate is None:
            location_code = 2840
        if language_name is None and language_code is None:
            language_code = "en"
        self._settings: dict[str, Any] = {
            "location_name": location_name,
            "location_code": location_code,
            "location_coordinate": location_coordinate,
            "language_name": language_name,
            "language_code": language_code,
            "force_web_search": force_web_search,
        }
        self.method = check_method(method)
        self.priority = check_priority(priority, self.method)
        self._callbacks = {
            "pingback_url": _secret(pingback_url),
            "postback_url": _secret(postback_url),
        }
        self.postback_data = postback_data
        check_callbacks(self.method, **self._revealed())  # refused now, before anything
        default = (
            LIVE_RESERVATION_USD
            if self.method == "live"
            else STANDARD_RESERVATION_USD[self.priority or 1]
        )
        self.max_cost_per_task = max_cost_per_task if max_cost_per_task is not None else default
        self.collect_settings = collect_settings or CollectSettings()
        if any(self._callbacks.values()):  # such tasks never show in tasks_ready
            self.collect_settings = replace(self.collect_settings, use_tasks_ready=False)
        self.budget = Budget(max_cost)
        self._client = client or DataForSEOClient(login=login, password=password, base_url=base_url)
        self._spend = Spend(self.budget, self.engine)

    def tasks(self) -> list[dict[str, Any]]:
        """Every keyword's task object, all checked (nothing is sent).

        Raises:
            DataForSEOInputError: For the first keyword or setting the API would refuse.
        """
        return [
            build_task(
                self.engine,
                ScraperRequest(keyword, **self._settings),
                method=self.method,
                priority=self.priority,
                callbacks=self._revealed(),
            )
            for keyword in self.keywords
        ]

    def _revealed(self) -> dict[str, str | None]:
        """The callback fields as sent (the URLs revealed only here, for the task)."""
        fields: dict[str, str | None] = {
            name: None if url is None else url.get_secret_value()
            for name, url in self._callbacks.items()
        }
        return {**fields, "postback_data": self.postback_data}

    def lazy_load(self) -> Iterator[Document]:
        """One Document per keyword, in order (Live: each as it comes)."""
        tasks = self.tasks()
        if self.method == "standard":
            yield from self._documents(
                collect(self._client, self._handles(tasks), self.collect_settings)
            )
            return
        for task in tasks:
            yield to_document(run_live(self._client, self._spend, task, self.max_cost_per_task))

    async def alazy_load(self) -> AsyncIterator[Document]:
        """Async twin of :meth:`lazy_load`."""
        tasks = self.tasks()
        if self.method == "standard":
            handles = self._raise_failed(
                await asubmit(self._client, self._spend, tagged(tasks), self.max_cost_per_task)
            )
            for document in self._documents(
                await acollect(self._client, handles, self.collect_settings)
            ):
                yield document
            return
        for task in tasks:
            answer = await arun_live(self._client, self._spend, task, self.max_cost_per_task)
            yield to_document(answer)

    # -- Standard, in steps (resumable) -------------------------------------------------

    def submit(
        self,
        *,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
    ) -> list[TaskHandle | DataForSEOError]:
        """Post every keyword (Standard) and return at once: one handle or error each.

        Save the handles (``[h.to_dict() for h in handles]``) to collect them later with
        :meth:`load_handles`, from this or another process (results are kept 30 days).

        Args:
            journal: A file path (or any ``SubmitJournal``) where each chunk's tags are
                written before it is posted and its handles as soon as they come back
                (records with ``"family": "llm_scraper"``). Run again with the same
                journal: known tasks are not posted again, tasks in doubt are looked up
                by tag in ``tasks_ready``.
            repost_in_doubt: Post again the tasks in doubt that the look-up did not find
                (they may then be paid twice).
            recover_wait: Seconds to look for tasks in doubt in ``tasks_ready``.
        """
        return submit(
            self._client,
            self._spend,
            tagged(self.tasks()),
            self.max_cost_per_task,
            journal=journal,
            repost_in_doubt=repost_in_doubt,
            recover_wait=recover_wait,
            poll_interval=self.collect_settings.poll_interval,
        )

    async def asubmit(
        self,
        *,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
    ) -> list[TaskHandle | DataForSEOError]:
        """Async twin of :meth:`submit`."""
        return await asubmit(
            self._client,
            self._spend,
            tagged(self.tasks()),
            self.max_cost_per_task,
            journal=journal,
            repost_in_doubt=repost_in_doubt,
            recover_wait=recover_wait,
            poll_interval=self.collect_settings.poll_interval,
        )

    def load_handles(self, handles: Sequence[TaskHandle | Mapping[str, Any]]) -> list[Document]:
        """Collect Standard tasks posted earlier (free calls).

        Args:
            handles: Handles, or their ``to_dict()`` form.

        Returns:
            One Document per handle, in order.

        Raises:
            DataForSEOBatchError: When a task failed or is still pending; ``results``
                holds every Document or error in order, ``pending`` the handles to
                collect again later.
        """
        ready = [h if isinstance(h, TaskHandle) else TaskHandle.from_dict(h) for h in handles]
        # handles from anywhere: an earlier process may have fetched some (no longer listed)
        documents = collect(self._client, ready, self.collect_settings, first_sweep=True)
        return list(self._documents(documents))

    async def aload_handles(
        self, handles: Sequence[TaskHandle | Mapping[str, Any]]
    ) -> list[Document]:
        """Async twin of :meth:`load_handles`."""
        ready = [h if isinstance(h, TaskHandle) else TaskHandle.from_dict(h) for h in handles]
        documents = await acollect(self._client, ready, self.collect_settings, first_sweep=True)
        return list(self._documents(documents))

    def _handles(self, tasks: list[dict[str, Any]]) -> list[TaskHandle]:
        posted = submit(self._client, self._spend, tagged(tasks), self.max_cost_per_task)
        return self._raise_failed(posted)

    @staticmethod
    def _raise_failed(posted: Sequence[TaskHandle | DataForSEOError]) -> list[TaskHandle]:
        handles = [item for item in posted if isinstance(item, TaskHandle)]
        errors: dict[int, Exception] = {
            index: item for index, item in enumerate(posted) if isinstance(item, DataForSEOError)
        }
        if errors:
            first = next(iter(errors.values()))
            msg = (
                f"{len(errors)} of {len(posted)} LLM Scraper tasks were not created (first: "
                f"{first}); the {len(handles)} created are in .handles: collect them with "
                "load_handles() rather than posting them again."
            )
            raise DataForSEOSubmitError(msg, handles=list(handles), errors=errors)
        return handles

    @staticmethod
    def _documents(results: Sequence[ScraperAnswer | DataForSEOError]) -> Iterator[Document]:
        out: list[Document | Exception] = [
            r if isinstance(r, DataForSEOError) else to_document(r) for r in results
        ]
        failures = [r for r in out if isinstance(r, Exception)]
        if failures:
            pending = [r.handle for r in failures if isinstance(r, DataForSEOTaskPendingError)]
            msg = (
                f"{len(failures)} of {len(out)} LLM Scraper tasks failed or are not finished "
                f"(first: {failures[0]}); .results has every Document or error in order, "
                ".pending the handles to collect later (task_get is free for 30 days)."
            )
            raise DataForSEOBatchError(msg, results=out, pending=pending, first=failures[0])
        yield from (r for r in out if isinstance(r, Document))
