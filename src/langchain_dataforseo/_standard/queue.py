"""The Standard queue on raw task dicts: post (journaled), recover by tag, collect.

For callers that build their own tasks and keep the API's task objects (the visibility
panel run; later the LLM Scraper): no messages, no chat model. Tasks go in as the dicts
``task_post`` takes (each with its own ``tag``), and what comes back is the task objects
the API sent. The money rules are the queue's, as for the chat model's Standard path:
every post reserves its tasks' worst case in the context's budget and journals each
chunk's intent before it is sent; a collected task settles its held reservation at its
reported cost and is counted in ``track_costs`` as numbers.

Collecting makes one ``task_get`` per task: each round asks ``tasks_ready`` and fetches
the listed tasks that are ours; only the tasks whose GET failed, or that were listed yet
fetched unfinished, are fetched directly again (and, on request, every task in the first
round: tasks posted by an earlier process may have been fetched once and left
``tasks_ready``). There is no periodic sweep of unfinished tasks.

Sync and async share one code path: the protocol (:mod:`.protocol`: the submission, the
resume plan, the collect steps) is a generator of steps; only the drivers (below) differ.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import TYPE_CHECKING, Any, Final

from langchain_core.messages import BaseMessage

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.cost_bounds import believable_result_cost
from langchain_dataforseo._api.envelope import as_int
from langchain_dataforseo._api.redact import redact_stored_task
from langchain_dataforseo._api.results import standard_cost
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import Spend, settle_post
from langchain_dataforseo._standard.context import ChunkCharge, StandardContext
from langchain_dataforseo._standard.handle import (
    MAX_TASKS_PER_POST,
    STANDARD_POST_PRICE_USD,
    TaskHandle,
    generated_tag,
)
from langchain_dataforseo._standard.journal import LLM_RESPONSES, SubmitJournal, created_record
from langchain_dataforseo._standard.protocol import (
    AskReady,
    AskReadyTags,
    ChunkLog,
    CollectState,
    CollectStep,
    Item,
    Post,
    Recover,
    Recovery,
    Resume,
    chunk_results,
    chunks,
    collect_steps,
    prepared_steps,
    recover_steps,
)
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.costs import record, record_settled, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOResponseError,
    DataForSEOTaskPendingError,
)

if TYPE_CHECKING:
    from langchain_dataforseo._transport.client import DataForSEOClient


# --- The drivers: the blocking and the async calls ---
# Drivers of the Standard method: posting in chunks and performing the collect steps.
#
# The decisions live in ``_standard`` (pure); this module only performs their steps, once
# blocking and once async (each through :func:`~langchain_dataforseo._transport.drive.drive` /
# :func:`~langchain_dataforseo._transport.drive.adrive`): the calls and how they wait are all that
# differs.


_FETCH_CONCURRENCY = 16


class _AtCollect:
    """No charge at ``task_post``: the submission reserved up front (LLM Responses)."""

    per_post = MAX_TASKS_PER_POST

    def before(self, engine: str, chunk: Sequence[dict[str, Any]]) -> float:
        """Nothing to reserve per chunk."""
        return 0.0

    def after(self, reserved: float, answer: Any) -> Any:
        """Nothing to settle per chunk."""
        return answer

    def released(self, reserved: float) -> None:
        """Nothing was reserved."""

    def interrupted(self, reserved: float) -> None:
        """The submission holds its tasks' reservations itself."""

    def task_error(self, engine: str, error: DataForSEOError) -> DataForSEOError:
        """A task's refusal as it came."""
        return error


_AT_COLLECT: Final = _AtCollect()


def _chunk_done(
    log: ChunkLog,
    engine: str,
    chunk: list[dict[str, Any]],
    answer: Any,
    first: int,
    charge: ChunkCharge,
    reserved: float,
) -> list[TaskHandle | DataForSEOError]:
    """The handles (or errors) of one posted chunk, settled and journaled once known."""
    answer = charge.after(reserved, answer)
    results = [
        charge.task_error(engine, item) if isinstance(item, DataForSEOError) else item
        for item in chunk_results(engine, chunk, answer, first)
    ]
    log.after(engine, chunk, results)
    return results


def _refused(
    log: ChunkLog, engine: str, chunk: list[dict[str, Any]], charge: ChunkCharge
) -> tuple[float, DataForSEOError | None]:
    """Reserve the chunk (a charged one) and journal its intent; a refusal releases it."""
    reserved = charge.before(engine, chunk)
    refusal = _journal_refusal(log, engine, chunk)
    if refusal is not None:
        charge.released(reserved)
    return reserved, refusal


def post_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
    charge: ChunkCharge | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of 100 (or ``charge.per_post``); one handle or error per task.

    Each chunk's tags are journaled before it is posted and its handles as soon as they
    come back (``log``). A chunk whose POST got no verdict (a timeout or dropped
    connection after sending, an unreadable answer) may exist and be charged: its tasks
    become :class:`DataForSEOTaskInDoubtError` and are not retried. A failed chunk never
    hides the handles of the others. With a ``charge`` (tasks paid at ``task_post``),
    each chunk is reserved just before it is sent and settled from its answer.
    """
    log = log or ChunkLog(None)
    paid = charge or _AT_COLLECT
    out: list[TaskHandle | DataForSEOError] = []
    for chunk in chunks(tasks, paid.per_post):
        reserved, refusal = _refused(log, engine, chunk, paid)
        if refusal is not None:
            out.extend([refusal] * len(chunk))
            continue
        try:
            answer = _caught(client.task_post, engine, chunk)
        except BaseException:  # interrupted: the chunk may have been posted and charged
            paid.interrupted(reserved)
            raise
        out.extend(_chunk_done(log, engine, chunk, answer, len(out), paid, reserved))
    return out


async def apost_all(
    client: DataForSEOClient,
    engine: str,
    tasks: Sequence[dict[str, Any]],
    log: ChunkLog | None = None,
    charge: ChunkCharge | None = None,
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`post_all`; the chunks are posted concurrently.

    Chunks paid at ``task_post`` (a ``charge``) go one after another, each reserved
    just before it is sent: a budget that runs out stops the posting there.
    """
    chunk_log = log or ChunkLog(None)
    paid = charge or _AT_COLLECT
    parts = chunks(tasks, paid.per_post)
    starts = [sum(len(part) for part in parts[:i]) for i in range(len(parts))]

    async def post(chunk: list[dict[str, Any]], first: int) -> list[TaskHandle | DataForSEOError]:
        reserved, refusal = _refused(chunk_log, engine, chunk, paid)
        if refusal is not None:
            return [refusal] * len(chunk)
        try:
            answer = await _acaught(client.atask_post, engine, chunk)
        except BaseException:  # cancelled: the chunk may have been posted and charged
            paid.interrupted(reserved)
            raise
        return _chunk_done(chunk_log, engine, chunk, answer, first, paid, reserved)

    if charge is not None:
        done = [await post(c, f) for c, f in zip(parts, starts, strict=True)]
        return [result for part in done for result in part]
    answers = await asyncio.gather(*(post(c, f) for c, f in zip(parts, starts, strict=True)))
    return [result for part in answers for result in part]


def _journal_refusal(
    log: ChunkLog, engine: str, chunk: Sequence[dict[str, Any]]
) -> DataForSEOError | None:
    """Journal the chunk's intent; a journal's refusal (nothing is sent) as a value.

    A journal refuses a chunk by raising a ``DataForSEOError`` (the visibility store: its
    tasks are held by another driver, or the run's cap is reached): every task of the
    chunk then gets that error, refused before sending (its reservation is released).
    """
    try:
        log.before(engine, chunk)
    except DataForSEOError as refusal:
        return refusal
    return None


def _caught(call: Callable[..., Any], *args: Any) -> Any:
    """What a free or journaled call answered, or the API error it raised (as a value)."""
    try:
        return call(*args)
    except DataForSEOError as error:
        return error


async def _acaught(call: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Async :func:`_caught`."""
    try:
        return await call(*args)
    except DataForSEOError as error:
        return error


def recover_step(client: DataForSEOClient, step: AskReadyTags | Sleep) -> Any:
    """Perform one step of a look-up by tag (blocking); an API error is the answer."""
    if isinstance(step, Sleep):
        time.sleep(step.seconds)
        return None
    return _caught(client.tasks_ready_tagged, step.engine)


async def arecover_step(client: DataForSEOClient, step: AskReadyTags | Sleep) -> Any:
    """Async :func:`recover_step`."""
    if isinstance(step, Sleep):
        await asyncio.sleep(step.seconds)
        return None
    return await _acaught(client.atasks_ready_tagged, step.engine)


def drive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with blocking calls."""
    return drive(steps, partial(recover_step, client))


async def adrive_recover(
    client: DataForSEOClient, steps: Generator[AskReadyTags | Sleep, Any, Recovery]
) -> Recovery:
    """Perform a look-up by tag with async calls."""
    return await adrive(steps, partial(arecover_step, client))


def _collect_step(client: DataForSEOClient, pool: ThreadPoolExecutor, step: CollectStep) -> Any:
    if isinstance(step, Sleep):
        time.sleep(step.seconds)
        return None
    if isinstance(step, AskReady):  # a failure is an answer: collect_steps decides
        return _caught(client.tasks_ready, step.engine)
    contexts = [contextvars.copy_context() for _ in step.ids]  # each carries the deadline
    fetch = repeat(partial(_caught, client.task_get, step.engine))
    found = pool.map(contextvars.Context.run, contexts, fetch, step.ids)
    return dict(zip(step.ids, found, strict=True))


async def _acollect_step(
    client: DataForSEOClient, gate: asyncio.Semaphore, end: _ReadyEnd | None, step: CollectStep
) -> Any:
    if isinstance(step, Sleep):
        await asyncio.sleep(step.seconds)
        return None
    if isinstance(step, AskReady):
        if end is not None and not end.may_ask():
            return []  # its pacer would make it wait past the end: nothing listed
        return await _acaught(client.atasks_ready, step.engine)

    async def fetch_one(task_id: str) -> Any:
        async with gate:
            return await _acaught(client.atask_get, step.engine, task_id)

    found = await asyncio.gather(*(fetch_one(i) for i in step.ids))
    return dict(zip(step.ids, found, strict=True))


def drive_collect(
    client: DataForSEOClient, steps: Generator[CollectStep, Any, CollectState]
) -> CollectState:
    """Perform the collect protocol with blocking calls (``task_get`` in a thread pool)."""
    with ThreadPoolExecutor(max_workers=_FETCH_CONCURRENCY) as pool:
        return drive(steps, partial(_collect_step, client, pool))


class _ReadyEnd:
    """When a collection ends: a ``tasks_ready`` that its pacer would hold past it is skipped."""

    def __init__(self, end: float, interval: float) -> None:
        self.end = end
        self.interval = interval
        self.last: float | None = None

    def may_ask(self) -> bool:
        """Whether a ``tasks_ready`` now can go out before the end (its pacer's interval)."""
        now = time.monotonic()
        start = now if self.last is None else max(now, self.last + self.interval)
        if start > self.end:
            return False
        self.last = start
        return True


async def adrive_collect(
    client: DataForSEOClient,
    steps: Generator[CollectStep, Any, CollectState],
    end: float | None = None,
) -> CollectState:
    """Perform the collect protocol with async calls (``task_get`` gathered, gated).

    With an ``end`` (a ``time.monotonic`` time), a ``tasks_ready`` that its pacer (one
    call per 3 s) would hold past it is not made (the step answers an empty list).
    """
    gate = asyncio.Semaphore(_FETCH_CONCURRENCY * 2)
    ready_end = None
    if end is not None:
        pacer = client.tasks_ready_pacer
        ready_end = _ReadyEnd(end, pacer.window / pacer.limit)
    return await adrive(steps, partial(_acollect_step, client, gate, ready_end))


__all__ = [
    "CollectSettings",
    "Collected",
    "PaidAtPost",
    "acollect",
    "apost",
    "arecover",
    "collect",
    "post",
    "queue_context",
    "raw_outcomes",
    "recover",
    "tagged",
]


def _not_built(
    messages: Sequence[BaseMessage],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The raw queue is given built tasks: it never builds one from messages."""
    msg = "the raw Standard queue posts tasks built by its caller"
    raise TypeError(msg)


def queue_context(
    *,
    engine: str,
    model: str,
    client: DataForSEOClient,
    budget: Budget,
    reservation: Callable[[dict[str, Any]], float],
    poll_interval: float,
    callbacks: bool = False,
    max_wait: float = 900.0,
    charge: ChunkCharge | None = None,
) -> StandardContext:
    """The collaborators of raw posts and collections on one engine.

    Args:
        engine: The engine (a path segment of the API: ``chat_gpt``, ``claude``, ...).
        model: The cost line's model name in ``track_costs``.
        client: Sends the calls.
        budget: Reserves, holds and settles what the tasks may cost.
        reservation: What one task may cost at most.
        poll_interval: Seconds between polls.
        callbacks: The tasks carry a pingback / postback URL (never in ``tasks_ready``:
            every round fetches them directly).
        max_wait: Seconds a collection waits by default.
        charge: How tasks charged in full at ``task_post`` are paid (:class:`PaidAtPost`,
            the LLM Scraper); ``None``: held until collected (LLM Responses).

    Returns:
        The context.
    """
    return StandardContext(
        engine=engine,
        model=model,
        client=client,
        budget=budget,
        build=_not_built,
        reservation=reservation,
        poll_interval=poll_interval,
        max_wait=max_wait,
        callbacks=callbacks,
        charge=charge,
    )


@dataclass(frozen=True)
class PaidAtPost:
    """Tasks charged in full at ``task_post`` (the LLM Scraper): settled chunk by chunk.

    Each chunk reserves ``unit`` per task just before it is posted (a refusal of the
    budget stops the posting there) and settles from the post's answer to the created
    tasks' ``cost``; a chunk of unknown outcome stays reserved at its worst case.
    Collecting is then free: nothing is held.

    Attributes:
        spend: Budget and ``track_costs`` line.
        unit: Worst case reserved per task.
        per_post: Tasks in one ``task_post`` (1 to 100; the caller checks the range).
        refusal: What one task's refusal in a post answer means (the LLM Scraper: a
            40402 says the engine is not available, ``_client.not_available``).
    """

    spend: Spend
    unit: float
    per_post: int = MAX_TASKS_PER_POST
    refusal: Callable[[str, DataForSEOError], DataForSEOError] | None = None

    def before(self, engine: str, chunk: Sequence[dict[str, Any]]) -> float:
        """Reserve the chunk's worst case (raises ``DataForSEOBudgetError``)."""
        return self.spend.budget.reserve(len(chunk), self.unit, "LLM Scraper task_post")

    def after(self, reserved: float, answer: Any) -> Any:
        """Settle the chunk to its tasks' costs (or hold it when unknown)."""
        if not isinstance(answer, (list, DataForSEOError)):  # unreadable: in doubt
            self.spend.hold_unknown(reserved)
            return answer
        return settle_post(self.spend, reserved, answer)

    def released(self, reserved: float) -> None:
        """Release a chunk the journal refused (nothing sent)."""
        self.spend.budget.settle(reserved, 0.0)

    def interrupted(self, reserved: float) -> None:
        """Hold a chunk whose post was cut off."""
        self.spend.hold_unknown(reserved)

    def task_error(self, engine: str, error: DataForSEOError) -> DataForSEOError:
        """One task's refusal, said as what it means for the product."""
        return error if self.refusal is None else self.refusal(engine, error)


def tagged(tasks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every untagged task a deterministic tag (content hash and position).

    A post whose answer is lost can then be found again by tag in ``tasks_ready``.
    """
    return [t if t.get("tag") else {**t, "tag": generated_tag(t, i)} for i, t in enumerate(tasks)]


# -- post ---------------------------------------------------------------------------------


def _resume(
    journal: SubmitJournal | None, family: str, repost_in_doubt: bool, recover_wait: float
) -> Resume:
    return Resume(journal, repost_in_doubt, recover_wait, family)


def perform_post(ctx: StandardContext, step: Recover | Post) -> Any:
    """Perform one step of a submission (blocking): a look-up by tag, or the posts."""
    if isinstance(step, Recover):
        return drive_recover(ctx.client, step.steps)
    return post_all(ctx.client, ctx.engine, step.tasks, step.log, ctx.charge)


async def aperform_post(ctx: StandardContext, step: Recover | Post) -> Any:
    """Async :func:`perform_post` (the chunks posted concurrently)."""
    if isinstance(step, Recover):
        return await adrive_recover(ctx.client, step.steps)
    return await apost_all(ctx.client, ctx.engine, step.tasks, step.log, ctx.charge)


def post(
    ctx: StandardContext,
    tasks: Sequence[dict[str, Any]],
    journal: SubmitJournal | None = None,
    *,
    family: str = LLM_RESPONSES,
    repost_in_doubt: bool = False,
    recover_wait: float = 0.0,
) -> list[Item]:
    """Post raw tasks, 100 a request, each chunk journaled; one handle or error per task.

    Tags the journal already has a handle for are not posted again; tags it has in doubt
    are looked up by tag (``recover_wait`` seconds, at least one ``tasks_ready``) and
    posted again only with ``repost_in_doubt``. A journal that refuses a chunk's intent
    (by raising a ``DataForSEOError``) leaves it unsent: each of its tasks gets that
    error. Created tasks stay reserved in ``ctx.budget`` until collected.

    Args:
        ctx: The queue's context (:func:`queue_context`).
        tasks: The task dicts, each with its own ``tag``.
        journal: Where intents and handles are written.
        family: The API the journal's records are about (``llm_responses``, ...).
        repost_in_doubt: Post again the tasks in doubt the look-up did not find.
        recover_wait: Seconds to look tasks in doubt up by tag.

    Returns:
        One :class:`TaskHandle` or exception per task, in order.
    """
    resume = _resume(journal, family, repost_in_doubt, recover_wait)
    steps = prepared_steps(ctx, [(dict(t), {}) for t in tasks], True, resume)
    return drive(steps, partial(perform_post, ctx))


async def apost(
    ctx: StandardContext,
    tasks: Sequence[dict[str, Any]],
    journal: SubmitJournal | None = None,
    *,
    family: str = LLM_RESPONSES,
    repost_in_doubt: bool = False,
    recover_wait: float = 0.0,
) -> list[Item]:
    """Async :func:`post`; the chunks are posted concurrently."""
    resume = _resume(journal, family, repost_in_doubt, recover_wait)
    steps = prepared_steps(ctx, [(dict(t), {}) for t in tasks], True, resume)
    return await adrive(steps, partial(aperform_post, ctx))


# -- recover by tag -----------------------------------------------------------------------


def _found(
    ctx: StandardContext, recovery: Recovery, journal: SubmitJournal | None, family: str
) -> list[TaskHandle]:
    """The handles a look-up found, journaled (``recovered``) before they are returned."""
    handles = [
        TaskHandle(id=task_id, engine=ctx.engine, tag=tag, model_name=ctx.model)
        for tag, task_id in recovery.found.items()
    ]
    if journal is not None and handles:
        journal.append(created_record(handles, family=family, recovered=True))
    return handles


def recover(
    ctx: StandardContext,
    tags: Sequence[str],
    *,
    wait: float,
    journal: SubmitJournal | None = None,
    family: str = LLM_RESPONSES,
) -> tuple[list[TaskHandle], Recovery]:
    """Look tags in doubt up in ``tasks_ready`` (at least once, up to ``wait`` seconds).

    Args:
        ctx: The queue's context.
        tags: The tags in doubt.
        wait: Seconds to keep looking.
        journal: Where the handles found are written (``created``, ``recovered``).
        family: The journal records' family.

    Returns:
        The handles found, and the look-up (``missing`` tags are still in doubt; ``error``
        says why it stopped early).
    """
    steps = recover_steps(ctx.engine, tags, poll_interval=ctx.poll_interval, wait=wait)
    recovery = drive_recover(ctx.client, steps)
    return _found(ctx, recovery, journal, family), recovery


async def arecover(
    ctx: StandardContext,
    tags: Sequence[str],
    *,
    wait: float,
    journal: SubmitJournal | None = None,
    family: str = LLM_RESPONSES,
) -> tuple[list[TaskHandle], Recovery]:
    """Async :func:`recover`."""
    steps = recover_steps(ctx.engine, tags, poll_interval=ctx.poll_interval, wait=wait)
    recovery = await adrive_recover(ctx.client, steps)
    return _found(ctx, recovery, journal, family), recovery


# -- collect ------------------------------------------------------------------------------


@dataclass
class Collected:
    """What one collection brought in (each task once), settled in the budget.

    Attributes:
        done: Finished tasks: the task object the API sent, by task id.
        costs: What each finished task cost, by task id.
        failed: Tasks that ended in an error (or a cost that cannot be believed), by id.
        failed_tasks: The task objects the API sent for failed tasks, where it sent one.
        error: Why collecting stopped early (refused credentials, an unpaid account).
    """

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    failed: dict[str, Exception] = field(default_factory=dict)
    failed_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: Exception | None = None


@dataclass(frozen=True)
class CollectSettings:
    """How long and how often to poll.

    Attributes:
        max_wait: Seconds to wait in all; what is not done by then stays pending.
        poll_interval: Seconds between rounds (``tasks_ready``: one call per 3 s).
        first_wait: Seconds before the first round.
        use_tasks_ready: Ask ``tasks_ready`` which tasks are done; off for tasks posted
            with a ``pingback_url`` / ``postback_url`` (they never show there), which are
            then fetched directly each round.
    """

    max_wait: float = 600.0
    poll_interval: float = 5.0
    first_wait: float = 0.0
    use_tasks_ready: bool = True


def raw_outcomes(
    handles: Sequence[TaskHandle], collected: Collected, state: CollectState, label: str
) -> list[dict[str, Any] | DataForSEOError]:
    """One raw task object or error per handle, in order (pure).

    Args:
        handles: The handles collected.
        collected: What the collection brought in.
        state: The collection's state (what is still pending, and why).
        label: The product's name, for the pending message (``LLM Scraper``).

    Returns:
        The finished tasks' objects (as ``task_get`` gave them, with the
        ``pingback_url`` / ``postback_url`` that ``data`` echoes redacted); a failed
        task is its error, an unfinished one a ``DataForSEOTaskPendingError`` carrying its
        handle (collect it again later).
    """
    out: list[dict[str, Any] | DataForSEOError] = []
    for handle in handles:
        if handle.id in collected.done:  # the callback URLs its data echoes: hidden
            out.append(dict(redact_stored_task(collected.done[handle.id])))
        elif handle.id in collected.failed:
            error = collected.failed[handle.id]
            out.append(error if isinstance(error, DataForSEOError) else DataForSEOError(str(error)))
        else:
            why = collected.error or state.last_errors.get(handle.id)
            msg = f"{label} task {handle.id} is not finished yet" + (
                f" (last error: {why})." if why else "; collect its handle later."
            )
            out.append(DataForSEOTaskPendingError(msg, handle=handle, task_id=handle.id))
    return out


def _steps(
    ctx: StandardContext,
    handles: Sequence[TaskHandle],
    max_wait: float,
    state: CollectState,
    first_sweep: bool,
    first_wait: float = 0.0,
) -> Any:
    return collect_steps(
        handles,
        poll_interval=ctx.poll_interval,
        max_wait=max_wait,
        first_wait=first_wait,
        use_tasks_ready=not ctx.callbacks,
        sweep_first=first_sweep,
        state=state,
    )


def _model_of(handle: TaskHandle | None, ctx: StandardContext) -> str:
    return handle.model_name if handle is not None and handle.model_name else ctx.model


def _settle(
    ctx: StandardContext, state: CollectState, models: Mapping[str, TaskHandle]
) -> Collected:
    """Move what the state finished into a :class:`Collected`, settled and counted."""
    out = Collected(error=state.error)
    if ctx.charge is not None:  # paid in full when posted: nothing held, nothing to count
        out.done.update(state.done)
        out.failed.update(state.failed)
        out.failed_tasks.update(state.failed_tasks)
        _clear(state)
        return out
    for task_id, task in state.done.items():
        handle = models.get(task_id)
        if not believable_result_cost(task):
            held = ctx.budget.settle_held_unknown(task_id)
            at_most = STANDARD_POST_PRICE_USD if held is None else held
            record_unknown(ctx.engine, _model_of(handle, ctx), at_most, task_id)
            msg = (
                f"DataForSEO reported an unbelievable money_spent for Standard task "
                f"{task_id}; its answer is not trusted and it stays in the spend at its "
                "worst case."
            )
            out.failed[task_id] = DataForSEOResponseError(msg, task_id=task_id)
            continue
        result = task["result"][0]
        cost = standard_cost(float(result["money_spent"]))
        ctx.budget.settle_held(task_id, cost)
        record(
            ctx.engine,
            _model_of(handle, ctx),
            cost,
            input_tokens=as_int(result.get("input_tokens")) or 0,
            output_tokens=as_int(result.get("output_tokens")) or 0,
            reasoning_tokens=as_int(result.get("reasoning_tokens")) or 0,
            task_id=task_id,
        )
        out.done[task_id] = task
        out.costs[task_id] = cost
    for task_id, error in state.failed.items():
        cost = error.cost if isinstance(error, DataForSEOError) else 0.0
        ctx.budget.settle_held(task_id, cost or 0.0)
        record_settled(task_id, ctx.engine, _model_of(models.get(task_id), ctx), cost or 0.0)
        out.failed[task_id] = error
        if task_id in state.failed_tasks:
            out.failed_tasks[task_id] = state.failed_tasks[task_id]
    _clear(state)
    return out


def _clear(state: CollectState) -> None:
    """Empty what a call moved out of the state (the pending tasks stay)."""
    state.done.clear()
    state.failed.clear()
    state.failed_tasks.clear()
    state.error = None


def collect(
    ctx: StandardContext,
    handles: Sequence[TaskHandle],
    *,
    max_wait: float,
    state: CollectState | None = None,
    first_sweep: bool = False,
    first_wait: float = 0.0,
) -> Collected:
    """Collect raw tasks for up to ``max_wait`` seconds, one ``task_get`` per task.

    Give the same ``state`` to successive calls over the same tasks (rounds): the tasks
    to fetch directly again (a failed GET) carry over. A failure of the free GETs keeps
    tasks pending; one that retrying cannot fix ends the collection (``error``). The
    calls in flight when ``max_wait`` runs out are not cut (a GET cut after the API
    served it would cost a second one).

    Args:
        ctx: The queue's context.
        handles: The tasks to collect.
        max_wait: Seconds to poll; no new round starts after it.
        state: The collection's state across calls.
        first_sweep: Fetch every task directly in the first round (tasks an earlier
            process may have fetched once are no longer listed by ``tasks_ready``).
        first_wait: Seconds before the first round.

    Returns:
        What finished or failed in this call (what is left is in ``state.pending``).
    """
    state = state if state is not None else CollectState()
    try:
        steps = _steps(ctx, handles, max_wait, state, first_sweep, first_wait)
        drive_collect(ctx.client, steps)
    except DataForSEOError as error:
        state.error = error
    return _settle(ctx, state, {h.id: h for h in handles})


async def acollect(
    ctx: StandardContext,
    handles: Sequence[TaskHandle],
    *,
    max_wait: float,
    state: CollectState | None = None,
    first_sweep: bool = False,
    first_wait: float = 0.0,
) -> Collected:
    """Async :func:`collect`."""
    state = state if state is not None else CollectState()
    try:
        end = time.monotonic() + max_wait
        steps = _steps(ctx, handles, max_wait, state, first_sweep, first_wait)
        await adrive_collect(ctx.client, steps, end)
    except DataForSEOError as error:
        state.error = error
    return _settle(ctx, state, {h.id: h for h in handles})
