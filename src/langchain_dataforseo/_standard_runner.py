"""The Standard method as ChatDataForSEO runs it: submit, collect, batch, and their runs.

Functions take the model as their first argument and use its building blocks (input
layout and checks, catalogue, client, budget); ``chat_models`` keeps only the thin public
methods. The polling decisions are in ``_standard`` (pure) and the I/O in
``_standard_io``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import ordered_task
from langchain_dataforseo._results import task_to_message
from langchain_dataforseo._standard import (
    STANDARD_POST_PRICE_USD,
    CollectState,
    TaskHandle,
    collect_steps,
    generated_tag,
)
from langchain_dataforseo._standard_io import adrive_collect, apost_all, drive_collect, post_all
from langchain_dataforseo.costs import record_cost, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOResponseError,
    DataForSEOSubmitError,
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
    return_exceptions: bool,
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
        elif outcome_unknown(handle):
            model._budget.mark_unknown(amount)
            record_unknown(model.engine, model.model, amount)
        out[position] = handle
    errors = {i: item for i, item in enumerate(out) if isinstance(item, Exception)}
    if errors and not return_exceptions:
        made = [item for item in out if isinstance(item, TaskHandle)]
        first = next(iter(errors.values()))
        msg = (
            f"{len(errors)} of {len(out)} Standard task(s) were not created (first: {first}); "
            f"the {len(made)} created are in .handles: collect them."
        )
        raise DataForSEOSubmitError(msg, handles=list(made), errors=errors)
    return out


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
) -> list[Item]:
    """Check, tag and post the tasks (100 per request); one handle or error per input."""
    prepared = prepare(model, inputs, stop, options, records)
    positions, tasks, amounts = _reserve(model, prepared, return_exceptions)
    try:
        posted = post_all(model.client, model.engine, tasks) if tasks else []
    except BaseException:  # cancelled or interrupted: the tasks may have been created
        _hold_unknown(model, amounts)
        raise
    return _placed(model, prepared, positions, posted, amounts, return_exceptions)


async def asubmit(
    model: ChatDataForSEO,
    inputs: Sequence[Sequence[BaseMessage]],
    stop: list[str] | None,
    options: dict[str, Any],
    records: list[ModelRecord] | None,
    return_exceptions: bool,
) -> list[Item]:
    """Async :func:`submit`; chunks are posted concurrently."""
    prepared = prepare(model, inputs, stop, options, records)
    positions, tasks, amounts = _reserve(model, prepared, return_exceptions)
    try:
        posted = await apost_all(model.client, model.engine, tasks) if tasks else []
    except BaseException:  # cancelled or interrupted: the tasks may have been created
        _hold_unknown(model, amounts)
        raise
    return _placed(model, prepared, positions, posted, amounts, return_exceptions)


# -- collect ----------------------------------------------------------------------------


def as_handles(handles: Sequence[TaskHandle | Mapping[str, Any]]) -> list[TaskHandle]:
    """Handles, or their saved dicts, as handles (unknown engines refused)."""
    return [h if isinstance(h, TaskHandle) else TaskHandle.from_dict(h) for h in handles]


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


def collect_state(
    model: ChatDataForSEO, items: Sequence[Item], first_wait: float, max_wait: float | None
) -> CollectState:
    """Poll until done or out of time; a failure of the free GETs keeps tasks pending."""
    state = CollectState()
    try:
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
        await adrive_collect(model.client, _steps(model, items, first_wait, max_wait, state))
    except DataForSEOError as error:
        state.error = error
    return state


def outcomes(model: ChatDataForSEO, items: Sequence[Item], state: CollectState) -> list[Outcome]:
    """One message or exception per item, in order; settles the held prepayments."""
    out: list[Outcome] = []
    for item in items:
        if isinstance(item, Exception):
            out.append(item)
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
            msg = (
                f"Standard task {item.id}: {why}. Collect it later with collect([handle]); "
                "results are kept for 30 days."
            )
            out.append(DataForSEOTaskPendingError(msg, handle=item, task_id=item.id))
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
