"""Standard orchestration: the drivers of a submission and of collecting, and the checks.

Every function takes a :class:`~langchain_dataforseo._standard.context.StandardContext`
(the task builder, client, budget and poll settings it is given). A submission is the
steps of :mod:`.submission`, what comes back is :mod:`.outcomes`, the polling decisions
are :mod:`.protocol` and :mod:`.resume` (pure); here each is driven once blocking and
once async (:mod:`langchain_dataforseo._transport.drive`), the I/O being :mod:`.io`'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.fields import engine_spec
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.io import (
    adrive_collect,
    drive_collect,
)
from langchain_dataforseo._standard.outcomes import as_handles, outcomes, raise_if_incomplete
from langchain_dataforseo._standard.protocol import CollectState, collect_steps
from langchain_dataforseo._standard.queue import aperform_post, perform_post
from langchain_dataforseo._standard.submission import (
    Item,
    Outcome,
    Prepared,
    Resume,
    check_tags,
    prepare,
    raise_if_not_created,
    submit_steps,
)
from langchain_dataforseo._transport.deadline import deadline_scope
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError

__all__ = [
    "Item",
    "Outcome",
    "Prepared",
    "Resume",
    "acollect_state",
    "as_handles",
    "asubmit",
    "asubmit_and_collect",
    "check_tags",
    "collect_state",
    "outcomes",
    "prepare",
    "raise_if_incomplete",
    "raise_if_not_created",
    "refuse_journal_on_live",
    "require_standard",
    "submit",
    "submit_and_collect",
]


def require_standard(ctx: StandardContext) -> None:
    """Refuse Standard calls on an engine that has only the Live method."""
    if not engine_spec(ctx.engine).has_standard:
        msg = f"engine={ctx.engine!r} has no Standard method (submit / collect)."
        raise DataForSEOInputError(msg, field="method", limit="live", actual="standard")


def refuse_journal_on_live(journal: object) -> None:
    """A journal is for Standard tasks (posted, then collected); refuse it on Live."""
    if journal is not None:
        msg = "journal= applies to method='standard' (Live tasks are not posted and resumed)."
        raise DataForSEOInputError(msg, field="journal", limit="standard", actual="live")


# -- submit: one protocol (submission.submit_steps), two drivers --------------------------


def submit(
    ctx: StandardContext,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None = None,
    *,
    for_batch: bool = False,
    tags: Sequence[str] | None = None,
) -> list[Item]:
    """Check, tag and post the tasks (100 per request); one handle or error per input.

    With a journal, tasks it knows are not posted again and tasks in doubt are looked up
    by tag first. ``for_batch`` returns tasks that were not created in place (the batch
    collects the others, then raises with everything). The blocking driver of
    :func:`~langchain_dataforseo._standard.submission.submit_steps`.
    """
    steps = submit_steps(
        ctx, inputs, stop, options, records, return_exceptions, resume, for_batch, tags
    )
    return drive(steps, partial(perform_post, ctx))


async def asubmit(
    ctx: StandardContext,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None = None,
    *,
    for_batch: bool = False,
    tags: Sequence[str] | None = None,
) -> list[Item]:
    """Async :func:`submit` (its async driver); chunks are posted concurrently."""
    steps = submit_steps(
        ctx, inputs, stop, options, records, return_exceptions, resume, for_batch, tags
    )
    return await adrive(steps, partial(aperform_post, ctx))


# -- collect ----------------------------------------------------------------------------


def _steps(
    ctx: StandardContext,
    items: Sequence[Item],
    first_wait: float,
    max_wait: float | None,
    state: CollectState,
) -> Any:
    handles = [item for item in items if isinstance(item, TaskHandle)]
    callbacks = ctx.callbacks
    return collect_steps(
        handles,
        poll_interval=ctx.poll_interval,
        max_wait=ctx.max_wait if max_wait is None else max_wait,
        first_wait=first_wait,
        use_tasks_ready=len(handles) > 1 and not callbacks,
        sweep_every=None,  # as the queue's collect: one task_get per task, no idle sweeps
        state=state,
    )


def _collect_deadline(ctx: StandardContext, max_wait: float | None) -> float:
    return time.monotonic() + (ctx.max_wait if max_wait is None else max_wait)


def collect_state(
    ctx: StandardContext, items: Sequence[Item], first_wait: float, max_wait: float | None
) -> CollectState:
    """Poll until done or out of time; a failure of the free GETs keeps tasks pending.

    The calls in flight when ``max_wait`` runs out end then too (their tasks stay pending).
    """
    state = CollectState()
    try:
        with deadline_scope(_collect_deadline(ctx, max_wait)):
            drive_collect(ctx.client, _steps(ctx, items, first_wait, max_wait, state))
    except DataForSEOError as error:
        state.error = error
    return state


async def acollect_state(
    ctx: StandardContext, items: Sequence[Item], first_wait: float, max_wait: float | None
) -> CollectState:
    """Async :func:`collect_state`."""
    state = CollectState()
    try:
        with deadline_scope(_collect_deadline(ctx, max_wait)):
            steps = _steps(ctx, items, first_wait, max_wait, state)
            await adrive_collect(ctx.client, steps)
    except DataForSEOError as error:
        state.error = error
    return state


# -- both: post, then poll until done ---------------------------------------------------


def submit_and_collect(ctx: StandardContext, *args: Any, for_batch: bool = False) -> list[Outcome]:
    """:func:`submit` (same positional arguments), then collect every task it created.

    Returns:
        One message or exception per input, in order; prepayments settled.
    """
    items = submit(ctx, *args, for_batch=for_batch)
    return outcomes(ctx, items, collect_state(ctx, items, ctx.poll_interval, None))


async def asubmit_and_collect(
    ctx: StandardContext, *args: Any, for_batch: bool = False
) -> list[Outcome]:
    """Async :func:`submit_and_collect`."""
    items = await asubmit(ctx, *args, for_batch=for_batch)
    return outcomes(ctx, items, await acollect_state(ctx, items, ctx.poll_interval, None))
