"""Agent tools: ask ChatGPT, Claude, Gemini or Perplexity through DataForSEO, get what they cite.

:class:`DataForSEOLLMResponsesTool` wraps one :class:`~langchain_dataforseo.ChatDataForSEO`
(one engine and model) as a LangChain tool; :class:`DataForSEOLLMResponsesToolkit` gives
one such tool per engine and model, for "ask them all and compare what they cite".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, Self

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.messages import ToolCall
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, BaseToolkit, ToolException
from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    model_validator,
)

from langchain_dataforseo._api.fields import (
    DEFAULT_MODELS,
    ENGINE_LABELS,
    MAX_PROMPT_CHARS,
    TASK_FIELD,
    Engine,
    engine_only,
    engine_spec,
)
from langchain_dataforseo._api.warnings import user_call_site
from langchain_dataforseo._tooling import (
    DEFAULT_MAX_OUTPUT_CHARS,
    MIN_OUTPUT_CHARS,
    actionable,
    tool_input_schema,
    tool_options,
)
from langchain_dataforseo._tooling import artifact as _artifact
from langchain_dataforseo._tooling import bounded as _bounded
from langchain_dataforseo._tooling import explain_validation_error as _explain_validation_error
from langchain_dataforseo._tooling import format_content as _format_content
from langchain_dataforseo.chat_models import ChatDataForSEO
from langchain_dataforseo.errors import DataForSEOBudgetError, DataForSEOError, DataForSEOInputError

_actionable = actionable
"""What the tool tells the calling LLM about an error (the LLM Scraper's tool says the same)."""

__all__ = [
    "ENGINE_LABELS",
    "DataForSEOLLMResponsesTool",
    "DataForSEOLLMResponsesToolkit",
    "tool_input_schema",
]


def _chat_model_kwargs() -> frozenset[str]:
    """Names (fields and aliases) the tool hands on to ``ChatDataForSEO``."""
    names: set[str] = set()
    for name, info in ChatDataForSEO.model_fields.items():
        if name in BaseTool.model_fields:
            continue  # name, tags, metadata, callbacks, verbose: the tool's own
        names.add(name)
        if info.alias:
            names.add(info.alias)
        if isinstance(info.validation_alias, AliasChoices):
            names.update(c for c in info.validation_alias.choices if isinstance(c, str))
        elif isinstance(info.validation_alias, str):
            names.add(info.validation_alias)
    return frozenset(names)


class DataForSEOLLMResponsesTool(BaseTool):
    r"""Ask an AI engine (ChatGPT, Claude, Gemini, Perplexity) and get what it answers and cites.

    Each call runs one live task on DataForSEO's LLM Responses API. The tool returns,
    as content, the answer followed by the numbered sources it cited (title and url)
    and the web searches it ran; as artifact, the same data structured (``text``,
    ``annotations``, ``fan_out_queries``, ``model_name``, ``engine``, ``usage``,
    ``cost``, ``task_id``). API errors and broken limits become a ``ToolException``
    whose message says which limit or status code and what to do, returned to the
    agent as an error ``ToolMessage`` (``handle_tool_error=True``) so it can recover.

    Setup:
        Install ``langchain-dataforseo`` and set your API credentials (from
        https://app.dataforseo.com/api-access):

        .. code-block:: bash

            pip install -U langchain-dataforseo
            export DATAFORSEO_LOGIN="your-api-login"
            export DATAFORSEO_PASSWORD="your-api-password"

    Instantiation:
        .. code-block:: python

            from langchain_dataforseo import ChatDataForSEO, DataForSEOLLMResponsesTool

            # Any ChatDataForSEO keyword argument: engine, model, web_search, ...
            tool = DataForSEOLLMResponsesTool(model="gpt-4.1-mini", web_search=True)

            # or a ready chat model
            tool = DataForSEOLLMResponsesTool(
                llm=ChatDataForSEO(engine="claude", web_search=True),
                name="ask_claude",
            )

    Invocation with args:
        .. code-block:: python

            tool.invoke({"prompt": "Which CRM tools do small marketing agencies use?"})

        .. code-block:: none

            Answer from ChatGPT (gpt-4.1-mini-2025-04-14):
            Small agencies often choose HubSpot, Pipedrive ...

            Sources cited:
            [1] Best CRM for agencies - https://example.com/crm
            ...
            Web searches it ran:
            - best crm for small marketing agencies

    Invocation with ToolCall:
        .. code-block:: python

            message = tool.invoke(
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": tool.name,
                    "args": {
                        "prompt": "Which CRM tools do small marketing agencies use?",
                        "web_search_country_iso_code": "US",
                    },
                }
            )
            message.content  # the text above
            message.artifact["annotations"]  # [{"title": ..., "url": ...}, ...]
            message.artifact["cost"]  # USD charged for the task
    """

    model_config = ConfigDict(extra="forbid")

    name: str = "dataforseo_llm_responses"
    """Tool name shown to the calling LLM."""

    description: str = ""
    """Tool description for the calling LLM; empty means one written for the engine."""

    llm: ChatDataForSEO
    """The chat model that runs each call (its engine, model and defaults)."""

    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    """Content for the LLM, and the structured answer as the artifact."""

    max_output_chars: int = Field(default=DEFAULT_MAX_OUTPUT_CHARS, ge=MIN_OUTPUT_CHARS)
    """Most characters handed to the calling LLM (content or error); a longer text is cut
    and says so. The artifact keeps the whole answer."""

    @model_validator(mode="before")
    @classmethod
    def _build_chat_model(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        accepted = _chat_model_kwargs()
        settings = {key: data[key] for key in list(data) if key in accepted}
        rest = {key: value for key, value in data.items() if key not in accepted}
        # API errors, broken limits and bad arguments go back to the agent, explained.
        rest.setdefault("handle_tool_error", True)
        rest.setdefault("handle_validation_error", _explain_validation_error)
        if rest.get("llm") is not None:
            if settings:
                msg = (
                    "Pass either llm=ChatDataForSEO(...) or ChatDataForSEO settings "
                    f"({', '.join(sorted(settings))}), not both."
                )
                raise ValueError(msg)
            return rest
        rest["llm"] = ChatDataForSEO(**settings)
        return rest

    @model_validator(mode="after")
    def _describe_for_engine(self) -> Self:
        engine = self.llm.engine
        label = ENGINE_LABELS[engine]
        if not self.description:
            self.description = (
                f"Ask {label} ({self.llm.model}) a question through DataForSEO and get its "
                "answer, the numbered web sources it cited and the web searches it ran. Use "
                f"it to learn what {label} says about a topic, brand or product and which "
                "sites it cites. Each call is a new conversation and costs money: ask "
                f"self-contained questions of at most {MAX_PROMPT_CHARS} characters."
            )
        if self.args_schema is None:
            self.args_schema = tool_input_schema(engine)
        return self

    @property
    def engine(self) -> Engine:
        """The engine this tool asks."""
        return self.llm.engine

    async def ainvoke(
        self,
        input: str | dict[str, Any] | ToolCall,
        config: RunnableConfig | None = None,
        **kwargs: Any,
    ) -> Any:
        """As ``BaseTool.ainvoke``; warnings point at the caller's line.

        Args:
            input: The tool's arguments, or a tool call.
            config: LangChain config.
            **kwargs: Passed on to ``BaseTool.ainvoke``.

        Returns:
            The content (or a ``ToolMessage`` for a tool call).
        """
        with user_call_site():  # langchain-core runs the tool in a task of its own
            return await super().ainvoke(input, config, **kwargs)

    def max_call_cost(self, tool_input: Mapping[str, Any]) -> float:
        """The most a call with these arguments may cost, in USD (nothing is sent).

        What the tool's model reserves for the call (see
        :meth:`ChatDataForSEO.max_call_cost`); the budget middleware asks for it before
        the call runs.

        Args:
            tool_input: The tool's arguments (``prompt`` and the schema's options).

        Returns:
            The bound in USD.

        Raises:
            DataForSEOInputError: When the call would be refused (nothing is sent).
            ValueError: When ``prompt`` is missing.
        """
        arguments = dict(tool_input)
        prompt = arguments.pop("prompt", None)
        if not isinstance(prompt, str):
            msg = f"prompt must be a string, got {prompt!r}."
            raise ValueError(msg)
        return self.llm.max_call_cost(prompt, **tool_options(self.engine, arguments))

    def _run(
        self,
        prompt: str,
        run_manager: CallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Ask the engine (sync).

        Args:
            prompt: The question.
            run_manager: LangChain's run manager.
            **arguments: The other arguments of the schema (``web_search``, ...).

        Returns:
            ``(content, artifact)``.

        Raises:
            ToolException: For API errors and limit violations.
        """
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        try:
            message = self.llm.invoke(prompt, config, **tool_options(self.engine, arguments))
        except (DataForSEOError, DataForSEOInputError, DataForSEOBudgetError) as error:
            raise ToolException(_bounded(_actionable(error), self.max_output_chars)) from error
        return _bounded(_format_content(message), self.max_output_chars), _artifact(message)

    async def _arun(
        self,
        prompt: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Ask the engine, natively async.

        Args:
            prompt: The question.
            run_manager: LangChain's run manager.
            **arguments: The other arguments of the schema (``web_search``, ...).

        Returns:
            ``(content, artifact)``.

        Raises:
            ToolException: For API errors and limit violations.
        """
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        try:
            options = tool_options(self.engine, arguments)
            message = await self.llm.ainvoke(prompt, config, **options)
        except (DataForSEOError, DataForSEOInputError, DataForSEOBudgetError) as error:
            raise ToolException(_bounded(_actionable(error), self.max_output_chars)) from error
        return _bounded(_format_content(message), self.max_output_chars), _artifact(message)


_TOOL_SETTINGS: Final = ("max_output_chars",)
"""Shared toolkit settings that belong to each tool, not to its chat model."""

_ENGINE_ONLY: Final = engine_only()
"""Shared toolkit settings (by every name they are accepted under) that some engine lacks;
they are left out for an engine without the field."""


def _setting_of(name: str) -> str:
    """The API name of a setting given by any accepted name."""
    return next(item.name for item in TASK_FIELD.values() if name in item.names)


def _all_engines() -> list[Engine | tuple[Engine, str]]:
    return ["chat_gpt", "claude", "gemini", "perplexity"]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")


class DataForSEOLLMResponsesToolkit(BaseToolkit):
    """One :class:`DataForSEOLLMResponsesTool` per engine and model, to compare what they cite.

    Each tool has a distinct name (``ask_chat_gpt``, ``ask_claude``, ...; the model is
    added, ``ask_chat_gpt_gpt_4o``, when an engine appears more than once) and a
    description naming its engine and model, so an agent can ask them all the same
    question and compare their answers and sources.

    Shared settings (credentials, ``web_search``, ``timeout``, ...) apply to every tool;
    a web-search or reasoning setting is left out for an engine that has no such field
    (Perplexity always searches and has no ``web_search``).

    Example:
        .. code-block:: python

            from langchain_dataforseo import DataForSEOLLMResponsesToolkit

            toolkit = DataForSEOLLMResponsesToolkit(
                engines=["chat_gpt", "claude", ("gemini", "gemini-2.5-pro"), "perplexity"],
                web_search=True,
            )
            tools = toolkit.get_tools()
            [t.name for t in tools]
            # ['ask_chat_gpt', 'ask_claude', 'ask_gemini', 'ask_perplexity']
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engines: list[Engine | tuple[Engine, str]] = Field(default_factory=_all_engines)
    """Engines to ask: an engine name (its default model) or ``(engine, model)``."""

    settings: dict[str, Any] = Field(default_factory=dict)
    """``ChatDataForSEO`` keyword arguments shared by every tool."""

    def __init__(
        self,
        engines: Sequence[Engine | tuple[Engine, str]] | None = None,
        **settings: Any,
    ) -> None:
        """Build the toolkit.

        Args:
            engines: Engines, or ``(engine, model)`` pairs; default all four engines
                with their default models.
            **settings: ``ChatDataForSEO`` keyword arguments shared by every tool.
        """
        values: dict[str, Any] = {"settings": settings.pop("settings", {}) | settings}
        if engines is not None:
            values["engines"] = list(engines)
        super().__init__(**values)

    @model_validator(mode="after")
    def _check_choices(self) -> Self:
        for name in ("engine", "model", "model_name", "llm"):
            if name in self.settings:
                msg = f"Set {name!r} per tool in 'engines', not as a shared setting."
                raise ValueError(msg)
        seen: set[tuple[str, str]] = set()
        for engine, model in self._pairs():
            engine_spec(engine)
            if (engine, model) in seen:
                msg = f"engines lists {engine!r} with model {model!r} twice."
                raise ValueError(msg)
            seen.add((engine, model))
        return self

    def _pairs(self) -> list[tuple[Engine, str]]:
        pairs: list[tuple[Engine, str]] = []
        for choice in self.engines:
            if isinstance(choice, str):
                pairs.append((choice, DEFAULT_MODELS.get(choice, "")))
            else:
                pairs.append((choice[0], choice[1]))
        return pairs

    def get_tools(self) -> list[BaseTool]:
        """One tool per engine and model, in the order given.

        Returns:
            ``DataForSEOLLMResponsesTool`` instances with distinct names.
        """
        pairs = self._pairs()
        counts: dict[str, int] = {}
        for engine, _ in pairs:
            counts[engine] = counts.get(engine, 0) + 1
        tools: list[BaseTool] = []
        for engine, model in pairs:
            shared = {
                key: value
                for key, value in self.settings.items()
                if key not in _ENGINE_ONLY or _setting_of(key) in engine_spec(engine).fields
            }
            name = f"ask_{engine}" if counts[engine] == 1 else f"ask_{engine}_{_slug(model)}"
            own = {k: shared.pop(k) for k in _TOOL_SETTINGS if k in shared}
            llm = ChatDataForSEO(engine=engine, model=model, **shared)
            tools.append(DataForSEOLLMResponsesTool(llm=llm, name=name, **own))
        return tools
