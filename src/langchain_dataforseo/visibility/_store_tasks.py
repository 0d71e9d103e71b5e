"""The task states of a run, as a Standard journal moves them (intent, handle, clear).

A task row goes through ``pending`` to ``measured`` or ``failed``. While pending,
``intent_at`` says the caller is about to post it (if the process dies now, the task is
*in doubt*) and ``task_id`` / ``posted_at`` that it was posted (collect it, never post it
again).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._store_base import StoreBase
from langchain_dataforseo.visibility._store_types import STATUSES, TaskRecord, _now

_TASK_COLUMNS: Final = (
    "tag, prompt_index, prompt, engine, model, sample, status, task_id, error_code, "
    "error_message, answer_model, cost, created_at, intent_at, posted_at, finished_at, surface"
)
_TASK_ORDER: Final = " ORDER BY prompt_index, engine, surface, sample"


class TaskStates(StoreBase):
    """Reading a run's tasks, and the journal's writes to their states."""

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
