"""The Standard method as ChatDataForSEO runs it: submit, collect, batch, and their runs.

Functions take the model as their first argument and use its building blocks (input
layout and checks, catalogue, client, budget); ``chat_models`` keeps only the thin public
methods. The polling decisions are in ``_standard`` (pure) and the I/O in
``_standard_io``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.load import dumpd
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig

from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._cost_bounds import believable_result_cost, outcome_unknown
from langchain_dataforseo._deadline import deadline_scope
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import ordered_task
from langchain_dataforseo._results import task_to_message
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

if TYPE_CHECKING:
    from langchain_dataforseo.chat_models import ChatDataForSEO

Prepared = tuple[dict[str, Any], dict[str, Any]] | Exception
Item = TaskHandle | Exception
Outcome = AIMessage | Exception


def require_standard(model: ChatDataForSEO) -> None:
    """Refuse Standard calls on an engine that has only the Live method."""
    if not engine_spec(model.engine).has_standard:
        msg = f"engine={model.engine!r} has no Standard method (submit / collect)."
        raise DataForSEOInputError(msg, field="method", limit="live", actual="standard")


def refuse_journal_on_live(journal: object) -> None:
    """A journal is for Standard tasks (posted, then collected); refuse it on Live."""
    if journal is not None:
        msg = "journal= applies to method='standard' (Live tasks are not posted and resumed)."
        raise DataForSEOInputError(msg, field="journal", limit="standard", actual="live")


# -- submit -----------------------------------------------------------------------------


def prepare(
    model: ChatDataForSEO,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
) -> list[Prepared]:
    """Build and check every task before anything is posted; tag untagged ones."""
    prepared: list[Prepared] = []
    for index, messages in enumerate(inputs):
        try:
            task, notes = model._build(messages, stop, options, records, standard=True)
        except ValueError as error:
            prepared.append(error)
            continue
        if "tag" not in task:
            task = ordered_task({**task, "tag": generated_tag(task, index)})
        prepared.append((task, notes))
    return prepared


def _reserve(
    model: ChatDataForSEO, prepared: list[Prepared], return_exceptions: bool
) -> tuple[list[int], list[dict[str, Any]], list[float]]:
    if not return_exceptions:
        for item in prepared:
            if isinstance(item, Exception):
                raise item
    positions = [i for i, item in enumerate(prepared) if not isinstance(item, Exception)]
    tasks = [item[0] for item in prepared if not isinstance(item, Exception)]
    amounts = [model._reservation(task, standard=True) for task in tasks]
    model._budget.reserve_total(round(sum(amounts), 7), len(tasks), "Standard tasks")
    return positions, tasks, amounts


def _placed(
    model: ChatDataForSEO,
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
    model._budget.settle(round(sum(amounts), 7), round(sum(kept), 7))
    for position, handle, amount in zip(positions, posted, amounts, strict=True):
        if isinstance(handle, TaskHandle):
            entry = prepared[position]
            notes = {} if isinstance(entry, Exception) else entry[1]
            handle = replace(handle, index=position, notes=notes or None)
            model._budget.hold(handle.id, amount)
        elif outcome_unknown(handle):  # in doubt: it may exist and be paid
            if isinstance(handle, DataForSEOTaskInDoubtError):
                handle.index = position
            model._budget.mark_unknown(amount)
            record_unknown(model.engine, model.model, amount)
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
    model: ChatDataForSEO, prepared: list[Prepared], return_exceptions: bool, resume: Resume
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
        check_journal_engine(tags, state, model.engine)
    return _Submission(prepared, resume, state, plan_resume(tags, state), ChunkLog(resume.journal))


def _recover_steps(model: ChatDataForSEO, sub: _Submission) -> Any:
    tags = [str(_task(sub, i)["tag"]) for i in sub.plan.look_up]
    wait = sub.resume.recover_wait
    return recover_steps(model.engine, tags, poll_interval=model.poll_interval, wait=wait)


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
    model: ChatDataForSEO, sub: _Submission, recovery: Recovery, out: list[Item]
) -> list[Item]:
    """Fill in the tasks the journal or the look-up knew, and those still in doubt."""
    found: list[TaskHandle] = []
    for position in sub.plan.look_up:
        task = _task(sub, position)
        tag = str(task["tag"])
        if tag in recovery.found:
            handle = TaskHandle(
                id=recovery.found[tag],
                engine=model.engine,
                tag=tag,
                model_name=task.get("model_name"),
                index=position,
            )
            found.append(handle)
            out[position] = handle
        elif not sub.resume.repost_in_doubt:
            reason = sub.state.in_doubt.get(tag, "")
            error = still_in_doubt_error(model.engine, tag, reason, sub.resume.recover_wait)
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


def _hold_unknown(model: ChatDataForSEO, amounts: list[float]) -> None:
    model._budget.settle(round(sum(amounts), 7), round(sum(amounts), 7))
    for amount in amounts:
        model._budget.mark_unknown(amount)
        record_unknown(model.engine, model.model, amount)


def submit(
    model: ChatDataForSEO,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None = None,
    *,
    for_batch: bool = False,
) -> list[Item]:
    """Check, tag and post the tasks (100 per request); one handle or error per input.

    With a journal, tasks it knows are not posted again and tasks in doubt are looked up
    by tag first. ``for_batch`` returns tasks that were not created in place (the batch
    collects the others, then raises with everything). A post cancelled or interrupted
    midway keeps its tasks reserved at their worst case: they may have been created.
    """
    sub = _start(
        model, prepare(model, inputs, stop, options, records), return_exceptions, resume or Resume()
    )
    recovery = Recovery()
    if sub.plan.look_up:
        recovery = drive_recover(model.client, _recover_steps(model, sub))
    masked = _to_post(sub, recovery)
    positions, tasks, amounts = _reserve(model, masked, True)
    try:
        posted = post_all(model.client, model.engine, tasks, sub.log) if tasks else []
    except BaseException:  # cancelled or interrupted: the tasks may have been created
        _hold_unknown(model, amounts)
        raise
    out = _resumed(model, sub, recovery, _placed(model, masked, positions, posted, amounts))
    raise_if_not_created(out, return_exceptions or for_batch)
    return out


async def asubmit(
    model: ChatDataForSEO,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
    resume: Resume | None = None,
    *,
    for_batch: bool = False,
) -> list[Item]:
    """Async :func:`submit`; chunks are posted concurrently."""
    sub = _start(
        model, prepare(model, inputs, stop, options, records), return_exceptions, resume or Resume()
    )
    recovery = Recovery()
    if sub.plan.look_up:
        recovery = await adrive_recover(model.client, _recover_steps(model, sub))
    masked = _to_post(sub, recovery)
    positions, tasks, amounts = _reserve(model, masked, True)
    try:
        posted = await apost_all(model.client, model.engine, tasks, sub.log) if tasks else []
    except BaseException:  # cancelled or interrupted: the tasks may have been created
        _hold_unknown(model, amounts)
        raise
    out = _resumed(model, sub, recovery, _placed(model, masked, positions, posted, amounts))
    raise_if_not_created(out, return_exceptions or for_batch)
    return out


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
    model: ChatDataForSEO,
    items: Sequence[Item],
    first_wait: float,
    max_wait: float | None,
    state: CollectState,
) -> Any:
    handles = [item for item in items if isinstance(item, TaskHandle)]
    callbacks = model.pingback_url is not None or model.postback_url is not None
    return collect_steps(
        handles,
        poll_interval=model.poll_interval,
        max_wait=model.max_wait if max_wait is None else max_wait,
        first_wait=first_wait,
        use_tasks_ready=len(handles) > 1 and not callbacks,
        state=state,
    )


def _collect_deadline(model: ChatDataForSEO, max_wait: float | None) -> float:
    return time.monotonic() + (model.max_wait if max_wait is None else max_wait)


def collect_state(
    model: ChatDataForSEO, items: Sequence[Item], first_wait: float, max_wait: float | None
) -> CollectState:
    """Poll until done or out of time; a failure of the free GETs keeps tasks pending.

    The calls in flight when ``max_wait`` runs out end then too (their tasks stay pending).
    """
    state = CollectState()
    try:
        with deadline_scope(_collect_deadline(model, max_wait)):
            drive_collect(model.client, _steps(model, items, first_wait, max_wait, state))
    except DataForSEOError as error:
        state.error = error
    return state


async def acollect_state(
    model: ChatDataForSEO, items: Sequence[Item], first_wait: float, max_wait: float | None
) -> CollectState:
    """Async :func:`collect_state`."""
    state = CollectState()
    try:
        with deadline_scope(_collect_deadline(model, max_wait)):
            steps = _steps(model, items, first_wait, max_wait, state)
            await adrive_collect(model.client, steps)
    except DataForSEOError as error:
        state.error = error
    return state


def outcomes(model: ChatDataForSEO, items: Sequence[Item], state: CollectState) -> list[Outcome]:
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
            out.append(_unbelievable(model, item, state.done[item.id]))
        elif item.id in state.done:
            message = task_to_message(state.done[item.id], engine=item.engine, method="standard")
            model._budget.settle_held(item.id, message.response_metadata["cost"])
            message.response_metadata.update(item.notes or {})
            record_cost(message)
            out.append(message)
        elif item.id in state.failed:
            error = state.failed[item.id]
            model._budget.settle_held(item.id, getattr(error, "cost", 0.0))
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


def _unbelievable(model: ChatDataForSEO, item: TaskHandle, task: Mapping[str, Any]) -> Exception:
    """A finished task whose reported cost cannot be believed: its reservation is kept."""
    held = model._budget.settle_held_unknown(item.id)
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


# -- LangChain runs: posted together, traced one by one -----------------------------------


def _run_setup(
    model: ChatDataForSEO, config: RunnableConfig, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], tuple[Any, ...]]:
    params = {**model._get_invocation_params(**kwargs), "method": "standard"}
    metadata = {**(config.get("metadata") or {}), **model._get_ls_params(**kwargs)}
    configure = (
        config.get("callbacks"),
        model.callbacks,
        model.verbose,
        config.get("tags"),
        model.tags,
        metadata,
        model.metadata,
    )
    return params, {"name": config.get("run_name"), "run_id": config.get("run_id")}, configure


def start_runs(
    model: ChatDataForSEO,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[CallbackManagerForLLMRun]:
    """Open one LangChain run per prompt (callbacks, LangSmith, usage callbacks)."""
    runs: list[CallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(model, config, kwargs)
        runs += CallbackManager.configure(*configure).on_chat_model_start(
            dumpd(model),
            [conversation],
            invocation_params=params,
            options={"stop": None},
            batch_size=len(messages),
            **naming,
        )
    return runs


async def astart_runs(
    model: ChatDataForSEO,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[AsyncCallbackManagerForLLMRun]:
    """Async :func:`start_runs`."""
    runs: list[AsyncCallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(model, config, kwargs)
        runs += await AsyncCallbackManager.configure(*configure).on_chat_model_start(
            dumpd(model),
            [conversation],
            invocation_params=params,
            options={"stop": None},
            batch_size=len(messages),
            **naming,
        )
    return runs


def end_runs(runs: list[CallbackManagerForLLMRun], results: Sequence[Outcome]) -> None:
    """Close each run with its answer or its error."""
    for run, result in zip(runs, results, strict=True):
        if isinstance(result, Exception):
            run.on_llm_error(result)
        else:
            run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=result)]]))


async def aend_runs(runs: list[AsyncCallbackManagerForLLMRun], results: Sequence[Outcome]) -> None:
    """Async :func:`end_runs`."""
    for run, result in zip(runs, results, strict=True):
        if isinstance(result, Exception):
            await run.on_llm_error(result)
        else:
            await run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=result)]]))
