"""The "pack" history policy: splitting long context into message_chain turns, losslessly."""

from __future__ import annotations

import itertools
from typing import Any
from unittest import mock

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo._api.messages import (
    PromptLayout,
    layout_messages,
    pack_capacity,
    split_text,
    unsplit,
)
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport
from langchain_dataforseo.errors import DataForSEOInputError

# Text with plenty of what splitting cares about: spaces, newlines, tabs, sentence ends,
# closing quotes, combining accents, non-breaking spaces, long unbroken runs.
ALPHABET = st.sampled_from(
    [*"abcdefghij ABC .!?;:\n\t\"')", "\u0301", "\u00a0", "\u200d", "é", "東", "🙂"]
)
TEXT = st.text(alphabet=ALPHABET, min_size=0, max_size=3000)


def check_split(text: str, pieces: list[str], limit: int) -> None:
    assert pieces
    assert all(len(piece) <= limit for piece in pieces)
    assert unsplit(pieces, text) == text
    if len(pieces) > 1:
        assert all(piece.strip() for piece in pieces)
        for left, right in itertools.pairwise(pieces):
            # A split either removed whitespace (neither side touches it) or was a hard cut.
            assert not right[0].isspace()
            assert not left[-1].isspace()


@given(text=TEXT, limit=st.integers(min_value=2, max_value=600))
@settings(max_examples=300, deadline=None)
def test_split_keeps_every_character_in_order(text: str, limit: int) -> None:
    check_split(text, split_text(text, limit), limit)


@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnop", min_size=1, max_size=20), min_size=1, max_size=400
    ),
    separators=st.lists(st.sampled_from([" ", "  ", "\n", ". ", "? ", "\n\n"]), min_size=1),
)
@settings(max_examples=200, deadline=None)
def test_split_of_prose_removes_only_whitespace(words: list[str], separators: list[str]) -> None:
    text = "".join(word + separators[i % len(separators)] for i, word in enumerate(words)).rstrip()
    pieces = split_text(text, 500)
    check_split(text, pieces, 500)
    # Prose with words of at most 20 letters never needs a hard cut: every piece
    # boundary in the original is whitespace.
    non_space = "".join(ch for ch in text if not ch.isspace())
    assert "".join(ch for piece in pieces for ch in piece if not ch.isspace()) == non_space


def test_split_prefers_a_sentence_end() -> None:
    text = ("First sentence here. " * 20) + ("tail words without end " * 10)
    pieces = split_text(text, 500)
    assert pieces[0].endswith(".")
    assert unsplit(pieces, text) == text


def test_split_falls_back_to_whitespace_then_to_a_hard_cut() -> None:
    words = ("word " * 150).rstrip()
    assert all(not p.endswith(" ") and len(p) <= 500 for p in split_text(words, 500))
    url = "https://example.com/" + "a" * 1000
    pieces = split_text(url, 500)
    assert [len(p) for p in pieces] == [500, 500, 20]
    assert "".join(pieces) == url


def test_hard_cut_does_not_separate_a_combining_accent() -> None:
    text = "e" * 499 + "e\u0301" + "f" * 100
    pieces = split_text(text, 500)
    assert pieces[0] == "e" * 499
    assert pieces[1].startswith("e\u0301")


def test_text_that_fits_is_returned_unchanged() -> None:
    assert split_text("  padded  ", 500) == ["  padded  "]


def test_split_rejects_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_text("abc", 1)


def test_unsplit_detects_a_lost_character() -> None:
    with pytest.raises(ValueError, match="lost"):
        unsplit(["abc"], "abc def")
    with pytest.raises(ValueError, match="not at position"):
        unsplit(["abd"], "abc")
    with pytest.raises(ValueError, match="empty"):
        unsplit(["abc", ""], "abc")


# -- layout_messages(..., "pack") ---------------------------------------------------------


def rebuild(layout: PromptLayout) -> tuple[str, list[dict[str, str]], str]:
    """The pieces of the system text, the history, and the pieces of the prompt."""
    sources = layout.layout["turn_sources"]
    chain = list(layout.message_chain)
    system = [layout.system_message] if layout.system_message is not None else []
    system += [t["message"] for t, s in zip(chain, sources, strict=True) if s == "system"]
    history = [t for t, s in zip(chain, sources, strict=True) if s == "history"]
    prompt = [t["message"] for t, s in zip(chain, sources, strict=True) if s == "prompt"]
    return "\x00".join(system), history, "\x00".join([*prompt, layout.user_prompt])


def sentences(min_chars: int, max_chars: int) -> st.SearchStrategy[str]:
    sentence = st.text(alphabet="abcdefg hijk", min_size=1, max_size=120).map(
        lambda s: s.strip() or "x"
    )
    return (
        st.lists(sentence.map(lambda s: s + "."), min_size=1, max_size=80)
        .map(" ".join)
        .filter(lambda t: min_chars <= len(t) <= max_chars)
    )


@given(system=st.none() | sentences(1, 2500), prompt=sentences(1, 2500))
@settings(max_examples=150, deadline=None)
def test_pack_never_loses_reorders_or_alters_a_character(system: str | None, prompt: str) -> None:
    messages: list[BaseMessage] = [HumanMessage(prompt)]
    if system is not None:
        messages.insert(0, SystemMessage(system))
    layout = layout_messages(messages, "pack")
    system_pieces, history, prompt_pieces = rebuild(layout)
    assert history == []
    if system is not None:
        assert unsplit(system_pieces.split("\x00"), system) == system
    else:
        assert layout.system_message is None
    assert unsplit(prompt_pieces.split("\x00"), prompt) == prompt
    # Everything sent is within the API's limits.
    assert len(layout.message_chain) <= 10
    assert len(layout.user_prompt) <= 500
    assert len(layout.system_message or "") <= 500
    assert all(len(t["message"]) <= 500 for t in layout.message_chain)
    assert all(t["role"] == "user" for t in layout.message_chain)
    assert layout.layout["input_chars"] == len(prompt) + len(system or "")
    assert layout.layout["turn_chars"] == [len(t["message"]) for t in layout.message_chain]


def test_pack_carries_about_six_thousand_characters_intact() -> None:
    sentence = "Retrieved passage number {} says something useful about the topic. "
    context = "".join(sentence.format(i) for i in range(200))[:5400].rstrip()
    system = "Answer only from the context below, and cite it. Context: " + context[:400]
    prompt = context[400:] + " Question: what does passage 3 say?"
    assert len(system) + len(prompt) > 5400
    layout = layout_messages([SystemMessage(system), HumanMessage(prompt)], "pack")
    assert layout.user_prompt.endswith("Question: what does passage 3 say?")
    assert layout.system_message == system  # it fit in its own field
    assert layout.layout["packed_turns"] == len(layout.message_chain) <= 10
    assert layout.layout["capacity"] == 6000
    _, _, prompt_pieces = rebuild(layout)
    assert unsplit(prompt_pieces.split("\x00"), prompt) == prompt


def test_pack_keeps_real_history_in_place_between_system_and_prompt_pieces() -> None:
    long_system = "S" * 300 + ". " + "T" * 400
    long_prompt = "P" * 450 + ". " + "Q" * 100
    layout = layout_messages(
        [
            SystemMessage(long_system),
            HumanMessage("hello"),
            AIMessage("hi there"),
            HumanMessage(long_prompt),
        ],
        "pack",
    )
    assert layout.system_message == "S" * 300 + "."
    assert layout.message_chain == (
        {"role": "user", "message": "T" * 400},
        {"role": "user", "message": "hello"},
        {"role": "ai", "message": "hi there"},
        {"role": "user", "message": "P" * 450 + "."},
    )
    assert layout.user_prompt == "Q" * 100
    assert layout.layout["turn_sources"] == ["system", "history", "history", "prompt"]
    assert layout.layout["packed_turns"] == 2
    assert layout.layout["capacity"] == pack_capacity(2, has_system=True) == 5000


def test_pack_sends_input_that_fits_unchanged_and_says_so() -> None:
    layout = layout_messages([SystemMessage("Be brief."), HumanMessage("Hi?")], "pack")
    assert (layout.system_message, layout.message_chain, layout.user_prompt) == (
        "Be brief.",
        (),
        "Hi?",
    )
    assert layout.layout == {
        "policy": "pack",
        "system_chars": 9,
        "prompt_chars": 3,
        "packed_turns": 0,
        "turn_sources": [],
        "turn_chars": [],
        "capacity": 1000 + 500 * 10,
        "input_chars": 12,
    }


def test_pack_beyond_capacity_names_the_capacity_and_the_size() -> None:
    prompt = "word " * 1300  # 6,500 characters, no system message: capacity 5,500
    with pytest.raises(DataForSEOInputError) as caught:
        layout_messages([HumanMessage(prompt)], "pack")
    error = caught.value
    assert error.field == "message_chain"
    assert error.limit == 5500
    assert error.actual == len(prompt)
    assert "5500" in str(error)
    assert str(len(prompt)) in str(error)
    assert "10" in str(error)


def test_pack_still_refuses_an_over_long_history_turn() -> None:
    with pytest.raises(DataForSEOInputError) as caught:
        layout_messages([HumanMessage("h" * 501), AIMessage("ok"), HumanMessage("q")], "pack")
    assert caught.value.field == "message_chain[0].message"
    assert caught.value.limit == 500
    assert caught.value.actual == 501


def test_pack_history_leaves_fewer_turns() -> None:
    history: list[BaseMessage] = []
    for i in range(4):
        history += [HumanMessage(f"q{i}"), AIMessage(f"a{i}")]
    # 8 history turns leave 2 free: 500 + 2 x 500 = 1,500 characters without a system message.
    fits = "z " * 700
    layout = layout_messages([*history, HumanMessage(fits)], "pack")
    assert len(layout.message_chain) == 10
    with pytest.raises(DataForSEOInputError) as caught:
        layout_messages([*history, HumanMessage("z " * 900)], "pack")
    assert caught.value.limit == 1500


# -- through the chat model, against the in-process emulator -------------------------------


def packed_model(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(
        login="emulator-login",
        password="emulator-password",
        base_url="http://127.0.0.1",
        history_policy="pack",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        **kwargs,
    )


def test_chat_model_sends_the_packed_layout_and_reports_it() -> None:
    emu = Emulator(EmulatorConfig())
    sent: list[dict[str, Any]] = []
    model = packed_model(emu)
    original = model.client.live

    def spy(engine: str, task: dict[str, Any]) -> dict[str, Any]:
        sent.append(task)
        return original(engine, task)

    prompt = "Context sentence about agencies. " * 60 + "Question: which tool?"
    with mock.patch.object(model.client, "live", side_effect=spy):
        message = model.invoke([SystemMessage("Answer from the context."), HumanMessage(prompt)])
    layout = message.response_metadata["layout"]
    assert layout["policy"] == "pack"
    assert layout["packed_turns"] == len(sent[0]["message_chain"]) >= 3
    assert sent[0]["user_prompt"].endswith("Question: which tool?")
    pieces = [t["message"] for t in sent[0]["message_chain"]] + [sent[0]["user_prompt"]]
    assert unsplit(pieces, prompt) == prompt


def test_perplexity_refuses_a_packed_chain_before_any_request() -> None:
    emu = Emulator(EmulatorConfig())
    model = packed_model(emu, engine="perplexity")
    with pytest.raises(DataForSEOInputError) as caught:
        model.invoke("word " * 200)
    assert caught.value.field == "message_chain[0].role"
    assert emu.ledger()["calls"].get("perplexity/live", 0) == 0
    # Input that fits needs no packing, so Perplexity answers it.
    assert model.invoke("short question?").text


@pytest.mark.parametrize(("text", "limit"), [("   ", 2), (" " * 1200, 500), ("\n\n\n\t", 3)])
def test_whitespace_only_text_over_the_limit_still_gives_a_piece(text: str, limit: int) -> None:
    # Found by the property above: every piece was a split, so nothing was left.
    check_split(text, split_text(text, limit), limit)
