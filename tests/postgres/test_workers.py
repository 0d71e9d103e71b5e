"""Workers that share one run on PostgreSQL: CLI processes on one database, each task paid once.

Two ``run ... --db postgresql://... --run-id R`` processes started together finish the run
together: the emulator's ledger charges every tag once, nothing is left pending, the
store's cost is the ledger's. A worker SIGKILLed with posts paid whose answers it never
got is finished by the other: its tasks are taken over, the ones in doubt recovered by
tag, never posted again.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.emulator._app import Reply
from langchain_dataforseo.visibility import VisibilityStore

from ..reliability.visibility_cli import (
    TASKS,
    WORKER_CASES,
    check_paid_once,
    ledger,
    run_two_workers,
    start_run,
    two_worker_panel,
)

pytestmark = pytest.mark.slow

PANEL = two_worker_panel("pg-workers")


@pytest.mark.parametrize(("method", "extra", "config"), WORKER_CASES)
def test_two_workers_on_one_postgresql_run_pay_every_task_once(
    tmp_path: Path, pg_url: str, method: str, extra: tuple[str, ...], config: EmulatorConfig
) -> None:
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    VisibilityStore(pg_url).close()  # the store exists before both start
    with EmulatorServer(Emulator(config)) as server:
        outputs = run_two_workers(server, tmp_path, pg_url, "--method", method, *extra)
        book = ledger(server)
    check_paid_once(pg_url, book)
    for out, _ in outputs:
        assert f"measured {TASKS}, failed 0, pending 0" in out


class HoldingEmulator(Emulator):
    """Once ``hold_after`` tasks are posted, holds every ``task_post`` answer until released.

    The post is processed and charged; the answer waits (and goes nowhere if the worker
    that posted it is killed meanwhile): a task paid whose id its worker never learned.
    """

    def __init__(self, config: EmulatorConfig, hold_after: int) -> None:
        super().__init__(config)
        self.hold_after = hold_after
        self.posts = 0
        self.held = 0
        self.released = threading.Event()
        self._lock = threading.Lock()

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        reply = super().handle(method, target, headers, body)
        if method != "POST" or not target.endswith("/task_post"):
            return reply
        with self._lock:
            self.posts += 1
            hold = self.posts > self.hold_after and not self.released.is_set()
            self.held += hold
        if hold:
            self.released.wait(timeout=90)
        return reply


def in_doubt_held_by(db: str, pid: int) -> set[str]:
    """Tags in doubt (intent, no task id) under a lease of the process ``pid``."""
    with VisibilityStore(db, readonly=True) as store:
        if not store.has_run("R"):
            return set()
        return {
            t.tag
            for t in store.in_doubt("R")
            if t.lease_owner is not None and t.lease_owner.split(":")[-2] == str(pid)
        }


def charged_tags(server: EmulatorServer) -> Counter[str]:
    return Counter(str(c["tag"]) for c in ledger(server)["charges"])


def test_a_worker_killed_mid_run_is_finished_by_the_other(tmp_path: Path, pg_url: str) -> None:
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    VisibilityStore(pg_url).close()
    extra = (
        "--method",
        "standard",
        "--max-cost",
        "5.0",
        "--tasks-per-post",
        "1",
        "--concurrency",
        "1",
        "--recover-wait",
        "30",
    )
    emu = HoldingEmulator(EmulatorConfig(task_latency=0.3), hold_after=TASKS // 3)
    with EmulatorServer(emu) as server:
        victim = start_run(server, tmp_path, pg_url, *extra)
        other = start_run(server, tmp_path, pg_url, *extra)
        # kill the victim when it holds a task it posted and paid for, but whose task id
        # it never heard (the emulator holds the answer): the worst moment
        deadline = time.monotonic() + 120
        paid_in_doubt: set[str] = set()
        while time.monotonic() < deadline and not paid_in_doubt:
            assert victim.poll() is None, victim.communicate()[1]
            paid_in_doubt = in_doubt_held_by(pg_url, victim.pid) & set(charged_tags(server))
            time.sleep(0.05)
        assert paid_in_doubt  # (its answer held back, or killed before it recorded it)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        emu.released.set()  # the victim's held answers go nowhere; the other's arrive
        out, err = other.communicate(timeout=240)
        assert victim.returncode == -signal.SIGKILL
        assert other.returncode in (0, 6), err  # 6: tasks in doubt never posted remain
        charged = charged_tags(server)
        assert set(charged.values()) == {1}  # nothing was posted twice
        with VisibilityStore(pg_url, readonly=True) as store:
            tasks = {t.tag: t for t in store.tasks("R")}
            # the other took over the victim's tasks: every paid one is measured (those in
            # doubt found by tag, not posted again); only never-posted ones stay in doubt
            assert all(tasks[tag].status == "measured" for tag in charged)
            assert all(tasks[tag].status == "measured" for tag in paid_in_doubt)
            left = [t for t in tasks.values() if t.status != "measured"]
            assert all(t.intent_at is not None and t.task_id is None for t in left)
            assert not set(charged) & {t.tag for t in left}
            assert all(t.lease_owner is None for t in tasks.values())
        # a rerun that may post the tasks in doubt again (none of them was paid) ends it
        rerun = start_run(
            server, tmp_path, pg_url, *extra, "--repost-in-doubt", "--recover-wait", "1"
        )
        out, err = rerun.communicate(timeout=240)
        assert rerun.returncode == 0, err
        assert f"measured {TASKS}, failed 0, pending 0" in out
        book = ledger(server)
    check_paid_once(pg_url, book)
