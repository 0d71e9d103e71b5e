"""The Standard method (task_post, then tasks_ready / task_get), without I/O.

- :class:`TaskHandle`: what identifies a posted task; JSON-friendly, so a list of handles
  can be saved and collected later by another process.
- :func:`collect_steps`: the polling protocol as a generator. It yields what to do (ask
  ``tasks_ready``, ``task_get`` some ids, sleep) and receives the answers; the sync and
  async drivers in ``_standard_io`` only perform those steps.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from langchain_dataforseo._constants import STANDARD_BASE_PRICE_USD
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._envelope import (
    PENDING_CODES,
    TASK_CREATED,
    as_int,
    first_result,
    task_error,
)
from langchain_dataforseo._transport import Sleep
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOPaymentError,
    DataForSEOResponseError,
)

STANDARD_PREPAYMENT_USD: Final = 0.01
"""Advance charged at ``task_post``; the unused part is refunded on completion."""
STANDARD_POST_PRICE_USD: Final = round(STANDARD_BASE_PRICE_USD + STANDARD_PREPAYMENT_USD, 7)
"""What ``task_post`` charges per created task before settlement."""
MAX_TASKS_PER_POST: Final = 100
TASKS_READY_INTERVAL_SECONDS: Final = 3.0
"""``tasks_ready`` is limited to 20 calls a minute: one every 3 s at most."""
TASK_ID_PATTERN: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
"""The API's task ids are in "UUID format" (8-4-4-4-12 hex digits)."""


def check_task_id(task_id: object) -> str:
    """Refuse a task id that is not in the API's UUID format, before it goes into a path.

    Ids come back from saved handles and journals; ``../../appendix/user_data`` or
    ``<id>?x=1`` would otherwise change the request's path or query. Only the documented
    shape is checked (8-4-4-4-12 hex digits), not the observed meaning of its groups.

    Args:
        task_id: The id to check.

    Returns:
        The id, unchanged.

    Raises:
        DataForSEOInputError: When it is not a string of that shape.
    """
    if not isinstance(task_id, str) or TASK_ID_PATTERN.fullmatch(task_id) is None:
        msg = (
            f"Task id {task_id!r} is not a DataForSEO task id (UUID format, 8-4-4-4-12 hex "
            "digits); refused before any request."
        )
        raise DataForSEOInputError(
            msg, field="id", limit="UUID format 8-4-4-4-12 hex", actual=task_id
        )
    return task_id


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


@dataclass(frozen=True)
class TaskHandle:
    """A posted Standard task: enough to collect its result later, from any process.

    Attributes:
        id: The task id DataForSEO gave it.
        engine: The engine it was posted to.
        tag: Its tag (yours, or one generated to match results to prompts).
        model_name: The model name it was posted with.
        index: Its position in the submitted list.
        notes: What was changed in the input to fit the API (``trimmed``, ``layout``,
            ``ignored``); copied into the result's ``response_metadata``.
    """

    id: str
    engine: str
    tag: str | None = None
    model_name: str | None = None
    index: int | None = None
    notes: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        engine_spec(self.engine)  # a handle of an unknown engine is refused before any call

    def to_dict(self) -> dict[str, Any]:
        """The handle as a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskHandle:
        """Rebuild a handle saved with :meth:`to_dict`.

        Args:
            data: The saved dict.

        Returns:
            The handle.

        Raises:
            ValueError: When ``id`` or ``engine`` is missing, or the engine is unknown.
        """
        if not isinstance(data.get("id"), str) or not isinstance(data.get("engine"), str):
            msg = f"A task handle needs string 'id' and 'engine'; got {dict(data)!r}."
            raise ValueError(msg)
        index = data.get("index")
        notes = data.get("notes")
        return cls(
            id=data["id"],
            engine=data["engine"],
            tag=data.get("tag") if isinstance(data.get("tag"), str) else None,
            model_name=data.get("model_name") if isinstance(data.get("model_name"), str) else None,
            index=index if isinstance(index, int) else None,
            notes=notes if isinstance(notes, dict) else None,
        )


def generated_tag(task: Mapping[str, Any], index: int) -> str:
    """A deterministic tag for a task the user did not tag: content hash plus position.

    Args:
        task: The task object (without a tag).
        index: Its position in the submitted list.

    Returns:
        ``"lcdfs-<12 hex>-<index>"`` (well under the 255-character limit).
    """
    digest = hashlib.sha256(json.dumps(task, sort_keys=True).encode("utf-8")).hexdigest()
    return f"lcdfs-{digest[:12]}-{index}"


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
    """

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, Exception] = field(default_factory=dict)
    pending: dict[str, TaskHandle] = field(default_factory=dict)
    error: Exception | None = None
    last_errors: dict[str, Exception] = field(default_factory=dict)


def collect_steps(
    handles: Sequence[TaskHandle],
    *,
    poll_interval: float,
    max_wait: float,
    first_wait: float,
    use_tasks_ready: bool = True,
    sweep_every: int = 10,
    backoff: float = 1.5,
    patience: int = 3,
    max_interval: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    state: CollectState | None = None,
) -> Generator[CollectStep, Any, CollectState]:
    """Poll until every task is finished or ``max_wait`` runs out.

    Each round asks ``tasks_ready`` (per engine) and fetches the ready ids that are ours;
    every ``sweep_every`` rounds, in the first round when ``first_wait`` is 0 (tasks
    submitted earlier may have been collected already, and collected tasks leave
    ``tasks_ready``), and in every round when ``use_tasks_ready`` is off (tasks with a
    pingback/postback never show in ``tasks_ready``), it fetches all pending ids directly,
    so a delayed or crowded ``tasks_ready`` cannot stall a task.

    Polling backs off: after ``patience`` rounds in a row in which nothing finished, the
    interval grows by ``backoff`` up to ``max_interval``; it returns to ``poll_interval``
    as soon as a task finishes. Standard tasks may take hours, and every poll is a call.

    Args:
        handles: The tasks to collect.
        poll_interval: Seconds between rounds (``tasks_ready`` allows one call per 3 s).
        max_wait: Give up after this many seconds; what is left stays pending.
        first_wait: Seconds to wait before the first round (0 when collecting old tasks).
        use_tasks_ready: Whether to use ``tasks_ready`` at all.
        sweep_every: Rounds between direct sweeps of every pending id.
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
    interval = poll_interval
    idle_rounds = 0
    while state.pending and clock() < deadline:
        round_number += 1
        pending_before = len(state.pending)
        engines = sorted({h.engine for h in state.pending.values()})
        sweep = (
            not use_tasks_ready
            or round_number % sweep_every == 0
            or (round_number == 1 and first_wait <= 0)  # old tasks may be collected already
        )
        for engine in engines:
            ours = [i for i, h in state.pending.items() if h.engine == engine]
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
                wanted = [i for i in dict.fromkeys(ready) if i in mine]
            if wanted:
                fetched: dict[str, Any] = yield Fetch(engine, tuple(wanted))
                _absorb(state, fetched)
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
        del state.pending[task_id]
