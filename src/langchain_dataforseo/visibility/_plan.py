"""Pure decisions of a panel run: methods, worst-case estimates, budget shares, rounds.

No I/O: everything here works on task rows and numbers, and is tested directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from langchain_dataforseo._api.cost_bounds import (
    STANDARD_PREPAID_USD,
    live_reservation,
    model_rates,
    standard_reservation,
)
from langchain_dataforseo._api.fields import LIVE_BASE_PRICE_USD, STANDARD_BASE_PRICE_USD
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._store import TaskRecord, make_tag
from langchain_dataforseo.visibility._store_base import task_body
from langchain_dataforseo.visibility._surfaces import API, APP, APP_MODEL

# --- What a task is expected to cost (history, else documented averages) ---
# What a task is expected to cost (not the worst case the cap reserves).
#
# From the store's history when it has one: the average recorded cost of measured tasks of
# the same engine, requested model and surface, in any run of the store
# (``_run.cost_history``, where the store is read). Else from documented prices and
# typical token counts (pure, :func:`average_task_cost`)::
#
#     input_tokens  = ceil(UTF-8 bytes of the prompt / 4) + 16
#                     (+ 2,000 with web search: the API's example shows 2,113 [D])
#     output_tokens = 1,400 for a reasoning model (the API's o4-mini example: 1,372 [D]),
#                     else min(max_output_tokens, 500) (its gpt-4.1-mini example: 486 [D])
#     money_spent   = input_tokens * price_in + output_tokens * price_out   (list prices)
#                     (+ one web search: ChatGPT $0.025, Claude $0.01, Gemini $0.035,
#                        Perplexity $0.005 [I])
#     Live task     = $0.0006 + money_spent [D]
#     Standard task = $0.0002 + money_spent [D] (the $0.01 prepayment is refunded down to it)
#     app task (LLM Scraper) = $0.0012 [I] (its documented least price)
#
# The API reference's two Live examples come out within 2% ($0.0272150 for $0.0272228,
# $0.0068073 for $0.0066786). The token counts
# and the one-search fee are typical values [I], not bounds: a real answer can cost more or
# less; ``max_cost`` still reserves the worst case.


EXPECTED_WEB_SEARCH_INPUT_TOKENS: Final = 2_000
"""Typical input tokens that web-search results add (the API's example: 2,113) [I]."""
EXPECTED_OUTPUT_TOKENS: Final = 500
"""Typical output tokens of an answer (the API's example: 486) [I]."""
EXPECTED_REASONING_OUTPUT_TOKENS: Final = 1_400
"""Typical output tokens of a reasoning model's answer, reasoning included (example 1,372) [I]."""
EXPECTED_WEB_SEARCH_FEE_USD: Final[Mapping[str, float]] = {
    "chat_gpt": 0.025,  # one search call at $25 / 1,000
    "claude": 0.01,  # one search at $10 / 1,000
    "gemini": 0.035,  # one grounded prompt at $35 / 1,000
    "perplexity": 0.005,  # one request at $5 / 1,000 (low context)
}
"""Typical provider web-search fee of one answer: one search [I]."""
EXPECTED_APP_TASK_USD: Final = 0.0012
"""An LLM Scraper task: its documented least price ("from $0.0012") [I]."""

HistoryKey = tuple[str, str, str]
"""``(engine, requested model, surface)``."""


def average_task_cost(engine: str, body: Mapping[str, Any], method: str, surface: str) -> float:
    """The expected cost of one task from documented prices (see the module docstring).

    Args:
        engine: The engine.
        body: The task as sent (``user_prompt``, ``model_name``, settings).
        method: ``standard`` or ``live`` (of this task).
        surface: ``api`` or ``app``.

    Returns:
        USD, rounded to 7 decimals.
    """
    if surface != "api":
        return EXPECTED_APP_TASK_USD
    rates = model_rates(engine, str(body.get("model_name") or ""))
    web = engine == "perplexity" or bool(body.get("web_search"))
    prompt = body.get("user_prompt")
    text = len(prompt.encode("utf-8")) if isinstance(prompt, str) else 0
    tokens_in = math.ceil(text / 4) + 16 + (EXPECTED_WEB_SEARCH_INPUT_TOKENS if web else 0)
    limit = body.get("max_output_tokens")
    cap = limit if isinstance(limit, int) and limit > 0 else EXPECTED_OUTPUT_TOKENS
    reasoning = rates.reasoning or bool(body.get("use_reasoning"))
    tokens_out = EXPECTED_REASONING_OUTPUT_TOKENS if reasoning else min(cap, EXPECTED_OUTPUT_TOKENS)
    money = (tokens_in * rates.price_in + tokens_out * rates.price_out) / 1e6
    if web:
        money += EXPECTED_WEB_SEARCH_FEE_USD.get(engine, max(EXPECTED_WEB_SEARCH_FEE_USD.values()))
    base = LIVE_BASE_PRICE_USD if method == "live" else STANDARD_BASE_PRICE_USD
    return round(base + money, 7)


LIVE_ONLY_ENGINES: Final = frozenset({"perplexity"})
"""Engines without the Standard method: their tasks always run Live."""
METHODS: Final = ("standard", "live")
LIVE_PRICE_USD: Final = 0.0006
"""The documented base price of a Live task (the least one can reserve)."""
RESERVED_OPTIONS: Final = frozenset(
    {"engine", "model", "model_name", "method", "max_cost", "max_cost_per_call", "tag"}
    | {"max_tokens", "max_output_tokens", "temperature", "top_p", "web_search"}
    | {"force_web_search", "web_search_country_iso_code", "web_search_city", "use_reasoning"}
)
"""Model options ``run_panel`` sets itself: from the panel, the run, or per task."""
UUID_LIKE: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""The API's task id format (an id listed in ``tasks_ready`` in another form is ignored)."""


def engine_method(engine: str, method: str) -> str:
    """The method an engine's tasks use: ``live`` for Perplexity, else the run's method.

    Args:
        engine: The engine.
        method: The run's method (``standard`` or ``live``).

    Returns:
        ``standard`` or ``live``.
    """
    return "live" if method == "live" or engine in LIVE_ONLY_ENGINES else "standard"


APP_PRICE_USD: Final = 0.0012
"""The documented least price of an LLM Scraper task ("from $0.0012"): the least reserved."""


def budget_key(engine: str, surface: str) -> str:
    """The key of one (engine, surface) in the estimate's and the budget's per-part maps.

    Args:
        engine: The engine.
        surface: ``api`` or ``app``.

    Returns:
        ``engine`` for the API surface (as before surfaces existed), ``engine:app`` else.
    """
    return engine if surface != APP else f"{engine}:{APP}"


def app_method(method: str) -> str:
    """The method of app-surface tasks: the run's (the LLM Scraper has both for both engines).

    Args:
        method: The run's method.

    Returns:
        ``standard`` or ``live``.
    """
    return "live" if method == "live" else "standard"


def app_bound(method: str, max_cost_per_call: float | None = None) -> float:
    """What one app-surface task can cost at most, as the LLM Scraper's budget reserves it.

    Args:
        method: ``standard`` or ``live``.
        max_cost_per_call: The user's per-task figure, replacing the estimate (never
            below the documented least price).

    Returns:
        USD: the scraper's reservation (Standard $0.005, Live $0.01 [I]) by default.
    """
    if max_cost_per_call is not None:
        return max(max_cost_per_call, APP_PRICE_USD)
    # the scraper's runner is loaded by a run, not by metrics or reports reading _plan
    from langchain_dataforseo.scraper._calls import (
        LIVE_RESERVATION_USD,
        STANDARD_RESERVATION_USD,
    )

    return STANDARD_RESERVATION_USD[1] if method == "standard" else LIVE_RESERVATION_USD


def cost_body(panel: Panel, task: TaskRecord) -> dict[str, Any]:
    """The fields the package sends for one API-surface task, tag included (its cost)."""
    return {**task_body(panel, task.prompt_index, task.engine, API), "tag": task.tag}


def task_bound(
    panel: Panel, task: TaskRecord, method: str, max_cost_per_call: float | None = None
) -> float:
    """What one task can cost at most, as the package's budget reserves it.

    Args:
        panel: The panel.
        task: The task.
        method: ``standard`` or ``live`` (of the task's engine).
        max_cost_per_call: The user's per-task figure, replacing the estimate.

    Returns:
        USD.
    """
    if max_cost_per_call is not None:
        floor = STANDARD_PREPAID_USD if method == "standard" else LIVE_PRICE_USD
        return max(max_cost_per_call, floor)
    body = cost_body(panel, task)
    if method == "standard":
        return standard_reservation(task.engine, body)
    return live_reservation(task.engine, body)


def task_reservation(
    panel: Panel, task: TaskRecord, method: str, max_cost_per_call: float | None = None
) -> float:
    """What posting one task of a run reserves, on its surface (the run's ``method``).

    Args:
        panel: The panel.
        task: The task.
        method: The run's method.
        max_cost_per_call: The user's per-task figure, replacing the estimate.

    Returns:
        USD.
    """
    if task.surface == APP:
        return app_bound(app_method(method), max_cost_per_call)
    return task_bound(panel, task, engine_method(task.engine, method), max_cost_per_call)


@dataclass(frozen=True)
class RunEstimate:
    """What a run (or the rest of a resumed run) can cost at most, before posting.

    Attributes:
        run_id: The run.
        to_post: Tasks to post (never posted, or in doubt with ``repost_in_doubt``).
        to_post_cost: Their worst case, USD.
        per_engine: Of ``to_post_cost``, each engine's part (API surface under the
            engine's name, app surface under ``engine:app``: :func:`budget_key`).
        committed: What the run already has or may have spent: recorded costs of finished
            tasks, and the worst case of tasks posted and not collected or in doubt.
        to_collect: Tasks posted and not collected yet.
        in_doubt: Tasks that may have been posted (no verdict).
        expected_cost: What the tasks to post are expected to cost, USD: the store's
            average for their engine, model and surface, else documented average prices
            (:func:`average_task_cost`); not a bound.
        expected_per_engine: Of ``expected_cost``, each engine's part (keys as
            ``per_engine``).
        expected_from_history: Tasks to post whose expectation comes from the store's
            history (the rest from documented average prices).
    """

    run_id: str
    to_post: int
    to_post_cost: float
    per_engine: Mapping[str, float]
    committed: float
    to_collect: int
    in_doubt: int
    expected_cost: float = 0.0
    expected_per_engine: Mapping[str, float] = field(default_factory=dict)
    expected_from_history: int = 0

    @property
    def total(self) -> float:
        """``committed + to_post_cost``: the most the run can cost in all."""
        return round(self.committed + self.to_post_cost, 7)

    def over_by(self, max_cost: float | None) -> float | None:
        """How much the worst case passes ``max_cost`` (the run is refused), else ``None``.

        Args:
            max_cost: The cap (``None``: no cap).

        Returns:
            ``total - max_cost`` when positive (beyond 1e-9 of float noise), else ``None``.
        """
        if max_cost is None or self.total <= max_cost + 1e-9:
            return None
        return round(self.total - max_cost, 7)

    def describe(self, max_cost: float | None) -> str:
        """One line for people: tasks, worst case, expected cost, and the cap."""
        cap = "no max_cost" if max_cost is None else f"max_cost ${max_cost:.4f}"
        if not self.to_post:
            basis = ""
        elif self.expected_from_history == self.to_post:
            basis = " (from the store's history)"
        elif self.expected_from_history:
            basis = (
                f" ({self.expected_from_history} from the store's history, the rest from "
                "documented average prices)"
            )
        else:
            basis = " (from documented average prices)"
        line = (
            f"run {self.run_id}: {self.to_post} task(s) to post, at most "
            f"${self.to_post_cost:.4f} (estimated worst case, what max_cost reserves), "
            f"expected ${self.expected_cost:.4f}{basis}; {self.to_collect} to collect, "
            f"{self.in_doubt} in doubt; committed so far at most ${self.committed:.4f}; "
            f"total at most ${self.total:.4f}, {cap}"
        )
        if self.expected_cost > self.to_post_cost + 1e-9:
            line += (
                ". Note: the expected cost passes the reserved figure (max_cost_per_call is "
                "below what a task is expected to cost): the cap will likely stop the run "
                "part-way"
            )
        return line


def plan_estimate(
    panel: Panel,
    tasks: Iterable[TaskRecord],
    method: str,
    *,
    run_id: str,
    max_cost_per_call: float | None = None,
    repost_in_doubt: bool = False,
    history: Mapping[HistoryKey, tuple[float, int]] | None = None,
) -> RunEstimate:
    """Estimate a run from its task rows (pure).

    Args:
        panel: The panel.
        tasks: Every task of the run (read once: a generator is fine).
        method: The run's method.
        run_id: The run.
        max_cost_per_call: The user's per-task figure, replacing the estimate.
        repost_in_doubt: Whether tasks in doubt will be posted again.
        history: ``(engine, model, surface)`` -> ``(average cost, tasks)`` recorded in the
            store (``cost_history``), for the expected cost; else documented averages.

    Returns:
        The estimate.
    """
    to_post = 0
    per_engine: dict[str, float] = {}
    expected: dict[str, float] = {}
    from_history = 0

    def post(task: TaskRecord, key: str, bound: float) -> None:
        """Count one task to post: its worst case and its expected cost."""
        nonlocal to_post, from_history
        to_post += 1
        per_engine[key] = per_engine.get(key, 0.0) + bound
        known = (history or {}).get((task.engine, task.model, task.surface))
        if known is not None:
            from_history += 1
            cost = known[0]
        else:
            own = app_method(method) if task.surface == APP else engine_method(task.engine, method)
            cost = average_task_cost(task.engine, cost_body(panel, task), own, task.surface)
        expected[key] = expected.get(key, 0.0) + cost

    committed = 0.0
    to_collect = doubt = 0
    for task in tasks:
        bound = task_reservation(panel, task, method, max_cost_per_call)
        key = budget_key(task.engine, task.surface)
        if task.status != "pending":
            committed += task.cost or 0.0
        elif task.task_id is not None:
            committed += max(bound, task.cost or 0.0)
            to_collect += 1
        elif task.intent_at is not None:
            committed += bound
            doubt += 1
            if repost_in_doubt:
                post(task, key, bound)
        else:
            post(task, key, bound)
    return RunEstimate(
        run_id=run_id,
        to_post=to_post,
        to_post_cost=round(sum(per_engine.values()), 7),
        per_engine={k: round(v, 7) for k, v in per_engine.items()},
        committed=round(committed, 7),
        to_collect=to_collect,
        in_doubt=doubt,
        expected_cost=round(sum(expected.values()), 7),
        expected_per_engine={k: round(v, 7) for k, v in expected.items()},
        expected_from_history=from_history,
    )


def budget_shares(available: float, per_engine: Mapping[str, float]) -> dict[str, float]:
    """Split what is left of ``max_cost`` between engines, in proportion to their estimates.

    Each share is at least the engine's estimate when the estimates fit (the caller
    refuses otherwise), and the shares never add up to more than ``available``.

    Args:
        available: ``max_cost`` minus what the run has committed.
        per_engine: Each engine's worst case of what it will post.

    Returns:
        Engine -> its model's ``max_cost`` (0 for an engine with nothing to post).
    """
    total = sum(per_engine.values())
    if total <= 0:
        return dict.fromkeys(per_engine, 0.0)
    slack = max(available - total, 0.0)
    return {
        engine: math.floor((need + slack * need / total) * 1e7) / 1e7
        for engine, need in per_engine.items()
    }


def check_model_options(options: Mapping[str, Any]) -> None:
    """Refuse model options that the panel or the run decides (before anything is sent).

    Args:
        options: The ``**model_options`` given to :func:`run_panel`.

    Raises:
        DataForSEOInputError: Naming the option and where it belongs.
    """
    for name in options:
        if name in RESERVED_OPTIONS:
            msg = (
                f"{name} is not a model option of run_panel: engines, models and task "
                "settings come from the panel (engines, settings, engine_settings); method, "
                "max_cost and max_cost_per_call are run_panel's own arguments; tags are per task."
            )
            raise DataForSEOInputError(msg, field=name, limit="not reserved", actual=name)


def found_by_tag(pairs: Sequence[tuple[str, str | None]], wanted: set[str]) -> dict[str, str]:
    """Tags in doubt that ``tasks_ready`` lists, with their task ids (the first id wins).

    A tag listed by ``tasks_ready`` belongs to a task that exists (created and paid); a
    tag not listed proves nothing (only finished, uncollected tasks are listed).

    Args:
        pairs: ``(task_id, tag)`` pairs from ``tasks_ready``.
        wanted: The tags in doubt.

    Returns:
        Tag -> task id, for the tags found.
    """
    out: dict[str, str] = {}
    for task_id, tag in pairs:
        if tag in wanted and tag not in out and UUID_LIKE.fullmatch(task_id):
            out[tag] = task_id
    return out


def planned_task(
    panel: Panel, run_id: str, p: int, engine: str, surface: str, sample: int
) -> TaskRecord:
    """A task of a panel as a run plans it: pending, never posted (pure).

    Args:
        panel: The panel.
        run_id: The run.
        p: The prompt's index.
        engine: The engine.
        surface: ``api`` or ``app``.
        sample: The sample number.

    Returns:
        The task record.
    """
    return TaskRecord(
        tag=make_tag(run_id, p, engine, sample, surface, body=task_body(panel, p, engine, surface)),
        prompt_index=p,
        prompt=panel.prompts[p],
        engine=engine,
        model=panel.engines[engine] if surface == API else APP_MODEL,
        sample=sample,
        status="pending",
        task_id=None,
        error_code=None,
        error_message=None,
        answer_model=None,
        cost=None,
        created_at="",
        intent_at=None,
        posted_at=None,
        finished_at=None,
        surface=surface,
    )
