"""Where a panel run stands, read from the store (for callbacks and the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_dataforseo.visibility._store import VisibilityStore


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
