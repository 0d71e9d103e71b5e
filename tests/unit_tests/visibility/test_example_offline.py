import re
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "visibility.py"


@pytest.fixture(autouse=True)
def _examples_on_path(monkeypatch):
    """As ``python examples/X.py`` does: the examples' folder first on ``sys.path``."""
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))


def test_the_panel_example_runs_measures_and_reports_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), "--out", str(tmp_path / "out")])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out, err = capsys.readouterr()
    assert out.startswith("[offline] in-process emulator")
    for engine in ("chat_gpt", "gemini", "perplexity"):
        assert f"{engine}: 15 answers, 0 failed, 0 pending" in out
    lines = re.findall(
        r"^  (\S+(?: CRM)?)\s+mention\s+([\d.]+)% \[([\d.]+)%, ([\d.]+)%\]  truth", out, re.M
    )
    assert len(lines) == 12
    assert "estimate: run panel-demo: 45 task(s) to post" in err
    assert "[panel-demo] done 45/45, failed 0, pending 0" in err
    assert (tmp_path / "out" / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "report.md").exists()
    assert (tmp_path / "out" / "runs.db").exists()


def test_the_panel_example_refuses_real_calls_without_a_cap(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), "--real"])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert done.value.code == 2
    assert "--real needs --max-cost" in capsys.readouterr().err


SURFACES = EXAMPLE.parent / "surfaces.py"


def test_the_surfaces_example_compares_api_and_app_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(SURFACES), "--out", str(tmp_path / "out")])
    runpy.run_path(str(SURFACES), run_name="__main__")
    out, err = capsys.readouterr()
    assert out.startswith("[offline] in-process emulator")
    for engine in ("chat_gpt", "gemini"):
        assert f"{engine}: API 20 answers, app 20 answers" in out
    lines = re.findall(
        r"^  (HubSpot|Salesforce|Pipedrive)\s+(\s*[\d.]+% \[\d+%, \d+%\]\s*){4}$", out, re.M
    )
    assert len(lines) == 6  # each brand on each engine: API and app side by side
    truths = re.findall(r"truth (\d+)% \(API\) / (\d+)% \(app\)", out)
    assert ("60", "35") in truths  # HubSpot on ChatGPT: the surfaces differ, as configured
    assert "estimate: run surfaces-demo: 80 task(s) to post" in err
    md = (tmp_path / "out" / "report.md").read_text()
    assert "## chat_gpt: API vs app" in md
    assert "## gemini: API vs app" in md
