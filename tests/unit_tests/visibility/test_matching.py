import pytest

from langchain_dataforseo.visibility import answer_facts, extract_answer
from langchain_dataforseo.visibility._matching import (
    citation_domain,
    cited_url,
    first_mention,
    host_in_domain,
    host_of,
    mask_urls,
    rank_first_mentions,
    tracked_domains,
)

from ..helpers import example
from .builders import cite, raw_task


def mention(text: str, *names: str) -> int | None:
    return first_mention(mask_urls(text), names)


def test_names_match_case_insensitively_on_word_boundaries():
    assert mention("We like hubspot a lot", "HubSpot") == 8
    assert mention("**HubSpot** – good", "HubSpot") == 2
    assert mention("HubSpot's pricing", "HubSpot") == 0
    assert mention("(HubSpot)", "HubSpot") == 1
    assert mention("HubSpotter is another tool", "HubSpot") is None
    assert mention("Asanas are yoga poses", "Asana") is None
    assert mention("myasana", "Asana") is None
    assert mention("Monday.com is fine", "Monday.com") == 0
    assert mention("C++ and C", "C++") == 0


def test_whitespace_inside_a_name_matches_any_whitespace_run():
    assert mention("Try Zoho\n  CRM today", "Zoho CRM") == 4


def test_aliases_count_and_the_first_of_any_name_is_the_mention():
    assert mention("Use HS first, then HubSpot", "HubSpot", "HS") == 4
    assert mention("nothing here", "HubSpot", "HS") is None


def test_text_inside_urls_never_counts():
    # markdown link target, bare URL with scheme, bare www URL
    assert mention("see [this review](https://example.com/hubspot-review)", "HubSpot") is None
    assert mention("source: https://hubspot.com/pricing", "HubSpot") is None
    assert mention("source: www.hubspot.com/pricing", "HubSpot") is None
    # a citation chip whose label is a domain is part of the URL
    assert (
        mention("Good tool ([hubspot.com](https://hubspot.com/x?utm_source=openai)).", "HubSpot")
        is None
    )
    # but a label in words is text, and so is the name outside the link
    assert mention("[HubSpot pricing](https://example.com/p)", "HubSpot") == 1
    assert mention("HubSpot ([hubspot.com](https://hubspot.com/x))", "HubSpot") == 0


def test_masking_keeps_offsets():
    text = "A https://x.com/y B"
    masked = mask_urls(text)
    assert len(masked) == len(text)
    assert masked.index("B") == text.index("B")


def test_ranks_use_competition_ranking_for_ties():
    assert rank_first_mentions({"a": 30, "b": 5, "c": 12}) == {"b": 1, "c": 2, "a": 3}
    # two brands first named at the same offset share the better rank; the next skips one
    assert rank_first_mentions({"a": 0, "b": 0, "c": 9}) == {"a": 1, "b": 1, "c": 3}
    assert rank_first_mentions({}) == {}


def test_alias_overlap_is_a_tie_at_the_same_offset():
    # "HubSpot CRM" is an alias of one brand, "HubSpot" the name of another: both are
    # first named at offset 4, so both rank 1 and Pipedrive, named later, ranks 3.
    answer = extract_answer(raw_task("Try HubSpot CRM, or Pipedrive."))
    facts = answer_facts(
        answer,
        {"Suite": ("Suite", "HubSpot CRM"), "HubSpot": ("HubSpot",), "Pipedrive": ("Pipedrive",)},
        {},
    )
    assert facts.offsets == {"Suite": 4, "HubSpot": 4, "Pipedrive": 20}
    assert facts.ranks == {"Suite": 1, "HubSpot": 1, "Pipedrive": 3}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://blog.HubSpot.com/marketing?x=1", "blog.hubspot.com"),
        ("https://www.hubspot.com./", "hubspot.com"),
        ("http://hubspot.com:8080/a", "hubspot.com"),
        ("hubspot.com/pricing", "hubspot.com"),
        ("", None),
        ("https://", None),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


def test_subdomains_count_for_their_domain_and_lookalikes_do_not():
    assert host_in_domain("blog.hubspot.com", "hubspot.com")
    assert host_in_domain("hubspot.com", "hubspot.com")
    assert not host_in_domain("nothubspot.com", "hubspot.com")
    assert not host_in_domain("hubspot.com.evil.io", "hubspot.com")
    domains = tracked_domains(
        [("HubSpot", ["www.hubspot.com"]), ("Academy", ["academy.hubspot.com"])]
    )
    assert domains == {"hubspot.com": "HubSpot", "academy.hubspot.com": "Academy"}
    # the longest tracked domain wins; an untracked host counts as itself
    assert citation_domain("blog.hubspot.com", domains) == ("hubspot.com", "HubSpot")
    assert citation_domain("x.academy.hubspot.com", domains) == ("academy.hubspot.com", "Academy")
    assert citation_domain("g2.com", domains) == ("g2.com", None)
    # an untracked host counts for its site
    assert citation_domain("blog.g2.com", domains) == ("g2.com", None)
    assert citation_domain("news.bbc.co.uk", domains) == ("bbc.co.uk", None)
    assert citation_domain("127.0.0.1", domains) == ("127.0.0.1", None)


def test_direct_url_is_preferred_over_the_redirect():
    redirect = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQabc"
    assert cited_url(cite(redirect, "https://blog.hubspot.com/a")) == "https://blog.hubspot.com/a"
    assert cited_url(cite(redirect)) == redirect
    assert cited_url({"url": None, "direct_url": ""}) is None
    facts = answer_facts(
        extract_answer(
            raw_task("x", [cite(redirect, "https://blog.hubspot.com/a"), cite(redirect)])
        ),
        {},
        tracked_domains([("HubSpot", ["hubspot.com"])]),
    )
    assert [(c.domain, c.brand) for c in facts.citations] == [
        ("hubspot.com", "HubSpot"),
        ("vertexaisearch.cloud.google.com", None),  # no direct_url: an unresolved redirect
    ]


def test_extract_answer_from_the_reference_live_web_search_example():
    task = example("4.1_live_web_search")["tasks"][0]
    answer = extract_answer(task)
    assert answer.status_code == 20000
    assert answer.text.startswith("For small marketing agencies")
    assert answer.urls == (
        "https://asana.com/uses/agency-project-management?utm_source=openai",
        "https://clickup.com/teams/agencies?utm_source=openai",
        "https://zapier.com/blog/best-project-management-software/?utm_source=openai",
    )
    assert len(answer.fan_out_queries) == 3
    assert answer.model_name == "gpt-4.1-mini-2025-04-14"
    facts = answer_facts(
        answer,
        {
            "Asana": ("Asana",),
            "ClickUp": ("ClickUp",),
            "Trello": ("Trello",),
            "Zapier": ("Zapier",),
        },
        tracked_domains([("Asana", ["asana.com"])]),
    )
    # Zapier is only in a citation chip label and a URL: not named
    assert facts.ranks == {"Asana": 1, "ClickUp": 2, "Trello": 3}
    assert [c.brand for c in facts.citations] == ["Asana", None, None]


def test_extract_answer_skips_reasoning_and_tolerates_nulls():
    answer = extract_answer(example("4.2_live_reasoning")["tasks"][0])
    assert answer.text.startswith("12 seats")
    assert "Computing the annual price" not in answer.text
    assert answer.urls == ()
    assert answer.fan_out_queries == ()
    pending = extract_answer(example("5.4_task_get_pending")["tasks"][0])
    assert pending.status_code == 40602
    assert pending.text == ""
    assert extract_answer({}).status_code is None
