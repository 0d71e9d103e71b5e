"""``VisibilityStore``: every run, task, raw answer and cost in one SQLite file.

Standard library ``sqlite3`` only. The database is in WAL mode, so readers (another
connection, another process, ``metrics`` while ``run_panel`` writes) never block the writer
and see only committed transactions. Each write is one short ``BEGIN IMMEDIATE``
transaction.

A task row goes through ``pending`` to ``measured`` or ``failed`` (with the status code).
While pending, two timestamps tell a Standard journal where it stands: ``intent_at`` (the
caller is about to post it: if the process dies now, the task is *in doubt*) and
``task_id`` / ``posted_at`` (posted: collect it, never post it again).

The facts the metrics need (brand first mentions and ranks, cited domains, fan-out queries)
are extracted once, when a result is recorded, into their own tables.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from langchain_dataforseo._constants import MAX_TAG_CHARS
from langchain_dataforseo.visibility._app_answers import extract_for
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._matching import (
    AnswerFacts,
    answer_facts,
    tracked_domains,
)
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._schema import SCHEMA_VERSION, migrate
from langchain_dataforseo.visibility._surfaces import API, APP_MODEL

STATUSES: Final = ("pending", "measured", "failed")
PENDING_CODES: Final = frozenset({20100, 40601, 40602})
"""Task codes meaning "not finished yet" (created, handed, in queue): the task stays pending."""
_TASK_COLUMNS: Final = (
    "tag, prompt_index, prompt, engine, model, sample, status, task_id, error_code, "
    "error_message, answer_model, cost, created_at, intent_at, posted_at, finished_at, surface"
)
_TASK_ORDER: Final = " ORDER BY prompt_index, engine, surface, sample"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def make_tag(run_id: str, prompt_index: int, engine: str, sample: int, surface: str = API) -> str:
    """The task tag of one (prompt, engine, surface, sample) of a run.

    API tasks keep the tag they always had (``run:p3:chat_gpt:s1``); app tasks say so
    (``run:p3:chat_gpt:app:s1``). The same task gets the same tag on every resume.

    Args:
        run_id: The run.
        prompt_index: The prompt's index in the panel (0-based).
        engine: The engine.
        sample: The sample number (0-based).
        surface: ``api`` (default) or ``app``.

    Returns:
        The tag (at most the API's 255 characters, checked when the run is created).
    """
    middle = engine if surface == API else f"{engine}:{surface}"
    return f"{run_id}:p{prompt_index}:{middle}:s{sample}"


@dataclass(frozen=True)
class TaskRecord:
    """One task of a run, as stored (the raw JSON is read with ``raw_task``).

    Attributes:
        tag: The task's tag (unique within the run).
        prompt_index: The prompt's index in the panel.
        prompt: The prompt.
        engine: The engine.
        model: The model requested.
        sample: The sample number (0-based).
        status: ``pending``, ``measured`` or ``failed``.
        task_id: The API's task id, once known.
        error_code: The status code of a failed task.
        error_message: Its message.
        answer_model: The model that answered (versioned), when measured.
        cost: The task's cost in USD, when known.
        created_at: When the task was planned (UTC, ISO 8601).
        intent_at: When the caller announced it was about to post it.
        posted_at: When its task id was recorded.
        finished_at: When it was measured or failed.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
    """

    tag: str
    prompt_index: int
    prompt: str
    engine: str
    model: str
    sample: int
    status: str
    task_id: str | None
    error_code: int | None
    error_message: str | None
    answer_model: str | None
    cost: float | None
    created_at: str
    intent_at: str | None
    posted_at: str | None
    finished_at: str | None
    surface: str = API


@dataclass(frozen=True)
class RunInfo:
    """One run: its panel, method and task counts.

    Attributes:
        run_id: The run id.
        panel_name: The panel's name.
        method: ``standard`` or ``live``.
        created_at: When the run was created (UTC, ISO 8601).
        measured: Measured tasks.
        failed: Failed tasks.
        pending: Pending tasks (not sent, in doubt, or posted and not collected).
        cost: Sum of the known task costs, USD.
    """

    run_id: str
    panel_name: str
    method: str
    created_at: str
    measured: int
    failed: int
    pending: int
    cost: float


class VisibilityStore:
    """A SQLite database of visibility runs (one file, WAL, versioned schema).

    Args:
        path: The database file.
        create: Create the file when missing (default). With ``False`` a missing file
            raises :class:`VisibilityStoreError`.
        readonly: Open for reading only (``mode=ro``); the file must exist.
        timeout: Seconds to wait for another writer's lock.

    Raises:
        VisibilityStoreError: Missing file (``create=False`` / ``readonly``), or a schema
            newer than this code.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        if (readonly or not create) and not self.path.exists():
            msg = f"no visibility database at {self.path}"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        if not self.path.parent.is_dir():
            msg = f"cannot create {self.path}: folder {self.path.parent} does not exist"
            raise VisibilityStoreError(msg, field="db", actual=str(self.path))
        if readonly:
            _migrate_first(self.path, timeout)
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        else:
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            migrate(self._conn)
        self._conn.execute("PRAGMA foreign_keys=ON")
        self.readonly = readonly
        self._brands: dict[str, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}

    # -- plumbing -------------------------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for read queries; write through the methods)."""
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> VisibilityStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

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
        rows = []
        for p_index, engine, surface, sample in panel.task_keys:
            tag = make_tag(run_id, p_index, engine, sample, surface)
            if len(tag) > MAX_TAG_CHARS:
                msg = f"run_id {run_id!r} makes task tags longer than {MAX_TAG_CHARS}."
                raise VisibilityStoreError(msg, field="run_id", actual=run_id)
            model = panel.engines[engine] if surface == API else APP_MODEL
            prompt = panel.prompts[p_index]
            rows.append((run_id, tag, p_index, prompt, engine, surface, model, sample, now))
        with self._write() as conn:
            found = conn.execute(
                "SELECT panel_json FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            if found is not None:
                if found[0] != panel_json:
                    msg = f"run {run_id!r} exists with another panel; choose another run id."
                    raise VisibilityStoreError(msg, field="run_id", actual=run_id)
                return run_id
            conn.execute(
                "INSERT INTO runs (run_id, panel_name, panel_json, method, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (run_id, panel.name, panel_json, method, now),
            )
            conn.executemany(
                "INSERT INTO tasks (run_id, tag, prompt_index, prompt, engine, surface, model, "
                "sample, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                rows,
            )
        return run_id

    def _check_run(self, run_id: str) -> None:
        if self._conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            known = [
                r[0] for r in self._conn.execute("SELECT run_id FROM runs ORDER BY created_at")
            ]
            msg = f"unknown run id {run_id!r}; runs in {self.path}: {', '.join(known) or 'none'}."
            raise VisibilityStoreError(msg, field="run_id", limit=known, actual=run_id)

    def panel(self, run_id: str) -> Panel:
        """The panel of a run.

        Args:
            run_id: The run.

        Returns:
            The panel as it was recorded.

        Raises:
            VisibilityStoreError: For an unknown run id.
        """
        self._check_run(run_id)
        row = self._conn.execute("SELECT panel_json FROM runs WHERE run_id = ?", (run_id,))
        return Panel.from_dict(json.loads(row.fetchone()[0]))

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first, with its task counts and cost."""
        rows = self._conn.execute(
            "SELECT r.run_id, r.panel_name, r.method, r.created_at, "
            "SUM(t.status = 'measured'), SUM(t.status = 'failed'), SUM(t.status = 'pending'), "
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

    # -- tasks ----------------------------------------------------------------------------

    def tasks(self, run_id: str, status: str | None = None) -> list[TaskRecord]:
        """A run's tasks in (prompt, engine, surface, sample) order, optionally of one status.

        Args:
            run_id: The run.
            status: ``pending``, ``measured`` or ``failed``; all when ``None``.

        Returns:
            The task records.
        """
        self._check_run(run_id)
        query = f"SELECT {_TASK_COLUMNS} FROM tasks WHERE run_id = ?"  # noqa: S608 - constant
        params: list[Any] = [run_id]
        if status is not None:
            if status not in STATUSES:
                msg = f"status must be one of {', '.join(STATUSES)}, got {status!r}."
                raise VisibilityStoreError(msg, field="status", limit=STATUSES, actual=status)
            query += " AND status = ?"
            params.append(status)
        query += _TASK_ORDER
        return [TaskRecord(*row) for row in self._conn.execute(query, params)]

    def tasks_tagged(self, run_id: str, tags: Iterable[str]) -> list[TaskRecord]:
        """The tasks of a run with these tags (those that exist), in (prompt, engine, sample) order.

        Args:
            run_id: The run.
            tags: The tags.

        Returns:
            The task records.
        """
        self._check_run(run_id)
        wanted = list(dict.fromkeys(tags))
        out: list[TaskRecord] = []
        query = f"SELECT {_TASK_COLUMNS} FROM tasks WHERE run_id = ? AND tag = ?"  # noqa: S608
        for tag in wanted:
            row = self._conn.execute(query, (run_id, tag)).fetchone()
            if row is not None:
                out.append(TaskRecord(*row))
        out.sort(key=lambda t: (t.prompt_index, t.engine, t.surface, t.sample))
        return out

    def unsent(self, run_id: str) -> list[TaskRecord]:
        """Pending tasks with no recorded intent: safe to post."""
        return [t for t in self.tasks(run_id, "pending") if t.intent_at is None]

    def in_doubt(self, run_id: str) -> list[TaskRecord]:
        """Pending tasks whose intent was recorded but no task id: they may have been posted.

        A Standard journal resolves them (e.g. by their tag in ``tasks_ready``) before
        posting them again.
        """
        return [
            t
            for t in self.tasks(run_id, "pending")
            if t.intent_at is not None and t.task_id is None
        ]

    def posted(self, run_id: str) -> list[TaskRecord]:
        """Pending tasks with a task id: posted, waiting to be collected."""
        return [t for t in self.tasks(run_id, "pending") if t.task_id is not None]

    def _update(self, run_id: str, tags: Sequence[str], sql: str, params: Sequence[Any]) -> None:
        with self._write() as conn:
            for tag in tags:
                cursor = conn.execute(sql, (*params, run_id, tag))
                if cursor.rowcount != 1:
                    self._missing(conn, run_id, tag)

    def _missing(self, conn: sqlite3.Connection, run_id: str, tag: str) -> None:
        row = conn.execute(
            "SELECT status FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
        ).fetchone()
        if row is None:
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        msg = f"task {tag!r} of run {run_id!r} is already {row[0]}."
        raise VisibilityStoreError(msg, field="status", limit="pending", actual=row[0])

    def record_intent(self, run_id: str, tags: Sequence[str]) -> None:
        """Record that these pending tasks are about to be posted (one transaction).

        Args:
            run_id: The run.
            tags: The tasks' tags.

        Raises:
            VisibilityStoreError: For an unknown tag or a task no longer pending.
        """
        self._update(
            run_id,
            tags,
            "UPDATE tasks SET intent_at = ? WHERE run_id = ? AND tag = ? AND status = 'pending'",
            (_now(),),
        )

    def record_handle(
        self, run_id: str, tag: str, task_id: str, *, cost: float | None = None
    ) -> None:
        """Record a posted task's id (and what posting it cost, e.g. the prepayment).

        Args:
            run_id: The run.
            tag: The task's tag.
            task_id: The id the API gave.
            cost: The charge at posting, USD.

        Raises:
            VisibilityStoreError: For an unknown tag or a task no longer pending.
        """
        now = _now()
        self._update(
            run_id,
            [tag],
            "UPDATE tasks SET task_id = ?, posted_at = ?, intent_at = COALESCE(intent_at, ?), "
            "cost = COALESCE(?, cost) WHERE run_id = ? AND tag = ? AND status = 'pending'",
            (task_id, now, now, cost),
        )

    def record_handles(
        self, run_id: str, handles: Sequence[tuple[str, str]], *, cost: float | None = None
    ) -> None:
        """Record many posted tasks' ids in one transaction (see :meth:`record_handle`).

        A task already finished with this id (or none), e.g. by a postback that arrived
        before its handle was recorded, is left as it is; a task finished with another id
        is an error.

        Args:
            run_id: The run.
            handles: ``(tag, task_id)`` pairs.
            cost: The charge at posting of each, USD (e.g. the Standard prepayment).
        """
        now = _now()
        with self._write() as conn:
            for tag, task_id in handles:
                cursor = conn.execute(
                    "UPDATE tasks SET task_id = ?, posted_at = COALESCE(posted_at, ?), "
                    "intent_at = COALESCE(intent_at, ?), cost = COALESCE(?, cost) "
                    "WHERE run_id = ? AND tag = ? AND status = 'pending'",
                    (task_id, now, now, cost, run_id, tag),
                )
                if cursor.rowcount == 1:
                    continue
                row = conn.execute(
                    "SELECT status, task_id FROM tasks WHERE run_id = ? AND tag = ?",
                    (run_id, tag),
                ).fetchone()
                if row is None or row[1] not in (None, task_id):
                    self._missing(conn, run_id, tag)

    def clear_intent(self, run_id: str, tags: Sequence[str]) -> None:
        """Forget the intent of pending tasks that were provably not created (free to post).

        Tasks with a task id keep it: a created task is never forgotten.

        Args:
            run_id: The run.
            tags: The tasks' tags.
        """
        self._check_run(run_id)
        with self._write() as conn:
            conn.executemany(
                "UPDATE tasks SET intent_at = NULL WHERE run_id = ? AND tag = ? "
                "AND status = 'pending' AND task_id IS NULL",
                [(run_id, tag) for tag in tags],
            )

    def retry_unposted(self, run_id: str) -> int:
        """Make failed tasks that were never created (no task id) pending again.

        A task refused at posting (a status code for the request, or refused before it
        was sent) was not created and cost nothing, so a resumed run may post it.

        Args:
            run_id: The run.

        Returns:
            How many tasks became pending.
        """
        self._check_run(run_id)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET status = 'pending', intent_at = NULL, error_code = NULL, "
                "error_message = NULL, finished_at = NULL, cost = NULL "
                "WHERE run_id = ? AND status = 'failed' AND task_id IS NULL",
                (run_id,),
            )
            return int(cursor.rowcount)

    def record_failure(
        self,
        run_id: str,
        tag: str,
        code: int | None,
        message: str,
        *,
        raw_task: Mapping[str, Any] | None = None,
        cost: float | None = None,
    ) -> None:
        """Mark a task failed, with its status code (never counted in a denominator).

        Args:
            run_id: The run.
            tag: The task's tag.
            code: The DataForSEO status code (``None`` when the API never answered).
            message: What went wrong.
            raw_task: The task JSON, when there is one.
            cost: What the task cost, USD.
        """
        raw = json.dumps(raw_task, ensure_ascii=False) if raw_task is not None else None
        task_id = raw_task.get("id") if raw_task is not None else None
        now = _now()
        with self._write() as conn:
            row = self._row(conn, run_id, tag)
            conn.execute("DELETE FROM mentions WHERE task = ?", (row,))
            conn.execute("DELETE FROM citations WHERE task = ?", (row,))
            conn.execute("DELETE FROM fan_out WHERE task = ?", (row,))
            conn.execute(
                "UPDATE tasks SET status = 'failed', error_code = ?, error_message = ?, "
                "raw_json = COALESCE(?, raw_json), cost = COALESCE(?, cost), "
                "task_id = COALESCE(task_id, ?), finished_at = ?, named_count = 0, "
                "citation_count = 0 WHERE id = ?",
                (
                    code,
                    message,
                    raw,
                    cost,
                    task_id if isinstance(task_id, str) else None,
                    now,
                    row,
                ),
            )

    def _row(self, conn: sqlite3.Connection, run_id: str, tag: str) -> int:
        return self._task_row(conn, run_id, tag)[0]

    def _task_row(self, conn: sqlite3.Connection, run_id: str, tag: str) -> tuple[int, str, str]:
        """The task's row id, surface and engine."""
        found = conn.execute(
            "SELECT id, surface, engine FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
        ).fetchone()
        if found is None:
            self._check_run(run_id)
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        return int(found[0]), str(found[1]), str(found[2])

    def _matching(self, run_id: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        cached = self._brands.get(run_id)
        if cached is None:
            panel = self.panel(run_id)
            names = {b.name: b.names for b in panel.brands}
            domains = tracked_domains((b.name, b.domains) for b in panel.brands)
            cached = self._brands[run_id] = (names, domains)
        return cached

    def record_result(
        self, run_id: str, tag: str, raw_task: Mapping[str, Any], *, cost: float | None = None
    ) -> None:
        """Record a finished task from its raw JSON (live, ``task_get`` or postback task).

        A task with status 20000 and a result is ``measured`` and its facts are extracted;
        a not-finished code (20100, 40601, 40602: :data:`PENDING_CODES`) leaves it pending
        (its task id is kept); any other status makes it ``failed`` with that code.
        Recording again replaces.

        Args:
            run_id: The run.
            tag: The task's tag.
            raw_task: The task object (an element of the envelope's ``tasks``).
            cost: The task's net cost, USD; defaults to the task's ``cost`` field.
        """
        self.record_results(run_id, [(tag, raw_task, cost)])

    def record_results(
        self, run_id: str, results: Iterable[tuple[str, Mapping[str, Any], float | None]]
    ) -> None:
        """Record many finished tasks in one transaction (see :meth:`record_result`).

        Args:
            run_id: The run.
            results: ``(tag, raw_task, cost)`` triples.
        """
        names, domains = self._matching(run_id)
        now = _now()
        with self._write() as conn:
            for tag, raw_task, cost in results:
                row, surface, engine = self._task_row(conn, run_id, tag)
                answer = extract_for(raw_task, surface, engine)
                task_id = raw_task.get("id") if isinstance(raw_task.get("id"), str) else None
                reported = raw_task.get("cost")
                if cost is None and isinstance(reported, (int, float)):
                    cost = float(reported)
                raw = json.dumps(raw_task, ensure_ascii=False, separators=(",", ":"))
                if answer.status_code in PENDING_CODES:
                    conn.execute(
                        "UPDATE tasks SET task_id = COALESCE(task_id, ?) "
                        "WHERE id = ? AND status = 'pending'",
                        (task_id, row),
                    )
                    continue
                conn.execute("DELETE FROM mentions WHERE task = ?", (row,))
                conn.execute("DELETE FROM citations WHERE task = ?", (row,))
                conn.execute("DELETE FROM fan_out WHERE task = ?", (row,))
                if answer.status_code != 20000 or not raw_task.get("result"):
                    message = raw_task.get("status_message")
                    conn.execute(
                        "UPDATE tasks SET status = 'failed', error_code = ?, error_message = ?, "
                        "raw_json = ?, cost = COALESCE(?, cost), task_id = COALESCE(task_id, ?), "
                        "finished_at = ?, named_count = 0, citation_count = 0 WHERE id = ?",
                        (
                            answer.status_code,
                            message if isinstance(message, str) else "no result",
                            raw,
                            cost,
                            task_id,
                            now,
                            row,
                        ),
                    )
                    continue
                facts = answer_facts(answer, names, domains)
                self._insert_facts(conn, row, facts)
                conn.execute(
                    "UPDATE tasks SET status = 'measured', error_code = NULL, "
                    "error_message = NULL, raw_json = ?, cost = COALESCE(?, cost), "
                    "task_id = COALESCE(task_id, ?), "
                    "answer_model = ?, named_count = ?, citation_count = ?, finished_at = ? "
                    "WHERE id = ?",
                    (
                        raw,
                        cost,
                        task_id,
                        answer.model_name,
                        len(facts.offsets),
                        len(facts.citations),
                        now,
                        row,
                    ),
                )

    def record_tasks(self, run_id: str, raw_tasks: Iterable[Mapping[str, Any]]) -> list[str]:
        """Record raw tasks by the tag they echo in ``data.tag`` (``task_get``, postbacks).

        Args:
            run_id: The run.
            raw_tasks: Task objects whose ``data`` carries the tag the run gave them.

        Returns:
            The tags recorded, in order.

        Raises:
            VisibilityStoreError: For a task without a tag, or a tag not in the run
                (nothing is recorded then).
        """
        results = []
        for raw in raw_tasks:
            data = raw.get("data")
            tag = data.get("tag") if isinstance(data, Mapping) else None
            if not isinstance(tag, str):
                msg = f"task {raw.get('id')!r} has no data.tag; record it with record_result."
                raise VisibilityStoreError(msg, field="tag", actual=raw.get("id"))
            results.append((tag, raw, None))
        self.record_results(run_id, results)
        return [tag for tag, _raw, _cost in results]

    @staticmethod
    def _insert_facts(conn: sqlite3.Connection, row: int, facts: AnswerFacts) -> None:
        conn.executemany(
            "INSERT INTO mentions (task, brand, first_offset, rank) VALUES (?, ?, ?, ?)",
            [(row, b, facts.offsets[b], facts.ranks[b]) for b in facts.offsets],
        )
        conn.executemany(
            "INSERT INTO citations (task, seq, url, host, domain, brand) VALUES (?, ?, ?, ?, ?, ?)",
            [(row, i, c.url, c.host, c.domain, c.brand) for i, c in enumerate(facts.citations)],
        )
        queries = {" ".join(q.lower().split()) for q in facts.fan_out_queries}
        conn.executemany(
            "INSERT INTO fan_out (task, query) VALUES (?, ?)", [(row, q) for q in sorted(queries)]
        )

    def raw_task(self, run_id: str, tag: str) -> dict[str, Any] | None:
        """The raw task JSON recorded for a task, or ``None``.

        Args:
            run_id: The run.
            tag: The task's tag.

        Returns:
            The task object as recorded.
        """
        row = self._conn.execute(
            "SELECT raw_json FROM tasks WHERE run_id = ? AND tag = ?", (run_id, tag)
        ).fetchone()
        if row is None:
            self._check_run(run_id)
            msg = f"run {run_id!r} has no task tagged {tag!r}."
            raise VisibilityStoreError(msg, field="tag", actual=tag)
        return json.loads(row[0]) if row[0] is not None else None

    def finish_run(self, run_id: str) -> None:
        """Stamp the run as finished (its ``finished_at``)."""
        self._check_run(run_id)
        with self._write() as conn:
            conn.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (_now(), run_id))

    def check_run(self, run_id: str) -> None:
        """Raise :class:`VisibilityStoreError` (listing the known runs) for an unknown id."""
        self._check_run(run_id)


def _migrate_first(path: Path, timeout: float) -> None:
    """Bring an older database to the current schema before a read-only open.

    A read-only connection cannot migrate, and this code reads only the current schema;
    the migrations keep every row (tasks of an older schema become ``api`` tasks).
    """
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    try:
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
    finally:
        probe.close()
    if version >= SCHEMA_VERSION:
        return
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            migrate(conn)
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        msg = (
            f"{path} has schema version {version}, older than {SCHEMA_VERSION}, and cannot be "
            f"migrated ({error}); open it once with write access."
        )
        raise VisibilityStoreError(msg, field="db", actual=str(path)) from error
