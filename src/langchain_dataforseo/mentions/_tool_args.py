"""The argument schemas of the LLM Mentions agent tools (what the calling LLM may set)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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
