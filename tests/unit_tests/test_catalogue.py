"""Tests for ``_catalogue``: the models endpoint's records and the model-aware rules."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_dataforseo._api.catalogue import (
    ModelRecord,
    base_name,
    check_model_rules,
    close_names,
    find_model,
    parse_models,
)
from langchain_dataforseo._api.request import TaskSettings
from langchain_dataforseo.emulator._responses import catalogue as emulator_catalogue
from langchain_dataforseo.emulator._responses import models_result, resolve_model
from langchain_dataforseo.errors import DataForSEOInputError, DataForSEOInputWarning
from tests.unit_tests.helpers import example


def record(
    name: str,
    reasoning: bool | None = False,
    web_search: bool | None = True,
    task_post: bool | None = True,
) -> ModelRecord:
    return ModelRecord(name, reasoning, web_search, task_post)


def chat_gpt_records() -> list[ModelRecord]:
    """Example 5.1 (gpt-4.1-mini, gpt-4o, o3-mini, o4-mini) plus o1."""
    return [
        *parse_models(example("5.1_models")["tasks"][0]),
        record("o1-2024-12-17", reasoning=True),
    ]


CLAUDE = [
    record("claude-opus-4-20250514", reasoning=True),
    record("claude-haiku-4-5-20251001", reasoning=True),
    record("claude-3-haiku-20240307", reasoning=False, web_search=False, task_post=False),
]
GEMINI = [record("gemini-2.5-pro", reasoning=True), record("gemini-1.5-pro-002")]


def refusal(engine: str, records: list[ModelRecord], **kwargs: Any) -> DataForSEOInputError:
    standard = kwargs.pop("standard", False)
    with pytest.raises(DataForSEOInputError) as info:
        check_model_rules(engine, records, TaskSettings(**kwargs), standard=standard)
    return info.value


def accepted(engine: str, records: list[ModelRecord], **kwargs: Any) -> ModelRecord:
    standard = kwargs.pop("standard", False)
    return check_model_rules(engine, records, TaskSettings(**kwargs), standard=standard)


# --------------------------------------------------------------------------- parse_models


def test_parse_models_reads_the_reference_example_with_its_flags() -> None:
    records = parse_models(example("5.1_models")["tasks"][0])
    assert records == [
        ModelRecord("gpt-4.1-mini-2025-04-14", False, True, True),
        ModelRecord("gpt-4o-2024-08-06", False, True, True),
        ModelRecord("o3-mini-2025-01-31", True, False, True),
        ModelRecord("o4-mini-2025-04-16", True, True, True),
    ]


def test_parse_models_skips_malformed_entries_and_unknown_flags() -> None:
    task = {
        "result": [
            None,
            "gpt-4o",
            {"reasoning": True},
            {"model_name": ""},
            {"model_name": 42},
            {"model_name": "kept", "reasoning": "yes", "web_search_supported": 1},
            {"model_name": "flags", "reasoning": True, "task_post_supported": False},
        ]
    }
    assert parse_models(task) == [
        ModelRecord("kept", None, None, None),
        ModelRecord("flags", True, None, False),
    ]


@pytest.mark.parametrize("task", [{"result": None}, {}, {"result": {"model_name": "x"}}])
def test_parse_models_of_no_result_list_is_empty(task: dict[str, Any]) -> None:
    assert parse_models(task) == []


# --------------------------------------------------------------------------- find_model


def _found(records: list[ModelRecord], name: str) -> str | None:
    hit = find_model(records, name)
    return hit.model_name if hit else None


@pytest.mark.parametrize(
    ("records", "name", "expected"),
    [
        (chat_gpt_records(), "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        (chat_gpt_records(), "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        (chat_gpt_records(), "gpt-4o", "gpt-4o-2024-08-06"),
        (chat_gpt_records(), "o3-mini", "o3-mini-2025-01-31"),
        (CLAUDE, "claude-opus-4-0", "claude-opus-4-20250514"),
        (GEMINI, "gemini-1.5-pro", "gemini-1.5-pro-002"),
        (GEMINI, "gemini-2.5-pro", "gemini-2.5-pro"),
    ],
)
def test_find_model_resolves_exact_and_base_names(
    records: list[ModelRecord], name: str, expected: str
) -> None:
    assert _found(records, name) == expected


def test_find_model_prefers_the_exact_name_over_a_versioned_one() -> None:
    records = [record("gemini-2.5-pro-001"), record("gemini-2.5-pro", reasoning=True)]
    hit = find_model(records, "gemini-2.5-pro")
    assert hit is records[1]


def test_find_model_picks_the_newest_version_of_a_base_name() -> None:
    records = [
        record("gpt-4o-2024-05-13"),
        record("gpt-4o-2024-11-20"),
        record("gpt-4o-2024-08-06"),
    ]
    assert _found(records, "gpt-4o") == "gpt-4o-2024-11-20"


@pytest.mark.parametrize(
    ("catalogue", "name"),
    [
        (["gpt-4o-mini-2024-07-18"], "gpt-4o"),
        (["gpt-4.1-mini-2025-04-14"], "gpt-4.1"),
        (["o3-mini-2025-01-31"], "o3"),
        (["gemini-2.5-flash"], "gemini-2.5"),
        (["gpt-4o-2024-08-06"], "gpt-4o-mini"),
        (["gpt-4o-2024-08-06"], "nonexistent"),
        ([], "gpt-4o"),
    ],
)
def test_find_model_never_matches_another_model_sharing_a_prefix(
    catalogue: list[str], name: str
) -> None:
    assert find_model([record(n) for n in catalogue], name) is None


@pytest.mark.parametrize(
    ("catalogue", "name", "expected"),
    [
        (
            ["claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929"],
            "claude-sonnet-4-0",
            "claude-sonnet-4-20250514",
        ),
        (
            ["claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929"],
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929",
        ),
        (["claude-opus-4-1-20250805"], "claude-opus-4-0", None),
    ],
)
def test_find_model_does_not_take_a_minor_version_for_a_release_date(
    catalogue: list[str], name: str, expected: str | None
) -> None:
    assert _found([record(n) for n in catalogue], name) == expected


@pytest.mark.parametrize(
    ("versioned", "base"),
    [
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("claude-opus-4-20250514", "claude-opus-4-0"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4-0"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("claude-3-haiku-20240307", "claude-3-haiku"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("gemini-1.5-pro-002", "gemini-1.5-pro"),
        ("gemini-2.5-pro", None),
        ("sonar-reasoning-pro", None),
    ],
)
def test_base_name_follows_the_references_examples(versioned: str, base: str | None) -> None:
    assert base_name(versioned) == base


@pytest.mark.parametrize(
    ("catalogue", "name"),
    [
        (["claude-opus-4-20250514"], "claude-opus-4"),  # the reference names it ...-4-0
        (["claude-sonnet-4-5-20250929"], "claude-sonnet-4-5-0"),  # -0 only for "x.0"
        (["claude-haiku-4-5-20251001"], "claude-haiku-4-5-0"),
        (["gpt-4.1-2025-04-14"], "gpt-4.1-0"),
        (["gpt-4o-2024-08-06"], "gpt-4o-0"),
        (["gemini-1.5-pro-002"], "gemini-1.5-pro-0"),
        (["claude-3-haiku-20240307"], "claude-3-haiku-0"),
        (["gpt-4o-2024-08-06"], "gpt-4o-2024"),
        (["gpt-4o-2024-08-06"], "gpt-4o-2024-08"),
    ],
)
def test_find_model_refuses_names_the_api_does_not_resolve(catalogue: list[str], name: str) -> None:
    assert find_model([record(n) for n in catalogue], name) is None


def _emulator_names(engine: str) -> list[str]:
    names: list[str] = []
    for model in emulator_catalogue(engine):
        base = model.base_name
        names += [model.name, base, f"{base}-0", base.removesuffix("-0"), f"{model.name}-0"]
        names += [f"{base}-latest", base.rsplit("-", 1)[0]]
    return sorted(set(names))


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
def test_client_and_emulator_resolve_every_name_alike(engine: str) -> None:
    for model in emulator_catalogue(engine):
        assert (base_name(model.name) or model.name) == model.base_name
    # both shapes of the emulator's models answer: dated names only (with ``reasoning``),
    # and the documented one, which lists aliases beside the dated names
    for shape in ("reasoning", "documented"):
        records = [record(entry["model_name"]) for entry in models_result(engine, shape)]
        for name in _emulator_names(engine):
            client = find_model(records, name)
            found = resolve_model(engine, client.model_name) if client else None
            emulated = resolve_model(engine, name)
            if shape == "reasoning" and name in {
                a for m in emulator_catalogue(engine) for a in m.aliases
            }:
                continue  # an alias the dated-names-only shape does not list
            assert (found.name if found else None) == (emulated.name if emulated else None), (
                shape,
                name,
            )


# --------------------------------------------------------------------------- close_names


def test_close_names_lists_the_closest_catalogue_names_best_first() -> None:
    names = close_names(chat_gpt_records(), "gpt-4.1-mini-2025-04-15")
    assert names[0] == "gpt-4.1-mini-2025-04-14"
    assert set(names) <= {r.model_name for r in chat_gpt_records()}


def test_close_names_respects_the_limit_and_finds_nothing_for_nonsense() -> None:
    records = [record(f"gpt-4o-2024-0{i}-01") for i in range(1, 10)]
    assert len(close_names(records, "gpt-4o-2024", limit=3)) == 3
    assert close_names(records, "zzzzzzzzzzzzzzzz") == []


# --------------------------------------------------------------------------- check_model_rules


def test_check_model_rules_returns_the_resolved_record() -> None:
    hit = accepted("chat_gpt", chat_gpt_records(), model_name="gpt-4.1-mini")
    assert hit.model_name == "gpt-4.1-mini-2025-04-14"


def test_unknown_model_error_lists_the_closest_names() -> None:
    error = refusal("chat_gpt", chat_gpt_records(), model_name="gpt-4.1-mnii")
    assert error.field == "model_name"
    assert error.actual == "gpt-4.1-mnii"
    assert isinstance(error.limit, list)
    assert "gpt-4.1-mini-2025-04-14" in error.limit
    assert "Closest: gpt-4.1-mini-2025-04-14" in str(error)
    assert "chat_gpt catalogue" in str(error)
    assert "validate_model=False" in str(error)


def test_unknown_model_with_nothing_close_says_no_closest() -> None:
    error = refusal("chat_gpt", chat_gpt_records(), model_name="zzzzzzzzzzzz")
    assert error.limit == []
    assert "Closest" not in str(error)


def test_web_search_is_refused_on_a_model_without_it() -> None:
    error = refusal("chat_gpt", chat_gpt_records(), model_name="o3-mini", web_search=True)
    assert error.field == "web_search"
    assert "o3-mini-2025-01-31" in str(error)
    accepted("chat_gpt", chat_gpt_records(), model_name="o3-mini", web_search=False)
    accepted("chat_gpt", chat_gpt_records(), model_name="o4-mini", web_search=True)


@pytest.mark.parametrize(
    ("field", "value"), [("temperature", 0.5), ("top_p", 0.9), ("force_web_search", True)]
)
def test_chat_gpt_reasoning_model_refuses_sampling_and_forced_search(
    field: str, value: object
) -> None:
    error = refusal(
        "chat_gpt", chat_gpt_records(), model_name="o4-mini", web_search=True, **{field: value}
    )
    assert error.field == field
    assert error.actual == value
    # The same setting is fine on a model that does not reason.
    accepted("chat_gpt", chat_gpt_records(), model_name="gpt-4.1-mini", **{field: value})


def test_chat_gpt_reasoning_model_accepts_force_web_search_false() -> None:
    accepted("chat_gpt", chat_gpt_records(), model_name="o4-mini", force_web_search=False)


def test_chat_gpt_reasoning_model_refuses_max_output_tokens_below_1024() -> None:
    error = refusal("chat_gpt", chat_gpt_records(), model_name="o4-mini", max_output_tokens=1023)
    assert error.field == "max_output_tokens"
    assert error.limit == 1024
    assert error.actual == 1023
    accepted("chat_gpt", chat_gpt_records(), model_name="o4-mini", max_output_tokens=1024)
    accepted("chat_gpt", chat_gpt_records(), model_name="gpt-4.1-mini", max_output_tokens=16)


def test_claude_use_reasoning_is_refused_on_a_model_that_cannot_reason() -> None:
    error = refusal("claude", CLAUDE, model_name="claude-3-haiku", use_reasoning=True)
    assert error.field == "use_reasoning"
    assert "claude-3-haiku-20240307" in str(error)


def test_claude_use_reasoning_needs_at_least_1025_output_tokens() -> None:
    error = refusal(
        "claude", CLAUDE, model_name="claude-opus-4-0", use_reasoning=True, max_output_tokens=1024
    )
    assert error.field == "max_output_tokens"
    assert error.limit == 1025
    accepted(
        "claude", CLAUDE, model_name="claude-opus-4-0", use_reasoning=True, max_output_tokens=1025
    )


def test_claude_reasoning_model_without_use_reasoning_has_no_reasoning_limits() -> None:
    accepted("claude", CLAUDE, model_name="claude-opus-4-0", max_output_tokens=100, temperature=1)


def test_gemini_use_reasoning_needs_at_least_1024_output_tokens() -> None:
    error = refusal(
        "gemini", GEMINI, model_name="gemini-2.5-pro", use_reasoning=True, max_output_tokens=1023
    )
    assert error.limit == 1024


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("o3-mini", "web_search_country_iso_code", "US"),
        ("o3-mini", "web_search_city", "Paris"),
        ("o1", "web_search_country_iso_code", "DE"),
        ("o1-2024-12-17", "web_search_city", "Berlin"),
    ],
)
def test_chat_gpt_o3_mini_and_o1_refuse_a_search_location(
    model: str, field: str, value: str
) -> None:
    error = refusal("chat_gpt", chat_gpt_records(), model_name=model, **{field: value})
    assert error.field == field
    assert error.actual == value


def test_other_chat_gpt_models_accept_a_search_location() -> None:
    accepted(
        "chat_gpt",
        chat_gpt_records(),
        model_name="o4-mini",
        web_search=True,
        web_search_country_iso_code="US",
        web_search_city="Boston",
    )


def test_standard_method_is_refused_on_a_model_without_task_post() -> None:
    error = refusal("claude", CLAUDE, model_name="claude-3-haiku", standard=True)
    assert error.field == "method"
    assert error.actual == "standard"
    accepted("claude", CLAUDE, model_name="claude-3-haiku", standard=False)


def test_unknown_flags_do_not_refuse_anything() -> None:
    # No flag and no family row: sent, with one warning naming what a reasoning model refuses.
    records = [ModelRecord("mystery-model", None, None, None)]
    with pytest.warns(DataForSEOInputWarning) as seen:
        hit = accepted(
            "chat_gpt",
            records,
            model_name="mystery-model",
            web_search=True,
            temperature=0.3,
            top_p=0.5,
            force_web_search=True,
            max_output_tokens=16,
            standard=True,
        )
    assert hit is records[0]
    assert len(seen) == 1
    assert "temperature=0.3, top_p=0.5, force_web_search=True, max_output_tokens=16" in str(
        seen[0].message
    )
    with pytest.warns(DataForSEOInputWarning, match="use_reasoning=True is sent"):
        accepted("claude", records, model_name="mystery-model", use_reasoning=True, standard=True)
