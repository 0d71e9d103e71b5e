"""Agent tools over LLM Mentions: target metrics, top mentioned domains/pages/brands, history.

Each tool returns ``(content, artifact)``: a short text for the calling LLM, and the
structured data with ``endpoint``, ``task_id``, ``request`` and ``cost`` (USD charged).
Bad arguments and API errors become a ``ToolException`` (shown to the agent as an error
``ToolMessage``); bad arguments are refused before any request, so they cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.v1 import ValidationError as ValidationErrorV1

from langchain_dataforseo._api.fields import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS
from langchain_dataforseo._tooling import (
    DEFAULT_MAX_OUTPUT_CHARS,
    MIN_OUTPUT_CHARS,
    bounded,
    explained,
)
from langchain_dataforseo._transport.client import DataForSEOClient, refuse_credentials
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError
from langchain_dataforseo.mentions._endpoints import (
    Endpoint,
    acall_endpoint,
    call_endpoint,
    endpoint,
    max_task_cost,
)
from langchain_dataforseo.mentions._parse import (
    format_metrics,
    format_rows,
    link_key,
    obj,
    objects,
    read_summary,
    reading,
    result_object,
    target_summary,
    task_cost,
    whole,
)
from langchain_dataforseo.mentions._request import build_task, domain_target, keyword_target

__all__ = [
    "DataForSEOLLMMentionsCompareTool",
    "DataForSEOLLMMentionsHistoryTool",
    "DataForSEOLLMMentionsTargetMetricsTool",
    "DataForSEOLLMMentionsTopMentionedTool",
]


# -- the arguments the calling LLM may set -------------------------------------------------

Platform = Literal["chat_gpt", "google"]


class _TargetArgs(BaseModel):
    keywords: list[str] = Field(
        default_factory=list,
        description="Keywords or brand names to look for in AI answers, e.g. ['hubspot'].",
    )
    domains: list[str] = Field(
        default_factory=list,
        description="Domains to look for among cited sources, bare: 'hubspot.com' (no https://).",
    )
    platform: Platform | None = Field(
        default=None,
        description="'google' (AI Overviews) or 'chat_gpt' (US English only); both if unset.",
    )
    location_code: int | None = Field(
        default=None, description="DataForSEO location code; default 2840 (United States)."
    )
    language_code: str | None = Field(default=None, description="Language code; default 'en'.")


_LITE = (
    "True for the Lite endpoint: the same data as one flat row per location, language and "
    "platform, without the breakdowns by cited domain and brand (a smaller answer)."
)


class TargetMetricsArgs(_TargetArgs):
    """Arguments of ``llm_mentions_target_metrics``."""

    lite: bool = Field(default=False, description=_LITE)


class TopMentionedArgs(_TargetArgs):
    """Arguments of ``llm_mentions_top_mentioned``."""

    what: Literal["domains", "pages", "brands", "brand_categories"] = Field(
        default="domains",
        description=(
            "List the most mentioned 'domains', 'pages', 'brands' or 'brand_categories' "
            "for the target."
        ),
    )
    limit: int = Field(default=10, ge=1, le=100, description="How many rows (1-100).")
    lite: bool = Field(default=False, description=_LITE)


class CompareArgs(BaseModel):
    """Arguments of ``llm_mentions_compare``."""

    groups: dict[str, list[str]] = Field(
        description=(
            "Labelled groups to compare, label -> keywords/brand names, e.g. "
            "{'hubspot': ['hubspot'], 'salesforce': ['salesforce', 'sales cloud']}; 1-10 groups."
        ),
    )
    platform: Platform | None = Field(
        default=None,
        description="'google' (AI Overviews) or 'chat_gpt' (US English only); both if unset.",
    )
    location_code: int | None = Field(
        default=None, description="DataForSEO location code; default 2840 (United States)."
    )
    language_code: str | None = Field(default=None, description="Language code; default 'en'.")


class HistoryArgs(_TargetArgs):
    """Arguments of ``llm_mentions_history``."""

    kind: Literal["monthly", "delta", "new_lost"] = Field(
        default="monthly",
        description=(
            "'monthly': mentions and AI search volume per month; 'delta': change per period; "
            "'new_lost': mentions gained and lost per period."
        ),
    )
    date_from: str | None = Field(
        default=None,
        description="Start date yyyy-mm-dd, not before 2025-08-01 (required for delta/new_lost).",
    )
    date_to: str | None = Field(
        default=None, description="End date yyyy-mm-dd (required for delta/new_lost)."
    )
    group_range: Literal["day", "week", "month", "year"] | None = Field(
        default=None,
        description="Period of delta/new_lost rows (required for those; e.g. 'month').",
    )


# -- the tools -----------------------------------------------------------------------------


def _targets(keywords: list[str], domains: list[str]) -> list[dict[str, Any]]:
    return [keyword_target(k) for k in keywords] + [domain_target(d) for d in domains]


def _actionable(error: DataForSEOError) -> str:
    if isinstance(error, DataForSEOInputError):
        return (
            f"Refused before sending (nothing was charged): {error} "
            f"[field {error.field!r}, limit {error.limit!r}, got {error.actual!r}] "
            "Change the arguments and call the tool again."
        )
    code = error.status_code if error.status_code is not None else "none"
    return f"DataForSEO error (status code {code}, task {error.task_id}): {error}"


def _explain(error: ValidationError | ValidationErrorV1) -> str:
    """Tell the calling LLM which arguments to change (nothing was sent)."""
    if not isinstance(error, ValidationError):
        return f"Invalid tool arguments (nothing was sent): {error}"
    problems = [
        f"'{'.'.join(str(p) for p in item.get('loc', ())) or 'arguments'}': "
        f"{item.get('msg')} (got {item.get('input')!r})"
        for item in error.errors()
    ]
    return "Invalid tool arguments (nothing was sent): " + "; ".join(problems)


_ITEMS = "result[0].items"


class _MentionsTool(BaseTool):
    """Shared settings and drivers; subclasses build the task and render the answer."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    """Content for the LLM, structured data (with ``cost``) as the artifact."""
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Errors go back to the agent as an error ``ToolMessage``."""
    handle_validation_error: (
        bool | str | Callable[[ValidationError | ValidationErrorV1], str] | None
    ) = _explain
    """Arguments outside the schema go back to the agent as an error ``ToolMessage`` too."""
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
    max_output_chars: int = Field(default=DEFAULT_MAX_OUTPUT_CHARS, ge=MIN_OUTPUT_CHARS)
    """Most characters handed to the calling LLM (content or error); a longer text is cut
    and says so. The artifact keeps every row."""

    client: DataForSEOClient | None = Field(default=None, exclude=True, repr=False)
    """A ready client (its account, limits and httpx clients); built on first use otherwise."""

    def __init__(self, **data: Any) -> None:
        """Build the tool; a ``base_url`` with a user or password raises, unwrapped."""
        refuse_credentials(data.get("base_url"))
        super().__init__(**data)

    def _http(self) -> DataForSEOClient:
        if self.client is None:
            self.client = DataForSEOClient(
                login=self.login,
                password=self.password,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self.client

    def _request(self, args: dict[str, Any]) -> tuple[Endpoint, dict[str, Any]]:
        raise NotImplementedError

    def _render(self, spec: Endpoint, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _finish(
        self, spec: Endpoint, request: dict[str, Any], task: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        with reading(spec.name, task):  # a paid answer that cannot be read: named, not a crash
            content, data = self._render(spec, result_object(task))
        cost = task_cost(task)
        artifact = {
            "endpoint": spec.name,
            "task_id": task.get("id"),
            "request": request,
            "cost": cost,
            **data,
        }
        return f"{bounded(content, self.max_output_chars)}\n(cost ${cost:.4f})", artifact

    def max_call_cost(self, tool_input: Mapping[str, Any]) -> float:
        """The most a call with these arguments may cost, in USD [I] (nothing is sent).

        From the request the call would send (see ``mentions._endpoints``: an inferred price
        model, since DataForSEO publishes none the package can read). The budget
        middleware asks for it before the call runs.

        Args:
            tool_input: The tool's arguments, as the calling model gave them.

        Returns:
            The bound in USD.

        Raises:
            DataForSEOInputError: When the call would be refused (nothing is sent).
            ValueError: When the arguments do not fit the tool's schema.
        """
        schema = self.args_schema
        if not isinstance(schema, type) or not issubclass(schema, BaseModel):
            msg = f"{self.name}: no argument schema to check {dict(tool_input)!r} against."
            raise TypeError(msg)
        args = schema.model_validate(dict(tool_input)).model_dump()
        spec, request = self._request(args)
        return max_task_cost(spec, request)

    def _run(
        self, run_manager: CallbackManagerForToolRun | None = None, **args: Any
    ) -> tuple[str, dict[str, Any]]:
        with explained(_actionable, self.max_output_chars):
            spec, request = self._request(args)
            return self._finish(spec, request, call_endpoint(self._http(), spec, request))

    async def _arun(
        self, run_manager: AsyncCallbackManagerForToolRun | None = None, **args: Any
    ) -> tuple[str, dict[str, Any]]:
        with explained(_actionable, self.max_output_chars):
            spec, request = self._request(args)
            return self._finish(spec, request, await acall_endpoint(self._http(), spec, request))


def _common(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "target": _targets(args.get("keywords") or [], args.get("domains") or []),
        "platform": args.get("platform"),
        "location_code": args.get("location_code"),
        "language_code": args.get("language_code"),
    }


class DataForSEOLLMMentionsTargetMetricsTool(_MentionsTool):
    """How often AI answers mention a brand, keyword or domain (LLM Mentions target metrics).

    Example:
        .. code-block:: python

            tool = DataForSEOLLMMentionsTargetMetricsTool()
            tool.invoke({"keywords": ["hubspot"], "platform": "google"})
    """

    name: str = "llm_mentions_target_metrics"
    description: str = (
        "Totals of past AI answers (Google AI Overviews, ChatGPT) that mention the given "
        "keywords/brands or cite the given domains: mention count and AI search volume, "
        "split by platform, location, language, cited source domains and brand entities. "
        "Reads already-recorded answers; does not ask any AI engine."
    )
    args_schema: type[BaseModel] = TargetMetricsArgs

    def _request(self, args: dict[str, Any]) -> tuple[Endpoint, dict[str, Any]]:
        spec = endpoint("target_metrics_lite" if args.get("lite") else "target_metrics")
        return spec, build_task(spec, **_common(args))

    def _render(self, spec: Endpoint, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        summary = target_summary(result)  # aggregated_metrics, not items (null there)
        return format_metrics(summary), {"metrics": summary}


class DataForSEOLLMMentionsCompareTool(_MentionsTool):
    """Compare several brands or topics side by side in AI answers (multi-target metrics).

    Example:
        .. code-block:: python

            tool = DataForSEOLLMMentionsCompareTool()
            tool.invoke({"groups": {"hubspot": ["hubspot"], "salesforce": ["salesforce"]}})
    """

    name: str = "llm_mentions_compare"
    description: str = (
        "Compare labelled groups of keywords/brands in past AI answers (Google AI Overviews, "
        "ChatGPT): mention count and AI search volume per group, side by side. Reads "
        "recorded answers; asks no AI engine."
    )
    args_schema: type[BaseModel] = CompareArgs

    def _request(self, args: dict[str, Any]) -> tuple[Endpoint, dict[str, Any]]:
        spec = endpoint("multi_target_metrics")
        groups = [
            {"key": key, "target": [keyword_target(k) for k in keywords]}
            for key, keywords in (args.get("groups") or {}).items()
        ]
        fields = {
            "targets": groups,
            "platform": args.get("platform"),
            "location_code": args.get("location_code"),
            "language_code": args.get("language_code"),
        }
        return spec, build_task(spec, **fields)

    def _render(self, spec: Endpoint, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rows = [
            {"key": item.get("key"), "metrics": read_summary(item, f"{_ITEMS}[{n}]")}
            for n, item in enumerate(objects(result.get("items"), _ITEMS))
        ]
        return format_rows(rows, "key"), {"rows": rows}


_TOP = {
    "domains": ("top_mentioned_domains", "domain"),
    "pages": ("top_mentioned_pages", "page"),
    "brands": ("top_mentioned_brands", "brand"),
    "brand_categories": ("top_mentioned_brand_categories", "brand_category"),
}


class DataForSEOLLMMentionsTopMentionedTool(_MentionsTool):
    """The domains, pages, brands or brand categories most mentioned with a target in AI answers.

    Example:
        .. code-block:: python

            tool = DataForSEOLLMMentionsTopMentionedTool()
            tool.invoke({"keywords": ["crm software"], "what": "brands", "limit": 5})
    """

    name: str = "llm_mentions_top_mentioned"
    description: str = (
        "The domains, pages, brands or brand categories most often cited or named in past "
        "AI answers "
        "(Google AI Overviews, ChatGPT) about the given keywords or domains, with mention "
        "counts and AI search volume. Reads recorded answers; asks no AI engine."
    )
    args_schema: type[BaseModel] = TopMentionedArgs

    def _request(self, args: dict[str, Any]) -> tuple[Endpoint, dict[str, Any]]:
        name = _TOP[args.get("what") or "domains"][0] + ("_lite" if args.get("lite") else "")
        spec = endpoint(name)
        return spec, build_task(spec, **_common(args), limit=args.get("limit", 10))

    def _render(self, spec: Endpoint, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        key = next(k for name, k in _TOP.values() if spec.name.removesuffix("_lite") == name)
        rows = []
        for n, item in enumerate(objects(result.get("items"), _ITEMS)):
            shown, url = link_key(item.get(key))  # a domain may come as a Markdown link
            row = {key: shown, "metrics": read_summary(item, f"{_ITEMS}[{n}]")}
            rows.append(row if url is None else {**row, "url": url})
        data = {"rows": rows, "total_count": result.get("total_count")}
        return format_rows(rows, key), {**data, "items_count": result.get("items_count")}


_HISTORY = {"monthly": "historical", "delta": "timeseries_delta", "new_lost": "timeseries_new_lost"}


class DataForSEOLLMMentionsHistoryTool(_MentionsTool):
    """How a target's AI mentions changed over time (historical and time-series endpoints).

    Example:
        .. code-block:: python

            tool = DataForSEOLLMMentionsHistoryTool()
            tool.invoke({"keywords": ["hubspot"], "kind": "monthly"})
    """

    name: str = "llm_mentions_history"
    description: str = (
        "History of past AI answers mentioning the given keywords/brands or citing the given "
        "domains: per month ('monthly'), the change per period ('delta'), or mentions gained "
        "and lost per period ('new_lost'; delta and new_lost need date_from, date_to and "
        "group_range). Data starts on 2025-08-01."
    )
    args_schema: type[BaseModel] = HistoryArgs

    def _request(self, args: dict[str, Any]) -> tuple[Endpoint, dict[str, Any]]:
        spec = endpoint(_HISTORY[args.get("kind") or "monthly"])
        fields = {
            **_common(args),
            "date_from": args.get("date_from"),
            "date_to": args.get("date_to"),
        }
        if spec.name != "historical":
            fields["group_range"] = args.get("group_range")
        elif args.get("group_range") is not None:
            fields["group_range"] = args["group_range"]  # refused: monthly has no periods
        return spec, build_task(spec, **fields)

    def _render(self, spec: Endpoint, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rows = objects(result.get("items"), _ITEMS)
        if not rows:
            return "No history for this target.", {"rows": []}
        lines = []
        for n, row in enumerate(rows):
            if spec.name == "historical":
                at = f"{_ITEMS}[{n}]."
                metrics = obj(row.get("metrics"), at + "metrics")
                month = whole(row.get("month"), at + "month") or 0
                lines.append(
                    f"{whole(row.get('year'), at + 'year')}-{month:02d}: "
                    f"{metrics.get('mentions')} mentions, AI search volume "
                    f"{metrics.get('ai_search_volume')}"
                )
            else:
                shown = ", ".join(f"{k} {v}" for k, v in row.items() if k != "date")
                lines.append(f"{row.get('date')}: {shown}")
        return "\n".join(lines), {"rows": rows}
