"""Every size a panel sets is bounded, before anything is expanded (issue 18, point 7).

``check`` of a panel with ``samples = 1000000000`` was killed at 23.7 GB: the task keys
were a list. Now each size is checked when the panel is built (the error names the field,
the limit and the value), the task count is a product, never a list, and a panel of a
million tasks passes ``check`` in constant memory. The ``check`` commands run in a child
process capped at 2 GiB of address space, so a regression fails instead of eating the
machine's memory.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility import Brand, Panel, PanelFileError, VisibilityStore
from langchain_dataforseo.visibility._panel import (
    MAX_ALIASES,
    MAX_COMPETITORS,
    MAX_DOMAIN_CHARS,
    MAX_DOMAINS,
    MAX_MODEL_CHARS,
    MAX_NAME_CHARS,
    MAX_PROMPTS,
    MAX_SAMPLES,
    MAX_TASKS,
    TaskKeys,
)

ENGINES = {
    "chat_gpt": "gpt-4.1-mini",
    "claude": "claude-3-5-haiku",
    "gemini": "gemini-2.0-flash",
    "perplexity": "sonar",
}
ADDRESS_SPACE = 2 << 30  # 2 GiB
GUARD_S = 120.0


def panel(**overrides):
    values = {
        "name": "crm",
        "prompts": ["Which CRM for an agency?"],
        "brand": Brand("HubSpot", domains=("hubspot.com",)),
        "competitors": ["Salesforce"],
        "engines": {"chat_gpt": "gpt-4.1-mini"},
    }
    values.update(overrides)
    return Panel(**values)


def prompts(n: int) -> list[str]:
    return [f"Which CRM, case {i}?" for i in range(n)]


def _refused(field: str, limit: object, actual: object, **overrides: object) -> None:
    with pytest.raises(DataForSEOInputError) as caught:
        panel(**overrides)
    error = caught.value
    assert (error.field, error.limit, error.actual) == (field, limit, actual)
    assert f"{limit:,}" in str(error)
    assert f"{actual:,}" in str(error)


def test_the_limits_allow_a_million_tasks():
    assert MAX_TASKS >= 1_000_000
    assert MAX_PROMPTS * MAX_SAMPLES >= MAX_TASKS


def test_a_billion_samples_is_refused_naming_field_limit_and_value():
    _refused("samples", MAX_SAMPLES, 10**9, samples=10**9)
    _refused("samples", MAX_SAMPLES, MAX_SAMPLES + 1, samples=MAX_SAMPLES + 1)
    assert panel(samples=MAX_SAMPLES).samples == MAX_SAMPLES


def test_a_huge_product_of_prompts_engines_and_samples_is_refused_as_a_count():
    tasks = 2_000 * 4 * MAX_SAMPLES  # 80 million
    _refused("tasks", MAX_TASKS, tasks, prompts=prompts(2_000), engines=ENGINES, samples=10_000)


def test_surfaces_multiply_the_task_count():
    engines = {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.0-flash"}
    # 400 prompts x 2 engines x 2 surfaces x 2,000 samples = 3.2 million > MAX_TASKS
    _refused(
        "tasks",
        MAX_TASKS,
        3_200_000,
        prompts=prompts(400),
        engines=engines,
        samples=2_000,
        surfaces=("api", "app"),
    )
    ok = panel(prompts=prompts(400), engines=engines, samples=1_000, surfaces=("api", "app"))
    assert len(ok.task_keys) == 1_600_000


@pytest.mark.parametrize(
    ("overrides", "field", "limit", "actual"),
    [
        ({"prompts": prompts(MAX_PROMPTS + 1)}, "prompts", MAX_PROMPTS, MAX_PROMPTS + 1),
        (
            {"competitors": [f"C{i}" for i in range(MAX_COMPETITORS + 1)]},
            "competitors",
            MAX_COMPETITORS,
            MAX_COMPETITORS + 1,
        ),
        ({"name": "n" * (MAX_NAME_CHARS + 1)}, "name", MAX_NAME_CHARS, MAX_NAME_CHARS + 1),
        (
            {"brand": "b" * (MAX_NAME_CHARS + 1)},
            "brand.name",
            MAX_NAME_CHARS,
            MAX_NAME_CHARS + 1,
        ),
        (
            {"competitors": [{"name": "Z", "aliases": ["a" * (MAX_NAME_CHARS + 1)]}]},
            "competitors[0].aliases[0]",
            MAX_NAME_CHARS,
            MAX_NAME_CHARS + 1,
        ),
        (
            {"brand": {"name": "B", "aliases": [f"B{i}" for i in range(MAX_ALIASES + 1)]}},
            "brand.aliases",
            MAX_ALIASES,
            MAX_ALIASES + 1,
        ),
        (
            {"brand": {"name": "B", "domains": [f"b{i}.com" for i in range(MAX_DOMAINS + 1)]}},
            "brand.domains",
            MAX_DOMAINS,
            MAX_DOMAINS + 1,
        ),
        (
            {"brand": {"name": "B", "domains": ["a" * 250 + ".com"]}},
            "brand.domains[0]",
            MAX_DOMAIN_CHARS,
            254,
        ),
        (
            {"engines": {"chat_gpt": "m" * (MAX_MODEL_CHARS + 1)}},
            "engines.chat_gpt",
            MAX_MODEL_CHARS,
            MAX_MODEL_CHARS + 1,
        ),
    ],
)
def test_every_size_a_panel_sets_is_bounded(overrides, field, limit, actual):
    _refused(field, limit, actual, **overrides)


def test_the_bounds_themselves_are_allowed():
    p = panel(
        name="n" * MAX_NAME_CHARS,
        brand={
            "name": "b" * MAX_NAME_CHARS,
            "aliases": [f"B{i}" for i in range(MAX_ALIASES)],
            "domains": [f"b{i}.com" for i in range(MAX_DOMAINS)],
        },
        competitors=[f"C{i}" for i in range(MAX_COMPETITORS)],
    )
    assert len(p.competitors) == MAX_COMPETITORS


def test_a_panel_file_names_the_line_of_a_huge_samples(tmp_path):
    file = tmp_path / "panel.toml"
    file.write_text(
        'name = "crm"\nprompts = ["q"]\nbrand = "B"\nsamples = 1000000000\n\n'
        '[engines]\nchat_gpt = "gpt-4.1-mini"\n',
        encoding="utf-8",
    )
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    error = caught.value
    assert (error.field, error.limit, error.actual, error.line) == (
        "samples",
        MAX_SAMPLES,
        10**9,
        4,
    )


# --- task keys: a lazy sequence ------------------------------------------------------------


def test_task_keys_are_the_old_list_in_the_same_order():
    p = panel(
        prompts=prompts(3),
        engines={"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.0-flash", "perplexity": "sonar"},
        samples=2,
        engine_surfaces={"chat_gpt": ("api", "app"), "gemini": ("app",)},
    )
    reference = [
        (p_index, engine, surface, sample)
        for p_index in range(len(p.prompts))
        for engine in p.engines
        for surface in p.surfaces_of(engine)
        for sample in range(p.samples)
    ]
    keys = p.task_keys
    assert isinstance(keys, TaskKeys)
    assert list(keys) == reference
    assert len(keys) == len(reference) == 3 * 4 * 2
    assert [keys[i] for i in range(len(keys))] == reference
    assert keys[-1] == reference[-1]
    assert keys[2:7] == reference[2:7]
    assert keys[::-5] == reference[::-5]
    with pytest.raises(IndexError):
        keys[len(reference)]


def test_a_million_task_panel_is_counted_and_walked_in_constant_memory():
    p = panel(prompts=prompts(1_000), engines=ENGINES, samples=250)
    tracemalloc.start()
    try:
        keys = p.task_keys
        assert len(keys) == 1_000_000
        last = None
        for last in keys:  # noqa: B007 - walked, one key at a time
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == (999, "perplexity", "api", 249)
    assert keys[999_999] == last
    assert peak < 1 << 20  # under 1 MiB; the old list took over 100 MiB


def test_create_run_does_not_hold_its_task_rows_in_a_list(tmp_path):
    p = panel(prompts=prompts(100), engines=ENGINES, samples=250)  # 100,000 tasks
    with VisibilityStore(tmp_path / "v.db") as store:
        tracemalloc.start()
        try:
            store.create_run(p, run_id="big")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert store.run("big").pending == 100_000
    assert peak < 8 << 20  # a list of 100,000 row tuples alone is over 20 MiB


# --- ``check`` in a child process capped at 2 GiB -------------------------------------------

_CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from langchain_dataforseo.visibility._cli import main
    sys.exit(main(["check", sys.argv[1]]))
    """
)


def _check(tmp_path, n_prompts: int, samples: int) -> subprocess.CompletedProcess[str]:
    listed = ", ".join(f'"Which CRM, case {i}?"' for i in range(n_prompts))
    file = tmp_path / "panel.toml"
    file.write_text(
        f'name = "crm"\nprompts = [{listed}]\nbrand = "B"\nsamples = {samples}\n\n'
        '[engines]\nchat_gpt = "gpt-4.1-mini"\nclaude = "claude-3-5-haiku"\n'
        'perplexity = "sonar"\ngemini = "gemini-2.0-flash"\n',
        encoding="utf-8",
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _CHILD.format(limit=ADDRESS_SPACE), str(file)],
        capture_output=True,
        text=True,
        timeout=GUARD_S,
        check=False,
    )


def test_check_refuses_a_billion_samples_fast_and_names_them(tmp_path):
    done = _check(tmp_path, 1, 10**9)
    assert done.returncode == 3, done.stderr  # the panel's exit code
    assert "samples" in done.stderr
    assert "1,000,000,000" in done.stderr
    assert f"{MAX_SAMPLES:,}" in done.stderr
    assert "MemoryError" not in done.stderr


def test_check_refuses_a_huge_product_naming_the_count(tmp_path):
    done = _check(tmp_path, 1_000, MAX_SAMPLES)  # 40 million tasks
    assert done.returncode == 3, done.stderr
    assert "40,000,000 tasks" in done.stderr
    assert f"{MAX_TASKS:,}" in done.stderr


def test_check_passes_a_million_task_panel(tmp_path):
    done = _check(tmp_path, 1_000, 250)
    assert done.returncode == 0, done.stderr
    assert "= 1000000 tasks" in done.stdout
