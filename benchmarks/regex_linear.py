"""Time to mask the URLs of answers holding one long adversarial token (issue 18, point 8).

Each token is 10 KB, 100 KB and 1 MB long; the figure is the best of three runs of
``mask_urls`` (the step that runs every regex over an answer before brands are matched).
``--old`` also times the regex before the fix on the 10 KB tokens (and 100 KB with
``--old-max 100000``: minutes, as it is quadratic).

    python benchmarks/regex_linear.py
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

from langchain_dataforseo.visibility._matching import mask_urls

OLD_BARE_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"'\]\[]+", re.IGNORECASE)
TOKENS: dict[str, Callable[[int], str]] = {
    "a" * 3: lambda n: "a" * n,
    "a.a.": lambda n: "a." * (n // 2),
    "1a1a": lambda n: "1a" * (n // 2),
    "http://": lambda n: "http://" * (n // 7),
    "www.": lambda n: "www." * (n // 4),
    "....": lambda n: "." * n,
    "[aaa": lambda n: "[" + "a" * n,
}
SIZES = (10_000, 100_000, 1_000_000)
LABELS = {10_000: "10 KB", 100_000: "100 KB", 1_000_000: "1 MB"}


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The shortest of ``runs`` timings of ``work``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print one table line per token."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", action="store_true", help="also time the regex before the fix")
    parser.add_argument("--old-max", type=int, default=10_000, help="largest size for --old")
    args = parser.parse_args()
    head = " | ".join(LABELS[size] for size in SIZES)
    print(f"| token | {head} | old regex |")
    print("|---" * (len(SIZES) + 2) + "|")
    for name, make in TOKENS.items():
        figures = []
        for size in SIZES:
            text = make(size)
            figures.append(f"{1000 * best_of(3, lambda t=text: mask_urls(t)):.1f} ms")
        old = "-"
        if args.old:
            parts = []
            for size in (s for s in SIZES if s <= args.old_max):
                text = make(size)
                seconds = best_of(1, lambda t=text: list(OLD_BARE_URL.finditer(t)))
                parts.append(f"{LABELS[size]}: {seconds:.2f} s")
            old = ", ".join(parts)
        print(f"| `{name}...` | {' | '.join(figures)} | {old} |")


if __name__ == "__main__":
    main()
