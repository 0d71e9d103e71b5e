"""Spend tracking for one model instance, and the optional budget (``max_cost``).

Before a task starts, what it can cost at most is reserved (the documented worst case of
``_cost_bounds``, or the user's ``max_cost_per_call``); when it finishes, the reservation
is replaced by what it actually cost. A task whose outcome is unknown (its answer could
not be read) keeps its reservation for good, counted as "unknown, at most X". A
reservation that would take the spend past ``max_cost`` is not made: a Live call waits
while other calls are in flight (their settlement may free room) and is refused when none
is, so nothing is sent; a Standard submission is refused at once. Within a Live batch,
calls are decided in input order (``_batch_order``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from langchain_dataforseo._money.batch_order import BatchOrder, current_turn
from langchain_dataforseo.errors import DataForSEOBudgetError

Admission = Literal["go", "wait", "refuse"]

_EPSILON = 1e-9
_ASYNC_POLL_SECONDS = 0.01


def admission(spent: float, in_flight: float, amount: float, max_cost: float | None) -> Admission:
    """Whether a reservation may be made now.

    Args:
        spent: The spend so far, reservations included.
        in_flight: Of it, the reservations of calls still running (they settle soon).
        amount: The reservation asked for.
        max_cost: The ceiling, or ``None``.

    Returns:
        ``"go"`` when it fits, ``"wait"`` when it does not but calls in flight may free
        room, ``"refuse"`` when it cannot fit.
    """
    if max_cost is None or spent + amount <= max_cost + _EPSILON:
        return "go"
    return "wait" if in_flight > _EPSILON else "refuse"


class Budget:
    """Thread-safe spend counter with an optional ceiling.

    Args:
        max_cost: Ceiling in USD, or ``None`` for no ceiling.
    """

    def __init__(self, max_cost: float | None) -> None:
        self.max_cost = max_cost
        self._spent = 0.0
        self._in_flight = 0.0
        self._unknown = 0.0
        self._unknown_tasks = 0
        self._held: dict[str, float] = {}
        self._changed = threading.Condition(threading.Lock())

    @property
    def spent(self) -> float:
        """USD spent or reserved so far (unknown outcomes at their worst case)."""
        with self._changed:
            return round(self._spent, 7)

    @property
    def unknown_cost_max(self) -> float:
        """Of :attr:`spent`, the USD of tasks whose outcome is unknown, at their most."""
        with self._changed:
            return round(self._unknown, 7)

    @property
    def unknown_tasks(self) -> int:
        """How many tasks' outcome is unknown (they may or may not have been charged)."""
        with self._changed:
            return self._unknown_tasks

    def check(self, tasks: int, unit_price: float, what: str) -> None:
        """Refuse, without reserving, tasks whose known price does not fit the budget.

        Args:
            tasks: How many tasks.
            unit_price: Known price of one task.
            what: What is being started, for the error message.

        Raises:
            DataForSEOBudgetError: When it would take the spend past ``max_cost``.
        """
        amount = round(tasks * unit_price, 7)
        with self._changed:
            if admission(self._spent, 0.0, amount, self.max_cost) != "go":
                raise self._refusal(tasks, amount, what)

    def reserve(self, tasks: int, unit_price: float, what: str) -> float:
        """Reserve ``tasks`` times ``unit_price``, or refuse at once (no waiting).

        Args:
            tasks: How many tasks.
            unit_price: What one task can cost at most.
            what: What is being started, for the error message.

        Returns:
            The amount reserved (settle it with :meth:`settle`).

        Raises:
            DataForSEOBudgetError: When it would take the spend past ``max_cost``.
        """
        return self.reserve_total(round(tasks * unit_price, 7), tasks, what)

    def reserve_total(self, amount: float, tasks: int, what: str) -> float:
        """Reserve ``amount`` for ``tasks`` tasks, or refuse at once (no waiting).

        Returns:
            The amount reserved.

        Raises:
            DataForSEOBudgetError: When it would take the spend past ``max_cost``.
        """
        with self._changed:
            if admission(self._spent, 0.0, amount, self.max_cost) != "go":
                raise self._refusal(tasks, amount, what)
            self._take(amount)
        return amount

    def _take(self, amount: float) -> None:
        self._spent += amount
        self._in_flight += amount

    def _try_call(self, amount: float, what: str) -> bool:
        """One admission step of a call (lock held): reserve, wait, or raise."""
        decision = admission(self._spent, self._in_flight, amount, self.max_cost)
        if decision == "refuse":
            raise self._refusal(1, amount, what)
        if decision == "go":
            self._take(amount)
        return decision == "go"

    def reserve_call(self, amount: float, what: str) -> float:
        """Reserve one call's worst case, waiting while calls in flight may free room.

        Returns:
            The amount reserved.

        Raises:
            DataForSEOBudgetError: When it cannot fit, even once every call in flight
                has settled (nothing is sent).
        """
        turn = self._turn()
        if turn is not None:
            turn[0].wait_turn(turn[1])
        with self._decision(turn, amount, what), self._changed:
            while not self._try_call(amount, what):
                self._changed.wait(timeout=1.0)
        return amount

    async def areserve_call(self, amount: float, what: str) -> float:
        """Async :meth:`reserve_call` (waits without blocking the event loop).

        Returns:
            The amount reserved.
        """
        turn = self._turn()
        if turn is not None:
            await turn[0].await_turn(turn[1])
        with self._decision(turn, amount, what):
            while True:
                with self._changed:
                    if self._try_call(amount, what):
                        return amount
                await asyncio.sleep(_ASYNC_POLL_SECONDS)

    def _turn(self) -> tuple[BatchOrder, int] | None:
        """The running call's place in a Live batch, when a ceiling makes order matter."""
        return current_turn(self) if self.max_cost is not None else None

    @contextmanager
    def _decision(
        self, turn: tuple[BatchOrder, int] | None, amount: float, what: str
    ) -> Iterator[None]:
        """Decide a batch position: refuse it after an earlier refusal; record a refusal."""
        if turn is None:
            yield
            return
        order, position = turn
        try:
            cut_at = order.cut_before(position)
            if cut_at is not None:
                with self._changed:
                    raise self._refusal(1, amount, what, after_refused=cut_at)
            yield
        except DataForSEOBudgetError:
            order.cut(position)
            raise
        finally:
            order.decide(position)

    def _refusal(
        self, tasks: int, amount: float, what: str, after_refused: int | None = None
    ) -> DataForSEOBudgetError:
        assert self.max_cost is not None  # noqa: S101 - only a ceiling refuses
        msg = (
            f"Budget: {what} ({tasks} task(s), reserving at most ${amount:.4f}) would take "
            f"the spend from ${self._spent:.4f} past max_cost=${self.max_cost:.4f}; "
            "nothing was posted."
        )
        if after_refused is not None:
            msg = (
                f"Budget: {what} was not sent because input {after_refused} of this batch "
                f"was refused by max_cost=${self.max_cost:.4f} (spend ${self._spent:.4f}); "
                "a batch cut by the cap answers a prefix of its inputs, so every later "
                "input is refused too. Nothing was posted."
            )
        return DataForSEOBudgetError(
            msg, spent=round(self._spent, 7), max_cost=self.max_cost, needed=amount
        )

    def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation by the actual cost (0 for a task that was not charged).

        A negative ``actual`` counts as 0: a reported cost never lowers the spend below
        what was settled before.
        """
        with self._changed:
            self._spent += max(actual, 0.0) - reserved
            self._in_flight = max(self._in_flight - reserved, 0.0)
            self._changed.notify_all()

    def settle_unknown(self, reserved: float) -> None:
        """Keep a reservation for good: the task's outcome is unknown, at most ``reserved``."""
        self.settle(reserved, reserved)
        self.mark_unknown(reserved)

    def mark_unknown(self, amount: float) -> None:
        """Count ``amount``, already in the spend, as the most a task of unknown outcome cost."""
        with self._changed:
            self._unknown += amount
            self._unknown_tasks += 1

    def hold(self, key: str, amount: float) -> None:
        """Remember that ``amount`` of the spend is reserved for task ``key``."""
        with self._changed:
            self._held[key] = amount

    def settle_held(self, key: str, actual: float) -> None:
        """Settle the reservation held for task ``key`` (if this instance holds one)."""
        with self._changed:
            reserved = self._held.pop(key, None)
            if reserved is not None:
                self._spent += max(actual, 0.0) - reserved
                self._changed.notify_all()

    def settle_held_unknown(self, key: str) -> float | None:
        """Keep the reservation held for task ``key`` for good: its cost is unknown.

        Returns:
            The amount held, or ``None`` when this instance holds none for ``key``.
        """
        with self._changed:
            reserved = self._held.pop(key, None)
        if reserved is not None:
            self.mark_unknown(reserved)
        return reserved
