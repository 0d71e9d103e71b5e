"""``VisibilityStore``: every run, task, raw answer and cost in one SQLite file or PostgreSQL.

By default a SQLite file (standard library ``sqlite3``) in WAL mode, so readers (another
connection, another process, ``metrics`` while ``run_panel`` writes) never block the writer
and see only committed transactions; a ``postgresql://`` URL puts the same schema in a
PostgreSQL database (psycopg 3, the ``postgres`` extra), for workers on several machines.
Each write is one short transaction (``BEGIN IMMEDIATE`` on SQLite).

A task row goes through ``pending`` to ``measured`` or ``failed`` (with the status code).
While pending, two timestamps tell a Standard journal where it stands: ``intent_at`` (the
caller is about to post it: if the process dies now, the task is *in doubt*) and
``task_id`` / ``posted_at`` (posted: collect it, never post it again).

The facts the metrics need (brand first mentions and ranks, cited domains, fan-out queries)
are extracted once, when a result is recorded, into their own tables.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from langchain_dataforseo._api.fields import MAX_TAG_CHARS
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._facts import insert_run_brands
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._store_results import TaskResults
from langchain_dataforseo.visibility._store_tasks import TaskStates
from langchain_dataforseo.visibility._store_types import (
    PENDING_CODES,
    STATUSES,
    RunInfo,
    TaskRecord,
    _now,
    make_tag,
)
from langchain_dataforseo.visibility._surfaces import API, APP_MODEL
from langchain_dataforseo.visibility._task_identity import task_body

__all__ = [
    "PENDING_CODES",
    "STATUSES",
    "RunInfo",
    "TaskRecord",
    "VisibilityStore",
    "make_tag",
]


class VisibilityStore(TaskStates, TaskResults):
    """A database of visibility runs: a SQLite file (WAL) or PostgreSQL, versioned schema.

    Args:
        path: The store: a file path or ``sqlite:///FILE``, or
            ``postgresql://USER[:PASSWORD]@HOST:PORT/DB`` (an existing database; the
            password is never shown: prefer ``PGPASSWORD`` or ``~/.pgpass``).
        create: Create the store when missing (default). With ``False`` a missing file
            (or a database without the store's tables) raises :class:`VisibilityStoreError`.
        readonly: Open for reading only: SQLite's ``mode=ro``; on PostgreSQL a read-only
            session (the server refuses every write). The store must exist.
        timeout: Seconds to wait for another writer's lock (on PostgreSQL also for the
            server to accept the connection).

    Raises:
        VisibilityStoreError: Missing file or store (``create=False`` / ``readonly``), a
            schema newer than this code, or a PostgreSQL server that cannot be used
            (``DatabaseServerError``, the URL without its password).
        ImportError: A ``postgresql://`` URL without psycopg (install the ``postgres``
            extra).

    Attributes:
        path: The SQLite file; ``None`` for PostgreSQL.
        url: The store as messages name it (the PostgreSQL password as ``***``).
        dialect: ``sqlite`` or ``postgresql``.
    """

    # -- runs -----------------------------------------------------------------------------

    def create_run(
        self, panel: Panel, *, run_id: str | None = None, method: str = "standard"
    ) -> str:
        """Record a run and plan its tasks: one per (prompt, engine, surface, sample), pending.

        Creating a run id that exists with the same panel returns it unchanged (a resumed
        run); with a different panel it is an error.

        Args:
            panel: The panel.
            run_id: The id; a new random one by default.
            method: ``standard`` or ``live`` (recorded for the report).

        Returns:
            The run id.

        Raises:
            VisibilityStoreError: For a run id used by another panel, or tags too long.
        """
        if method not in ("standard", "live"):
            msg = f"method must be 'standard' or 'live', got {method!r}."
            raise VisibilityStoreError(
                msg, field="method", limit=("standard", "live"), actual=method
            )
        run_id = run_id or uuid.uuid4().hex[:12]
        if not run_id.strip() or any(c.isspace() for c in run_id):
            msg = f"run_id must be non-empty, without whitespace, got {run_id!r}."
            raise VisibilityStoreError(msg, field="run_id", actual=run_id)
        panel_json = json.dumps(panel.to_dict(), sort_keys=True, ensure_ascii=False)
        now = _now()

        with self._write() as conn:
            # workers creating one run at once: one inserts it (and its tasks); on
            # PostgreSQL the others wait on its key until it commits, then find it
            inserted = conn.execute(
                "INSERT INTO runs (run_id, panel_name, panel_json, method, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
                (run_id, panel.name, panel_json, method, now),
            ).rowcount
            if inserted != 1:
                found = conn.execute(
                    "SELECT panel_json FROM runs WHERE run_id = ?", (run_id,)
                ).fetchone()
                if found[0] != panel_json:
                    msg = f"run {run_id!r} exists with another panel; choose another run id."
                    raise VisibilityStoreError(msg, field="run_id", actual=run_id)
                return run_id
            insert_run_brands(conn, run_id, panel_json)
            conn.executemany(
                "INSERT INTO tasks (run_id, tag, prompt_index, prompt, engine, surface, model, "
                "sample, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                _task_rows(panel, run_id, panel.task_keys, now),
            )
        return run_id

    def add_samples(self, run_id: str, engine: str, surface: str, samples: int) -> int:
        """Plan more samples of one engine and surface: each prompt gets up to ``samples``.

        Used by a run sampling to a precision target (``run_panel(target_half_width=...)``);
        the new tasks are pending, tagged as the run's others. Samples that exist are
        left as they are, so two drivers adding the same wave add it once.

        Args:
            run_id: The run.
            engine: One of the run's engines.
            surface: ``api`` or ``app`` (one the engine is asked on).
            samples: Samples per prompt wanted in all.

        Returns:
            How many tasks were added.

        Raises:
            VisibilityStoreError: For an unknown run, or an engine or surface it lacks.
        """
        panel = self.panel(run_id)
        if engine not in panel.engines or surface not in panel.surfaces_of(engine):
            msg = f"run {run_id!r} does not ask {engine!r} on the {surface!r} surface."
            raise VisibilityStoreError(msg, field="engine", actual=f"{engine}:{surface}")
        keys = (
            (p_index, engine, surface, sample)
            for p_index in range(len(panel.prompts))
            for sample in range(samples)
        )
        with self._write() as conn:
            cursor = conn.executemany(
                "INSERT INTO tasks (run_id, tag, prompt_index, prompt, engine, "
                "surface, model, sample, status, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
                _task_rows(panel, run_id, keys, _now()),
            )
            return int(cursor.rowcount)

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first, with its task counts and cost."""
        rows = self._conn.execute(
            "SELECT r.run_id, r.panel_name, r.method, r.created_at, "
            # CASE, not SUM(t.status = ...): see _metrics._read_counts
            "SUM(CASE WHEN t.status = 'measured' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.status = 'pending' THEN 1 ELSE 0 END), "
            "COALESCE(SUM(t.cost), 0) "
            "FROM runs r LEFT JOIN tasks t ON t.run_id = r.run_id "
            "GROUP BY r.run_id ORDER BY r.created_at, r.run_id"
        ).fetchall()
        return [
            RunInfo(r[0], r[1], r[2], r[3], r[4] or 0, r[5] or 0, r[6] or 0, float(r[7]))
            for r in rows
        ]

    def run(self, run_id: str) -> RunInfo:
        """One run's summary.

        Args:
            run_id: The run.

        Returns:
            Its :class:`RunInfo`.

        Raises:
            VisibilityStoreError: For an unknown run id.
        """
        self._check_run(run_id)
        return next(info for info in self.runs() if info.run_id == run_id)

    def finish_run(self, run_id: str) -> None:
        """Stamp the run as finished (its ``finished_at``)."""
        self._check_run(run_id)
        with self._write() as conn:
            conn.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (_now(), run_id))

    def delete_run(self, run_id: str, *, force: bool = False) -> int:
        """Delete a run, its tasks and their answers and facts, in one transaction.

        A run none of whose tasks was ever sent (no intent, no task id, no cost, nothing
        measured) and none held by a live driver's lease is deleted as is: a run that
        failed its checks, or was refused by the budget. A run with a task sent, in doubt,
        paid or held is refused unless ``force``: deleting it forgets what was paid, and a
        re-run with its id would post again.

        Args:
            run_id: The run.
            force: Delete even a run with tasks sent or paid.

        Returns:
            The number of tasks deleted.

        Raises:
            VisibilityStoreError: For an unknown run id, or a run with sent tasks without
                ``force`` (naming how many).
        """
        self._check_run(run_id)
        with self._write() as conn:
            self._lock_run(conn, run_id)  # no claim of the run in between
            sent = conn.execute(
                "SELECT COUNT(*) FROM tasks WHERE run_id = ? AND (intent_at IS NOT NULL OR "
                "task_id IS NOT NULL OR posted_at IS NOT NULL OR COALESCE(cost, 0) != 0 OR "
                "status = 'measured' OR (lease_owner IS NOT NULL AND lease_until >= ?))",
                (run_id, self._clock()),
            ).fetchone()[0]
            if sent and not force:
                msg = (
                    f"run {run_id!r} has {sent} task(s) sent, in doubt or paid; deleting it "
                    "forgets them (a re-run with this id would post again). Use force=True "
                    "(--force) to delete it anyway."
                )
                raise VisibilityStoreError(msg, field="force", limit="no task sent", actual=sent)
            for table in ("mentions", "citations", "fan_out", "verdicts"):
                conn.execute(
                    f"DELETE FROM {table} WHERE task IN "  # noqa: S608 - fixed table names
                    "(SELECT id FROM tasks WHERE run_id = ?)",
                    (run_id,),
                )
            deleted = conn.execute("DELETE FROM tasks WHERE run_id = ?", (run_id,)).rowcount
            conn.execute("DELETE FROM fact_counts WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM run_brands WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        self._brands.pop(run_id, None)
        return int(deleted)


def _task_rows(
    panel: Panel, run_id: str, keys: Iterable[tuple[int, str, str, int]], now: str
) -> Iterator[tuple[object, ...]]:
    """The task rows of these keys, one at a time (a million-task run is never a list)."""
    key: tuple[int, str, str] | None = None
    body: dict[str, Any] = {}
    for p_index, engine, surface, sample in keys:
        if key != (p_index, engine, surface):  # samples share one body
            key = (p_index, engine, surface)
            body = task_body(panel, p_index, engine, surface)
        tag = make_tag(run_id, p_index, engine, sample, surface, body=body)
        if len(tag) > MAX_TAG_CHARS:  # raised inside the write: it rolls back
            msg = f"run_id {run_id!r} makes task tags longer than {MAX_TAG_CHARS}."
            raise VisibilityStoreError(msg, field="run_id", actual=run_id)
        model = panel.engines[engine] if surface == API else APP_MODEL
        prompt = panel.prompts[p_index]
        yield (run_id, tag, p_index, prompt, engine, surface, model, sample, now)
