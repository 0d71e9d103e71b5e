"""What a panel run shares across its drivers: the context, the models, failures.

The drivers (``_run_api`` for the API surface, ``_run_app`` for the app surface) and the
orchestrator (``_run``) work on one :class:`RunContext`: the store, the run's settings,
the stop signal (an error after which no other task can succeed) and progress reports.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOAuthenticationError,
    DataForSEOBudgetError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOPaymentError,
    TaskHandle,
)
from langchain_dataforseo._cost_bounds import checked_cost, outcome_unknown
from langchain_dataforseo._raw_tasks import keep_raw_tasks
from langchain_dataforseo._settings import MODEL_FIELDS
from langchain_dataforseo.visibility._errors import LeaseLostError
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._store import (
    ProgressCallback,
    TaskRecord,
    VisibilityStore,
    progress_of,
)
from langchain_dataforseo.visibility._store_journal import StoreJournal
from langchain_dataforseo.visibility._store_tasks import LEASE_SECONDS, new_owner

STOPS_RUN: Final = (DataForSEOAuthenticationError, DataForSEOPaymentError)
"""Errors after which no other task can succeed: the run stops (its store stays consistent)."""
LEFT_UNSENT: Final = (DataForSEOBudgetError, LeaseLostError)
"""Refusals before sending that leave a task unsent: the cap (this driver's or the run's),
or another driver holding it."""


@dataclass
class RunContext:
    """The state a run's drivers share (one per ``arun_panel`` call).

    ``owner`` is this call's lease owner: it posts, recovers and collects only the tasks
    it holds (see ``VisibilityStore.claim``), so two calls on one run share it. Each
    intent records the task's ``reservation`` and is refused past ``max_cost``, counted
    over every driver of the run (``VisibilityStore.run_spend``).
    """

    def journal(self, tasks: Sequence[TaskRecord], **options: Any) -> StoreJournal:
        """The store journal of one submission of these tasks, under this driver's leases."""
        return StoreJournal(
            self.store,
            self.run_id,
            [t.tag for t in tasks],
            owner=self.owner,
            lease_seconds=self.lease_seconds,
            reserve={t.tag: self.reservation(t) for t in tasks},
            max_cost=self.max_cost,
            **options,
        )

    store: VisibilityStore
    run_id: str
    panel: Panel
    on_progress: ProgressCallback | None
    progress_interval: float
    repost_in_doubt: bool
    recover_wait: float
    max_wait: float
    collect_round: float
    collect: bool
    concurrency: int
    tasks_per_post: int = 100
    owner: str = field(default_factory=new_owner)
    lease_seconds: float = LEASE_SECONDS
    max_cost: float | None = None
    reservation: Callable[[TaskRecord], float] = lambda _task: 0.0
    looked_up: set[str] = field(default_factory=set)
    last_report: float = 0.0
    stop: BaseException | None = None
    posting: dict[str, asyncio.Event] = field(default_factory=dict)
    open_handles: dict[str, dict[str, TaskHandle]] = field(default_factory=dict)

    def report(self, *, force: bool = False) -> None:
        """Report progress (at most once per ``progress_interval``, unless forced)."""
        if self.on_progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_report >= self.progress_interval:
            self.last_report = now
            self.on_progress(progress_of(self.store, self.run_id))


def make_model(
    panel: Panel,
    engine: str,
    method: str,
    share: float | None,
    max_cost_per_call: float | None,
    options: Mapping[str, Any],
) -> ChatDataForSEO:
    """The API-surface model of one engine, with its budget share as ``max_cost``."""
    settings = {MODEL_FIELDS.get(k, k): v for k, v in panel.task_settings(engine).items()}
    budget: dict[str, Any] = {}
    if share is not None:
        budget["max_cost"] = share
        if max_cost_per_call is not None and share >= max_cost_per_call:
            budget["max_cost_per_call"] = max_cost_per_call
    elif max_cost_per_call is not None:
        budget["max_cost_per_call"] = max_cost_per_call
    return ChatDataForSEO(
        engine=engine,
        model=panel.engines[engine],
        method=method,
        **settings,
        **budget,
        **options,
    )


async def probe(panel: Panel, engine: str, method: str, options: Mapping[str, Any]) -> None:
    """Let the package check the engine's settings against its catalogue; nothing is sent.

    The probe model's budget is 0, so the call is refused before sending once every
    check (fields, ranges, model catalogue rules) has passed.
    """
    probe = make_model(panel, engine, method, 0.0, None, options)
    prompt = panel.prompts[0]
    try:
        if method == "standard":
            await probe.asubmit([prompt], tag="probe")
        else:
            await probe.ainvoke(prompt, tag="probe")
    except DataForSEOBudgetError:
        return
    except DataForSEOInputError as error:
        msg = f"engines.{engine} ({panel.engines[engine]!r}): {error}"
        raise DataForSEOInputError(
            msg, field=f"engines.{engine}", limit=error.limit, actual=error.actual
        ) from error
    msg = "the probe call was not refused by its zero budget"  # pragma: no cover
    raise RuntimeError(msg)  # pragma: no cover


def take_unsent(ctx: RunContext, tasks: Sequence[TaskRecord]) -> list[TaskRecord]:
    """The tasks this driver may post now: those it holds, and the unsent ones it can take.

    A task never posted is leased first (``claim(unsent=True)``); its intent is recorded
    (with the lease checked again) by the journal just before it is posted. Tasks another
    driver took or posted meanwhile are left out.
    """
    fresh = [t.tag for t in tasks if t.intent_at is None and t.task_id is None]
    taken = set(
        ctx.store.claim(ctx.run_id, fresh, ctx.owner, lease_seconds=ctx.lease_seconds, unsent=True)
    )
    return [t for t in tasks if t.tag in taken or t.lease_owner == ctx.owner]


def record_failure(
    ctx: RunContext,
    tag: str,
    error: Exception,
    *,
    created: bool,
    kept: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Record a failed task; a task never created stays retryable (no task id).

    The task JSON is the one the API sent (from ``kept``) where it was read, else the
    error's code and message under the task's id.
    """
    if isinstance(error, DataForSEOError):
        code = error.status_code
        task_id = error.task_id if created else None
        cost = checked_cost(error.cost) if error.cost is not None else None
    else:
        code, task_id, cost = None, None, None  # a cost not known keeps what was recorded
    raw = None
    if task_id is not None:
        raw = (kept or {}).get(task_id) or {
            "id": task_id,
            "status_code": code,
            "status_message": str(error),
        }
    ctx.store.record_failure(ctx.run_id, tag, code, str(error), raw_task=raw, cost=cost)


LiveAnswer = Callable[[TaskRecord, Mapping[str, dict[str, Any]]], Awaitable[tuple[Any, Any]]]
"""One Live call of a surface: given the task and the tasks read off the wire during the
call, the raw task JSON to record and its cost (``None``: the task's own ``cost``)."""


async def run_live_tasks(ctx: RunContext, tasks: Sequence[TaskRecord], answer: LiveAnswer) -> None:
    """Run each task Live, either surface: intent recorded first, the outcome as it comes.

    Each task is claimed with its intent first (``claim_intent``): a task another driver
    holds or has posted is skipped. A refusal by the budget or an input error clears the
    intent (nothing was sent); an
    error that stops the run clears it and sets ``ctx.stop``; an API verdict is recorded
    as a failure (with the task JSON the API sent); an error of unknown outcome leaves the
    intent, so the task stays in doubt (it may have run and been charged).

    Args:
        ctx: The run.
        tasks: The tasks to run.
        answer: The surface's call.
    """
    gate = asyncio.Semaphore(ctx.concurrency)

    async def one(task: TaskRecord) -> None:
        async with gate:
            if ctx.stop is not None:
                return
            store = ctx.store
            if not store.claim_intent(
                ctx.run_id,
                [task.tag],
                ctx.owner,
                lease_seconds=ctx.lease_seconds,
                reserve={task.tag: ctx.reservation(task)},
                max_cost=ctx.max_cost,
            ):
                return  # another driver holds it or posted it, or the run's cap is reached
            try:
                with keep_raw_tasks() as kept:
                    raw, cost = await answer(task, kept)
            except DataForSEOBudgetError:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                return
            except STOPS_RUN as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                ctx.stop = error
                return
            except DataForSEOInputError as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                record_failure(ctx, task.tag, error, created=False)
                return
            except DataForSEOError as error:
                if not outcome_unknown(error):  # a verdict: failed, at the cost it names
                    created = error.task_id is not None
                    record_failure(ctx, task.tag, error, created=created, kept=kept)
                ctx.report()
                return
            ctx.store.record_results(ctx.run_id, [(task.tag, raw, cost)])
            ctx.report()

    await asyncio.gather(*(one(task) for task in tasks))


def learned_reservation(
    store: VisibilityStore,
    run_id: str,
    planned: Callable[[TaskRecord], float],
    task: TaskRecord,
) -> float:
    """What a post reserves in the run's spend: the planned figure, or more once measured.

    A ``max_cost_per_call`` below what tasks really cost would let the posts in flight pass
    the cap; the highest cost measured so far for the task's engine and surface raises the
    reservation of every later post to it.
    """
    row = store.connection.execute(
        "SELECT MAX(cost) FROM tasks WHERE run_id = ? AND engine = ? AND surface = ? "
        "AND status = 'measured'",
        (run_id, task.engine, task.surface),
    ).fetchone()
    seen = float(row[0]) if row is not None and row[0] is not None else 0.0
    return max(planned(task), seen)
