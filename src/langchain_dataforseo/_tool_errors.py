"""How a tool hands an API error to the calling LLM: a ``ToolException`` that says what to do.

Every tool's blocking ``_run`` and async ``_arun`` wrap their call in :func:`explained`,
so the mapping is written once and both stay thin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from langchain_core.tools import ToolException

from langchain_dataforseo._tool_text import DEFAULT_MAX_OUTPUT_CHARS, bounded
from langchain_dataforseo.errors import DataForSEOError


@contextmanager
def explained(
    explain: Callable[[DataForSEOError], str], limit: int = DEFAULT_MAX_OUTPUT_CHARS
) -> Iterator[None]:
    """Turn a ``DataForSEOError`` raised inside into a ``ToolException`` (chained to it).

    Args:
        explain: Writes the message for the calling LLM (what went wrong, what to do).
        limit: The tool's ``max_output_chars``: a longer message is cut and says so.

    Raises:
        ToolException: With ``explain(error)``; anything else passes through unchanged.
    """
    try:
        yield
    except DataForSEOError as error:
        raise ToolException(bounded(explain(error), limit)) from error
