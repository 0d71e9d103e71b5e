"""Tests for ``_compat``: the ``dataforseo`` content-block translator (``content_blocks``)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.block_translators import get_translator

import langchain_dataforseo  # noqa: F401  (importing the package registers the translator)
from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo._chat.compat import translate_content, translate_content_chunk

TASK_ID = "06151440-1535-0613-1000-3b1f6f9d2c01"
FIRST = "Asana suits agencies. "
SECOND = "ClickUp is all-in-one."


def _task(
    items: list[Any],
    *,
    web_search: bool = False,
    fan_out: Any = None,
    task_id: str = TASK_ID,
) -> dict[str, Any]:
    return {
        "id": task_id,
        "status_code": 20000,
        "cost": 0.01,
        "data": {"model_name": "m"},
        "result": [
            {
                "model_name": "m-1",
                "input_tokens": 1,
                "output_tokens": 2,
                "web_search": web_search,
                "items": items,
                "fan_out_queries": fan_out,
            }
        ],
    }


def _message(text: str, annotations: Any = None) -> dict[str, Any]:
    return {
        "type": "message",
        "sections": [{"type": "text", "text": text, "annotations": annotations}],
    }


def _reasoning(*texts: str) -> dict[str, Any]:
    return {"type": "reasoning", "sections": [{"type": "summary_text", "text": t} for t in texts]}


ASANA = {
    "title": "Asana",
    "url": "https://asana.com/?utm_source=openai",
    "start_index": 0,
    "end_index": 5,
}
CLICKUP = {
    "title": "ClickUp",
    "url": "https://clickup.com/?utm_source=openai",
    "start_index": 0,
    "end_index": 7,
}


def _web_search_message(task_id: str = TASK_ID) -> AIMessage:
    items = [
        _reasoning("first thought", "second thought"),
        _message(FIRST, [ASANA]),
        _message(SECOND, [CLICKUP]),
    ]
    task = _task(items, web_search=True, fan_out=["pm tools", "asana vs clickup"], task_id=task_id)
    return task_to_message(task, engine="chat_gpt")


def test_translator_is_registered_under_dataforseo() -> None:
    translator = get_translator("dataforseo")
    assert translator is not None
    assert translator["translate_content"] is translate_content
    assert translator["translate_content_chunk"] is translate_content_chunk


def test_block_order_is_reasoning_then_web_search_call_result_then_one_text() -> None:
    blocks = _web_search_message().content_blocks
    assert [b["type"] for b in blocks] == [
        "reasoning",
        "reasoning",
        "server_tool_call",
        "server_tool_result",
        "text",
    ]
    assert [b["reasoning"] for b in blocks[:2]] == ["first thought", "second thought"]


def test_web_search_call_carries_fan_out_queries_and_result_the_sources() -> None:
    blocks = _web_search_message().content_blocks
    call, result = blocks[2], blocks[3]
    assert call["name"] == "web_search"
    assert call["args"] == {"queries": ["pm tools", "asana vs clickup"]}
    assert result["tool_call_id"] == call["id"]
    assert result["status"] == "success"
    assert result["output"] == {
        "sources": [
            {"title": "Asana", "url": "https://asana.com/?utm_source=openai"},
            {"title": "ClickUp", "url": "https://clickup.com/?utm_source=openai"},
        ]
    }


def test_text_block_holds_full_content_with_citations_pointing_into_it() -> None:
    message = _web_search_message()
    text_block = message.content_blocks[-1]
    assert text_block["text"] == FIRST + SECOND == message.content
    citations = text_block["annotations"]
    assert [c["type"] for c in citations] == ["citation", "citation"]
    assert [c["title"] for c in citations] == ["Asana", "ClickUp"]
    assert [c["url"] for c in citations] == [ASANA["url"], CLICKUP["url"]]
    spans = [text_block["text"][c["start_index"] : c["end_index"]] for c in citations]
    assert spans == ["Asana", "ClickUp"]


def test_gemini_direct_url_becomes_citation_url_and_redirect_goes_to_extras() -> None:
    redirect = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQ"
    note = {"title": "zapier.com", "url": redirect, "direct_url": "https://zapier.com/blog/"}
    message = task_to_message(
        _task([_message("See Zapier.", [note])], web_search=True), engine="gemini"
    )
    citation = message.content_blocks[-1]["annotations"][0]
    assert citation["url"] == "https://zapier.com/blog/"
    assert citation["extras"] == {"redirect_url": redirect}
    assert citation["title"] == "zapier.com"
    sources = message.content_blocks[-2]["output"]["sources"]
    assert sources == [note]


def test_annotation_text_becomes_cited_text_and_unknown_keys_go_to_extras() -> None:
    note = {"title": "t", "url": "https://u", "text": "quoted", "favicon": "f.ico"}
    message = task_to_message(_task([_message("x", [note])], web_search=True), engine="claude")
    citation = message.content_blocks[-1]["annotations"][0]
    assert citation["cited_text"] == "quoted"
    assert citation["extras"] == {"favicon": "f.ico"}


def test_without_web_search_there_are_no_tool_blocks_and_no_annotations() -> None:
    message = task_to_message(_task([_message("Plain answer.")]), engine="chat_gpt")
    blocks = message.content_blocks
    assert blocks == [{"type": "text", "text": "Plain answer."}]


def test_web_search_with_no_sources_still_reports_the_search() -> None:
    message = task_to_message(_task([_message("x", [])], web_search=True), engine="chat_gpt")
    types = [b["type"] for b in message.content_blocks]
    assert types == ["server_tool_call", "server_tool_result", "text"]
    assert message.content_blocks[1]["output"] == {"sources": []}
    assert "annotations" not in message.content_blocks[-1]


def test_citation_and_block_ids_are_deterministic_and_task_scoped() -> None:
    first = _web_search_message().content_blocks
    again = _web_search_message().content_blocks
    assert first == again
    ids = [c["id"] for c in first[-1]["annotations"]] + [b["id"] for b in first[:3]]
    assert len(set(ids)) == len(ids)
    other = _web_search_message(task_id="other-task").content_blocks
    other_ids = [c["id"] for c in other[-1]["annotations"]] + [b["id"] for b in other[:3]]
    assert not set(ids) & set(other_ids)


def test_ai_message_chunk_gives_the_same_blocks() -> None:
    message = _web_search_message()
    chunk = AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        usage_metadata=message.usage_metadata,
    )
    assert chunk.content_blocks == message.content_blocks


def test_unknown_items_follow_the_text_as_non_standard_blocks() -> None:
    unknown = {"type": "tool_use", "name": "x"}
    message = task_to_message(_task([_message("a"), unknown, "raw"]), engine="chat_gpt")
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["text", "non_standard", "non_standard"]
    assert blocks[1]["value"] == unknown
    assert blocks[2]["value"] == {"item": "raw"}


@pytest.mark.parametrize(
    "metadata",
    [
        {"model_provider": "dataforseo"},
        {"model_provider": "dataforseo", "annotations": None, "fan_out_queries": "q"},
        {"model_provider": "dataforseo", "annotations": ["bad", {"url": 3}], "task_id": None},
    ],
)
def test_translator_tolerates_sparse_or_malformed_metadata(metadata: dict[str, Any]) -> None:
    message = AIMessage(
        content="hi", response_metadata=metadata, additional_kwargs={"reasoning": "x"}
    )
    blocks = message.content_blocks
    text_blocks = [b for b in blocks if b["type"] == "text"]
    assert len(text_blocks) == 1
    assert text_blocks[0]["text"] == "hi"
    assert blocks[-1] is text_blocks[0]
