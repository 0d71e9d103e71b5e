"""Resuming a Standard submission from its journal, without I/O.

- :func:`plan_resume`: which tasks already have a handle (collect them), which are in
  doubt (look them up by tag) and which must be posted.
- :func:`recover_steps`: the look-up by tag as a generator of steps (ask ``tasks_ready``,
  sleep), performed by the drivers in ``_standard_io``.
- :func:`post_in_doubt`: whether a failed ``task_post`` may still have created its tasks.

What a look-up can prove: a tag listed by ``tasks_ready`` belongs to a task that exists
(created and paid). What it cannot: ``tasks_ready`` lists only tasks that are finished,
not yet collected, posted in the last 3 days, without a delivered pingback or postback, and at most
1000 at a time, so a tag that is missing may still exist. Missing tags stay in doubt;
they are not posted again unless the caller asks for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_dataforseo._api.cost_bounds import outcome_unknown
from langchain_dataforseo._standard.handle import RECOVER_WAIT_SECONDS as _RECOVER_WAIT_SECONDS
from langchain_dataforseo._standard.handle import TASK_ID_PATTERN, TaskHandle
from langchain_dataforseo._standard.journal import (
    LLM_RESPONSES,
    JournalState,
    SubmitJournal,
    created_record,
    in_doubt_record,
    intent_record,
    refused_record,
)
from langchain_dataforseo._standard.protocol import posted_handles, stops_collecting
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.errors import (
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOTaskInDoubtError,
)

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
