"""AI-visibility panels: how often AI answers name and cite a brand, measured honestly.

A :class:`Panel` (a brand, its competitors, prompts, engines, samples) is run by
:func:`run_panel` (resumable, within a cost cap) into a :class:`VisibilityStore` (one
SQLite file keeping every task and its raw JSON, and serving as the Standard journal);
:func:`metrics` computes mention rate, share of voice, average position, citation rate and
citation share with 95% Wilson intervals, failed and pending tasks counted apart;
:func:`compare_runs` tells which changes between two runs are significant; :func:`trend`
follows a panel run after run (refusing a verdict across a model change);
:func:`answers_needed` says how many answers a move needs; :func:`judge_run` has any
LangChain chat model judge each named brand's sentiment and recommendation;
:func:`report` writes an HTML report and a Markdown summary.

Public names are loaded on first use (as the package's root does): ``import
langchain_dataforseo.visibility`` costs almost nothing, and ``metrics`` or ``report`` load
the store and the statistics, never the chat model, the tools or the LLM Scraper's loader.

Example:
    >>> from langchain_dataforseo.visibility import Brand, Panel
    >>> panel = Panel(
    ...     "crm",
    ...     ["Which CRM suits a 10-person agency?"],
    ...     Brand("HubSpot", aliases=("HubSpot CRM",), domains=("hubspot.com",)),
    ...     [Brand("Salesforce", domains=("salesforce.com",))],
    ...     engines={"chat_gpt": "gpt-4.1-mini"},
    ...     samples=5,
    ...     web_search=True,
    ... )
    >>> len(panel.prompts) * len(panel.engines) * panel.samples
    5
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; loaded on first use at run time
    from langchain_dataforseo.visibility._errors import PanelFileError as PanelFileError
    from langchain_dataforseo.visibility._errors import VisibilityStoreError as VisibilityStoreError
    from langchain_dataforseo.visibility._export import answer_records as answer_records
    from langchain_dataforseo.visibility._export import answers_csv as answers_csv
    from langchain_dataforseo.visibility._export import answers_json as answers_json
    from langchain_dataforseo.visibility._export import export_parquet as export_parquet
    from langchain_dataforseo.visibility._export import metrics_csv as metrics_csv
    from langchain_dataforseo.visibility._export import metrics_json as metrics_json
    from langchain_dataforseo.visibility._export import metrics_records as metrics_records
    from langchain_dataforseo.visibility._export import to_pandas as to_pandas
    from langchain_dataforseo.visibility._judge import JUDGE_PROMPT_VERSION as JUDGE_PROMPT_VERSION
    from langchain_dataforseo.visibility._judge import JudgeResult as JudgeResult
    from langchain_dataforseo.visibility._judge import JudgingEstimate as JudgingEstimate
    from langchain_dataforseo.visibility._judge import estimate_judging as estimate_judging
    from langchain_dataforseo.visibility._judge import judge_run as judge_run
    from langchain_dataforseo.visibility._matching import AnswerFacts as AnswerFacts
    from langchain_dataforseo.visibility._matching import Citation as Citation
    from langchain_dataforseo.visibility._matching import ExtractedAnswer as ExtractedAnswer
    from langchain_dataforseo.visibility._matching import answer_facts as answer_facts
    from langchain_dataforseo.visibility._matching import extract_answer as extract_answer
    from langchain_dataforseo.visibility._matching import task_from_message as task_from_message
    from langchain_dataforseo.visibility._metrics import BrandMetrics as BrandMetrics
    from langchain_dataforseo.visibility._metrics import VisibilityRow as VisibilityRow
    from langchain_dataforseo.visibility._metrics import metrics as metrics
    from langchain_dataforseo.visibility._panel import Brand as Brand
    from langchain_dataforseo.visibility._panel import Panel as Panel
    from langchain_dataforseo.visibility._plan import RunEstimate as RunEstimate
    from langchain_dataforseo.visibility._precision import (
        RunPrecisionWarning as RunPrecisionWarning,
    )
    from langchain_dataforseo.visibility._report import report as report
    from langchain_dataforseo.visibility._run import arun_panel as arun_panel
    from langchain_dataforseo.visibility._run import estimate_run as estimate_run
    from langchain_dataforseo.visibility._run import run_panel as run_panel
    from langchain_dataforseo.visibility._stats import OVERLAP_RULE as OVERLAP_RULE
    from langchain_dataforseo.visibility._stats import Z_TEST_RULE as Z_TEST_RULE
    from langchain_dataforseo.visibility._stats import Change as Change
    from langchain_dataforseo.visibility._stats import Rate as Rate
    from langchain_dataforseo.visibility._stats import answers_needed as answers_needed
    from langchain_dataforseo.visibility._stats import clustered_rate as clustered_rate
    from langchain_dataforseo.visibility._stats import prompt_interval as prompt_interval
    from langchain_dataforseo.visibility._stats import two_proportion_z as two_proportion_z
    from langchain_dataforseo.visibility._stats import wilson as wilson
    from langchain_dataforseo.visibility._store import Progress as Progress
    from langchain_dataforseo.visibility._store import RunInfo as RunInfo
    from langchain_dataforseo.visibility._store import TaskRecord as TaskRecord
    from langchain_dataforseo.visibility._store import VisibilityStore as VisibilityStore
    from langchain_dataforseo.visibility._store import make_tag as make_tag
    from langchain_dataforseo.visibility._store_journal import StoreJournal as StoreJournal
    from langchain_dataforseo.visibility._trend import RATES as RATES
    from langchain_dataforseo.visibility._trend import VERDICT_RULE as VERDICT_RULE
    from langchain_dataforseo.visibility._trend import VERDICTS as VERDICTS
    from langchain_dataforseo.visibility._trend import EngineComparison as EngineComparison
    from langchain_dataforseo.visibility._trend import TrendRow as TrendRow
    from langchain_dataforseo.visibility._trend import benjamini_hochberg as benjamini_hochberg
    from langchain_dataforseo.visibility._trend import compare_runs as compare_runs
    from langchain_dataforseo.visibility._trend import trend as trend

_EXPORTS: dict[str, tuple[str, ...]] = {
    "_errors": ("PanelFileError", "VisibilityStoreError"),
    "_export": (
        "answer_records",
        "answers_csv",
        "answers_json",
        "export_parquet",
        "metrics_csv",
        "metrics_json",
        "metrics_records",
        "to_pandas",
    ),
    "_judge": (
        "JUDGE_PROMPT_VERSION",
        "JudgeResult",
        "JudgingEstimate",
        "estimate_judging",
        "judge_run",
    ),
    "_matching": (
        "AnswerFacts",
        "Citation",
        "ExtractedAnswer",
        "answer_facts",
        "extract_answer",
        "task_from_message",
    ),
    "_metrics": ("BrandMetrics", "VisibilityRow", "metrics"),
    "_panel": ("Brand", "Panel"),
    "_plan": ("RunEstimate",),
    "_precision": ("RunPrecisionWarning",),
    "_report": ("report",),
    "_run": ("arun_panel", "estimate_run", "run_panel"),
    "_stats": (
        "OVERLAP_RULE",
        "Z_TEST_RULE",
        "Change",
        "Rate",
        "clustered_rate",
        "prompt_interval",
        "answers_needed",
        "two_proportion_z",
        "wilson",
    ),
    "_store": ("Progress", "RunInfo", "TaskRecord", "VisibilityStore", "make_tag"),
    "_store_journal": ("StoreJournal",),
    "_trend": (
        "RATES",
        "VERDICTS",
        "VERDICT_RULE",
        "EngineComparison",
        "TrendRow",
        "benjamini_hochberg",
        "compare_runs",
        "trend",
    ),
}
"""The public names, by the module that defines them."""

_WHERE: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}
"""Public name to the module it is loaded from on first use."""

__all__ = [
    "JUDGE_PROMPT_VERSION",
    "OVERLAP_RULE",
    "RATES",
    "VERDICTS",
    "VERDICT_RULE",
    "Z_TEST_RULE",
    "AnswerFacts",
    "Brand",
    "BrandMetrics",
    "Change",
    "Citation",
    "EngineComparison",
    "ExtractedAnswer",
    "JudgeResult",
    "JudgingEstimate",
    "Panel",
    "PanelFileError",
    "Progress",
    "Rate",
    "RunEstimate",
    "RunInfo",
    "RunPrecisionWarning",
    "StoreJournal",
    "TaskRecord",
    "TrendRow",
    "VisibilityRow",
    "VisibilityStore",
    "VisibilityStoreError",
    "answer_facts",
    "answer_records",
    "answers_csv",
    "answers_json",
    "answers_needed",
    "arun_panel",
    "benjamini_hochberg",
    "clustered_rate",
    "compare_runs",
    "estimate_judging",
    "estimate_run",
    "export_parquet",
    "extract_answer",
    "judge_run",
    "make_tag",
    "metrics",
    "metrics_csv",
    "metrics_json",
    "metrics_records",
    "prompt_interval",
    "report",
    "run_panel",
    "task_from_message",
    "to_pandas",
    "trend",
    "two_proportion_z",
    "wilson",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'langchain_dataforseo.visibility' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f"langchain_dataforseo.visibility.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
