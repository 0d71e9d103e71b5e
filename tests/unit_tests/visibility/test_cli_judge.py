"""The ``judge`` command: credentials, the estimate, the exit codes, resuming."""

from __future__ import annotations

import json

import pytest

from langchain_dataforseo.visibility import VisibilityStore, _cli_judge

from .cli_helpers import call
from .test_judge import CueJudge, emulated_run


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "v.db"
    with VisibilityStore(path) as store:
        emulated_run(store, "r1", samples=2)
    return str(path)


def test_judge_needs_credentials_and_judges_nothing_without_them(db, monkeypatch):
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.delenv("DATAFORSEO_PASSWORD", raising=False)
    code, _, err = call(
        "judge", "r1", "--db", db, "--engine", "chat_gpt", "--model", "gpt-4.1-mini"
    )
    assert code == 1
    assert "DATAFORSEO_LOGIN" in err
    with VisibilityStore(db, readonly=True) as store:
        assert store.connection.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] == 0


def test_judge_estimates_stops_at_max_cost_and_resumes(db, monkeypatch):
    monkeypatch.setenv("DATAFORSEO_LOGIN", "login")
    monkeypatch.setenv("DATAFORSEO_PASSWORD", "secret-password")
    base = ("judge", "r1", "--db", db, "--engine", "chat_gpt", "--model", "gpt-4.1-mini")
    code, out, err = call(*base, "--estimate")  # the real ChatDataForSEO judge, nothing sent
    assert code == 0
    assert "judge chat_gpt/gpt-4.1-mini:" in err
    assert "expected cost $" in err
    assert out == ""
    judge = CueJudge(model_name="gpt-4.1-mini", cost=0.01)
    asked: list[tuple[str, str]] = []

    def fake(engine: str, model: str) -> CueJudge:
        asked.append((engine, model))
        return judge

    monkeypatch.setattr(_cli_judge, "judge_model", fake)
    code, out, err = call(*base, "--max-cost", "0.015")
    assert code == 6
    assert "judged 1 (answer, brand) pair(s)" in out
    assert "stopped by --max-cost $0.0150" in err
    code, out, _ = call(*base)
    assert code == 0
    assert "1 already judged" in out
    assert asked[0] == ("chat_gpt", "gpt-4.1-mini")
    assert "secret-password" not in out + err
    code, out, _ = call("metrics", "r1", "--db", db, "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["brands"]["HubSpot"]["positive_rate"]["n"] > 0
    assert row["judge"] == ["gpt-4.1-mini", "judge-v1"]
    code, out, _ = call("metrics", "r1", "--db", db, "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert {"positive_rate", "negative_rate_prompt_low", "recommended_rate_n"} <= set(header)
    code, _, err = call("judge", "nope", "--db", db, "--engine", "chat_gpt", "--model", "m")
    assert code == 5
