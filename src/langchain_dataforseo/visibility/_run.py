"""``run_panel``: collect a panel's answers into the store, resumable, within a cost cap.

One task per (prompt, engine, sample), tagged ``RUN:pI:ENGINE:sN:DIGEST``
(:func:`make_tag`), so the store, the journal and the API agree on every task. Standard
by default (Live for Perplexity, which has no Standard method, or for every engine with
``method="live"``).

Before anything is posted:

1. each engine's settings are checked by the pure request builder against the engine's
   model catalogue (a free call): a task of the first prompt is built as every task will
   be, so a model or setting the engine refuses raises before any post;
2. the worst-case cost of what is left to post is estimated with the package's
   ``_cost_bounds`` (plus what the run has already committed) and refused with
   :class:`DataForSEOBudgetError` when it would pass ``max_cost``;
3. the remaining budget is split between the engines' models in proportion to their
   estimates, so the models' own caps keep the started tasks within ``max_cost``.

Standard tasks go through the Standard queue (``_standard.queue``: ``apost`` with
``journal=StoreJournal(...)``, ``arecover`` by tag, ``acollect``: one ``task_get`` per
task); Live tasks one per POST through the client, each intent recorded before the call.
No chat model is involved: raw task dicts in, raw task dicts out. A
re-run with the same run id posts only the tasks never posted: posted ones are collected,
tasks in doubt (a post without a verdict, a Live call without an answer) are looked up by
tag (Standard) or left alone (Live) unless ``repost_in_doubt=True``.

Several calls (processes, machines) may drive one run at once: each works in rounds on
the tasks it holds a lease on (``VisibilityStore.claim``), so each task is posted once;
one that finds tasks held by another waits for them and takes over what is left.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo.errors import DataForSEOBudgetError, DataForSEOInputError
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._panel import Panel, input_error
from langchain_dataforseo.visibility._plan import (
    METHODS,
    HistoryKey,
    RunEstimate,
    app_bound,
    app_method,
    budget_key,
    budget_shares,
    check_model_options,
    engine_method,
    plan_estimate,
    planned_task,
    task_reservation,
)
from langchain_dataforseo.visibility._precision import check_precision, sample_to_target
from langchain_dataforseo.visibility._run_app import (
    AppEngine,
    collect_app,
    post_app,
    run_app_live,
)
from langchain_dataforseo.visibility._run_context import (
    TASKS_PER_POST,
    EngineRun,
    RunContext,
    RunOptions,
    collect_standard,
    engine_run,
    learned_reservation,
    post_standard,
    run_live,
)
from langchain_dataforseo.visibility._store import (
    ProgressCallback,
    TaskRecord,
    VisibilityStore,
    progress_of,
)
from langchain_dataforseo.visibility._store_tasks import LEASE_SECONDS, new_owner
from langchain_dataforseo.visibility._surfaces import API, APP

# --- The run's settings, checked ---
# The settings of one panel run: ``run_panel`` / ``arun_panel``'s keywords, checked once.
#
# Both entry points keep their public keywords; each gathers them into one
# :class:`RunSettings` (a frozen pydantic model, validated when it is built, before any
# store is touched or anything is sent) and passes it on. ``run_panel`` builds it before
# the event loop starts, so a bad setting is refused the same way from both.


MIN_LEASE_SECONDS: Final = 60.0
"""The shortest lease a run takes: renewals every third of it must outlast a store lock."""


class RunSettings(BaseModel):
    """What one call of ``run_panel`` / ``arun_panel`` was asked (see ``run_panel``'s Args).

    Built with :meth:`of`, which raises the package's :class:`DataForSEOInputError` (the
    field, the limit, the value), never pydantic's ``ValidationError``.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")

    run_id: str | None = None
    method: str = "standard"
    max_cost: float | None = None
    max_cost_per_call: float | None = None
    on_progress: ProgressCallback | None = None
    on_estimate: Callable[[RunEstimate], None] | None = None
    repost_in_doubt: bool = False
    recover_wait: float = 60.0
    max_wait: float = 900.0
    collect_round: float = 15.0
    collect: bool = True
    concurrency: int = 30
    tasks_per_post: int = 100
    progress_interval: float = 1.0
    lease_seconds: float = LEASE_SECONDS
    target_half_width: float | None = None
    max_samples: int | None = None
    # credentials and callback URLs (their secrets): never in the repr
    model_options: Mapping[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, **values: Any) -> RunSettings:
        """The settings, validated (the keywords of ``run_panel``; ``model_options`` apart).

        Raises:
            DataForSEOInputError: Naming the setting, its limit and the value given.
        """
        try:
            return cls(**values)
        except ValidationError as error:
            raise input_error(error) from None

    @field_validator("method")
    @classmethod
    def _method(cls, method: str) -> str:
        """``standard`` or ``live``."""
        if method not in METHODS:
            msg = f"method must be 'standard' or 'live', got {method!r}."
            raise DataForSEOInputError(msg, field="method", limit=METHODS, actual=method)
        return method

    @field_validator("max_cost")
    @classmethod
    def _max_cost(cls, max_cost: float | None) -> float | None:
        """A cap is >= 0."""
        if max_cost is not None and max_cost < 0:
            msg = f"max_cost must be >= 0, got {max_cost!r}."
            raise DataForSEOInputError(msg, field="max_cost", limit=">= 0", actual=max_cost)
        return max_cost

    @field_validator("concurrency")
    @classmethod
    def _concurrency(cls, concurrency: int) -> int:
        """At least one call in flight."""
        if concurrency < 1:
            msg = f"concurrency must be >= 1, got {concurrency!r}."
            raise DataForSEOInputError(msg, field="concurrency", limit=">= 1", actual=concurrency)
        return concurrency

    @field_validator("tasks_per_post")
    @classmethod
    def _tasks_per_post(cls, tasks_per_post: int) -> int:
        """1 to the API's 100 tasks in one ``task_post``."""
        if not 1 <= tasks_per_post <= TASKS_PER_POST:
            msg = f"tasks_per_post must be 1 to {TASKS_PER_POST}, got {tasks_per_post!r}."
            raise DataForSEOInputError(
                msg, field="tasks_per_post", limit=TASKS_PER_POST, actual=tasks_per_post
            )
        return tasks_per_post

    @field_validator("lease_seconds")
    @classmethod
    def _lease_seconds(cls, lease_seconds: float) -> float:
        """Long enough for renewals to outlast the store's lock wait."""
        if not (math.isfinite(lease_seconds) and lease_seconds >= MIN_LEASE_SECONDS):
            msg = (
                f"lease_seconds must be a finite number >= {MIN_LEASE_SECONDS:g} (well above "
                f"the store's 30 s lock wait), got {lease_seconds!r}."
            )
            raise DataForSEOInputError(
                msg,
                field="lease_seconds",
                limit=f">= {MIN_LEASE_SECONDS:g}",
                actual=lease_seconds,
            )
        return lease_seconds

    @field_validator("model_options")
    @classmethod
    def _model_options(cls, options: Mapping[str, Any]) -> Mapping[str, Any]:
        """Options for every engine's client, none the panel or the run decides."""
        check_model_options(options)
        return dict(options)


_log = logging.getLogger(__name__)


def estimate_run(
    panel: Panel,
    store: VisibilityStore | None,
    *,
    run_id: str,
    method: str = "standard",
    max_cost_per_call: float | None = None,
    repost_in_doubt: bool = False,
) -> RunEstimate:
    """The worst-case and expected cost of a run in the store (nothing is created or posted).

    The expected cost of a task to post is the store's average recorded cost for its
    engine, requested model and surface (any run), else documented average prices.

    Args:
        panel: The panel.
        store: The store; ``None`` estimates a new run with no history (documented
            average prices only).
        run_id: The run; a run not in the store is estimated as new.
        method: ``standard`` or ``live``.
        max_cost_per_call: The per-task figure replacing the estimate.
        repost_in_doubt: Whether tasks in doubt will be posted again.

    Returns:
        The estimate.
    """
    known = {info.run_id for info in store.runs()} if store is not None else set()
    tasks: Iterable[TaskRecord]
    if store is not None and run_id in known:
        tasks = store.tasks(run_id)
    else:
        tasks = (
            planned_task(panel, run_id, p, engine, surface, sample)
            for p, engine, surface, sample in panel.task_keys
        )
    return plan_estimate(
        panel,
        tasks,
        method,
        run_id=run_id,
        max_cost_per_call=max_cost_per_call,
        repost_in_doubt=repost_in_doubt,
        history=cost_history(store) if store is not None else None,
    )


def _open_run(store: VisibilityStore, panel: Panel, run_id: str, method: str) -> None:
    """Create the run (or check a stored one is this panel's, and method's) for posting.

    Tasks refused at posting by an earlier call (not created, not charged) become
    pending again.
    """
    store.create_run(panel, run_id=run_id, method=method)
    recorded = store.run(run_id).method
    if recorded != method:
        msg = f"run {run_id!r} was started with method={recorded!r}; resume it with that method."
        raise VisibilityStoreError(msg, field="method", limit=recorded, actual=method)
    store.retry_unposted(run_id)


def _admit(
    estimate: RunEstimate,
    max_cost: float | None,
    on_estimate: Callable[[RunEstimate], None] | None,
) -> None:
    """Report the estimate; refuse it when its worst case passes ``max_cost``."""
    if on_estimate is not None:
        on_estimate(estimate)
    if max_cost is not None and estimate.over_by(max_cost) is not None:
        raise _refuse(estimate, max_cost)


def _refuse(estimate: RunEstimate, max_cost: float) -> DataForSEOBudgetError:
    msg = (
        f"Budget: {estimate.describe(max_cost)}. The worst case passes max_cost by "
        f"${estimate.over_by(max_cost) or 0.0:.4f}, so nothing was posted. Raise max_cost, set "
        "max_cost_per_call to what a task really costs, or measure fewer prompts, engines or "
        "samples."
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
    lease_seconds: float = LEASE_SECONDS,
    target_half_width: float | None = None,
    max_samples: int | None = None,
    **model_options: Any,
) -> str:
    """Async :func:`run_panel`.

    Returns:
        The run id.
    """
    settings = RunSettings.of(
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
        lease_seconds=lease_seconds,
        target_half_width=target_half_width,
        max_samples=max_samples,
        model_options=model_options,
    )
    return await _arun_panel(panel, store, settings)


async def _arun_panel(panel: Panel, store: VisibilityStore, settings: RunSettings) -> str:
    """The run, with its settings checked once (:class:`RunSettings`)."""
    s = settings
    run_id, method, max_cost, max_cost_per_call = (
        s.run_id,
        s.method,
        s.max_cost,
        s.max_cost_per_call,
    )
    on_progress, on_estimate, repost_in_doubt = s.on_progress, s.on_estimate, s.repost_in_doubt
    lease_seconds, target_half_width, max_samples = (
        s.lease_seconds,
        s.target_half_width,
        s.max_samples,
    )
    model_options = dict(s.model_options)
    options = RunOptions.of(model_options)
    wanted_samples = check_precision(panel, target_half_width, max_samples)
    api_engines = [e for e in panel.engines if API in panel.surfaces_of(e)]
    app_engines = [e for e in panel.engines if APP in panel.surfaces_of(e)]
    methods = {engine: engine_method(engine, method) for engine in panel.engines}
    run = run_id or uuid.uuid4().hex[:12]
    fresh = not store.has_run(run)
    if not fresh:  # resumed: what it committed counts in the estimate
        _open_run(store, panel, run, method)
    # a new run is checked before it is created: one refused leaves nothing behind
    estimate = estimate_run(
        panel,
        store,
        run_id=run,
        method=method,
        max_cost_per_call=max_cost_per_call,
        repost_in_doubt=repost_in_doubt,
    )
    _admit(estimate, max_cost, on_estimate)
    keys = [budget_key(e, API) for e in api_engines] + [budget_key(e, APP) for e in app_engines]
    shares: dict[str, float | None] = dict.fromkeys(keys)
    if max_cost is not None and target_half_width is None:
        # each engine gets its share as its budget; sampling to a target spends where it
        # is needed, under the run's cap that every post checks (the store's run_spend)
        available = max_cost - estimate.committed
        needs = {key: estimate.per_engine.get(key, 0.0) for key in keys}
        shares.update(budget_shares(available, needs))
    # checked before anything is posted (and before a new run is created); built once:
    # their budgets (each engine's share of max_cost) hold across rounds
    engines = {
        engine: await engine_run(
            panel, engine, methods[engine], shares[engine], max_cost_per_call, options
        )
        for engine in api_engines
    }
    if fresh:
        _open_run(store, panel, run, method)
    owner = new_owner()
    ctx = RunContext(
        store=store,
        run_id=run,
        panel=panel,
        on_progress=on_progress,
        progress_interval=s.progress_interval,
        repost_in_doubt=repost_in_doubt,
        recover_wait=s.recover_wait,
        max_wait=s.max_wait,
        collect_round=s.collect_round,
        collect=s.collect,
        concurrency=s.concurrency,
        tasks_per_post=s.tasks_per_post,
        owner=owner,
        lease_seconds=lease_seconds,
        max_cost=max_cost,
        reservation=partial(
            learned_reservation,
            store,
            run,
            partial(task_reservation, panel, method=method, max_cost_per_call=max_cost_per_call),
        ),
    )
    apps = {
        engine: _app_engine(engine, method, shares, max_cost_per_call, options)
        for engine in app_engines
    }
    # Each journal record must survive a power cut too, not only a killed process: a lost
    # intent would make a paid task look never posted.
    previous = store.connection.execute("PRAGMA synchronous").fetchone()[0]
    store.connection.execute("PRAGMA synchronous=FULL")
    heartbeat = asyncio.create_task(_renew_leases(ctx))
    try:
        await _drive(ctx, engines, apps)
        if target_half_width is not None:
            await sample_to_target(
                ctx, partial(_drive, ctx, engines, apps), target_half_width, wanted_samples
            )
    finally:
        heartbeat.cancel()
        store.release_leases(run, owner)
        store.connection.execute(f"PRAGMA synchronous={int(previous)}")
        if on_progress is not None:
            on_progress(progress_of(store, run, final=True))
    if ctx.stop is not None:
        raise ctx.stop
    if not store.tasks(run, "pending"):
        store.finish_run(run)
    return run


async def _drive(
    ctx: RunContext, engines: Mapping[str, EngineRun], apps: Mapping[str, AppEngine]
) -> None:
    """Run rounds until nothing is left that this driver can take or wait for."""
    store, run, owner = ctx.store, ctx.run_id, ctx.owner
    deadline = time.monotonic() + ctx.max_wait
    while True:
        # every job runs to its end, whatever another raises: no lease is released, and
        # the store not left, while a call it started may still be paid
        outcomes = await asyncio.gather(*_round_jobs(ctx, engines, apps), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        # what this round leaves pending (in doubt, not collected in time) is free for
        # any driver, this one included, in its next round
        store.release_leases(run, owner)
        if failures:
            raise failures[0]
        held = store.held_elsewhere(run, owner)
        if ctx.stop is not None or not held or not ctx.collect:
            return
        if time.monotonic() >= deadline:
            _log.info("run %s: tasks still held by other drivers: %s", run, held)
            return
        # another driver holds tasks of this run: wait for it to finish them, and take
        # over what it leaves (its leases expired, or released unfinished)
        await asyncio.sleep(min(ctx.lease_seconds / 3, 5.0))


def _round_jobs(
    ctx: RunContext, engines: Mapping[str, EngineRun], apps: Mapping[str, AppEngine]
) -> list[Coroutine[Any, Any, None]]:
    """One round's jobs: the tasks this driver holds or can take, per engine and surface.

    Tasks started before (in doubt or posted) are claimed first; a task another live
    driver holds is left to it; unsent tasks are claimed as they are posted.
    """
    store, run, owner = ctx.store, ctx.run_id, ctx.owner
    for holder in store.break_dead_leases(run):
        _log.info("run %s: took over the tasks of %s (its process is gone)", run, holder)
    # tasks started before: posted ones to collect, and those in doubt to look up by tag
    # (once per driver: a second look-up of the same tags would find what the first did)
    started = [
        t.tag
        for t in store.tasks(run, "pending")
        if t.task_id or (t.intent_at is not None and t.tag not in ctx.looked_up)
    ]
    taken = store.claim(run, started, owner, lease_seconds=ctx.lease_seconds)
    ctx.looked_up.update(taken)
    tasks = [
        t
        for t in store.tasks(run, "pending")
        if t.lease_owner == owner or (t.intent_at is None and t.task_id is None)
    ]
    jobs: list[Coroutine[Any, Any, None]] = []
    for engine, api in engines.items():
        mine = [t for t in tasks if t.engine == engine and t.surface == API]
        if api.method == "live":
            todo = [
                t
                for t in mine
                if t.task_id is None and (t.intent_at is None or ctx.repost_in_doubt)
            ]
            jobs.append(run_live(ctx, api, todo))
            continue
        ctx.posting[engine] = asyncio.Event()
        ctx.open_handles[engine] = {
            t.tag: TaskHandle(id=t.task_id, engine=engine, tag=t.tag, model_name=t.model)
            for t in mine
            if t.task_id is not None
        }
        todo = [t for t in mine if t.task_id is None]
        jobs.append(post_standard(ctx, api, todo))
        jobs.append(collect_standard(ctx, api))
    for engine, app in apps.items():
        jobs.append(_app_job(ctx, app, [t for t in tasks if t.engine == engine]))
    return jobs


async def _renew_leases(ctx: RunContext) -> None:
    """Renew this driver's leases every third of their length while the run goes on.

    A renewal that fails (the store locked or full) is retried at the next beat; when
    none has succeeded for two thirds of a lease, the run stops before its leases can
    expire under it (what it started is kept, as at any stop).
    """
    last = time.monotonic()
    while True:
        await asyncio.sleep(ctx.lease_seconds / 3)
        try:
            ctx.store.renew_leases(ctx.run_id, ctx.owner, lease_seconds=ctx.lease_seconds)
        except (sqlite3.Error, VisibilityStoreError) as error:
            _log.warning("run %s: could not renew its leases: %s", ctx.run_id, error)
            if time.monotonic() - last >= ctx.lease_seconds * 2 / 3 and ctx.stop is None:
                msg = f"run {ctx.run_id!r}: its leases could not be renewed ({error})."
                ctx.stop = VisibilityStoreError(msg, field="lease", actual=str(error))
            continue
        last = time.monotonic()


def _app_engine(
    engine: str,
    method: str,
    shares: Mapping[str, float | None],
    max_cost_per_call: float | None,
    options: RunOptions,
) -> AppEngine:
    """One engine's app surface: the run's client and the engine's app budget."""
    kind = app_method(method)
    return AppEngine.of(
        engine,
        options.client,
        shares[budget_key(engine, APP)],
        app_bound(kind, max_cost_per_call),
        kind,
        options.poll_interval,
    )


async def _app_job(ctx: RunContext, app: AppEngine, tasks: Sequence[TaskRecord]) -> None:
    """One engine's app-surface tasks: Standard (post, then collect) or Live."""
    mine = [t for t in tasks if t.surface == APP and t.status == "pending"]
    if app.method == "live":
        todo = [
            t for t in mine if t.task_id is None and (t.intent_at is None or ctx.repost_in_doubt)
        ]
        await run_app_live(ctx, app, todo)
        return
    await post_app(ctx, app, [t for t in mine if t.task_id is None])
    await collect_app(ctx, app)


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
    lease_seconds: float = LEASE_SECONDS,
    target_half_width: float | None = None,
    max_samples: int | None = None,
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
    within the 72 h of ``tasks_ready``), even while another process drives it: what was
    never posted is posted, what was posted is collected, nothing is posted twice. Tasks
    in doubt (posted without a verdict) are looked up by tag (Standard) or left pending
    (Live) unless ``repost_in_doubt=True``.
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
        tasks_per_post: Standard tasks in one ``task_post`` (1 to 100, default 100), on both
            surfaces (LLM Responses and LLM Scraper).
        progress_interval: Seconds between progress reports.
        lease_seconds: How long this call's hold on a task lasts unless renewed (it is
            renewed every third of it while the call runs). Several calls (processes) may
            drive one run at once: each posts, recovers and collects only the tasks it
            holds, so no task is posted twice; a dead call's tasks are taken over once its
            leases expire (those in doubt are looked up by tag, never posted again).
        target_half_width: Sample to a precision target: after the panel's samples, keep
            adding samples per prompt, in waves and widest interval first, until each
            engine's prompt-level 95% interval of its mention rate is at most this
            half-width (for example ``0.05``), within ``max_cost``. When the spread between
            prompts alone is wider, more samples cannot help: it stops and warns
            (:class:`RunPrecisionWarning`) that more prompts are needed.
        max_samples: With ``target_half_width``, the most samples per prompt and engine
            (default: 30, or the panel's samples if more).
        **model_options: The run's client and task options, named as ``ChatDataForSEO``'s
            fields (credentials, ``base_url``, ``poll_interval``, ``calls_per_minute``,
            ``http_client``, ``validate_model``, ``postback_url``, ...); another name is
            refused before anything is sent.

    Returns:
        The run id.

    Raises:
        DataForSEOBudgetError: The estimate passes ``max_cost`` (nothing posted).
        DataForSEOInputError: A setting or model an engine refuses (nothing posted).
        VisibilityStoreError: A run id used by another panel or method.
        DataForSEOAuthenticationError: Credentials refused (the run stops; resumable).
    """
    settings = RunSettings.of(  # checked before the event loop starts
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
        lease_seconds=lease_seconds,
        target_half_width=target_half_width,
        max_samples=max_samples,
        model_options=model_options,
    )
    return asyncio.run(_arun_panel(panel, store, settings))


# --- What the store's measured tasks cost (the history the estimate prefers) ---


def cost_history(store: VisibilityStore) -> dict[HistoryKey, tuple[float, int]]:
    """The store's recorded costs: per (engine, requested model, surface), average and count.

    Only measured tasks with a recorded cost count, in any run of the store.

    Args:
        store: The store.

    Returns:
        Key -> ``(average USD, tasks)``.
    """
    rows = store.connection.execute(
        "SELECT engine, model, surface, AVG(cost), COUNT(*) FROM tasks "
        "WHERE status = 'measured' AND cost IS NOT NULL GROUP BY engine, model, surface"
    )
    return {(r[0], r[1], r[2]): (float(r[3]), int(r[4])) for r in rows}
