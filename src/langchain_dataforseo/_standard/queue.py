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
from langchain_dataforseo._api.results import standard_cost
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import STANDARD_POST_PRICE_USD, TaskHandle
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
from langchain_dataforseo.errors import DataForSEOError, DataForSEOResponseError

if TYPE_CHECKING:
    from langchain_dataforseo._transport.client import DataForSEOClient

__all__ = [
    "Collected",
    "acollect",
    "apost",
    "arecover",
    "collect",
    "post",
    "queue_context",
    "recover",
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
    )


# -- post ---------------------------------------------------------------------------------


def _resume(
    journal: SubmitJournal | None, family: str, repost_in_doubt: bool, recover_wait: float
) -> Resume:
    return Resume(journal, repost_in_doubt, recover_wait, family)


def perform_post(ctx: StandardContext, step: Recover | Post) -> Any:
    """Perform one step of a submission (blocking): a look-up by tag, or the posts."""
    if isinstance(step, Recover):
        return drive_recover(ctx.client, step.steps)
    return post_all(ctx.client, ctx.engine, step.tasks, step.log)


async def aperform_post(ctx: StandardContext, step: Recover | Post) -> Any:
    """Async :func:`perform_post` (the chunks posted concurrently)."""
    if isinstance(step, Recover):
        return await adrive_recover(ctx.client, step.steps)
    return await apost_all(ctx.client, ctx.engine, step.tasks, step.log)


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


def _steps(
    ctx: StandardContext,
    handles: Sequence[TaskHandle],
    max_wait: float,
    state: CollectState,
    first_sweep: bool,
) -> Any:
    return collect_steps(
        handles,
        poll_interval=ctx.poll_interval,
        max_wait=max_wait,
        first_wait=0.0,
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
    state.done.clear()
    state.failed.clear()
    state.failed_tasks.clear()
    state.error = None
    return out


def collect(
    ctx: StandardContext,
    handles: Sequence[TaskHandle],
    *,
    max_wait: float,
    state: CollectState | None = None,
    first_sweep: bool = False,
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

    Returns:
        What finished or failed in this call (what is left is in ``state.pending``).
    """
    state = state if state is not None else CollectState()
    try:
        drive_collect(ctx.client, _steps(ctx, handles, max_wait, state, first_sweep))
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
) -> Collected:
    """Async :func:`collect`."""
    state = state if state is not None else CollectState()
    try:
        end = time.monotonic() + max_wait
        await adrive_collect(ctx.client, _steps(ctx, handles, max_wait, state, first_sweep), end)
    except DataForSEOError as error:
        state.error = error
    return _settle(ctx, state, {h.id: h for h in handles})
