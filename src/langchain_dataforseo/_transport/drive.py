"""The one blocking and the one async driver of every sans-I/O protocol in the package.

A protocol is a generator: it yields a step (send this call, sleep, post these tasks...)
and receives what came of it. :func:`drive` and :func:`adrive` only loop: they hand each
step to ``perform`` and send its result back, or throw in what ``perform`` raised (so the
protocol can hold money it may owe, then re-raise). ``perform`` is where sync and async
differ: the transport call and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

S = TypeVar("S")
R = TypeVar("R")


def drive(steps: Generator[S, Any, R], perform: Callable[[S], Any]) -> R:
    """Run a protocol to its end, performing each step with a blocking call.

    Args:
        steps: The protocol.
        perform: Does one step and returns what the protocol is sent back.

    Returns:
        The protocol's return value.
    """
    try:
        step = next(steps)
        while True:
            try:
                value = perform(step)
            except BaseException as error:  # the protocol decides: hold, wrap or re-raise
                step = steps.throw(error)
                continue
            step = steps.send(value)
    except StopIteration as done:
        result: R = done.value
        return result


async def adrive(steps: Generator[S, Any, R], perform: Callable[[S], Awaitable[Any]]) -> R:
    """Async :func:`drive`: each step is awaited in the running event loop.

    Args:
        steps: The protocol.
        perform: Does one step and returns what the protocol is sent back.

    Returns:
        The protocol's return value.
    """
    try:
        step = next(steps)
        while True:
            try:
                value = await perform(step)
            except BaseException as error:  # the protocol decides: hold, wrap or re-raise
                step = steps.throw(error)
                continue
            step = steps.send(value)
    except StopIteration as done:
        result: R = done.value
        return result
