from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport

from .conftest import AUTH, live, task0


def result(client: httpx.Client, engine: str, **task: Any) -> dict[str, Any]:
    t = task0(live(client, engine, task))
    assert t["status_code"] == 20000, t["status_message"]
    r: dict[str, Any] = t["result"][0]
    return r


def message(r: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = r["items"][-1]["sections"][0]
    return section


@pytest.mark.parametrize(
    ("engine", "sent", "resolved"),
    [
        ("chat_gpt", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        ("chat_gpt", "gpt-4.1", "gpt-4.1-2025-04-14"),
        ("chat_gpt", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18"),
        ("chat_gpt", "o3-mini", "o3-mini-2025-01-31"),
        ("claude", "claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("gemini", "gemini-1.5-pro", "gemini-1.5-pro-002"),
        ("gemini", "gemini-2.5-flash", "gemini-2.5-flash"),
        ("perplexity", "sonar-pro", "sonar-pro"),
    ],
)
def test_model_resolution(
    local_client: httpx.Client, engine: str, sent: str, resolved: str
) -> None:
    extra: dict[str, Any] = {"max_output_tokens": 2048} if sent.startswith("o") else {}
    t = task0(
        live(local_client, engine, {"user_prompt": "hello world", "model_name": sent, **extra})
    )
    assert t["result"][0]["model_name"] == resolved
    assert t["data"]["model_name"] == sent


def test_models_endpoint_lists_versioned_names_in_the_reasoning_shape() -> None:
    emu = Emulator(EmulatorConfig(models_shape="reasoning"))
    with httpx.Client(
        transport=EmulatorTransport(emu), base_url="http://emulator.local", auth=AUTH
    ) as local_client:
        body = local_client.get("/v3/ai_optimization/chat_gpt/llm_responses/models").json()
    models = {m["model_name"]: m for m in task0(body)["result"]}
    assert "gpt-4.1-mini" not in models, "the reasoning shape lists dated names only"
    assert models["o3-mini-2025-01-31"] == {
        "model_name": "o3-mini-2025-01-31",
        "reasoning": True,
        "web_search_supported": False,
        "task_post_supported": True,
    }
    assert models["o4-mini-2025-04-16"]["web_search_supported"] is True


def test_deterministic_answers(client: httpx.Client, clock: Any) -> None:
    task = {
        "user_prompt": "Best hiking boots for winter?",
        "model_name": "gpt-4.1-mini",
        "web_search": True,
    }
    first = result(client, "chat_gpt", **task)
    clock.advance(3600)
    second = result(client, "chat_gpt", **task, tag="different tag")
    assert first["items"] == second["items"]
    assert first.get("fan_out_queries") == second.get("fan_out_queries")
    assert first["money_spent"] == second["money_spent"]
    assert first["datetime"] != second["datetime"]
    other = result(client, "chat_gpt", **{**task, "user_prompt": "Cheapest flights to Tokyo"})
    assert message(other)["text"] != message(first)["text"]
    assert "hiking boots" in message(first)["text"].lower()
    assert "tokyo" in message(other)["text"].lower()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00", first["datetime"])


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini"])
def test_no_web_search_means_null_annotations(local_client: httpx.Client, engine: str) -> None:
    model = {"chat_gpt": "gpt-4o", "claude": "claude-haiku-4-5", "gemini": "gemini-2.5-flash"}[
        engine
    ]
    r = result(local_client, engine, user_prompt="vegan protein sources", model_name=model)
    assert r["web_search"] is False
    assert message(r)["annotations"] is None
    assert r.get("fan_out_queries") is None  # null, or absent as in the documented example
    assert r.get("reasoning_tokens", 0) == 0
    assert [i["type"] for i in r["items"]] == ["message"]


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
def test_web_search_annotations_and_fan_out(local_client: httpx.Client, engine: str) -> None:
    model = {
        "chat_gpt": "gpt-4o",
        "claude": "claude-sonnet-4-5",
        "gemini": "gemini-2.5-flash",
        "perplexity": "sonar",
    }[engine]
    extra = {} if engine == "perplexity" else {"web_search": True}
    for prompt in [
        "vegan protein sources",
        "kayak rental in Oslo",
        "how to learn rust",
        "CRM tools",
    ]:
        r = result(local_client, engine, user_prompt=prompt, model_name=model, **extra)
        assert r["web_search"] is True
        annotations = message(r)["annotations"]
        assert 2 <= len({a["url"] for a in annotations}) <= 4
        assert len(annotations) - len({a["url"] for a in annotations}) <= 1  # one may repeat
        if "fan_out_queries" in r:  # the documented example has none
            assert 2 <= len(r["fan_out_queries"]) <= 4
            assert all(isinstance(q, str) and q for q in r["fan_out_queries"])
        text = message(r)["text"]
        for a in annotations:
            assert a["title"]
            assert a["url"].startswith("https://")
            if engine == "chat_gpt":
                assert a["url"].endswith("?utm_source=openai")
                assert ("start_index" in a) == ("end_index" in a)
                if "start_index" in a:  # the documented example has only title and url
                    cited = text[a["start_index"] : a["end_index"]]
                    assert cited.startswith("[")
                    assert cited.endswith(f"({a['url']})")
            if engine == "gemini":
                assert a["url"].startswith(
                    "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                )
                assert "/" not in a["title"]
                assert "." in a["title"]
                assert a["direct_url"].startswith("https://")
                assert a["title"] in a["direct_url"]
            else:
                assert "direct_url" not in a


@pytest.mark.parametrize(
    ("engine", "task"),
    [
        ("chat_gpt", {"model_name": "o4-mini", "max_output_tokens": 2048}),
        ("chat_gpt", {"model_name": "gpt-5"}),
        ("claude", {"model_name": "claude-sonnet-4-5", "use_reasoning": True}),
        ("gemini", {"model_name": "gemini-2.5-flash", "use_reasoning": True}),
        ("gemini", {"model_name": "gemini-2.5-pro"}),  # Pro: use_reasoning automatic
    ],
)
def test_reasoning_items(local_client: httpx.Client, engine: str, task: dict[str, Any]) -> None:
    r = result(local_client, engine, user_prompt="CRM price for 12 seats", **task)
    assert [i["type"] for i in r["items"]] == ["reasoning", "message"]
    sections = r["items"][0]["sections"]
    assert sections
    assert all(s["type"] == "summary_text" and s["text"] for s in sections)
    assert r["reasoning_tokens"] > 0
    assert r["output_tokens"] > r["reasoning_tokens"]


def test_claude_without_use_reasoning_has_no_reasoning(local_client: httpx.Client) -> None:
    r = result(local_client, "claude", user_prompt="x y z", model_name="claude-sonnet-4-5")
    assert r.get("reasoning_tokens", 0) == 0
    assert [i["type"] for i in r["items"]] == ["message"]


def test_perplexity_reasoning_models(local_client: httpx.Client) -> None:
    r = result(local_client, "perplexity", user_prompt="x y z", model_name="sonar-reasoning")
    assert r["reasoning_tokens"] > 0
    assert [i["type"] for i in r["items"]] == ["message"]


def test_max_output_tokens_shortens(local_client: httpx.Client) -> None:
    long = result(
        local_client, "claude", user_prompt="espresso machines", model_name="claude-3-haiku"
    )
    short = result(
        local_client,
        "claude",
        user_prompt="espresso machines",
        model_name="claude-3-haiku",
        max_output_tokens=12,
    )
    assert len(message(short)["text"]) < len(message(long)["text"])
    assert short["output_tokens"] <= 12
    assert long["output_tokens"] > 12


def test_cost_arithmetic(client: httpx.Client, emu: Emulator) -> None:
    costs = []
    for engine, model, extra in [
        ("chat_gpt", "gpt-4.1-mini", {"web_search": True}),
        ("claude", "claude-opus-4-0", {}),
        ("gemini", "gemini-2.5-pro", {}),
        ("perplexity", "sonar-pro", {}),
    ]:
        body = live(
            client, engine, {"user_prompt": "pricing of CRM tools", "model_name": model, **extra}
        )
        t = task0(body)
        r = t["result"][0]
        assert r["input_tokens"] > 0
        assert r["output_tokens"] > 0
        assert r["money_spent"] > 0
        assert t["cost"] == round(0.0006 + r["money_spent"], 7)
        assert body["cost"] == t["cost"]
        costs.append(t["cost"])
    ledger = emu.ledger()
    assert [c["cost"] for c in ledger["charges"]] == costs
    assert [c["method"] for c in ledger["charges"]] == ["live"] * 4
    assert ledger["charged_total"] == round(sum(costs), 7)


def test_money_spent_uses_model_prices(local_client: httpx.Client) -> None:
    cheap = result(local_client, "chat_gpt", user_prompt="garden tools", model_name="gpt-4o-mini")
    dear = result(local_client, "chat_gpt", user_prompt="garden tools", model_name="gpt-4o")
    assert dear["money_spent"] > cheap["money_spent"]
