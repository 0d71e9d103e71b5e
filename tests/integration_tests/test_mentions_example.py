"""examples/mentions_rag.py runs offline on its cassette and prints what it promises."""

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
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))


@pytest.mark.usefixtures("offline")
def test_mentions_rag_prints_recorded_answers_a_brief_and_both_costs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(EXAMPLES / "mentions_rag.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith(
        "[offline] no DataForSEO credentials set: replaying cassettes/examples/mentions_rag.yaml"
    )
    rows = re.findall(
        r"^  \[M(\d)\] (.+) \| volume (\d+) \| seen (\S+) \.\. (\S+) \| (\d+) sources$",
        out,
        re.MULTILINE,
    )
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4]
    assert all("email marketing software" in r[1] for r in rows)
    volumes = [int(r[2]) for r in rows]
    assert volumes == sorted(volumes, reverse=True)  # order_by ai_search_volume,desc
    assert all(r[3] <= r[4] for r in rows)
    assert re.search(r"^cost: retrieval \$0\.0104 \+ answer \$0\.\d{6}$", out, re.MULTILINE)
