"""Every example runs offline on its recorded cassette and prints what it promises."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATAFORSEO_LOGIN",
        "DATAFORSEO_PASSWORD",
        "DATAFORSEO_BASE_URL",
        "DATAFORSEO_VCR_RECORD_MODE",
        "AGENT_MODEL",
    ):
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
