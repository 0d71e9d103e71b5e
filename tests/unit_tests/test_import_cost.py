"""What a first use imports (issue 20, import cost): counted in modules, never timed.

Each statement runs in a fresh interpreter. The chat model (Live) does not load the tools,
the Standard queue (its runner, journal, submission, recovery: loaded by the first Standard
call), the LLM Scraper or LLM Mentions; the visibility package, its metrics and its report
load neither the chat model nor the tools, the scraper's loader or langchain-core's
document loaders. ``benchmarks/import_time.py`` prints the milliseconds.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = "from langchain_core.language_models import BaseChatModel"
STANDARD_QUEUE = tuple(
    f"langchain_dataforseo._standard.{name}"
    for name in (
        "context",
        "journal",
        "protocol",
        "queue",
        "runner",
    )
)
CHAT_PATH_FREE_OF = (
    "langchain_core.tools",
    "langchain_core.document_loaders",
    "langchain_core.tracers.langchain",
    "langchain_dataforseo.tools",
    "langchain_dataforseo.scraper",
    "langchain_dataforseo.mentions",
    "langchain_dataforseo.visibility",
    *STANDARD_QUEUE,
)
VISIBILITY_FREE_OF = (
    "langchain_dataforseo.chat_models",
    "langchain_dataforseo._chat.base",
    "langchain_dataforseo.tools",
    "langchain_dataforseo.scraper.loader",
    "langchain_dataforseo.scraper.tool",
    "langchain_core.tools",
    "langchain_core.document_loaders",
    "langchain_dataforseo._standard",
)


def loaded_after(statement: str) -> tuple[set[str], set[str]]:
    """(every module loaded, the package's modules newly loaded) after ``statement``."""
    probe = (
        f"import sys, json\n{CORE}\nbefore = set(sys.modules)\n{statement}\n"
        "print(json.dumps([sorted(sys.modules), sorted(set(sys.modules) - before)]))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and statement
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    every, new = json.loads(done.stdout)
    return set(every), {m for m in new if m.startswith("langchain_dataforseo")}


def _within(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_the_chat_model_loads_no_tools_no_standard_queue_no_other_product() -> None:
    every, ours = loaded_after("from langchain_dataforseo import ChatDataForSEO")
    assert "langchain_dataforseo.chat_models" in every
    assert _within(every, CHAT_PATH_FREE_OF) == []
    assert len(ours) <= 50, sorted(ours)  # 58 before (issue 20 counted 55 at its writing)


def test_a_live_invoke_runs_without_the_standard_queue_or_the_tools() -> None:
    every, _ = loaded_after(
        "from langchain_dataforseo.emulator import Emulator, EmulatorServer\n"
        "from langchain_dataforseo import ChatDataForSEO\n"
        "with EmulatorServer(Emulator()) as server:\n"
        "    model = ChatDataForSEO(engine='chat_gpt', login='emulator-login',\n"
        "        password='emulator-password', base_url=server.base_url)\n"
        "    assert model.invoke('Which CRM suits an agency?').content\n"
    )
    assert _within(every, (*STANDARD_QUEUE, "langchain_core.tools")) == []


@pytest.mark.parametrize(
    "statement",
    [
        "import langchain_dataforseo.visibility",
        "from langchain_dataforseo.visibility import metrics, report",
        "from langchain_dataforseo.visibility import VisibilityStore, compare_runs, trend",
    ],
)
def test_reading_visibility_loads_no_chat_model_tools_or_loaders(statement: str) -> None:
    every, ours = loaded_after(statement)
    assert _within(every, VISIBILITY_FREE_OF) == []
    assert len(ours) <= 55, sorted(ours)  # 116 before: the chat model, tools, scraper


def test_the_bare_visibility_package_loads_nothing_of_its_own() -> None:
    _, ours = loaded_after("import langchain_dataforseo.visibility")
    assert ours <= {
        "langchain_dataforseo",
        "langchain_dataforseo._version",
        "langchain_dataforseo.visibility",
    }


def test_every_public_name_still_loads_on_first_use() -> None:
    every, _ = loaded_after(
        "import langchain_dataforseo.visibility as v, langchain_dataforseo.scraper as s\n"
        "missing = [n for n in v.__all__ if getattr(v, n, None) is None]\n"
        "missing += [n for n in s.__all__ if getattr(s, n, None) is None]\n"
        "assert not missing, missing"
    )
    assert "langchain_dataforseo.scraper.loader" in every  # asked for, so loaded
    assert "langchain_dataforseo.visibility._run" in every
