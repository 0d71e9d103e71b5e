"""The steps of the ``run`` and ``check`` commands around the library's calls.

The panel as the command line changes it (``--surface``), the catalogue check of
``check``, and what a failed ``run`` leaves: a run none of whose tasks was sent is
removed; a full disk is told apart (the run is resumable).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import os
import sqlite3
from collections.abc import Mapping
from typing import Final, TextIO

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._cli_checks import has_credentials
from langchain_dataforseo.visibility._errors import (
    DatabaseFileError,
    PanelFileError,
    VisibilityStoreError,
)
from langchain_dataforseo.visibility._panel import Panel, field_line
from langchain_dataforseo.visibility._plan import engine_method
from langchain_dataforseo.visibility._run_context import check_engine
from langchain_dataforseo.visibility._store import Progress, VisibilityStore
from langchain_dataforseo.visibility._store_base import RunInfo
from langchain_dataforseo.visibility._surfaces import API, SURFACES
from langchain_dataforseo.visibility._trend import EngineComparison

_DISK_FULL: Final = frozenset({errno.ENOSPC, errno.EDQUOT})


def panel_for(args: argparse.Namespace) -> Panel:
    """The panel file, with ``--surface`` replacing its surfaces when given."""
    panel = Panel.from_file(args.panel)
    if getattr(args, "surface", None) is None:
        return panel
    data = panel.to_dict()
    data["surfaces"] = list(SURFACES) if args.surface == "both" else [args.surface]
    data.pop("engine_surfaces", None)
    return Panel.from_dict(data)


class ProgressPrinter:
    """The ``run`` command's progress lines on stderr, the end state printed once.

    The run reports progress as results come (at most once a second) and once more at the
    end (``final=True``). When the last report already showed the end state, the final
    one would repeat it word for word: it is skipped.
    """

    def __init__(self, err: TextIO, *, quiet: bool = False) -> None:
        """Print to ``err``, or nothing when ``quiet``."""
        self._err = err
        self._quiet = quiet
        self._last: str | None = None

    def __call__(self, progress: Progress) -> None:
        """Print one report (a final one only when it differs from the last printed)."""
        line = progress.line()
        if self._quiet or (progress.final and line == self._last):
            return
        self._last = line
        self._err.write(line + "\n")
        self._err.flush()


def drop_if_unsent(store: VisibilityStore, run_id: str, err: TextIO) -> None:
    """Remove a run this command created when it failed before any task was sent."""
    try:
        store.delete_run(run_id)
    except (VisibilityStoreError, sqlite3.Error):
        return  # tasks were sent (it stays, to resume), or the store cannot be written
    err.write(f"run {run_id} removed from the store: none of its tasks was sent.\n")


def disk_full(error: BaseException) -> bool:
    """Whether an error is the disk (or the database's page limit) filling up."""
    if isinstance(error, DatabaseFileError):
        return error.reason == "disk_full"
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorname", "") == "SQLITE_FULL"
    return isinstance(error, OSError) and error.errno in _DISK_FULL


def finished_run(store: VisibilityStore, run_id: str, panel: Panel, method: str) -> RunInfo | None:
    """The run's summary when a rerun has nothing to do, else ``None`` (a scheduler's rerun).

    Nothing to do: the run exists with this panel and method, no task is pending, and no
    failed task was refused at posting (those a rerun posts again). A run id recorded with
    another panel is refused here, as an input error.

    Raises:
        DataForSEOInputError: The run id belongs to a run of another panel.
    """
    if not store.has_run(run_id):
        return None
    recorded = json.dumps(store.panel(run_id).to_dict(), sort_keys=True, ensure_ascii=False)
    if recorded != json.dumps(panel.to_dict(), sort_keys=True, ensure_ascii=False):
        msg = (
            f"run {run_id!r} exists in the store with another panel (the panel file changed "
            "since it started?); resume it with the panel it was started with, or choose "
            "another --run-id."
        )
        raise DataForSEOInputError(msg, field="run_id", actual=run_id)
    info = store.run(run_id)
    if info.method != method or info.pending:
        return None
    if any(t.task_id is None for t in store.tasks(run_id, "failed")):
        return None  # refused at posting (not created, not charged): a rerun posts them
    return info


def check_models(args: argparse.Namespace, panel: Panel, err: TextIO) -> None:
    """With credentials, check each API engine's model against its catalogue (a free call)."""
    if not has_credentials(os.environ):
        err.write(
            "note: models not checked against the engines' catalogues (no credentials: set "
            "DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD to check them).\n"
        )
        return

    async def probe_all() -> None:
        for engine in panel.engines:
            if API in panel.surfaces_of(engine):
                await check_engine(panel, engine, engine_method(engine, "standard"), {})

    try:
        asyncio.run(probe_all())
    except DataForSEOInputError as error:
        text = args.panel.read_text(encoding="utf-8-sig")
        toml = args.panel.suffix.lower() == ".toml"
        raise PanelFileError(
            str(error),
            path=args.panel,
            field=error.field,
            line=field_line(text, error.field, toml=toml),
            limit=error.limit,
            actual=error.actual,
        ) from error


def catalogue_note(environ: Mapping[str, str]) -> str | None:
    """Which brand catalogue the emulator at ``DATAFORSEO_BASE_URL`` answers from, if any.

    Only a loopback emulator is asked (a free, uncounted request); the real API never is.
    """
    from langchain_dataforseo.emulator import emulator_catalogue_note  # only when asked

    return emulator_catalogue_note(
        environ.get("DATAFORSEO_BASE_URL"),
        environ.get("DATAFORSEO_LOGIN"),
        environ.get("DATAFORSEO_PASSWORD"),
    )


def compare_cell(engine: EngineComparison, brand: str, name: str) -> str:
    """One compared cell for people: the move, the z-test, and the verdict (BH-adjusted)."""
    change = engine.changes[brand][name]
    verdict = engine.verdicts.get(brand, {}).get(name, "not_comparable")
    q_value = engine.q_values.get(brand, {}).get(name)
    q_text = f", q={q_value:.3g}" if q_value is not None else ""
    p_text = f"p={change.p_value:.3g}" if change.p_value is not None else "p=-"
    return (
        f"{100 * (change.a.value or 0):6.1f}% -> {100 * (change.b.value or 0):6.1f}% "
        f"({100 * (change.delta or 0):+.1f} pts, {p_text}{q_text}): {verdict}"
    )
