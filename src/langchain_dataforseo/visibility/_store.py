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
are extracted once, when a result is recorded (:meth:`VisibilityStore.record_result`),
with the matching rules of the task's surface (``_matching.extract_for``), into their
own tables.

:class:`Progress` is where a panel run stands, read from the store (for callbacks and the
CLI).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_dataforseo._api.fields import MAX_TAG_CHARS
from langchain_dataforseo._api.redact import redact_stored_task
from langchain_dataforseo.visibility._dialect import Connection
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._matching import AnswerFacts, answer_facts, extract_for
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._schema import (
    CountDeltas,
    count_facts,
    delete_facts,
    insert_run_brands,
)
from langchain_dataforseo.visibility._store_base import (
    PENDING_CODES,
    STATUSES,
    RunInfo,
    TaskRecord,
    _now,
    echo_differs,
    make_tag,
    task_body,
)
from langchain_dataforseo.visibility._store_tasks import TaskStates
from langchain_dataforseo.visibility._surfaces import API, APP_MODEL

__all__ = [
    "PENDING_CODES",
    "STATUSES",
    "Progress",
    "RunInfo",
    "TaskRecord",
    "VisibilityStore",
    "make_tag",
]

_log = logging.getLogger(__name__)


class VisibilityStore(TaskStates):
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

    # -- results: a finished task's raw JSON, its status, the facts metrics read --------

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

        The raw task is stored with the callback URLs it echoes hidden (their secrets).

        Args:
            run_id: The run.
            tag: The task's tag.
            code: The DataForSEO status code (``None`` when the API never answered).
            message: What went wrong.
            raw_task: The task JSON, when there is one.
            cost: What the task cost, USD.
        """
        kept = redact_stored_task(raw_task) if raw_task is not None else None
        raw = json.dumps(kept, ensure_ascii=False) if kept is not None else None
        task_id = raw_task.get("id") if raw_task is not None else None
        now = _now()
        with self._write() as conn:
            row = self._row(conn, run_id, tag)
            if _measured(conn, row):  # the first answer wins: a late error never replaces it
                return
            counts = CountDeltas()
            delete_facts(conn, row, counts)
            counts.apply(conn)
            conn.execute(
                "UPDATE tasks SET status = 'failed', error_code = ?, error_message = ?, "
                "raw_json = COALESCE(?, raw_json), cost = COALESCE(?, cost), "
                "task_id = COALESCE(task_id, ?), finished_at = ?, named_count = 0, "
                "citation_count = 0 WHERE id = ? AND status != 'measured'",
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

    def record_result(
        self, run_id: str, tag: str, raw_task: Mapping[str, Any], *, cost: float | None = None
    ) -> None:
        """Record a finished task from its raw JSON (live, ``task_get`` or postback task).

        A task with status 20000 and a result is ``measured`` and its facts are extracted;
        a not-finished code (20100, 40601, 40602: :data:`PENDING_CODES`) leaves it pending
        (its task id is kept); any other status makes it ``failed`` with that code.
        Recording again replaces. The raw JSON is stored with the ``pingback_url`` /
        ``postback_url`` that ``data`` echoes hidden (the receiver's secret).

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
        counts = CountDeltas()  # fact_counts' changes, applied once at the end
        # in tag order (stable: a tag given twice keeps its order): two writers of the same
        # tasks lock their rows (PostgreSQL) in one order, so they wait, never deadlock
        ordered = sorted(results, key=lambda result: result[0])
        with self._write() as conn:
            for tag, raw_task, cost in ordered:
                row, surface, engine = self._task_row(conn, run_id, tag)
                if self._disowned(conn, run_id, row, tag, raw_task, surface, engine):
                    continue
                answer = extract_for(raw_task, surface, engine)
                task_id = raw_task.get("id") if isinstance(raw_task.get("id"), str) else None
                reported = raw_task.get("cost")
                if cost is None and isinstance(reported, (int, float)):
                    cost = float(reported)
                raw = json.dumps(
                    redact_stored_task(raw_task), ensure_ascii=False, separators=(",", ":")
                )
                failed = answer.status_code != 20000 or not raw_task.get("result")
                if failed and _measured(conn, row):
                    continue  # the first answer wins: a late error never replaces it
                if answer.status_code in PENDING_CODES:
                    conn.execute(
                        "UPDATE tasks SET task_id = COALESCE(task_id, ?) "
                        "WHERE id = ? AND status = 'pending'",
                        (task_id, row),
                    )
                    continue
                delete_facts(conn, row, counts)
                if answer.status_code != 20000 or not raw_task.get("result"):
                    message = raw_task.get("status_message")
                    conn.execute(
                        "UPDATE tasks SET status = 'failed', error_code = ?, error_message = ?, "
                        "raw_json = ?, cost = COALESCE(?, cost), task_id = COALESCE(task_id, ?), "
                        "finished_at = ?, named_count = 0, citation_count = 0 "
                        "WHERE id = ? AND status != 'measured'",
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
                self._insert_facts(conn, row, facts, counts)
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
            counts.apply(conn)

    def _disowned(
        self,
        conn: Connection,
        run_id: str,
        row: int,
        tag: str,
        raw_task: Mapping[str, Any],
        surface: str,
        engine: str,
    ) -> bool:
        """Put back in doubt a task found by tag whose answer echoes another request."""
        recovered, prompt_index = conn.execute(
            "SELECT recovered, prompt_index FROM tasks WHERE id = ?", (row,)
        ).fetchone()
        if not recovered:
            return False
        body = task_body(self.panel(run_id), prompt_index, engine, surface)
        reason = echo_differs(body, raw_task)
        if reason is None:
            return False
        message = (
            f"task {raw_task.get('id')!r}, found by the tag {tag!r}, answers another request "
            f"({reason}): not this task's answer, not recorded; the task stays in doubt."
        )
        _log.warning("run %s: %s", run_id, message)
        conn.execute(
            "UPDATE tasks SET task_id = NULL, posted_at = NULL, recovered = 0, cost = NULL, "
            "error_message = ? WHERE id = ? AND status = 'pending'",
            (message, row),
        )
        return True

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
    def _insert_facts(conn: Connection, row: int, facts: AnswerFacts, counts: CountDeltas) -> None:
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
        count_facts(conn, row, facts, counts)

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


def _measured(conn: Connection, row: int) -> bool:
    """Whether a task row already holds a measured answer."""
    found = conn.execute("SELECT status FROM tasks WHERE id = ?", (row,)).fetchone()
    return found is not None and found[0] == "measured"


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


@dataclass(frozen=True)
class Progress:
    """Where a run stands.

    Attributes:
        run_id: The run.
        total: Its tasks.
        done: Measured.
        failed: Failed (with a status code).
        pending: Not finished: not posted yet, posted and not collected, or unconfirmed.
        unconfirmed: Of ``pending``, those whose post was announced and not confirmed by a
            task id: being posted right now, or in doubt after a crash.
        spent: Sum of the recorded task costs, USD (Standard tasks posted and not
            collected count at their $0.0102 prepayment).
        final: Whether this is the last report of this call.
    """

    run_id: str
    total: int
    done: int
    failed: int
    pending: int
    unconfirmed: int
    spent: float
    final: bool = False

    def line(self) -> str:
        """One line for a terminal."""
        return (
            f"[{self.run_id}] done {self.done}/{self.total}, failed {self.failed}, "
            f"pending {self.pending} (unconfirmed {self.unconfirmed}), spent ${self.spent:.4f}"
        )


ProgressCallback = Callable[[Progress], None]


def progress_of(store: VisibilityStore, run_id: str, *, final: bool = False) -> Progress:
    """The run's progress, read from the store.

    Args:
        store: The store.
        run_id: The run.
        final: Mark it as the last report.

    Returns:
        The progress.
    """
    info = store.run(run_id)
    row = store.connection.execute(
        "SELECT COUNT(*) FROM tasks WHERE run_id = ? AND status = 'pending' "
        "AND intent_at IS NOT NULL AND task_id IS NULL",
        (run_id,),
    ).fetchone()
    return Progress(
        run_id=run_id,
        total=info.measured + info.failed + info.pending,
        done=info.measured,
        failed=info.failed,
        pending=info.pending,
        unconfirmed=int(row[0]),
        spent=round(info.cost, 7),
        final=final,
    )
