"""``DataForSEOLLMScraperTool``: what a person sees in the ChatGPT or Gemini app, for agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Self

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_dataforseo._api.fields import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import Spend
from langchain_dataforseo._tooling import (
    DEFAULT_MAX_OUTPUT_CHARS,
    MIN_OUTPUT_CHARS,
    actionable,
    bounded,
    explained,
)
from langchain_dataforseo._transport.client import DataForSEOClient, refuse_credentials
from langchain_dataforseo.scraper._calls import LIVE_RESERVATION_USD, arun_live, run_live
from langchain_dataforseo.scraper._parse import ScraperAnswer
from langchain_dataforseo.scraper._request import (
    MAX_KEYWORD_CHARS,
    SCRAPER_APPS,
    ScraperEngine,
    ScraperRequest,
    build_task,
    check_engine,
)

__all__ = ["DataForSEOLLMScraperTool", "LLMScraperInput", "format_answer"]

APP_LABELS: Final[dict[str, str]] = {e: app.label for e, app in SCRAPER_APPS.items()}


class LLMScraperInput(BaseModel):
    """Arguments of the LLM Scraper tool (descriptions written for the calling LLM)."""

    keyword: str = Field(
        description=(
            "The question exactly as a person would type it into the app, in natural "
            f"language (up to {MAX_KEYWORD_CHARS} characters)."
        )
    )
    location_name: str | None = Field(
        default=None,
        description=(
            "Where the person is, as a full location name such as 'United States' or "
            "'London,England,United Kingdom'. Give this or location_code, not both; "
            "leave both out for the tool's default location."
        ),
    )
    location_code: int | None = Field(
        default=None, description="DataForSEO location code instead of a name (2840 = US)."
    )
    location_coordinate: str | None = Field(
        default=None,
        description=(
            "Gemini only: 'latitude,longitude,radius' (up to 7 decimals, radius 199-199999),"
            " instead of a location name or code."
        ),
    )
    language_code: str | None = Field(
        default=None, description="Language of the question, e.g. 'en' (default: the tool's)."
    )
    force_web_search: bool | None = Field(
        default=None,
        description=(
            "ChatGPT only: true to make the app search the web (citations still not "
            "guaranteed). Leave unset for what a person normally sees."
        ),
    )


def format_answer(answer: ScraperAnswer) -> str:
    """The answer as text for an LLM: markdown, cited sources, what else it found, fan-out.

    Args:
        answer: The parsed answer.

    Returns:
        Plain text; cited sources and search results that were not cited are listed apart.
    """
    label = APP_LABELS.get(answer.engine, answer.engine)
    lines = [f"What the {label} app answered to {answer.keyword!r}:", answer.markdown.strip(), ""]
    if answer.cited:
        lines.append("Sources it cited:")
        for number, source in enumerate(answer.cited, start=1):
            lines.append(
                f"[{number}] {source.get('title') or '(untitled)'} - {source.get('url', '')}"
            )
    else:
        lines.append("Sources it cited: none.")
    found_only = [r for r in answer.found_in if not r.get("cited")]
    if found_only:
        lines += ["", "Found in its searches but not cited:"]
        lines += [f"- {r.get('title') or '(untitled)'} - {r.get('url', '')}" for r in found_only]
    if answer.fan_out_queries:
        lines += ["", "Searches it ran:"] + [f"- {q}" for q in answer.fan_out_queries]
    if answer.brand_entities:
        names = ", ".join(str(b.get("title")) for b in answer.brand_entities if b.get("title"))
        lines += ["", f"Brands it named: {names}"]
    kinds = [f"{k} ({len(v)})" for k, v in answer.items.items() if k != "text"]
    if kinds:
        lines += ["", f"Also shown: {', '.join(kinds)} (see the artifact)."]
    return "\n".join(lines)


class DataForSEOLLMScraperTool(BaseTool):
    r"""Ask the ChatGPT or Gemini *app* a question and get what a person would see.

    Unlike :class:`~langchain_dataforseo.DataForSEOLLMResponsesTool` (the engines' APIs),
    this runs DataForSEO's LLM Scraper (``live/advanced``): the answer as the app shows
    it, in markdown, with the sources it cited kept apart from the search results it
    only looked at, its fan-out queries, the brands it named and its typed items (tables,
    products, local businesses...). Each call is one live task, charged by DataForSEO; its
    cost is in the artifact, counted by ``track_costs`` and, with ``max_cost``, capped.

    Setup:
        .. code-block:: bash

            pip install -U langchain-dataforseo
            export DATAFORSEO_LOGIN="your-api-login"
            export DATAFORSEO_PASSWORD="your-api-password"

    Instantiation:
        .. code-block:: python

            from langchain_dataforseo.scraper import DataForSEOLLMScraperTool

            tool = DataForSEOLLMScraperTool(engine="chat_gpt", max_cost=0.50)

    Invocation:
        .. code-block:: python

            message = tool.invoke(
                {
                    "type": "tool_call",
                    "id": "1",
                    "name": tool.name,
                    "args": {"keyword": "best crm for a small agency"},
                }
            )
            message.artifact["cited"]  # what the answer cites
            message.artifact["found_in"]  # every search result, each with "cited"
            message.artifact["items"]["tables"]

    Bad arguments and API errors come back as an error ``ToolMessage`` that says which
    field or status code and what to do (nothing is sent for bad arguments).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    """Tool name; empty means ``dataforseo_<engine>_app``."""
    description: str = ""
    """Tool description; empty means one written for the engine."""
    args_schema: type[BaseModel] = LLMScraperInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: bool = True

    engine: ScraperEngine = "chat_gpt"
    """``chat_gpt`` or ``gemini`` (a key of ``SCRAPER_APPS``)."""
    default_location_code: int | None = 2840
    """Location used when the call gives none (2840 = United States)."""
    default_language_code: str | None = "en"
    """Language used when the call gives none."""
    login: str | None = None
    """API login (default: ``DATAFORSEO_LOGIN``)."""
    password: SecretStr | None = None
    """API password (default: ``DATAFORSEO_PASSWORD``)."""
    base_url: str | None = None
    """API root (default: ``DATAFORSEO_BASE_URL`` or the production API)."""
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    """Seconds a call may take, retries included."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries of calls that provably did not run or cost nothing."""
    max_cost: float | None = None
    """Cap in USD on what this tool may spend in all (``None``: no cap)."""
    max_cost_per_call: float = LIVE_RESERVATION_USD
    """Worst case reserved against ``max_cost`` before each call [I: no published price]."""
    client: DataForSEOClient | None = Field(default=None, exclude=True)
    """A ready client (its credentials, pools and retry policy); built from the above if unset."""
    max_output_chars: int = Field(default=DEFAULT_MAX_OUTPUT_CHARS, ge=MIN_OUTPUT_CHARS)
    """Most characters handed to the calling LLM (content or error); a longer text is cut
    and says so. The artifact keeps the whole answer."""

    _budget: Budget = PrivateAttr()
    _client: DataForSEOClient = PrivateAttr()

    def __init__(self, **data: Any) -> None:
        """Build the tool; a ``base_url`` with a user or password raises, unwrapped."""
        refuse_credentials(data.get("base_url"))
        super().__init__(**data)

    @model_validator(mode="after")
    def _wire(self) -> Self:
        label = APP_LABELS[check_engine(self.engine)]
        if not self.name:
            self.name = f"dataforseo_{self.engine}_app"
        if not self.description:
            self.description = (
                f"Ask the {label} app (as a person uses it, not the API) a question and get "
                f"its answer, the sources it cited, the searches it ran and the brands it "
                f"named. Use it to see how {label} presents a topic or brand to people. "
                "Each call costs money: do not repeat the same question."
            )
        self._client = self.client or DataForSEOClient(
            login=self.login,
            password=self.password,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )
        self._budget = Budget(self.max_cost)
        return self

    @property
    def spent(self) -> float:
        """USD spent (or held for calls of unknown outcome) by this tool so far."""
        return self._budget.spent

    def _spend(self) -> Spend:
        return Spend(self._budget, self.engine)

    def _task(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = {k: v for k, v in arguments.items() if v is not None}
        if not {"location_name", "location_code", "location_coordinate"} & set(args):
            args["location_code"] = self.default_location_code
        if "language_code" not in args:
            args["language_code"] = self.default_language_code
        return build_task(self.engine, ScraperRequest(**args))

    def max_call_cost(self, tool_input: Mapping[str, Any]) -> float:
        """The most a call with these arguments may cost, in USD (nothing is sent).

        ``max_cost_per_call``, what the tool's budget reserves before each call (an
        inferred worst case: DataForSEO publishes no Live price for the LLM Scraper). The
        budget middleware asks for it before the call runs.

        Args:
            tool_input: The tool's arguments (``keyword`` and the schema's options).

        Returns:
            The bound in USD.

        Raises:
            DataForSEOInputError: When the call would be refused (nothing is sent).
            ValueError: When the arguments do not fit the tool's schema.
        """
        arguments = LLMScraperInput.model_validate(dict(tool_input)).model_dump()
        self._task(arguments)  # refused here as the call would be
        return self.max_cost_per_call

    def _result(self, answer: ScraperAnswer) -> tuple[str, dict[str, Any]]:
        """The content, cut to ``max_output_chars``; the artifact keeps the whole markdown."""
        content = bounded(format_answer(answer), self.max_output_chars)
        return content, {**answer.metadata(), "markdown": answer.markdown}

    def _run(
        self,
        keyword: str,
        run_manager: CallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Run one live LLM Scraper task.

        Raises:
            ToolException: For bad arguments (nothing sent) and API errors, explained.
        """
        with explained(actionable, self.max_output_chars):
            task = self._task({"keyword": keyword, **kwargs})
            answer = run_live(self._client, self._spend(), task, self.max_cost_per_call)
        return self._result(answer)

    async def _arun(
        self,
        keyword: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Async twin of :meth:`_run`.

        Raises:
            ToolException: For bad arguments (nothing sent) and API errors, explained.
        """
        with explained(actionable, self.max_output_chars):
            task = self._task({"keyword": keyword, **kwargs})
            answer = await arun_live(self._client, self._spend(), task, self.max_cost_per_call)
        return self._result(answer)
