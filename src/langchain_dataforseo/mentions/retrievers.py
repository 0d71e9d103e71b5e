"""``DataForSEOLLMMentionsRetriever``: what AI engines already answered, as Documents."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, SecretStr

from langchain_dataforseo._api.fields import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS
from langchain_dataforseo._transport.client import DataForSEOClient, refuse_credentials
from langchain_dataforseo.mentions._endpoints import acall_endpoint, call_endpoint, endpoint
from langchain_dataforseo.mentions._parse import (
    mention_document,
    objects,
    reading,
    result_object,
    task_cost,
)
from langchain_dataforseo.mentions._request import MAX_LIMIT, build_task, keyword_target

__all__ = ["DataForSEOLLMMentionsRetriever"]

_SEARCH = endpoint("search_mentions")


class DataForSEOLLMMentionsRetriever(BaseRetriever):
    """Retrieve questions AI engines were already asked, with their answers and sources.

    Each query is sent as a keyword target to DataForSEO's LLM Mentions
    ``search_mentions`` endpoint (one paid call, no new prompt is run). Each row becomes
    a :class:`~langchain_core.documents.Document` whose ``page_content`` is the answer
    (markdown) and whose metadata holds ``question``, ``sources`` (with ``thumbnail`` and
    ``markdown``), ``search_results`` (ChatGPT), ``brand_entities``,
    ``ai_search_volume``, ``monthly_searches``, ``first_seen``, ``last_seen``,
    ``platform``, ``model_name``, ``task_id`` and ``call_cost`` (the USD the call cost).
    Filters, sorting and limits are checked when the retriever is built, so a request
    the API would refuse is never sent.

    Setup:
        ``pip install langchain-dataforseo`` and set ``DATAFORSEO_LOGIN`` /
        ``DATAFORSEO_PASSWORD``.

    Example:
        .. code-block:: python

            from langchain_dataforseo.mentions import DataForSEOLLMMentionsRetriever

            retriever = DataForSEOLLMMentionsRetriever(k=5, platform="google")
            for doc in retriever.invoke("crm software"):
                print(doc.metadata["question"], doc.metadata["ai_search_volume"])
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    k: int = Field(default=10, ge=1, le=MAX_LIMIT)
    """How many rows to return (the API's ``limit``, at most 1000)."""
    platform: Literal["chat_gpt", "google"] | None = None
    """``google`` (AI Overviews) or ``chat_gpt``; both when unset."""
    search_scope: list[str] | None = None
    """Where the query must appear: ``any``, ``question``, ``answer``, ``brand_entities``,
    ``fan_out_queries`` (the API default is ``any``)."""
    match_type: Literal["word_match", "partial_match"] | None = None
    """How the query is matched (the API default is ``word_match``)."""
    extra_targets: list[dict[str, Any]] = Field(default_factory=list)
    """More target entities sent with every query (e.g. ``{"domain": "x.com",
    "search_filter": "exclude"}``); at most 9, as the API takes 10."""
    location_code: int | None = None
    """Location (default of the API: 2840, United States)."""
    language_code: str | None = None
    """Language (default of the API: ``en``)."""
    filters: list[Any] | None = None
    """Filter expression, e.g. ``["ai_search_volume", ">", 100]`` (at most 8 conditions)."""
    order_by: list[str] | None = None
    """Sorting rules, e.g. ``["ai_search_volume,desc"]`` (at most 3)."""
    login: str | None = None
    """API login (default: ``DATAFORSEO_LOGIN``)."""
    password: SecretStr | None = None
    """API password (default: ``DATAFORSEO_PASSWORD``)."""
    base_url: str | None = None
    """API root (default: ``DATAFORSEO_BASE_URL`` or the live API)."""
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    """Seconds a call may take, retries included."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries of calls that provably did not run."""

    client: DataForSEOClient | None = Field(default=None, exclude=True, repr=False)
    """A ready client (its account, limits and httpx clients); built from the fields above
    when unset."""

    def __init__(self, **data: Any) -> None:
        """Check the request settings now (raises ``DataForSEOInputError``, unwrapped)."""
        refuse_credentials(data.get("base_url"))
        super().__init__(**data)
        self._task("placeholder", self.k)
        if self.client is None:
            self.client = DataForSEOClient(
                login=self.login,
                password=self.password,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )

    def _http(self) -> DataForSEOClient:
        assert self.client is not None  # set by the validator  # noqa: S101
        return self.client

    def _task(self, query: str, k: int) -> dict[str, Any]:
        target = keyword_target(query, search_scope=self.search_scope, match_type=self.match_type)
        return build_task(
            _SEARCH,
            target=[target, *self.extra_targets],
            platform=self.platform,
            location_code=self.location_code,
            language_code=self.language_code,
            filters=self.filters,
            order_by=self.order_by,
            limit=k,
        )

    @staticmethod
    def _documents(task: dict[str, Any], k: int) -> list[Document]:
        task_id = task.get("id") if isinstance(task.get("id"), str) else None
        cost = task_cost(task)
        with reading(_SEARCH.name, task):  # a paid answer that cannot be read: named
            rows = objects(result_object(task).get("items"), "result[0].items")[:k]
            return [mention_document(item, task_id=task_id, cost=cost) for item in rows]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        size = k or self.k
        task = self._task(query, size)
        return self._documents(call_endpoint(self._http(), _SEARCH, task), size)

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
    ) -> list[Document]:
        size = k or self.k
        task = self._task(query, size)
        return self._documents(await acall_endpoint(self._http(), _SEARCH, task), size)
