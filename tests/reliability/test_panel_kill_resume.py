"""A 4-engine panel run by the CLI in a real subprocess, SIGKILLed half-way, then resumed.

The emulator is served on loopback. Once half of the Standard tasks are posted it stops
answering ``task_post`` (each post is processed and charged, its answer held back) and,
as soon as every Standard engine has a post held this way (or has posted all its tasks)
and the Live (Perplexity) answers are in the store, kills the subprocess with SIGKILL:
the worst moment, with posts paid whose task ids never reached the store. The same
command run again must post only what was never posted, recover the lost posts by tag,
and leave every task measured, each tag charged once, the store's cost equal to the
ledger's to the micro-dollar.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer, Reply
from langchain_dataforseo.visibility import VisibilityStore

from .visibility_cli import ledger, start_cli

pytestmark = pytest.mark.slow

AUTH = ("emulator-login", "emulator-password")
STANDARD = ("chat_gpt", "claude", "gemini")
SAMPLES = 5
PROMPTS = ("Which CRM suits a 10-person agency?", "HubSpot or Pipedrive for a small team?")
PER_ENGINE = SAMPLES * len(PROMPTS)
PANEL = f"""
name = "kill-resume"
samples = {SAMPLES}
prompts = {list(PROMPTS)!r}
[brand]
name = "HubSpot"
domains = ["hubspot.com"]
[[competitors]]
name = "Pipedrive"
[engines]
chat_gpt = "gpt-4.1-mini"
claude = "claude-haiku-4-5"
gemini = "gemini-2.5-flash"
perplexity = "sonar"
[settings]
web_search = true
"""


class KillingEmulator(Emulator):
    """Holds every ``task_post`` answer after ``kill_after`` posts, and kills the victim."""

    def __init__(self, config: EmulatorConfig, kill_after: int, db: Path) -> None:
        super().__init__(config)
        self.kill_after = kill_after
        self.db = db
        self.victim: subprocess.Popen[str] | None = None
        self.posts: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.killed = threading.Event()
        self._lock = threading.Lock()

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        reply = super().handle(method, target, headers, body)
        if method != "POST" or not target.endswith("/task_post") or self.victim is None:
            return reply
        engine = target.split("/")[3]
        with self._lock:
            self.posts[engine] += 1
            hold = sum(self.posts.values()) > self.kill_after and not self.killed.is_set()
            if hold:
                self.held[engine] += 1
        if hold:
            self.killed.wait(timeout=60)  # the answer then goes nowhere
        return reply

    def live_done(self) -> bool:
        if not self.db.exists():
            return False
        with sqlite3.connect(f"{self.db.resolve().as_uri()}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM tasks WHERE engine = 'perplexity' AND status = 'measured'"
            ).fetchone()
        return int(row[0]) == PER_ENGINE

    def watch(self) -> None:
        """Kill the victim when every Standard engine is held or done and Live is in."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.victim is not None:
            with self._lock:
                started = sum(self.posts.values()) > self.kill_after
                ready = all(self.held[e] or self.posts[e] == PER_ENGINE for e in STANDARD)
            if started and ready and self.live_done():
                os.kill(self.victim.pid, signal.SIGKILL)
                self.victim.wait(timeout=30)
                self.killed.set()
                return
            time.sleep(0.01)


def run_cli(server: EmulatorServer, tmp: Path) -> subprocess.Popen[str]:
    return start_cli(
        server,
        tmp,
        "run",
        str(tmp / "panel.toml"),
        "--db",
        str(tmp / "runs.db"),
        "--run-id",
        "kill",
        "--concurrency",
        "1",  # one post in flight per engine: when it is held, none is between intent and send
        "--tasks-per-post",
        "1",  # one task a post, so that "half the tasks posted" falls between posts
        "--poll-interval",
        "0.1",
        "--recover-wait",
        "30",
        "--max-wait",
        "120",
        "--max-cost",
        "50",
    )


def test_a_panel_killed_half_way_resumes_posting_each_task_once(tmp_path: Path) -> None:
    (tmp_path / "panel.toml").write_text(PANEL, encoding="utf-8")
    db = tmp_path / "runs.db"
    half = len(STANDARD) * PER_ENGINE // 2
    emu = KillingEmulator(EmulatorConfig(task_latency=0.3), kill_after=half, db=db)
    with EmulatorServer(emu) as server:
        first = run_cli(server, tmp_path)
        emu.victim = first
        watcher = threading.Thread(target=emu.watch, daemon=True)
        watcher.start()
        watcher.join(timeout=150)
        first.communicate(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert sum(emu.held.values()) >= 1  # posts paid whose answer never arrived
        with VisibilityStore(db, readonly=True) as store:
            assert store.in_doubt("kill")  # the lost posts: intent, no task id
            assert store.unsent("kill")  # and tasks never posted
        before = Counter(c["tag"] for c in ledger(server)["charges"])
        assert half < sum(before.values()) < 4 * PER_ENGINE

        emu.victim = None
        second = run_cli(server, tmp_path)
        out, err = second.communicate(timeout=240)
        assert second.returncode == 0, err
        assert "measured 40, failed 0, pending 0" in out

        book = ledger(server)
        charged = Counter(c["tag"] for c in book["charges"])
        with VisibilityStore(db, readonly=True) as store:
            tasks = store.tasks("kill")
            assert len(tasks) == 4 * PER_ENGINE
            assert {t.status for t in tasks} == {"measured"}
            assert charged == Counter({t.tag: 1 for t in tasks})  # every task posted once
            by_tag = {c["tag"]: c for c in book["charges"]}
            for task in tasks:
                assert task.task_id == by_tag[task.tag]["id"]
                assert round(task.cost or 0.0, 6) == round(by_tag[task.tag]["cost"], 6)
                assert store.raw_task("kill", task.tag) is not None
            assert round(store.run("kill").cost, 6) == round(book["charged_total"], 6)
