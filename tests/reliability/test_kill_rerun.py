"""A Standard submission killed with SIGKILL mid-way, then run again with the same journal.

A real subprocess runs ``submit`` or a Standard ``batch`` against the emulator served on a
loopback port. The emulator kills the subprocess right after it has processed (and
charged) the third ``task_post`` and before the answer leaves: the worst moment, when two
chunks have handles, the third is paid but its handles are lost, and the fourth was never
posted. The re-run must post every tag exactly once in all (checked against
``/emulator/ledger``) and give a handle for every task.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_dataforseo._standard.journal import FileJournal, replay
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer, Reply

pytestmark = pytest.mark.slow

AUTH = ("emulator-login", "emulator-password")
N = 350  # chunks of 100, 100, 100, 50

CHILD = """
import json, sys
from langchain_dataforseo import ChatDataForSEO, TaskHandle

base_url, journal, mode, n, recover_wait = sys.argv[1:6]
model = ChatDataForSEO(
    login="emulator-login", password="emulator-password", base_url=base_url,
    method="standard", poll_interval=0.05, max_wait=120, validate_model=False,
)
prompts = [f"Kill prompt {i:03d}: what do assistants say about brand {i:03d}?"
           for i in range(int(n))]
options = {"journal": journal, "recover_wait": float(recover_wait), "return_exceptions": True}
if mode == "submit":
    out = model.submit(prompts, **options)
    rows = [h.to_dict() if isinstance(h, TaskHandle) else {"error": repr(h),
            "tag": getattr(h, "tag", None)} for h in out]
else:
    out = model.batch(prompts, **options)
    rows = [{"id": m.response_metadata["task_id"], "text": m.text}
            if not isinstance(m, Exception) else {"error": repr(m), "tag": getattr(m, "tag", None)}
            for m in out]
print(json.dumps(rows))
"""


class KillingEmulator(Emulator):
    """Kills ``victim`` after processing its ``kill_at``-th task_post, before answering."""

    def __init__(self, config: EmulatorConfig, kill_at: int) -> None:
        super().__init__(config)
        self.kill_at = kill_at
        self.posts = 0
        self.victim: subprocess.Popen[str] | None = None
        self._count_lock = threading.Lock()

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        reply = super().handle(method, target, headers, body)
        if method == "POST" and target.endswith("/task_post"):
            with self._count_lock:
                self.posts += 1
                now = self.posts
            if now == self.kill_at and self.victim is not None:
                os.kill(self.victim.pid, signal.SIGKILL)
                time.sleep(0.2)  # the answer goes nowhere
        return reply


def run_child(
    emu: KillingEmulator | None,
    server: EmulatorServer,
    tmp: Path,
    mode: str,
    recover_wait: float = 30.0,
) -> subprocess.Popen[str]:
    script = tmp / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    args = [
        sys.executable,
        str(script),
        server.base_url,
        str(tmp / "run.jsonl"),
        mode,
        str(N),
        str(recover_wait),
    ]
    child = subprocess.Popen(  # noqa: S603 - our own script and arguments
        args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if emu is not None:
        emu.victim = child
    return child


def ledger(server: EmulatorServer) -> dict[str, Any]:
    response = httpx.get(f"{server.base_url}/emulator/ledger", auth=AUTH, timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def posted(server: EmulatorServer) -> Counter[str]:
    return Counter(c["tag"] for c in ledger(server)["charges"] if c["method"] == "task_post")


@pytest.mark.parametrize("mode", ["submit", "batch"])
def test_a_sigkilled_run_rerun_with_its_journal_posts_each_tag_once(
    tmp_path: Path, mode: str
) -> None:
    emu = KillingEmulator(EmulatorConfig(task_latency=0.2), kill_at=3)
    with EmulatorServer(emu) as server:
        first = run_child(emu, server, tmp_path, mode)
        first.communicate(timeout=120)
        assert first.returncode == -signal.SIGKILL
        state = replay(FileJournal(tmp_path / "run.jsonl").records())
        assert len(state.handles) == 200  # chunks 1 and 2 were journaled with handles
        assert len(state.in_doubt) == 100  # chunk 3: paid, answer lost
        assert sum(posted(server).values()) == 300

        emu.victim = None
        second = run_child(None, server, tmp_path, mode)
        out, err = second.communicate(timeout=240)
        assert second.returncode == 0, err
        rows = json.loads(out)
        assert len(rows) == N
        assert [r for r in rows if "error" in r] == []
        tags = posted(server)
        assert len(tags) == N
        assert set(tags.values()) == {1}  # every tag posted exactly once in all
        charged_ids = {c["id"] for c in ledger(server)["charges"]}
        assert {r["id"] for r in rows} == charged_ids  # every task has its handle
        assert emu.posts == 4  # the re-run posted only the never-posted fourth chunk
        if mode == "submit":
            assert [r["index"] for r in rows] == list(range(N))
        else:
            for i, row in enumerate(rows):
                assert f"{i:03d}" in row["text"]


def test_a_run_killed_at_any_moment_never_pays_a_tag_twice(tmp_path: Path) -> None:
    emu = KillingEmulator(EmulatorConfig(task_latency=0.2), kill_at=0)
    with EmulatorServer(emu) as server:
        first = run_child(None, server, tmp_path, "submit")
        deadline = time.monotonic() + 60
        while sum(posted(server).values()) < 150 and time.monotonic() < deadline:
            time.sleep(0.002)
        first.send_signal(signal.SIGKILL)  # somewhere in chunk 2, 3 or 4
        first.communicate(timeout=60)

        second = run_child(None, server, tmp_path, "submit", recover_wait=3.0)
        out, err = second.communicate(timeout=240)
        assert second.returncode == 0, err
        rows = json.loads(out)
        tags = posted(server)
        assert set(tags.values()) <= {1}  # never paid twice
        charged_ids = {c["id"] for c in ledger(server)["charges"]}
        handles = {r["id"] for r in rows if "id" in r}
        assert handles == charged_ids  # every paid task has its handle
        doubts = [r for r in rows if "error" in r]
        assert all("DataForSEOTaskInDoubtError" in r["error"] for r in doubts)
        assert not {r["tag"] for r in doubts} & set(tags)  # in doubt only if never posted
        assert len(handles) + len(doubts) == N
