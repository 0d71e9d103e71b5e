"""Sampling to a precision target: the pure decisions, then runs on the emulator."""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pytest

from langchain_dataforseo import DataForSEOInputError
from langchain_dataforseo.emulator import BrandCatalogue, CatalogueBrand, Emulator, EmulatorConfig
from langchain_dataforseo.visibility import Panel, RunPrecisionWarning, VisibilityStore, run_panel
from langchain_dataforseo.visibility._precision import (
    precision_of,
    run_precision,
    wave_samples,
)

from .test_run import charged_tags, options


def simulate(rates: list[float], samples: int, rng: random.Random) -> list[tuple[int, int]]:
    return [(sum(rng.random() < p for _ in range(samples)), samples) for p in rates]


def test_a_homogeneous_population_needs_samples_and_says_how_many() -> None:
    rng = random.Random(1)
    counts = simulate([0.5] * 12, 5, rng)
    precision = precision_of("chat_gpt", "api", counts, target=0.05)
    assert not precision.met
    assert not precision.needs_prompts
    # 0.25 per answer, 12 prompts, t(11) = 2.2: about 0.25 * 2.2^2 / (12 * 0.05^2) = 40
    assert precision.samples_needed is not None
    assert 20 <= precision.samples_needed <= 80
    # and that many samples bring the interval to the target on average (known truth)
    widths = []
    for seed in range(200):
        more = simulate([0.5] * 12, precision.samples_needed, random.Random(seed))
        width = precision_of("chat_gpt", "api", more, 0.05).half_width
        assert width is not None
        widths.append(width)
    assert sum(widths) / len(widths) == pytest.approx(0.05, rel=0.1)


def test_a_spread_between_prompts_needs_prompts_not_samples() -> None:
    rng = random.Random(2)
    counts = simulate([0.95] * 6 + [0.05] * 6, 5, rng)
    precision = precision_of("chat_gpt", "api", counts, target=0.05)
    assert precision.needs_prompts
    assert precision.floor is not None
    assert precision.floor > 0.05
    assert "more prompts" in precision.line(0.05)


def test_below_two_prompts_there_is_no_prompt_level_interval() -> None:
    precision = precision_of("chat_gpt", "api", [(3, 5)], target=0.1)
    assert precision.half_width is None
    assert precision.needs_prompts


def test_the_prompt_level_interval_is_never_narrower_than_wilson() -> None:
    # every prompt names the brand in every answer: no spread at all, Wilson still has width
    precision = precision_of("chat_gpt", "api", [(5, 5)] * 12, target=0.01)
    assert precision.half_width is not None
    assert precision.half_width > 0.01


def test_a_wave_goes_to_the_widest_first_and_skips_what_cannot_move() -> None:
    rng = random.Random(3)
    wide = precision_of("claude", "api", simulate([0.5] * 12, 3, rng), 0.05)
    narrow = precision_of("chat_gpt", "api", simulate([0.5] * 12, 10, rng), 0.05)
    split = precision_of("gemini", "api", simulate([0.95] * 6 + [0.05] * 6, 5, rng), 0.05)
    assert wide.half_width is not None
    assert narrow.half_width is not None
    assert wide.half_width > narrow.half_width
    wave = wave_samples(
        {("chat_gpt", "api"): narrow, ("claude", "api"): wide, ("gemini", "api"): split}, 20
    )
    assert [key for key, _ in wave] == [("claude", "api"), ("chat_gpt", "api")]
    assert all(samples <= 20 for _, samples in wave)
    assert wave_samples({("claude", "api"): wide}, 3) == []  # at max_samples already


PROMPTS = [f"Which CRM suits team {i}?" for i in range(4)]


def crm_panel(samples: int = 4) -> Panel:
    return Panel(
        "precision",
        PROMPTS,
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [],
        {"chat_gpt": "gpt-4.1-mini"},
        samples,
    )


def crm_emulator(**probabilities: Any) -> Any:
    brand = CatalogueBrand("HubSpot", 0.5, prompt_probabilities=probabilities or None)
    return Emulator(EmulatorConfig(brand_catalogue=BrandCatalogue(brands=(brand,), seed=11)))


def test_a_run_with_a_target_adds_waves_until_it_is_met(tmp_path: Path) -> None:
    emu = crm_emulator()
    with VisibilityStore(tmp_path / "runs.db") as store:
        run = run_panel(
            crm_panel(),
            store,
            run_id="t",
            method="live",
            target_half_width=0.2,
            max_samples=60,
            max_cost=5.0,
            **options(emu),
        )
        (precision,) = run_precision(store, run, 0.2).values()
        assert precision.met
        assert precision.samples > 4  # waves were added
        tasks = store.tasks(run)
        assert len(tasks) == len(charged_tags(emu))  # every task posted once
        assert {t.status for t in tasks} == {"measured"}
        assert store.run_spend(run) <= 5.0


def test_a_run_whose_spread_is_between_prompts_stops_and_says_so(tmp_path: Path) -> None:
    split = {PROMPTS[0]: 0.95, PROMPTS[1]: 0.95, PROMPTS[2]: 0.05, PROMPTS[3]: 0.05}
    emu = crm_emulator(**split)
    with (
        VisibilityStore(tmp_path / "runs.db") as store,
        warnings.catch_warnings(record=True) as seen,
    ):
        warnings.simplefilter("always")
        run_panel(
            crm_panel(6),
            store,
            run_id="s",
            method="live",
            target_half_width=0.1,
            max_samples=60,
            **options(emu),
        )
        assert len(store.tasks("s")) == 4 * 6  # no wave: more samples could not help
    said = [w for w in seen if issubclass(w.category, RunPrecisionWarning)]
    assert said
    assert "measure more prompts" in str(said[0].message)


def two_engine_panel(samples: int = 4) -> Panel:
    return Panel(
        "precision",
        PROMPTS,
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [],
        {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"},
        samples,
    )


def test_a_wave_on_two_engines_never_leaves_what_the_cap_refuses(tmp_path: Path) -> None:
    # max_cost_per_call says $0.0006 a task; the emulator charges about $0.001: the
    # reservations learn the measured cost, and no wave adds tasks the cap would refuse
    emu = crm_emulator()
    cap, per_call, concurrency = 0.03, 0.0006, 3
    with VisibilityStore(tmp_path / "runs.db") as store:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RunPrecisionWarning)
            run_panel(
                two_engine_panel(),
                store,
                run_id="c",
                method="live",
                target_half_width=0.05,
                max_samples=200,
                max_cost=cap,
                max_cost_per_call=per_call,
                concurrency=concurrency,
                **options(emu),
            )
        costs = [t.cost or 0.0 for t in store.tasks("c", "measured")]
        excess = max(costs) - per_call
        # only the posts in flight before a cost was measured can pass the cap
        assert store.run_spend("c") <= cap + 2 * concurrency * excess + 1e-9
        assert store.tasks("c", "pending") == []  # nothing added that the cap refuses
        assert len(store.tasks("c")) > 2 * 4 * 4  # waves were added, within the cap


@pytest.mark.parametrize(
    ("target", "max_samples", "field"),
    [(0.0, None, "target_half_width"), (0.7, None, "target_half_width"), (0.1, 2, "max_samples")],
)
def test_precision_settings_are_checked_before_anything(
    tmp_path: Path, target: float, max_samples: int | None, field: str
) -> None:
    with (
        VisibilityStore(tmp_path / "runs.db") as store,
        pytest.raises(DataForSEOInputError) as caught,
    ):
        run_panel(crm_panel(), store, run_id="x", target_half_width=target, max_samples=max_samples)
    assert caught.value.field == field
