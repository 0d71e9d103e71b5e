from __future__ import annotations

from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import Emulator

from .conftest import MODEL, live, path, task0

LONG = "x" * 501

# (engine, extra fields, expected code, expected field)
CASES: list[tuple[str, dict[str, Any], int, str]] = [
    # required / types / lengths — every engine
    *[(e, {"user_prompt": None}, 40501, "user_prompt") for e in MODEL],
    *[(e, {"model_name": None}, 40501, "model_name") for e in MODEL],
    *[(e, {"model_name": "no-such-model"}, 40501, "model_name") for e in MODEL],
    *[(e, {"user_prompt": LONG}, 40501, "user_prompt") for e in MODEL],
    *[(e, {"user_prompt": ""}, 40501, "user_prompt") for e in MODEL],
    *[(e, {"user_prompt": 5}, 40501, "user_prompt") for e in MODEL],
    *[(e, {"system_message": LONG}, 40501, "system_message") for e in MODEL],
    *[(e, {"tag": "t" * 256}, 40501, "tag") for e in MODEL],
    *[(e, {"max_output_tokens": 4097}, 40501, "max_output_tokens") for e in MODEL],
    *[(e, {"max_output_tokens": "100"}, 40501, "max_output_tokens") for e in MODEL],
    *[(e, {"max_output_tokens": 1.5}, 40501, "max_output_tokens") for e in MODEL],
    *[(e, {"top_p": 1.5}, 40501, "top_p") for e in MODEL],
    *[(e, {"temperature": "hot"}, 40501, "temperature") for e in MODEL],
    *[
        (e, {"message_chain": [{"role": "user", "message": "hi"}] * 11}, 40501, "message_chain")
        for e in MODEL
    ],
    *[
        (e, {"message_chain": [{"role": "assistant", "message": "hi"}]}, 40501, "message_chain")
        for e in MODEL
    ],
    *[
        (e, {"message_chain": [{"role": "user", "message": LONG}]}, 40501, "message_chain")
        for e in MODEL
    ],
    *[(e, {"message_chain": "hello"}, 40501, "message_chain") for e in MODEL],
    *[(e, {"postback_url": "http://127.0.0.1/x"}, 40506, "postback_url") for e in MODEL],
    *[(e, {"pingback_url": "http://127.0.0.1/x"}, 40506, "pingback_url") for e in MODEL],
    *[(e, {"bogus_field": 1}, 40506, "bogus_field") for e in MODEL],
    # ChatGPT
    ("chat_gpt", {"max_output_tokens": 15}, 40501, "max_output_tokens"),
    ("chat_gpt", {"temperature": 2.1}, 40501, "temperature"),
    ("chat_gpt", {"model_name": "o4-mini", "temperature": 0.5}, 40501, "temperature"),
    ("chat_gpt", {"model_name": "gpt-5", "top_p": 0.5}, 40501, "top_p"),
    ("chat_gpt", {"model_name": "o4-mini", "max_output_tokens": 1023}, 40501, "max_output_tokens"),
    (
        "chat_gpt",
        {"model_name": "o4-mini", "web_search": True, "force_web_search": True},
        40501,
        "force_web_search",
    ),
    ("chat_gpt", {"model_name": "o3-mini", "web_search": True}, 40501, "web_search"),
    ("chat_gpt", {"force_web_search": True}, 40501, "force_web_search"),
    ("chat_gpt", {"web_search_country_iso_code": "US"}, 40501, "web_search_country_iso_code"),
    ("chat_gpt", {"web_search": True, "web_search_city": "Paris"}, 40501, "web_search_city"),
    (
        "chat_gpt",
        {"web_search": True, "web_search_country_iso_code": "usa"},
        40501,
        "web_search_country_iso_code",
    ),
    ("chat_gpt", {"web_search": "yes"}, 40501, "web_search"),
    ("chat_gpt", {"use_reasoning": True}, 40506, "use_reasoning"),
    # Claude
    ("claude", {"temperature": 1.1}, 40501, "temperature"),
    ("claude", {"temperature": 0.5, "top_p": 0.5}, 40501, "top_p"),
    ("claude", {"use_reasoning": True, "temperature": 0.5}, 40501, "temperature"),
    ("claude", {"use_reasoning": True, "max_output_tokens": 1024}, 40501, "max_output_tokens"),
    (
        "claude",
        {"use_reasoning": True, "web_search": True, "force_web_search": True},
        40501,
        "force_web_search",
    ),
    ("claude", {"model_name": "claude-3-haiku", "use_reasoning": True}, 40501, "use_reasoning"),
    ("claude", {"model_name": "claude-3-haiku", "web_search": True}, 40501, "web_search"),
    (
        "claude",
        {"web_search": True, "web_search_country_iso_code": "XX"},
        40501,
        "web_search_country_iso_code",
    ),
    # Gemini
    ("gemini", {"temperature": 2.5}, 40501, "temperature"),
    ("gemini", {"use_reasoning": True, "max_output_tokens": 1000}, 40501, "max_output_tokens"),
    (
        "gemini",
        {"model_name": "gemini-2.5-pro", "max_output_tokens": 500},
        40501,
        "max_output_tokens",
    ),
    ("gemini", {"model_name": "gemini-1.5-pro", "use_reasoning": True}, 40501, "use_reasoning"),
    ("gemini", {"force_web_search": True}, 40506, "force_web_search"),
    ("gemini", {"web_search_country_iso_code": "US"}, 40506, "web_search_country_iso_code"),
    # Perplexity
    ("perplexity", {"web_search": True}, 40506, "web_search"),
    ("perplexity", {"web_search": False}, 40506, "web_search"),
    ("perplexity", {"temperature": 1.95}, 40501, "temperature"),
    ("perplexity", {"use_reasoning": True}, 40506, "use_reasoning"),
    ("perplexity", {"web_search_city": "Paris"}, 40506, "web_search_city"),
    (
        "perplexity",
        {"message_chain": [{"role": "ai", "message": "hi"}, {"role": "user", "message": "yo"}]},
        40501,
        "message_chain",
    ),
    (
        "perplexity",
        {"message_chain": [{"role": "user", "message": "a"}, {"role": "user", "message": "b"}]},
        40501,
        "message_chain",
    ),
]


@pytest.mark.parametrize(("engine", "extra", "code", "field"), CASES)
def test_validation_matrix(
    local_client: httpx.Client,
    emu: Emulator,
    engine: str,
    extra: dict[str, Any],
    code: int,
    field: str,
) -> None:
    task = {"user_prompt": "compare mortgage rates", "model_name": MODEL[engine], **extra}
    body = live(local_client, engine, task)
    assert body["status_code"] == 20000
    assert body["tasks_error"] == 1
    t = task0(body)
    assert t["status_code"] == code, t["status_message"]
    if code == 40501:
        assert t["status_message"] == f"Invalid Field: '{field}'."
    else:
        assert t["status_message"] == f"Unknown Fields in POST Data: {field}"
    assert t["cost"] == 0
    assert t["result"] is None
    assert body["cost"] == 0
    assert emu.ledger()["charges"] == []


VALID: list[tuple[str, dict[str, Any]]] = [
    # the docs' own example (temperature + top_p together is accepted for ChatGPT)
    (
        "chat_gpt",
        {
            "system_message": "communicate as if we are in a business meeting",
            "message_chain": [
                {"role": "user", "message": "Hello, what’s up?"},
                {"role": "ai", "message": "Hello! I’m doing well, thank you."},
            ],
            "max_output_tokens": 200,
            "temperature": 0.3,
            "top_p": 0.5,
            "web_search": True,
            "web_search_country_iso_code": "FR",
            "web_search_city": "Paris",
        },
    ),
    ("chat_gpt", {"model_name": "o4-mini", "max_output_tokens": 2048, "web_search": True}),
    ("chat_gpt", {"model_name": "gpt-4.1-mini-2025-04-14"}),
    ("chat_gpt", {"user_prompt": "é" * 500}),  # characters, not bytes
    ("chat_gpt", {"force_web_search": False}),
    ("claude", {"temperature": 1.0}),
    ("claude", {"top_p": 0.2}),
    ("claude", {"use_reasoning": True, "max_output_tokens": 1025, "force_web_search": False}),
    (
        "claude",
        {"web_search": True, "web_search_country_iso_code": "DE", "web_search_city": "Berlin"},
    ),
    ("gemini", {"temperature": 2.0, "top_p": 1.0, "max_output_tokens": 1}),
    ("gemini", {"model_name": "gemini-2.5-pro", "use_reasoning": False}),
    ("perplexity", {"web_search_country_iso_code": "US", "temperature": 1.9}),
    (
        "perplexity",
        {"message_chain": [{"role": "user", "message": "a"}, {"role": "ai", "message": "b"}]},
    ),
]


@pytest.mark.parametrize(("engine", "extra"), VALID)
def test_valid_requests(local_client: httpx.Client, engine: str, extra: dict[str, Any]) -> None:
    task = {"user_prompt": "compare mortgage rates", "model_name": MODEL[engine], **extra}
    t = task0(live(local_client, engine, task))
    assert t["status_code"] == 20000, t["status_message"]


@pytest.mark.parametrize("engine", list(MODEL))
def test_nulls_are_absent(local_client: httpx.Client, engine: str) -> None:
    """The official client sends null for every unset field."""
    fields = {
        "chat_gpt": [
            "web_search",
            "force_web_search",
            "web_search_country_iso_code",
            "web_search_city",
        ],
        "claude": ["web_search", "force_web_search", "use_reasoning", "web_search_city"],
        "gemini": ["web_search", "use_reasoning"],
        "perplexity": ["web_search_country_iso_code"],
    }[engine]
    task: dict[str, Any] = {
        "user_prompt": "hi",
        "model_name": MODEL[engine],
        "max_output_tokens": None,
        "temperature": None,
        "top_p": None,
        "system_message": None,
        "tag": None,
        "message_chain": None,
        **dict.fromkeys(fields),
    }
    t = task0(live(local_client, engine, task))
    assert t["status_code"] == 20000, t["status_message"]
    assert t["data"] == {
        "api": "ai_optimization",
        "function": "llm_responses",
        "se": engine,
        "user_prompt": "hi",
        "model_name": MODEL[engine],
    }


def test_perplexity_null_web_search_is_absent(local_client: httpx.Client) -> None:
    t = task0(
        live(
            local_client,
            "perplexity",
            {"user_prompt": "hi", "model_name": "sonar", "web_search": None},
        )
    )
    assert t["status_code"] == 20000


def test_task_post_validation_mixed(local_client: httpx.Client, emu: Emulator) -> None:
    body = local_client.post(
        path("claude", "task_post"),
        json=[
            {"user_prompt": "CRM for agencies", "model_name": "claude-sonnet-4-5", "tag": "q1"},
            {"model_name": "claude-haiku-4-5", "tag": "q3"},
            "not an object",
            {"user_prompt": "x", "model_name": "claude-haiku-4-5", "pingback_url": "ftp://x"},
        ],
    ).json()
    assert [t["status_code"] for t in body["tasks"]] == [20100, 40501, 40503, 40501]
    assert body["tasks"][1]["status_message"] == "Invalid Field: 'user_prompt'."
    assert body["tasks"][3]["status_message"] == "Invalid Field: 'pingback_url'."
    assert body["tasks_error"] == 3
    assert body["cost"] == 0.0102
    assert [c["id"] for c in emu.ledger()["charges"]] == [body["tasks"][0]["id"]]


def test_task_post_rejects_perplexity_only_models(local_client: httpx.Client) -> None:
    body = local_client.post(
        path("chat_gpt", "task_post"), json=[{"user_prompt": "x", "model_name": "sonar"}]
    ).json()
    assert task0(body)["status_message"] == "Invalid Field: 'model_name'."
