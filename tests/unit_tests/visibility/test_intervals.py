"""The two intervals of a rate: Wilson (answer level) and clustered by prompt (prompt level).

Statistical claims are shown by seeded simulations with known truth over pure functions.
"""

import random

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics, metrics_json
from langchain_dataforseo.visibility._cli import _rate
from langchain_dataforseo.visibility._export import metrics_records
from langchain_dataforseo.visibility._report_data import rate_text
from langchain_dataforseo.visibility._stats import (
    Rate,
    clustered_rate,
    prompt_interval,
    rate,
    t_quantile,
    wilson,
)

from .builders import raw_task


def test_t_quantile_matches_the_tables():
    assert t_quantile(1) == pytest.approx(12.7062, abs=1e-4)
    assert t_quantile(2) == pytest.approx(4.3027, abs=1e-4)
    assert t_quantile(11) == pytest.approx(2.2010, abs=1e-4)
    assert t_quantile(29) == pytest.approx(2.0452, abs=1e-4)
    assert t_quantile(120) == pytest.approx(1.9799, abs=1e-4)
    with pytest.raises(ValueError, match="df >= 1"):
        t_quantile(0)


def test_prompt_interval_worked_by_hand():
    # S = 10, N = 20, p = .5; residuals 1.5, -.5, .5, -1.5 -> squares sum 5.0;
    # CR2: / (1 - 5/20) -> 6.667; / N^2 -> .016667; sqrt .1291; t_3 = 3.1824 -> half .41085
    low, high = prompt_interval([(4, 5), (2, 5), (3, 5), (1, 5)]) or (None, None)
    assert low == pytest.approx(0.5 - 0.41085, abs=1e-4)
    assert high == pytest.approx(0.5 + 0.41085, abs=1e-4)


def test_prompt_interval_needs_two_prompts_and_contains_wilson():
    assert prompt_interval([(3, 5)]) is None
    assert prompt_interval([(3, 5), (0, 0)]) is None  # a prompt without answers is no prompt
    # every prompt 0%: no spread between prompts, but the interval keeps Wilson's width
    assert prompt_interval([(0, 5), (0, 5), (0, 5)]) == wilson(0, 15)
    low, high = prompt_interval([(5, 5), (0, 5), (5, 5), (0, 5)]) or (2.0, -1.0)
    assert (low, high) == (0.0, 1.0)  # clipped to [0, 1]
    with pytest.raises(ValueError, match="successes <= n"):
        prompt_interval([(6, 5), (1, 5)])


def test_rate_stays_backwards_compatible():
    old = Rate(1, 2, 0.5, 0.1, 0.9)  # positional, as built before
    assert (old.prompt_low, old.prompt_high) == (None, None)
    assert old.as_dict()["prompt_low"] is None
    assert rate(1, 2) == Rate(1, 2, 0.5, *wilson(1, 2))
    one = clustered_rate([(3, 5)])
    assert (one.successes, one.n, one.prompt_low) == (3, 5, None)
    assert clustered_rate([]) == rate(0, 0)


def _coverage(draw, truth, prompts, runs=300, samples=5, seed=7):
    rng = random.Random(seed)
    wilson_in = prompt_in = 0
    for _ in range(runs):
        clusters = []
        for _ in range(prompts):
            p = draw(rng)
            clusters.append((sum(rng.random() < p for _ in range(samples)), samples))
        r = clustered_rate(clusters)
        wilson_in += (r.low or 0.0) <= truth <= (r.high or 0.0)
        prompt_in += (r.prompt_low or 0.0) <= truth <= (r.prompt_high or 0.0)
    return wilson_in / runs, prompt_in / runs


@pytest.mark.parametrize("prompts", [12, 30])
def test_prompt_level_interval_covers_a_heterogeneous_population(prompts):
    # half the prompts name the brand 95% of the time, half 5%: the population rate is 50%
    answer_level, prompt_level = _coverage(
        lambda r: 0.95 if r.random() < 0.5 else 0.05, 0.5, prompts
    )
    assert prompt_level >= 0.9
    assert answer_level < 0.8  # Wilson treats the answers as independent: it under-covers
    # a beta population: prompt rates ~ Beta(2, 3), population rate 40%
    _, prompt_level = _coverage(lambda r: r.betavariate(2, 3), 0.4, prompts, seed=8)
    assert prompt_level >= 0.9


def _panel(prompts: int) -> Panel:
    return Panel(
        "p",
        [f"Which CRM {i}?" for i in range(prompts)],
        "HubSpot",
        ["Pipedrive"],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=4,
    )


def test_metrics_cluster_answers_by_prompt(tmp_path):
    # prompt 0 names HubSpot 4/4, prompt 1 0/4, prompt 2 2/4: 6/12 overall
    named = {0: 4, 1: 0, 2: 2}
    with VisibilityStore(tmp_path / "v.db") as s:
        run = s.create_run(_panel(3), run_id="c")
        for prompt, hits in named.items():
            for sample in range(4):
                text = "HubSpot and Pipedrive." if sample < hits else "Pipedrive."
                s.record_result(run, s.tag_of(run, prompt, "chat_gpt", sample), raw_task(text))
        (row,) = metrics(s, run)
        expected = clustered_rate([(4, 4), (0, 4), (2, 4)])
        assert row.mention_rate == expected
        assert row.mention_rate.prompt_low is not None
        assert row.mention_rate.prompt_low < row.mention_rate.low  # wider: between-prompt spread
        # share of voice clustered too: HubSpot 4/8, 0/4, 2/6 of the tracked mentions
        assert row.share_of_voice == clustered_rate([(4, 8), (0, 4), (2, 6)])
        assert row.answer_share == clustered_rate([(4, 4), (0, 4), (2, 4)])
        # exported: columns for both intervals, and answer share beside share of voice
        record = metrics_records([row])[0]
        assert record["mention_rate_prompt_low"] == expected.prompt_low
        assert record["mention_rate_low"] == expected.low
        assert record["answer_share"] == 0.5
        assert '"prompt_high": ' in metrics_json([row])
        # one prompt per slice: no prompt-level interval
        for one in metrics(s, run, by=("engine", "prompt")):
            assert one.mention_rate.prompt_low is None
            assert one.mention_rate.prompt_high is None
            assert one.mention_rate.low is not None


def test_shown_numbers_say_which_interval_they_carry():
    two = clustered_rate([(4, 5), (2, 5), (3, 5), (1, 5)])
    assert rate_text(two) == "50.0% [29.9%–70.1%] (10/20) {8.9%–91.1%}"
    assert _rate(two) == " 50.0% [29.9-70.1] 10/20 {8.9-91.1}"
    assert rate_text(clustered_rate([(2, 4)])) == "50.0% [15.0%–85.0%] (2/4)"
