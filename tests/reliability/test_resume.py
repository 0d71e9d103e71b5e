"""Resume: 300 Standard tasks submitted, the client thrown away, all collected by a new one."""

from __future__ import annotations

import gc
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO, TaskHandle
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport

pytestmark = pytest.mark.slow


def fresh_model(emu: Emulator) -> ChatDataForSEO:
    return ChatDataForSEO(
        login="emulator-login",
        password="emulator-password",
        base_url="http://127.0.0.1",
        method="standard",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
    )


def test_300_tasks_survive_a_restart_and_nothing_is_posted_again(tmp_path: Any) -> None:
    emu = Emulator(EmulatorConfig(task_latency=0.5))
    prompts = [
        f"Resume prompt {i:03d}: what do assistants say about brand {i:03d}?" for i in range(300)
    ]
    submitter = fresh_model(emu)
    handles = submitter.submit(prompts)
    saved = tmp_path / "handles.json"
    saved.write_text(json.dumps([h.to_dict() for h in handles if isinstance(h, TaskHandle)]))
    del submitter, handles
    gc.collect()
    posts = emu.ledger()["calls"]["chat_gpt/task_post"]
    assert posts == 3

    collector = fresh_model(emu)  # a new process would do the same from the file
    messages = collector.collect(json.loads(saved.read_text()))
    assert len(messages) == 300
    assert all(isinstance(m, AIMessage) for m in messages)
    for i, message in enumerate(messages):
        assert f"{i:03d}" in message.text
    ledger = emu.ledger()
    assert ledger["calls"]["chat_gpt/task_post"] == posts  # nothing posted again
    assert len(ledger["charges"]) == 300
    assert ledger["charged_total"] == pytest.approx(
        sum(m.response_metadata["cost"] for m in messages), abs=1e-6
    )
