"""``run_panel`` over a 10,000-task Standard panel on the emulator, against the API's bound.

The emulator runs in its own process on loopback with the API's limits scaled up by
``--scale`` (calls a minute, ``tasks_ready`` calls a minute) and the Standard latency scaled
down by it, so a run that would take minutes at DataForSEO takes about a minute or two
here; the client's ``calls_per_minute`` is scaled the same way. Reported: wall time, the
bound the scaled limits set, the calls by kind, rate-limit answers, peak memory of this
process (the client and the store), and whether each task was posted once and measured,
its cost equal to the ledger's. A figure to read, not a test.

    python benchmarks/panel_run.py                      # 10,000 tasks, scale 5
    python benchmarks/panel_run.py --tasks 2000 --scale 5
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from langchain_dataforseo.visibility import Panel, Progress, VisibilityStore, run_panel

AUTH = ("emulator-login", "emulator-password")
API_CALLS_PER_MINUTE = 2000
API_TASKS_READY_PER_MINUTE = 20
API_TASKS_PER_POST = 100
CLIENT_MARGIN = 0.95  # the package paces at 95% of calls_per_minute
TASKS_READY_LIST = 1000


def start_emulator(scale: float, latency: float) -> tuple[subprocess.Popen[str], str]:
    args = [
        sys.executable,
        "-m",
        "langchain_dataforseo.emulator",
        "--calls-per-minute",
        str(int(API_CALLS_PER_MINUTE * scale)),
        "--tasks-ready-per-minute",
        str(int(API_TASKS_READY_PER_MINUTE * scale)),
        "--task-latency",
        str(latency),
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)  # noqa: S603
    line = proc.stdout.readline() if proc.stdout is not None else ""
    found = re.search(r"(http://\S+)", line)
    if found is None:
        proc.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return proc, found.group(1)


def panel_of(tasks: int, engines: tuple[str, ...]) -> Panel:
    samples = 50
    prompts = max(1, math.ceil(tasks / (samples * len(engines))))
    models = {
        "chat_gpt": "gpt-4.1-mini",
        "claude": "claude-haiku-4-5",
        "gemini": "gemini-2.5-flash",
    }
    return Panel(
        "bench",
        [f"Which CRM suits a {i + 2}-person marketing agency?" for i in range(prompts)],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [{"name": "Pipedrive"}, {"name": "Salesforce"}],
        {e: models[e] for e in engines},
        samples,
        web_search=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=5.0, help="API limits x this")
    parser.add_argument(
        "--latency", type=float, default=60.0, help="Standard latency at the API, seconds"
    )
    args = parser.parse_args()
    engines = ("chat_gpt", "claude")
    panel = panel_of(args.tasks, engines)
    total = len(panel.prompts) * len(panel.engines) * panel.samples
    latency = args.latency / args.scale
    proc, base_url = start_emulator(args.scale, latency)
    rate = API_CALLS_PER_MINUTE * args.scale * CLIENT_MARGIN / 60  # calls a second
    posts = math.ceil(total / API_TASKS_PER_POST)  # run_panel posts 100 tasks a request
    bound_calls = posts + total + math.ceil(total / TASKS_READY_LIST)
    # at least every call at the paced rate, and at least every post then one latency
    bound = max(bound_calls / rate, posts / rate + latency)
    single = max((2 * total) / rate, total / rate + latency)  # one task a post, for contrast
    print(
        f"{total} Standard tasks ({len(panel.prompts)} prompts x {len(engines)} engines x "
        f"{panel.samples} samples); limits x{args.scale:g}: {API_CALLS_PER_MINUTE * args.scale:g} "
        f"calls/min, tasks_ready {API_TASKS_READY_PER_MINUTE * args.scale:g}/min, task latency "
        f"{latency:g} s"
    )
    seen: list[Progress] = []
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            VisibilityStore(Path(folder) / "runs.db") as store,
        ):
            started = time.perf_counter()
            run_panel(
                panel,
                store,
                run_id="bench",
                max_cost=5_000.0,
                on_progress=seen.append,
                progress_interval=10.0,
                collect_round=5.0,
                max_wait=600.0,
                login=AUTH[0],
                password=AUTH[1],
                base_url=base_url,
                calls_per_minute=int(API_CALLS_PER_MINUTE * args.scale),
                poll_interval=3.0,
                validate_model=True,
            )
            wall = time.perf_counter() - started
            ledger: dict[str, Any] = httpx.get(
                f"{base_url}/emulator/ledger", auth=AUTH, timeout=60
            ).json()
            tasks = store.tasks("bench")
            by_tag = {c["tag"]: c for c in ledger["charges"]}
            once = Counter(c["tag"] for c in ledger["charges"]) == Counter(t.tag for t in tasks)
            measured = sum(t.status == "measured" for t in tasks)
            same_cost = all(
                round(t.cost or 0.0, 6) == round(by_tag[t.tag]["cost"], 6) for t in tasks
            )
            store_total = store.run("bench").cost
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    calls: Counter[str] = Counter()
    for key, count in ledger["calls"].items():
        if key != "total":
            calls[key.rsplit("/", 1)[-1]] += count
    print(f"wall {wall:.1f} s; bound {bound:.1f} s (ratio {wall / bound:.2f})")
    print(
        f"  bound = max({bound_calls} calls at {rate:.1f} calls/s, {posts} posts + "
        f"{latency:g} s latency) (100 tasks a post)"
    )
    print(f"  with one task a post the bound would be {single:.1f} s")
    print(f"calls: {dict(calls)}; total {ledger['calls'].get('total')}")
    print(f"rate-limit answers: {dict(ledger['faults'])}")
    print(f"measured {measured}/{total}; every tag charged once: {once}; costs equal: {same_cost}")
    print(f"store ${store_total:.6f} vs ledger ${ledger['charged_total']:.6f}")
    print(f"peak memory (this process: client + store): {peak:.0f} MiB")
    for line in seen[-3:]:
        print("  " + line.line())


if __name__ == "__main__":
    main()
