"""``run_panel``: collect a panel's answers into the store, resumable, within a cost cap.

One task per (prompt, engine, sample), tagged ``RUN:pI:ENGINE:sN`` (:func:`make_tag`), so
the store, the journal and the API agree on every task. Standard by default (Live for
Perplexity, which has no Standard method, or for every engine with ``method="live"``).

Before anything is posted:

1. each engine's settings are checked by the package itself against the engine's model
   catalogue (a probe call whose budget is 0, so nothing can be sent);
2. the worst-case cost of what is left to post is estimated with the package's
   ``_cost_bounds`` (plus what the run has already committed) and refused with
   :class:`DataForSEOBudgetError` when it would pass ``max_cost``;
3. the remaining budget is split between the engines' models in proportion to their
   estimates, so the models' own caps keep the started tasks within ``max_cost``.

Standard tasks go through ``ChatDataForSEO.asubmit(..., journal=StoreJournal(...))`` and
``acollect``; Live tasks through ``ainvoke``, each intent recorded before the call. A
re-run with the same run id posts only the tasks never posted: posted ones are collected,
tasks in doubt (a post without a verdict, a Live call without an answer) are looked up by
tag (Standard) or left alone (Live) unless ``repost_in_doubt=True``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from langchain_core.messages import AIMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOAuthenticationError,
    DataForSEOBudgetError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOPaymentError,
    DataForSEOTaskInDoubtError,
    DataForSEOTaskPendingError,
    TaskHandle,
)
from langchain_dataforseo._cost_bounds import (
    checked_cost,
    outcome_unknown,
)
from langchain_dataforseo._raw_tasks import keep_raw_tasks
from langchain_dataforseo.visibility._answers import raw_task_of, result_cost
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._plan import (
    METHODS,
    RunEstimate,
    budget_shares,
    check_model_options,
    collect_batch,
    engine_method,
    found_by_tag,
    plan_estimate,
    round_wait,
)
from langchain_dataforseo.visibility._progress import ProgressCallback, progress_of
from langchain_dataforseo.visibility._store import TaskRecord, VisibilityStore
from langchain_dataforseo.visibility._store_journal import StoreJournal

_MODEL_FIELDS: Final = {"max_output_tokens": "max_tokens"}


_STOPS_RUN: Final = (DataForSEOAuthenticationError, DataForSEOPaymentError)
"""Errors after which no other task can succeed: the run stops (its store stays consistent)."""


@dataclass
class _Context:
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
    last_report: float = 0.0
    stop: BaseException | None = None
    posting: dict[str, asyncio.Event] = field(default_factory=dict)
    open_handles: dict[str, dict[str, TaskHandle]] = field(default_factory=dict)

    def report(self, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_report >= self.progress_interval:
            self.last_report = now
            self.on_progress(progress_of(self.store, self.run_id))


def _model(
    panel: Panel,
    engine: str,
    method: str,
    share: float | None,
    max_cost_per_call: float | None,
    options: Mapping[str, Any],
) -> ChatDataForSEO:
    settings = {_MODEL_FIELDS.get(k, k): v for k, v in panel.task_settings(engine).items()}
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


async def _probe(panel: Panel, engine: str, method: str, options: Mapping[str, Any]) -> None:
    """Let the package check the engine's settings against its catalogue; nothing is sent.

    The probe model's budget is 0, so the call is refused before sending once every
    check (fields, ranges, model catalogue rules) has passed.
    """
    probe = _model(panel, engine, method, 0.0, None, options)
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


def _failure(
    ctx: _Context,
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
        cost = checked_cost(error.cost) if error.cost is not None else 0.0
    else:
        code, task_id, cost = None, None, 0.0
    raw = None
    if task_id is not None:
        raw = (kept or {}).get(task_id) or {
            "id": task_id,
            "status_code": code,
            "status_message": str(error),
        }
    ctx.store.record_failure(ctx.run_id, tag, code, str(error), raw_task=raw, cost=cost)


async def _recover(
    ctx: _Context, engine: str, model: ChatDataForSEO, tags: Sequence[str]
) -> set[str]:
    """Look the engine's tags in doubt up in ``tasks_ready`` (one shared look-up).

    Found tags get their handle (recorded in the store, then collected); the others
    are returned, still in doubt.
    """
    missing = set(tags)
    journal = StoreJournal(ctx.store, ctx.run_id, tags)
    deadline = time.monotonic() + ctx.recover_wait
    while missing and ctx.stop is None:
        try:
            pairs = await model.client.atasks_ready_tagged(engine)
        except _STOPS_RUN as error:
            ctx.stop = error
            break
        except DataForSEOError:
            pairs = []
        found = found_by_tag(pairs, missing)
        if found:
            handles = [
                TaskHandle(id=task_id, engine=engine, tag=tag, model_name=model.model)
                for tag, task_id in found.items()
            ]
            journal.append({"v": 1, "event": "created", "handles": [h.to_dict() for h in handles]})
            ctx.open_handles[engine].update({str(h.tag): h for h in handles})
            missing -= set(found)
        if not missing or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(model.poll_interval, max(deadline - time.monotonic(), 0.0)))
    return missing


TASKS_PER_POST: Final = 100
"""Tasks in one ``task_post`` (the API's most)."""


async def _post_standard(
    ctx: _Context, engine: str, model: ChatDataForSEO, tasks: Sequence[TaskRecord]
) -> None:
    """Post each task never posted (journaled by tag); look tasks in doubt up by tag first."""
    gate = asyncio.Semaphore(ctx.concurrency)
    opened = ctx.open_handles[engine]
    doubt = [t.tag for t in tasks if t.intent_at is not None]
    missing = await _recover(ctx, engine, model, doubt) if doubt else set()
    tasks = [t for t in tasks if t.intent_at is None or (t.tag in missing and ctx.repost_in_doubt)]

    async def post(chunk: Sequence[TaskRecord]) -> None:
        if ctx.stop is not None:
            return
        async with gate:
            if ctx.stop is not None:
                return
            tags = [task.tag for task in chunk]
            journal = StoreJournal(ctx.store, ctx.run_id, tags)
            try:  # one request for up to 100 tasks, each with its own tag
                items = await model.asubmit(
                    [task.prompt for task in chunk],
                    tags=tags,
                    journal=journal,
                    return_exceptions=True,
                    repost_in_doubt=ctx.repost_in_doubt,
                    recover_wait=0.0,
                )
            except DataForSEOBudgetError:
                return  # refused before posting: stays unsent
            except _STOPS_RUN as error:
                ctx.stop = error
                return
            for task, item in zip(chunk, items, strict=True):
                if isinstance(item, TaskHandle):
                    opened[task.tag] = item
                elif isinstance(item, DataForSEOTaskInDoubtError):
                    pass  # the journal keeps it in doubt
                elif isinstance(item, _STOPS_RUN):
                    ctx.stop = item
                elif isinstance(item, DataForSEOError) and outcome_unknown(item):
                    pass
                else:
                    _failure(ctx, task.tag, item, created=False)
            ctx.report()

    size = ctx.tasks_per_post
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    try:
        await asyncio.gather(*(post(chunk) for chunk in chunks))
    finally:
        ctx.posting[engine].set()


IDLE_ROUNDS_BEFORE_SWEEP: Final = 10
"""Rounds in a row in which ``tasks_ready`` listed none of the open tasks before every
open task is fetched directly (``tasks_ready`` lists 1000 at a time, account-wide, and
never a task already fetched once, e.g. by a process that died before recording it)."""


async def _collect_standard(ctx: _Context, engine: str, model: ChatDataForSEO) -> None:
    """Collect the engine's open handles as ``tasks_ready`` lists them; record each round.

    Handles known when the run starts (posted by an earlier run, maybe fetched once
    already) are fetched directly first; after that only what ``tasks_ready`` lists is
    fetched, each with one ``task_get``, with a sweep of every open handle when
    ``tasks_ready`` has listed none of them for a while.
    """
    opened = ctx.open_handles[engine]
    posting = ctx.posting[engine]
    deadline: float | None = None
    callbacks = model.postback_url is not None or model.pingback_url is not None
    sweep = bool(opened)  # resumed tasks: they may no longer be listed
    idle = 0
    again: set[str] = set()
    while ctx.stop is None and ctx.collect:
        if posting.is_set() and deadline is None:
            deadline = time.monotonic() + ctx.max_wait
        if not opened:
            if posting.is_set():
                return
            await asyncio.sleep(min(model.poll_interval, 0.05))
            continue
        if deadline is not None and time.monotonic() >= deadline:
            return
        ready_ids: list[str] | None = None
        if not (sweep or callbacks):
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:  # a free GET, paced at one per 3 s: it may wait, never past the deadline
                ready_ids = await asyncio.wait_for(model.client.atasks_ready(engine), left)
            except _STOPS_RUN as error:
                ctx.stop = error
                return
            except TimeoutError:
                return
            except DataForSEOError:
                ready_ids = []
        batch = collect_batch(opened, ready_ids, again)
        sweep = False
        if not batch:
            idle += 1
            sweep = idle >= IDLE_ROUNDS_BEFORE_SWEEP
            idle = 0 if sweep else idle
            await asyncio.sleep(model.poll_interval)
            continue
        idle = 0
        wait = round_wait(ctx.collect_round, len(batch), model.calls_per_minute)
        left = wait if deadline is None else deadline - time.monotonic()
        with keep_raw_tasks() as kept:
            results = await model.acollect(
                batch, return_exceptions=True, max_wait=max(min(wait, left), 0.1)
            )
        again = set()
        answers = []
        for handle, result in zip(batch, results, strict=True):
            tag = str(handle.tag)
            if isinstance(result, AIMessage):
                answers.append((tag, raw_task_of(result, tag, kept), result_cost(result)))
                opened.pop(tag, None)
            elif isinstance(result, DataForSEOTaskPendingError):
                if ready_ids is not None:  # listed as finished, so fetched maybe in vain
                    again.add(tag)
            elif isinstance(result, _STOPS_RUN):
                ctx.stop = result
            else:
                _failure(ctx, tag, result, created=True, kept=kept)
                opened.pop(tag, None)
        if answers:
            ctx.store.record_results(ctx.run_id, answers)
        ctx.report()
        if callbacks:
            await asyncio.sleep(model.poll_interval)


async def _run_live(
    ctx: _Context, engine: str, model: ChatDataForSEO, tasks: Sequence[TaskRecord]
) -> None:
    """Run each task Live: intent recorded first, the answer or failure as soon as it comes."""
    gate = asyncio.Semaphore(ctx.concurrency)

    async def one(task: TaskRecord) -> None:
        async with gate:
            if ctx.stop is not None:
                return
            ctx.store.record_intent(ctx.run_id, [task.tag])
            try:
                with keep_raw_tasks() as kept:
                    message = await model.ainvoke(task.prompt, tag=task.tag)
            except DataForSEOBudgetError:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                return
            except _STOPS_RUN as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                ctx.stop = error
                return
            except DataForSEOInputError as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag])
                _failure(ctx, task.tag, error, created=False)
                return
            except DataForSEOError as error:
                if not outcome_unknown(error):  # a verdict: failed, at the cost it names
                    created = error.task_id is not None
                    _failure(ctx, task.tag, error, created=created, kept=kept)
                ctx.report()
                return  # else: in doubt (it may have run and been charged)
            if not isinstance(message, AIMessage):  # pragma: no cover - ainvoke's contract
                return
            tag = task.tag
            ctx.store.record_results(
                ctx.run_id, [(tag, raw_task_of(message, tag, kept), result_cost(message))]
            )
            ctx.report()

    await asyncio.gather(*(one(task) for task in tasks))


def estimate_run(
    panel: Panel,
    store: VisibilityStore,
    *,
    run_id: str,
    method: str = "standard",
    max_cost_per_call: float | None = None,
    repost_in_doubt: bool = False,
) -> RunEstimate:
    """The worst-case estimate of a run in the store (nothing is created or posted).

    Args:
        panel: The panel.
        store: The store.
        run_id: The run; a run not in the store is estimated as new.
        method: ``standard`` or ``live``.
        max_cost_per_call: The per-task figure replacing the estimate.
        repost_in_doubt: Whether tasks in doubt will be posted again.

    Returns:
        The estimate.
    """
    known = {info.run_id for info in store.runs()}
    if run_id in known:
        tasks = store.tasks(run_id)
    else:
        tasks = [
            TaskRecord(
                tag=f"{run_id}:p{p}:{engine}:s{s}",
                prompt_index=p,
                prompt=prompt,
                engine=engine,
                model=model,
                sample=s,
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
            )
            for p, prompt in enumerate(panel.prompts)
            for engine, model in panel.engines.items()
            for s in range(panel.samples)
        ]
    return plan_estimate(
        panel,
        tasks,
        method,
        run_id=run_id,
        max_cost_per_call=max_cost_per_call,
        repost_in_doubt=repost_in_doubt,
    )


def _check_method(method: str) -> None:
    if method not in METHODS:
        msg = f"method must be 'standard' or 'live', got {method!r}."
        raise DataForSEOInputError(msg, field="method", limit=METHODS, actual=method)


def _refuse(estimate: RunEstimate, max_cost: float) -> DataForSEOBudgetError:
    msg = (
        f"Budget: {estimate.describe(max_cost)}. The worst case passes max_cost, so nothing "
        "was posted. Raise max_cost, set max_cost_per_call to what a task really costs, or "
        "measure fewer prompts, engines or samples."
    )
    return DataForSEOBudgetError(
        msg, spent=estimate.committed, max_cost=max_cost, needed=estimate.to_post_cost
    )


async def arun_panel(
    panel: Panel,
    store: VisibilityStore,
    *,
    run_id: str | None = None,
    method: str = "standard",
    max_cost: float | None = None,
    max_cost_per_call: float | None = None,
    on_progress: ProgressCallback | None = None,
    on_estimate: Callable[[RunEstimate], None] | None = None,
    repost_in_doubt: bool = False,
    recover_wait: float = 60.0,
    max_wait: float = 900.0,
    collect_round: float = 15.0,
    collect: bool = True,
    concurrency: int = 30,
    tasks_per_post: int = 100,
    progress_interval: float = 1.0,
    **model_options: Any,
) -> str:
    """Async :func:`run_panel`.

    Returns:
        The run id.
    """
    _check_method(method)
    if max_cost is not None and max_cost < 0:
        msg = f"max_cost must be >= 0, got {max_cost!r}."
        raise DataForSEOInputError(msg, field="max_cost", limit=">= 0", actual=max_cost)
    if concurrency < 1:
        msg = f"concurrency must be >= 1, got {concurrency!r}."
        raise DataForSEOInputError(msg, field="concurrency", limit=">= 1", actual=concurrency)
    if not 1 <= tasks_per_post <= TASKS_PER_POST:
        msg = f"tasks_per_post must be 1 to {TASKS_PER_POST}, got {tasks_per_post!r}."
        raise DataForSEOInputError(
            msg, field="tasks_per_post", limit=TASKS_PER_POST, actual=tasks_per_post
        )
    check_model_options(model_options)
    run = store.create_run(panel, run_id=run_id, method=method)
    recorded = store.run(run).method
    if recorded != method:
        msg = f"run {run!r} was started with method={recorded!r}; resume it with that method."
        raise VisibilityStoreError(msg, field="method", limit=recorded, actual=method)
    store.retry_unposted(run)
    tasks = store.tasks(run)
    estimate = plan_estimate(
        panel,
        tasks,
        method,
        run_id=run,
        max_cost_per_call=max_cost_per_call,
        repost_in_doubt=repost_in_doubt,
    )
    if on_estimate is not None:
        on_estimate(estimate)
    if max_cost is not None and estimate.total > max_cost + 1e-9:
        raise _refuse(estimate, max_cost)
    methods = {engine: engine_method(engine, method) for engine in panel.engines}
    for engine in panel.engines:
        await _probe(panel, engine, methods[engine], model_options)
    shares: dict[str, float | None] = dict.fromkeys(panel.engines)
    if max_cost is not None:
        available = max_cost - estimate.committed
        needs = {engine: estimate.per_engine.get(engine, 0.0) for engine in panel.engines}
        shares.update(budget_shares(available, needs))
    ctx = _Context(
        store=store,
        run_id=run,
        panel=panel,
        on_progress=on_progress,
        progress_interval=progress_interval,
        repost_in_doubt=repost_in_doubt,
        recover_wait=recover_wait,
        max_wait=max_wait,
        collect_round=collect_round,
        collect=collect,
        concurrency=concurrency,
        tasks_per_post=tasks_per_post,
    )
    jobs = []
    for engine in panel.engines:
        kind = methods[engine]
        model = _model(panel, engine, kind, shares[engine], max_cost_per_call, model_options)
        mine = [t for t in tasks if t.engine == engine and t.status == "pending"]
        if kind == "live":
            todo = [
                t for t in mine if t.task_id is None and (t.intent_at is None or repost_in_doubt)
            ]
            jobs.append(_run_live(ctx, engine, model, todo))
            continue
        ctx.posting[engine] = asyncio.Event()
        ctx.open_handles[engine] = {
            t.tag: TaskHandle(id=t.task_id, engine=engine, tag=t.tag, model_name=t.model)
            for t in mine
            if t.task_id is not None
        }
        todo = [t for t in mine if t.task_id is None]
        jobs.append(_post_standard(ctx, engine, model, todo))
        jobs.append(_collect_standard(ctx, engine, model))
    # Each journal record must survive a power cut too, not only a killed process: a lost
    # intent would make a paid task look never posted.
    previous = store.connection.execute("PRAGMA synchronous").fetchone()[0]
    store.connection.execute("PRAGMA synchronous=FULL")
    try:
        await asyncio.gather(*jobs)
    finally:
        store.connection.execute(f"PRAGMA synchronous={int(previous)}")
        if on_progress is not None:
            on_progress(progress_of(store, run, final=True))
    if ctx.stop is not None:
        raise ctx.stop
    if not store.tasks(run, "pending"):
        store.finish_run(run)
    return run


def run_panel(
    panel: Panel,
    store: VisibilityStore,
    *,
    run_id: str | None = None,
    method: str = "standard",
    max_cost: float | None = None,
    max_cost_per_call: float | None = None,
    on_progress: ProgressCallback | None = None,
    on_estimate: Callable[[RunEstimate], None] | None = None,
    repost_in_doubt: bool = False,
    recover_wait: float = 60.0,
    max_wait: float = 900.0,
    collect_round: float = 15.0,
    collect: bool = True,
    concurrency: int = 30,
    tasks_per_post: int = 100,
    progress_interval: float = 1.0,
    **model_options: Any,
) -> str:
    """Collect a panel's answers into the store: resumable, within ``max_cost``.

    One task per (prompt, engine, sample), Standard by default (Live for Perplexity, or
    every engine with ``method="live"``). Before anything is posted the engines' settings
    are checked against their catalogues and the worst case of what is left to post is
    estimated; it is refused (:class:`DataForSEOBudgetError`, nothing posted) when, with
    what the run has already committed, it passes ``max_cost``. Started tasks never pass
    ``max_cost`` either: each engine's model gets its share as its own budget.

    Run it again with the same ``run_id`` (after a crash, Ctrl-C, or from another process
    within the 72 h of ``tasks_ready``): what was never posted is posted, what was posted
    is collected, nothing is posted twice. Tasks in doubt (posted without a verdict) are
    looked up by tag (Standard) or left pending (Live) unless ``repost_in_doubt=True``.
    Tasks refused at posting (not created, not charged) are posted again.

    Args:
        panel: The panel.
        store: The store (the run's tasks, journal and answers).
        run_id: The run id; a new random one by default. An existing id resumes the run.
        method: ``standard`` (default) or ``live``.
        max_cost: Cap in USD for the whole run, resumed parts included.
        max_cost_per_call: USD reserved per task instead of the worst-case estimate.
        on_progress: Called with a :class:`Progress` as results come (at most once per
            ``progress_interval`` seconds) and once at the end (``final=True``).
        on_estimate: Called with the :class:`RunEstimate` before anything is posted.
        repost_in_doubt: Post again the tasks in doubt (they may then be paid twice).
        recover_wait: Seconds to look for Standard tasks in doubt in ``tasks_ready``.
        max_wait: Seconds to keep collecting Standard tasks after the last post; what is
            not finished then stays pending (run again to collect it).
        collect_round: Seconds of each collecting round (results are recorded after each).
        collect: Collect posted Standard tasks (default). ``False`` only posts: for
            postback delivery (``postback_url=`` among the model options) with a receiver
            that writes into the store; a later run with the same id collects what no
            postback delivered.
        concurrency: Posts or Live calls in flight per engine.
        tasks_per_post: Standard tasks in one ``task_post`` (1 to 100, default 100).
        progress_interval: Seconds between progress reports.
        **model_options: Passed to every ``ChatDataForSEO`` (credentials, ``base_url``,
            ``poll_interval``, ``calls_per_minute``, ``http_client``, ...).

    Returns:
        The run id.

    Raises:
        DataForSEOBudgetError: The estimate passes ``max_cost`` (nothing posted).
        DataForSEOInputError: A setting or model an engine refuses (nothing posted).
        VisibilityStoreError: A run id used by another panel or method.
        DataForSEOAuthenticationError: Credentials refused (the run stops; resumable).
    """
    return asyncio.run(
        arun_panel(
            panel,
            store,
            run_id=run_id,
            method=method,
            max_cost=max_cost,
            max_cost_per_call=max_cost_per_call,
            on_progress=on_progress,
            on_estimate=on_estimate,
            repost_in_doubt=repost_in_doubt,
            recover_wait=recover_wait,
            max_wait=max_wait,
            collect_round=collect_round,
            collect=collect,
            concurrency=concurrency,
            tasks_per_post=tasks_per_post,
            progress_interval=progress_interval,
            **model_options,
        )
    )
