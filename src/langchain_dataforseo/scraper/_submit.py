"""LLM Scraper Standard submit, journaled like the LLM Responses one, and where costs go.

:class:`Spend` is where one call's cost goes (its budget and its ``track_costs`` line
``(engine, "llm_scraper")``, counted as numbers); an LLM Scraper task is charged in full
at ``task_post``, so a post settles at once to the created tasks' costs (:func:`settle_post`).

With a journal (a path or any ``SubmitJournal``: the visibility store is one), each chunk's
tags are written *before* it is posted (``intent``) and its outcome right after
(``created`` handles, ``refused`` or ``in_doubt`` tags), every record with
``"family": "llm_scraper"``. A re-run with the same journal replays only the LLM Scraper
records (LLM Responses records, and records without a family, are another API's tasks):

- a tag with a handle is not posted again (its handle is returned, to collect);
- a tag in doubt is looked up in the scraper's ``tasks_ready`` by tag; found, it gets its
  handle; not found, it stays in doubt (``DataForSEOTaskInDoubtError``) unless
  ``repost_in_doubt`` (it may then be paid twice);
- every other tag is posted.

The decisions are the package's (``_standard.resume``: ``plan_resume``, ``recover_steps``,
``ChunkLog``, ``chunk_results``), written once as steps (``_submit_steps``) that
:func:`submit` and :func:`asubmit` drive; only the transport call differs.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, cast

from langchain_dataforseo._api.cost_bounds import checked_cost
from langchain_dataforseo._api.fields import LLM_SCRAPER
from langchain_dataforseo._money.budget import Budget
from langchain_dataforseo._money.live import CostLine, hold_unknown, settle_failed
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, TaskHandle
from langchain_dataforseo._standard.io import arecover_step, recover_step
from langchain_dataforseo._standard.journal import (
    JournalState,
    SubmitJournal,
    open_journal,
    replay,
)
from langchain_dataforseo._standard.journal_lock import hold_journal
from langchain_dataforseo._standard.protocol import chunks
from langchain_dataforseo._standard.resume import (
    RECOVER_WAIT_SECONDS,
    AskReadyTags,
    ChunkLog,
    Recovery,
    ResumePlan,
    check_journal_engine,
    check_unique_tags,
    chunk_results,
    plan_resume,
    recover_steps,
    still_in_doubt_error,
)
from langchain_dataforseo._transport.client import DataForSEOClient, not_available
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.costs import record
from langchain_dataforseo.errors import DataForSEOError
from langchain_dataforseo.scraper._request import check_engine

# -- where a call's cost goes: its budget and its ``track_costs`` line ----------------------

COST_LINE: Final = "llm_scraper"
"""The ``model_name`` under which ``track_costs`` counts LLM Scraper charges."""


@dataclass(frozen=True)
class Spend:
    """Where one call's cost goes.

    Attributes:
        budget: The budget to reserve in and settle.
        engine: The engine called (the cost line's engine).
    """

    budget: Budget
    engine: str

    def record(self, cost: float) -> None:
        """Count ``cost`` in every active ``track_costs`` block."""
        record(self.engine, COST_LINE, cost)

    @property
    def line(self) -> CostLine:
        """Where an unknown charge is counted in ``track_costs``."""
        return (self.engine, COST_LINE)

    def hold_unknown(self, reserved: float) -> None:
        """Keep ``reserved`` for good: the call may have been charged up to it."""
        hold_unknown(self.budget, self.line, reserved)

    def failed(self, reserved: float, error: DataForSEOError) -> None:
        """Settle a failed call: what the API said it cost, or its worst case if unknown."""
        cost = settle_failed(self.budget, self.line, reserved, error)
        if cost is not None:
            self.record(cost)


def settle_post(
    spend: Spend, reserved: float, answer: list[Any] | DataForSEOError
) -> list[Any] | DataForSEOError:
    """Settle one ``task_post``: to the created tasks' costs, or hold it when unknown.

    Args:
        spend: Budget and cost line.
        reserved: What was reserved for the chunk.
        answer: The ``tasks`` array answered, or the error.

    Returns:
        ``answer``, unchanged.
    """
    if isinstance(answer, DataForSEOError):
        spend.failed(reserved, answer)
        return answer
    costs = [checked_cost(t.get("cost")) for t in answer if isinstance(t, dict)]
    if any(cost is None for cost in costs):
        spend.hold_unknown(reserved)
        return answer
    total = round(sum(cast(list[float], costs)), 7)
    spend.budget.settle(reserved, total)
    spend.record(total)
    return answer


# -- the journaled Standard submit -------------------------------------------------------

JournalArg = str | os.PathLike[str] | SubmitJournal | None
"""A journal: a file path, any ``SubmitJournal``, or ``None`` (no journal)."""


def preflight(client: DataForSEOClient, engine: str) -> None:
    """Raise what would fail before sending (engine, base URL, credentials), early.

    Called before a reservation is made, so such a failure never holds budget.

    Raises:
        DataForSEOAuthenticationError: When no usable credentials are set.
        DataForSEOInputError: For an engine the LLM Scraper does not serve, or a refused
            base URL.
    """
    check_engine(engine)
    client.check_credentials()


@dataclass(frozen=True)
class Resume:
    """How a journaled submit treats what earlier runs left.

    Attributes:
        repost_in_doubt: Post again the tags in doubt that the look-up did not find.
        recover_wait: Seconds to look tags in doubt up in ``tasks_ready``.
        poll_interval: Seconds between ``tasks_ready`` calls of the look-up.
    """

    repost_in_doubt: bool = False
    recover_wait: float = RECOVER_WAIT_SECONDS
    poll_interval: float = 5.0


@dataclass
class _Submission:
    tags: dict[int, str]
    state: JournalState
    plan: ResumePlan
    log: ChunkLog


def _prepare(
    engine: str, tasks: Sequence[dict[str, Any]], opened: SubmitJournal | None
) -> _Submission:
    """Replay the journal's LLM Scraper records and sort the tasks (pure but for reading)."""
    tags = {i: str(task.get("tag")) for i, task in enumerate(tasks)}
    if opened is None:
        return _Submission(tags, JournalState(), ResumePlan(post=list(tags)), ChunkLog(None))
    check_unique_tags(tags)
    state = replay(opened.records(), family=LLM_SCRAPER)
    check_journal_engine(tags, state, engine)
    return _Submission(tags, state, plan_resume(tags, state), ChunkLog(opened, LLM_SCRAPER))


def _resolve(
    engine: str, sub: _Submission, recovery: Recovery, resume: Resume
) -> tuple[dict[int, TaskHandle | DataForSEOError], list[int]]:
    """What the journal and the look-up settle, and the positions left to post."""
    results: dict[int, TaskHandle | DataForSEOError] = dict(sub.plan.known)
    found = []
    post = list(sub.plan.post)
    for position in sub.plan.look_up:
        tag = sub.tags[position]
        if tag in recovery.found:
            handle = TaskHandle(id=recovery.found[tag], engine=engine, tag=tag, index=position)
            results[position] = handle
            found.append(handle)
        elif resume.repost_in_doubt and recovery.error is None:
            post.append(position)
        else:
            reason = sub.state.in_doubt.get(tag, "in doubt")
            results[position] = still_in_doubt_error(engine, tag, reason, resume.recover_wait)
    sub.log.recovered(found)
    return results, sorted(post)


def _steps(engine: str, sub: _Submission, resume: Resume) -> Any:
    return recover_steps(
        engine,
        [sub.tags[p] for p in sub.plan.look_up],
        poll_interval=resume.poll_interval,
        wait=resume.recover_wait,
    )


@dataclass
class _Posting:
    """The bookkeeping around each chunk's ``task_post`` (shared by both twins)."""

    spend: Spend
    sub: _Submission
    unit: float
    post: list[int]
    results: dict[int, TaskHandle | DataForSEOError]
    per_post: int = MAX_TASKS_PER_POST
    done: int = 0

    def chunks(self, tasks: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return chunks([tasks[p] for p in self.post], self.per_post)

    def before(self, chunk: Sequence[dict[str, Any]]) -> float | DataForSEOError:
        """Reserve the chunk's worst case, then journal its intent; the reservation.

        A journal may refuse the chunk (a ``DataForSEOError``: another driver holds its
        tasks, the run's cap): nothing is sent, the reservation is released and the
        refusal is returned.
        """
        reserved = self.spend.budget.reserve(len(chunk), self.unit, "LLM Scraper task_post")
        try:
            self.sub.log.before(self.spend.engine, chunk)
        except DataForSEOError as refusal:
            self.spend.budget.settle(reserved, 0.0)
            return refusal
        return reserved

    def refused(self, chunk: Sequence[dict[str, Any]], refusal: DataForSEOError) -> None:
        """Place a chunk the journal refused: each of its tasks gets the refusal."""
        for offset in range(len(chunk)):
            self.results[self.post[self.done + offset]] = refusal
        self.done += len(chunk)

    def after(
        self,
        chunk: Sequence[dict[str, Any]],
        reserved: float,
        answer: list[Any] | DataForSEOError,
    ) -> None:
        """Settle the chunk, journal its outcome and place each result."""
        engine = self.spend.engine
        settled = settle_post(self.spend, reserved, answer)
        outcome = [  # a task refused 40402: the engine is not available (not_available)
            not_available(engine, item) if isinstance(item, DataForSEOError) else item
            for item in chunk_results(engine, chunk, settled, self.done)
        ]
        self.sub.log.after(engine, chunk, outcome)
        for offset, item in enumerate(outcome):
            self.results[self.post[self.done + offset]] = item
        self.done += len(chunk)


@dataclass(frozen=True)
class _PostChunk:
    """Post these tasks with the scraper's ``task_post``; the answer is its task list."""

    engine: str
    tasks: list[dict[str, Any]]


_Step = _PostChunk | AskReadyTags | Sleep


def _submit_steps(
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    journal: JournalArg,
    resume: Resume,
    per_post: int,
) -> Generator[_Step, Any, list[TaskHandle | DataForSEOError]]:
    """The submission as steps: look tags in doubt up, then post each chunk in turn.

    A file journal is locked from before it is read until its last record is written
    (``journal_lock``): a second submission with it is refused at once.
    """
    opened = open_journal(journal) if journal is not None else None
    with hold_journal(opened):
        return (yield from _locked_steps(spend, tasks, unit, opened, resume, per_post))


def _locked_steps(
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    opened: SubmitJournal | None,
    resume: Resume,
    per_post: int,
) -> Generator[_Step, Any, list[TaskHandle | DataForSEOError]]:
    """The steps of :func:`_submit_steps` once the journal is held."""
    sub = _prepare(spend.engine, tasks, opened)
    recovery = Recovery()
    if sub.plan.look_up:
        recovery = yield from _steps(spend.engine, sub, resume)
    results, post = _resolve(spend.engine, sub, recovery, resume)
    posting = _Posting(spend, sub, unit, post, results, per_post)
    for chunk in posting.chunks(tasks):
        reserved = posting.before(chunk)
        if isinstance(reserved, DataForSEOError):  # refused by the journal: nothing sent
            posting.refused(chunk, reserved)
            continue
        try:
            answer: list[Any] | DataForSEOError = yield _PostChunk(spend.engine, chunk)
        except DataForSEOError as error:
            answer = error
        except BaseException:  # interrupted or cancelled: the chunk may have been posted
            spend.hold_unknown(reserved)
            raise
        posting.after(chunk, reserved, answer)
    return [results[p] for p in range(len(tasks))]


def _perform(client: DataForSEOClient, step: _Step) -> Any:
    if isinstance(step, _PostChunk):
        return client.task_post(step.engine, step.tasks, product=LLM_SCRAPER)
    return recover_step(client.for_product(LLM_SCRAPER), step)


async def _aperform(client: DataForSEOClient, step: _Step) -> Any:
    if isinstance(step, _PostChunk):
        return await client.atask_post(step.engine, step.tasks, product=LLM_SCRAPER)
    return await arecover_step(client.for_product(LLM_SCRAPER), step)


def submit(
    client: DataForSEOClient,
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    *,
    journal: JournalArg = None,
    resume: Resume | None = None,
    per_post: int = MAX_TASKS_PER_POST,
) -> list[TaskHandle | DataForSEOError]:
    """Post tasks in chunks of ``per_post`` (Standard); one handle or error per task, in order.

    Args:
        client: The client (its LLM Scraper endpoints).
        spend: Budget and cost line.
        tasks: Checked task objects, each with its own tag (``_run.tagged``).
        unit: Worst case reserved per task.
        journal: Where intents and outcomes are written (see the module docstring).
        resume: How tags in doubt are treated (with a journal).
        per_post: Tasks in one ``task_post`` (1 to 100; the caller checks the range).

    Returns:
        Handles (save them with ``to_dict``) or errors (in-doubt posts are
        ``DataForSEOTaskInDoubtError`` and are not reposted).
    """
    preflight(client, spend.engine)
    steps = _submit_steps(spend, tasks, unit, journal, resume or Resume(), per_post)
    return drive(steps, partial(_perform, client))


async def asubmit(
    client: DataForSEOClient,
    spend: Spend,
    tasks: Sequence[dict[str, Any]],
    unit: float,
    *,
    journal: JournalArg = None,
    resume: Resume | None = None,
    per_post: int = MAX_TASKS_PER_POST,
) -> list[TaskHandle | DataForSEOError]:
    """Async :func:`submit` (the same steps; only the transport call is awaited)."""
    preflight(client, spend.engine)
    steps = _submit_steps(spend, tasks, unit, journal, resume or Resume(), per_post)
    return await adrive(steps, partial(_aperform, client))
