"""The expected cost beside the worst case: documented averages, the store's history, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore, estimate_run
from langchain_dataforseo.visibility._cli import EXIT_BUDGET, EXIT_OK, main
from langchain_dataforseo.visibility._plan import average_task_cost
from langchain_dataforseo.visibility._run import cost_history

from .builders import raw_task
from .cli_helpers import call

PANEL = Panel(
    "crm",
    ["Which CRM suits a small agency?", "Best CRM for startups?"],
    "HubSpot",
    [],
    {"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"},
    samples=2,
    web_search=True,
)

PANEL_FILE = """
name = "crm"
samples = 2
prompts = ["Which CRM suits a small agency?", "Best CRM for startups?"]
[settings]
web_search = true
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
perplexity = "sonar"
"""


def test_documented_averages_reproduce_the_api_references_examples():
    # 4.1: gpt-4.1-mini, web search, max_output_tokens 1024, Live: cost $0.0272228.
    # 83 bytes -> 21 + 16 + 2,000 = 2,037 in x $0.40/M; 500 out x $1.60/M; + $0.025 search
    # + $0.0006 = $0.0272148
    body = {
        "user_prompt": "What are the best project management tools for small marketing "
        "agencies right now?",
        "model_name": "gpt-4.1-mini",
        "web_search": True,
        "max_output_tokens": 1024,
    }
    assert average_task_cost("chat_gpt", body, "live", "api") == pytest.approx(0.0272148)
    assert average_task_cost("chat_gpt", body, "live", "api") == pytest.approx(0.0272228, rel=0.02)
    # 4.2: o4-mini (reasoning), no web search, Live: cost $0.0066786; 1,400 out x $4.40/M
    body = {
        "user_prompt": "A CRM costs $49 per seat per month with a 15% discount for annual "
        "billing. What do 12 seats cost per year?",
        "model_name": "o4-mini",
        "max_output_tokens": 2048,
    }
    assert average_task_cost("chat_gpt", body, "live", "api") == pytest.approx(0.0066786, rel=0.02)
    # Standard: $0.0002 base (the prepayment's rest is refunded), not $0.0006
    live = average_task_cost("chat_gpt", body, "live", "api")
    assert average_task_cost("chat_gpt", body, "standard", "api") == pytest.approx(live - 0.0004)
    assert average_task_cost("chat_gpt", body, "standard", "app") == 0.0012


def test_a_new_run_is_expected_to_cost_far_less_than_its_worst_case():
    estimate = estimate_run(PANEL, None, run_id="new")
    assert estimate.to_post == 8
    assert estimate.expected_from_history == 0
    assert set(estimate.expected_per_engine) == {"chat_gpt", "perplexity"}
    assert estimate.expected_cost == pytest.approx(sum(estimate.expected_per_engine.values()))
    assert 0 < estimate.expected_cost < estimate.to_post_cost / 3
    text = estimate.describe(1.0)
    assert f"expected ${estimate.expected_cost:.4f} (from documented average prices)" in text
    assert "estimated worst case, what max_cost reserves" in text


def test_the_store_history_replaces_the_averages_for_its_engine_model_and_surface(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(PANEL, run_id="old")
        store.record_results(
            run,
            [
                (store.tag_of(run, 0, "chat_gpt", 0), raw_task("HubSpot."), 0.004),
                (store.tag_of(run, 0, "chat_gpt", 1), raw_task("HubSpot."), 0.006),
            ],
        )
        assert cost_history(store) == {("chat_gpt", "gpt-4.1-mini", "api"): (0.005, 2)}
        plain = estimate_run(PANEL, None, run_id="new")
        estimate = estimate_run(PANEL, store, run_id="new")
    # chat_gpt's 4 tasks at the recorded average $0.005; perplexity has no history
    assert estimate.expected_from_history == 4
    assert estimate.expected_per_engine["chat_gpt"] == pytest.approx(4 * 0.005)
    assert estimate.expected_per_engine["perplexity"] == plain.expected_per_engine["perplexity"]
    assert estimate.to_post_cost == plain.to_post_cost  # the worst case does not move
    assert "4 from the store's history, the rest from documented average prices" in (
        estimate.describe(None)
    )


def test_over_by_is_what_the_worst_case_passes_the_cap_by():
    estimate = estimate_run(PANEL, None, run_id="new")
    assert estimate.over_by(None) is None
    assert estimate.over_by(estimate.total) is None
    assert estimate.over_by(estimate.total - 0.25) == pytest.approx(0.25)


@pytest.fixture
def panel_file(tmp_path: Path) -> Path:
    path = tmp_path / "panel.toml"
    path.write_text(PANEL_FILE, encoding="utf-8")
    return path


def test_run_estimate_says_it_would_be_refused_and_by_how_much(panel_file, tmp_path):
    worst = estimate_run(PANEL, None, run_id="x").total
    db = str(tmp_path / "runs.db")
    code, _out, err = call("run", str(panel_file), "--db", db, "--estimate", "--max-cost", "0.5")
    assert code == EXIT_BUDGET
    assert f"passes --max-cost $0.5000 by ${worst - 0.5:.4f}" in err
    assert "the run would post nothing" in err
    code, _out, err = call("run", str(panel_file), "--db", db, "--estimate", "--max-cost", "5")
    assert code == EXIT_OK
    assert f"leaves ${5 - worst:.4f}; the run would not be refused" in err
    code, _out, err = call("run", str(panel_file), "--db", db, "--estimate")
    assert code == EXIT_OK
    assert "refused" not in err


def test_plan_prints_answers_samples_and_cost(panel_file):
    code, out, err = call("plan", str(panel_file), "--from", "0.5", "--to", "0.6")
    assert code == EXIT_OK, err
    assert "takes 388 answers per engine and period" in out
    # 388 answers over 2 prompts: 194 samples per prompt and engine
    assert "2 prompt(s): 194 samples per prompt and engine (388 answers per engine" in out
    per_task = estimate_run(PANEL, None, run_id="x")
    expected = 194 * per_task.expected_cost / PANEL.samples
    worst = 194 * per_task.to_post_cost / PANEL.samples
    assert f"per period: 776 tasks, expected ${expected:.4f}" in out
    assert f"at most ${worst:.4f}" in out
    assert "  chat_gpt: 388 tasks" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("--from", "0", "--to", "0.5"),
        ("--from", "0.5", "--to", "1"),
        ("--from", "nan", "--to", "0.5"),
        ("--from", "0.5", "--to", "inf"),
        ("--from", "0.5", "--to", "0.5"),
        ("--from", "0.5", "--to", "0.6", "--power", "0.3"),
        ("--from", "0.5", "--to", "0.6", "--alpha", "0"),
    ],
)
def test_plan_refuses_bad_numbers_as_bad_usage(panel_file, argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(["plan", str(panel_file), *argv])
    assert done.value.code == 2
    assert "--" in capsys.readouterr().err


def test_plan_with_a_store_prices_from_its_history(panel_file, tmp_path):
    db = tmp_path / "v.db"
    with VisibilityStore(db) as store:
        run = store.create_run(PANEL, run_id="old")
        tag = store.tag_of(run, 0, "chat_gpt", 0)
        store.record_results(run, [(tag, raw_task("HubSpot."), 0.005)])
    code, out, err = call("plan", str(panel_file), "--from", "0.5", "--to", "0.6", "--db", str(db))
    assert code == EXIT_OK, err
    assert "  chat_gpt: 388 tasks, expected $1.9400" in out  # 388 x the recorded $0.005
    assert "the store's recorded costs and documented average prices" in out


def test_an_expected_cost_above_the_reserved_figure_is_said():
    low = estimate_run(PANEL, None, run_id="new", max_cost_per_call=0.0006)
    assert low.expected_cost > low.to_post_cost  # the figure understates the tasks
    assert "the cap will likely stop the run part-way" in low.describe(1.0)
    honest = estimate_run(PANEL, None, run_id="new")
    assert "part-way" not in honest.describe(1.0)
