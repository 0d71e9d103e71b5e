"""LangChain messages to the API's messages, long text split to fit (pure).

Split long text into pieces of at most N characters at sentence or whitespace boundaries.

Pure functions used by the ``"pack"`` history policy. The contract, which the property
tests check: the pieces, in order, are the text itself; only the whitespace *at a split*
is left out. Put back together (:func:`unsplit` with the original text), they reproduce
the input exactly.

LangChain messages to the API's ``system_message`` / ``message_chain`` / ``user_prompt``.

Pure functions: no I/O, no warnings, nothing from the package but constants and the
input error. The chat model calls :func:`layout_messages` and reports what it returns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_dataforseo._api.fields import MAX_CHAIN_MESSAGES, MAX_PROMPT_CHARS, HistoryPolicy
from langchain_dataforseo.errors import DataForSEOInputError

_SENTENCE_ENDS = frozenset(".!?;:")
"""Characters that end a sentence (or a clause worth splitting after)."""
_CLOSERS = frozenset("\"')]}»”’")
"""Closing quotes and brackets that may follow a sentence end: ``He said "no."``."""
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
"""Zero-width joiner and variation selectors: never start a piece with one."""


def _is_sentence_end(text: str, cut: int) -> bool:
    """Whether ``text[:cut]`` ends a sentence or a line (so splitting at ``cut`` reads well)."""
    if text[cut] in "\n\r" or text[cut - 1] in "\n\r":
        return True
    position = cut - 1
    while position > 0 and text[position] in _CLOSERS:
        position -= 1
    return text[position] in _SENTENCE_ENDS


def _hard_cut(text: str, start: int, limit: int) -> int:
    """Cut with no whitespace in reach: at ``limit``, not inside a combining sequence."""
    cut = start + limit
    while cut - 1 > start and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS):
        cut -= 1
    return cut


def _next_cut(text: str, start: int, limit: int) -> int:
    """Where the piece starting at ``start`` ends (exclusive), for ``len(text) - start > limit``.

    Prefers the last sentence end in the second half of the window, then the last
    whitespace anywhere in it, then a hard cut at the limit.
    """
    last_space = -1
    last_sentence = -1
    half = start + limit // 2
    # A cut at ``c`` keeps text[start:c]; it is clean when text[c] is whitespace.
    for cut in range(start + limit, start, -1):
        if not text[cut].isspace() or text[cut - 1].isspace():
            continue
        if last_space < 0:
            last_space = cut
        if cut >= half and _is_sentence_end(text, cut):
            last_sentence = cut
            break
        if cut < half and last_space >= 0:
            break
    if last_sentence > 0:
        return last_sentence
    if last_space > 0:
        return last_space
    return _hard_cut(text, start, limit)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, in order.

    A split falls, in order of preference, after a sentence end (``.``, ``!``, ``?``,
    ``;``, ``:``, possibly followed by a closing quote or bracket) or a line break in
    the second half of the window, else at the last whitespace in the window, else
    (one unbroken run of more than ``limit`` characters, such as a long URL) exactly at
    the limit, never inside a combining-character sequence. The whitespace run at a
    split is left out, so no piece starts or ends with whitespace at a split; every
    other character is kept (whitespace at the very start of ``text`` too, unless it
    is a run longer than ``limit``, which is treated as a split).

    Args:
        text: The text to split.
        limit: Most characters per piece (at least 2).

    Returns:
        The pieces: ``[text]`` when it fits; otherwise non-empty pieces.

    Raises:
        ValueError: When ``limit`` is below 2.
    """
    if limit < 2:
        msg = f"limit must be at least 2, got {limit}."
        raise ValueError(msg)
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = _next_cut(text, start, limit)
        piece = text[start:cut]
        if piece.strip():
            pieces.append(piece)
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        rest = text[start:]
        if rest.strip() or not pieces:
            pieces.append(rest)
    if not pieces:  # whitespace only, longer than the limit: keep what fits, never nothing
        pieces.append(text[:limit])
    return pieces


def unsplit(pieces: Sequence[str], original: str) -> str:
    """Put pieces back together with the whitespace the split removed, taken from ``original``.

    Used by tests and by anyone who wants to check a split: it raises instead of
    guessing when the pieces are not the original's characters in order.

    Args:
        pieces: Output of :func:`split_text` on ``original``.
        original: The text that was split.

    Returns:
        ``original`` (rebuilt from the pieces and the dropped whitespace).

    Raises:
        ValueError: When a piece is empty or not where it should be in ``original``,
            or when anything but whitespace was left out.
    """
    rebuilt: list[str] = []
    position = 0
    for number, piece in enumerate(pieces):
        if not piece and len(pieces) > 1:
            msg = f"piece {number} is empty."
            raise ValueError(msg)
        gap_end = position
        if not original.startswith(piece, gap_end):
            while gap_end < len(original) and original[gap_end].isspace():
                gap_end += 1
        if not original.startswith(piece, gap_end):
            msg = f"piece {number} is not at position {gap_end} of the original text."
            raise ValueError(msg)
        rebuilt.append(original[position:gap_end])
        rebuilt.append(piece)
        position = gap_end + len(piece)
    tail = original[position:]
    if tail.strip():
        msg = f"characters after position {position} were lost: {tail[:40]!r}."
        raise ValueError(msg)
    rebuilt.append(tail)
    return "".join(rebuilt)


Role = Literal["user", "ai"]

_NON_TEXT_INPUT_BLOCKS = frozenset(
    {"image", "image_url", "file", "audio", "video", "input_audio", "document"}
)


@dataclass(frozen=True)
class Turn:
    """One merged run of same-role messages.

    Attributes:
        role: ``"user"``, ``"ai"`` or ``"system"``.
        text: The run's text, its messages joined by a newline.
        indices: Positions of the merged messages in the caller's list.
    """

    role: Literal["user", "ai", "system"]
    text: str
    indices: tuple[int, ...]


@dataclass(frozen=True)
class PromptLayout:
    """Where each part of the conversation goes in the request.

    Attributes:
        user_prompt: The last human turn.
        system_message: Every system message joined in order, or ``None``.
        message_chain: Earlier turns, ``{"role": "user" | "ai", "message": str}``.
        trimmed: What the ``"trim"`` policy dropped or cut; empty when nothing was.
        layout: How the ``"pack"`` policy laid the input out; empty when it did not.
    """

    user_prompt: str
    system_message: str | None
    message_chain: tuple[dict[str, str], ...]
    trimmed: dict[str, Any] = field(default_factory=dict)
    layout: dict[str, Any] = field(default_factory=dict)


def message_text(message: BaseMessage, index: int) -> str:
    """Return the text of one message, refusing what the API cannot carry.

    Args:
        message: A ``SystemMessage``, ``HumanMessage`` or ``AIMessage``.
        index: Its position in the caller's list, for the error message.

    Returns:
        The message's text (list content flattened to its text blocks).

    Raises:
        DataForSEOInputError: For tool messages, other message types, tool calls,
            non-text input (images, files, audio) and messages with no text.
    """
    kind = type(message).__name__
    if not isinstance(message, (SystemMessage, HumanMessage, AIMessage)):
        msg = (
            f"messages[{index}] is a {kind}: the DataForSEO LLM Responses API takes only "
            "SystemMessage, HumanMessage and AIMessage (it has no tool calling)."
        )
        raise DataForSEOInputError(msg, field="messages", index=index, actual=kind)
    if isinstance(message, AIMessage) and message.tool_calls:
        msg = (
            f"messages[{index}] is an AIMessage with tool calls: the DataForSEO LLM "
            "Responses API has no tool calling."
        )
        raise DataForSEOInputError(msg, field="messages", index=index, actual="tool_calls")
    if not isinstance(message, AIMessage) and isinstance(message.content, list):
        for block in message.content:
            block_type = block.get("type") if isinstance(block, dict) else None
            if block_type in _NON_TEXT_INPUT_BLOCKS:
                msg = (
                    f"messages[{index}] holds a '{block_type}' block: the DataForSEO LLM "
                    "Responses API takes text only."
                )
                raise DataForSEOInputError(msg, field="messages", index=index, actual=block_type)
    text = message.text
    if not text.strip():
        msg = f"messages[{index}] ({kind}) has no text: the API needs text in every message."
        raise DataForSEOInputError(msg, field="messages", index=index, actual=text)
    return text


def merge_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """Turn messages into merged runs: consecutive messages of one role become one.

    System messages are collected apart (they all go to ``system_message``), so they
    never split a run of user or AI messages.

    Args:
        messages: The conversation, oldest first.

    Returns:
        One ``system`` turn first if there was any system message, then the merged
        user / AI runs in order.

    Raises:
        DataForSEOInputError: From :func:`message_text`.
    """
    system_texts: list[str] = []
    system_indices: list[int] = []
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        text = message_text(message, index)
        if isinstance(message, SystemMessage):
            system_texts.append(text)
            system_indices.append(index)
            continue
        role: Role = "ai" if isinstance(message, AIMessage) else "user"
        if turns and turns[-1].role == role:
            last = turns[-1]
            turns[-1] = Turn(role, f"{last.text}\n{text}", (*last.indices, index))
        else:
            turns.append(Turn(role, text, (index,)))
    if system_texts:
        turns.insert(0, Turn("system", "\n".join(system_texts), tuple(system_indices)))
    return turns


def _check_length(text: str, field_name: str, index: int | None, what: str) -> None:
    if len(text) > MAX_PROMPT_CHARS:
        where = f" (messages[{index}])" if index is not None else ""
        if field_name in ("user_prompt", "system_message"):
            fix = (
                "Shorten it, or use history_policy='pack', which splits a long prompt or "
                "system message into message_chain turns (about 6,000 characters in all); "
                "history_policy='trim' shortens only history messages, never this one."
            )
        else:
            fix = "Shorten it, or use history_policy='trim' to shorten history messages."
        msg = (
            f"{what}{where} is {len(text)} characters; the API allows at most "
            f"{MAX_PROMPT_CHARS} in '{field_name}'. {fix}"
        )
        raise DataForSEOInputError(
            msg, field=field_name, limit=MAX_PROMPT_CHARS, actual=len(text), index=index
        )


def layout_messages(messages: Sequence[BaseMessage], policy: HistoryPolicy) -> PromptLayout:
    """Lay a conversation out as the API's request fields, within its limits.

    Args:
        messages: The conversation, oldest first; the last one must be a ``HumanMessage``.
        policy: ``"error"`` raises on any limit; ``"trim"`` keeps the most recent history
            turns that fit and shortens over-long history messages (never the prompt or
            the system message), recording what it did in ``PromptLayout.trimmed``;
            ``"pack"`` splits a long system message and a long user prompt into
            ``message_chain`` user turns (see :func:`pack_layout`), recording the layout
            in ``PromptLayout.layout``.

    Returns:
        The layout; its fields are within every limit of the API.

    Raises:
        DataForSEOInputError: Naming the field, the message index, the limit and the size.
    """
    if not messages:
        raise DataForSEOInputError(
            "No messages: the API needs a user prompt.", field="user_prompt", actual=0
        )
    if not isinstance(messages[-1], HumanMessage):
        kind = type(messages[-1]).__name__
        msg = (
            f"The last message is a {kind}; it must be a HumanMessage, which becomes the "
            "API's 'user_prompt'."
        )
        raise DataForSEOInputError(msg, field="user_prompt", index=len(messages) - 1, actual=kind)
    turns = merge_turns(messages)
    system = turns.pop(0) if turns[0].role == "system" else None
    prompt = turns.pop()
    if policy == "pack":
        return pack_layout(system, turns, prompt)
    _check_length(prompt.text, "user_prompt", prompt.indices[0], "The user prompt")
    if system is not None:
        _check_length(system.text, "system_message", system.indices[0], "The system message")
    chain_turns, trimmed = _fit_history(turns, policy)
    chain = tuple({"role": turn.role, "message": turn.text} for turn in chain_turns)
    return PromptLayout(
        user_prompt=prompt.text,
        system_message=system.text if system is not None else None,
        message_chain=chain,
        trimmed=trimmed,
    )


def _fit_history(turns: list[Turn], policy: HistoryPolicy) -> tuple[list[Turn], dict[str, Any]]:
    if policy == "error":
        if len(turns) > MAX_CHAIN_MESSAGES:
            msg = (
                f"The conversation history has {len(turns)} messages after merging "
                f"consecutive messages of one role; the API's 'message_chain' allows at "
                f"most {MAX_CHAIN_MESSAGES}. Drop older turns, or use history_policy='trim'."
            )
            raise DataForSEOInputError(
                msg, field="message_chain", limit=MAX_CHAIN_MESSAGES, actual=len(turns)
            )
        for position, turn in enumerate(turns):
            _check_length(
                turn.text,
                f"message_chain[{position}].message",
                turn.indices[0],
                "A history message",
            )
        return turns, {}
    kept = turns[-MAX_CHAIN_MESSAGES:] if turns else []
    dropped = turns[: len(turns) - len(kept)]
    shortened: list[dict[str, int]] = []
    fitted: list[Turn] = []
    for turn in kept:
        if len(turn.text) > MAX_PROMPT_CHARS:
            shortened.append(
                {
                    "index": turn.indices[0],
                    "from_chars": len(turn.text),
                    "to_chars": MAX_PROMPT_CHARS,
                }
            )
            turn = Turn(turn.role, turn.text[:MAX_PROMPT_CHARS], turn.indices)
        fitted.append(turn)
    trimmed: dict[str, Any] = {}
    if dropped:
        trimmed["dropped_messages"] = [i for turn in dropped for i in turn.indices]
    if shortened:
        trimmed["shortened_messages"] = shortened
    return fitted, trimmed


PACK_CHUNK_ROLE: Final = "user"
"""Role of the ``message_chain`` turns that carry packed context."""


def pack_capacity(history_turns: int, *, has_system: bool) -> int:
    """Most characters ``history_policy="pack"`` can carry next to some real history.

    Args:
        history_turns: Chain turns the conversation's own history takes.
        has_system: Whether there is a system message (its 500 characters count).

    Returns:
        ``500`` for the user prompt, ``500`` for the system message when there is one,
        and ``500`` for each ``message_chain`` turn the history leaves free: 6,000 with a
        system message and no history. Splitting at sentence or word boundaries uses a
        little less than the full 500 per piece, so text close to the capacity can still
        need one turn too many.
    """
    free = max(MAX_CHAIN_MESSAGES - history_turns, 0)
    return MAX_PROMPT_CHARS * (free + 1 + (1 if has_system else 0))


def pack_layout(system: Turn | None, history: list[Turn], prompt: Turn) -> PromptLayout:
    """Lay out long context with the ``"pack"`` policy: nothing dropped, nothing reordered.

    The layout, in the order the engine reads it:

    1. ``system_message``: the system text's first piece (at most 500 characters);
    2. ``message_chain``: the rest of the system text as ``user`` turns, then the
       conversation's own history unchanged, then every piece of the user prompt but
       the last as ``user`` turns;
    3. ``user_prompt``: the prompt's last piece (so a question at the end of a RAG
       prompt stays the prompt).

    Text is split by :func:`~langchain_dataforseo._api.messages.split_text` (sentence end,
    else whitespace, else a hard cut for an unbroken run; only the whitespace at a split
    is left out). Input that fits is sent unchanged. The history must itself be within
    the limits (at most 500 characters a turn) and leaves fewer turns for packing.

    Packed turns are ``user`` turns, sometimes next to each other: fine for ChatGPT,
    Claude and Gemini, but Perplexity needs strict user/ai alternation, so a packed
    conversation is refused for it before any request.

    Args:
        system: The merged system turn, if any.
        history: The user / AI turns between the system message and the prompt.
        prompt: The last (user) turn.

    Returns:
        The layout, with ``layout`` describing it: ``policy``, ``system_chars``,
        ``prompt_chars``, ``packed_turns``, ``turn_sources`` (``"system"``,
        ``"history"`` or ``"prompt"`` for each chain turn), ``turn_chars``,
        ``capacity`` and ``input_chars``.

    Raises:
        DataForSEOInputError: When the history alone is over the limits (a turn over
            500 characters, more than 10 turns), or when the input needs more than 10
            chain turns (the message gives the capacity and
            the size).
    """
    _fit_history(history, "error")
    system_text = system.text if system is not None else ""
    system_pieces = split_text(system_text, MAX_PROMPT_CHARS) if system is not None else []
    prompt_pieces = split_text(prompt.text, MAX_PROMPT_CHARS)
    overflow = system_pieces[1:]
    head = prompt_pieces[:-1]
    needed = len(overflow) + len(history) + len(head)
    input_chars = len(system_text) + len(prompt.text)
    capacity = pack_capacity(len(history), has_system=system is not None)
    if needed > MAX_CHAIN_MESSAGES:
        free = max(MAX_CHAIN_MESSAGES - len(history), 0)
        msg = (
            f"The input is {input_chars} characters (system message {len(system_text)}, "
            f"user prompt {len(prompt.text)}); history_policy='pack' can carry about "
            f"{capacity} here (500 in system_message, 500 in user_prompt and 500 in each of "
            f"the {free} message_chain turns the {len(history)} history turns leave free). "
            f"Packed, it needs {needed} of the API's {MAX_CHAIN_MESSAGES} message_chain "
            "turns. Send less context (fewer or shorter retrieved chunks)."
        )
        raise DataForSEOInputError(msg, field="message_chain", limit=capacity, actual=input_chars)
    chain: list[dict[str, str]] = []
    sources: list[str] = []
    for piece in overflow:
        chain.append({"role": PACK_CHUNK_ROLE, "message": piece})
        sources.append("system")
    for turn in history:
        chain.append({"role": turn.role, "message": turn.text})
        sources.append("history")
    for piece in head:
        chain.append({"role": PACK_CHUNK_ROLE, "message": piece})
        sources.append("prompt")
    system_message = system_pieces[0] if system_pieces else None
    user_prompt = prompt_pieces[-1]
    layout: dict[str, Any] = {
        "policy": "pack",
        "system_chars": len(system_message or ""),
        "prompt_chars": len(user_prompt),
        "packed_turns": len(overflow) + len(head),
        "turn_sources": sources,
        "turn_chars": [len(item["message"]) for item in chain],
        "capacity": capacity,
        "input_chars": input_chars,
    }
    return PromptLayout(
        user_prompt=user_prompt,
        system_message=system_message,
        message_chain=tuple(chain),
        layout=layout,
    )
