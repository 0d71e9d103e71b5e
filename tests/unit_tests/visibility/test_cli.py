import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_dataforseo.visibility._cli import (
    EXIT_NO_DATABASE,
    EXIT_PANEL,
    EXIT_UNKNOWN_RUN,
    main,
)

from .test_compare import store as compare_store  # noqa: F401 - fixture
from .test_metrics import store  # noqa: F401 - fixture

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "panel.toml"


def call(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_check_a_valid_panel():
    code, out, _ = call("check", str(EXAMPLE))
    assert code == 0
    assert "3 prompts x 3 engines (chat_gpt, gemini, perplexity) x 5 samples = 45 tasks" in out


def test_check_a_bad_panel_names_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace("samples = 5", "samples = 0"))
    code, out, err = call("check", str(bad))
    assert code == EXIT_PANEL
    assert out == ""
    assert f"{bad}, line 5: samples must be an integer >= 1, got 0." in err


def test_a_missing_database_and_an_unknown_run(store, tmp_path):  # noqa: F811
    code, _, err = call("status", "--db", str(tmp_path / "none.db"))
    assert code == EXIT_NO_DATABASE
    assert "no visibility database" in err
    assert not (tmp_path / "none.db").exists()
    code, _, err = call("metrics", "nope", "--db", str(store.path))
    assert code == EXIT_UNKNOWN_RUN
    assert "unknown run id 'nope'" in err
    assert "r" in err


def test_status(store):  # noqa: F811
    code, out, _ = call("status", "--db", str(store.path))
    assert code == 0
    assert out.splitlines()[0].split()[-4:] == ["measured", "failed", "pending", "cost"]
    assert out.splitlines()[1].split()[-4:] == ["10", "1", "1", "$0.0120"]
    code, out, _ = call("status", "r", "--db", str(store.path))
    assert "pending 1 (not sent 1, in doubt 0, posted 0)" in out


def test_metrics_table_json_csv(store, tmp_path):  # noqa: F811
    code, out, _ = call("metrics", "r", "--db", str(store.path))
    assert code == 0
    assert "engine=chat_gpt: 4 answers, 1 failed, 1 pending" in out
    assert " 50.0% [15.0-85.0] 2/4" in out
    code, out, _ = call("metrics", "r", "--db", str(store.path), "--format", "json", "--by", "")
    assert json.loads(out)[0]["answers"] == 10
    target = tmp_path / "m.csv"
    call("metrics", "r", "--db", str(store.path), "--format", "csv", "--output", str(target))
    assert target.read_text().startswith("engine,surface,brand,")  # surface always
    code, _, err = call("metrics", "r", "--db", str(store.path), "--by", "country")
    assert code == 1
    assert "not a slice" in err


def test_compare(compare_store):  # noqa: F811
    code, out, _ = call("compare", "a", "b", "--db", str(compare_store.path))
    assert code == 0
    assert "significance: two-proportion z-test" in out
    assert "mention_rate" in out
    assert "cell(s) tested, FDR controlled" in out
    assert re.search(r"q=[0-9.e-]+\): (up|down|within_noise)", out)  # the BH verdict per cell
    assert "domains gained: capterra.com" in out
    code, out, _ = call("compare", "a", "b", "--db", str(compare_store.path), "--rule", "overlap")
    assert "non-overlapping 95% Wilson intervals" in out


def test_report(store, tmp_path):  # noqa: F811
    html = tmp_path / "out.html"
    answers = tmp_path / "answers.json"
    code, out, _ = call(
        "report", "r", "--db", str(store.path), "--html", str(html), "--answers", str(answers)
    )
    assert code == 0
    assert out.startswith(f"wrote {html}")
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out.md").exists()
    assert len(json.loads(answers.read_text())) == 12


@pytest.mark.parametrize("command", ["check", "status", "metrics", "compare", "report"])
def test_every_command_has_help(command):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "langchain_dataforseo.visibility", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "usage: python -m langchain_dataforseo.visibility " + command in done.stdout
