"""A panel run's context and its API-surface drivers (the app surface's are ``_run_app``).

The drivers and the orchestrator (``_run``) work on one :class:`RunContext`: the store,
the run's settings, the stop signal (an error after which no other task can succeed) and
progress reports.
Each API engine is an :class:`EngineRun`: its tasks built and checked by the pure request
builder, posted and collected through the Standard queue (``_standard.queue``) or sent
Live through the client, each within the engine's budget. No chat model is involved.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from langchain_core.messages import HumanMessage
from pydantic import SecretStr

from langchain_dataforseo._api.catalogue import ModelRecord, arecords
from langchain_dataforseo._api.cost_bounds import (
    check_max_cost_per_call,
    checked_cost,
    outcome_unknown,
    reservation,
)
from langchain_dataforseo._api.envelope import as_dict, as_int, as_list
from langchain_dataforseo._api.fields import DEFAULT_MAX_RETRIES, HistoryPolicy
from langchain_dataforseo._api.request import RequestBase, build_request
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import alive_call
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.protocol import CollectState
from langchain_dataforseo._standard.queue import acollect, apost, arecover, queue_context
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo._transport.retry import RetryPolicy
from langchain_dataforseo.costs import record
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOBudgetError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOPaymentError,
    DataForSEOTaskInDoubtError,
)
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


CLIENT_OPTIONS: Final = frozenset(
    {"login", "dataforseo_login", "password", "dataforseo_password", "api_key", "base_url"}
    | {"timeout", "max_retries", "retry_base_delay", "models_cache_ttl", "calls_per_minute"}
    | {"http_client", "http_async_client", "max_response_bytes"}
)
"""Model options that configure the run's client (as ``ChatDataForSEO``'s fields do)."""
TASK_OPTIONS: Final = frozenset(
    {"validate_model", "poll_interval", "pingback_url", "postback_url", "history_policy"}
)
"""Model options that shape the run's tasks and polling."""
RUN_OPTIONS: Final = CLIENT_OPTIONS | TASK_OPTIONS


@dataclass(frozen=True)
class RunOptions:
    """The run's ``**model_options``, checked: its client and how its tasks are built.

    Attributes:
        client: The run's client (credentials, base URL, pools, pacing).
        poll_interval: Seconds between polls.
        validate_model: Check each engine's model against its catalogue before posting.
        history_policy: How a prompt over the API's limits is handled.
        callbacks: ``pingback_url`` / ``postback_url`` (``None`` each when unset); kept
            out of the repr (they usually carry the receiver's secret).
    """

    client: DataForSEOClient
    poll_interval: float = 3.0
    validate_model: bool = True
    history_policy: HistoryPolicy = "error"
    callbacks: Mapping[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> RunOptions:
        """Check the options and build the client (no request is made).

        Raises:
            DataForSEOInputError: An option ``run_panel`` does not take, or a bad value.
        """
        for name, value in options.items():
            if name not in RUN_OPTIONS:
                allowed = ", ".join(sorted(RUN_OPTIONS))
                msg = f"{name} is not a model option of run_panel; it takes: {allowed}."
                raise DataForSEOInputError(msg, field=name, limit=allowed, actual=value)
        poll = options.get("poll_interval", 3.0)
        if not (isinstance(poll, int | float) and math.isfinite(poll) and poll > 0):
            msg = f"poll_interval must be a number of seconds > 0, got {poll!r}."
            raise DataForSEOInputError(msg, field="poll_interval", limit="> 0", actual=poll)
        policy = options.get("history_policy", "error")
        if policy not in ("error", "trim", "pack"):
            msg = f"history_policy must be 'error', 'trim' or 'pack', got {policy!r}."
            raise DataForSEOInputError(
                msg, field="history_policy", limit=("error", "trim", "pack"), actual=policy
            )
        given = {k: v for k, v in options.items() if k in CLIENT_OPTIONS}
        login = given.pop("dataforseo_login", None)
        password = given.pop("dataforseo_password", None)
        given.setdefault("login", login)
        given.setdefault("password", password)
        secret = given.get("password")
        if isinstance(secret, SecretStr):
            given["password"] = secret.get_secret_value()
        if isinstance(given.get("api_key"), str):
            given["api_key"] = SecretStr(given["api_key"])
        retries = given.pop("max_retries", DEFAULT_MAX_RETRIES)
        delay = given.pop("retry_base_delay", 0.5)
        client = DataForSEOClient(retry=RetryPolicy(max_retries=retries, base_delay=delay), **given)
        callbacks = {
            name: _revealed(options.get(name)) for name in ("pingback_url", "postback_url")
        }
        return cls(
            client,
            float(poll),
            bool(options.get("validate_model", True)),
            policy,
            callbacks,
        )

    @property
    def has_callbacks(self) -> bool:
        """Whether the tasks carry a pingback or postback URL (never in ``tasks_ready``)."""
        return any(url is not None for url in self.callbacks.values())


def _revealed(url: object) -> str | None:
    """A callback URL as sent (a ``SecretStr`` revealed only into the task)."""
    if url is None:
        return None
    return url.get_secret_value() if isinstance(url, SecretStr) else str(url)


@dataclass(frozen=True)
class EngineRun:
    """One engine's API surface in a run: how its tasks are built, posted and paid for.

    Attributes:
        engine: The engine.
        model: The model name the panel gives it.
        method: ``standard`` or ``live``.
        queue: The Standard queue's context (its client, budget and reservations).
        base: What every task of the engine is built from (the panel's settings).
        records: The engine's model catalogue (``None``: not checked against one).
    """

    engine: str
    model: str
    method: str
    queue: StandardContext
    base: RequestBase = field(repr=False)  # holds the callback URLs, revealed
    records: list[ModelRecord] | None = field(default=None, repr=False)

    @property
    def budget(self) -> Budget:
        """The engine's budget (its share of ``max_cost``)."""
        return self.queue.budget

    def task(self, prompt: str, tag: str) -> dict[str, Any]:
        """The API task of one prompt, checked (the pure request builder).

        Raises:
            DataForSEOInputError: Anything the API would refuse, named as the panel's
                ``engines.<engine>``.
        """
        try:
            task, _notes = build_request(
                self.base,
                [HumanMessage(prompt)],
                None,
                {"tag": tag},
                self.records,
                standard=self.method == "standard",
            )
        except DataForSEOInputError as error:
            msg = f"engines.{self.engine} ({self.model!r}): {error}"
            raise DataForSEOInputError(
                msg, field=f"engines.{self.engine}", limit=error.limit, actual=error.actual
            ) from error
        return task


async def engine_run(
    panel: Panel,
    engine: str,
    method: str,
    share: float | None,
    max_cost_per_call: float | None,
    options: RunOptions,
) -> EngineRun:
    """One engine's API surface, its settings checked against its catalogue; nothing is sent.

    The catalogue is a free call (once per client, cached); a task of the panel's first
    prompt is built and checked as every task will be, so a model or setting the engine
    refuses raises here, before anything is posted.

    Raises:
        DataForSEOInputError: A model or setting the engine refuses (``engines.<engine>``).
        DataForSEOAuthenticationError: Refused credentials (when validating).
    """
    per_call = max_cost_per_call
    if share is not None and per_call is not None and share < per_call:
        per_call = None  # as a model with that share: the estimate instead
    check_max_cost_per_call(per_call, share, method)  # below one task's price: refused
    client = options.client
    records = await arecords(engine, options.validate_model, partial(client.alist_models, engine))
    model = panel.engines[engine]
    base = RequestBase(
        engine=engine,
        history_policy=options.history_policy,
        defaults={"model_name": model, **panel.task_settings(engine)},
        callbacks=dict(options.callbacks),
        stop=None,
        validate_model=options.validate_model,
    )
    standard = method == "standard"
    queue = queue_context(
        engine=engine,
        model=model,
        client=client,
        budget=Budget(share),
        reservation=lambda task: reservation(engine, task, per_call, standard),
        poll_interval=options.poll_interval,
        callbacks=options.has_callbacks,
    )
    run = EngineRun(engine, model, method, queue, base, records)
    run.task(panel.prompts[0], "check")
    return run


async def check_engine(panel: Panel, engine: str, method: str, options: Mapping[str, Any]) -> None:
    """Check an engine's model and settings against its catalogue (nothing is posted).

    Raises:
        DataForSEOInputError: Naming ``engines.<engine>``.
    """
    await engine_run(panel, engine, method, None, None, RunOptions.of(options))


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
    raw_task: Mapping[str, Any] | None = None,
) -> None:
    """Record a failed task; a task never created stays retryable (no task id).

    The task JSON is the one the API sent (``raw_task``) where the queue read one, else
    the error's code and message under the task's id.
    """
    if isinstance(error, DataForSEOError):
        code = error.status_code
        task_id = error.task_id if created else None
        cost = checked_cost(error.cost) if error.cost is not None else None
    else:
        code, task_id, cost = None, None, None  # a cost not known keeps what was recorded
    raw = None
    if task_id is not None:
        raw = (
            dict(raw_task)
            if raw_task is not None
            else {
                "id": task_id,
                "status_code": code,
                "status_message": str(error),
            }
        )
    ctx.store.record_failure(ctx.run_id, tag, code, str(error), raw_task=raw, cost=cost)


LiveAnswer = Callable[[TaskRecord], Awaitable[tuple[Any, Any]]]
"""One Live call of a surface: given the task, the raw task JSON the API sent (to record)
and its cost (``None``: the task's own ``cost``)."""


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
            # a repost of a task in doubt gets back only this call's reservation if refused
            reserve = {task.tag: ctx.reservation(task)}
            if not store.claim_intent(
                ctx.run_id,
                [task.tag],
                ctx.owner,
                lease_seconds=ctx.lease_seconds,
                reserve=reserve,
                max_cost=ctx.max_cost,
            ):
                return  # another driver holds it or posted it, or the run's cap is reached
            try:
                raw, cost = await answer(task)
            except DataForSEOBudgetError:
                ctx.store.clear_intent(ctx.run_id, [task.tag], reserve=reserve)
                return
            except STOPS_RUN as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag], reserve=reserve)
                ctx.stop = error
                return
            except DataForSEOInputError as error:
                ctx.store.clear_intent(ctx.run_id, [task.tag], reserve=reserve)
                if task.intent_at is None:  # a repost's first call stays in doubt
                    record_failure(ctx, task.tag, error, created=False)
                return
            except DataForSEOError as error:
                if not outcome_unknown(error):  # a verdict: failed, at the cost it names
                    created = error.task_id is not None
                    raw = error.raw_task
                    record_failure(ctx, task.tag, error, created=created, raw_task=raw)
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


# -- the API surface's drivers: Standard on the queue, or Live ------------------------------

TASKS_PER_POST: Final = 100
"""Tasks in one ``task_post`` (the API's most)."""


async def recover(ctx: RunContext, run: EngineRun, tags: Sequence[str]) -> set[str]:
    """Look the engine's tags in doubt up in ``tasks_ready`` (one shared look-up).

    Found tags get their handle (recorded in the store, then collected); the others
    are returned, still in doubt.
    """
    journal = StoreJournal(
        ctx.store, ctx.run_id, tags, owner=ctx.owner, lease_seconds=ctx.lease_seconds
    )
    found, recovery = await arecover(run.queue, tags, wait=ctx.recover_wait, journal=journal)
    if isinstance(recovery.error, STOPS_RUN):
        ctx.stop = recovery.error
    ctx.open_handles[run.engine].update({str(h.tag): h for h in found})
    return set(recovery.missing)


async def post_standard(ctx: RunContext, run: EngineRun, tasks: Sequence[TaskRecord]) -> None:
    """Post each task never posted (journaled by tag); look tasks in doubt up by tag first."""
    engine = run.engine
    gate = asyncio.Semaphore(ctx.concurrency)
    opened = ctx.open_handles[engine]
    doubt = [t.tag for t in tasks if t.intent_at is not None]
    missing = await recover(ctx, run, doubt) if doubt and ctx.stop is None else set()
    tasks = [t for t in tasks if t.intent_at is None or (t.tag in missing and ctx.repost_in_doubt)]

    async def post(chunk: Sequence[TaskRecord]) -> None:
        if ctx.stop is not None:
            return
        async with gate:
            if ctx.stop is not None:
                return
            chunk = take_unsent(ctx, chunk)
            if not chunk:
                return
            try:  # one request for up to 100 tasks, each with its own tag
                bodies = [run.task(task.prompt, task.tag) for task in chunk]
                items = await apost(
                    run.queue,
                    bodies,
                    ctx.journal(chunk),
                    repost_in_doubt=ctx.repost_in_doubt,
                )
            except LEFT_UNSENT:
                return  # refused before posting: stays unsent
            except STOPS_RUN as error:
                ctx.stop = error
                return
            for task, item in zip(chunk, items, strict=True):
                if isinstance(item, TaskHandle):
                    opened[task.tag] = item
                elif isinstance(item, (DataForSEOTaskInDoubtError, *LEFT_UNSENT)):
                    pass  # the journal keeps it in doubt, or it was never sent
                elif isinstance(item, STOPS_RUN):
                    ctx.stop = item
                elif isinstance(item, DataForSEOError) and outcome_unknown(item):
                    pass
                elif task.intent_at is not None:
                    pass  # a repost refused: its first post stays in doubt (maybe paid)
                else:
                    record_failure(ctx, task.tag, item, created=False)
            ctx.report()

    size = ctx.tasks_per_post
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    try:
        await asyncio.gather(*(post(chunk) for chunk in chunks))
    finally:
        ctx.posting[engine].set()


async def collect_standard(ctx: RunContext, run: EngineRun) -> None:
    """Collect the engine's open handles with the queue's polling; record each round.

    Each round (``collect_round`` seconds) is the queue's ``acollect``: ``tasks_ready``,
    then one ``task_get`` per listed task of ours. Handles known when the run starts
    (posted by an earlier run, maybe fetched once already, so no longer listed) are
    fetched directly in the first round; after that only a task whose GET failed is
    fetched directly again. No sweep of unfinished tasks: one ``task_get`` per task.
    """
    engine = run.engine
    opened = ctx.open_handles[engine]
    posting = ctx.posting[engine]
    state = CollectState()
    deadline: float | None = None
    first_sweep = bool(opened)  # resumed tasks: they may no longer be listed
    while ctx.stop is None and ctx.collect:
        if posting.is_set() and deadline is None:
            deadline = time.monotonic() + ctx.max_wait
        if not opened:
            if posting.is_set():
                return
            await asyncio.sleep(min(run.queue.poll_interval, 0.05))
            continue
        left = ctx.collect_round if deadline is None else deadline - time.monotonic()
        if left <= 0:
            return
        handles = list(opened.values())
        got = await acollect(
            run.queue,
            handles,
            max_wait=max(min(ctx.collect_round, left), 0.05),
            state=state,
            first_sweep=first_sweep,
        )
        first_sweep = False
        if isinstance(got.error, STOPS_RUN):
            ctx.stop = got.error
        tags = {h.id: str(h.tag) for h in handles}
        answers = []
        for task_id, task in got.done.items():
            tag = tags[task_id]
            answers.append((tag, task, got.costs[task_id]))
            opened.pop(tag, None)
        for task_id, error in got.failed.items():
            tag = tags[task_id]
            raw = got.failed_tasks.get(task_id)
            record_failure(ctx, tag, error, created=True, raw_task=raw)
            opened.pop(tag, None)
        if answers:
            ctx.store.record_results(ctx.run_id, answers)
        ctx.report()


def _usage(task: dict[str, Any]) -> dict[str, int]:
    """The token counts of a task's first result (0 where not given)."""
    result = as_dict((as_list(task.get("result")) or [{}])[0])
    return {
        name: as_int(result.get(name)) or 0
        for name in ("input_tokens", "output_tokens", "reasoning_tokens")
    }


async def run_live(ctx: RunContext, run: EngineRun, tasks: Sequence[TaskRecord]) -> None:
    """Run each task Live (see :func:`run_live_tasks`): one POST, within the engine's budget."""
    client = run.queue.client

    async def answer(task: TaskRecord) -> tuple[Any, Any]:
        body = run.task(task.prompt, task.tag)
        line = (run.engine, run.model)
        raw = await alive_call(
            run.budget,
            line,
            client.check_credentials,
            lambda: client.alive(run.engine, body),
            run.queue.reservation(body),
        )
        cost = float(raw["cost"])  # settled by alive_call: a believable cost
        task_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        record(run.engine, run.model, cost, **_usage(raw), task_id=task_id)
        return raw, cost

    await run_live_tasks(ctx, tasks, answer)
