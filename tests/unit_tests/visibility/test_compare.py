import pytest

from langchain_dataforseo.visibility import (
    OVERLAP_RULE,
    Z_TEST_RULE,
    Panel,
    VisibilityStore,
    compare_runs,
)

from .builders import cite, raw_task

PANEL = Panel(
    "crm",
    ["Which CRM?"],
    {"name": "HubSpot", "domains": ["hubspot.com"]},
    ["Salesforce"],
    {"chat_gpt": "gpt-4.1-mini"},
    samples=100,
    web_search=True,
)


def fill(store, run_id, named, cited_domain):
    run = store.create_run(PANEL, run_id=run_id)
    results = []
    for sample in range(100):
        text = "HubSpot is good." if sample < named else "Salesforce is good."
        url = "https://hubspot.com/a" if sample % 2 else f"https://{cited_domain}/b"
        results.append(
            (store.tag_of(run, 0, "chat_gpt", sample), raw_task(text, [cite(url)]), None)
        )
    store.record_results(run, results)
    return run


@pytest.fixture
def store(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as s:
        fill(s, "a", 40, "g2.com")
        fill(s, "b", 55, "capterra.com")
        yield s


def test_z_test_change_and_its_significance(store):
    (chat,) = compare_runs(store, "a", "b")
    assert chat.engine == "chat_gpt"
    assert chat.rule == Z_TEST_RULE
    change = chat.changes["HubSpot"]["mention_rate"]
    assert change.delta == pytest.approx(0.15)
    # pooled p = .475: se = sqrt(.475 * .525 * .02) = .070622 -> z = 2.124, p = .0337
    assert change.z == pytest.approx(2.124, abs=1e-3)
    assert change.p_value == pytest.approx(0.0337, abs=1e-3)
    assert change.significant is True
    salesforce = chat.changes["Salesforce"]["mention_rate"]
    assert salesforce.delta == pytest.approx(-0.15)
    assert salesforce.significant is True
    # citation rate 50/100 in both runs: no change
    assert chat.changes["HubSpot"]["citation_rate"].delta == 0.0
    assert chat.changes["HubSpot"]["citation_rate"].significant is False


def test_the_overlap_rule_is_named_and_stricter(store):
    (chat,) = compare_runs(store, "a", "b", rule=OVERLAP_RULE)
    assert chat.rule == OVERLAP_RULE
    assert chat.changes["HubSpot"]["mention_rate"].significant is False
    assert chat.as_dict()["rule"] == OVERLAP_RULE


def test_domains_gained_and_lost(store):
    (chat,) = compare_runs(store, "a", "b")
    assert chat.domains_gained == ["capterra.com"]
    assert chat.domains_lost == ["g2.com"]


def test_verdicts_control_the_false_discovery_rate_across_cells(store):
    (chat,) = compare_runs(store, "a", "b")
    # tested: HubSpot and Salesforce mention rate and share of voice (p = .0337 each) and
    # HubSpot's citation rate (50/100 both, p = 1); Salesforce has no domains (undefined).
    assert chat.cells_tested == 5
    # BH: the four p = .0337 rank 1-4 of 5 -> q = .0337 * 5 / 4 = .0421 < .05; p = 1 -> 1
    q = chat.q_values["HubSpot"]["mention_rate"]
    assert q == pytest.approx(0.0337 * 5 / 4, abs=1e-3)
    assert chat.verdicts["HubSpot"]["mention_rate"] == "up"
    assert chat.verdicts["Salesforce"]["share_of_voice"] == "down"
    assert chat.verdicts["HubSpot"]["citation_rate"] == "within_noise"
    assert chat.q_values["HubSpot"]["citation_rate"] == pytest.approx(1.0)
    assert chat.verdicts["Salesforce"]["citation_rate"] == "not_comparable"
    assert chat.q_values["Salesforce"]["citation_rate"] is None
    assert chat.not_comparable is None
    data = chat.as_dict()
    assert data["cells_tested"] == 5
    assert data["changes"]["HubSpot"]["mention_rate"]["verdict"] == "up"


def test_a_resolved_model_change_is_not_comparable_and_not_tested(store):
    run = store.create_run(PANEL, run_id="c")
    results = [
        (
            store.tag_of(run, 0, "chat_gpt", sample),
            raw_task("HubSpot." if sample < 90 else "Salesforce.", model="gpt-4.1-mini-2025-09-30"),
            None,
        )
        for sample in range(100)
    ]
    store.record_results(run, results)
    (chat,) = compare_runs(store, "b", "c")
    assert chat.not_comparable == "resolved model changed"
    assert chat.cells_tested == 0
    assert {v for per in chat.verdicts.values() for v in per.values()} == {"not_comparable"}
    assert chat.changes["HubSpot"]["mention_rate"].significant is True  # unadjusted, as before
