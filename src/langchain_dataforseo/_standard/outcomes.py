"""What a collected Standard task becomes: a message or an error, its prepayment settled.

Pure of I/O: :func:`outcomes` reads a finished :class:`~.protocol.CollectState`; the
polling itself is :mod:`.protocol` (steps) and :mod:`.io` (drivers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage

from langchain_dataforseo._api.cost_bounds import believable_result_cost
from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo._standard.context import StandardContext
from langchain_dataforseo._standard.handle import STANDARD_POST_PRICE_USD, TaskHandle, check_task_id
from langchain_dataforseo._standard.protocol import CollectState
from langchain_dataforseo._standard.submission import Item, Outcome
from langchain_dataforseo.costs import record_cost, record_settled, record_unknown
from langchain_dataforseo.errors import (
    DataForSEOBatchError,
    DataForSEOResponseError,
    DataForSEOTaskPendingError,
)


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
