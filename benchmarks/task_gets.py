"""``task_get`` calls per task of a Standard panel run at the API's real limits (virtual clock).

A 10,000-task panel with a 60 s Standard latency at 2,000 calls a minute and 20
``tasks_ready`` a minute would take ten minutes of waiting; here the whole run (the
package's real code: ``run_panel``, the Standard queue, the client's pacers and the
in-process emulator with the API's limits) runs on a virtual clock. ``time.monotonic``
(every pacer, deadline and ``asyncio`` timer) and the emulator's clock read one virtual
time, and the event loop, instead of sleeping, jumps it to its next timer whenever
nothing is ready to run. Nothing else is simulated: every call goes through httpx to the
emulator, which answers 40202 past its limits and completes each task 60 virtual
seconds after its post. Reported: calls by kind (the emulator's ledger), ``task_get`` per
task, virtual run time against the bound the limits set, 40202 answers.

    python benchmarks/task_gets.py                       # 10,000 tasks, 60 s latency
    python benchmarks/task_gets.py --tasks 1000 --latency 150

Run it with ``PYTHONPATH`` pointing at another checkout's ``src`` to measure that code.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import selectors
import tempfile
import time
from pathlib import Path
from typing import Any

EPOCH = 1_800_000_000.0
_NOW = [0.0]
_REAL_MONOTONIC = time.monotonic


def _virtual() -> float:
    return _NOW[0]


# before the package is imported: the pacers' default clocks bind time.monotonic
time.monotonic = _virtual

import httpx  # noqa: E402

from langchain_dataforseo.emulator import (  # noqa: E402
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import Panel, VisibilityStore, arun_panel  # noqa: E402

AUTH = ("emulator-login", "emulator-password")
API_CALLS_PER_MINUTE = 2000
API_TASKS_READY_PER_MINUTE = 20
CLIENT_MARGIN = 0.95  # the package paces at 95% of calls_per_minute


class VirtualSelector(selectors.DefaultSelector):
    """A selector that never blocks: with nothing ready, time jumps to the next timer."""

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready or timeout is None or timeout <= 0:
            return ready
        _NOW[0] += timeout
        return []


def panel_of(tasks: int) -> Panel:
    samples = 50
    engines = {"chat_gpt": "gpt-4.1-mini", "claude": "claude-haiku-4-5"}
    prompts = max(1, math.ceil(tasks / (samples * len(engines))))
    return Panel(
        "bench",
        [f"Which CRM suits a {i + 2}-person marketing agency?" for i in range(prompts)],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [{"name": "Pipedrive"}, {"name": "Salesforce"}],
        engines,
        samples,
        web_search=True,
    )


async def run(tasks: int, latency: float, folder: str) -> tuple[Emulator, float, int]:
    emu = Emulator(
        EmulatorConfig(
            task_latency=latency,
            calls_per_minute=API_CALLS_PER_MINUTE,
            tasks_ready_per_minute=API_TASKS_READY_PER_MINUTE,
            clock=lambda: EPOCH + _NOW[0],
        )
    )
    panel = panel_of(tasks)
    total = len(panel.prompts) * len(panel.engines) * panel.samples
    with VisibilityStore(Path(folder) / "runs.db") as store:
        started = _NOW[0]
        await arun_panel(
            panel,
            store,
            run_id="bench",
            max_wait=3600.0,
            login=AUTH[0],
            password=AUTH[1],
            base_url="http://127.0.0.1",
            http_client=httpx.Client(transport=EmulatorTransport(emu)),
            http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
            calls_per_minute=API_CALLS_PER_MINUTE,
        )
        elapsed = _NOW[0] - started
        measured = len(store.tasks("bench", "measured"))
    if measured != total:
        raise SystemExit(f"{measured} of {total} measured")
    return emu, elapsed, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=60.0, help="Standard latency, s")
    args = parser.parse_args()
    loop = asyncio.SelectorEventLoop(VirtualSelector())
    real_start = _REAL_MONOTONIC()
    with tempfile.TemporaryDirectory() as folder:
        emu, elapsed, total = loop.run_until_complete(run(args.tasks, args.latency, folder))
    loop.close()
    real = _REAL_MONOTONIC() - real_start
    ledger = emu.ledger()
    calls: dict[str, int] = {}
    for key, count in ledger["calls"].items():
        if key != "total":
            kind = key.rsplit("/", 1)[-1]
            calls[kind] = calls.get(kind, 0) + count
    refused = int(ledger["status_counts"].get("40202", ledger["status_counts"].get(40202, 0)))
    rate = API_CALLS_PER_MINUTE * CLIENT_MARGIN / 60
    posts = calls.get("task_post", 0)
    bound = max((posts + total) / rate, posts / rate + args.latency)
    gets = calls.get("task_get", 0)
    print(
        f"{total} Standard tasks, latency {args.latency:g} s, limits {API_CALLS_PER_MINUTE} "
        f"calls/min and {API_TASKS_READY_PER_MINUTE} tasks_ready/min (virtual clock)"
    )
    print(f"calls: {dict(sorted(calls.items()))}; 40202 answers: {refused}")
    print(f"task_get per task: {gets / total:.2f} ({gets} for {total})")
    print(
        f"virtual run time {elapsed:.1f} s; bound {bound:.1f} s (ratio {elapsed / bound:.2f}); "
        f"real time {real:.1f} s"
    )


if __name__ == "__main__":
    main()
