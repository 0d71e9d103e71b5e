"""Spend tracking for one model instance, and the optional budget (``max_cost``).

Before tasks start, their known price (the Live base price, or the Standard
prepayment) is reserved; when they finish, the reservation is replaced by what they
actually cost. A reservation that would take the spend past ``max_cost`` is refused, so
the tasks are never posted.
"""

from __future__ import annotations

import threading

from langchain_dataforseo.errors import DataForSEOBudgetError


class Budget:
    """Thread-safe spend counter with an optional ceiling.

    Args:
        max_cost: Ceiling in USD, or ``None`` for no ceiling.
    """

    def __init__(self, max_cost: float | None) -> None:
        self.max_cost = max_cost
        self._spent = 0.0
        self._held: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        """USD spent or reserved so far by this model instance."""
        with self._lock:
            return round(self._spent, 7)

    def check(self, tasks: int, unit_price: float, what: str) -> None:
        """Refuse, without reserving, tasks whose known price does not fit the budget.

        Args:
            tasks: How many tasks.
            unit_price: Known price of one task.
            what: What is being started, for the error message.

        Raises:
            DataForSEOBudgetError: When it would take the spend past ``max_cost``.
        """
        self.settle(self.reserve(tasks, unit_price, what), 0.0)

    def reserve(self, tasks: int, unit_price: float, what: str) -> float:
        """Reserve the known price of tasks about to start.

        Args:
            tasks: How many tasks.
            unit_price: Known price of one task.
            what: What is being started, for the error message.

        Returns:
            The amount reserved (settle it with :meth:`settle`).

        Raises:
            DataForSEOBudgetError: When it would take the spend past ``max_cost``.
        """
        amount = round(tasks * unit_price, 7)
        with self._lock:
            if self.max_cost is not None and self._spent + amount > self.max_cost + 1e-9:
                msg = (
                    f"Budget: {what} ({tasks} task(s), known price ${amount:.4f}) would take "
                    f"the spend from ${self._spent:.4f} past max_cost=${self.max_cost:.4f}; "
                    "nothing was posted."
                )
                raise DataForSEOBudgetError(
                    msg, spent=round(self._spent, 7), max_cost=self.max_cost, needed=amount
                )
            self._spent += amount
        return amount

    def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation by the actual cost (0 for a task that was not charged)."""
        with self._lock:
            self._spent += actual - reserved

    def hold(self, key: str, amount: float) -> None:
        """Remember that ``amount`` of the spend is reserved for task ``key``."""
        with self._lock:
            self._held[key] = amount

    def settle_held(self, key: str, actual: float) -> None:
        """Settle the reservation held for task ``key`` (if this instance holds one)."""
        with self._lock:
            reserved = self._held.pop(key, None)
            if reserved is not None:
                self._spent += actual - reserved
