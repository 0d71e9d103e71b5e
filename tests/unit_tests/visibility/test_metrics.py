"""Every metric on hand-built answers; the expected numbers are worked out in comments."""

import pytest

from langchain_dataforseo.visibility import Panel, VisibilityStore, VisibilityStoreError, metrics

from .builders import cite, failed_task, raw_task

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQ"

PANEL = Panel(
    "crm",
    ["Which CRM?"],
    {"name": "HubSpot", "aliases": ["HubSpot CRM"], "domains": ["hubspot.com"]},
    [{"name": "Salesforce", "domains": ["salesforce.com"]}, "Pipedrive"],
    {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"},
    samples=6,
    web_search=True,
)


@pytest.fixture
def store(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as s:
        run = s.create_run(PANEL, run_id="r")
        chat = [
            # s0: HubSpot (by its alias) first, Salesforce second; cites a HubSpot subdomain
            raw_task(
                "HubSpot CRM leads, then Salesforce.",
                [cite("https://blog.hubspot.com/x"), cite("https://www.g2.com/a")],
                fan_out=["best crm", "CRM  comparison"],
            ),
            # s1: Salesforce 1, HubSpot 2, Pipedrive 3
            raw_task(
                "Salesforce first; HubSpot second; Pipedrive third.",
                [cite("https://salesforce.com/p"), cite("https://reviews.g2.com/b")],
                fan_out=["best CRM"],
            ),
            # s2: HubSpot only inside a URL (not named); Pipedrive 1; cites hubspot.com
            raw_task(
                "Pipedrive is simple. See https://hubspot.com/pricing",
                [cite("https://hubspot.com/pricing")],
            ),
            # s3: names nobody, cites nothing (web search ran, empty annotations)
            raw_task("No vendor fits everyone.", []),
        ]
        for sample, task in enumerate(chat):
            s.record_result(run, s.tag_of(run, 0, "chat_gpt", sample), task)
        s.record_result(run, s.tag_of(run, 0, "chat_gpt", 4), failed_task(50301))  # failed
        # s5 stays pending
        s.record_result(
            run,
            s.tag_of(run, 0, "gemini", 0),
            # Salesforce 1, HubSpot 2; the first citation counts by its direct_url
            raw_task(
                "Salesforce or HubSpot.",
                [cite(REDIRECT + "1", "https://www.hubspot.com/a"), cite(REDIRECT + "2")],
                fan_out=["crm"],
            ),
        )
        for sample in range(1, 6):
            s.record_result(run, s.tag_of(run, 0, "gemini", sample), raw_task("Nothing to name."))
        yield s


def by_engine(store):
    return {row.key["engine"]: row for row in metrics(store, "r")}


def test_counts_keep_failed_and_pending_out_of_every_denominator(store):
    chat = by_engine(store)["chat_gpt"]
    assert (chat.answers, chat.failed, chat.pending) == (4, 1, 1)
    assert chat.mention_rate.n == 4
    assert chat.answers_naming_any == 3  # s0, s1, s2
    assert chat.answers_citing_any == 3  # s0, s1, s2
    assert chat.citations == 5


def test_mention_rate_and_its_wilson_interval(store):
    chat = by_engine(store)["chat_gpt"]
    # HubSpot: s0 (alias), s1; not s2 (URL only) -> 2/4
    assert (chat.mention_rate.successes, chat.mention_rate.n) == (2, 4)
    assert chat.mention_rate.value == 0.5
    # Wilson 2/4: centre .5, half = 1.96 sqrt(.0625 + .060025)/1.96037 = .34997
    assert chat.mention_rate.low == pytest.approx(0.15004, abs=1e-4)
    assert chat.mention_rate.high == pytest.approx(0.84996, abs=1e-4)
    assert chat.brands["Pipedrive"].mention_rate.successes == 2  # s1, s2


def test_answer_share_over_answers_naming_any_tracked_brand(store):
    rows = by_engine(store)
    chat, gemini = rows["chat_gpt"], rows["gemini"]
    # 3 answers name a tracked brand; HubSpot in 2, Salesforce in 2, Pipedrive in 2
    assert (chat.answer_share.successes, chat.answer_share.n) == (2, 3)
    assert chat.brands["Salesforce"].answer_share.value == pytest.approx(2 / 3)
    # Gemini: one answer names anyone (Salesforce and HubSpot) -> 1/1 each, Pipedrive 0/1
    assert gemini.answer_share.value == 1.0
    assert gemini.brands["Pipedrive"].answer_share.value == 0.0
    # and the mention rate stays over all 6 measured answers
    assert (gemini.mention_rate.successes, gemini.mention_rate.n) == (1, 6)


def test_average_position_over_answers_naming_the_brand(store):
    chat = by_engine(store)["chat_gpt"]
    assert chat.average_position == 1.5  # ranks 1 (s0) and 2 (s1)
    assert chat.brands["Salesforce"].average_position == 1.5  # 2 (s0), 1 (s1)
    assert chat.brands["Pipedrive"].average_position == 2.0  # 3 (s1), 1 (s2)
    assert by_engine(store)["gemini"].average_position == 2.0


def test_citation_rate_over_answers_citing_anything(store):
    rows = by_engine(store)
    chat = rows["chat_gpt"]
    # HubSpot cited in s0 (blog.hubspot.com) and s2 (hubspot.com) of 3 citing answers
    assert (chat.citation_rate.successes, chat.citation_rate.n) == (2, 3)
    assert chat.brands["Salesforce"].citation_rate.value == pytest.approx(1 / 3)
    # a brand without domains has no citation rate (undefined, not 0)
    assert chat.brands["Pipedrive"].citation_rate.value is None
    # Gemini: the redirect counted by its direct_url -> HubSpot cited in the 1 citing answer
    assert (rows["gemini"].citation_rate.successes, rows["gemini"].citation_rate.n) == (1, 1)


def test_citation_share_per_domain(store):
    rows = by_engine(store)
    # chat: hubspot.com 2 (one via a subdomain), g2.com 2 (www. and a subdomain), salesforce.com 1
    assert rows["chat_gpt"].citation_counts == {"g2.com": 2, "hubspot.com": 2, "salesforce.com": 1}
    assert rows["chat_gpt"].citation_share == {
        "g2.com": 0.4,
        "hubspot.com": 0.4,
        "salesforce.com": 0.2,
    }
    assert rows["gemini"].citation_share == {
        "hubspot.com": 0.5,
        "vertexaisearch.cloud.google.com": 0.5,  # a redirect without direct_url, unresolved
    }


def test_fan_out_queries_are_counted_across_answers(store):
    chat = by_engine(store)["chat_gpt"]
    # "best crm" (s0) and "best CRM" (s1) are one query; whitespace is collapsed
    assert chat.fan_out_queries == [("best crm", 2), ("crm comparison", 1)]


def test_overall_and_finer_slices(store):
    (overall,) = metrics(store, "r", by=())
    assert overall.key == {}
    assert (overall.answers, overall.failed, overall.pending) == (10, 1, 1)
    assert overall.mention_rate.successes == 3  # 2 chat + 1 gemini
    assert overall.answers_naming_any == 4
    rows = metrics(store, "r", by=("engine", "prompt", "model"))
    assert [r.key for r in rows] == [
        {"engine": "chat_gpt", "prompt": "Which CRM?", "model": "gpt-4.1-mini"},
        {"engine": "gemini", "prompt": "Which CRM?", "model": "gemini-2.5-flash"},
    ]
    with pytest.raises(VisibilityStoreError, match="not a slice"):
        metrics(store, "r", by=("country",))


def test_share_of_voice_is_mentions_over_all_tracked_mentions_and_sums_to_one(store):
    rows = by_engine(store)
    chat, gemini = rows["chat_gpt"], rows["gemini"]
    # chat: HubSpot 2 answers, Salesforce 2, Pipedrive 2 -> 6 tracked mentions, 2/6 each
    assert (chat.share_of_voice.successes, chat.share_of_voice.n) == (2, 6)
    # gemini: Salesforce and HubSpot in one answer -> 1/2 each, Pipedrive 0/2
    assert (gemini.share_of_voice.successes, gemini.share_of_voice.n) == (1, 2)
    assert gemini.brands["Pipedrive"].share_of_voice.value == 0.0
    for row in metrics(store, "r", by=("engine", "prompt")):
        shares = [m.share_of_voice.value or 0.0 for m in row.brands.values()]
        assert sum(shares) == pytest.approx(1.0)
        # the earlier measure does not: 2/3 + 2/3 + 2/3 on chat_gpt
    assert sum(m.answer_share.value or 0.0 for m in chat.brands.values()) == pytest.approx(2.0)


def test_share_of_voice_is_undefined_when_nobody_is_named(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as s:
        run = s.create_run(PANEL, run_id="q")
        s.record_result(run, s.tag_of(run, 0, "chat_gpt", 0), raw_task("How to write a memo."))
        chat = {r.key["engine"]: r for r in metrics(s, run)}["chat_gpt"]
        assert chat.mention_rate.value == 0.0
        assert chat.share_of_voice.value is None
        assert chat.share_of_voice.n == 0
        assert chat.answer_share.value is None
        assert chat.average_position is None
        assert chat.citation_rate.value is None  # nothing cited at all
        gemini = {r.key["engine"]: r for r in metrics(s, run)}["gemini"]
        assert (gemini.answers, gemini.pending) == (0, 6)
        assert gemini.mention_rate.value is None


def test_metrics_of_an_unknown_run(store):
    with pytest.raises(VisibilityStoreError, match="unknown run id"):
        metrics(store, "nope")


def test_position_ties_from_overlapping_aliases(tmp_path):
    # "HubSpot CRM" (an alias of Suite) and "HubSpot" (a competitor) start at the same
    # offset: both rank 1, Pipedrive ranks 3 (competition ranking). Second answer: only
    # Pipedrive, rank 1. Pipedrive's average position = (3 + 1) / 2 = 2.
    panel = Panel(
        "ties",
        ["q"],
        {"name": "Suite", "aliases": ["HubSpot CRM"]},
        ["HubSpot", "Pipedrive"],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=2,
    )
    with VisibilityStore(tmp_path / "v.db") as s:
        run = s.create_run(panel, run_id="t")
        s.record_result(
            run, s.tag_of(run, 0, "chat_gpt", 0), raw_task("Try HubSpot CRM, or Pipedrive.")
        )
        s.record_result(run, s.tag_of(run, 0, "chat_gpt", 1), raw_task("Pipedrive."))
        (row,) = metrics(s, run)
    assert row.average_position == 1.0
    assert row.brands["HubSpot"].average_position == 1.0
    assert row.brands["Pipedrive"].average_position == 2.0
    assert row.brands["Pipedrive"].answer_share.value == 1.0  # 2 of 2 naming any
    # Suite 1, HubSpot 1, Pipedrive 2 of 4 tracked mentions
    assert row.brands["Pipedrive"].share_of_voice.value == 0.5
