"""The Standard method's protocol (task_post answers, tasks_ready / task_get), without I/O.

:func:`collect_steps` is the polling protocol as a generator: it yields what to do (ask
``tasks_ready``, ``task_get`` some ids, sleep) and receives the answers; the sync and async
drivers in :mod:`langchain_dataforseo._standard.io` only perform those steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_dataforseo._api.envelope import (
    PENDING_CODES,
    TASK_CREATED,
    as_int,
    first_result,
    task_error,
)
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, TaskHandle
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOPaymentError,
    DataForSEOResponseError,
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
    sweep_every: int | None = 10,
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
        sweep_every: Rounds between direct sweeps of every pending id (``None``: none).
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
