"""``trend`` over runs built in a store, and the Benjamini-Hochberg step, by hand."""

import pytest

from langchain_dataforseo.visibility import (
    VERDICTS,
    Panel,
    VisibilityStore,
    VisibilityStoreError,
    benjamini_hochberg,
    trend,
)

from .builders import raw_task

OLD_MODEL = "gpt-4.1-mini-2025-04-14"
NEW_MODEL = "gpt-4.1-mini-2025-09-30"


def panel(name="crm", **settings):
    return Panel(
        name,
        ["Which CRM?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        ["Salesforce"],
        {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"},
        samples=100,
        **settings,
    )


CRM = panel()


def fill(store, run_id, named, *, model=OLD_MODEL, on=CRM):
    """A run whose chat_gpt answers name HubSpot ``named`` times in 100; gemini 50 times."""
    run = store.create_run(on, run_id=run_id)
    results = []
    for sample in range(100):
        text = "HubSpot is good." if sample < named else "Salesforce is good."
        tag = store.tag_of(run, 0, "chat_gpt", sample)
        results.append((tag, raw_task(text, model=model), None))
        text = "HubSpot is good." if sample < 50 else "Salesforce is good."
        tag = store.tag_of(run, 0, "gemini", sample)
        results.append((tag, raw_task(text, model="gemini-2.5-flash-001"), None))
    store.record_results(run, results)
    return run


@pytest.fixture
def store(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as s:
        fill(s, "w1", 40)
        fill(s, "w2", 70)  # planted move: 40% -> 70%
        fill(s, "w3", 66)  # a repeat: 70% -> 66%
        fill(s, "w4", 20, model=NEW_MODEL)  # a big drop, on another resolved model
        fill(s, "other", 90, on=panel("other"))  # another panel: not in the trend
        yield s


def chat_rows(store):
    return [row for row in trend(store, "crm") if row.key["engine"] == "chat_gpt"]


def test_four_runs_in_order_with_their_verdicts(store):
    rows = chat_rows(store)
    assert [r.run_id for r in rows] == ["w1", "w2", "w3", "w4"]
    assert [r.change for r in rows] == ["first", "up", "within_noise", "not_comparable"]
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    assert all(r.change in VERDICTS for r in rows)
    # pooled p = .55: se = sqrt(.55 * .45 * .02) = .070356 -> z = .30 / .070356 = 4.264
    assert rows[1].p_value == pytest.approx(2.0e-5, rel=0.05)
    # pooled p = .68: se = sqrt(.68 * .32 * .02) = .065971 -> z = -.04 / .065971 = -.606
    assert rows[2].p_value == pytest.approx(0.544, abs=1e-3)
    assert rows[3].p_value is None
    assert rows[3].reason == "resolved model changed"
    assert [r.previous_run for r in rows] == [None, "w1", "w2", "w3"]


def test_rows_carry_the_metrics_rows_rates_and_the_models(store):
    rows = chat_rows(store)
    assert rows[0].key == {"engine": "chat_gpt"}
    assert rows[0].brand == "HubSpot"
    assert (rows[1].mention_rate.successes, rows[1].mention_rate.n) == (70, 100)
    assert rows[1].mention_rate.low == pytest.approx(0.6041, abs=1e-3)  # Wilson, answer level
    assert rows[1].share_of_voice == rows[1].metrics.share_of_voice
    assert rows[1].citation_rate.value is None  # no answer cites anything
    assert rows[0].models == (OLD_MODEL,)
    assert rows[3].models == (NEW_MODEL,)
    assert [r.model_changed for r in rows] == [False, False, False, True]
    data = rows[3].as_dict()
    assert data["change"] == "not_comparable"
    assert data["models"] == [NEW_MODEL]
    assert data["brands"]["HubSpot"]["mention_rate"]["successes"] == 20


def test_each_slice_has_its_own_verdict(store):
    gemini = [r for r in trend(store, "crm") if r.key["engine"] == "gemini"]
    # gemini's model did not change and its rate did not move: within noise every week
    assert [r.change for r in gemini] == ["first", "within_noise", "within_noise", "within_noise"]
    overall = trend(store, "crm", by=())
    # one row per run; chat_gpt's model change makes the pooled slice not comparable
    assert [r.key for r in overall] == [{}] * 4
    assert overall[3].change == "not_comparable"


def test_changed_settings_are_not_comparable(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        fill(store, "a", 40)
        fill(store, "b", 80, on=panel(temperature=0.2))
        rows = chat_rows(store)
    assert [r.change for r in rows] == ["first", "not_comparable"]
    assert rows[1].reason == "task settings of chat_gpt changed"
    assert rows[1].model_changed is False


def test_an_unknown_panel_names_the_known_ones(store):
    with pytest.raises(VisibilityStoreError, match=r"panels in .*: crm, other") as caught:
        trend(store, "nope")
    assert caught.value.field == "panel_name"


def test_benjamini_hochberg_against_hand_computed_values():
    # sorted: .01 (x5/1 = .05), .02 (x5/2 = .05), .03 (x5/3 = .05), .04 (x5/4 = .05),
    # .20 (x5/5 = .20); each q is the least of its own and the ones above it
    assert benjamini_hochberg([0.04, 0.01, 0.20, 0.03, 0.02]) == pytest.approx(
        [0.05, 0.05, 0.20, 0.05, 0.05]
    )
    # .001 x3 = .003; .04 x3/2 = .06 but .045 x3/3 = .045 is smaller above it -> .045
    assert benjamini_hochberg([0.045, 0.001, 0.04]) == pytest.approx([0.045, 0.003, 0.045])
    assert benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError, match="p_values"):
        benjamini_hochberg([1.5])


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"prompts": ["Which CRM for a bakery?"]}, "prompts changed"),
        ({"brand": {"name": "Pipedrive"}}, "tracked brands changed"),
        ({"competitors": ["Salesforce", "Zoho"]}, "tracked brands changed"),
    ],
)
def test_other_prompts_or_brands_are_not_comparable(tmp_path, changed, reason):
    base = CRM.to_dict()
    other = Panel.from_dict({**base, **changed})
    with VisibilityStore(tmp_path / "v.db") as store:
        fill(store, "a", 40)
        run = store.create_run(other, run_id="b")
        named = other.brand.name
        results = [
            (
                store.tag_of(run, 0, "chat_gpt", s),
                raw_task(f"{named} is good.", model=OLD_MODEL),
                None,
            )
            for s in range(100)
        ]
        store.record_results(run, results)
        rows = chat_rows(store)
    assert [r.change for r in rows] == ["first", "not_comparable"]
    assert rows[1].reason == reason
