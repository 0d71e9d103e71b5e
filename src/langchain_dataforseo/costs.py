"""Cost tracking: sum what DataForSEO calls cost inside a ``with`` block.

In the spirit of langchain-community's ``get_openai_callback``, but fed by the model
itself (every Live answer and every collected Standard result), so Standard batches,
``submit`` / ``collect`` and threads started by ``batch`` are all counted::

    from langchain_dataforseo import track_costs

    with track_costs() as costs:
        model.batch(prompts)
    print(costs)  # total, tasks, tokens, per engine and model

Calls whose outcome is unknown (an answer that could not be read, a timeout after sending)
are not in ``total_cost``: they are counted apart, in ``unknown_tasks`` and
``unknown_cost_max`` (the most they can have cost). Standard tasks posted in the block
and not collected in it are ``pending_tasks``: their prepayment ($0.0102 a task, charged
at ``task_post``) is in ``total_cost``, and what they may still cost beyond it, up to
their reservation, is in ``unknown_cost_max``. Collecting one in the block replaces its
prepayment by the cost it settled at. So the block cannot have cost more than
``total_cost + unknown_cost_max``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration

from langchain_dataforseo._api.envelope import as_float, as_int
from langchain_dataforseo._api.fields import PROVIDER


@dataclass
class CostLine:
    """Totals for one engine and model.

    Attributes:
        tasks: Answers received.
        cost: USD charged.
        input_tokens: Tokens in.
        output_tokens: Tokens out (reasoning included).
        reasoning_tokens: Of the output tokens, those spent reasoning.
        unknown_tasks: Calls whose outcome is unknown (their answer could not be read):
            they may have been charged; not counted in ``tasks`` or ``cost``.
        unknown_cost_max: The most those calls can have cost, in USD.
        pending_tasks: Standard tasks posted and not collected yet (not in ``tasks``).
        pending_prepaid: What those tasks were charged when posted, in USD (not in
            ``cost``; settled, maybe partly refunded, when they are collected).
        pending_cost_max: The most those tasks can cost in all, in USD (their reservation).
    """

    tasks: int = 0
    cost: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    unknown_tasks: int = 0
    unknown_cost_max: float = 0.0
    pending_tasks: int = 0
    pending_prepaid: float = 0.0
    pending_cost_max: float = 0.0


@dataclass
class CostTracker:
    """What the calls made inside :func:`track_costs` cost, in total and per model.

    Attributes:
        by_model: ``(engine, model_name)`` to its totals.
    """

    by_model: dict[tuple[str, str], CostLine] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pending: dict[str, tuple[tuple[str, str], float, float]] = field(
        default_factory=dict, repr=False
    )

    def add(self, message: AIMessage) -> None:
        """Count one DataForSEO answer; a replayed (cached) one is not counted.

        Args:
            message: An ``AIMessage`` made by ``ChatDataForSEO``.
        """
        meta = message.response_metadata
        if meta.get("cached"):
            return
        usage = message.usage_metadata
        details = usage.get("output_token_details") if usage else None
        reasoning = as_int(details.get("reasoning")) if details else None
        task_id = meta.get("task_id")
        self.add_answer(
            str(meta.get("engine", "")),
            str(meta.get("model_name", "")),
            as_float(meta.get("cost")),
            input_tokens=usage["input_tokens"] if usage else 0,
            output_tokens=usage["output_tokens"] if usage else 0,
            reasoning_tokens=reasoning or 0,
            task_id=task_id if isinstance(task_id, str) else None,
        )

    def add_answer(
        self,
        engine: str,
        model_name: str,
        cost: float,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        reasoning_tokens: int = 0,
        task_id: str | None = None,
    ) -> None:
        """Count one answered task by its numbers.

        Args:
            engine: The engine (or product) called.
            model_name: The model name sent.
            cost: What it cost, in USD.
            input_tokens: Tokens in.
            output_tokens: Tokens out (reasoning included).
            reasoning_tokens: Of the output tokens, those spent reasoning.
            task_id: A pending Standard task this answer settles, if any.
        """
        with self._lock:
            self._settle_pending(task_id)
            line = self.by_model.setdefault((engine, model_name), CostLine())
            line.tasks += 1
            line.cost = round(line.cost + cost, 7)
            line.input_tokens += input_tokens
            line.output_tokens += output_tokens
            line.reasoning_tokens += reasoning_tokens

    def add_pending(
        self, task_id: str, engine: str, model_name: str, prepaid: float, at_most: float
    ) -> None:
        """Count one Standard task posted and not collected yet (once per task id).

        Args:
            task_id: The task's id (collecting it settles this entry).
            engine: The engine posted to.
            model_name: The model name sent.
            prepaid: What posting it was charged, in USD.
            at_most: The most it can cost in all, in USD (at least ``prepaid``).
        """
        at_most = max(at_most, prepaid)
        with self._lock:
            if task_id in self._pending:
                return
            key = (engine, model_name)
            self._pending[task_id] = (key, prepaid, at_most)
            line = self.by_model.setdefault(key, CostLine())
            line.pending_tasks += 1
            line.pending_prepaid = round(line.pending_prepaid + prepaid, 7)
            line.pending_cost_max = round(line.pending_cost_max + at_most, 7)

    def add_settled(self, task_id: str, engine: str, model_name: str, cost: float) -> None:
        """Count a Standard task that ended without an answer (failed): what it cost.

        Args:
            task_id: The task's id (its pending entry, if any, is settled).
            engine: The engine posted to.
            model_name: The model name sent.
            cost: What the task cost in the end, in USD (often 0: refunded).
        """
        with self._lock:
            key = self._settle_pending(task_id) or (engine, model_name)
            if cost:
                line = self.by_model.setdefault(key, CostLine())
                line.cost = round(line.cost + cost, 7)

    def _settle_pending(self, task_id: object) -> tuple[str, str] | None:
        """Drop a pending task's entry (its outcome is now counted); its line, if any."""
        entry = self._pending.pop(task_id, None) if isinstance(task_id, str) else None
        if entry is None:
            return None
        key, prepaid, at_most = entry
        line = self.by_model[key]
        line.pending_tasks -= 1
        line.pending_prepaid = round(line.pending_prepaid - prepaid, 7)
        line.pending_cost_max = round(line.pending_cost_max - at_most, 7)
        if line == CostLine():  # only ever held this pending task (the model name sent)
            del self.by_model[key]
        return key

    def add_unknown(
        self, engine: str, model_name: str, at_most: float, task_id: str | None = None
    ) -> None:
        """Count one call whose outcome is unknown: it may have been charged up to ``at_most``.

        Args:
            engine: The engine called.
            model_name: The model name sent.
            at_most: The most it can have cost, in USD.
            task_id: A pending Standard task that became of unknown outcome (its pending
                entry is settled).
        """
        with self._lock:
            self._settle_pending(task_id)
            line = self.by_model.setdefault((engine, model_name), CostLine())
            line.unknown_tasks += 1
            line.unknown_cost_max = round(line.unknown_cost_max + at_most, 7)

    @property
    def total_cost(self) -> float:
        """USD charged so far, as far as it is known.

        What the answers received report, plus the prepayment of each Standard task
        still pending (settled, perhaps partly refunded, when it is collected).
        """
        lines = self.by_model.values()
        return round(sum(line.cost + line.pending_prepaid for line in lines), 7)

    @property
    def unknown_tasks(self) -> int:
        """Calls of unknown outcome in all (not in :attr:`tasks`)."""
        return sum(line.unknown_tasks for line in self.by_model.values())

    @property
    def pending_tasks(self) -> int:
        """Standard tasks posted in the block and not collected yet (not in :attr:`tasks`)."""
        return sum(line.pending_tasks for line in self.by_model.values())

    @property
    def unknown_cost_max(self) -> float:
        """The most that may still be charged beyond :attr:`total_cost`, in USD.

        The calls of unknown outcome at their worst case, and each pending Standard
        task's reservation less its prepayment: the block cannot have cost more than
        ``total_cost + unknown_cost_max``.
        """
        return round(
            sum(
                line.unknown_cost_max + line.pending_cost_max - line.pending_prepaid
                for line in self.by_model.values()
            ),
            7,
        )

    @property
    def tasks(self) -> int:
        """Answers received in all."""
        return sum(line.tasks for line in self.by_model.values())

    @property
    def input_tokens(self) -> int:
        """Tokens in, in all."""
        return sum(line.input_tokens for line in self.by_model.values())

    @property
    def output_tokens(self) -> int:
        """Tokens out, in all."""
        return sum(line.output_tokens for line in self.by_model.values())

    def __str__(self) -> str:
        lines = [
            f"DataForSEO: {self.tasks} task(s), ${self.total_cost:.6f}, "
            f"{self.input_tokens} tokens in / {self.output_tokens} out"
        ]
        if self.pending_tasks:
            lines[0] += f"; {self.pending_tasks} pending (prepaid, not collected)"
        if self.unknown_tasks or self.pending_tasks:
            lines[0] += (
                f"; {self.unknown_tasks} of unknown outcome, unknown cost at most "
                f"${self.unknown_cost_max:.6f}"
            )
        for (engine, model), line in sorted(self.by_model.items()):
            lines.append(
                f"  {engine} {model}: {line.tasks} task(s), ${line.cost:.6f}, "
                f"{line.input_tokens} in / {line.output_tokens} out"
            )
            if line.pending_tasks:
                lines[-1] += (
                    f"; {line.pending_tasks} pending, ${line.pending_prepaid:.6f} prepaid, "
                    f"at most ${line.pending_cost_max:.6f}"
                )
            if line.unknown_tasks:
                lines[-1] += (
                    f"; {line.unknown_tasks} of unknown outcome, at most "
                    f"${line.unknown_cost_max:.6f}"
                )
        return "\n".join(lines)


_ACTIVE: ContextVar[tuple[CostTracker, ...]] = ContextVar("dataforseo_cost_trackers", default=())


@contextmanager
def track_costs() -> Iterator[CostTracker]:
    """Sum the cost, tokens and tasks of every DataForSEO answer received in the block.

    Trackers nest: an answer counts in every active tracker.

    Yields:
        The tracker; read it during or after the block.
    """
    tracker = CostTracker()
    token = _ACTIVE.set((*_ACTIVE.get(), tracker))
    try:
        yield tracker
    finally:
        _ACTIVE.reset(token)


def mark_replayed(generation: ChatGeneration) -> ChatGeneration:
    """Mark an answer replayed from a LangChain cache so that it is not counted twice.

    The replayed message gets ``response_metadata["cached"] = True``, ``cost`` and
    ``money_spent`` set to 0, and the first call's values under ``cached_cost`` /
    ``cached_money_spent``; summing ``response_metadata["cost"]`` then counts each paid
    call once. The stored answer itself, and the message the first call returned, are
    left unchanged. Messages of other providers pass through.

    Args:
        generation: A generation as the cache gives it back.

    Returns:
        The generation, with a marked copy of its message.
    """
    message = generation.message
    meta = message.response_metadata
    if not isinstance(message, AIMessage) or meta.get("model_provider") != PROVIDER:
        return generation
    if meta.get("cached"):
        return generation
    marked = {
        **meta,
        "cached": True,
        "cost": 0.0,
        "money_spent": 0.0,
        "cached_cost": meta.get("cost"),
        "cached_money_spent": meta.get("money_spent"),
    }
    replayed = message.model_copy(update={"response_metadata": marked})
    return generation.model_copy(update={"message": replayed})


def record_cost(message: AIMessage) -> None:
    """Count an answer in every active tracker (called by ``ChatDataForSEO``)."""
    for tracker in _ACTIVE.get():
        tracker.add(message)


def record(
    engine: str,
    model_name: str,
    cost: float,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    reasoning_tokens: int = 0,
    task_id: str | None = None,
) -> None:
    """Count one answered task, by its numbers, in every active tracker.

    For callers that hold a raw task rather than an ``AIMessage`` (the Standard queue,
    the panel run, the LLM Scraper and Mentions).

    Args:
        engine: The engine (or product) called.
        model_name: The model name sent.
        cost: What it cost, in USD.
        input_tokens: Tokens in.
        output_tokens: Tokens out (reasoning included).
        reasoning_tokens: Of the output tokens, those spent reasoning.
        task_id: A pending Standard task this answer settles, if any.
    """
    for tracker in _ACTIVE.get():
        tracker.add_answer(
            engine,
            model_name,
            cost,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            reasoning_tokens=reasoning_tokens,
            task_id=task_id,
        )


def record_unknown(
    engine: str, model_name: str, at_most: float, task_id: str | None = None
) -> None:
    """Count a call of unknown outcome in every active tracker (called by ``ChatDataForSEO``)."""
    for tracker in _ACTIVE.get():
        tracker.add_unknown(engine, model_name, at_most, task_id)


def record_pending(
    task_id: str, engine: str, model_name: str, prepaid: float, at_most: float
) -> None:
    """Count a Standard task posted, not collected yet, in every active tracker."""
    for tracker in _ACTIVE.get():
        tracker.add_pending(task_id, engine, model_name, prepaid, at_most)


def record_settled(task_id: str, engine: str, model_name: str, cost: float) -> None:
    """Count a Standard task that failed (what it cost) in every active tracker."""
    for tracker in _ACTIVE.get():
        tracker.add_settled(task_id, engine, model_name, cost)
