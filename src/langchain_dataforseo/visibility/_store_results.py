"""Recording answers: a finished task's raw JSON, its status, and the facts metrics read.

The facts (brand first mentions and ranks, cited domains, fan-out queries) are extracted
once, when a result is recorded, with the matching rules of the task's surface
(``_app_answers.extract_for``), into their own tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_dataforseo._api.redact import redact_stored_task
from langchain_dataforseo.visibility._app_answers import extract_for
from langchain_dataforseo.visibility._dialect import Connection
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._facts import CountDeltas, count_facts, delete_facts
from langchain_dataforseo.visibility._matching import AnswerFacts, answer_facts
from langchain_dataforseo.visibility._store_base import StoreBase
from langchain_dataforseo.visibility._store_types import PENDING_CODES, _now
from langchain_dataforseo.visibility._task_identity import echo_differs, task_body

_log = logging.getLogger(__name__)


class TaskResults(StoreBase):
    """Writing finished tasks (measured or failed) and reading their raw JSON back."""

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
        with self._write() as conn:
            for tag, raw_task, cost in results:
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
