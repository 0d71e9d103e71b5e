"""The emulator knows the truth: measured rates against the configured brand catalogue."""

from __future__ import annotations

from statistics import NormalDist

import httpx
import pytest

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.emulator._responses import ValidTask, generate_result, validate_task
from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics, wilson

ENGINES = {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash", "perplexity": "sonar"}
CATALOGUE = BrandCatalogue(
    brands=(
        CatalogueBrand(
            "HubSpot", {"chat_gpt": 0.6, "gemini": 0.35, "perplexity": 0.5}, ("HubSpot CRM",)
        ),
        CatalogueBrand("Salesforce", 0.45),
        CatalogueBrand("Pipedrive", {"chat_gpt": 0.2, "gemini": 0.3, "perplexity": 0.25}),
        CatalogueBrand("Zoho CRM", 0.15, ("Zoho",)),
    ),
    domains=(
        CatalogueDomain("hubspot.com", {"chat_gpt": 0.3, "gemini": 0.2, "perplexity": 0.35}),
        CatalogueDomain("salesforce.com", 0.25),
        CatalogueDomain("g2.com", 0.5),
        CatalogueDomain("capterra.com", 0.35),
        CatalogueDomain("zoho.com", 0.1),
    ),
    seed=7,
    prompt_pattern=r"\bcrm\b",
)
PROMPTS = [
    "Which CRM do you recommend for a 10-person agency?",
    "What is the best CRM for small businesses?",
    "Compare CRM tools for a sales team of five.",
    "Which CRM has the best free plan?",
]
OWNERS = {"HubSpot": ("hubspot.com",), "Salesforce": ("salesforce.com",), "Zoho CRM": ("zoho.com",)}


def make_panel(samples: int, engines: dict[str, str] = ENGINES) -> Panel:
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
    )


def test_brand_answers_only_when_configured_and_for_matching_prompts():
    fields = {"user_prompt": "How do tides work?", "model_name": "gpt-4.1-mini", "web_search": True}
    valid = validate_task("chat_gpt", "live", fields)
    assert isinstance(valid, ValidTask)
    plain = generate_result("chat_gpt", valid, 0.0)
    # a prompt the catalogue does not match gets exactly the usual answer
    assert generate_result("chat_gpt", valid, 0.0, CATALOGUE) == plain
    crm = validate_task("chat_gpt", "live", {**fields, "user_prompt": PROMPTS[0], "tag": "a"})
    assert isinstance(crm, ValidTask)
    first = generate_result("chat_gpt", crm, 0.0, CATALOGUE)
    assert generate_result("chat_gpt", crm, 0.0, CATALOGUE) == first  # deterministic
    text = first["items"][0]["sections"][0]["text"]
    assert text.count("\n") >= 2  # intro, list or filler, outro: readable lines
    # samples differ by their tag
    texts = set()
    for tag in "abcdefgh":
        other = validate_task("chat_gpt", "live", {**fields, "user_prompt": PROMPTS[0], "tag": tag})
        assert isinstance(other, ValidTask)
        texts.add(
            generate_result("chat_gpt", other, 0.0, CATALOGUE)["items"][0]["sections"][0]["text"]
        )
    assert len(texts) >= 5


def run_through_emulator(store: VisibilityStore, panel: Panel, run_id: str) -> None:
    """Ask the in-process emulator every task of the run, as run_panel will (Live here)."""
    emulator = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE))
    client = httpx.Client(
        transport=EmulatorTransport(emulator),
        base_url="http://emulator.local",
        auth=("emulator-login", "emulator-password"),
    )
    results = []
    for task in store.tasks(run_id):
        body = {"user_prompt": task.prompt, "model_name": task.model, "tag": task.tag}
        body.update(panel.task_settings(task.engine))
        reply = client.post(f"/v3/ai_optimization/{task.engine}/llm_responses/live", json=[body])
        results.append((task.tag, reply.json()["tasks"][0], None))
    store.record_results(run_id, results)


def test_measured_rates_fall_within_their_intervals_of_the_truth(tmp_path):
    """600 answers per engine through the emulator's HTTP API, measured with ``metrics``.

    33 rates and 15 citation shares are checked; at 95% each, most seeds would put one or
    two outside by chance (the coverage test below checks that rate). So: every rate must
    be inside its Wilson interval at a family-wise 99% (Bonferroni: 1 - 0.01/48 each,
    z = 3.71), every citation share within z standard errors (``sqrt(s (1 - s) / citations)``)
    of its truth, and at most 5 of the 33 rates outside their 95% interval (for independent
    intervals P(6 or more outside) = 0.5%). With this run id 4 are outside; the largest
    miss, Gemini's Salesforce citation rate, is 3.4 standard errors above its truth by
    chance: the generator's frequency over 4,000 other draws is 0.251 for 0.25.
    """
    z = NormalDist().inv_cdf(1 - 0.01 / (2 * 48))
    panel = make_panel(samples=150)
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(panel, run_id="truth", method="live")
        run_through_emulator(store, panel, run)
        rows = {row.key["engine"]: row for row in metrics(store, run)}
    inside95 = checked = 0
    for engine in ENGINES:
        row, truth = rows[engine], CATALOGUE.truth(engine, OWNERS)
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
                observed.append(
                    (f"{engine} {name} citation", m.citation_rate, truth["citation_rate"][name])
                )
            assert m.average_position == pytest.approx(truth["average_position"][name], abs=0.25)
        for label, measured, expected in observed:
            checked += 1
            low, high = wilson(measured.successes, measured.n, z=z)
            assert low <= expected <= high, (label, measured, expected)
            inside95 += measured.low <= expected <= measured.high
        for domain, share in truth["citation_share"].items():
            error = z * (share * (1 - share) / row.citations) ** 0.5
            assert row.citation_share[domain] == pytest.approx(share, abs=error), (engine, domain)
    assert checked == 3 * (4 * 2 + 3)
    assert checked - inside95 <= 5


def fast_run(store: VisibilityStore, seed: int, samples: int) -> str:
    """One engine, answers drawn straight from the emulator's answer function."""
    catalogue = BrandCatalogue(CATALOGUE.brands, CATALOGUE.domains, seed=seed)
    panel = make_panel(samples, {"chat_gpt": "gpt-4.1-mini"})
    run = store.create_run(panel, run_id=f"seed{seed}")
    results = []
    for task in store.tasks(run):
        fields = {"user_prompt": task.prompt, "model_name": task.model, "tag": task.tag}
        valid = validate_task("chat_gpt", "live", {**fields, "web_search": True})
        assert isinstance(valid, ValidTask)
        result = generate_result("chat_gpt", valid, 0.0, catalogue)
        results.append((task.tag, {"id": task.tag, "status_code": 20000, "result": [result]}, None))
    store.record_results(run, results)
    return run


def test_wilson_intervals_cover_the_truth_at_about_95_percent_over_many_seeds(tmp_path):
    """200 seeds x 80 answers: the mention-rate intervals of the 4 brands cover the truth in
    about 95% of the 800 cases (binomial SE of the coverage ~0.8 points)."""
    truth = CATALOGUE.truth("chat_gpt", OWNERS)["mention_rate"]
    covered = trials = 0
    with VisibilityStore(tmp_path / "v.db") as store:
        for seed in range(200):
            (row,) = metrics(store, fast_run(store, seed, samples=20))
            assert row.answers == 80
            for name, expected in truth.items():
                rate = row.brands[name].mention_rate
                covered += rate.low <= expected <= rate.high
                trials += 1
    coverage = covered / trials
    assert 0.92 <= coverage <= 0.985, coverage


def test_a_prompt_naming_brands_does_not_leak_them_into_the_answer():
    """Brand names in the prompt never reach the text outside the drawn list."""
    prompt = "HubSpot or Pipedrive or Zoho for a small CRM team?"
    for tag in range(40):
        fields = {"user_prompt": prompt, "model_name": "gpt-4.1-mini", "tag": f"t{tag}"}
        valid = validate_task("chat_gpt", "live", fields)
        assert isinstance(valid, ValidTask)
        text = generate_result("chat_gpt", valid, 0.0, CATALOGUE)["items"][0]["sections"][0]["text"]
        prose = [line for line in text.splitlines() if not line[:1].isdigit()]
        for line in prose:
            for name in ("hubspot", "pipedrive", "zoho", "salesforce"):
                assert name not in line.lower(), line
