"""Standard orchestration: the drivers of a submission and of collecting, and the checks.

Every function takes a :class:`~langchain_dataforseo._standard.context.StandardContext`
(the task builder, client, budget and poll settings it is given). A submission is the
steps of :mod:`.protocol` (pure: the submission, the resume plan, the polling decisions);
here each is driven once blocking and once async
(:mod:`langchain_dataforseo._transport.drive`), the I/O being :mod:`.queue`'s. Also here:
what a collected task becomes (:func:`outcomes`) and one LangChain run a prompt
(:func:`traced_runs`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._api.cost_bounds import believable_result_cost
from langchain_dataforseo._api.fields import engine_spec
from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo._standard.context import RunTrace, StandardContext
from langchain_dataforseo._standard.handle import STANDARD_POST_PRICE_USD, TaskHandle, check_task_id
from langchain_dataforseo._standard.protocol import (
    CollectState,
    Item,
    Outcome,
    Prepared,
    Resume,
    check_tags,
    collect_steps,
    prepare,
    raise_if_not_created,
    submit_steps,
)
from langchain_dataforseo._standard.queue import (
    adrive_collect,
    aperform_post,
    drive_collect,
    perform_post,
)
from langchain_dataforseo._transport.drive import adrive, drive
from langchain_dataforseo._transport.retry import deadline_scope
from langchain_dataforseo.costs import record_cost, record_settled, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    DataForSEOTaskPendingError,
)

# --- What a collected task becomes ---
# What a collected Standard task becomes: a message or an error, its prepayment settled.
#
# Pure of I/O: :func:`outcomes` reads a finished :class:`~.protocol.CollectState`; the
# polling itself is :mod:`.protocol` (steps) and :mod:`.queue` (drivers).


def as_handles(handles: Sequence[TaskHandle | Mapping[str, Any]]) -> list[TaskHandle]:
    """Handles, or their saved dicts, as handles, all checked before any request.

    Unknown engines and ids that are not in the API's format (``../``, ``?``) are refused.
    """
    out = [h if isinstance(h, TaskHandle) else TaskHandle.from_dict(h) for h in handles]
    for handle in out:
        check_task_id(handle.id)
    return out


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
            message = task_to_message(
                state.done[item.id],
                engine=item.engine,
                method="standard",
                sent_max_tokens=item.max_output_tokens,
            )
            ctx.budget.settle_held(item.id, message.response_metadata["cost"])
            message.response_metadata.update(item.notes or {})
            record_cost(message)
            out.append(message)
        elif item.id in state.failed:
            error = state.failed[item.id]
            cost = getattr(error, "cost", 0.0)
            ctx.budget.settle_held(item.id, cost)
            record_settled(item.id, item.engine, item.model_name or "", cost or 0.0)
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
        item.engine,
        item.model_name or "",
        STANDARD_POST_PRICE_USD if held is None else held,
        item.id,
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


# --- One LangChain run a prompt ---
# A Standard batch is posted together but traced one by one: one LangChain run a prompt.
#
# Callbacks, LangSmith and ``get_usage_metadata_callback`` see each prompt as its own run,
# opened before posting and closed with its answer or error. The blocking and the async
# callback managers differ, so these are the one sync and one async driver of that.


def _run_setup(
    trace: RunTrace, config: RunnableConfig, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], tuple[Any, ...]]:
    params = {**trace.invocation_params(**kwargs), "method": "standard"}
    metadata = {**(config.get("metadata") or {}), **trace.ls_params(**kwargs)}
    configure = (
        config.get("callbacks"),
        trace.callbacks,
        trace.verbose,
        config.get("tags"),
        trace.tags,
        metadata,
        trace.metadata,
    )
    return params, {"name": config.get("run_name"), "run_id": config.get("run_id")}, configure


def start_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[CallbackManagerForLLMRun]:
    """Open one LangChain run per prompt (callbacks, LangSmith, usage callbacks)."""
    runs: list[CallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(trace, config, kwargs)
        runs += CallbackManager.configure(*configure).on_chat_model_start(
            trace.serialized,
            [conversation],
            invocation_params=params,
            options={"stop": None},
            batch_size=len(messages),
            **naming,
        )
    return runs


async def astart_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[AsyncCallbackManagerForLLMRun]:
    """Async :func:`start_runs`."""
    runs: list[AsyncCallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(trace, config, kwargs)
        runs += await AsyncCallbackManager.configure(*configure).on_chat_model_start(
            trace.serialized,
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


@dataclass
class Traced:
    """The results a traced block sets, one per prompt: each run ends with its own."""

    results: list[Outcome] = field(default_factory=list)


@contextmanager
def traced_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> Iterator[Traced]:
    """Open one run per prompt; close each with its result, or all with the block's error."""
    runs, traced = start_runs(trace, configs, messages, kwargs), Traced()
    try:
        yield traced
    except Exception as error:
        end_runs(runs, [error] * len(runs))
        raise
    end_runs(runs, traced.results)


@asynccontextmanager
async def atraced_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> AsyncIterator[Traced]:
    """Async :func:`traced_runs`."""
    runs, traced = await astart_runs(trace, configs, messages, kwargs), Traced()
    try:
        yield traced
    except Exception as error:
        await aend_runs(runs, [error] * len(runs))
        raise
    await aend_runs(runs, traced.results)


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
    :func:`~langchain_dataforseo._standard.protocol.submit_steps`.
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
