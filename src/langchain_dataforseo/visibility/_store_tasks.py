"""The task states of a run, as a Standard journal moves them (intent, handle, clear).

A task row goes through ``pending`` to ``measured`` or ``failed``. While pending,
``intent_at`` says the caller is about to post it (if the process dies now, the task is
*in doubt*) and ``task_id`` / ``posted_at`` that it was posted (collect it, never post it
again).

Leases let several drivers (processes, later machines) work on one run: a driver *claims*
the tasks it is about to post, recover or collect (:meth:`TaskStates.claim`), and the
claim of a task to post records its intent in the same transaction
(:meth:`TaskStates.claim_intent`), so two drivers never post one task. A lease expires
``lease_seconds`` after it was taken or last renewed (:meth:`TaskStates.renew_leases`);
a dead driver's tasks are then free for another driver, which recovers the ones in doubt
by tag and never posts them again. Each claim is one conditional ``UPDATE`` per task, the
same on SQLite (serialised by ``BEGIN IMMEDIATE``) and on PostgreSQL (the claim first locks
the run's row, ``SELECT ... FOR UPDATE``, so two workers' cap checks never interleave, and
the task row's lock makes a second claimant re-check the condition and find the row taken).
Lease times are read from the store's clock: on PostgreSQL the server's, one clock for
every worker whatever the machines' clocks say.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from langchain_dataforseo.visibility._dialect import Connection
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._store_base import STATUSES, StoreBase, TaskRecord, _now

_TASK_COLUMNS: Final = (
    "tag, prompt_index, prompt, engine, model, sample, status, task_id, error_code, "
    "error_message, answer_model, cost, created_at, intent_at, posted_at, finished_at, surface, "
    "lease_owner, lease_until"
)
LEASE_SECONDS: Final = 120.0
"""How long a claim holds a task unless renewed (a live driver renews every third of it)."""
_FREE: Final = "(lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)"
"""The lease condition of a task a driver may take: free, its own, or expired."""


def _machine() -> str:
    """This host as lease owners name it: its name and its boot and PID namespace digest."""
    marks = []
    for path in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        try:
            marks.append(os.readlink(path) if path.endswith("/pid") else Path(path).read_text())
        except OSError:
            continue
    host = socket.gethostname().replace(":", "_")
    if not marks:
        return host
    digest = hashlib.sha256("|".join(marks).encode()).hexdigest()[:8]
    return f"{host}~{digest}"


def new_owner() -> str:
    """A driver's lease owner id: ``machine:pid:random`` (says who holds a task, unique)."""
    return f"{_machine()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(owner: str) -> bool:
    """Whether a lease owner is a process of this machine that no longer runs.

    Only a holder of this machine (same host name, boot and PID namespace) whose pid is
    gone is known dead; any other (another machine or container, a live pid, maybe a
    reused one) is trusted until its lease expires.
    """
    machine, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if machine != _machine() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


class _NotWhole(Exception):
    """A chunk could not be taken whole (its transaction is rolled back)."""


def _spend(conn: Connection, run_id: str) -> float:
    """The run's spend: costs of finished tasks, max(cost, reserved) of started ones."""
    row = conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN status != 'pending' THEN COALESCE(cost, 0) "
        "WHEN task_id IS NOT NULL OR intent_at IS NOT NULL "
        "THEN CASE WHEN COALESCE(reserved, 0) > COALESCE(cost, 0) THEN COALESCE(reserved, 0) "
        "ELSE COALESCE(cost, 0) END ELSE 0 END), 0) "
        "FROM tasks WHERE run_id = ?",
        (run_id,),
    ).fetchone()
    return float(row[0])


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

    def tag_of(
        self, run_id: str, prompt_index: int, engine: str, sample: int, surface: str = "api"
    ) -> str:
        """The tag the run gave one task.

        Runs made before tags carried a digest have the older tags; this finds either.

        Args:
            run_id: The run.
            prompt_index: The prompt's index in the panel.
            engine: The engine.
            sample: The sample number (0-based).
            surface: ``api`` (default) or ``app``.

        Returns:
            The task's tag.

        Raises:
            VisibilityStoreError: For an unknown run or no such task.
        """
        self._check_run(run_id)
        row = self._conn.execute(
            "SELECT tag FROM tasks WHERE run_id = ? AND prompt_index = ? AND engine = ? "
            "AND sample = ? AND surface = ?",
            (run_id, prompt_index, engine, sample, surface),
        ).fetchone()
        if row is None:
            key = f"p{prompt_index}:{engine}:{surface}:s{sample}"
            msg = f"run {run_id!r} has no task {key}."
            raise VisibilityStoreError(msg, field="tag", actual=key)
        return str(row[0])

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

    # -- leases ---------------------------------------------------------------------------

    def claim(
        self,
        run_id: str,
        tags: Sequence[str],
        owner: str,
        *,
        lease_seconds: float = LEASE_SECONDS,
        unsent: bool = False,
    ) -> list[str]:
        """Take the lease of pending tasks nobody else holds (to post, recover or collect).

        A task is taken when it is pending and its lease is free, already ``owner``'s, or
        expired. One transaction; the tags taken are returned in the order given.

        Args:
            run_id: The run.
            tags: The tasks' tags.
            owner: The driver (:func:`new_owner`).
            lease_seconds: How long the lease holds unless renewed.
            unsent: Take only tasks never posted (no intent, no task id): the ones
                ``owner`` is about to post (their intent is recorded when they are).

        Returns:
            The tags now held by ``owner``.
        """
        return self._claim(run_id, tags, owner, lease_seconds, intent=False, unsent=unsent)

    def claim_intent(
        self,
        run_id: str,
        tags: Sequence[str],
        owner: str,
        *,
        lease_seconds: float = LEASE_SECONDS,
        reserve: Mapping[str, float] | None = None,
        max_cost: float | None = None,
        whole: bool = False,
    ) -> list[str]:
        """Take the lease of tasks to post and record their intent, in one transaction.

        A task is taken when it is pending, has no task id, and either has no intent and
        a lease that is free, ``owner``'s or expired, or is already held by ``owner``
        (a task in doubt that ``owner`` took over to post again). A task another live
        driver holds, or in doubt under nobody's lease, is never taken here: it may have
        been posted.

        With ``max_cost``, the run's cap holds across every driver: a task is taken only
        while the run's spend (:meth:`run_spend`, what every driver has spent or
        reserved) plus its ``reserve`` stays within ``max_cost``; the first task past it
        and every later one are not taken.

        Args:
            run_id: The run.
            tags: The tasks' tags.
            owner: The driver.
            lease_seconds: How long the lease holds unless renewed.
            reserve: Tag -> what posting the task may cost at most (USD), recorded with
                the intent; 0 for a tag not given.
            max_cost: The run's cap in USD (``None``: no cap).
            whole: All the tags or none (one chunk, posted in one request): when one
                cannot be taken, nothing is written and none is returned.

        Returns:
            The tags taken, whose intent is now recorded: post exactly these.
        """
        return self._claim(
            run_id,
            tags,
            owner,
            lease_seconds,
            intent=True,
            unsent=False,
            reserve=reserve or {},
            max_cost=max_cost,
            whole=whole,
        )

    def run_spend(self, run_id: str) -> float:
        """What a run has spent or may have spent, as every driver's cap counts it.

        Finished tasks count their cost; tasks posted, in flight or in doubt count the
        larger of their known cost and what their post reserved.

        Args:
            run_id: The run.

        Returns:
            USD.
        """
        return _spend(self._conn, run_id)

    def _claim(
        self,
        run_id: str,
        tags: Sequence[str],
        owner: str,
        lease_seconds: float,
        *,
        intent: bool,
        unsent: bool,
        reserve: Mapping[str, float] | None = None,
        max_cost: float | None = None,
        whole: bool = False,
    ) -> list[str]:
        """Claim tasks (see :meth:`claim` and :meth:`claim_intent`)."""
        self._check_run(run_id)
        reserve = reserve or {}
        if intent:
            # a task posted again (in doubt, taken over to repost) keeps what its first
            # post reserved: that post may have been paid too
            sql = (
                "UPDATE tasks SET lease_owner = ?, lease_until = ?, "  # noqa: S608
                "reserved = CASE WHEN intent_at IS NULL THEN ? "
                "ELSE COALESCE(reserved, 0) + ? END, intent_at = ? "
                "WHERE run_id = ? AND tag = ? AND status = 'pending' AND task_id IS NULL "
                f"AND ((intent_at IS NULL AND {_FREE}) OR lease_owner = ?)"
            )
        else:
            sql = (
                "UPDATE tasks SET lease_owner = ?, lease_until = ? "  # noqa: S608
                f"WHERE run_id = ? AND tag = ? AND status = 'pending' AND {_FREE}"
            )
            if unsent:
                sql += " AND intent_at IS NULL AND task_id IS NULL"
        wanted = list(dict.fromkeys(tags))
        taken: list[str] = []
        try:
            with self._write() as conn:
                self._lock_run(conn, run_id)  # every claim of the run waits here
                now, until = self._clock(), self._clock(lease_seconds)
                params = (owner, until)
                tail = (owner, now, owner) if intent else (owner, now)
                spent = _spend(conn, run_id) if max_cost is not None else 0.0
                for tag in wanted:
                    cost = float(reserve.get(tag, 0.0))
                    if max_cost is not None and spent + cost > max_cost + 1e-9:
                        break  # the run's cap: this task and every later one stay unsent
                    values = (*params, cost, cost, now) if intent else params
                    if conn.execute(sql, (*values, run_id, tag, *tail)).rowcount == 1:
                        taken.append(tag)
                        spent += cost
                if whole and len(taken) < len(wanted):
                    raise _NotWhole  # rolls the transaction back: nothing was taken
        except _NotWhole:
            return []
        return taken

    def renew_leases(self, run_id: str, owner: str, *, lease_seconds: float = LEASE_SECONDS) -> int:
        """Extend every lease ``owner`` holds in the run (a live driver's heartbeat).

        Args:
            run_id: The run.
            owner: The driver.
            lease_seconds: The new lease, from now.

        Returns:
            How many tasks ``owner`` holds.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET lease_until = ? WHERE run_id = ? AND lease_owner = ?",
                (self._clock(lease_seconds), run_id, owner),
            )
            return int(cursor.rowcount)

    def release_leases(self, run_id: str, owner: str) -> int:
        """Give up every lease ``owner`` holds in the run (a driver that returns).

        Tasks keep their state: one in doubt stays in doubt, for the next driver to
        recover by tag.

        Args:
            run_id: The run.
            owner: The driver.

        Returns:
            How many tasks were released.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET lease_owner = NULL, lease_until = NULL "
                "WHERE run_id = ? AND lease_owner = ?",
                (run_id, owner),
            )
            return int(cursor.rowcount)

    def break_dead_leases(self, run_id: str) -> list[str]:
        """Free the leases of holders known dead (a process of this machine that is gone).

        A driver killed on this machine need not be waited for until its leases expire;
        its tasks keep their state (in doubt stays in doubt).

        Args:
            run_id: The run.

        Returns:
            The dead holders whose leases were freed.
        """
        dead = [holder for holder in self.held_elsewhere(run_id) if holder_is_dead(holder)]
        for holder in dead:
            self.release_leases(run_id, holder)
        return dead

    def held_elsewhere(self, run_id: str, owner: str | None = None) -> dict[str, int]:
        """Pending tasks under another driver's live lease, counted by holder.

        Args:
            run_id: The run.
            owner: The asking driver (its own leases are not counted).

        Returns:
            Holder -> how many pending tasks it holds.
        """
        rows = self._conn.execute(
            "SELECT lease_owner, COUNT(*) FROM tasks WHERE run_id = ? AND status = 'pending' "
            "AND lease_owner IS NOT NULL AND lease_owner <> ? AND lease_until >= ? "
            "GROUP BY lease_owner ORDER BY lease_owner",
            (run_id, owner or "", self._clock()),
        )
        return {str(holder): int(count) for holder, count in rows}

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
        self,
        run_id: str,
        handles: Sequence[tuple[str, str]],
        *,
        cost: float | None = None,
        recovered: bool = False,
    ) -> None:
        """Record many posted tasks' ids in one transaction (see :meth:`record_handle`).

        A task already finished with this id (or none), e.g. by a postback that arrived
        before its handle was recorded, is left as it is; a task finished with another id
        is an error.

        Args:
            run_id: The run.
            handles: ``(tag, task_id)`` pairs.
            cost: The charge at posting of each, USD (e.g. the Standard prepayment).
            recovered: The ids were found by tag (not given by our own post): the answer
                is kept only if the request it echoes is this task's.
        """
        now = _now()
        with self._write() as conn:
            for tag, task_id in handles:
                cursor = conn.execute(
                    "UPDATE tasks SET task_id = ?, posted_at = COALESCE(posted_at, ?), "
                    "intent_at = COALESCE(intent_at, ?), cost = COALESCE(?, cost), "
                    "recovered = ? WHERE run_id = ? AND tag = ? AND status = 'pending'",
                    (task_id, now, now, cost, int(recovered), run_id, tag),
                )
                if cursor.rowcount == 1:
                    continue
                row = conn.execute(
                    "SELECT status, task_id FROM tasks WHERE run_id = ? AND tag = ?",
                    (run_id, tag),
                ).fetchone()
                if row is None or row[1] not in (None, task_id):
                    self._missing(conn, run_id, tag)

    def clear_intent(
        self, run_id: str, tags: Sequence[str], *, reserve: Mapping[str, float] | None = None
    ) -> None:
        """Forget the intent of pending tasks that were provably not created (free to post).

        Tasks with a task id keep it: a created task is never forgotten. A task posted
        again while in doubt (its :meth:`claim_intent` added to what its first post
        reserved) gets back only what this post reserved: it stays in doubt, with the
        first post's reservation in the run's spend (that post may have been paid).

        Args:
            run_id: The run.
            tags: The tasks' tags.
            reserve: Tag -> what the refused post reserved (as given to
                :meth:`claim_intent`); 0 for a tag not given.
        """
        self._check_run(run_id)
        reserve = reserve or {}
        rows = []
        for tag in tags:
            cost = float(reserve.get(tag, 0.0))
            rows.append((cost + 1e-9, cost + 1e-9, cost, run_id, tag))
        with self._write() as conn:
            conn.executemany(
                "UPDATE tasks SET "
                "intent_at = CASE WHEN COALESCE(reserved, 0) > ? THEN intent_at ELSE NULL END, "
                "reserved = CASE WHEN COALESCE(reserved, 0) > ? THEN reserved - ? ELSE NULL END "
                "WHERE run_id = ? AND tag = ? AND status = 'pending' AND task_id IS NULL",
                rows,
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
