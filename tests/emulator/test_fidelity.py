"""The emulator answers as DataForSEO documents, not as our parser would like (issue 19).

Sources of the shapes checked here: the ChatGPT and Claude ``models`` answers and the
ChatGPT ``llm_responses/live`` answer as the docs showed them in October 2025 (quoted in
issue 19: aliases beside dated names, no ``reasoning`` field, envelope ``cost`` integer 0;
no ``reasoning_tokens``, no ``fan_out_queries``, annotations with only ``title`` and
``url``, two identical annotations), and the official client 2.1.10 models (which have
every one of those optional fields).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.emulator.__main__ import build_parser

from .conftest import AUTH, live, path, task0

DOCUMENTED_NAMES = {
    "chat_gpt": {"gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "o4-mini", "o3-mini", "o1-pro"},
    "claude": {
        "claude-sonnet-4-0",
        "claude-sonnet-4-20250514",
        "claude-3-7-sonnet-latest",
        "claude-3-5-haiku-latest",
    },
}


def client_of(**config: Any) -> httpx.Client:
    emu = Emulator(EmulatorConfig(**config))
    return httpx.Client(
        transport=EmulatorTransport(emu), base_url="http://emulator.local", auth=AUTH
    )


# --------------------------------------------------------------------------- point 9: models


@pytest.mark.parametrize("engine", ["chat_gpt", "claude"])
def test_models_answer_has_the_documented_shape_by_default(engine: str) -> None:
    with client_of() as client:
        response = client.get(path(engine, "models"))
    body = response.json()
    entries = task0(body)["result"]
    names = {entry["model_name"] for entry in entries}
    assert names >= DOCUMENTED_NAMES[engine]
    for entry in entries:
        assert set(entry) == {"model_name", "web_search_supported", "task_post_supported"}
    assert body["cost"] == 0
    assert type(body["cost"]) is int
    assert b'"cost":0,' in response.content  # integer 0 on the wire, not 0.0


def test_models_answer_in_the_reasoning_shape_lists_dated_names_with_the_flag() -> None:
    with client_of(models_shape="reasoning") as client:
        entries = task0(client.get(path("chat_gpt", "models")).json())["result"]
    flags = {entry["model_name"]: entry["reasoning"] for entry in entries}
    assert flags["o4-mini-2025-04-16"] is True
    assert flags["gpt-4.1-mini-2025-04-14"] is False
    assert "gpt-4.1-mini" not in flags


def test_models_shape_is_checked_and_has_a_cli_option() -> None:
    with pytest.raises(ValueError, match="models_shape"):
        EmulatorConfig(models_shape="sdk-3")
    assert build_parser().parse_args([]).models_shape == "documented"
    assert build_parser().parse_args(["--models-shape", "reasoning"]).models_shape == "reasoning"


@pytest.mark.parametrize(
    ("engine", "alias", "dated", "extra"),
    [
        ("claude", "claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219", {}),
        ("claude", "claude-3-5-haiku-latest", "claude-3-5-haiku-20241022", {}),
        ("claude", "claude-sonnet-4-0", "claude-sonnet-4-20250514", {}),
        ("chat_gpt", "o1-pro", "o1-pro-2025-03-19", {"max_output_tokens": 2048}),
    ],
)
def test_listed_aliases_are_served(engine: str, alias: str, dated: str, extra: Any) -> None:
    with client_of() as client:
        task = task0(live(client, engine, {"user_prompt": "hi", "model_name": alias, **extra}))
    assert task["status_code"] == 20000, task["status_message"]
    assert task["result"][0]["model_name"] == dated


# --------------------------------------------------------------------------- point 10: variety

PROMPTS = [f"question number {i} about garden tools" for i in range(40)]


def _answers(engine: str, model: str, **extra: Any) -> list[dict[str, Any]]:
    with client_of() as client:
        return [
            task0(live(client, engine, {"user_prompt": p, "model_name": model, **extra}))["result"][
                0
            ]
            for p in PROMPTS
        ]


def test_optional_parts_vary_so_that_both_shapes_are_met() -> None:
    answers = _answers("chat_gpt", "gpt-4.1-mini", web_search=True)
    notes = [a["items"][-1]["sections"][0]["annotations"] for a in answers]
    with_usage = [a for a in answers if "reasoning_tokens" in a]
    assert 0 < len(with_usage) < len(answers)
    assert all(a["reasoning_tokens"] == 0 for a in with_usage)
    with_fan_out = [a for a in answers if "fan_out_queries" in a]
    assert 0 < len(with_fan_out) < len(answers)
    indexed = [n for n in notes if all("start_index" in a for a in n)]
    bare = [n for n in notes if all(set(a) == {"title", "url"} for a in n)]
    assert indexed
    assert bare
    assert len(indexed) + len(bare) == len(notes)
    repeated = [n for n in notes if len({a["url"] for a in n}) < len(n)]
    assert repeated, "some answers repeat an identical annotation"
    for n in repeated:
        assert any(n[i] == n[i + 1] for i in range(len(n) - 1))


def test_the_variety_is_deterministic_per_task() -> None:
    assert _answers("chat_gpt", "gpt-4.1-mini", web_search=True) == _answers(
        "chat_gpt", "gpt-4.1-mini", web_search=True
    )


def test_reasoning_answers_always_report_their_reasoning_tokens() -> None:
    answers = _answers("chat_gpt", "o4-mini", max_output_tokens=2048)
    assert all(a["reasoning_tokens"] > 0 for a in answers)


def test_brand_answers_vary_but_never_repeat_a_citation() -> None:
    catalogue = BrandCatalogue.from_dict(
        {
            "brands": [{"name": "Acme", "mention_probability": 0.5}],
            "domains": [{"domain": "acme.com", "citation_rate": 0.9}],
        }
    )
    with client_of(brand_catalogue=catalogue) as client:
        answers = [
            task0(
                live(
                    client,
                    "chat_gpt",
                    {
                        "user_prompt": "best garden tools",
                        "model_name": "gpt-4.1-mini",
                        "web_search": True,
                        "tag": f"s{i}",
                    },
                )
            )["result"][0]
            for i in range(40)
        ]
    assert 0 < sum("fan_out_queries" in a for a in answers) < len(answers)
    for a in answers:
        notes = a["items"][-1]["sections"][0]["annotations"] or []
        assert len({n["url"] for n in notes}) == len(notes)


# --------------------------------------------------------------------------- point 12: JSON


def test_json_answer_follows_refs_unions_enums_and_bounds() -> None:
    from langchain_dataforseo.emulator._responses import asks_for_json, json_answer

    schema = {
        "$defs": {"Item": {"type": "object", "properties": {"tool_name": {"type": "string"}}}},
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 2},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "number", "maximum": 1}]},
            "size": {"enum": ["s", "m"]},
            "fixed": {"const": 7},
            "brands": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
        },
    }
    system = "Reply with only one JSON object, valid for this JSON Schema: " + json.dumps(schema)
    assert asks_for_json(system)
    assert not asks_for_json("Answer briefly.")
    body = json.loads(json_answer(system, ["One sentence."], ["Acme", "Globex"], b"\x05" * 32))
    assert len(body["items"]) >= 2
    assert all(item["tool_name"] in {"Acme", "Globex"} for item in body["items"])
    assert 0 <= body["maybe"] <= 1
    assert body["size"] in {"s", "m"}
    assert body["fixed"] == 7
    assert body["brands"] == ["Acme"]
    plain = json.loads(json_answer("Answer in JSON.", ["A.", "B."], [], b"\x01"))
    assert plain == {"answer": "A. B."}


# --------------------------------------------------------------------------- point 12: prose


@pytest.mark.parametrize("with_catalogue", [False, True])
def test_answers_read_as_sentences_not_keyword_salad(with_catalogue: bool) -> None:
    catalogue = BrandCatalogue.from_dict({"brands": [{"name": "Acme", "mention_probability": 1.0}]})
    config: dict[str, Any] = {"brand_catalogue": catalogue} if with_catalogue else {}
    prompt = "Which CRM do you recommend for a 10-person marketing agency?"
    with client_of(**config) as client:
        body = live(client, "claude", {"user_prompt": prompt, "model_name": "claude-haiku-4-5"})
    text = task0(body)["result"][0]["items"][-1]["sections"][0]["text"]
    assert "CRM for a 10-person marketing agency" in text  # the prompt's words, in order
    assert "crm recommend" not in text.lower()  # not its keywords strung together
    for line in text.splitlines():
        assert line[-1] in ".:", line
    if with_catalogue:
        assert "1. **Acme** is " in text
