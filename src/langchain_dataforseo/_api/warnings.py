"""Warnings that point at the user's line, whatever path led to them.

A fixed ``stacklevel`` cannot be right: the same warning is raised through ``invoke``,
``stream``, ``batch`` (worker threads), ``ainvoke`` (tasks gathered by langchain-core),
the Standard runner and the agent tool, each with its own depth. :func:`warn` instead
walks the stack to the first frame outside this package, LangChain and the machinery
that runs them (threads, executors, the event loop). Where that frame is not on the
stack (a worker thread, a task), the call site remembered by :func:`user_call_site` at
the public entry point is used.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType
from typing import Any, Final

_SKIPPED: Final = (
    "langchain_dataforseo",
    "langchain_core",
    "langchain",
    "langgraph",
    "langsmith",
    "pydantic",
    "contextlib",
    "functools",
)
"""Code a warning never points into: it is walked through."""

_BOUNDARIES: Final = ("asyncio", "concurrent", "threading")
"""Machinery below which no caller of this call can be: the walk stops there."""


@dataclass(frozen=True)
class CallSite:
    """Where the user's code called in.

    Attributes:
        filename: The source file.
        lineno: The line.
        module_globals: The module's globals (for the warning registry and linecache).
    """

    filename: str
    lineno: int
    module_globals: dict[str, Any]


_SITE: ContextVar[CallSite | None] = ContextVar("dataforseo_call_site", default=None)


def _locations(names: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # pragma: no cover - broken installs
            continue
        if spec is None or spec.origin is None:
            continue
        if spec.submodule_search_locations:
            found.extend(os.path.join(path, "") for path in spec.submodule_search_locations)
        else:
            found.append(spec.origin)
    return tuple(found)


@functools.cache
def _prefixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return _locations(_SKIPPED), _locations(_BOUNDARIES)


def find_site(frame: FrameType | None) -> CallSite | None:
    """The first frame from ``frame`` outwards that is the user's code.

    Args:
        frame: Where to start (the caller of the package function).

    Returns:
        The user's call site, or ``None`` when the walk reaches a thread's or the event
        loop's machinery first (the caller is then not on this stack).
    """
    skipped, boundaries = _prefixes()
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(boundaries):
            return None
        if not filename.startswith(skipped) and not filename.startswith("<frozen"):
            return CallSite(filename, frame.f_lineno, frame.f_globals)
        frame = frame.f_back
    return None


@contextmanager
def user_call_site() -> Iterator[None]:
    """Remember the user's call site for the warnings raised inside the block.

    Worker threads started by ``batch`` and tasks gathered by ``ainvoke`` / ``abatch``
    copy the context, so they see it. An inner entry point with a call site of its own
    (found on its stack) replaces it for its block.
    """
    site = find_site(sys._getframe(1))
    if site is None:
        yield
        return
    token = _SITE.set(site)
    try:
        yield
    finally:
        _SITE.reset(token)


def warn(message: str, category: type[Warning]) -> None:
    """Warn at the user's line.

    Args:
        message: The warning text.
        category: The warning class.
    """
    site = find_site(sys._getframe(1)) or _SITE.get()
    if site is None:  # no user frame known: the closest caller outside the package
        warnings.warn(message, category, stacklevel=3)
        return
    registry = site.module_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(
        message,
        category,
        site.filename,
        site.lineno,
        module=site.module_globals.get("__name__", "<string>"),
        registry=registry,
        module_globals=site.module_globals,
    )
