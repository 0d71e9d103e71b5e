"""The seed page's own request, rebuilt from LangChain messages, must match it exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_dataforseo._api.fields import engine_spec
from langchain_dataforseo._api.messages import layout_messages
from langchain_dataforseo._api.request import TaskSettings, build_task, encode_tasks

SEED = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "seeds"
    / "000_38fd075f3e9e52f5.txt"
)
"""The seed page itself, beside the repository (where the project keeps ``shared/``)."""
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "task_post_curl_body.json"
"""A verbatim copy of the seed's curl body, so the test runs wherever the repo is."""
MARKER = "--data-raw '"


def _seed_text() -> str:
    """The curl body as the seed page has it (the first ``--data-raw '...'``)."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index(MARKER) + len(MARKER)
    return text[start : text.index("'", start)]


def _seed_body() -> list[dict[str, Any]]:
    """The JSON array of the seed's curl example."""
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(body, list)
    return body


@pytest.mark.skipif(not SEED.exists(), reason="shared/reference is not beside the repository")
def test_the_fixture_is_the_seed_pages_own_body() -> None:
    assert FIXTURE.read_text(encoding="utf-8") == _seed_text()


SYSTEM = "communicate as if we are in a business meeting"
USER_TURN = "Hello, what’s up?"
AI_TURN = (
    "Hello! I’m doing well, thank you. How can I assist you today? Are there any "
    "specific topics or projects you’d like to discuss in our meeting?"
)
PROMPT = "provide information on how relevant the amusement park business is in France now"


def _messages() -> list[BaseMessage]:
    """The seed conversation as LangChain messages, written out independently of the file."""
    return [
        SystemMessage(SYSTEM),
        HumanMessage(USER_TURN),
        AIMessage(AI_TURN),
        HumanMessage(PROMPT),
    ]


def _built() -> dict[str, Any]:
    layout = layout_messages(_messages(), "error")
    return build_task(engine_spec("chat_gpt"), layout, TaskSettings(model_name="gpt-4.1-mini"))


def test_seed_body_is_one_task_with_the_expected_texts() -> None:
    body = _seed_body()
    assert len(body) == 1
    seed = body[0]
    assert seed["system_message"] == "communicate as if we are in a business meeting"
    assert seed["model_name"] == "gpt-4.1-mini"
    assert "amusement park" in seed["user_prompt"]
    # The chain texts use the curly apostrophe U+2019, not "'".
    assert seed["message_chain"][0] == {"role": "user", "message": "Hello, what\u2019s up?"}
    assert seed["message_chain"][1]["role"] == "ai"
    assert seed["message_chain"][1]["message"].startswith("Hello! I\u2019m doing well")


@pytest.mark.parametrize("key", ["system_message", "message_chain", "model_name", "user_prompt"])
def test_built_task_matches_seed_field_by_field(key: str) -> None:
    assert _built()[key] == _seed_body()[0][key]


def test_built_task_matches_seed_as_a_whole() -> None:
    assert _built() == _seed_body()[0]


def test_seed_texts_survive_layout_unchanged() -> None:
    seed = _seed_body()[0]
    layout = layout_messages(_messages(), "error")
    assert layout.trimmed == {}
    assert layout.system_message == seed["system_message"]
    assert list(layout.message_chain) == seed["message_chain"]
    assert layout.user_prompt == seed["user_prompt"]


def test_encoded_seed_task_round_trips_and_keeps_curly_apostrophes() -> None:
    body = encode_tasks([_built()])
    assert json.loads(body) == _seed_body()
    assert "what\u2019s up".encode() in body
