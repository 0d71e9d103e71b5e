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

from langchain_dataforseo.visibility._answers import task_from_message
from langchain_dataforseo.visibility._brand import Brand
from langchain_dataforseo.visibility._compare import (
    RATES,
    VERDICT_RULE,
    EngineComparison,
    compare_runs,
)
from langchain_dataforseo.visibility._errors import PanelFileError, VisibilityStoreError
from langchain_dataforseo.visibility._export import (
    answer_records,
    answers_csv,
    answers_json,
    export_parquet,
    metrics_csv,
    metrics_json,
    metrics_records,
    to_pandas,
)
from langchain_dataforseo.visibility._judge import (
    JUDGE_PROMPT_VERSION,
    JudgeResult,
    JudgingEstimate,
    estimate_judging,
    judge_run,
)
from langchain_dataforseo.visibility._matching import (
    AnswerFacts,
    Citation,
    ExtractedAnswer,
    answer_facts,
    extract_answer,
)
from langchain_dataforseo.visibility._metrics import BrandMetrics, VisibilityRow, metrics
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._plan import RunEstimate
from langchain_dataforseo.visibility._planning import answers_needed
from langchain_dataforseo.visibility._progress import Progress
from langchain_dataforseo.visibility._report import report
from langchain_dataforseo.visibility._run import arun_panel, estimate_run, run_panel
from langchain_dataforseo.visibility._stats import (
    OVERLAP_RULE,
    Z_TEST_RULE,
    Change,
    Rate,
    clustered_rate,
    prompt_interval,
    two_proportion_z,
    wilson,
)
from langchain_dataforseo.visibility._store import RunInfo, TaskRecord, VisibilityStore, make_tag
from langchain_dataforseo.visibility._store_journal import StoreJournal
from langchain_dataforseo.visibility._trend import VERDICTS, TrendRow, benjamini_hochberg, trend
from langchain_dataforseo.visibility._waves import RunPrecisionWarning

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
