"""keep_raw_tasks: the task JSON as the API sent it, read off the wire during a call."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO, DataForSEOAPIError, DataForSEOBatchError
from langchain_dataforseo._raw_tasks import keep_raw_tasks, offer_raw_task
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}


def model(emu: Emulator, **fields: object) -> ChatDataForSEO:
    return ChatDataForSEO(
        model="gpt-4.1-mini",
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        poll_interval=0.02,
        **AUTH,
        **fields,
    )


def test_nothing_is_kept_outside_a_keeper_and_a_keeper_keeps_only_its_block() -> None:
    offer_raw_task({"id": "a", "status_code": 20000})  # no keeper open: a no-op
    with keep_raw_tasks() as outer:
        offer_raw_task({"id": "a", "status_code": 20000})
        with keep_raw_tasks() as inner:
            offer_raw_task({"id": "b"})
        offer_raw_task({"status_code": 20000})  # no id: not kept
        offer_raw_task({"id": 7})  # not a string id: not kept
    offer_raw_task({"id": "c"})
    assert list(outer) == ["a"]
    assert list(inner) == ["b"]


def test_concurrent_asyncio_tasks_keep_their_own_tasks() -> None:
    async def one(name: str) -> list[str]:
        with keep_raw_tasks() as kept:
            await asyncio.sleep(0.01)
            offer_raw_task({"id": name})
            await asyncio.sleep(0.01)
        return list(kept)

    async def main() -> list[list[str]]:
        return await asyncio.gather(one("x"), one("y"))

    assert asyncio.run(main()) == [["x"], ["y"]]


def test_a_live_answer_keeps_every_field_of_the_task_the_api_sent() -> None:
    emu = Emulator(EmulatorConfig())
    with keep_raw_tasks() as kept:
        message = model(emu).invoke("Which CRM suits a small agency?", tag="t1")
    task = kept[message.response_metadata["task_id"]]
    assert task["data"]["user_prompt"] == "Which CRM suits a small agency?"
    assert task["data"]["tag"] == "t1"
    assert task["path"][-1] == "live"
    assert task["result"][0]["model_name"] == message.response_metadata["model_name"]


def test_a_failed_live_task_is_kept_with_its_code() -> None:
    emu = Emulator(EmulatorConfig(fault_task_error_50301=1.0))
    with keep_raw_tasks() as kept, pytest.raises(DataForSEOAPIError) as caught:
        model(emu).invoke("Which CRM suits a small agency?")
    task_id = caught.value.task_id
    assert task_id is not None
    assert kept[task_id]["status_code"] == 50301
    assert kept[task_id]["data"]["user_prompt"] == "Which CRM suits a small agency?"


def test_collect_keeps_the_task_get_tasks_finished_and_failed() -> None:
    emu = Emulator(EmulatorConfig(task_latency=0.0))
    chat = model(emu)
    handles = chat.submit(["one?", "two?"], tags=["a", "b"])
    with keep_raw_tasks() as kept:
        answers = chat.collect(handles, max_wait=10)
    for handle, answer in zip(handles, answers, strict=True):
        assert not isinstance(handle, Exception)
        task = kept[handle.id]
        assert task["path"][-2] == "task_get"
        assert task["data"]["tag"] == handle.tag
        assert task["result"][0]["items"]  # the answer's items as sent, not rebuilt
        assert answer.response_metadata["task_id"] == handle.id

    failing = model(Emulator(EmulatorConfig(task_latency=0.0, fault_task_error_50000=1.0)))
    bad = failing.submit(["three?"], tags=["c"])
    with keep_raw_tasks() as kept, pytest.raises(DataForSEOBatchError):
        failing.collect(bad, max_wait=10)
    assert [t["status_code"] for t in kept.values()] == [50000]
