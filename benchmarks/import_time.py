"""Import cost of langchain-dataforseo, against langchain-core's own imports.

Each statement runs in a fresh interpreter with ``-X importtime``, ``--runs`` times; the
median cumulative import time of the statement's modules is reported. The first real uses
(the chat model once ``BaseChatModel`` is loaded; the visibility package once the chat
model is, or once only ``BaseChatModel`` is) are timed with ``perf_counter`` in fresh
interpreters (median), with the number of package modules each loads. Also lists which
heavy modules (the emulator, test tools, server libraries, the agent framework) a plain
``import langchain_dataforseo`` loads: there should be none.

    python benchmarks/import_time.py [--runs 7] [--modules]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STATEMENTS = {
    "core: import langchain_core.language_models": "import langchain_core.language_models",
    "ours: import langchain_dataforseo": "import langchain_dataforseo",
    "core: from ...language_models import BaseChatModel": (
        "from langchain_core.language_models import BaseChatModel"
    ),
    "ours: from langchain_dataforseo import ChatDataForSEO": (
        "from langchain_dataforseo import ChatDataForSEO"
    ),
}
HEAVY = (
    "langchain_dataforseo.emulator",
    "hypothesis",
    "vcr",
    "http.server",
    "socketserver",
    "langchain",
    "langgraph",
    "dataforseo_client",
    "pytest",
)


def import_ms(statement: str) -> float:
    """Total import time (ms) of one statement in a fresh interpreter."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed statements
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line.split("|")
        if fields[1].strip().isdigit() and not fields[2].startswith("  "):
            total += int(fields[1])  # cumulative us of each top-level import
    return total / 1000


def marginal_ms(first: str, then: str) -> float:
    """Time (ms) of ``then`` in an interpreter that has already run ``first``."""
    probe = (
        f"import time\n{first}\nstarted = time.perf_counter()\n{then}\n"
        "print((time.perf_counter() - started) * 1000)"
    )
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return float(done.stdout.strip())


CORE_FIRST = "from langchain_core.language_models import BaseChatModel"
CHAT = "from langchain_dataforseo import ChatDataForSEO"
FIRST_USES = {
    "ChatDataForSEO once BaseChatModel is loaded": (CORE_FIRST, CHAT),
    "visibility once ChatDataForSEO is loaded": (
        f"{CORE_FIRST}\n{CHAT}",
        "import langchain_dataforseo.visibility",
    ),
    "visibility metrics + report once ChatDataForSEO is loaded": (
        f"{CORE_FIRST}\n{CHAT}",
        "from langchain_dataforseo.visibility import metrics, report",
    ),
    "visibility once BaseChatModel is loaded": (
        CORE_FIRST,
        "import langchain_dataforseo.visibility",
    ),
    "visibility metrics + report once BaseChatModel is loaded": (
        CORE_FIRST,
        "from langchain_dataforseo.visibility import metrics, report",
    ),
}
"""First real uses: (what is loaded before, the statement measured)."""


def first_use(first: str, then: str) -> tuple[float, list[str], int]:
    """ms of ``then`` after ``first`` in a fresh interpreter, the package modules it loaded,
    and how many modules it loaded in all."""
    probe = (
        f"import time, sys, json\n{first}\nbefore = set(sys.modules)\n"
        f"started = time.perf_counter()\n{then}\n"
        "ms = (time.perf_counter() - started) * 1000\n"
        "new = sorted(set(sys.modules) - before)\n"
        "print(json.dumps([ms, [m for m in new if m.startswith('langchain_dataforseo')], "
        "len(new)]))"
    )
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    ms, ours, total = json.loads(done.stdout)
    return float(ms), list(ours), int(total)


def loaded_heavy(statement: str) -> list[str]:
    """Heavy modules present in ``sys.modules`` after the statement."""
    probe = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    modules = json.loads(done.stdout)
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--modules", action="store_true", help="list the package modules each first use loads"
    )
    args = parser.parse_args()
    medians = {
        label: statistics.median(import_ms(code) for _ in range(args.runs))
        for label, code in STATEMENTS.items()
    }
    for label, value in medians.items():
        print(f"{label:58} {value:8.1f} ms")
    labels = list(medians)
    over = medians[labels[1]] - medians[labels[0]]
    print(f"'import langchain_dataforseo' minus core's language_models: {over:+.1f} ms")
    for label, (first, then) in FIRST_USES.items():
        samples = [first_use(first, then) for _ in range(args.runs)]
        ms = statistics.median(sample[0] for sample in samples)
        ours = samples[-1][1]
        print(
            f"{label}: +{ms:.1f} ms (median of {args.runs}), {len(ours)} package modules, "
            f"{samples[-1][2]} modules in all"
        )
        if args.modules:
            print("  " + " ".join(m.removeprefix("langchain_dataforseo") or "." for m in ours))
    httpx_ms = statistics.median(marginal_ms(CORE_FIRST, "import httpx") for _ in range(args.runs))
    print(f"  of which httpx, a required dependency: {httpx_ms:.1f} ms")
    for statement in ("import langchain_dataforseo", CHAT):
        heavy = loaded_heavy(statement) or "none"
        print(f"heavy modules after {statement!r}: {heavy}")


if __name__ == "__main__":
    main()
