"""``metrics`` over 100,000 stored answers (issue 13): fill a store, time the metrics.

Synthetic answers (seeded): each names a random subset of 6 tracked brands in random order
(sometimes by an alias), cites 0-5 URLs from 12 domains (subdomains included) and lists
2-3 fan-out queries; 2% of the tasks fail and 1% stay pending. The answers are recorded
through ``VisibilityStore.record_results`` (so the extraction runs once, at write time),
then ``metrics`` is timed by engine, by engine and prompt, and overall. A figure to read,
not a test. Target: ``metrics`` by engine under 2 s on one core.

    python benchmarks/visibility_metrics.py               # 100,000 answers
    python benchmarks/visibility_metrics.py --answers 20000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics

BRANDS = [
    ("HubSpot", ["HubSpot CRM"], ["hubspot.com"]),
    ("Salesforce", ["Sales Cloud"], ["salesforce.com"]),
    ("Pipedrive", [], ["pipedrive.com"]),
    ("Zoho CRM", ["Zoho"], ["zoho.com"]),
    ("Monday.com", ["monday"], ["monday.com"]),
    ("Freshsales", [], ["freshworks.com"]),
]
OTHER_HOSTS = [
    "www.g2.com",
    "capterra.com",
    "blog.hubspot.com",
    "en.wikipedia.org",
    "www.forbes.com",
    "zapier.com",
    "www.reddit.com",
    "www.techradar.com",
    "news.bbc.co.uk",
    "salesforce.com",
    "help.pipedrive.com",
    "www.zoho.com",
]
QUERIES = [
    "best crm 2026",
    "crm comparison",
    "crm for agencies",
    "hubspot vs salesforce",
    "cheap crm",
    "crm reviews",
    "crm free plan",
    "top crm tools",
]
ENGINES = {
    "chat_gpt": "gpt-4.1-mini",
    "claude": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash",
    "perplexity": "sonar",
}
PROMPTS = 50


def synthetic_task(rng: random.Random, index: int) -> dict[str, Any]:
    named = [b for b in BRANDS if rng.random() < 0.4]
    rng.shuffle(named)
    lines = ["Here are the options most often recommended:"]
    for number, (name, aliases, _domains) in enumerate(named, 1):
        shown = rng.choice(aliases) if aliases and rng.random() < 0.3 else name
        lines.append(f"{number}. **{shown}** – a solid choice for small teams.")
    notes = []
    for _ in range(rng.randrange(6)):
        host = rng.choice(OTHER_HOSTS)
        url = f"https://{host}/page-{rng.randrange(1000)}?utm_source=openai"
        lines.append(f"Source ([{host}]({url})).")
        notes.append({"title": host, "url": url})
    text = "\n".join(lines)
    return {
        "id": f"bench-{index}",
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": 0.0012,
        "result": [
            {
                "model_name": "model-2026",
                "items": [
                    {
                        "type": "message",
                        "sections": [{"type": "text", "text": text, "annotations": notes}],
                    }
                ],
                "fan_out_queries": rng.sample(QUERIES, rng.randint(2, 3)),
            }
        ],
    }


def fill(store: VisibilityStore, answers: int, seed: int) -> str:
    samples = max(1, answers // (PROMPTS * len(ENGINES)))
    panel = Panel(
        "bench",
        [f"Which CRM suits team type {i}?" for i in range(PROMPTS)],
        {"name": BRANDS[0][0], "aliases": BRANDS[0][1], "domains": BRANDS[0][2]},
        [{"name": n, "aliases": a, "domains": d} for n, a, d in BRANDS[1:]],
        ENGINES,
        samples=samples,
    )
    run = store.create_run(panel, run_id="bench")
    rng = random.Random(seed)
    batch: list[tuple[str, dict[str, Any], float | None]] = []
    for index, task in enumerate(store.tasks(run)):
        draw = rng.random()
        if draw < 0.01:
            continue  # pending
        if draw < 0.03:
            store.record_failure(run, task.tag, 50301, "3rd Party API Service Unavailable.")
            continue
        batch.append((task.tag, synthetic_task(rng, index), None))
        if len(batch) >= 5000:
            store.record_results(run, batch)
            batch.clear()
    store.record_results(run, batch)
    return run


def timed(label: str, store: VisibilityStore, run: str, by: tuple[str, ...], repeat: int) -> None:
    best = float("inf")
    rows = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = metrics(store, run, by)
        best = min(best, time.perf_counter() - started)
    answers = sum(row.answers for row in rows)
    print(
        f"metrics by {label:<16} {len(rows):>5} rows  {answers:>7} answers  best of "
        f"{repeat}: {best:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        with VisibilityStore(path) as store:
            started = time.perf_counter()
            run = fill(store, args.answers, args.seed)
            filled = time.perf_counter() - started
            info = store.run(run)
            print(
                f"filled {info.measured + info.failed + info.pending} tasks "
                f"({info.measured} measured, {info.failed} failed, {info.pending} pending) "
                f"in {filled:.1f} s; database {path.stat().st_size / 1e6:.0f} MB"
            )
            timed("engine", store, run, ("engine",), args.repeat)
            timed("engine, prompt", store, run, ("engine", "prompt"), args.repeat)
            timed("(overall)", store, run, (), args.repeat)


if __name__ == "__main__":
    main()
