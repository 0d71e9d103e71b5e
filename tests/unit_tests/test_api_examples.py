"""End-to-end parsing of every example body of the API reference (§4, §5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.exceptions import ModelAuthenticationError, ModelInvalidRequestError
from langchain_core.messages import AIMessage, HumanMessage

from langchain_dataforseo._api.envelope import (
    OK,
    PENDING_CODES,
    decode_envelope,
    first_result,
    first_task,
    task_error,
)
from langchain_dataforseo._api.fields import engine_spec
from langchain_dataforseo._api.messages import layout_messages
from langchain_dataforseo._api.request import TaskSettings, build_task, encode_tasks
from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOInvalidRequestError,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "api_examples"


def _raw(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def _json(name: str) -> Any:
    return json.loads(_raw(name))


def _live_message(name: str) -> tuple[AIMessage, dict[str, Any], dict[str, Any]]:
    """Parse a live response file the way the client does; return message, task, result."""
    envelope = decode_envelope(200, _raw(name), where="live task")
    task = first_task(envelope, where="live task")
    result = first_result(task, where="live task")
    engine = task["path"][2]
    return task_to_message(task, engine=engine), task, result


def test_every_example_file_is_covered_here() -> None:
    covered = {
        "4.1_live_request.json",
        "4.1_live_web_search.json",
        "4.2_live_reasoning.json",
        "4.3_extra_live_task.json",
        "4.4_auth_failure.json",
        "5.1_models.json",
        "5.2_task_post.json",
        "5.3_tasks_ready.json",
        "5.4_task_get_pending.json",
    }
    assert {p.name for p in EXAMPLES.glob("*.json")} == covered


# --- 4.1 live with web search ----------------------------------------------------------------


def test_4_1_live_web_search_text_is_the_message_section_text() -> None:
    message, _, result = _live_message("4.1_live_web_search.json")
    section = result["items"][0]["sections"][0]
    assert message.content == section["text"]
    assert message.content.startswith("For small marketing agencies")
    assert message.content.endswith("common starting point.")


def test_4_1_live_web_search_annotations_and_titles() -> None:
    message, _, result = _live_message("4.1_live_web_search.json")
    raw = result["items"][0]["sections"][0]["annotations"]
    annotations = message.response_metadata["annotations"]
    assert len(annotations) == 3
    assert annotations == raw
    assert [a["title"] for a in annotations] == [
        "Agency project management software | Asana",
        "ClickUp for Agencies",
        "The best project management software in 2026 | Zapier",
    ]
    # Every cited URL appears in the answer text.
    assert all(a["url"] in message.content for a in annotations)


def test_4_1_live_web_search_fan_out_queries_usage_and_cost() -> None:
    message, task, result = _live_message("4.1_live_web_search.json")
    meta = message.response_metadata
    assert meta["fan_out_queries"] == result["fan_out_queries"]
    assert len(meta["fan_out_queries"]) == 3
    assert meta["web_search"] is True
    assert meta["cost"] == task["cost"]
    assert meta["cost"] == pytest.approx(0.0272228)
    assert meta["money_spent"] == result["money_spent"]
    # The reference's cost arithmetic: live task cost = 0.0006 + money_spent.
    assert meta["cost"] == pytest.approx(0.0006 + meta["money_spent"])
    assert meta["task_id"] == task["id"]
    assert meta["model_name"] == result["model_name"] == "gpt-4.1-mini-2025-04-14"
    assert meta["engine"] == "chat_gpt"
    assert meta["tag"] == task["data"]["tag"]
    assert meta["datetime"] == result["datetime"]
    assert meta["finish_reason"] == "stop"
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] == result["input_tokens"] == 2113
    assert usage["output_tokens"] == result["output_tokens"] == 486
    assert usage["total_tokens"] == 2113 + 486
    assert usage["output_token_details"] == {"reasoning": 0}
    assert "reasoning" not in message.additional_kwargs


def test_4_1_content_blocks_show_search_and_three_citations() -> None:
    message, _, result = _live_message("4.1_live_web_search.json")
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["server_tool_call", "server_tool_result", "text"]
    assert blocks[0]["args"] == {"queries": result["fan_out_queries"]}
    assert len(blocks[1]["output"]["sources"]) == 3
    citations = blocks[2]["annotations"]
    assert [c["url"] for c in citations] == [
        a["url"] for a in result["items"][0]["sections"][0]["annotations"]
    ]


def test_4_1_request_equals_what_build_task_builds() -> None:
    expected = _json("4.1_live_request.json")
    assert isinstance(expected, list)
    assert len(expected) == 1
    sent = expected[0]
    layout = layout_messages([HumanMessage(sent["user_prompt"])], "error")
    settings = TaskSettings(
        model_name="gpt-4.1-mini",
        web_search=True,
        web_search_country_iso_code="US",
        max_output_tokens=1024,
        tag="pm-tools-us-001",
    )
    built = build_task(engine_spec("chat_gpt"), layout, settings)
    for key, value in sent.items():
        assert built[key] == value, key
    assert built == sent
    assert json.loads(encode_tasks([built])) == expected


def test_4_1_response_echoes_the_built_request_in_data() -> None:
    built = _json("4.1_live_request.json")[0]
    _, task, _ = _live_message("4.1_live_web_search.json")
    echoed = {k: v for k, v in task["data"].items() if k not in {"api", "function", "se"}}
    assert echoed == built


# --- 4.2 live reasoning ---------------------------------------------------------------------


def test_4_2_live_reasoning_message() -> None:
    message, task, result = _live_message("4.2_live_reasoning.json")
    items = result["items"]
    assert message.content == items[1]["sections"][0]["text"]
    assert "$5,997.60" in message.content
    assert message.additional_kwargs["reasoning"] == [items[0]]
    meta = message.response_metadata
    assert meta["annotations"] == []
    assert meta["fan_out_queries"] == []
    assert meta["web_search"] is False
    assert meta["cost"] == task["cost"] == pytest.approx(0.0066786)
    assert meta["money_spent"] == result["money_spent"]
    assert meta["model_name"] == "o4-mini-2025-04-16"
    # 1372 output tokens of which 1216 reasoning: visible 156 < 2048, so not truncated.
    assert meta["finish_reason"] == "stop"
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] == result["input_tokens"]
    assert usage["output_tokens"] == result["output_tokens"]
    assert usage["total_tokens"] == result["input_tokens"] + result["output_tokens"]
    assert usage["output_token_details"] == {"reasoning": result["reasoning_tokens"]}


def test_4_2_content_blocks_put_reasoning_first_and_no_search() -> None:
    message, _, result = _live_message("4.2_live_reasoning.json")
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["reasoning"] == result["items"][0]["sections"][0]["text"]
    assert "annotations" not in blocks[1]


# --- 4.3 extra live task, 4.4 auth failure -------------------------------------------------------


def test_4_3_extra_live_task_is_an_invalid_request_error() -> None:
    extra = _json("4.3_extra_live_task.json")
    err = task_error(extra, where="live task")
    assert isinstance(err, DataForSEOInvalidRequestError)
    assert isinstance(err, ModelInvalidRequestError)
    assert err.status_code == 40000
    assert err.status_message == extra["status_message"]
    assert err.task_id == extra["id"]
    assert err.is_retryable is False
    assert "40000" in str(err)


def test_4_3_envelope_with_extra_task_still_answers_the_first() -> None:
    envelope = _json("4.1_live_web_search.json")
    envelope["tasks"].append(_json("4.3_extra_live_task.json"))
    checked = decode_envelope(200, json.dumps(envelope).encode())
    task = first_task(checked)
    assert task["status_code"] == OK
    with pytest.raises(DataForSEOInvalidRequestError):
        first_task({"status_code": OK, "tasks": [checked["tasks"][1]]})


def test_4_4_auth_failure_is_an_authentication_error() -> None:
    body = _json("4.4_auth_failure.json")
    with pytest.raises(DataForSEOAuthenticationError) as info:
        decode_envelope(401, _raw("4.4_auth_failure.json"))
    err = info.value
    assert isinstance(err, ModelAuthenticationError)
    assert err.status_code == body["status_code"] == 40100
    assert err.status_message == body["status_message"]
    assert err.http_status == 401
    assert err.task_id is None
    assert err.is_retryable is False


# --- 5.x Standard method and models ---------------------------------------------------------------


def test_5_1_models_lists_each_model_with_its_flags() -> None:
    body = _json("5.1_models.json")
    task = first_task(decode_envelope(200, _raw("5.1_models.json")))
    models = task["result"]
    assert len(models) == task["result_count"] == 4
    assert [m["model_name"] for m in models] == [
        m["model_name"] for m in body["tasks"][0]["result"]
    ]
    reasoning = [m["model_name"] for m in models if m["reasoning"]]
    assert reasoning == ["o3-mini-2025-01-31", "o4-mini-2025-04-16"]
    assert first_result(task)["model_name"] == "gpt-4.1-mini-2025-04-14"


def test_5_2_task_post_created_task_and_rejected_third_task() -> None:
    envelope = decode_envelope(200, _raw("5.2_task_post.json"), where="task_post")
    task = first_task(envelope, accept=frozenset({20100}), where="task_post")
    assert task["id"] == "06151440-1535-0613-1000-3b1f6f9d2c01"
    assert task["status_code"] == 20100
    with pytest.raises(DataForSEOError) as info:
        first_task(envelope, where="task_post")
    assert info.value.status_code == 20100
    third = envelope["tasks"][2]
    err = task_error(third, where="task_post")
    assert isinstance(err, DataForSEOInvalidRequestError)
    assert err.status_code == 40501
    assert err.status_message == "Invalid Field: 'user_prompt'."
    assert err.task_id == third["id"]
    assert err.is_retryable is False
    created = [t["id"] for t in envelope["tasks"] if t["status_code"] == 20100]
    assert len(created) == 2
    assert sum(t["cost"] for t in envelope["tasks"]) == pytest.approx(envelope["cost"])


def test_5_3_tasks_ready_lists_collectable_task_endpoints() -> None:
    task = first_task(decode_envelope(200, _raw("5.3_tasks_ready.json")))
    ready = task["result"]
    assert len(ready) == task["result_count"] == 2
    for entry in ready:
        assert entry["endpoint"].endswith(f"/task_get/{entry['id']}")
        assert entry["se"] == "claude"
    assert first_result(task)["tag"] == "batch-7:q1"


def test_5_4_pending_task_with_default_accept_is_an_error_naming_the_task() -> None:
    envelope = decode_envelope(200, _raw("5.4_task_get_pending.json"), where="task_get")
    task_id = envelope["tasks"][0]["id"]
    with pytest.raises(DataForSEOError) as info:
        first_task(envelope, where="task_get")
    err = info.value
    assert err.status_code == 40602
    assert err.task_id == task_id
    assert task_id in str(err)
    assert "40602" in str(err)


def test_5_4_pending_task_is_accepted_when_accept_includes_40602() -> None:
    envelope = decode_envelope(200, _raw("5.4_task_get_pending.json"))
    task = first_task(envelope, accept=PENDING_CODES | {OK})
    assert task["status_code"] == 40602
    assert task["result"] is None
    assert 40602 in PENDING_CODES
