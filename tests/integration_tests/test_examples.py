"""Every example runs offline on its recorded cassette and prints what it promises."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# Unset, an example runs offline: it replays its cassette (or starts the emulator in-process).
OFFLINE_UNSET = (
    "DATAFORSEO_LOGIN",
    "DATAFORSEO_PASSWORD",
    "DATAFORSEO_BASE_URL",
    "DATAFORSEO_VCR_RECORD_MODE",
    "AGENT_MODEL",
)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OFFLINE_UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))


def run_example(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith(
        f"[offline] no DataForSEO credentials set: replaying cassettes/examples/{name}.yaml"
    )
    return out


@pytest.mark.usefixtures("offline")
def test_quickstart_prints_answer_sources_queries_and_cost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_example("quickstart", capsys)
    assert re.search(r"^Model: gpt-4\.1-mini-\d{4}-\d{2}-\d{2} \(task ", out, re.MULTILINE)
    assert re.search(r"^  \[1\] .+ - https?://", out, re.MULTILINE)
    assert re.search(r"^Fan-out queries:\n  - \S", out, re.MULTILINE)
    assert re.search(r"cost: \$0\.0\d+", out)


@pytest.mark.usefixtures("offline")
def test_chain_prints_a_table_of_cited_domains_per_prompt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_example("chain", capsys)
    rows = re.findall(
        r"^(project management tools|CRM software|invoicing apps)\s+\| (.+)$", out, re.MULTILINE
    )
    assert [row[0] for row in rows] == [
        "project management tools",
        "CRM software",
        "invoicing apps",
    ]
    for _, domains in rows:
        assert domains != "(none)"
        assert all(
            "." in d and "/" not in d and not d.startswith("www.") for d in domains.split(", ")
        )
    assert re.search(r"^3 answers, total cost \$0\.\d+$", out, re.MULTILINE)


@pytest.mark.usefixtures("offline")
def test_agent_calls_both_engines_and_compares_their_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_example("agent", capsys)
    assert re.search(
        r"^ask_chat_gpt \(gpt-4\.1-mini-[\d-]+, \$0\.\d+\): \d+ sources from \S", out, re.MULTILINE
    )
    assert re.search(
        r"^ask_perplexity \(sonar[\w-]*, \$0\.\d+\): \d+ sources from \S", out, re.MULTILINE
    )
    assert "cited by every engine:" in out
    assert "error" not in out
    assert out.rstrip().splitlines()[-1].startswith("agent: ")


@pytest.mark.usefixtures("offline")
def test_rag_packs_the_context_and_shows_citations_beside_chunks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_example("rag", capsys)
    match = re.search(
        r"^Context: (\d+) characters, packed into system_message \((\d+)\), (\d+) message_chain "
        r"turns \[([\d, ]+)\] and user_prompt \((\d+)\); capacity 6000\.$",
        out,
        re.MULTILINE,
    )
    assert match is not None
    size, system, turns, turn_chars, prompt = match.groups()
    pieces = [int(system), *map(int, turn_chars.split(", ")), int(prompt)]
    assert int(size) > 500
    assert int(turns) == len(pieces) - 2 >= 1
    assert all(piece <= 500 for piece in pieces)
    # Only whitespace at the splits is left out.
    assert int(size) - int(turns) * 2 <= sum(pieces) <= int(size)
    assert re.search(r"^\[C1\] \S+: .+ \| \[1\] .+ https?://", out, re.MULTILINE)
    assert re.search(r"^cost: \$0\.\d+$", out, re.MULTILINE)


@pytest.mark.parametrize(("example", "module"), [("agent", "langchain"), ("rag", "numpy")])
def test_example_without_the_examples_extra_names_the_package_and_the_install_line(
    example: str, module: str, tmp_path: Path
) -> None:
    # A package of that name that cannot be imported stands in for a plain install.
    (tmp_path / module).mkdir()
    (tmp_path / module / "__init__.py").write_text(f"raise ImportError('no {module} here')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAFORSEO_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(EXAMPLES)])
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(EXAMPLES / f"{example}.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"examples/{example}.py needs the '{module}' package" in done.stderr
    assert 'pip install "langchain-dataforseo[examples]"' in done.stderr
    assert "Traceback" not in done.stderr
