"""The chat model's fields and the checks it makes before anything is sent.

What a chat model checks before anything is sent: its own settings, the catalogue, costs.

Pure checks on the model's values (run when it is built), the one I/O step before a
request is built (fetching the engine's model catalogue, a free call, for model-aware
checks) and what one task reserves against the budget.

``ChatDataForSEO``'s fields, checked when it is built, and what they wire to.

The client, the budget, and the model's values handed to the shared, tested parts.
The task settings' defaults, aliases and descriptions come from the table of task fields
(``_settings``); ``chat_models`` adds the docs and the LangChain hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, Self

import httpx
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.load import dumpd
from langchain_core.messages import BaseMessage
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_dataforseo._api.catalogue import ModelRecord, arecords, records
from langchain_dataforseo._api.cost_bounds import check_max_cost_per_call, reservation
from langchain_dataforseo._api.fields import (
    DEFAULT_BASE_URL,
    DEFAULT_CALLS_PER_MINUTE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MODELS,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_BASE_URL,
    ENV_LOGIN,
    ENV_PASSWORD,
    MODEL_FIELDS,
    Engine,
    HistoryPolicy,
    TaskSettings,
    engine_spec,
    model_field,
)
from langchain_dataforseo._api.request import (
    RequestBase,
    build_request,
    check_model_settings,
    defaults_of,
)
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import alive_call, live_call
from langchain_dataforseo._transport.base_url import refuse_credentials
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo._transport.http import DEFAULT_MAX_RESPONSE_BYTES
from langchain_dataforseo._transport.retry import RetryPolicy
from langchain_dataforseo._version import __version__

if TYPE_CHECKING:  # the Standard queue's context: built only by a Standard call
    from langchain_dataforseo._standard.context import RunTrace, StandardContext


def check_method(engine: str, method: str) -> None:
    """Refuse the Standard method on an engine that has only the Live one.

    Args:
        engine: The model's engine.
        method: ``"live"`` or ``"standard"``.

    Raises:
        ValueError: ``method="standard"`` on such an engine (pydantic reports it).
    """
    if method == "standard" and not engine_spec(engine).has_standard:
        msg = (
            f"engine={engine!r} has only the Live method; method='standard' works "
            "for chat_gpt, claude and gemini."
        )
        raise ValueError(msg)


def check_settings(engine: str, defaults: Mapping[str, Any], written: Collection[str]) -> None:
    """The checks a model's task settings must pass whatever a call adds.

    Args:
        engine: The model's engine.
        defaults: The task settings as the model's fields set them.
        written: The keyword arguments the model was built with: an error names a
            setting as written there (``max_output_tokens=5`` or ``max_tokens=5``).

    Raises:
        DataForSEOInputError: An out-of-range or unsupported setting, named as written.
    """
    shown = {name: field for name, field in MODEL_FIELDS.items() if name not in written}
    check_model_settings(engine_spec(engine), TaskSettings(**defaults), shown)


_CLIENT_LOCK = threading.Lock()
"""Guards the lazy construction of a model's client (one client, one set of limiters)."""


class ChatDataForSEOBase(BaseChatModel):
    """The fields of :class:`~langchain_dataforseo.ChatDataForSEO`, checked when it is built.

    Not used on its own: ``ChatDataForSEO`` adds the LangChain hooks (and the docs).
    """

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    engine: Engine = "chat_gpt"
    """The AI engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``."""

    # The task settings: their defaults, aliases and descriptions come from the table of
    # task fields (``_settings``); a unit test holds these declarations to it.
    model: str = model_field("model_name")
    temperature: float | None = model_field("temperature")
    top_p: float | None = model_field("top_p")
    max_tokens: int | None = model_field("max_output_tokens")
    web_search: bool | None = model_field("web_search")
    force_web_search: bool | None = model_field("force_web_search")
    web_search_country_iso_code: str | None = model_field("web_search_country_iso_code")
    web_search_city: str | None = model_field("web_search_city")
    use_reasoning: bool | None = model_field("use_reasoning")
    tag: str | None = model_field("tag")

    history_policy: HistoryPolicy = "error"
    """Over the API's limits (500 characters a field, 10 history turns): ``"error"`` raises
    before any request; ``"trim"`` keeps the most recent history turns that fit, shortens
    over-long history messages, warns, and records it in ``response_metadata["trimmed"]``;
    ``"pack"`` splits a long system message or prompt at sentence or whitespace boundaries
    into ``message_chain`` user turns (about 6,000 characters in all) and records the
    layout in ``response_metadata["layout"]``."""

    login: str | None = Field(
        default_factory=from_env(ENV_LOGIN, default=None), alias="dataforseo_login"
    )
    """API login; env ``DATAFORSEO_LOGIN``."""

    password: SecretStr | None = Field(
        default_factory=secret_from_env(ENV_PASSWORD, default=None), alias="dataforseo_password"
    )
    """API password; env ``DATAFORSEO_PASSWORD``. Never shown in a repr, log or error."""

    api_key: SecretStr | None = None
    """Alternative to login/password: ``"login:password"`` or its base64 (the token
    DataForSEO shows for curl). Used only when login and password are not both set."""

    base_url: str = Field(default_factory=from_env(ENV_BASE_URL, default=DEFAULT_BASE_URL))
    """API root; env ``DATAFORSEO_BASE_URL``. Only https, or plain http to a loopback host."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    """Seconds each call may take from its first send: connect, send, the whole answer
    and any retries (a deadline, not a per-read timeout). Above the API's 120 s live
    limit by default."""

    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    """Retries for calls that provably did not run or cost nothing (connection refused,
    40202, 40209, 5xxxx with cost 0). A live call that timed out is never retried."""

    retry_base_delay: float = Field(default=0.5, ge=0)
    """First backoff wait in seconds; it doubles each retry, with jitter."""

    validate_model: bool = True
    """Check each call against the models endpoint's catalogue before sending it: unknown
    model names (with the closest names), ``web_search`` on models without it, sampling
    parameters and token minimums of reasoning models. The catalogue is fetched once (a
    free call) and reused; when it cannot be fetched, only the static engine rules apply
    and a ``DataForSEOInputWarning`` says so."""

    models_cache_ttl: float = Field(default=3600.0, ge=0)
    """Seconds the fetched model catalogue is reused."""

    calls_per_minute: int = Field(default=DEFAULT_CALLS_PER_MINUTE, ge=1)
    """Client-side cap on API calls a minute for this instance (the API allows 2000 per
    account); lower it when several processes share one account."""

    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, ge=1)
    """Default concurrency of Live ``batch`` / ``abatch`` when the config sets none. Live
    tasks are also capped per engine by the client (30) whatever the config says."""

    method: Literal["live", "standard"] = "live"
    """``"live"``: one task per request, answer in the response ($0.0006 + provider
    cost). ``"standard"``: tasks posted (up to 100 per request) and collected when ready
    ($0.0002 + provider cost, $0.01 prepaid per task then settled); may take long.
    Perplexity has only the Live method."""

    poll_interval: float = Field(default=3.0, gt=0)
    """Standard method: seconds between polls (``tasks_ready`` allows one call per 3 s)."""

    max_wait: float = Field(default=900.0, gt=0)
    """Standard method: seconds ``invoke`` / ``batch`` / ``collect`` wait for results;
    what is not ready then raises ``DataForSEOTaskPendingError`` with the task id."""

    pingback_url: SecretStr | None = None
    """Standard method: URL DataForSEO GETs when a task is done (``$id`` and ``$tag`` are
    replaced). Such tasks never appear in ``tasks_ready``; they are polled directly. Kept
    as a ``SecretStr`` since it usually carries the receiver's secret."""

    postback_url: SecretStr | None = None
    """Standard method: URL DataForSEO POSTs the gzip result to (see ``parse_postback``).
    A ``SecretStr``, like ``pingback_url``: never in a repr, metadata, log or cassette."""

    max_cost: float | None = Field(default=None, ge=0)
    """Budget in USD for this model instance. Each call first reserves what it can cost
    at most (``max_cost_per_call``, or the documented per-engine estimate); a call whose
    reservation would take the spend past ``max_cost`` waits while other calls are in
    flight and is refused with ``DataForSEOBudgetError`` when none is, before anything is
    sent. Answers that could not be read stay reserved at their worst case."""

    max_cost_per_call: float | None = Field(default=None, gt=0)
    """USD reserved against ``max_cost`` for each Live call or Standard task, instead of
    the built-in worst-case estimate. At least the known price (Live $0.0006, Standard
    $0.0102) and at most ``max_cost``. A call that costs more than this still counts in
    full, so the cap can then be passed by that excess for each call in flight."""

    stop: list[str] | None = None
    """Accepted for LangChain compatibility; the API has no stop sequences, so a non-empty
    value is ignored with a ``DataForSEOInputWarning`` and noted in ``response_metadata``."""

    streaming: bool = False
    """Accepted for LangChain compatibility: ``invoke`` then goes through ``stream``, which
    yields one final chunk (the API does not stream)."""

    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Optional ready ``httpx.Client`` (proxies, mTLS, event hooks, custom transports): every
    blocking call then goes through it. Without one, calls go through the ``httpx.Client``
    this process shares for the account (base URL and credentials)."""

    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Optional ready ``httpx.AsyncClient``, as ``http_client`` for async calls."""

    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, ge=1)
    """Largest decoded answer read (default 32 MiB; the API's answers are kilobytes): a
    larger one, or a gzip bomb, raises ``DataForSEOResponseTooLargeError`` without being
    held whole."""

    _client: DataForSEOClient | None = PrivateAttr(default=None)
    _budget: Budget = PrivateAttr(default_factory=lambda: Budget(None))

    def __init__(self, **kwargs: Any) -> None:
        """Build the model; settings the API would always refuse raise here.

        Raises:
            DataForSEOInputError: An out-of-range or unsupported setting (``temperature``,
                ``top_p``, ``max_tokens``, ``tag``, search country), named as you wrote it;
                or a ``base_url`` carrying a user or password (never kept nor shown).
        """
        refuse_credentials(kwargs.get("base_url"))
        super().__init__(**kwargs)
        check_settings(self.engine, self._defaults(), kwargs)

    @model_validator(mode="after")
    def _dataforseo_defaults(self) -> Self:
        check_method(self.engine, self.method)
        if not self.model:
            self.model = DEFAULT_MODELS[self.engine]
        check_max_cost_per_call(self.max_cost_per_call, self.max_cost, self.method)
        self._budget = Budget(self.max_cost)
        self._add_version("langchain-dataforseo", __version__)
        return self

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secret fields and the environment variables they come from."""
        return {"password": ENV_PASSWORD}

    @property
    def model_name(self) -> str:
        """The model name (same as ``model``)."""
        return self.model

    @property
    def spent(self) -> float:
        """USD spent (or reserved for tasks still running) by this model instance.

        Tasks of unknown outcome count at their worst case (see :attr:`unknown_cost_max`).
        """
        return self._budget.spent

    @property
    def unknown_cost_max(self) -> float:
        """Of :attr:`spent`, the USD reserved for tasks whose outcome is unknown.

        Those tasks (answer unreadable, timeout after sending) may have cost anything up
        to this.
        """
        return self._budget.unknown_cost_max

    @property
    def client(self) -> DataForSEOClient:
        """The HTTP client, built on first use (construction needs no credentials)."""
        if self._client is not None:
            return self._client
        with _CLIENT_LOCK:
            if self._client is None:
                self._client = DataForSEOClient(
                    login=self.login,
                    password=self.password,
                    api_key=self.api_key,
                    base_url=self.base_url,
                    timeout=self.timeout,
                    retry=RetryPolicy(
                        max_retries=self.max_retries, base_delay=self.retry_base_delay
                    ),
                    models_cache_ttl=self.models_cache_ttl,
                    calls_per_minute=self.calls_per_minute,
                    http_client=self.http_client,
                    http_async_client=self.http_async_client,
                    max_response_bytes=self.max_response_bytes,
                )
            return self._client

    def list_models(self) -> list[ModelRecord]:
        """The models of this model's engine, from the models endpoint (free, cached).

        Returns:
            Records with ``model_name``, ``reasoning``, ``web_search_supported`` and
            ``task_post_supported``.
        """
        return self.client.list_models(self.engine)

    async def alist_models(self) -> list[ModelRecord]:
        """Async :meth:`list_models`.

        Returns:
            The engine's model records.
        """
        return await self.client.alist_models(self.engine)

    # -- wiring: the model's values to the shared, tested parts -------------------------

    def _records(self) -> list[ModelRecord] | None:
        return records(self.engine, self.validate_model, partial(self.list_models))

    async def _arecords(self) -> list[ModelRecord] | None:
        return await arecords(self.engine, self.validate_model, partial(self.alist_models))

    def _defaults(self) -> dict[str, Any]:
        """The task settings as this model's fields set them."""
        return defaults_of(self)

    def _build(
        self,
        messages: Sequence[BaseMessage],
        stop: list[str] | None,
        options: dict[str, Any],
        records: list[ModelRecord] | None,
        standard: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Build the task and the notes on what was changed (see ``_builder``)."""
        callbacks = {"pingback_url": self.pingback_url, "postback_url": self.postback_url}
        base = RequestBase(
            engine=self.engine,
            history_policy=self.history_policy,
            defaults=self._defaults(),
            callbacks={
                k: None if v is None else v.get_secret_value() for k, v in callbacks.items()
            },
            stop=self.stop,
            validate_model=self.validate_model,
        )
        return build_request(base, messages, stop, options, records, standard)

    def max_call_cost(self, input: LanguageModelInput, **kwargs: Any) -> float:
        """The most one ``invoke`` of this input may cost, in USD; nothing is sent.

        The figure the budget reserves for the call before it is sent (``max_cost_per_call``
        when set, else the worst case from the list prices, the prompt's size and
        ``max_output_tokens``); the call is then charged what DataForSEO reports, never
        more than this. The budget middleware asks the tools for it before they run.

        Args:
            input: The prompt or messages, as for ``invoke``.
            **kwargs: Per-call options, as for ``invoke`` (``stop`` included).

        Returns:
            The bound in USD.

        Raises:
            DataForSEOInputError: When ``invoke`` would refuse the input (nothing is sent).
        """
        options = dict(kwargs)
        stop = options.pop("stop", None)
        standard = self.method == "standard"
        messages = self._convert_input(input).to_messages()
        task, _notes = self._build(messages, stop, options, None, standard)
        return self._reservation(task, standard)

    def _reservation(self, task: dict[str, Any], standard: bool = False) -> float:
        return reservation(self.engine, task, self.max_cost_per_call, standard)

    def _live(self, request: dict[str, Any]) -> dict[str, Any]:
        client, line = self.client, (self.engine, str(request.get("model_name", "")))
        send = partial(client.live, self.engine, request)
        reserve = self._reservation(request)
        return live_call(self._budget, line, client.check_credentials, send, reserve)

    async def _alive(self, request: dict[str, Any]) -> dict[str, Any]:
        client, line = self.client, (self.engine, str(request.get("model_name", "")))
        send = partial(client.alive, self.engine, request)
        reserve = self._reservation(request)
        return await alive_call(self._budget, line, client.check_credentials, send, reserve)

    def _as_messages(self, inputs: Sequence[LanguageModelInput]) -> list[list[BaseMessage]]:
        return [self._convert_input(item).to_messages() for item in inputs]

    def _standard(self) -> StandardContext:
        """The collaborators this model gives a Standard submission or collection."""
        from langchain_dataforseo._standard.context import StandardContext

        return StandardContext(
            engine=self.engine,
            model=self.model,
            client=self.client,
            budget=self._budget,
            build=partial(self._build, standard=True),
            reservation=partial(self._reservation, standard=True),
            poll_interval=self.poll_interval,
            max_wait=self.max_wait,
            callbacks=self.pingback_url is not None or self.postback_url is not None,
        )

    def _run_trace(self) -> RunTrace:
        """How this model's LangChain runs are opened, for a Standard batch."""
        from langchain_dataforseo._standard.context import RunTrace

        return RunTrace(
            serialized=dumpd(self),
            invocation_params=self._get_invocation_params,
            ls_params=self._get_ls_params,
            callbacks=self.callbacks,
            verbose=self.verbose,
            tags=self.tags,
            metadata=self.metadata,
        )
