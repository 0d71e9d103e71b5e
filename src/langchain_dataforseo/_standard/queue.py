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

Sync and async share one code path: the protocol (:mod:`.submission`, :mod:`.resume`,
:mod:`.protocol`) is a generator of steps; only the drivers (:mod:`.io`) differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

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
from langchain_dataforseo._standard.io import (
    adrive_collect,
    adrive_recover,
    apost_all,
    drive_collect,
    drive_recover,
    post_all,
)
from langchain_dataforseo._standard.journal import LLM_RESPONSES, SubmitJournal, created_record
from langchain_dataforseo._standard.protocol import CollectState, collect_steps
from langchain_dataforseo._standard.resume import Recovery, recover_steps
from langchain_dataforseo._standard.submission import (
    Item,
    Post,
    Recover,
    Resume,
    prepared_steps,
)
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo.costs import record, record_settled, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOResponseError,
    DataForSEOTaskPendingError,
)

if TYPE_CHECKING:
    from langchain_dataforseo._transport.client import DataForSEOClient

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
        sweep_every=None,
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
