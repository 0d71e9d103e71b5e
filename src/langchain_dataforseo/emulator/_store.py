"""Standard task store and the billing ledger.

Neither class locks: the :class:`~langchain_dataforseo.emulator.Emulator` serialises every access
with its own lock.

Billing model (reference §1.4): a live task is charged ``round(0.0006 + money_spent, 7)`` when
it completes successfully. A created Standard task is charged the prepayment ``0.0102``
($0.01 advance + $0.0002 base) at ``task_post``; when it completes the same ledger entry is
settled to the net charge ``round(0.0002 + money_spent, 7)`` (``prepaid`` keeps 0.0102,
``refund`` = prepaid - net, negative when the LLM cost more than the advance). A Standard task
that fails (injected 50000/50301) is settled to 0. Each task id has at most one entry.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ._answers import generate_result
from ._brands import BrandCatalogue
from ._validation import ValidTask

__all__ = ["LIVE_BASE", "PREPAYMENT", "STANDARD_BASE", "Ledger", "StandardTask", "TaskStore"]

LIVE_BASE = 0.0006
"""Base price of a live task (USD)."""
STANDARD_BASE = 0.0002
"""Base price of a Standard task (USD)."""
PREPAYMENT = 0.0102
"""Charged per created Standard task at task_post: $0.01 advance + $0.0002 base."""
RETENTION = 30 * 86400.0
"""task_get works for 30 days after posting; later 40403."""


@dataclass
class StandardTask:
    """A task created by ``task_post``.

    Attributes:
        id: Task id.
        engine: Engine.
        data: The ``data`` echo (service keys + fields as sent, nulls dropped).
        valid: The validated request.
        posted_at: Epoch seconds of posting.
        ready_at: Epoch seconds of completion.
        fault: Injected task error code, if any.
        callbacks: ``{"pingback": url, "postback": url}`` after ``$id``/``$tag`` substitution.
        result: The result object once completed (``None`` on failure).
        completed: Whether the task has completed.
        collected: Whether ``task_get`` returned its completed state.
        callback_state: ``none``, ``pending``, ``delivering``, ``delivered`` or ``failed``.
        cost: The net charge once completed.
    """

    id: str
    engine: str
    data: dict[str, Any]
    valid: ValidTask
    posted_at: float
    ready_at: float
    fault: int | None
    callbacks: dict[str, str]
    result: dict[str, Any] | None = None
    completed: bool = False
    collected: bool = False
    callback_state: str = "none"
    cost: float = 0.0

    @property
    def tag(self) -> str | None:
        """The task's tag, if any."""
        value = self.data.get("tag")
        return value if isinstance(value, str) else None


@dataclass
class Ledger:
    """What was charged, plus call and status counters."""

    charges: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    status_counts: Counter[str] = field(default_factory=Counter)
    task_status_counts: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    _by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _add(self, entry: dict[str, Any]) -> dict[str, Any]:
        if entry["id"] in self._by_id:
            raise RuntimeError(f"task {entry['id']} charged twice")
        self.charges.append(entry)
        self._by_id[entry["id"]] = entry
        return entry

    def charge_live(self, task_id: str, engine: str, cost: float, tag: str | None) -> None:
        """Record a completed live task.

        Args:
            task_id: Task id.
            engine: Engine.
            cost: The task cost.
            tag: The task tag.
        """
        self._add(
            {
                "id": task_id,
                "engine": engine,
                "method": "live",
                "cost": cost,
                "tag": tag,
                "status": "charged",
                "response_corrupted": False,
            }
        )

    def prepay(self, task_id: str, engine: str, tag: str | None) -> None:
        """Record the prepayment of a created Standard task.

        Args:
            task_id: Task id.
            engine: Engine.
            tag: The task tag.
        """
        self._add(
            {
                "id": task_id,
                "engine": engine,
                "method": "task_post",
                "cost": PREPAYMENT,
                "prepaid": PREPAYMENT,
                "refund": 0.0,
                "tag": tag,
                "status": "prepaid",
                "response_corrupted": False,
            }
        )

    def settle(self, task_id: str, net: float, *, failed: bool) -> None:
        """Settle a Standard task to its net charge.

        Args:
            task_id: Task id.
            net: Net charge (0 for a failed task).
            failed: Whether the task failed (prepayment fully refunded).
        """
        entry = self._by_id[task_id]
        entry["cost"] = net
        entry["refund"] = round(entry["prepaid"] - net, 7)
        entry["status"] = "refunded" if failed else "settled"

    def mark_corrupted(self, task_ids: list[str]) -> None:
        """Flag charges whose response body was deliberately corrupted (malformed JSON fault).

        Args:
            task_ids: Ids charged by the corrupted call.
        """
        for task_id in task_ids:
            if task_id in self._by_id:
                self._by_id[task_id]["response_corrupted"] = True

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready deep copy.

        Returns:
            ``charged_total``, ``charges``, ``calls``, ``status_counts``,
            ``task_status_counts``, ``faults`` and ``callbacks``.
        """
        return {
            "charged_total": round(sum(float(c["cost"]) for c in self.charges), 7),
            "charges": copy.deepcopy(self.charges),
            "calls": dict(self.calls),
            "status_counts": dict(self.status_counts),
            "task_status_counts": dict(self.task_status_counts),
            "faults": dict(self.faults),
            "callbacks": copy.deepcopy(self.callbacks),
        }


class TaskStore:
    """Standard tasks by id.

    Args:
        ledger: The ledger settled on completion.
        brands: The brand truth answers are drawn from, if any.
    """

    def __init__(self, ledger: Ledger, brands: BrandCatalogue | None = None) -> None:
        self.ledger = ledger
        self.brands = brands
        self.tasks: dict[str, StandardTask] = {}

    def add(self, task: StandardTask) -> None:
        """Store a created task (its prepayment is recorded by the caller).

        Args:
            task: The task.
        """
        self.tasks[task.id] = task

    def complete_due(self, now: float) -> list[StandardTask]:
        """Complete every task whose ``ready_at`` has passed and settle its charge.

        Args:
            now: Current epoch seconds.

        Returns:
            Newly completed tasks that have callbacks to deliver (state set to ``delivering``).
        """
        to_deliver = []
        for task in self.tasks.values():
            if task.completed or task.ready_at > now:
                continue
            task.completed = True
            if task.fault is None:
                task.result = generate_result(task.engine, task.valid, task.ready_at, self.brands)
                task.cost = round(STANDARD_BASE + float(task.result["money_spent"]), 7)
                self.ledger.settle(task.id, task.cost, failed=False)
            else:
                self.ledger.settle(task.id, 0.0, failed=True)
            if task.callbacks:
                task.callback_state = "delivering"
                to_deliver.append(task)
        return to_deliver

    def pending_count(self) -> int:
        """Return how many tasks have not completed yet."""
        return sum(1 for task in self.tasks.values() if not task.completed)

    def ready(self, engine: str, limit: int = 1000) -> list[StandardTask]:
        """List completed, uncollected tasks without (successful) callbacks.

        Args:
            engine: The engine.
            limit: Maximum number of tasks.

        Returns:
            Up to ``limit`` tasks in posting order.
        """
        out = []
        for task in self.tasks.values():
            if task.engine != engine or not task.completed or task.collected:
                continue
            if task.callback_state in ("none", "failed"):
                out.append(task)
                if len(out) >= limit:
                    break
        return out
