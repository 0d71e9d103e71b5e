"""A Live batch under ``max_cost``: prompts reach the budget in input order.

LangChain's thread-pool ``batch`` starts every prompt at once, so which prompt a tight
budget admits next would be a race: prompt 20 could be paid while prompt 5 is refused.
Here each prompt of a Live batch carries its position, and the budget decides positions
in order: a prompt is admitted or refused only once every earlier prompt has been. Once
one prompt is refused, every later one is refused too, so the paid answers are a prefix
of the inputs and ``inputs[first_refused:]`` is exactly what is left to run.

Positions travel in a context variable set around each prompt's ``invoke``; a prompt
that never reaches the budget (a cache hit, bad input) is decided when it returns.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_executor_for_config

Input = TypeVar("Input")
Output = TypeVar("Output")

_ASYNC_POLL_SECONDS = 0.005


class BatchOrder:
    """Which positions of one batch have been decided by the budget.

    Args:
        owner: The budget the batch's prompts reserve from (other budgets ignore it).
    """

    def __init__(self, owner: object) -> None:
        self.owner = owner
        self.open = True
        self.cut_at: int | None = None
        self._next_undecided = 0
        self._decided: set[int] = set()
        self._changed = threading.Condition(threading.Lock())

    def decide(self, position: int) -> None:
        """Mark ``position`` decided (admitted, refused, or done without the budget)."""
        with self._changed:
            self._decided.add(position)
            while self._next_undecided in self._decided:
                self._decided.discard(self._next_undecided)
                self._next_undecided += 1
            self._changed.notify_all()

    def cut(self, position: int) -> None:
        """Record that the budget refused ``position``: every later position is refused."""
        with self._changed:
            if self.cut_at is None or position < self.cut_at:
                self.cut_at = position

    def cut_before(self, position: int) -> int | None:
        """The earlier position whose refusal cut the batch, if one did."""
        with self._changed:
            if self.cut_at is not None and self.cut_at < position:
                return self.cut_at
            return None

    def is_turn(self, position: int) -> bool:
        """Whether every position before ``position`` has been decided."""
        with self._changed:
            return self._next_undecided >= position

    def wait_turn(self, position: int) -> None:
        """Block until every position before ``position`` has been decided."""
        with self._changed:
            self._changed.wait_for(lambda: self._next_undecided >= position)

    async def await_turn(self, position: int) -> None:
        """Async :meth:`wait_turn` (waits without blocking the event loop)."""
        while True:  # the lock is a threading one: poll it, briefly
            if self.is_turn(position):
                return
            await asyncio.sleep(_ASYNC_POLL_SECONDS)


_TURN: ContextVar[tuple[BatchOrder, int] | None] = ContextVar("dataforseo_batch_turn", default=None)


def current_turn(owner: object) -> tuple[BatchOrder, int] | None:
    """The running prompt's batch order and position, when it belongs to ``owner``."""
    turn = _TURN.get()
    if turn is None or turn[0].owner is not owner or not turn[0].open:
        return None  # not in a batch, another budget's, or a context that outlived its batch
    return turn


@contextmanager
def _at_position(order: BatchOrder, position: int) -> Iterator[None]:
    token = _TURN.set((order, position))
    try:
        yield
    finally:
        _TURN.reset(token)
        order.decide(position)


def run_in_order(
    owner: object,
    inputs: Sequence[Input],
    configs: Sequence[RunnableConfig],
    call: Callable[[Input, RunnableConfig], Output],
) -> list[Output | Exception]:
    """Run ``call`` on every input in a thread pool, each prompt knowing its position.

    Args:
        owner: The budget the prompts reserve from.
        inputs: The batch's inputs.
        configs: One config per input; the first one's ``max_concurrency`` bounds the pool.
        call: Runs one input (the model's ``invoke``).

    Returns:
        One result or exception per input, in input order.
    """
    if not inputs:
        return []
    order = BatchOrder(owner)

    def one(position: int, value: Input, config: RunnableConfig) -> Output | Exception:
        with _at_position(order, position):
            try:
                return call(value, config)
            except Exception as error:
                return error

    try:
        if len(inputs) == 1:  # in the caller's thread, as LangChain runs it (Ctrl-C included)
            return [one(0, inputs[0], configs[0])]
        # The pool takes work first in, first out: a running position's predecessors have
        # all started, so waiting for them cannot deadlock.
        with get_executor_for_config(configs[0]) as executor:
            return list(executor.map(one, range(len(inputs)), inputs, configs))
    finally:
        order.open = False


async def arun_in_order(
    owner: object,
    inputs: Sequence[Input],
    configs: Sequence[RunnableConfig],
    call: Callable[[Input, RunnableConfig], Awaitable[Output]],
) -> list[Output | Exception]:
    """Async :func:`run_in_order`: at most ``max_concurrency`` workers, taking inputs in order.

    Returns:
        One result or exception per input, in input order.
    """
    if not inputs:
        return []
    order = BatchOrder(owner)
    results: list[Output | Exception | None] = [None] * len(inputs)
    positions = iter(range(len(inputs)))

    async def one(position: int) -> None:
        with _at_position(order, position):
            try:
                results[position] = await call(inputs[position], configs[position])
            except Exception as error:
                results[position] = error

    async def worker() -> None:
        for position in positions:  # shared: each worker takes the next position
            # each prompt in a task of its own, so its context variables stay its own (a
            # cancelled worker cancels the task it awaits)
            await asyncio.create_task(one(position))

    limit = configs[0].get("max_concurrency") or len(inputs)
    try:
        await asyncio.gather(*(worker() for _ in range(min(limit, len(inputs)))))
    finally:
        order.open = False
    return cast("list[Output | Exception]", results)  # every position was filled
