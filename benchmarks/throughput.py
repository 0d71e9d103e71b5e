"""Throughput of Live and Standard ``abatch`` against the emulator on loopback.

Prints, for each method: wall time, the ideal bound (Live: ceil(N/30) x live latency;
Standard: task latency + one poll interval), their ratio, API calls made, 40209 / 40202
answers, and the charged total from the emulator's ledger. A figure to read, not a test.

    python benchmarks/throughput.py                 # 300 prompts, 1 s live, 5 s Standard
    python benchmarks/throughput.py --prompts 100   # smaller run
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from typing import Any

from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

LOGIN, PASSWORD = "bench-login", "bench-password"


def run(method: str, prompts: int, live_latency: float, task_latency: float) -> dict[str, Any]:
    """One timed ``abatch`` against a fresh emulator; the figures of the run."""
    emulator = Emulator(
        EmulatorConfig(
            login=LOGIN, password=PASSWORD, live_latency=live_latency, task_latency=task_latency
        )
    )
    with EmulatorServer(emulator, port=0) as server:
        model = ChatDataForSEO(
            login=LOGIN, password=PASSWORD, base_url=server.base_url, method=method
        )
        model.list_models()  # the free catalogue call, outside the timing
        inputs = [f"What do AI assistants say about brand {i:04d}?" for i in range(prompts)]
        started = time.perf_counter()
        results = asyncio.run(model.abatch(inputs, return_exceptions=True))
        wall = time.perf_counter() - started
        ledger = emulator.ledger()
    if method == "live":
        ideal = math.ceil(prompts / 30) * live_latency
    else:
        ideal = task_latency + model.poll_interval
    statuses = ledger["status_counts"]
    return {
        "method": method,
        "prompts": prompts,
        "answers": sum(isinstance(r, AIMessage) for r in results),
        "wall_s": wall,
        "ideal_s": ideal,
        "ratio": wall / ideal,
        "api_calls": ledger["calls"]["total"],
        "calls": {k: v for k, v in ledger["calls"].items() if k != "total"},
        "40209": statuses.get("40209", 0),
        "40202": statuses.get("40202", 0),
        "charged_usd": ledger["charged_total"],
        "reported_usd": round(
            sum(r.response_metadata["cost"] for r in results if isinstance(r, AIMessage)), 7
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--live-latency", type=float, default=1.0)
    parser.add_argument("--task-latency", type=float, default=5.0)
    args = parser.parse_args()
    rows = [
        run(method, args.prompts, args.live_latency, args.task_latency)
        for method in ("live", "standard")
    ]
    print(
        f"{'method':9} {'N':>4} {'answers':>7} {'wall s':>7} {'ideal s':>7} {'ratio':>6} "
        f"{'calls':>5} {'40209':>5} {'40202':>5} {'charged $':>10} {'reported $':>10}"
    )
    for r in rows:
        print(
            f"{r['method']:9} {r['prompts']:>4} {r['answers']:>7} {r['wall_s']:>7.2f} "
            f"{r['ideal_s']:>7.2f} {r['ratio']:>6.3f} {r['api_calls']:>5} {r['40209']:>5} "
            f"{r['40202']:>5} {r['charged_usd']:>10.6f} {r['reported_usd']:>10.6f}"
        )
    for r in rows:
        print(f"{r['method']} calls by endpoint: {r['calls']}")


if __name__ == "__main__":
    main()
