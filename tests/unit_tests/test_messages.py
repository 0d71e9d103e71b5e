"""Tests for ``_messages``: LangChain messages to system_message / message_chain / user_prompt."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_dataforseo._api.messages import layout_messages, merge_turns, message_text
from langchain_dataforseo.errors import DataForSEOError, DataForSEOInputError

LIMIT = 500
MAX_CHAIN = 10


def _history(n_turns: int, *, start: str = "user") -> list[BaseMessage]:
    """Alternating history of ``n_turns`` messages followed by the final prompt."""
    messages: list[BaseMessage] = []
    role = start
    for i in range(n_turns):
        if role == "user":
            messages.append(HumanMessage(f"u{i}"))
            role = "ai"
        else:
            messages.append(AIMessage(f"a{i}"))
            role = "user"
    if messages and isinstance(messages[-1], HumanMessage):
        messages.append(AIMessage("bridge"))
    messages.append(HumanMessage("prompt"))
    return messages


# --- layout basics -------------------------------------------------------------------


def test_single_human_message_becomes_user_prompt_without_system_or_chain() -> None:
    layout = layout_messages([HumanMessage("hello")], "error")
    assert layout.user_prompt == "hello"
    assert layout.system_message is None
    assert layout.message_chain == ()
    assert layout.trimmed == {}


def test_system_messages_anywhere_are_joined_in_order_with_newline() -> None:
    messages = [
        SystemMessage("first"),
        HumanMessage("q1"),
        SystemMessage("second"),
        AIMessage("a1"),
        SystemMessage("third"),
        HumanMessage("q2"),
    ]
    layout = layout_messages(messages, "error")
    assert layout.system_message == "first\nsecond\nthird"
    assert layout.message_chain == (
        {"role": "user", "message": "q1"},
        {"role": "ai", "message": "a1"},
    )
    assert layout.user_prompt == "q2"


def test_system_message_between_two_humans_does_not_split_their_run() -> None:
    messages = [HumanMessage("a"), SystemMessage("s"), HumanMessage("b")]
    layout = layout_messages(messages, "error")
    assert layout.user_prompt == "a\nb"
    assert layout.message_chain == ()
    assert layout.system_message == "s"


def test_earlier_human_and_ai_messages_map_to_user_and_ai_roles_in_order() -> None:
    messages = [
        HumanMessage("h1"),
        AIMessage("a1"),
        HumanMessage("h2"),
        AIMessage("a2"),
        HumanMessage("final"),
    ]
    layout = layout_messages(messages, "error")
    assert [(m["role"], m["message"]) for m in layout.message_chain] == [
        ("user", "h1"),
        ("ai", "a1"),
        ("user", "h2"),
        ("ai", "a2"),
    ]
    assert layout.user_prompt == "final"


def test_consecutive_same_role_messages_are_merged_with_newline() -> None:
    messages = [
        HumanMessage("h1"),
        HumanMessage("h2"),
        AIMessage("a1"),
        AIMessage("a2"),
        AIMessage("a3"),
        HumanMessage("p1"),
        HumanMessage("p2"),
    ]
    layout = layout_messages(messages, "error")
    assert layout.message_chain == (
        {"role": "user", "message": "h1\nh2"},
        {"role": "ai", "message": "a1\na2\na3"},
    )
    assert layout.user_prompt == "p1\np2"


def test_merge_turns_records_indices_of_merged_messages_and_puts_system_first() -> None:
    messages = [
        HumanMessage("h1"),
        SystemMessage("s1"),
        HumanMessage("h2"),
        AIMessage("a1"),
        SystemMessage("s2"),
        HumanMessage("h3"),
    ]
    turns = merge_turns(messages)
    assert [(t.role, t.text, t.indices) for t in turns] == [
        ("system", "s1\ns2", (1, 4)),
        ("user", "h1\nh2", (0, 2)),
        ("ai", "a1", (3,)),
        ("user", "h3", (5,)),
    ]


def test_merge_turns_without_system_messages_has_no_system_turn() -> None:
    turns = merge_turns([AIMessage("a"), HumanMessage("h")])
    assert [t.role for t in turns] == ["ai", "user"]


# --- last message ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "last",
    [AIMessage("answer"), SystemMessage("system")],
    ids=["ai", "system"],
)
def test_last_message_not_human_is_an_error_naming_user_prompt(last: BaseMessage) -> None:
    with pytest.raises(DataForSEOInputError, match="user_prompt") as info:
        layout_messages([HumanMessage("q"), last], "error")
    assert info.value.field == "user_prompt"
    assert info.value.index == 1
    assert info.value.actual == type(last).__name__


def test_empty_message_list_is_an_error_naming_user_prompt() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages([], "error")
    assert info.value.field == "user_prompt"


# --- content flattening --------------------------------------------------------------


def test_list_content_text_blocks_are_flattened_to_text() -> None:
    message = HumanMessage(
        content=[{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}]
    )
    assert message_text(message, 0) == "Hello world"


def test_ai_message_with_v1_reasoning_blocks_keeps_only_its_text() -> None:
    message = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "secret thoughts"},
            {"type": "text", "text": "visible answer"},
        ]
    )
    layout = layout_messages([HumanMessage("q"), message, HumanMessage("next")], "error")
    assert layout.message_chain[1] == {"role": "ai", "message": "visible answer"}
    assert "secret" not in layout.message_chain[1]["message"]


def test_system_message_with_list_content_is_flattened() -> None:
    system = SystemMessage(content=[{"type": "text", "text": "be brief"}])
    layout = layout_messages([system, HumanMessage("q")], "error")
    assert layout.system_message == "be brief"


# --- refused messages ------------------------------------------------------------------


_REFUSED: list[tuple[str, BaseMessage, object]] = [
    ("tool_message", ToolMessage(content="result", tool_call_id="call_1"), "ToolMessage"),
    ("chat_message", ChatMessage(content="hi", role="assistant"), "ChatMessage"),
    ("function_message", FunctionMessage(content="out", name="fn"), "FunctionMessage"),
    (
        "ai_with_tool_calls",
        AIMessage(
            content="Let me look that up.",
            tool_calls=[{"name": "f", "args": {}, "id": "call_1"}],
        ),
        "tool_calls",
    ),
    (
        "human_with_image",
        HumanMessage(
            content=[
                {"type": "text", "text": "what is this?"},
                {"type": "image", "url": "https://example.com/cat.png"},
            ]
        ),
        "image",
    ),
    (
        "human_with_image_url",
        HumanMessage(
            content=[
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            ]
        ),
        "image_url",
    ),
    ("empty_human", HumanMessage(""), ""),
    ("whitespace_ai", AIMessage("   \n\t"), "   \n\t"),
    ("empty_system", SystemMessage(""), ""),
]


@pytest.mark.parametrize(
    ("bad", "actual"),
    [(message, actual) for _, message, actual in _REFUSED],
    ids=[name for name, _, _ in _REFUSED],
)
def test_unsupported_message_is_refused_with_field_and_index(
    bad: BaseMessage, actual: object
) -> None:
    messages = [HumanMessage("first"), AIMessage("reply"), bad, HumanMessage("final")]
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages(messages, "error")
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, DataForSEOError)
    assert err.field == "messages"
    assert err.index == 2
    assert err.actual == actual
    assert "messages[2]" in str(err)


def test_refused_messages_are_refused_even_under_trim_policy() -> None:
    messages = [ToolMessage(content="x", tool_call_id="c"), HumanMessage("final")]
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages(messages, "trim")
    assert info.value.index == 0


def test_image_block_error_names_the_block_type() -> None:
    message = HumanMessage(content=[{"type": "image", "url": "https://example.com/a.png"}])
    with pytest.raises(DataForSEOInputError, match="'image'") as info:
        message_text(message, 7)
    assert info.value.actual == "image"
    assert info.value.index == 7


# --- limits, policy "error" -------------------------------------------------------------


def test_user_prompt_of_exactly_500_chars_passes() -> None:
    layout = layout_messages([HumanMessage("x" * LIMIT)], "error")
    assert len(layout.user_prompt) == LIMIT


@pytest.mark.parametrize("policy", ["error", "trim"])
def test_user_prompt_over_500_chars_raises_under_both_policies(policy: Any) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages([AIMessage("a"), HumanMessage("x" * (LIMIT + 1))], policy)
    err = info.value
    assert err.field == "user_prompt"
    assert err.limit == LIMIT
    assert err.actual == LIMIT + 1
    assert err.index == 1


def test_user_prompt_limit_applies_after_merging_final_human_run() -> None:
    messages = [HumanMessage("a" * 300), HumanMessage("b" * 300)]
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages(messages, "error")
    assert info.value.field == "user_prompt"
    assert info.value.actual == 601
    assert info.value.index == 0


def test_user_prompt_limit_counts_characters_not_bytes() -> None:
    layout = layout_messages([HumanMessage("é" * LIMIT)], "error")
    assert layout.user_prompt == "é" * LIMIT


def test_system_message_of_exactly_500_chars_passes() -> None:
    layout = layout_messages([SystemMessage("s" * LIMIT), HumanMessage("q")], "error")
    assert layout.system_message == "s" * LIMIT


@pytest.mark.parametrize("policy", ["error", "trim"])
def test_system_message_over_500_chars_raises_under_both_policies(policy: Any) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages([SystemMessage("s" * (LIMIT + 1)), HumanMessage("q")], policy)
    err = info.value
    assert err.field == "system_message"
    assert err.limit == LIMIT
    assert err.actual == LIMIT + 1


def test_joined_system_messages_over_500_chars_raise() -> None:
    messages = [SystemMessage("a" * 250), HumanMessage("q"), SystemMessage("b" * 250)]
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages([*messages, HumanMessage("p")], "error")
    assert info.value.field == "system_message"
    assert info.value.actual == 501


def test_chain_message_of_exactly_500_chars_passes() -> None:
    messages = [HumanMessage("u"), AIMessage("a" * LIMIT), HumanMessage("q")]
    layout = layout_messages(messages, "error")
    assert layout.message_chain[1]["message"] == "a" * LIMIT


def test_chain_message_over_500_chars_names_chain_position_and_message_index() -> None:
    messages = [
        SystemMessage("sys"),
        HumanMessage("u"),
        AIMessage("a" * (LIMIT + 7)),
        HumanMessage("q"),
    ]
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages(messages, "error")
    err = info.value
    assert err.field == "message_chain[1].message"
    assert err.index == 2
    assert err.limit == LIMIT
    assert err.actual == LIMIT + 7
    assert "message_chain[1].message" in str(err)


def test_exactly_ten_chain_messages_pass() -> None:
    layout = layout_messages(_history(MAX_CHAIN), "error")
    assert len(layout.message_chain) == MAX_CHAIN


def test_eleven_chain_messages_raise_naming_message_chain_with_count() -> None:
    messages = _history(MAX_CHAIN + 2)
    with pytest.raises(DataForSEOInputError) as info:
        layout_messages(messages, "error")
    err = info.value
    assert err.field == "message_chain"
    assert err.limit == MAX_CHAIN
    assert err.actual == MAX_CHAIN + 2


def test_chain_count_is_taken_after_merging_same_role_messages() -> None:
    # 20 history messages, but pairs of same role merge into 10 turns.
    messages: list[BaseMessage] = []
    for i in range(5):
        messages += [HumanMessage(f"u{i}a"), HumanMessage(f"u{i}b")]
        messages += [AIMessage(f"a{i}a"), AIMessage(f"a{i}b")]
    messages.append(HumanMessage("q"))
    layout = layout_messages(messages, "error")
    assert len(layout.message_chain) == MAX_CHAIN
    assert layout.message_chain[0]["message"] == "u0a\nu0b"


# --- policy "trim" ------------------------------------------------------------------------


def test_trim_keeps_ten_most_recent_turns_and_records_dropped_indices() -> None:
    messages: list[BaseMessage] = [SystemMessage("sys")]
    for i in range(6):
        messages += [HumanMessage(f"u{i}"), AIMessage(f"a{i}")]
    messages.append(HumanMessage("q"))
    # 12 turns at indices 1..12; the first two (indices 1, 2) are dropped.
    layout = layout_messages(messages, "trim")
    assert len(layout.message_chain) == MAX_CHAIN
    assert layout.message_chain[0] == {"role": "user", "message": "u1"}
    assert layout.message_chain[-1] == {"role": "ai", "message": "a5"}
    assert layout.trimmed["dropped_messages"] == [1, 2]
    assert "shortened_messages" not in layout.trimmed
    assert layout.system_message == "sys"
    assert layout.user_prompt == "q"


def test_trim_drops_every_message_of_a_merged_dropped_turn() -> None:
    messages: list[BaseMessage] = [HumanMessage("x1"), HumanMessage("x2"), AIMessage("y")]
    for i in range(5):
        messages += [HumanMessage(f"u{i}"), AIMessage(f"a{i}")]
    messages.append(HumanMessage("q"))
    # Turns: (0,1) user, (2,) ai, then 10 more; the two oldest turns go.
    layout = layout_messages(messages, "trim")
    assert layout.trimmed["dropped_messages"] == [0, 1, 2]
    assert len(layout.message_chain) == MAX_CHAIN


def test_trim_shortens_long_history_messages_and_records_them() -> None:
    long_text = "abcdefghij" * 70  # 700 chars
    messages = [HumanMessage("u"), AIMessage(long_text), HumanMessage("q")]
    layout = layout_messages(messages, "trim")
    assert layout.message_chain[1]["message"] == long_text[:LIMIT]
    assert layout.trimmed["shortened_messages"] == [
        {"index": 1, "from_chars": 700, "to_chars": LIMIT}
    ]
    assert "dropped_messages" not in layout.trimmed


def test_trim_with_nothing_to_trim_records_nothing() -> None:
    layout = layout_messages(_history(4), "trim")
    assert layout.trimmed == {}
    assert layout == layout_messages(_history(4), "error")


def test_trim_shortened_index_is_first_message_of_merged_turn() -> None:
    messages = [HumanMessage("u"), AIMessage("a" * 300), AIMessage("b" * 300), HumanMessage("q")]
    layout = layout_messages(messages, "trim")
    assert layout.trimmed["shortened_messages"] == [
        {"index": 1, "from_chars": 601, "to_chars": LIMIT}
    ]
    assert len(layout.message_chain[1]["message"]) == LIMIT


# --- property tests -----------------------------------------------------------------------

_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))


@st.composite
def _text(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from([0, 1, 5, 50, 250, 499, 500, 501, 700]) | st.integers(0, 700))
    return draw(st.text(alphabet=_ALPHABET, min_size=size, max_size=size))


# Mostly short texts (so long valid conversations occur), sometimes any size 0-700.
_SHORT = st.text(alphabet=_ALPHABET, min_size=1, max_size=40)
_ANY_TEXT = st.one_of(_SHORT, _SHORT, _SHORT, _text())


@st.composite
def _conversation(draw: st.DrawFn) -> list[BaseMessage]:
    kinds = draw(st.lists(st.sampled_from(["system", "human", "ai"]), max_size=30))
    classes = {"system": SystemMessage, "human": HumanMessage, "ai": AIMessage}
    messages: list[BaseMessage] = [classes[kind](draw(_ANY_TEXT)) for kind in kinds]
    messages.append(HumanMessage(draw(_ANY_TEXT)))
    return messages


def _expected_layout(messages: list[BaseMessage]) -> tuple[str | None, list[tuple[str, str]], str]:
    """Independent model: system text, merged (role, text) runs, final prompt."""
    system = [m.content for m in messages if isinstance(m, SystemMessage)]
    runs: list[list[Any]] = []
    for m in messages:
        if isinstance(m, SystemMessage):
            continue
        role = "ai" if isinstance(m, AIMessage) else "user"
        if runs and runs[-1][0] == role:
            runs[-1][1].append(m.content)
        else:
            runs.append([role, [m.content]])
    merged = [(role, "\n".join(parts)) for role, parts in runs]
    prompt = merged.pop()[1]
    return ("\n".join(system) if system else None), merged, prompt


def _within_limits(layout: Any) -> None:
    assert len(layout.user_prompt) <= LIMIT
    assert layout.system_message is None or len(layout.system_message) <= LIMIT
    assert len(layout.message_chain) <= MAX_CHAIN
    for item in layout.message_chain:
        assert set(item) == {"role", "message"}
        assert item["role"] in {"user", "ai"}
        assert len(item["message"]) <= LIMIT
    roles = [item["role"] for item in layout.message_chain]
    assert all(a != b for a, b in itertools.pairwise(roles))
    if roles:
        # The prompt is a user turn, so the chain never ends with a separate user turn.
        assert roles[-1] == "ai"


@settings(max_examples=300, deadline=None)
@given(_conversation())
def test_property_error_policy_raises_or_keeps_every_character_within_limits(
    messages: list[BaseMessage],
) -> None:
    system, merged, prompt = _expected_layout(messages)
    has_empty = any(not m.content.strip() for m in messages)
    should_raise = (
        has_empty
        or len(prompt) > LIMIT
        or (system is not None and len(system) > LIMIT)
        or len(merged) > MAX_CHAIN
        or any(len(text) > LIMIT for _, text in merged)
    )
    if should_raise:
        with pytest.raises(DataForSEOInputError):
            layout_messages(messages, "error")
        return
    layout = layout_messages(messages, "error")
    _within_limits(layout)
    assert layout.system_message == system
    assert layout.user_prompt == prompt
    assert [(i["role"], i["message"]) for i in layout.message_chain] == merged
    # Every character is kept, in order: rebuild the input text with the joins.
    rebuilt = "\n".join(
        [*([layout.system_message] if system is not None else [])]
        + [i["message"] for i in layout.message_chain]
        + [layout.user_prompt]
    )
    independent = "\n".join(
        [m.content for m in messages if isinstance(m, SystemMessage)]
        + [m.content for m in messages if not isinstance(m, SystemMessage)]
    )
    assert rebuilt == independent


@st.composite
def _trimmable_conversation(draw: st.DrawFn) -> list[BaseMessage]:
    """Conversations whose prompt and system text are valid, history arbitrary in size."""
    non_empty = _text().filter(lambda t: bool(t.strip()))
    kinds = draw(st.lists(st.sampled_from(["human", "ai"]), max_size=30))
    messages: list[BaseMessage] = []
    if draw(st.booleans()):
        messages.append(SystemMessage(draw(non_empty.filter(lambda t: len(t) <= LIMIT))))
    for kind in kinds:
        cls = HumanMessage if kind == "human" else AIMessage
        messages.append(cls(draw(non_empty)))
    # A final AI turn keeps the prompt from merging with a long human history message.
    messages.append(AIMessage("ok"))
    messages.append(HumanMessage(draw(non_empty.filter(lambda t: len(t) <= LIMIT))))
    return messages


@settings(max_examples=300, deadline=None)
@given(_trimmable_conversation())
def test_property_trim_policy_never_raises_for_history_and_stays_within_limits(
    messages: list[BaseMessage],
) -> None:
    layout = layout_messages(messages, "trim")
    _within_limits(layout)
    system, merged, prompt = _expected_layout(messages)
    assert layout.user_prompt == prompt
    assert layout.system_message == system
    kept = merged[-MAX_CHAIN:]
    assert [(i["role"], i["message"]) for i in layout.message_chain] == [
        (role, text[:LIMIT]) for role, text in kept
    ]
    # Indices of the history turns, computed independently of merge_turns.
    history = [i for i, m in enumerate(messages[:-1]) if not isinstance(m, SystemMessage)]
    turn_indices: list[list[int]] = []
    for i in history:
        if turn_indices and type(messages[turn_indices[-1][-1]]) is type(messages[i]):
            turn_indices[-1].append(i)
        else:
            turn_indices.append([i])
    assert len(turn_indices) == len(merged)
    dropped_turns = turn_indices[: len(merged) - len(kept)]
    if dropped_turns:
        assert layout.trimmed["dropped_messages"] == [i for t in dropped_turns for i in t]
    else:
        assert "dropped_messages" not in layout.trimmed
    long_kept = [text for _, text in kept if len(text) > LIMIT]
    shortened = layout.trimmed.get("shortened_messages", [])
    assert [s["from_chars"] for s in shortened] == [len(t) for t in long_kept]
    kept_indices = turn_indices[len(merged) - len(kept) :]
    assert [s["index"] for s in shortened] == [
        idx[0] for idx, (_, text) in zip(kept_indices, kept, strict=True) if len(text) > LIMIT
    ]
    assert all(s["to_chars"] == LIMIT for s in shortened)
