"""A Standard submission as steps: check and tag every task, reserve, post, place the handles.

:func:`submit_steps` is the whole submission without I/O: it yields :class:`Recover` (look
the tasks in doubt up by tag) and :class:`Post` (post these tasks, 100 a request) and
receives their results; the blocking and the async driver are in :mod:`.runner`. The
journal's plan (what is known, what is in doubt) is :mod:`.resume`'s.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.cost_bounds import outcome_unknown
from langchain_dataforseo._api.request import ordered_task
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import (
    STANDARD_POST_PRICE_USD,
    TaskHandle,
    generated_tag,
)
from langchain_dataforseo._standard.journal import (
    LLM_RESPONSES,
    JournalState,
    SubmitJournal,
    open_journal,
    replay,
)
from langchain_dataforseo._standard.journal_lock import hold_journal
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
from langchain_dataforseo.costs import record_pending, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    DataForSEOSubmitError,
    DataForSEOTaskInDoubtError,
)

Prepared = tuple[dict[str, Any], dict[str, Any]] | Exception
Item = TaskHandle | Exception
Outcome = AIMessage | Exception


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
    # tasks paid at task_post (a charge) are reserved chunk by chunk as they are posted
    amounts = [0.0 if ctx.charge else ctx.reservation(task) for task in tasks]
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

    Created tasks count as pending in ``track_costs`` (prepaid, bounded by their
    reservation) until collected. Tasks whose creation is unknown (an unreadable answer)
    stay reserved at their worst case, for good.
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
            if ctx.charge is None:  # paid when collected: held until then
                ctx.budget.hold(handle.id, amount)
                prepaid = min(amount, STANDARD_POST_PRICE_USD)
                record_pending(handle.id, ctx.engine, ctx.model, prepaid, amount)
        elif outcome_unknown(handle):  # in doubt: it may exist and be paid
            if isinstance(handle, DataForSEOTaskInDoubtError):
                handle.index = position
            if ctx.charge is None:  # a charged chunk was held by its charge
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
        family: The API whose records the journal holds (``llm_responses``,
            ``llm_scraper``).
    """

    journal: SubmitJournal | None = None
    repost_in_doubt: bool = False
    recover_wait: float = RECOVER_WAIT_SECONDS
    family: str = LLM_RESPONSES

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
        state = replay(resume.journal.records(), family=resume.family)
        check_journal_engine(tags, state, ctx.engine)
    log = ChunkLog(resume.journal, resume.family)
    return _Submission(prepared, resume, state, plan_resume(tags, state), log)


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
                max_output_tokens=task.get("max_output_tokens"),
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
class Recover:
    """Look the tasks in doubt up by tag (the steps of ``resume.recover_steps``)."""

    steps: Any


@dataclass(frozen=True)
class Post:
    """Post these tasks, 100 a request, journaling each chunk in ``log``."""

    tasks: list[dict[str, Any]]
    log: ChunkLog


def submit_steps(
    ctx: StandardContext,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None,
    for_batch: bool,
    tags: Sequence[str] | None,
) -> Generator[Recover | Post, Any, list[Item]]:
    """A submission as steps: it yields the I/O to do and receives its result.

    A post that raises (cancelled, interrupted) is thrown back in: its tasks stay
    reserved at their worst case, since they may have been created. A file journal is
    locked from before it is read until the last record is written (``journal_lock``):
    a second submission with it is refused with ``DataForSEOJournalLockedError``.
    """
    prepared = prepare(ctx, inputs, stop, options, records, tags)
    return (yield from prepared_steps(ctx, prepared, return_exceptions, resume, for_batch))


def prepared_steps(
    ctx: StandardContext,
    prepared: list[Prepared],
    return_exceptions: bool,
    resume: Resume | None,
    for_batch: bool = False,
) -> Generator[Recover | Post, Any, list[Item]]:
    """:func:`submit_steps` for tasks already built and checked (raw task dicts).

    Each task must carry its own ``tag``; the journal is held from before it is read
    until the last record is written.
    """
    resume = resume or Resume()
    with hold_journal(resume.journal):
        return (yield from _locked_steps(ctx, prepared, return_exceptions, resume, for_batch))


def _locked_steps(
    ctx: StandardContext,
    prepared: list[Prepared],
    return_exceptions: bool,
    resume: Resume,
    for_batch: bool,
) -> Generator[Recover | Post, Any, list[Item]]:
    """The steps of :func:`submit_steps` once the journal is held."""
    sub = _start(ctx, prepared, return_exceptions, resume)
    ctx.client.check_credentials()  # a refusal before any request holds no money
    recovery = Recovery()
    if sub.plan.look_up:
        recovery = yield Recover(_recover_steps(ctx, sub))
    masked = _to_post(sub, recovery)
    positions, tasks, amounts = _reserve(ctx, masked, True)
    posted: list[TaskHandle | DataForSEOError] = []
    if tasks:
        try:
            posted = yield Post(tasks, sub.log)
        except BaseException:  # cancelled or interrupted: the tasks may have been created
            if ctx.charge is None:  # a charged chunk is held by its charge
                _hold_unknown(ctx, amounts)
            raise
    out = _resumed(ctx, sub, recovery, _placed(ctx, masked, positions, posted, amounts))
    raise_if_not_created(out, return_exceptions or for_batch)
    return out
