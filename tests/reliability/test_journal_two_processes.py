"""Two processes submitting the same prompts with the same journal at once pay each task once.

Two real subprocesses (one ``submit``, one ``asubmit``) are started together against the
emulator served on a loopback port, each with the same prompts and the same journal file.
The emulator holds the first ``task_post`` it receives until the test lets it go, so the
first process to post is certainly still inside its submission when the other one
starts its own: the second must be refused at once with ``DataForSEOJournalLockedError``,
naming the holder's pid, without a request. Then the first is let go and finishes. The
ledger must hold each task once (before the lock: both posted everything, 2N charges).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer, Reply

pytestmark = pytest.mark.slow

N = 150  # two chunks of the sync submit (100 + 50)

CHILD = """
import asyncio, json, os, sys
from langchain_dataforseo import ChatDataForSEO, DataForSEOJournalLockedError, TaskHandle

base_url, journal, mode, n = sys.argv[1:5]
model = ChatDataForSEO(
    login="emulator-login", password="emulator-password", base_url=base_url,
    method="standard", poll_interval=0.05, max_wait=120, validate_model=False,
)
prompts = [f"Lock prompt {i:03d}: what do assistants say about brand {i:03d}?"
           for i in range(int(n))]
try:
    if mode == "submit":
        out = model.submit(prompts, journal=journal, return_exceptions=True)
    else:
        out = asyncio.run(model.asubmit(prompts, journal=journal, return_exceptions=True))
except DataForSEOJournalLockedError as error:
    print(json.dumps({"pid": os.getpid(), "refused": str(error), "holder": error.holder}))
else:
    print(json.dumps({"pid": os.getpid(), "handles": sum(isinstance(h, TaskHandle) for h in out)}))
"""


class HoldingEmulator(Emulator):
    """Holds the first ``task_post`` (before charging it) until ``release`` is set."""

    def __init__(self, config: EmulatorConfig) -> None:
        super().__init__(config)
        self.first_post = threading.Event()
        self.release = threading.Event()
        self._once = threading.Lock()
        self._held = False

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        if method == "POST" and target.endswith("/task_post"):
            with self._once:
                hold, self._held = not self._held, True
            if hold:
                self.first_post.set()
                self.release.wait(timeout=120)
        return super().handle(method, target, headers, body)


def start(server: EmulatorServer, tmp: Path, mode: str) -> subprocess.Popen[str]:
    script = tmp / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    args = [sys.executable, str(script), server.base_url, str(tmp / "j.jsonl"), mode, str(N)]
    return subprocess.Popen(  # noqa: S603 - our own script and arguments
        args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def first_to_end(children: list[subprocess.Popen[str]]) -> subprocess.Popen[str] | None:
    """The first child to exit (None if neither did within two minutes: a hang)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in children:
            if child.poll() is not None:
                return child
        time.sleep(0.02)
    return None


def test_two_processes_with_one_journal_pay_each_task_once(tmp_path: Path) -> None:
    emu = HoldingEmulator(EmulatorConfig(task_latency=0.05))
    with EmulatorServer(emu) as server:
        children = [start(server, tmp_path, "submit"), start(server, tmp_path, "asubmit")]
        try:
            assert emu.first_post.wait(timeout=120)  # one of them is posting (and held)
            ended = first_to_end(children)  # the other one ends without the emulator
        finally:
            emu.release.set()
        results = []
        for child in children:
            out, err = child.communicate(timeout=240)
            assert child.returncode == 0, err
            results.append(json.loads(out))
        charges = [c for c in emu.ledger()["charges"] if c["method"] == "task_post"]

    tags = Counter(c["tag"] for c in charges)
    assert len(charges) == N  # not 2N: each task paid once
    assert set(tags.values()) == {1}
    refused = [r for r in results if "refused" in r]
    posted = [r for r in results if "handles" in r]
    assert len(refused) == 1
    assert len(posted) == 1
    assert posted[0]["handles"] == N
    assert ended is not None
    assert "refused" in results[children.index(ended)]  # refused at once, while the other waits
    holder = posted[0]["pid"]
    assert refused[0]["holder"].startswith(f"process {holder} on host ")
    assert f"process {holder}" in refused[0]["refused"]
    assert "j.jsonl" in refused[0]["refused"]
