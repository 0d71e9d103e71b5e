"""The ``"dataforseo"`` content-block translator, registered with langchain-core on import.

It makes ``message.content_blocks`` (and ``output_version="v1"``) show a DataForSEO
answer as standard blocks: reasoning first, then a ``web_search`` server tool call with
the fan-out queries and its result with the sources, then one text block whose
``annotations`` are ``Citation`` objects.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

from langchain_dataforseo._api.envelope import as_dict, as_int, as_list
from langchain_dataforseo._api.fields import PROVIDER


def _citation(note: dict[str, Any], block_id: str) -> types.Citation:
    direct = note.get("direct_url")
    url = direct if isinstance(direct, str) and direct else note.get("url")
    citation = types.Citation(type="citation", id=block_id)
    if isinstance(url, str):
        citation["url"] = url
    if isinstance(note.get("title"), str):
        citation["title"] = note["title"]
    for key in ("start_index", "end_index"):
        index = as_int(note.get(key))
        if index is not None:
            citation[key] = index
    if isinstance(note.get("text"), str):
        citation["cited_text"] = note["text"]
    extras = {
        k: v
        for k, v in note.items()
        if k not in {"title", "url", "direct_url", "start_index", "end_index", "text"}
    }
    if isinstance(direct, str) and direct and isinstance(note.get("url"), str):
        extras["redirect_url"] = note["url"]
    if extras:
        citation["extras"] = extras
    return citation


def _reasoning_blocks(message: AIMessage, prefix: str) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = []
    for item in as_list(message.additional_kwargs.get("reasoning")):
        for section in as_list(as_dict(item).get("sections")):
            text = as_dict(section).get("text")
            if isinstance(text, str):
                blocks.append(
                    types.ReasoningContentBlock(
                        type="reasoning", reasoning=text, id=f"{prefix}_rs_{len(blocks)}"
                    )
                )
    return blocks


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Translate a DataForSEO ``AIMessage`` into standard content blocks.

    Args:
        message: A message made by ``ChatDataForSEO``.

    Returns:
        Reasoning blocks, the web-search call and result (when web search was used),
        one text block with citations, then any unknown items as non-standard blocks.
    """
    meta = message.response_metadata
    prefix = str(meta.get("task_id") or "dataforseo")
    blocks = _reasoning_blocks(message, prefix)
    annotations = [as_dict(note) for note in as_list(meta.get("annotations"))]
    queries = [q for q in as_list(meta.get("fan_out_queries")) if isinstance(q, str)]
    if meta.get("web_search") or annotations or queries:
        call_id = f"{prefix}_web_search"
        blocks.append(
            types.ServerToolCall(
                type="server_tool_call", id=call_id, name="web_search", args={"queries": queries}
            )
        )
        sources = [
            {k: note[k] for k in ("title", "url", "direct_url") if isinstance(note.get(k), str)}
            for note in annotations
        ]
        blocks.append(
            types.ServerToolResult(
                type="server_tool_result",
                tool_call_id=call_id,
                status="success",
                output={"sources": sources},
            )
        )
    text = message.text
    text_block = types.TextContentBlock(type="text", text=text)
    if annotations:
        text_block["annotations"] = [
            _citation(note, f"{prefix}_cite_{i}") for i, note in enumerate(annotations)
        ]
    blocks.append(text_block)
    blocks.extend(
        types.NonStandardContentBlock(type="non_standard", value=as_dict(item) or {"item": item})
        for item in as_list(message.additional_kwargs.get("unknown_items"))
    )
    return blocks


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Translate a DataForSEO ``AIMessageChunk`` (the API sends one final chunk).

    Args:
        message: A chunk made by ``ChatDataForSEO.stream``.

    Returns:
        The same blocks as :func:`translate_content`.
    """
    return translate_content(message)


register_translator(PROVIDER, translate_content, translate_content_chunk)
