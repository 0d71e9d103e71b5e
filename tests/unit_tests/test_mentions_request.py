"""LLM Mentions request validation: every refusal names the field, the limit and the value."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.mentions._endpoints import endpoint
from langchain_dataforseo.mentions._request import (
    build_task,
    check_filters,
    check_order_by,
    check_targets,
    keyword_target,
)


def refused(call: Any, *args: Any, **kwargs: Any) -> DataForSEOInputError:
    with pytest.raises(DataForSEOInputError) as info:
        call(*args, **kwargs)
    return info.value


def test_keyword_target_and_domain_target_pass_and_stay_as_given() -> None:
    targets = check_targets(
        [
            {"keyword": "crm", "search_scope": ["answer"], "match_type": "partial_match"},
            {"domain": "hubspot.com", "search_filter": "exclude", "include_subdomains": True},
        ]
    )
    assert targets[0] == {
        "keyword": "crm",
        "search_scope": ["answer"],
        "match_type": "partial_match",
    }
    assert targets[1]["domain"] == "hubspot.com"


@pytest.mark.parametrize(
    ("target", "field", "fragment"),
    [
        ([], "target", "1 to 10"),
        ([{"keyword": f"k{i}"} for i in range(11)], "target", "1 to 10"),
        ([{}], "target[0]", "either 'keyword' or 'domain'"),
        ([{"keyword": "a", "domain": "b.com"}], "target[0]", "either 'keyword' or 'domain'"),
        ([{"keyword": "x" * 2001}], "target[0].keyword", "2000"),
        ([{"keyword": "   "}], "target[0].keyword", "empty"),
        ([{"domain": "https://www.hubspot.com"}], "target[0].domain", "without https://"),
        ([{"domain": "www.hubspot.com"}], "target[0].domain", "without https://"),
        ([{"keyword": "a", "search_scope": ["sources"]}], "target[0].search_scope", "question"),
        ([{"domain": "a.com", "search_scope": ["answer"]}], "target[0].search_scope", "sources"),
        ([{"keyword": "a", "search_filter": "only"}], "target[0].search_filter", "include"),
        ([{"keyword": "a", "match_type": "exact"}], "target[0].match_type", "word_match"),
        ([{"domain": "a.com", "match_type": "word_match"}], "target[0].match_type", "keyword"),
        ([{"keyword": "a", "colour": "red"}], "target[0].colour", "unknown"),
        (["crm"], "target[0]", "object"),
    ],
)
def test_bad_targets_are_refused_with_the_field(target: Any, field: str, fragment: str) -> None:
    error = refused(check_targets, target)
    assert error.field == field
    assert fragment in str(error)


def test_one_condition_and_a_nested_expression_pass() -> None:
    assert check_filters(["ai_search_volume", ">", 1000]) == ["ai_search_volume", ">", 1000]
    nested = [
        ["ai_search_volume", ">", 10],
        "and",
        [["platform", "=", "google"], "or", ["question", "like", "%crm%"]],
    ]
    assert check_filters(nested) == nested


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        (["ai_search_volume", "~", 3], "operator"),
        (["ai_search_volume", ">"], "[field, operator, value]"),
        ([["a", "=", 1], "xor", ["b", "=", 2]], "'and' or 'or'"),
        ([["a", "=", 1], ["b", "=", 2]], "'and' or 'or'"),
        (["a", "in", 3], "list"),
        (["a", "like", 3], "string"),
        (["", "=", 3], "field name"),
        ("ai_search_volume > 3", "list"),
    ],
)
def test_bad_filters_are_refused(filters: Any, fragment: str) -> None:
    error = refused(check_filters, filters)
    assert error.field == "filters"
    assert fragment in str(error)


def test_more_than_eight_conditions_are_refused_with_the_count() -> None:
    conditions: list[Any] = [["ai_search_volume", ">", 1]]
    for i in range(8):
        conditions += ["and", ["ai_search_volume", ">", i]]
    error = refused(check_filters, conditions, field="initial_dataset_filters")
    assert error.field == "initial_dataset_filters"
    assert error.limit == 8
    assert error.actual == 9


def test_order_by_rules() -> None:
    assert check_order_by(["ai_search_volume,desc"]) == ["ai_search_volume,desc"]
    assert refused(check_order_by, ["a,asc", "b,asc", "c,asc", "d,asc"]).limit == 3
    assert "asc" in str(refused(check_order_by, ["ai_search_volume,down"]))
    assert "asc" in str(refused(check_order_by, ["ai_search_volume"]))


def test_build_task_fills_only_what_was_given_and_checks_limits() -> None:
    search = endpoint("search_mentions")
    task = build_task(search, target=[keyword_target("crm")], limit=5, platform="google")
    assert task == {"target": [{"keyword": "crm"}], "limit": 5, "platform": "google"}
    for field, value, limit in [
        ("limit", 0, 1000),
        ("limit", 1001, 1000),
        ("offset", 1_000_001, 1_000_000),
        ("tag", "t" * 256, 255),
    ]:
        error = refused(build_task, search, target=[keyword_target("crm")], **{field: value})
        assert error.field == field
        assert error.limit == limit
    metrics = endpoint("target_metrics")
    assert (
        refused(build_task, metrics, target=[keyword_target("a")], internal_list_limit=11).limit
        == 10
    )


def test_build_task_refuses_fields_the_endpoint_does_not_take_and_missing_required_ones() -> None:
    error = refused(build_task, endpoint("target_metrics"), target=[keyword_target("a")], limit=3)
    assert error.field == "limit"
    assert "target_metrics" in str(error)
    error = refused(build_task, endpoint("timeseries_delta"), target=[keyword_target("a")])
    assert error.field in {"date_from", "date_to", "group_range"}
    assert "required" in str(error)


def test_platform_location_and_language_rules() -> None:
    search = endpoint("search_mentions")
    target = [keyword_target("crm")]
    assert "chat_gpt" in str(refused(build_task, search, target=target, platform="claude"))
    error = refused(build_task, search, target=target, platform="chat_gpt", location_code=2826)
    assert error.field == "location_code"
    assert "2840" in str(error)
    error = refused(build_task, search, target=target, platform="chat_gpt", language_code="de")
    assert error.field == "language_code"
    # SDK 2.1.10 request models: location_name "if you use this field, you don't need to
    # specify location_code" (optional, not forbidden): both are sent (issue 19, point 7).
    task = build_task(search, target=target, location_code=2840, location_name="United States")
    assert (task["location_code"], task["location_name"]) == (2840, "United States")
    task = build_task(search, target=target, language_code="en", language_name="English")
    assert (task["language_code"], task["language_name"]) == ("en", "English")


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"date_from": "2025-07-31", "date_to": "2025-09-01"}, "date_from", "2025-08-01"),
        ({"date_from": "2025-10-01", "date_to": "2025-09-01"}, "date_from", "date_to"),
        ({"date_from": "01/09/2025", "date_to": "2025-09-01"}, "date_from", "yyyy-mm-dd"),
        (
            {"date_from": "2025-09-01", "date_to": "2025-10-01", "group_range": "hour"},
            "group_range",
            "week",
        ),
    ],
)
def test_date_and_group_range_rules(fields: dict[str, Any], field: str, fragment: str) -> None:
    error = refused(
        build_task,
        endpoint("timeseries_delta"),
        target=[keyword_target("a")],
        **{"group_range": "month", **fields},
    )
    assert error.field == field
    assert fragment in str(error)


def test_legacy_endpoint_names_resolve_to_current_ones() -> None:
    assert endpoint("search").name == "search_mentions"
    assert (
        endpoint("aggregated_metrics").path
        == "/v3/ai_optimization/llm_mentions/target_metrics/live"
    )
    assert (
        endpoint("locations_and_languages").path
        == "/v3/ai_optimization/llm_mentions/locations_and_languages"
    )
    with pytest.raises(KeyError, match="search_mentions"):
        endpoint("nope")


def test_multi_target_groups_accept_the_old_field_name_and_check_each_target() -> None:
    spec = endpoint("cross_aggregated_metrics")
    assert spec.name == "multi_target_metrics"
    task = build_task(spec, targets=[{"aggregation_key": "a", "target": [{"keyword": "x"}]}])
    assert task == {"targets": [{"key": "a", "target": [{"keyword": "x"}]}]}
    error = refused(build_task, spec, targets=[{"key": "a", "target": [{"keyword": "x" * 2001}]}])
    assert error.field == "targets[0].target[0].keyword"
    assert error.limit == 2000
    assert (
        refused(build_task, spec, targets=[{"key": "k" * 251, "target": [{"keyword": "x"}]}]).field
        == "targets[0].key"
    )
    assert refused(build_task, spec, targets=[]).field == "targets"
    assert refused(build_task, spec, target=[{"keyword": "x"}]).field == "target"
