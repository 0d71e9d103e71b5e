"""``ChatDataForSEO``: DataForSEO's LLM Responses API as a LangChain chat model."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput, ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, Generation
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import get_config_list
from pydantic import BaseModel

from langchain_dataforseo._api.fields import DEFAULT_MODELS, LIVE_BASE_PRICE_USD, PROVIDER
from langchain_dataforseo._api.request import ls_params, settings_for
from langchain_dataforseo._api.warnings import user_call_site
from langchain_dataforseo._chat import compat as _compat  # noqa: F401  (registers the content-block translator)
from langchain_dataforseo._chat.base import ChatDataForSEOBase
from langchain_dataforseo._chat.capabilities import (
    NO_TOOLS_MESSAGE,
    check_options,
    model_profile,
    structured_runnable,
)
from langchain_dataforseo._chat.outputs import (
    answer_message,
    as_chunk,
    chat_result,
    only_message,
    report_charge,
    single_result,
)
from langchain_dataforseo._money.batch_order import arun_in_order, run_in_order
from langchain_dataforseo._standard.handle import RECOVER_WAIT_SECONDS
from langchain_dataforseo._standard.methods import StandardMethods
from langchain_dataforseo.costs import mark_replayed
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOInputWarning,
    DataForSEOUnsupportedError,
)

if TYPE_CHECKING:  # annotations only: tools and the Standard queue load when used
    from langchain_core.tools import BaseTool

    from langchain_dataforseo._standard.journal import SubmitJournal


class ChatDataForSEO(StandardMethods, ChatDataForSEOBase):
    r"""DataForSEO LLM Responses: answers of ChatGPT, Claude, Gemini and Perplexity, with sources.

    Each call runs one task on DataForSEO's AI Optimization "LLM Responses" API and
    returns the engine's answer together with the web sources it cited
    (``response_metadata["annotations"]``), the searches it fanned out to
    (``response_metadata["fan_out_queries"]``), its reasoning summaries, token usage and
    the cost in USD. The API takes text only and has no tool calling.

    Setup:
        Install ``langchain-dataforseo`` and set your API credentials (from
        https://app.dataforseo.com/api-access):

        .. code-block:: bash

            pip install -U langchain-dataforseo
            export DATAFORSEO_LOGIN="your-api-login"
            export DATAFORSEO_PASSWORD="your-api-password"

    Key init args — completion params:
        engine: ``"chat_gpt"`` (default), ``"claude"``, ``"gemini"`` or ``"perplexity"``.
        model: Model name (alias ``model_name``), e.g. ``"gpt-4.1-mini"``; a base name
            resolves to the newest version, reported in ``response_metadata["model_name"]``.
        temperature: Sampling temperature (ChatGPT 0 to 2).
        top_p: Nucleus sampling (0 to 1).
        max_tokens: Sent as ``max_output_tokens`` (ChatGPT 16 to 4096).
        web_search: Let the model search the web and cite sources.
        force_web_search: Force a search (needs ``web_search=True``).
        web_search_country_iso_code: Search from this country, e.g. ``"US"``.
        web_search_city: Search from this city (needs the country).
        history_policy: ``"error"`` (default) refuses input over the API's limits;
            ``"trim"`` keeps the most recent history that fits and says so; ``"pack"``
            splits long context (RAG) into ``message_chain`` turns, up to about 6,000
            characters.

    Key init args — client params:
        login: API login (env ``DATAFORSEO_LOGIN``).
        password: API password, a ``SecretStr`` (env ``DATAFORSEO_PASSWORD``).
        base_url: API root (env ``DATAFORSEO_BASE_URL``), default
            ``https://api.dataforseo.com``; the local emulator on loopback works too.
        timeout: Seconds a call may take, retries included, default 150 (a deadline; the
            API's live limit is 120).
        max_retries: Retries of calls that provably did not run or cost nothing.
        max_concurrency: Default concurrency of ``batch`` / ``abatch`` (30, the API's cap
            on simultaneous live tasks per engine).

    Instantiate:
        .. code-block:: python

            from langchain_dataforseo import ChatDataForSEO

            model = ChatDataForSEO(model="gpt-4.1-mini", web_search=True)

    Invoke:
        .. code-block:: python

            msg = model.invoke("Which CRM tools do small agencies use?")
            print(msg.content)
            for source in msg.response_metadata["annotations"]:
                print(source["title"], source["url"])

    Stream:
        .. code-block:: python

            # The API does not stream: one final chunk carries everything.
            for chunk in model.stream("Which CRM tools do small agencies use?"):
                print(chunk.content)

    Async:
        .. code-block:: python

            msg = await model.ainvoke("Which CRM tools do small agencies use?")
            msgs = await model.abatch(["question one", "question two"])

    Token usage:
        .. code-block:: python

            msg.usage_metadata
            # {'input_tokens': 2113, 'output_tokens': 486, 'total_tokens': 2599,
            #  'output_token_details': {'reasoning': 0}}

    Response metadata:
        .. code-block:: python

            msg.response_metadata
            # {'model_provider': 'dataforseo', 'model_name': 'gpt-4.1-mini-2025-04-14',
            #  'engine': 'chat_gpt', 'method': 'live', 'finish_reason': 'stop',
            #  'task_id': '06151432-...', 'cost': 0.0272228, 'money_spent': 0.0266228,
            #  'web_search': True, 'datetime': '2026-06-15 14:32:51 +00:00',
            #  'annotations': [{'title': ..., 'url': ...}, ...],
            #  'fan_out_queries': ['best project management software ...', ...]}

            msg.content_blocks  # reasoning, web_search call + sources, text with citations
    """

    def __init__(self, **kwargs: Any) -> None:
        """Build the model; settings the API would always refuse raise here.

        Args:
            **kwargs: The fields above, by name or alias.

        Raises:
            DataForSEOInputError: An out-of-range or unsupported setting (``temperature``,
                ``top_p``, ``max_tokens``, ``tag``, search country), named as you wrote it.
        """
        super().__init__(**kwargs)

    @property
    def _llm_type(self) -> str:
        return "dataforseo-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        settings = {name: value for name, value in self._defaults().items() if name != "tag"}
        return {
            "engine": self.engine,
            **settings,
            "history_policy": self.history_policy,
            "method": self.method,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        return ls_params(settings_for(self._defaults(), kwargs), stop or self.stop, PROVIDER)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Refused: the DataForSEO LLM Responses API has no tool calling.

        Raises:
            DataForSEOUnsupportedError: Always, saying what to do instead (also a
                ``NotImplementedError``).
        """
        raise DataForSEOUnsupportedError(NO_TOOLS_MESSAGE)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Answers parsed as JSON and validated against ``schema``, without tool calling.

        The API has neither tool calling nor a JSON mode: the schema is asked for in a
        system message (it must fit the API's 500 characters, together with your own
        system messages) and the answer's text is parsed (a fenced ```json block or the
        outermost ``{...}``) and validated. The engine guarantees nothing: an answer
        that does not parse raises ``OutputParserException``.

        Args:
            schema: A Pydantic class (instances are returned), a TypedDict or a JSON
                Schema dict (dicts are returned, their ``required`` fields checked).
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of raising
                on a bad answer.
            method: ``"json_schema"`` (default) or ``"json_mode"``, both as above;
                ``"function_calling"`` is refused.
            **kwargs: ``strict`` is accepted (the engine cannot be held to it).

        Returns:
            A runnable from model input to the parsed output.

        Raises:
            DataForSEOInputError: The schema's instruction is over 500 characters.
            DataForSEOUnsupportedError: ``method="function_calling"`` or an unknown option.
        """
        check_options(method, kwargs)
        return structured_runnable(
            self,
            lambda value: self._convert_input(value).to_messages(),
            schema,
            include_raw=include_raw,
        )

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(self.engine)

    # -- LangChain hooks ---------------------------------------------------------------

    def _convert_cached_generations(self, cache_val: list[Generation]) -> list[ChatGeneration]:
        # A cache hit (InMemoryCache, SQLiteCache, ...) replays the stored answer: nothing
        # was charged, so its cost is zeroed and the original kept under "cached".
        generations = super()._convert_cached_generations(cache_val)
        return [mark_replayed(generation) for generation in generations]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.method == "standard":
            result = single_result(self._standard_one(messages, stop, kwargs))
        else:
            request, notes = self._build(messages, stop, kwargs, self._records())
            result = chat_result(answer_message(self._live(request), notes, self.engine, request))
        report_charge(run_manager, only_message(result))
        return result

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.method == "standard":
            result = single_result(await self._astandard_one(messages, stop, kwargs))
        else:
            request, notes = self._build(messages, stop, kwargs, await self._arecords())
            answer = answer_message(await self._alive(request), notes, self.engine, request)
            result = chat_result(answer)
        report_charge(run_manager, only_message(result))
        return result

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = only_message(self._generate(messages, stop, run_manager, **kwargs))
        chunk = as_chunk(message)
        if run_manager is not None:
            run_manager.on_llm_new_token(message.text, chunk=chunk)
        yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        message = only_message(await self._agenerate(messages, stop, run_manager, **kwargs))
        chunk = as_chunk(message)
        if run_manager is not None:
            await run_manager.on_llm_new_token(message.text, chunk=chunk)
        yield chunk

    async def ainvoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        """As ``BaseChatModel.ainvoke``; warnings point at the caller's line.

        Args:
            input: A prompt or message list.
            config: LangChain config.
            stop: Accepted and ignored with a warning (the API has no stop sequences).
            **kwargs: Per-call options.

        Returns:
            The answer.
        """
        with user_call_site():  # langchain-core runs the call in a task of its own
            return await super().ainvoke(input, config, stop=stop, **kwargs)

    def batch(  # type: ignore[override]
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
        **kwargs: Any,
    ) -> list[AIMessage | Exception]:
        """Run many prompts; Live ones at most ``max_concurrency`` at a time.

        Live: at most ``max_concurrency`` calls in flight (default 30). Standard: packed
        100 tasks per request and collected as they finish; each prompt is still traced
        as its own run (callbacks, LangSmith, usage callbacks) and counted by
        ``track_costs``.

        Args:
            inputs: Prompts or message lists.
            config: LangChain config(s); a ``max_concurrency`` there wins.
            return_exceptions: Return each failure in place instead of raising.
            journal: Standard only: as for :meth:`submit` (a re-run collects, and does
                not post again, what the journal knows).
            repost_in_doubt: Standard only: as for :meth:`submit`.
            recover_wait: Standard only: as for :meth:`submit`.
            **kwargs: Per-call options, as for ``invoke``.

        Returns:
            One message (or exception) per input, in input order.
        """
        if self.method == "standard":
            return self._standard_batch(
                inputs, config, return_exceptions, journal, repost_in_doubt, recover_wait, kwargs
            )
        from langchain_dataforseo._standard.runner import refuse_journal_on_live

        refuse_journal_on_live(journal)
        self._budget.check(len(inputs), LIVE_BASE_PRICE_USD, f"a batch of {len(inputs)}")
        configs = get_config_list(bounded_config(config, self.max_concurrency), len(inputs))
        with user_call_site():
            answers = run_in_order(self._budget, inputs, configs, partial(self.invoke, **kwargs))
        return raise_if_failed(answers, return_exceptions)

    async def abatch(  # type: ignore[override]
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
        **kwargs: Any,
    ) -> list[AIMessage | Exception]:
        """Async :meth:`batch`: natively async, at most ``max_concurrency`` in flight.

        Args:
            inputs: Prompts or message lists.
            config: LangChain config(s); a ``max_concurrency`` there wins.
            return_exceptions: Return each failure in place instead of raising.
            journal: Standard only: as for :meth:`submit`.
            repost_in_doubt: Standard only: as for :meth:`submit`.
            recover_wait: Standard only: as for :meth:`submit`.
            **kwargs: Per-call options, as for ``ainvoke``.

        Returns:
            One message (or exception) per input, in input order.
        """
        if self.method == "standard":
            return await self._astandard_batch(
                inputs, config, return_exceptions, journal, repost_in_doubt, recover_wait, kwargs
            )
        from langchain_dataforseo._standard.runner import refuse_journal_on_live

        refuse_journal_on_live(journal)
        self._budget.check(len(inputs), LIVE_BASE_PRICE_USD, f"a batch of {len(inputs)}")
        configs = get_config_list(bounded_config(config, self.max_concurrency), len(inputs))
        with user_call_site():
            answers = await arun_in_order(
                self._budget, inputs, configs, partial(self.ainvoke, **kwargs)
            )
        return raise_if_failed(answers, return_exceptions)


__all__ = ["DEFAULT_MODELS", "ChatDataForSEO", "DataForSEOInputWarning"]


# -- A Live ``batch`` / ``abatch``: its concurrency bound; every prompt dealt with, then raise

Result = TypeVar("Result")


def raise_if_failed(results: Sequence[Result], return_exceptions: bool) -> list[Result]:
    """Return the results, or (without ``return_exceptions``) raise when any failed.

    Every prompt has been dealt with by then, so raising loses no paid answer: the
    :class:`DataForSEOBatchError` carries every answer and error in input order, with the
    first failure as its ``__cause__``.

    Args:
        results: One answer or exception per input, in input order.
        return_exceptions: Whether the caller asked for failures in place.

    Returns:
        The results, as a list.

    Raises:
        DataForSEOBatchError: Without ``return_exceptions``, when any prompt failed.
    """
    out = list(results)
    errors = [item for item in out if isinstance(item, Exception)]
    if return_exceptions or not errors:
        return out
    first = errors[0]
    msg = (
        f"{len(errors)} of {len(out)} Live prompt(s) failed (first: {first}). Nothing paid "
        "is lost: .results has every answer and error in input order."
    )
    raise DataForSEOBatchError(msg, results=out, pending=[], first=first) from first


def bounded_config(
    config: RunnableConfig | Sequence[RunnableConfig] | None, max_concurrency: int
) -> RunnableConfig | list[RunnableConfig]:
    """The batch's config(s) with ``max_concurrency`` where they set none.

    Args:
        config: The caller's config, or one per input.
        max_concurrency: The model's default.

    Returns:
        New config(s); a ``max_concurrency`` the caller set wins.
    """

    def bound(one: RunnableConfig | None) -> RunnableConfig:
        merged = RunnableConfig(**(one or {}))
        if merged.get("max_concurrency") is None:
            merged["max_concurrency"] = max_concurrency
        return merged

    if isinstance(config, Sequence):
        return [bound(one) for one in config]
    return bound(config)
