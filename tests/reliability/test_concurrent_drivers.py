"""One panel run driven by two CLI processes started together, on one store.

Before run leases, two ``run --run-id R`` started at once each posted every task (60
charges for 30 tasks, the ledger past ``max_cost``; on Standard, tasks paid twice and a
crash). Each process now claims a task before it posts it, so the emulator's ledger shows
every tag charged exactly once, both processes exit cleanly, and the store ends complete
with its cost equal to the ledger's.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility import VisibilityStore

from .visibility_cli import ledger, start_cli

pytestmark = pytest.mark.slow

PROMPTS = ("Which CRM suits a 10-person agency?", "HubSpot or Pipedrive for a small team?")
PANEL = f"""
name = "two-drivers"
samples = 5
prompts = {list(PROMPTS)!r}
[brand]
name = "HubSpot"
domains = ["hubspot.com"]
[engines]
chat_gpt = "gpt-4.1-mini"
claude = "claude-haiku-4-5"
gemini = "gemini-2.5-flash"
"""
TASKS = 3 * 5 * len(PROMPTS)


def start(server: EmulatorServer, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    db = str(tmp / "runs.db")
    run = ("run", str(tmp / "panel.toml"), "--db", db, "--run-id", "R")
    return start_cli(server, tmp, *run, "--poll-interval", "0.1", "--max-wait", "120", *extra)


@pytest.mark.parametrize(
    ("method", "extra", "config"),
    [
        pytest.param(
            "live",
            ("--max-cost", "1.0", "--max-cost-per-call", "0.03", "--concurrency", "3"),
            EmulatorConfig(live_latency=0.2),
            id="live",
        ),
        pytest.param(
            "standard",
            ("--max-cost", "1.0", "--tasks-per-post", "1", "--concurrency", "3"),
            EmulatorConfig(task_latency=0.3),
            id="standard",
        ),
    ],
)
def test_two_processes_driving_one_run_pay_every_task_once(
    tmp_path: Path, method: str, extra: tuple[str, ...], config: EmulatorConfig
) -> None:
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    # the store exists before both start, as a scheduled job's store does
    VisibilityStore(tmp_path / "runs.db").close()
    with EmulatorServer(Emulator(config)) as server:
        drivers = [start(server, tmp_path, "--method", method, *extra) for _ in range(2)]
        outputs = [driver.communicate(timeout=240) for driver in drivers]
        for driver, (_, err) in zip(drivers, outputs, strict=True):
            assert driver.returncode == 0, err
        book = ledger(server)
    charged = Counter(c["tag"] for c in book["charges"])
    with VisibilityStore(tmp_path / "runs.db", readonly=True) as store:
        tasks = store.tasks("R")
        assert len(tasks) == TASKS
        assert {t.status for t in tasks} == {"measured"}
        assert charged == Counter({t.tag: 1 for t in tasks})  # each task paid once
        assert book["charged_total"] <= 1.0
        # a sum of floats: compare within 1e-9 (rounding both to 6 places can split a tie)
        assert store.run("R").cost == pytest.approx(book["charged_total"], abs=1e-9)
        assert all(t.lease_owner is None for t in tasks)  # both released their leases
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
    VisibilityStore(tmp_path / "runs.db").close()
    cap, per_call = 0.018, 0.0006  # 30 tasks at $0.0006: the estimate passes the cap
    extra = ("--max-cost", str(cap), "--max-cost-per-call", str(per_call), "--concurrency", "1")
    with EmulatorServer(Emulator(EmulatorConfig(live_latency=0.05))) as server:
        drivers = [start(server, tmp_path, "--method", "live", *extra) for _ in range(2)]
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
