"""The store's sentiment verdicts (table ``verdicts``, schema version 4): write and count.

A verdict is one judge model's reading of how one measured answer speaks of one tracked
brand it names: ``sentiment`` (positive, neutral, negative) and ``recommended``. It is
kept per (answer, brand, judge model, judging prompt version), so judging a run again
with another model or another prompt version keeps both; ``metrics`` reads one of them
(:func:`pick_judge`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._store import VisibilityStore

SENTIMENTS: Final = ("positive", "neutral", "negative")
"""The sentiments a verdict can give."""


@dataclass(frozen=True)
class Judged:
    """Per prompt of one slice and brand: verdicts, positive, negative, recommended."""

    verdicts: int
    positive: int
    negative: int
    recommended: int


PerPrompt = dict[int, Judged]
"""Prompt index -> the counts of one brand in one slice."""


def store_verdict(
    store: VisibilityStore,
    task: int,
    brand: str,
    judge: tuple[str, str],
    verdict: tuple[str, bool],
    cost: float | None,
) -> None:
    """Keep one verdict (a verdict already kept for the same key is left as it is)."""
    sentiment, recommended = verdict
    with store._write() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO verdicts (task, brand, judge, prompt_version, sentiment, "
            "recommended, cost, judged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                task,
                brand,
                *judge,
                sentiment,
                int(recommended),
                cost,
                datetime.now(UTC).isoformat(timespec="milliseconds"),
            ),
        )


def judges(store: VisibilityStore, run_id: str) -> list[tuple[str, str]]:
    """The ``(judge, prompt_version)`` pairs that judged a run, the latest judged first."""
    rows = store.connection.execute(
        "SELECT v.judge, v.prompt_version FROM verdicts v JOIN tasks t ON t.id = v.task "
        "WHERE t.run_id = ? GROUP BY v.judge, v.prompt_version "
        "ORDER BY MAX(v.judged_at) DESC, v.judge, v.prompt_version",
        (run_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def pick_judge(store: VisibilityStore, run_id: str, judge: str | None) -> tuple[str, str] | None:
    """The verdicts ``metrics`` reads: the latest judge's, or the latest of ``judge``'s.

    Args:
        store: The store.
        run_id: The run.
        judge: A judge model name (``judge_run``'s ``JudgeResult.judge``), or ``None`` for
            whichever judged the run last.

    Returns:
        ``(judge, prompt_version)``, or ``None`` when the run was not judged (by ``judge``).

    Raises:
        VisibilityStoreError: When ``judge`` is given but never judged the run.
    """
    found = judges(store, run_id)
    if judge is None:
        return found[0] if found else None
    for pair in found:
        if pair[0] == judge:
            return pair
    names = sorted({name for name, _ in found})
    msg = f"judge {judge!r} did not judge run {run_id!r}; judges of the run: {names or 'none'}."
    raise VisibilityStoreError(msg, field="judge", limit=names, actual=judge)


def judged_counts(
    store: VisibilityStore,
    run_id: str,
    select: str,
    group: str,
    width: int,
    judge: tuple[str, str],
) -> defaultdict[tuple[str, ...], defaultdict[str, PerPrompt]]:
    """Slice -> brand -> prompt index -> :class:`Judged`, for one judge's verdicts."""
    out: defaultdict[tuple[str, ...], defaultdict[str, PerPrompt]] = defaultdict(
        lambda: defaultdict(dict)
    )
    sql = (
        f"SELECT {select}v.brand, t.prompt_index, COUNT(*), "  # noqa: S608
        "SUM(v.sentiment = 'positive'), SUM(v.sentiment = 'negative'), SUM(v.recommended) "
        "FROM verdicts v JOIN tasks t ON t.id = v.task "
        "WHERE t.run_id = ? AND t.status = 'measured' AND v.judge = ? AND v.prompt_version = ? "
        f"GROUP BY {group + ', ' if group else ''}v.brand, t.prompt_index"
    )
    for row in store.connection.execute(sql, (run_id, *judge)):
        key: tuple[str, ...] = tuple(str(v) for v in row[:width])
        values: Sequence[Any] = row[width:]
        out[key][values[0]][values[1]] = Judged(*(int(v) for v in values[2:]))
    return out


def judge_cost(store: VisibilityStore, run_id: str) -> dict[tuple[str, str], float]:
    """What judging a run cost, per ``(judge, prompt_version)`` (known costs only, USD)."""
    rows = store.connection.execute(
        "SELECT v.judge, v.prompt_version, COALESCE(SUM(v.cost), 0) FROM verdicts v "
        "JOIN tasks t ON t.id = v.task WHERE t.run_id = ? GROUP BY v.judge, v.prompt_version",
        (run_id,),
    )
    return {(str(r[0]), str(r[1])): round(float(r[2]), 7) for r in rows}
