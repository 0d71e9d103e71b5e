"""Every engine end to end against the emulator, and the per-engine / per-model checks.

The checks that refuse a call must refuse it before the live call: each refusal test
asserts that the emulator saw no live task and charged nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_dataforseo import ChatDataForSEO, DataForSEOClient, DataForSEOInputError
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}


def in_process(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    params: dict[str, Any] = {
        **AUTH,
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    }
    return ChatDataForSEO(**{**params, **kwargs})


def flagged() -> Emulator:
    """An emulator whose models answers carry the ``reasoning`` flag (not the documented shape).

    The package decides the reasoning-model rules from that flag; the documented catalogue
    (the emulator's default) has none.
    """
    return Emulator(EmulatorConfig(models_shape="reasoning"))


def live_calls(emu: Emulator) -> int:
    calls = emu.ledger()["calls"]
    return sum(n for key, n in calls.items() if key.endswith("/live"))


@pytest.mark.parametrize(
    ("engine", "model", "extra"),
    [
        ("chat_gpt", "gpt-4o-mini", {"web_search": True}),
        ("claude", "claude-sonnet-4-5", {"web_search": True, "temperature": 0.5}),
        ("gemini", "gemini-2.5-flash", {"web_search": True}),
        ("perplexity", "sonar", {"web_search_country_iso_code": "US"}),
    ],
)
def test_each_engine_answers_with_sources(engine: str, model: str, extra: dict[str, Any]) -> None:
    emu = Emulator()
    message = in_process(emu, engine=engine, model=model, **extra).invoke("Best CRM for agencies?")
    meta = message.response_metadata
    assert meta["engine"] == engine
    assert meta["model_name"].startswith(model)
    assert message.text
    assert meta["annotations"]
    assert emu.ledger()["charges"][0]["engine"] == engine


@pytest.mark.parametrize(
    ("engine", "model"), [("claude", "claude-sonnet-4-5"), ("gemini", "gemini-2.5-flash")]
)
async def test_use_reasoning_returns_reasoning_on_claude_and_gemini(
    engine: str, model: str
) -> None:
    emu = Emulator()
    chat = in_process(emu, engine=engine, model=model, use_reasoning=True, max_tokens=2048)
    message = await chat.ainvoke("How should a 10-person agency pick a CRM?")
    assert message.additional_kwargs["reasoning"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"]["reasoning"] > 0  # type: ignore[typeddict-item]
    assert message.content_blocks[0]["type"] == "reasoning"


def test_gemini_citations_use_the_direct_url_and_keep_the_redirect() -> None:
    message = in_process(Emulator(), engine="gemini", web_search=True).invoke("Best CRM tools?")
    annotations = message.response_metadata["annotations"]
    assert all("direct_url" in a for a in annotations)
    (text_block,) = [b for b in message.content_blocks if b["type"] == "text"]
    citations = text_block["annotations"]
    assert [c["url"] for c in citations] == [a["direct_url"] for a in annotations]
    assert [c["extras"]["redirect_url"] for c in citations] == [a["url"] for a in annotations]
    assert all("vertexaisearch" in c["extras"]["redirect_url"] for c in citations)


def test_perplexity_alternating_history_is_accepted() -> None:
    history = [HumanMessage("Hi"), AIMessage("Hello!"), HumanMessage("Best CRM?")]
    message = in_process(Emulator(), engine="perplexity").invoke(history)
    assert isinstance(message, AIMessage)


REFUSALS: list[tuple[dict[str, Any], Any, str]] = [
    ({"engine": "perplexity", "web_search": True}, "Best CRM?", "web_search"),
    ({"engine": "claude", "temperature": 0.5, "top_p": 0.5}, "Best CRM?", "top_p"),
    ({"engine": "claude", "temperature": 1.5}, "Best CRM?", "temperature"),
    ({"engine": "gemini", "force_web_search": True, "web_search": True}, "q", "force_web_search"),
    ({"engine": "chat_gpt", "model": "o4-mini", "temperature": 0.3}, "Best CRM?", "temperature"),
    ({"engine": "chat_gpt", "model": "o4-mini", "max_tokens": 500}, "q", "max_output_tokens"),
    ({"engine": "chat_gpt", "model": "o3-mini", "web_search": True}, "Best CRM?", "web_search"),
    ({"engine": "claude", "model": "claude-3-haiku", "web_search": True}, "q", "web_search"),
    ({"engine": "claude", "model": "claude-3-haiku", "use_reasoning": True}, "q", "use_reasoning"),
    (
        {"engine": "claude", "use_reasoning": True, "max_tokens": 1024},
        "q",
        "max_output_tokens",
    ),
    ({"engine": "chat_gpt", "use_reasoning": True}, "Best CRM?", "use_reasoning"),
    ({"engine": "chat_gpt", "model": "gpt-4o-mni"}, "Best CRM?", "model_name"),
    ({"engine": "gemini", "model": "gemini-2.5-pro", "max_tokens": 500}, "q", "max_output_tokens"),
    (
        {"engine": "claude", "web_search": True, "web_search_country_iso_code": "UA"},
        "q",
        "web_search_country_iso_code",
    ),
    (
        {"engine": "chat_gpt", "web_search": True, "web_search_country_iso_code": "us"},
        "q",
        "web_search_country_iso_code",
    ),
    (
        {
            "engine": "chat_gpt",
            "web_search": True,
            "web_search_country_iso_code": "US",
            "web_search_city": "  ",
        },
        "q",
        "web_search_city",
    ),
    (
        {"engine": "chat_gpt", "method": "standard", "pingback_url": "ftp://example.com/p"},
        "q",
        "pingback_url",
    ),
    (
        {"engine": "perplexity"},
        [AIMessage("an answer first"), HumanMessage("then a question")],
        "message_chain[0].role",
    ),
]


@pytest.mark.parametrize(("settings", "prompt", "field"), REFUSALS)
def test_what_an_engine_or_model_lacks_is_refused_before_the_live_call(
    settings: dict[str, Any], prompt: Any, field: str
) -> None:
    emu = flagged()
    with pytest.raises(DataForSEOInputError) as info:
        in_process(emu, **settings).invoke(prompt)
    assert info.value.field == field
    assert live_calls(emu) == 0
    assert emu.ledger()["charges"] == []


def test_validation_can_be_switched_off_and_the_api_then_refuses() -> None:
    emu = Emulator()
    model = in_process(emu, model="o4-mini", temperature=0.3, validate_model=False)
    with pytest.raises(Exception, match="40501") as info:
        model.invoke("Best CRM?")
    assert getattr(info.value, "status_code", None) == 40501
    assert live_calls(emu) == 1


def test_unreachable_catalogue_falls_back_to_static_rules_with_a_warning() -> None:
    emu = Emulator()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(500, content=b"down")
        return EmulatorTransport(emu).handle_request(request)

    model = ChatDataForSEO(
        **AUTH,
        base_url="http://127.0.0.1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.warns(UserWarning, match="static engine rules"):
        message = model.invoke("Best CRM?")
    assert message.text
    with (
        pytest.warns(UserWarning, match="static engine rules"),
        pytest.raises(DataForSEOInputError),  # the static rules still apply
    ):
        model.invoke("Best CRM?", temperature=9)


@pytest.mark.parametrize("engine", ["chat_gpt", "claude", "gemini", "perplexity"])
async def test_list_models_gives_typed_records_for_each_engine(engine: str) -> None:
    emu = flagged()
    model = in_process(emu, engine=engine)
    records = model.list_models()
    assert records
    assert records == await model.alist_models()
    assert emu.ledger()["calls"][f"{engine}/models"] == 1  # the second came from the cache
    assert all(isinstance(r.model_name, str) for r in records)
    assert any(r.reasoning for r in records)
    if engine == "perplexity":
        assert not any(r.task_post_supported for r in records)


def test_client_lists_any_engine_and_caches_for_its_ttl() -> None:
    emu = Emulator()
    client = DataForSEOClient(
        **AUTH,
        base_url="http://127.0.0.1",
        models_cache_ttl=0,
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
    )
    names = [r.model_name for r in client.list_models("claude")]
    assert "claude-3-haiku-20240307" in names
    client.list_models("claude")
    assert emu.ledger()["calls"]["claude/models"] == 2  # ttl 0: fetched again
