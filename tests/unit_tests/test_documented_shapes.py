"""Conformance: the package against DataForSEO's documented answer shapes (issue 19).

The fixtures (``tests/fixtures/documented_shapes``, each saying where its shape comes from)
are served by a tiny HTTP server on 127.0.0.1, so every call goes through the real client:
catalogues without a ``reasoning`` flag and with alias names, a live answer without
``reasoning_tokens`` / ``fan_out_queries``, duplicate annotations, a ``data`` echo without
``max_output_tokens``.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo._api.catalogue import (
    REASONING_FAMILIES,
    find_model,
    known_reasoning,
    parse_models,
)
from langchain_dataforseo.errors import DataForSEOInputError, DataForSEOInputWarning

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "documented_shapes"


def shape(name: str) -> dict[str, Any]:
    """One fixture: ``source``, ``request`` (when any) and ``response``."""
    loaded: dict[str, Any] = json.loads((SHAPES / name).read_text(encoding="utf-8"))
    return loaded


class Documented:
    """A loopback server answering with the documented shapes; it records what it got."""

    def __init__(self, live: str = "chat_gpt_live.json") -> None:
        self.live = live
        self.posts: list[tuple[str, Any]] = []
        self.gets: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                server.gets.append(self.path)
                engine = self.path.split("/")[3]
                self._send(shape(f"{engine}_models.json")["response"])

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                server.posts.append((self.path, body))
                self._send(shape(server.live)["response"])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[Documented]:
    served = Documented()
    yield served
    served.close()


def chat(api: Documented, **kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(login="login", password="password", base_url=api.base_url, **kwargs)


# --- point 1: the documented catalogues carry no reasoning flag ---------------------------


def test_documented_catalogues_have_aliases_and_no_reasoning_flag() -> None:
    for name in ("chat_gpt_models.json", "claude_models.json"):
        response = shape(name)["response"]
        assert response["cost"] == 0
        assert isinstance(response["cost"], int)
        records = parse_models(response["tasks"][0])
        assert records
        assert all(r.reasoning is None for r in records)
    chat_gpt = parse_models(shape("chat_gpt_models.json")["response"]["tasks"][0])
    assert find_model(chat_gpt, "gpt-4.1-mini") is not None
    assert find_model(chat_gpt, "gpt-4.1-mini-2025-04-14") is not None


@pytest.mark.parametrize(
    ("engine", "name", "reasons"),
    [
        ("chat_gpt", "o4-mini", True),
        ("chat_gpt", "o4-mini-2025-04-16", True),
        ("chat_gpt", "o3-mini-2025-01-31", True),
        ("chat_gpt", "o1-pro", True),
        ("chat_gpt", "gpt-5", True),
        ("chat_gpt", "gpt-5-mini-2025-08-07", True),
        ("chat_gpt", "gpt-5-chat-latest", False),
        ("chat_gpt", "gpt-4.1-mini", False),
        ("chat_gpt", "gpt-4.1-mini-2025-04-14", False),
        ("chat_gpt", "gpt-4o-2024-08-06", False),
        ("claude", "claude-sonnet-4-0", True),
        ("claude", "claude-sonnet-4-20250514", True),
        ("claude", "claude-3-7-sonnet-latest", True),
        ("claude", "claude-3-7-sonnet-20250219", True),
        ("claude", "claude-3-5-haiku-latest", False),
        ("claude", "claude-haiku-4-5", True),
        ("gemini", "gemini-2.5-pro", True),
        ("gemini", "gemini-1.5-pro-002", False),
        ("perplexity", "sonar-reasoning-pro", True),
        ("perplexity", "sonar-deep-research", True),
        ("perplexity", "sonar", False),
        ("chat_gpt", "gpt-9-mystery", None),
    ],
)
def test_the_reasoning_table_knows_aliases_and_dated_names(
    engine: str, name: str, reasons: bool | None
) -> None:
    assert known_reasoning(engine, name) is reasons


def test_every_reasoning_row_says_where_it_comes_from() -> None:
    assert all(row.source[:3] in ("[D]", "[C]", "[I]") for row in REASONING_FAMILIES)


@pytest.mark.parametrize("model", ["o4-mini", "o4-mini-2025-04-16", "o1-pro"])
def test_reasoning_model_temperature_is_refused_before_any_request(
    api: Documented, model: str
) -> None:
    llm = chat(api, model=model, temperature=0.3)
    with pytest.raises(DataForSEOInputError) as info:
        llm.invoke("What do 12 seats cost per year?")
    assert (info.value.field, info.value.actual) == ("temperature", 0.3)
    assert "reasoning models do not take it" in str(info.value)
    assert api.posts == []


def test_the_table_applies_when_the_catalogue_cannot_be_had() -> None:
    # Nothing listens on port 1: the catalogue fetch fails, the static rules remain.
    llm = ChatDataForSEO(
        login="l", password="p", base_url="http://127.0.0.1:1", model="o4-mini", max_retries=0
    )
    with (
        pytest.warns(UserWarning, match="static engine rules"),
        pytest.raises(DataForSEOInputError) as info,
    ):
        llm.invoke("hi", temperature=0.3)
    assert info.value.field == "temperature"


def test_validate_model_false_is_the_escape_hatch(api: Documented) -> None:
    # The table may be wrong ([I] rows): validate_model=False sends the task unchecked.
    chat(api, model="o4-mini", temperature=0.3, validate_model=False).invoke("hi")
    assert api.posts[0][1][0]["temperature"] == 0.3


def test_reasoning_model_max_tokens_below_1024_is_refused(api: Documented) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        chat(api, model="o4-mini", max_tokens=100).invoke("hi")
    assert (info.value.field, info.value.limit, info.value.actual) == (
        "max_output_tokens",
        1024,
        100,
    )
    assert api.posts == []


def test_claude_use_reasoning_on_a_model_that_cannot_reason_is_refused(api: Documented) -> None:
    llm = chat(api, engine="claude", model="claude-3-5-haiku-latest", use_reasoning=True)
    with pytest.raises(DataForSEOInputError) as info:
        llm.invoke("hi")
    assert info.value.field == "use_reasoning"
    assert api.posts == []


def test_claude_alias_reasoning_task_is_sent(api: Documented) -> None:
    llm = chat(
        api, engine="claude", model="claude-3-7-sonnet-latest", use_reasoning=True, max_tokens=1025
    )
    llm.invoke("hi")
    assert api.posts[0][1][0]["model_name"] == "claude-3-7-sonnet-latest"


def test_a_model_nobody_knows_is_sent_with_one_warning(api: Documented) -> None:
    llm = chat(api, model="gpt-4.5-preview", temperature=0.3)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.invoke("hi")
    ours = [w for w in seen if issubclass(w.category, DataForSEOInputWarning)]
    assert len(ours) == 1
    assert "gpt-4.5-preview" in str(ours[0].message)
    assert "temperature=0.3" in str(ours[0].message)
    assert api.posts[0][1][0]["temperature"] == 0.3


# --- the documented live answer, read whole -------------------------------------------------


def test_documented_request_is_sent_as_the_docs_write_it(api: Documented) -> None:
    # Point 7: temperature with top_p on ChatGPT (the docs' own example sends both) and a
    # search location; the answer's echo leaves max_output_tokens out.
    request = shape("chat_gpt_live.json")["request"][0]
    settings = {
        key: request[key]
        for key in ("temperature", "top_p", "web_search", "web_search_country_iso_code")
    }
    llm = chat(
        api,
        model=request["model_name"],
        max_tokens=request["max_output_tokens"],
        web_search_city=request["web_search_city"],
        **settings,
    )
    message = llm.invoke(request["user_prompt"])
    sent = api.posts[0][1][0]
    assert {key: sent[key] for key in settings} == settings
    meta = message.response_metadata
    assert len(meta["annotations"]) == 2
    assert meta["annotations"][0] == meta["annotations"][1]
    assert meta["fan_out_queries"] == []
    assert meta["finish_reason"] == "stop"  # web search may exceed the limit
    assert message.usage_metadata is not None
    assert "output_token_details" not in message.usage_metadata
    assert meta["model_name"] == "gpt-4.1-mini-2025-04-14"


def test_finish_reason_uses_the_limit_we_sent_not_the_echo() -> None:
    served = Documented(live="chat_gpt_live_at_limit.json")
    try:
        request = shape("chat_gpt_live_at_limit.json")["request"][0]
        echo = shape("chat_gpt_live_at_limit.json")["response"]["tasks"][0]["data"]
        assert "max_output_tokens" not in echo
        llm = chat(served, model=request["model_name"], max_tokens=request["max_output_tokens"])
        message = llm.invoke(request["user_prompt"])
        assert served.posts[0][1][0]["max_output_tokens"] == 200
        assert message.response_metadata["finish_reason"] == "length"
    finally:
        served.close()


def test_claude_search_location_without_web_search_is_sent(api: Documented) -> None:
    # Point 7: "web_search must also be enabled" is in ChatGPT's docs only.
    llm = chat(
        api,
        engine="claude",
        model="claude-sonnet-4-0",
        web_search_country_iso_code="FR",
        web_search_city="Paris",
    )
    llm.invoke("hi")
    sent = api.posts[0][1][0]
    assert (sent["web_search_country_iso_code"], sent["web_search_city"]) == ("FR", "Paris")
    assert "web_search" not in sent
