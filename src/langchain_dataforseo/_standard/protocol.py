"""The Standard method's protocol (task_post answers, tasks_ready / task_get), without I/O.

:func:`collect_steps` is the polling protocol as a generator: it yields what to do (ask
``tasks_ready``, ``task_get`` some ids, sleep) and receives the answers; the sync and async
drivers in :mod:`langchain_dataforseo._standard.queue` only perform those steps.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.cost_bounds import outcome_unknown
from langchain_dataforseo._api.envelope import (
    PENDING_CODES,
    TASK_CREATED,
    as_int,
    first_result,
    task_error,
)
from langchain_dataforseo._api.request import ordered_task
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import (
    MAX_TASKS_PER_POST,
    STANDARD_POST_PRICE_USD,
    TASK_ID_PATTERN,
    TaskHandle,
    generated_tag,
)
from langchain_dataforseo._standard.handle import RECOVER_WAIT_SECONDS as _RECOVER_WAIT_SECONDS
from langchain_dataforseo._standard.journal import (
    LLM_RESPONSES,
    JournalState,
    SubmitJournal,
    created_record,
    hold_journal,
    in_doubt_record,
    intent_record,
    open_journal,
    refused_record,
    replay,
)
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.costs import record_pending, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOPaymentError,
    DataForSEOResponseError,
    DataForSEOSubmitError,
    DataForSEOTaskInDoubtError,
)

TASKS_READY_LIMIT = 1000
"""The most ids one ``tasks_ready`` lists (account-wide): a full list may hide ours."""


def stops_collecting(error: Exception) -> bool:
    """Whether a failed free GET (``tasks_ready`` / ``task_get``) should end collecting.

    Only what retrying cannot fix stops it (refused credentials, an account that cannot
    pay, or anything that is not an API error); an unreadable answer, a dropped
    connection, a timeout or a server error leaves the task pending for the next round.

    Args:
        error: What the GET raised.

    Returns:
        ``True`` to stop collecting.
    """
    if not isinstance(error, DataForSEOError):
        return True
    return isinstance(error, (DataForSEOAuthenticationError, DataForSEOPaymentError))


def chunks(items: Sequence[Any], size: int = MAX_TASKS_PER_POST) -> list[list[Any]]:
    """Split ``items`` into lists of at most ``size``, in order."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def posted_handles(
    engine: str, sent: Sequence[Mapping[str, Any]], answered: Sequence[Any], first_index: int
) -> list[TaskHandle | DataForSEOError]:
    """Pair the tasks sent in one ``task_post`` with the tasks the API answered.

    The API answers in the order it was sent; a missing answer or a task that was not
    created (any code but 20100) becomes an error in its place.

    Args:
        engine: The engine posted to.
        sent: The task objects, in the order sent.
        answered: The ``tasks`` array of the response.
        first_index: Index of ``sent[0]`` in the whole submission.

    Returns:
        One handle or error per sent task, in order.
    """
    out: list[TaskHandle | DataForSEOError] = []
    for offset, task in enumerate(sent):
        reply = answered[offset] if offset < len(answered) else None
        if not isinstance(reply, dict):
            msg = f"task_post answered no task for position {first_index + offset}."
            out.append(DataForSEOResponseError(msg))
            continue
        if as_int(reply.get("status_code")) != TASK_CREATED or not isinstance(reply.get("id"), str):
            out.append(task_error(reply, where="task_post"))
            continue
        out.append(
            TaskHandle(
                id=reply["id"],
                engine=engine,
                tag=task.get("tag"),
                model_name=task.get("model_name"),
                index=first_index + offset,
                max_output_tokens=task.get("max_output_tokens"),
            )
        )
    return out


@dataclass(frozen=True)
class AskReady:
    """Call ``tasks_ready`` for an engine; the answer is the list of ready task ids."""

    engine: str


@dataclass(frozen=True)
class Fetch:
    """``task_get`` each id; the answer maps id to task dict or the error raised."""

    engine: str
    ids: tuple[str, ...]


CollectStep = AskReady | Fetch | Sleep


@dataclass
class CollectState:
    """What the collector has so far.

    Attributes:
        done: Finished tasks (status 20000 with a result), by id.
        failed: Tasks that ended in an error the API reported, by id.
        pending: Tasks not finished (or not reachable) when collecting stopped.
        error: Why collecting stopped early (an error that retrying would not fix, such
            as refused credentials); the tasks it left are still in ``pending``.
        last_errors: The last failure of the free GET of each pending task, by id.
        again: Pending ids to fetch directly in the next round: a GET that failed or
            answered "not finished" may have been served, and a task fetched once leaves
            ``tasks_ready``.
        failed_tasks: The task objects the API sent for the tasks in ``failed``, by id.
    """

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, Exception] = field(default_factory=dict)
    pending: dict[str, TaskHandle] = field(default_factory=dict)
    error: Exception | None = None
    last_errors: dict[str, Exception] = field(default_factory=dict)
    again: set[str] = field(default_factory=set)
    failed_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)


def collect_steps(
    handles: Sequence[TaskHandle],
    *,
    poll_interval: float,
    max_wait: float,
    first_wait: float,
    use_tasks_ready: bool = True,
    sweep_every: int | None = None,
    sweep_first: bool | None = None,
    backoff: float = 1.5,
    patience: int = 3,
    max_interval: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    state: CollectState | None = None,
) -> Generator[CollectStep, Any, CollectState]:
    """Poll until every task is finished or ``max_wait`` runs out.

    Each round asks ``tasks_ready`` (per engine) and fetches the ready ids that are ours,
    and directly the ids whose last GET failed or answered "not finished" after a listing
    (``state.again``); every ``sweep_every`` rounds (never when ``None``), in the first
    round when ``sweep_first`` (default: when ``first_wait`` is 0: tasks submitted earlier
    may have been collected already, and collected tasks leave ``tasks_ready``), and in
    every round when ``use_tasks_ready`` is off (tasks with a pingback/postback never show
    in ``tasks_ready``), it fetches all pending ids directly, so a delayed or crowded
    ``tasks_ready`` cannot stall a task. Without periodic sweeps every task is fetched
    once (it is listed only when finished) unless a GET fails, or a full listing
    (1,000 ids) of other tasks crowds ours out (then ours are fetched directly once).

    Polling backs off: after ``patience`` rounds in a row in which nothing finished, the
    interval grows by ``backoff`` up to ``max_interval``; it returns to ``poll_interval``
    as soon as a task finishes. Standard tasks may take hours, and every poll is a call.

    Args:
        handles: The tasks to collect.
        poll_interval: Seconds between rounds (``tasks_ready`` allows one call per 3 s).
        max_wait: Give up after this many seconds; what is left stays pending.
        first_wait: Seconds to wait before the first round (0 when collecting old tasks).
        use_tasks_ready: Whether to use ``tasks_ready`` at all.
        sweep_every: Rounds between direct sweeps of every pending id (``None``, the
            default: none, so each task is fetched once when it is ready).
        sweep_first: Sweep in the first round (``None``: when ``first_wait`` is 0).
        backoff: Factor by which an idle interval grows.
        patience: Idle rounds before the interval starts to grow.
        max_interval: Cap on the interval (never below ``poll_interval``).
        clock: Monotonic clock.
        state: Where to keep progress (give one to keep it even if the driver fails).

    Returns:
        The state: finished tasks (status 20000), failures, and what is still pending.
    """
    state = state if state is not None else CollectState()
    state.pending.update({h.id: h for h in handles})
    deadline = clock() + max_wait
    if first_wait > 0 and state.pending:
        yield Sleep(min(first_wait, max(0.0, deadline - clock())))
    round_number = 0
    first_sweep = first_wait <= 0 if sweep_first is None else sweep_first
    interval = poll_interval
    idle_rounds = 0
    while state.pending and clock() < deadline:
        round_number += 1
        pending_before = len(state.pending)
        engines = sorted({h.engine for h in state.pending.values()})
        sweep = (
            not use_tasks_ready
            or (sweep_every is not None and round_number % sweep_every == 0)
            or (round_number == 1 and first_sweep)  # old tasks may be collected already
        )
        for engine in engines:
            ours = [i for i, h in state.pending.items() if h.engine == engine]
            listed: list[str] = []
            if sweep:
                wanted = ours
            else:
                ready: list[str] | Exception = yield AskReady(engine)
                if isinstance(ready, Exception):
                    if stops_collecting(ready):
                        state.error = ready
                        return state
                    ready = []  # ask again next round
                mine = set(ours)  # tasks_ready lists the whole account's tasks
                listed = [i for i in ready if i in mine]
                wanted = list(dict.fromkeys([*listed, *(i for i in ours if i in state.again)]))
                if len(ready) >= TASKS_READY_LIMIT and not listed:
                    state.again.update(ours)  # crowded out by other tasks: fetch ours directly
            state.again.difference_update(wanted)
            if wanted:
                fetched: dict[str, Any] = yield Fetch(engine, tuple(wanted))
                _absorb(state, fetched)
                # listed as finished yet fetched unfinished: it may not be listed again
                state.again.update(i for i in listed if i in state.pending)
                if state.error is not None:
                    return state
        if len(state.pending) < pending_before:
            interval, idle_rounds = poll_interval, 0
        else:
            idle_rounds += 1
            if idle_rounds >= patience:
                interval = min(interval * backoff, max(max_interval, poll_interval))
        if state.pending and clock() < deadline:
            yield Sleep(min(interval, max(0.0, deadline - clock())))
    return state


def _absorb(state: CollectState, fetched: Mapping[str, Any]) -> None:
    for task_id, outcome in fetched.items():
        if task_id not in state.pending:
            continue
        if isinstance(outcome, Exception):
            state.last_errors[task_id] = outcome
            state.again.add(task_id)  # it may have been served: it may not be listed again
            if stops_collecting(outcome):
                state.error = outcome  # the task may be fine: stop, leave it pending
            continue  # a failure of the free GET: the task stays pending, try next round
        state.last_errors.pop(task_id, None)
        task = outcome if isinstance(outcome, dict) else {}
        status = as_int(task.get("status_code"))
        if status in PENDING_CODES:
            continue
        if status == 20000:
            try:
                first_result(task, where="Standard task")
                state.done[task_id] = task
            except DataForSEOError as error:
                state.failed[task_id] = error
        else:
            state.failed[task_id] = task_error(task, where="Standard task")
            state.failed_tasks[task_id] = task
        del state.pending[task_id]


# --- Resuming from the journal ---
# Resuming a Standard submission from its journal, without I/O.
#
# - :func:`plan_resume`: which tasks already have a handle (collect them), which are in
#   doubt (look them up by tag) and which must be posted.
# - :func:`recover_steps`: the look-up by tag as a generator of steps (ask ``tasks_ready``,
#   sleep), performed by the drivers in :mod:`.queue`.
# - :func:`post_in_doubt`: whether a failed ``task_post`` may still have created its tasks.
#
# What a look-up can prove: a tag listed by ``tasks_ready`` belongs to a task that exists
# (created and paid). What it cannot: ``tasks_ready`` lists only tasks that are finished,
# not yet collected, posted in the last 3 days, without a delivered pingback or postback,
# and at most 1000 at a time, so a tag that is missing may still exist. Missing tags stay in doubt;
# they are not posted again unless the caller asks for it.


RECOVER_WAIT_SECONDS = _RECOVER_WAIT_SECONDS  # defined with the handle: light to import


def post_in_doubt(error: Exception) -> bool:
    """Whether a ``task_post`` that raised this may have created (and charged) its tasks.

    The API gave no verdict (no status code) and the request may have left: a timeout
    or a dropped connection after sending, or an answer that could not be read.

    Args:
        error: What the post raised.

    Returns:
        ``True`` when the chunk's tasks may exist.
    """
    return not isinstance(error, DataForSEOError) or outcome_unknown(error)


def in_doubt_error(engine: str, tag: str | None, cause: Exception) -> DataForSEOTaskInDoubtError:
    """The error put in place of a task whose ``task_post`` got no verdict.

    Args:
        engine: The engine posted to.
        tag: The task's tag.
        cause: What the post raised.

    Returns:
        The error (its ``__cause__`` is ``cause``).
    """
    msg = (
        f"Standard task tagged {tag!r}: task_post got no verdict ({cause}); it may have been "
        "created and charged, so it is not posted again. With a journal, a re-run looks it up "
        "by tag in tasks_ready; without one, look for its tag there or on the dashboard."
    )
    error = DataForSEOTaskInDoubtError(msg, tag=tag, engine=engine)
    error.__cause__ = cause
    return error


def still_in_doubt_error(
    engine: str, tag: str, reason: str, wait: float
) -> DataForSEOTaskInDoubtError:
    """The error for a journaled task in doubt that its look-up by tag did not find.

    Args:
        engine: The engine.
        tag: Its tag.
        reason: Why it was in doubt (from the journal).
        wait: How long the look-up went on.

    Returns:
        The error.
    """
    msg = (
        f"Standard task tagged {tag!r} is in doubt ({reason}) and tasks_ready did not list "
        f"it within {wait:g} s. That does not prove it was not created: tasks_ready lists only "
        "finished tasks not yet collected (3 days, 1000 at a time, none with a delivered "
        "pingback or postback). It was not posted again: re-run later with the same journal, "
        "or pass repost_in_doubt=True to post it again (it may then be paid twice)."
    )
    return DataForSEOTaskInDoubtError(msg, tag=tag, engine=engine)


def chunk_results(
    engine: str,
    chunk: Sequence[Mapping[str, Any]],
    answer: list[Any] | Exception,
    first_index: int,
) -> list[TaskHandle | DataForSEOError]:
    """One handle or error per task of a posted chunk, from its answer or failure.

    A failure with no verdict makes every task of the chunk in doubt; a refusal (a
    status code, or a request that provably never ran) is the same error for each.

    Args:
        engine: The engine posted to.
        chunk: The tasks sent.
        answer: The ``tasks`` array answered, or what the post raised.
        first_index: Index of ``chunk[0]`` among the tasks posted.

    Returns:
        The results, in order.
    """
    if not isinstance(answer, Exception):
        return posted_handles(engine, chunk, answer, first_index)
    if post_in_doubt(answer):
        return [in_doubt_error(engine, task.get("tag"), answer) for task in chunk]
    error = answer if isinstance(answer, DataForSEOError) else DataForSEOError(str(answer))
    return [error] * len(chunk)


class ChunkLog:
    """Writes each chunk's intent before it is posted and its outcome right after.

    Args:
        journal: Where to write; ``None`` writes nothing.
        family: The family written in every record (``llm_responses``, ``llm_scraper``).
    """

    def __init__(self, journal: SubmitJournal | None, family: str = LLM_RESPONSES) -> None:
        self.journal = journal
        self.family = family

    def before(self, engine: str, chunk: Sequence[Mapping[str, Any]]) -> None:
        """Record the chunk's tags (durably) before it is posted."""
        if self.journal is not None:
            tags = [str(t.get("tag")) for t in chunk]
            self.journal.append(intent_record(engine, tags, family=self.family))

    def after(
        self,
        engine: str,
        chunk: Sequence[Mapping[str, Any]],
        results: Sequence[TaskHandle | Exception],
    ) -> None:
        """Record the handles created, the tags in doubt and the tags refused."""
        if self.journal is None:
            return
        made = [r for r in results if isinstance(r, TaskHandle)]
        doubt = [str(t.get("tag")) for t, r in zip(chunk, results, strict=True) if _doubt(r)]
        refused = [
            str(t.get("tag"))
            for t, r in zip(chunk, results, strict=True)
            if isinstance(r, Exception) and not _doubt(r)
        ]
        family = self.family
        if made:
            self.journal.append(created_record(made, family=family))
        if doubt:
            cause = next(r.__cause__ for r in results if isinstance(r, Exception) and _doubt(r))
            reason = str(cause or "no verdict")
            self.journal.append(in_doubt_record(engine, doubt, reason, family=family))
        if refused:
            first = next(r for r in results if isinstance(r, Exception) and not _doubt(r))
            self.journal.append(refused_record(engine, refused, str(first), family=family))

    def recovered(self, handles: Sequence[TaskHandle]) -> None:
        """Record handles found by tag."""
        if self.journal is not None and handles:
            self.journal.append(created_record(handles, family=self.family, recovered=True))


def _doubt(result: object) -> bool:
    return isinstance(result, DataForSEOTaskInDoubtError)


def check_unique_tags(tags: Mapping[int, str]) -> None:
    """Refuse a journaled submission in which two tasks share a tag (before posting).

    The journal and the recovery identify tasks by tag; with a repeated tag one of them
    could be taken for the other.

    Args:
        tags: Position in the submission to tag.

    Raises:
        DataForSEOInputError: Naming the first repeated tag.
    """
    seen: dict[str, int] = {}
    for position, tag in tags.items():
        if tag in seen:
            msg = (
                f"With a journal every task needs its own tag; tag {tag!r} is on inputs "
                f"{seen[tag]} and {position}. Leave tag unset (a unique one is generated) "
                "or give each input its own."
            )
            raise DataForSEOInputError(msg, field="tag", limit="unique per task", actual=tag)
        seen[tag] = position


def check_journal_engine(tags: Mapping[int, str], state: JournalState, engine: str) -> None:
    """Refuse a journal whose records give one of these tags to another engine.

    A handle of another engine is another task: collecting it would answer the wrong
    prompt, and posting would lose track of the first.

    Args:
        tags: Position to tag, for the tasks to submit.
        state: The replayed journal.
        engine: The engine of this submission.

    Raises:
        DataForSEOInputError: Naming the tag and both engines.
    """
    for tag in tags.values():
        recorded = state.engines.get(tag)
        if recorded is not None and recorded != engine:
            msg = (
                f"The journal records tag {tag!r} for engine {recorded!r}, not {engine!r}: "
                "use one journal per engine (or other tags)."
            )
            raise DataForSEOInputError(msg, field="journal", limit=recorded, actual=engine)


@dataclass
class ResumePlan:
    """What to do with each task of a submission, by position.

    Attributes:
        known: Positions whose tag has a handle in the journal: collect, never post.
        look_up: Positions whose tag is in doubt: look them up by tag.
        post: Positions never posted (or refused by the API): post them.
    """

    known: dict[int, TaskHandle] = field(default_factory=dict)
    look_up: list[int] = field(default_factory=list)
    post: list[int] = field(default_factory=list)


def plan_resume(tags: Mapping[int, str], state: JournalState) -> ResumePlan:
    """Sort the tasks of a submission by what the journal knows of their tags.

    Args:
        tags: Position to tag, for the tasks to submit.
        state: The replayed journal (empty without one).

    Returns:
        The plan.
    """
    plan = ResumePlan()
    for position, tag in tags.items():
        if tag in state.handles:
            plan.known[position] = state.handles[tag]
        elif tag in state.in_doubt:
            plan.look_up.append(position)
        else:
            plan.post.append(position)
    return plan


@dataclass(frozen=True)
class AskReadyTags:
    """Call ``tasks_ready`` for an engine; the answer is a list of ``(id, tag)`` pairs."""

    engine: str


@dataclass
class Recovery:
    """What a look-up by tag found.

    Attributes:
        found: Tag to the id of the task ``tasks_ready`` listed with it.
        missing: Tags not listed (still in doubt).
        error: Why the look-up stopped early, if it did.
    """

    found: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    error: Exception | None = None


def recover_steps(
    engine: str,
    tags: Iterable[str],
    *,
    poll_interval: float,
    wait: float,
    clock: Callable[[], float] = time.monotonic,
) -> Generator[AskReadyTags | Sleep, Any, Recovery]:
    """Look tags up in ``tasks_ready`` until all are found or ``wait`` runs out.

    It asks at least once. The first id listed with a tag wins; an id that is not in the
    API's format is ignored. A failure that retrying cannot fix ends the look-up.

    Args:
        engine: The engine the tasks were posted to.
        tags: The tags in doubt.
        poll_interval: Seconds between calls (``tasks_ready`` allows one per 3 s).
        wait: Seconds to keep looking.
        clock: Monotonic clock.

    Returns:
        What was found and what is still missing.
    """
    recovery = Recovery(missing=set(tags))
    if not recovery.missing:
        return recovery
    deadline = clock() + wait
    while True:
        answer: list[tuple[str, str | None]] | Exception = yield AskReadyTags(engine)
        if isinstance(answer, Exception):
            if stops_collecting(answer):
                recovery.error = answer
                return recovery
        else:
            for task_id, tag in answer:
                if tag in recovery.missing and TASK_ID_PATTERN.fullmatch(task_id):
                    recovery.found[tag] = task_id
                    recovery.missing.discard(tag)
        left = deadline - clock()
        if not recovery.missing or left <= 0:
            return recovery
        yield Sleep(min(poll_interval, left))


# --- A submission as steps ---
# A Standard submission as steps: check and tag every task, reserve, post, place the handles.
#
# :func:`submit_steps` is the whole submission without I/O: it yields :class:`Recover` (look
# the tasks in doubt up by tag) and :class:`Post` (post these tasks, 100 a request) and
# receives their results; the blocking and the async driver are in :mod:`.runner`. The
# journal's plan (what is known, what is in doubt) is above.


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
    locked from before it is read until the last record is written (:func:`.journal.hold_journal`):
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
