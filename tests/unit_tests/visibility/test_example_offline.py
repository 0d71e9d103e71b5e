import re
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "visibility.py"


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
