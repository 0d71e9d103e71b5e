import re
import runpy
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "visibility_offline.py"


def test_the_offline_panel_example_measures_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), "--out", str(tmp_path / "out")])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    for engine in ("chat_gpt", "gemini", "perplexity"):
        assert f"{engine}: 15 answers, 0 failed, 0 pending" in out
    lines = re.findall(
        r"^  (\S+(?: CRM)?)\s+mention\s+([\d.]+)% \[([\d.]+)%, ([\d.]+)%\]", out, re.M
    )
    assert len(lines) == 12
    assert (tmp_path / "out" / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "report.md").exists()
    assert (tmp_path / "out" / "runs.db").exists()
