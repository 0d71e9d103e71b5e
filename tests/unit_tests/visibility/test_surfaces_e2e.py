"""Both surfaces end to end on the emulator: the app surface's truth, resuming, the cap."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import httpx
import pytest

from langchain_dataforseo import DataForSEOBudgetError
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import (
    Panel,
    RunEstimate,
    VisibilityStore,
    compare_runs,
    metrics,
    report,
    run_panel,
    wilson,
)
from langchain_dataforseo.visibility._surfaces import app_task
from tests.lossy_transports import ALoseScraperPosts

CATALOGUE = BrandCatalogue(
    brands=(
        CatalogueBrand(
            "HubSpot",
            {"chat_gpt": 0.6, "gemini": 0.35},
            ("HubSpot CRM",),
            app_mention_probability={"chat_gpt": 0.3, "gemini": 0.65},
        ),
        CatalogueBrand("Salesforce", 0.45, app_mention_probability=0.2),
        CatalogueBrand("Pipedrive", {"chat_gpt": 0.2, "gemini": 0.3}),
        CatalogueBrand("Zoho CRM", 0.15, ("Zoho",), app_mention_probability=0.4),
    ),
    domains=(
        CatalogueDomain("hubspot.com", 0.3, app_citation_rate={"chat_gpt": 0.1, "gemini": 0.5}),
        CatalogueDomain("salesforce.com", 0.25, found_rate=0.9),
        CatalogueDomain("g2.com", 0.5, app_citation_rate=0.2, found_rate=0.9),
        CatalogueDomain("capterra.com", 0.35),
        CatalogueDomain("zoho.com", 0.1, app_citation_rate=0.3),
    ),
    seed=11,
    prompt_pattern=r"\bcrm\b",
)
PROMPTS = [
    "Which CRM do you recommend for a 10-person agency?",
    "What is the best CRM for small businesses?",
    "Compare CRM tools for a sales team of five.",
    "Which CRM has the best free plan?",
]
OWNERS = {"HubSpot": ("hubspot.com",), "Salesforce": ("salesforce.com",), "Zoho CRM": ("zoho.com",)}
TWO = {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"}


def make_panel(samples: int, surfaces=("api", "app"), engines=TWO) -> Panel:
    return Panel(
        "crm",
        PROMPTS,
        {"name": "HubSpot", "aliases": ["HubSpot CRM"], "domains": ["hubspot.com"]},
        [
            {"name": "Salesforce", "domains": ["salesforce.com"]},
            "Pipedrive",
            {"name": "Zoho CRM", "aliases": ["Zoho"], "domains": ["zoho.com"]},
        ],
        engines,
        samples=samples,
        web_search=True,
        surfaces=surfaces,
    )


def test_the_truths_differ_by_surface_where_the_catalogue_says_so():
    api, app = CATALOGUE.truth("chat_gpt", OWNERS), CATALOGUE.truth("chat_gpt", OWNERS, "app")
    assert api["mention_rate"]["HubSpot"] == 0.6
    assert app["mention_rate"]["HubSpot"] == 0.3
    assert app["mention_rate"]["Pipedrive"] == api["mention_rate"]["Pipedrive"]  # not set: same


def test_measured_app_rates_fall_within_their_intervals_of_the_truth(tmp_path):
    """600 app answers per engine through the emulator's LLM Scraper live route.

    The same checks as the API-surface truth test: every rate inside its Wilson interval
    at a family-wise 99% (Bonferroni over the 22 rates and 10 shares), every citation
    share within z standard errors, at most 4 of the 22 rates outside their 95% interval
    (for independent intervals P(5 or more) is under 1%).
    """
    z = NormalDist().inv_cdf(1 - 0.01 / (2 * 32))
    panel = make_panel(150, surfaces=("app",))
    emulator = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE))
    client = httpx.Client(
        transport=EmulatorTransport(emulator),
        base_url="http://emulator.local",
        auth=("emulator-login", "emulator-password"),
    )
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(panel, run_id="app-truth", method="live")
        results = []
        for task in store.tasks(run):
            body = app_task(task.engine, task.prompt, panel.app_settings, task.tag, "live")
            path = f"/v3/ai_optimization/{task.engine}/llm_scraper/live/advanced"
            results.append((task.tag, client.post(path, json=[body]).json()["tasks"][0], None))
        store.record_results(run, results)
        rows = {row.key["engine"]: row for row in metrics(store, run)}
    inside95 = checked = 0
    for engine in TWO:
        row, truth = rows[engine], CATALOGUE.truth(engine, OWNERS, "app")
        assert row.surface == "app"
        assert (row.answers, row.failed, row.pending) == (600, 0, 0)
        observed = []
        for name, m in row.brands.items():
            observed.append(
                (f"{engine} {name} mention", m.mention_rate, truth["mention_rate"][name])
            )
            observed.append(
                (f"{engine} {name} sov", m.share_of_voice, truth["share_of_voice"][name])
            )
            if name in OWNERS:
                expected = truth["citation_rate"][name]
                observed.append((f"{engine} {name} citation", m.citation_rate, expected))
            assert m.average_position == pytest.approx(truth["average_position"][name], abs=0.25)
        for label, measured, expected in observed:
            checked += 1
            low, high = wilson(measured.successes, measured.n, z=z)
            assert low <= expected <= high, (label, measured, expected)
            inside95 += measured.low <= expected <= measured.high
        for domain, share in truth["citation_share"].items():
            error = z * (share * (1 - share) / row.citations) ** 0.5
            assert row.citation_share[domain] == pytest.approx(share, abs=error), (engine, domain)
        if engine == "chat_gpt":  # searches ran; found-only results are no citations
            assert row.fan_out_queries
    assert checked == 2 * (4 * 2 + 3)
    assert checked - inside95 <= 4


def options(emulator: Emulator, lose: int = 0) -> dict[str, Any]:
    inner = AsyncEmulatorTransport(emulator)
    return {
        "login": "emulator-login",
        "password": "emulator-password",
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emulator)),
        "http_async_client": httpx.AsyncClient(transport=ALoseScraperPosts(inner, lose)),
        "poll_interval": 0.05,
    }


def scraper_posts(emulator: Emulator) -> list[str]:
    return [
        c["tag"] for c in emulator.ledger()["charges"] if c["method"] == "llm_scraper/task_post"
    ]


def test_a_panel_on_both_surfaces_resumes_by_tag_and_never_posts_twice(tmp_path):
    emulator = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE, task_latency=0.05))
    panel = make_panel(2)
    seen: list[RunEstimate] = []
    with VisibilityStore(tmp_path / "v.db") as store:
        # first run: the answer of the app posts is lost (posted and charged, in doubt)
        run = run_panel(
            panel,
            store,
            run_id="both",
            on_estimate=seen.append,
            collect_round=0.5,
            recover_wait=0.0,
            **options(emulator, lose=2),
        )
        assert seen[0].to_post == 4 * 2 * 2 * 2
        assert seen[0].per_engine["chat_gpt:app"] == pytest.approx(8 * 0.005)
        doubt = store.in_doubt(run)
        assert len(doubt) == 16
        assert {t.surface for t in doubt} == {"app"}
        assert len(scraper_posts(emulator)) == 16
        # the re-run finds them by tag in tasks_ready and collects them: nothing posted again
        run_panel(
            panel,
            store,
            run_id="both",
            on_estimate=seen.append,
            recover_wait=5.0,
            collect_round=0.5,
            **options(emulator),
        )
        assert (seen[1].to_post, seen[1].in_doubt) == (0, 16)
        assert sorted(scraper_posts(emulator)) == sorted(t.tag for t in doubt)
        info = store.run(run)
        assert (info.measured, info.failed, info.pending) == (32, 0, 0)
        assert info.cost == pytest.approx(emulator.ledger()["charged_total"], abs=1e-6)
        rows = metrics(store, run)
        assert [(r.key["engine"], r.surface) for r in rows] == [
            ("chat_gpt", "api"),
            ("chat_gpt", "app"),
            ("gemini", "api"),
            ("gemini", "app"),
        ]
        compared = compare_runs(store, run, run)
        assert [(c.engine, c.surface) for c in compared] == [
            (r.key["engine"], r.surface) for r in rows
        ]
        html, md = report(store, run, tmp_path / "r.html")
        text = md.read_text()
        assert "## chat_gpt: API vs app" in text
        assert "## gemini · app" in text
        assert "mention rate: app" in html.read_text()
        # a third run has nothing left to do
        calls = emulator.ledger()["calls"]["total"]
        run_panel(panel, store, run_id="both", **options(emulator))
        assert len(scraper_posts(emulator)) == 16
        assert emulator.ledger()["calls"]["total"] - calls <= 4  # probes only, no posts


def test_live_app_tasks_and_the_cap_counts_them_at_the_scrapers_price(tmp_path):
    emulator = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE))
    panel = make_panel(1, surfaces=("app",))
    with VisibilityStore(tmp_path / "v.db") as store:
        with pytest.raises(DataForSEOBudgetError, match="nothing was posted"):
            run_panel(
                panel, store, run_id="cap", method="live", max_cost=0.079, **options(emulator)
            )
        assert emulator.ledger()["calls"].get("total", 0) == 0
        run = run_panel(
            panel, store, run_id="cap", method="live", max_cost=0.08, **options(emulator)
        )
        info = store.run(run)
        assert (info.measured, info.pending) == (8, 0)
        charges = emulator.ledger()["charges"]
        assert len(charges) == 8
        assert {c["method"] for c in charges} == {"llm_scraper/live"}
        assert info.cost == pytest.approx(8 * 0.004)
        raw = store.raw_task(run, store.tasks(run)[0].tag)
        assert raw["path"][-1] == "advanced"  # the task as the API sent it


@pytest.mark.parametrize(("per_post", "expected_posts"), [(100, 2), (3, 6)])
def test_app_tasks_are_packed_into_posts_of_tasks_per_post(tmp_path, per_post, expected_posts):
    emulator = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE, task_latency=0.05))
    panel = make_panel(2, surfaces=("app",))  # 4 prompts x 2 samples = 8 tasks per engine
    with VisibilityStore(tmp_path / "v.db") as store:
        run = run_panel(
            panel,
            store,
            run_id="packed",
            tasks_per_post=per_post,
            collect_round=0.5,
            **options(emulator),
        )
        calls = emulator.ledger()["calls"]
        app_posts = sum(n for key, n in calls.items() if key.endswith("llm_scraper/task_post"))
        assert app_posts == expected_posts  # per engine: ceil(8 / per_post)
        assert sorted(scraper_posts(emulator)) == sorted(t.tag for t in store.tasks(run))
        assert all(t.status == "measured" for t in store.tasks(run))
