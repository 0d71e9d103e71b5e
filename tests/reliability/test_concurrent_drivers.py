"""One panel run driven by two CLI processes started together, on one store.

Before run leases, two ``run --run-id R`` started at once each posted every task (60
charges for 30 tasks, the ledger past ``max_cost``; on Standard, tasks paid twice and a
crash). Each process now claims a task before it posts it, so the emulator's ledger shows
every tag charged exactly once, both processes exit cleanly, and the store ends complete
with its cost equal to the ledger's.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore

from .visibility_cli import (
    TASKS,
    WORKER_CASES,
    check_paid_once,
    ledger,
    run_two_workers,
    start_run,
    two_worker_panel,
)

pytestmark = pytest.mark.slow

PANEL = two_worker_panel("two-drivers")


@pytest.mark.parametrize(("method", "extra", "config"), WORKER_CASES)
def test_two_processes_driving_one_run_pay_every_task_once(
    tmp_path: Path, method: str, extra: tuple[str, ...], config: EmulatorConfig
) -> None:
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    db = str(tmp_path / "runs.db")
    VisibilityStore(db).close()  # the store exists before both start, as a scheduled job's does
    with EmulatorServer(Emulator(config)) as server:
        outputs = run_two_workers(server, tmp_path, db, "--method", method, *extra)
        book = ledger(server)
    check_paid_once(db, book)
    assert book["charged_total"] <= 1.0
    # both did part of the work or one found it all done; neither crashed nor re-posted
    for out, _ in outputs:
        assert f"measured {TASKS}, failed 0, pending 0" in out


def test_the_run_cap_holds_across_two_processes_when_tasks_cost_more_than_reserved(
    tmp_path: Path,
) -> None:
    # max-cost-per-call says a task costs $0.0006; the emulator charges about $0.001. Each
    # process's own budget would let it spend the whole cap, two of them twice the cap:
    # the store's spend, shared by both, stops them together.
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    db = str(tmp_path / "runs.db")
    VisibilityStore(db).close()
    cap, per_call = 0.018, 0.0006  # 30 tasks at $0.0006: the estimate passes the cap
    extra = ("--max-cost", str(cap), "--max-cost-per-call", str(per_call), "--concurrency", "1")
    with EmulatorServer(Emulator(EmulatorConfig(live_latency=0.05))) as server:
        drivers = [start_run(server, tmp_path, db, "--method", "live", *extra) for _ in range(2)]
        for driver in drivers:
            driver.communicate(timeout=240)
        book = ledger(server)
    charges = [float(c["cost"]) for c in book["charges"]]
    assert max(charges) > per_call  # the tasks really cost more than reserved
    # at most one task in flight per process can pass the cap, by its own cost
    assert book["charged_total"] <= cap + 2 * max(charges) + 1e-9
    with VisibilityStore(tmp_path / "runs.db", readonly=True) as store:
        assert store.tasks("R", "pending")  # the cap stopped the run, resumable
        # a sum of floats: compare within 1e-9 (rounding both to 6 places can split a tie)
        assert store.run("R").cost == pytest.approx(book["charged_total"], abs=1e-9)
        charged = Counter(c["tag"] for c in book["charges"])
        assert set(charged.values()) == {1}
