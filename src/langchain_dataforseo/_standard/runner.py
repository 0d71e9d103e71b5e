"""Standard orchestration: submit (with the journal and recovery), collect, settle.

Every function takes a :class:`~langchain_dataforseo._standard.context.StandardContext`
(the task builder, client, budget and poll settings it is given); the polling decisions
are in :mod:`.protocol` and :mod:`.resume` (pure), the I/O in :mod:`.io`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage

from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._cost_bounds import believable_result_cost, outcome_unknown
from langchain_dataforseo._deadline import deadline_scope
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import ordered_task
from langchain_dataforseo._results import task_to_message
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import (
    STANDARD_POST_PRICE_USD,
    TaskHandle,
    check_task_id,
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
from langchain_dataforseo._standard.journal import JournalState, SubmitJournal, open_journal, replay
from langchain_dataforseo._standard.protocol import CollectState, collect_steps
from langchain_dataforseo._standard.resume import (
    RECOVER_WAIT_SECONDS,
    ChunkLog,
    Recovery,
    ResumePlan,
    check_journal_engine,
    check_unique_tags,
    plan_resume,
    recover_steps,
    still_in_doubt_error,
)
from langchain_dataforseo.costs import record_cost, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    DataForSEOSubmitError,
    DataForSEOTaskInDoubtError,
    DataForSEOTaskPendingError,
)

Prepared = tuple[dict[str, Any], dict[str, Any]] | Exception
Item = TaskHandle | Exception
Outcome = AIMessage | Exception


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


# -- submit -----------------------------------------------------------------------------


def check_tags(tags: Sequence[str] | None, inputs: int, options: Mapping[str, Any]) -> None:
    """Per-input tags: one per input, never with a ``tag=`` option as well.

    Raises:
        DataForSEOInputError: Before anything is built or posted.
    """
    if tags is None:
        return
    if "tag" in options:
        msg = "Give either tag= (one tag for every task) or tags= (one per input), not both."
        raise DataForSEOInputError(msg, field="tags", limit="without tag=", actual=len(tags))
    if isinstance(tags, str) or len(tags) != inputs:
        size = 1 if isinstance(tags, str) else len(tags)
        msg = f"tags= needs one tag per input: {inputs} input(s), {size} tag(s)."
        raise DataForSEOInputError(msg, field="tags", limit=inputs, actual=size)


def prepare(
    ctx: StandardContext,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    tags: Sequence[str] | None = None,
) -> list[Prepared]:
    """Build and check every task before anything is posted; tag untagged ones.

    ``tags`` gives each input its own tag (checked like a ``tag=`` option).
    """
    check_tags(tags, len(inputs), options)
    prepared: list[Prepared] = []
    for index, messages in enumerate(inputs):
        own = options if tags is None else {**options, "tag": tags[index]}
        try:
            task, notes = ctx.build(messages, stop, own, records)
        except ValueError as error:
            prepared.append(error)
            continue
        if "tag" not in task:
            task = ordered_task({**task, "tag": generated_tag(task, index)})
        prepared.append((task, notes))
    return prepared


def _reserve(
    ctx: StandardContext, prepared: list[Prepared], return_exceptions: bool
) -> tuple[list[int], list[dict[str, Any]], list[float]]:
    if not return_exceptions:
        for item in prepared:
            if isinstance(item, Exception):
                raise item
    positions = [i for i, item in enumerate(prepared) if not isinstance(item, Exception)]
    tasks = [item[0] for item in prepared if not isinstance(item, Exception)]
    amounts = [ctx.reservation(task) for task in tasks]
    ctx.budget.reserve_total(round(sum(amounts), 7), len(tasks), "Standard tasks")
    return positions, tasks, amounts


def _placed(
    ctx: StandardContext,
    prepared: list[Prepared],
    positions: list[int],
    posted: list[TaskHandle | DataForSEOError],
    amounts: list[float],
) -> list[Item]:
    """Put the posted handles back in input order; hold the reservations of created tasks.

    Tasks whose creation is unknown (an unreadable answer) stay reserved at their worst
    case, for good.
    """
    out: list[Item] = [
        item if isinstance(item, Exception) else DataForSEOResponseError("not posted")
        for item in prepared
    ]
    kept = [
        amount if isinstance(handle, TaskHandle) or outcome_unknown(handle) else 0.0
        for handle, amount in zip(posted, amounts, strict=True)
    ]
    ctx.budget.settle(round(sum(amounts), 7), round(sum(kept), 7))
    for position, handle, amount in zip(positions, posted, amounts, strict=True):
        if isinstance(handle, TaskHandle):
            entry = prepared[position]
            notes = {} if isinstance(entry, Exception) else entry[1]
            handle = replace(handle, index=position, notes=notes or None)
            ctx.budget.hold(handle.id, amount)
        elif outcome_unknown(handle):  # in doubt: it may exist and be paid
            if isinstance(handle, DataForSEOTaskInDoubtError):
                handle.index = position
            ctx.budget.mark_unknown(amount)
            record_unknown(ctx.engine, ctx.model, amount)
        out[position] = handle
    return out


def raise_if_not_created(out: list[Item], return_exceptions: bool) -> None:
    """Without ``return_exceptions``, raise with every handle created and every error."""
    errors = {i: item for i, item in enumerate(out) if isinstance(item, Exception)}
    if errors and not return_exceptions:
        made = [item for item in out if isinstance(item, TaskHandle)]
        first = next(iter(errors.values()))
        msg = (
            f"{len(errors)} of {len(out)} Standard task(s) were not created or are in doubt "
            f"(first: {first}); the {len(made)} created are in .handles: collect them."
        )
        raise DataForSEOSubmitError(msg, handles=list(made), errors=errors)


@dataclass(frozen=True)
class Resume:
    """How a submission uses its journal.

    Attributes:
        journal: Where intents and handles are written (``None``: nowhere).
        repost_in_doubt: Post again the tasks in doubt that the look-up did not find.
        recover_wait: Seconds to look for tasks in doubt in ``tasks_ready``.
    """

    journal: SubmitJournal | None = None
    repost_in_doubt: bool = False
    recover_wait: float = RECOVER_WAIT_SECONDS

    @classmethod
    def of(
        cls,
        journal: str | os.PathLike[str] | SubmitJournal | None,
        repost_in_doubt: bool,
        recover_wait: float,
    ) -> Resume:
        """Build from the public arguments (a path becomes a :class:`FileJournal`)."""
        if recover_wait < 0:
            msg = f"recover_wait must be >= 0 seconds, got {recover_wait!r}."
            raise DataForSEOInputError(msg, field="recover_wait", limit=">= 0", actual=recover_wait)
        book = open_journal(journal) if journal is not None else None
        return cls(book, repost_in_doubt, recover_wait)


@dataclass
class _Submission:
    prepared: list[Prepared]
    resume: Resume
    state: JournalState
    plan: ResumePlan
    log: ChunkLog


def _start(
    ctx: StandardContext, prepared: list[Prepared], return_exceptions: bool, resume: Resume
) -> _Submission:
    """Refuse bad input first; then read the journal and sort the tasks by what it knows."""
    if not return_exceptions:
        for item in prepared:
            if isinstance(item, Exception):
                raise item
    tags = {i: str(item[0]["tag"]) for i, item in enumerate(prepared) if isinstance(item, tuple)}
    state = JournalState()
    if resume.journal is not None:
        check_unique_tags(tags)
        state = replay(resume.journal.records())
        check_journal_engine(tags, state, ctx.engine)
    return _Submission(prepared, resume, state, plan_resume(tags, state), ChunkLog(resume.journal))


def _recover_steps(ctx: StandardContext, sub: _Submission) -> Any:
    tags = [str(_task(sub, i)["tag"]) for i in sub.plan.look_up]
    wait = sub.resume.recover_wait
    return recover_steps(ctx.engine, tags, poll_interval=ctx.poll_interval, wait=wait)


def _task(sub: _Submission, position: int) -> dict[str, Any]:
    entry = sub.prepared[position]
    assert not isinstance(entry, Exception)  # noqa: S101 - plans hold valid tasks only
    return entry[0]


def _to_post(sub: _Submission, recovery: Recovery) -> list[Prepared]:
    """The prepared list with everything that must not be posted masked out."""
    post = set(sub.plan.post)
    if sub.resume.repost_in_doubt:
        post |= {i for i in sub.plan.look_up if str(_task(sub, i)["tag"]) in recovery.missing}
    return [
        item if i in post or isinstance(item, Exception) else _NOT_POSTED
        for i, item in enumerate(sub.prepared)
    ]


def _resumed(
    ctx: StandardContext, sub: _Submission, recovery: Recovery, out: list[Item]
) -> list[Item]:
    """Fill in the tasks the journal or the look-up knew, and those still in doubt."""
    found: list[TaskHandle] = []
    for position in sub.plan.look_up:
        task = _task(sub, position)
        tag = str(task["tag"])
        if tag in recovery.found:
            handle = TaskHandle(
                id=recovery.found[tag],
                engine=ctx.engine,
                tag=tag,
                model_name=task.get("model_name"),
                index=position,
            )
            found.append(handle)
            out[position] = handle
        elif not sub.resume.repost_in_doubt:
            reason = sub.state.in_doubt.get(tag, "")
            error = still_in_doubt_error(ctx.engine, tag, reason, sub.resume.recover_wait)
            error.index = position
            out[position] = error
    sub.log.recovered(found)
    for position, known in sub.plan.known.items():
        out[position] = replace(known, index=position)
    for position, item in enumerate(out):
        if isinstance(item, TaskHandle):
            entry = sub.prepared[position]
            notes = None if isinstance(entry, Exception) else entry[1] or None
            out[position] = replace(item, notes=notes)
    return out


_NOT_POSTED: Final = DataForSEOResponseError("not posted: the journal knows it")


def _hold_unknown(ctx: StandardContext, amounts: list[float]) -> None:
    ctx.budget.settle(round(sum(amounts), 7), round(sum(amounts), 7))
    for amount in amounts:
        ctx.budget.mark_unknown(amount)
        record_unknown(ctx.engine, ctx.model, amount)


@dataclass(frozen=True)
class _Recover:
    """Look the tasks in doubt up by tag (the steps of ``resume.recover_steps``)."""

    steps: Any


@dataclass(frozen=True)
class _Post:
    """Post these tasks, 100 a request, journaling each chunk in ``log``."""

    tasks: list[dict[str, Any]]
    log: ChunkLog


def _submit_steps(
    ctx: StandardContext,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None,
    for_batch: bool,
    tags: Sequence[str] | None,
) -> Generator[_Recover | _Post, Any, list[Item]]:
    """A submission as steps: it yields the I/O to do and receives its result.

    A post that raises (cancelled, interrupted) is thrown back in: its tasks stay
    reserved at their worst case, since they may have been created.
    """
    sub = _start(
        ctx,
        prepare(ctx, inputs, stop, options, records, tags),
        return_exceptions,
        resume or Resume(),
    )
    ctx.client.check_credentials()  # a refusal before any request holds no money
    recovery = Recovery()
    if sub.plan.look_up:
        recovery = yield _Recover(_recover_steps(ctx, sub))
    masked = _to_post(sub, recovery)
    positions, tasks, amounts = _reserve(ctx, masked, True)
    posted: list[TaskHandle | DataForSEOError] = []
    if tasks:
        try:
            posted = yield _Post(tasks, sub.log)
        except BaseException:  # cancelled or interrupted: the tasks may have been created
            _hold_unknown(ctx, amounts)
            raise
    out = _resumed(ctx, sub, recovery, _placed(ctx, masked, positions, posted, amounts))
    raise_if_not_created(out, return_exceptions or for_batch)
    return out


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
    :func:`_submit_steps`.
    """
    steps = _submit_steps(
        ctx, inputs, stop, options, records, return_exceptions, resume, for_batch, tags
    )
    try:
        step = next(steps)
        while True:
            try:
                if isinstance(step, _Recover):
                    value: Any = drive_recover(ctx.client, step.steps)
                else:
                    value = post_all(ctx.client, ctx.engine, step.tasks, step.log)
            except BaseException as error:
                step = steps.throw(error)
                continue
            step = steps.send(value)
    except StopIteration as done:
        result: list[Item] = done.value
        return result


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
    steps = _submit_steps(
        ctx, inputs, stop, options, records, return_exceptions, resume, for_batch, tags
    )
    try:
        step = next(steps)
        while True:
            try:
                if isinstance(step, _Recover):
                    value: Any = await adrive_recover(ctx.client, step.steps)
                else:
                    value = await apost_all(ctx.client, ctx.engine, step.tasks, step.log)
            except BaseException as error:
                step = steps.throw(error)
                continue
            step = steps.send(value)
    except StopIteration as done:
        result: list[Item] = done.value
        return result


# -- collect ----------------------------------------------------------------------------


def as_handles(handles: Sequence[TaskHandle | Mapping[str, Any]]) -> list[TaskHandle]:
    """Handles, or their saved dicts, as handles, all checked before any request.

    Unknown engines and ids that are not in the API's format (``../``, ``?``) are refused.
    """
    out = [h if isinstance(h, TaskHandle) else TaskHandle.from_dict(h) for h in handles]
    for handle in out:
        check_task_id(handle.id)
    return out


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


def outcomes(ctx: StandardContext, items: Sequence[Item], state: CollectState) -> list[Outcome]:
    """One message or exception per item, in order; settles the held prepayments."""
    out: list[Outcome] = []
    seen: dict[str, Outcome] = {}  # a handle given twice is one task: settled, counted once
    for item in items:
        if isinstance(item, Exception):
            out.append(item)
        elif item.id in seen:
            again = seen[item.id]
            out.append(again.model_copy(deep=True) if isinstance(again, AIMessage) else again)
            continue
        elif item.id in state.done and not believable_result_cost(state.done[item.id]):
            out.append(_unbelievable(ctx, item, state.done[item.id]))
        elif item.id in state.done:
            message = task_to_message(state.done[item.id], engine=item.engine, method="standard")
            ctx.budget.settle_held(item.id, message.response_metadata["cost"])
            message.response_metadata.update(item.notes or {})
            record_cost(message)
            out.append(message)
        elif item.id in state.failed:
            error = state.failed[item.id]
            ctx.budget.settle_held(item.id, getattr(error, "cost", 0.0))
            out.append(error)
        else:
            why = (
                f"collecting stopped ({state.error})"
                if state.error is not None
                else "it was not finished within max_wait"
            )
            if state.error is None and item.id in state.last_errors:
                why += f" (its last task_get failed: {state.last_errors[item.id]})"
            msg = (
                f"Standard task {item.id}: {why}. Collect it later with collect([handle]); "
                "results are kept for 30 days."
            )
            out.append(DataForSEOTaskPendingError(msg, handle=item, task_id=item.id))
        if isinstance(item, TaskHandle):
            seen[item.id] = out[-1]
    return out


def _unbelievable(ctx: StandardContext, item: TaskHandle, task: Mapping[str, Any]) -> Exception:
    """A finished task whose reported cost cannot be believed: its reservation is kept."""
    held = ctx.budget.settle_held_unknown(item.id)
    record_unknown(
        item.engine, item.model_name or "", STANDARD_POST_PRICE_USD if held is None else held
    )
    results = task.get("result")
    result = results[0] if isinstance(results, list) and results else {}
    spent = result.get("money_spent") if isinstance(result, Mapping) else None
    msg = (
        f"DataForSEO reported money_spent {spent!r} for Standard task {item.id}: not a "
        "believable charge. Its answer is not trusted; the task stays in the spend at its "
        "worst case."
    )
    return DataForSEOResponseError(msg, task_id=item.id)


def raise_if_incomplete(results: list[Outcome], return_exceptions: bool) -> None:
    """Without ``return_exceptions``, refuse to hide a failure: raise with everything."""
    if return_exceptions:
        return
    errors = [item for item in results if isinstance(item, Exception)]
    if not errors:
        return
    pending = [e.handle for e in errors if isinstance(e, DataForSEOTaskPendingError)]
    first = errors[0]
    msg = (
        f"{len(errors)} of {len(results)} Standard prompt(s) failed or are still running "
        f"(first: {first}). Nothing is lost: .results has every answer and error in input "
        f"order, and .pending the {len(pending)} handle(s) to collect later."
    )
    raise DataForSEOBatchError(msg, results=results, pending=pending, first=first) from first
