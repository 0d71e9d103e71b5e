"""A Live ``batch`` / ``abatch``: its concurrency bound; every prompt dealt with, then raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from langchain_core.runnables import RunnableConfig

from langchain_dataforseo.errors import DataForSEOBatchError

Result = TypeVar("Result")


def raise_if_failed(results: Sequence[Result], return_exceptions: bool) -> list[Result]:
    """Return the results, or (without ``return_exceptions``) raise when any failed.

    Every prompt has been dealt with by then, so raising loses no paid answer: the
    :class:`DataForSEOBatchError` carries every answer and error in input order, with the
    first failure as its ``__cause__``.

    Args:
        results: One answer or exception per input, in input order.
        return_exceptions: Whether the caller asked for failures in place.

    Returns:
        The results, as a list.

    Raises:
        DataForSEOBatchError: Without ``return_exceptions``, when any prompt failed.
    """
    out = list(results)
    errors = [item for item in out if isinstance(item, Exception)]
    if return_exceptions or not errors:
        return out
    first = errors[0]
    msg = (
        f"{len(errors)} of {len(out)} Live prompt(s) failed (first: {first}). Nothing paid "
        "is lost: .results has every answer and error in input order."
    )
    raise DataForSEOBatchError(msg, results=out, pending=[], first=first) from first


def bounded_config(
    config: RunnableConfig | Sequence[RunnableConfig] | None, max_concurrency: int
) -> RunnableConfig | list[RunnableConfig]:
    """The batch's config(s) with ``max_concurrency`` where they set none.

    Args:
        config: The caller's config, or one per input.
        max_concurrency: The model's default.

    Returns:
        New config(s); a ``max_concurrency`` the caller set wins.
    """

    def bound(one: RunnableConfig | None) -> RunnableConfig:
        merged = RunnableConfig(**(one or {}))
        if merged.get("max_concurrency") is None:
            merged["max_concurrency"] = max_concurrency
        return merged

    if isinstance(config, Sequence):
        return [bound(one) for one in config]
    return bound(config)
