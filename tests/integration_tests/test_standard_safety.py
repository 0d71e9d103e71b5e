"""Standard method safety against the emulator: journal, recovery by tag, in-doubt chunks,
collection that survives unreadable GETs, task ids checked, duplicates counted once, async.

Each test reconciles with the emulator's ledger: no tag may be posted twice.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOBatchError,
    DataForSEOInputError,
    DataForSEOSubmitError,
    DataForSEOTaskInDoubtError,
    DataForSEOTaskPendingError,
    TaskHandle,
    track_costs,
)
from langchain_dataforseo._standard.journal import FileJournal, replay
from langchain_dataforseo._transport.client import DataForSEOClient
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

AUTH = {"login": "emulator-login", "password": "emulator-password"}
Hook = Callable[[httpx.Request, int], httpx.Response | None]


def emulator(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(**config))


class Wrapped(httpx.BaseTransport):
    """The emulator behind a hook that may answer instead of it (before or after it ran)."""

    def __init__(self, emu: Emulator, hook: Hook | None = None) -> None:
        self.inner = EmulatorTransport(emu)
        self.hook = hook
        self.posts = 0
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/task_post"):
            self.posts += 1
        if self.hook is not None:
            early = self.hook(request, self.posts)
            if early is not None:
                return early
        return self.inner.handle_request(request)


class AsyncWrapped(httpx.AsyncBaseTransport):
    def __init__(self, emu: Emulator, hook: Hook | None = None) -> None:
        self.inner = AsyncEmulatorTransport(emu)
        self.hook = hook
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/task_post"):
            self.posts += 1
        if self.hook is not None:
            early = self.hook(request, self.posts)
            if early is not None:
                return early
        return await self.inner.handle_async_request(request)


def standard(
    emu: Emulator, hook: Hook | None = None, **kwargs: Any
) -> tuple[ChatDataForSEO, Wrapped]:
    transport = Wrapped(emu, hook)
    params: dict[str, Any] = {
        **AUTH,
        "base_url": "http://127.0.0.1",
        "method": "standard",
        "poll_interval": 0.05,
        "retry_base_delay": 0.0,
        "validate_model": False,
        "http_client": httpx.Client(transport=transport),
        "http_async_client": httpx.AsyncClient(transport=AsyncWrapped(emu, hook)),
    }
    return ChatDataForSEO(**{**params, **kwargs}), transport


def is_chunk(request: httpx.Request, number: int) -> bool:
    """Whether the request posts the ``number``-th chunk (1-based) of ``prompts(n)``."""
    if not request.url.path.endswith("/task_post"):
        return False
    first = json.loads(request.content)[0]["user_prompt"]
    return str(first).startswith(f"Prompt {(number - 1) * 100:03d}:")


def corrupt_post(number: int, emu: Emulator) -> Hook:
    """Chunk ``number`` is processed (and charged) but its answer is unreadable."""
    inner = EmulatorTransport(emu)

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if is_chunk(request, number):
            inner.handle_request(request)
            return httpx.Response(200, content=b'{"status_code": 20000, "tasks": [')
        return None

    return hook


def lose_post(number: int) -> Hook:
    """Chunk ``number`` never reaches the API, but the client cannot know it (a timeout)."""

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if is_chunk(request, number):
            raise httpx.ReadTimeout("no answer", request=request)
        return None

    return hook


def prompts(n: int, word: str = "brand") -> list[str]:
    return [f"Prompt {i:03d}: what do assistants say about {word} {i:03d}?" for i in range(n)]


def charges_by_tag(emu: Emulator) -> Counter[str]:
    return Counter(c["tag"] for c in emu.ledger()["charges"] if c["method"] == "task_post")


def posted_tags(request: httpx.Request) -> list[str]:
    return [task["tag"] for task in json.loads(request.content)]


# --------------------------------------------------------------------------- task ids (14)


@pytest.mark.parametrize(
    "task_id",
    ["../../appendix/user_data", "06151440-1535-0613-1000-3b1f6f9d2c01?limit=1", "x/../y"],
)
def test_collect_refuses_an_unsafe_saved_task_id_before_any_request(task_id: str) -> None:
    emu = emulator()
    model, transport = standard(emu)
    good = model.submit(["a question"])[0]
    assert isinstance(good, TaskHandle)
    sent = len(transport.requests)
    with pytest.raises(DataForSEOInputError) as info:
        model.collect([good, {"id": task_id, "engine": "chat_gpt"}])
    assert info.value.field == "id"
    assert len(transport.requests) == sent  # nothing at all was sent


def test_the_client_never_puts_an_unsafe_id_into_a_task_get_path() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    client = DataForSEOClient(
        **AUTH,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(record)),
    )
    for bad in ("../../appendix/user_data", "abc?x=1", "abc#f", "%2e%2e"):
        with pytest.raises(DataForSEOInputError):
            client.task_get("chat_gpt", bad)
        with pytest.raises(DataForSEOInputError):
            asyncio.run(client.atask_get("chat_gpt", bad))
    assert seen == []


def test_duplicate_handles_are_counted_once_in_track_costs_and_the_spend() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu)
    first, second = model.submit(["first question", "second question"])
    assert isinstance(first, TaskHandle)
    assert isinstance(second, TaskHandle)
    with track_costs() as costs:
        messages = model.collect([first, first.to_dict(), second, first])
    assert len(messages) == 4
    assert all(isinstance(m, AIMessage) for m in messages)
    assert messages[0].text == messages[1].text == messages[3].text
    charged = emu.ledger()["charged_total"]
    assert costs.tasks == 2
    assert costs.total_cost == pytest.approx(charged, abs=1e-7)
    assert model.spent == pytest.approx(charged, abs=1e-7)


# --------------------------------------------------------------------------- collection (9)


def test_one_unreadable_task_get_does_not_end_the_collection() -> None:
    emu = emulator(task_latency=0.05)
    broken = {"done": False}

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if "/task_get/" in request.url.path and not broken["done"]:
            broken["done"] = True
            return httpx.Response(200, content=b"{not json")
        return None

    model, _ = standard(emu, hook, max_wait=60, max_retries=0)
    messages = model.batch(prompts(21))
    assert broken["done"]
    assert len(messages) == 21
    assert all(isinstance(m, AIMessage) for m in messages)


def test_unreadable_tasks_ready_answers_never_end_the_collection() -> None:
    emu = emulator(task_latency=0.05)
    count = {"ready": 0}

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if request.url.path.endswith("/tasks_ready") and count["ready"] < 3:
            count["ready"] += 1
            return httpx.Response(502, content=b"<html>bad gateway</html>")
        return None

    model, _ = standard(emu, hook, max_wait=60, max_retries=0)
    messages = model.batch(prompts(5))
    assert all(isinstance(m, AIMessage) for m in messages)


# --------------------------------------------------------------------------- batch (10)


def test_a_batch_with_one_unreadable_chunk_raises_a_batch_error_after_collecting_the_rest() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu, corrupt_post(2, emu), max_wait=30)
    with pytest.raises(DataForSEOBatchError) as info:
        model.batch(prompts(250))
    results = info.value.results
    assert len(results) == 250
    answers = [r for r in results if isinstance(r, AIMessage)]
    doubts = [r for r in results if isinstance(r, DataForSEOTaskInDoubtError)]
    assert len(answers) == 150  # chunks 1 and 3 were collected
    assert len(doubts) == 100
    assert all(isinstance(r, DataForSEOTaskInDoubtError) for r in results[100:200])
    doubt_tags = {d.tag for d in doubts}
    assert len(doubt_tags) == 100
    assert doubt_tags <= set(charges_by_tag(emu))  # they were created: in doubt, not lost
    assert "may have been created" in str(doubts[0])


def test_a_batch_with_return_exceptions_gives_the_doubts_in_place() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu, lose_post(1), max_wait=30)
    results = model.batch(prompts(150), return_exceptions=True)
    assert all(isinstance(r, DataForSEOTaskInDoubtError) for r in results[:100])
    assert all(isinstance(r, AIMessage) for r in results[100:])


def test_submit_with_an_in_doubt_chunk_keeps_every_created_handle() -> None:
    emu = emulator()
    model, _ = standard(emu, lose_post(2))
    with pytest.raises(DataForSEOSubmitError) as info:
        model.submit(prompts(250))
    assert len(info.value.handles) == 150
    assert all(isinstance(e, DataForSEOTaskInDoubtError) for e in info.value.errors.values())
    assert sorted(info.value.errors) == list(range(100, 200))


# --------------------------------------------------------------------------- journal (3)


def test_the_journal_holds_each_chunks_tags_before_it_is_posted(tmp_path: Path) -> None:
    emu = emulator()
    path = tmp_path / "run.jsonl"
    checked: list[bool] = []

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if request.url.path.endswith("/task_post"):
            state = replay(FileJournal(path).records())
            checked.append(all(tag in state.in_doubt for tag in posted_tags(request)))
        return None

    model, _ = standard(emu, hook)
    handles = model.submit(prompts(250), journal=path)
    assert checked == [True, True, True]
    state = replay(FileJournal(path).records())
    assert state.in_doubt == {}
    assert {h.tag: h.id for h in handles if isinstance(h, TaskHandle)} == {
        tag: h.id for tag, h in state.handles.items()
    }
    assert len(state.handles) == 250


def test_a_rerun_with_the_journal_posts_nothing_again(tmp_path: Path) -> None:
    emu = emulator(task_latency=0.05)
    path = tmp_path / "run.jsonl"
    first, _ = standard(emu)
    handles = first.submit(prompts(250), journal=path)
    again, transport = standard(emu)
    rerun = again.submit(prompts(250), journal=path)
    assert transport.posts == 0
    assert [h.id for h in rerun] == [h.id for h in handles]  # type: ignore[union-attr]
    messages = again.batch(prompts(250), journal=path)
    assert transport.posts == 0
    assert len(messages) == 250
    assert max(charges_by_tag(emu).values()) == 1


def test_a_rerun_recovers_an_in_doubt_chunk_by_tag_and_never_posts_it_again(
    tmp_path: Path,
) -> None:
    emu = emulator(task_latency=0.05)
    path = tmp_path / "run.jsonl"
    first, _ = standard(emu, corrupt_post(2, emu))
    with pytest.raises(DataForSEOSubmitError):
        first.submit(prompts(250), journal=path)
    assert len(replay(FileJournal(path).records()).in_doubt) == 100
    again, transport = standard(emu)
    handles = again.submit(prompts(250), journal=path, recover_wait=10)
    assert transport.posts == 0  # chunk 2 was created: found by tag, not posted again
    assert all(isinstance(h, TaskHandle) for h in handles)
    tags = charges_by_tag(emu)
    assert len(tags) == 250
    assert max(tags.values()) == 1
    ledger_ids = {c["id"] for c in emu.ledger()["charges"]}
    assert {h.id for h in handles if isinstance(h, TaskHandle)} == ledger_ids
    assert replay(FileJournal(path).records()).in_doubt == {}
    messages = again.collect(handles)  # type: ignore[arg-type]
    assert len(messages) == 250


def test_in_doubt_tags_not_found_are_reported_and_posted_only_when_asked(tmp_path: Path) -> None:
    emu = emulator(task_latency=0.05)
    path = tmp_path / "run.jsonl"
    first, _ = standard(emu, lose_post(2))
    first.submit(prompts(250), journal=path, return_exceptions=True)
    again, transport = standard(emu)
    results = again.submit(prompts(250), journal=path, recover_wait=0, return_exceptions=True)
    assert transport.posts == 0
    doubts = [r for r in results if isinstance(r, DataForSEOTaskInDoubtError)]
    assert len(doubts) == 100
    assert all(isinstance(r, DataForSEOTaskInDoubtError) for r in results[100:200])
    assert "repost_in_doubt" in str(doubts[0])
    assert len(charges_by_tag(emu)) == 150
    third, transport = standard(emu)
    handles = third.submit(prompts(250), journal=path, recover_wait=0, repost_in_doubt=True)
    assert transport.posts == 1
    assert all(isinstance(h, TaskHandle) for h in handles)
    tags = charges_by_tag(emu)
    assert len(tags) == 250
    assert max(tags.values()) == 1


def test_a_journal_refuses_repeated_tags_before_posting(tmp_path: Path) -> None:
    emu = emulator()
    model, transport = standard(emu)
    with pytest.raises(DataForSEOInputError) as info:
        model.submit(["one", "two"], tag="same", journal=tmp_path / "run.jsonl")
    assert info.value.field == "tag"
    assert transport.posts == 0


def test_any_object_with_append_and_records_can_be_the_journal() -> None:
    class Memory:
        def __init__(self) -> None:
            self.rows: list[dict[str, Any]] = []

        def append(self, record: dict[str, Any]) -> None:
            self.rows.append(json.loads(json.dumps(record)))

        def records(self) -> list[dict[str, Any]]:
            return list(self.rows)

    emu = emulator()
    store = Memory()
    model, _ = standard(emu)
    model.submit(prompts(3), journal=store)
    assert [r["event"] for r in store.rows] == ["intent", "created"]
    again, transport = standard(emu)
    again.submit(prompts(3), journal=store)
    assert transport.posts == 0


# --------------------------------------------------------------------------- async (#11)


async def test_asubmit_and_acollect_round_trip_and_reconcile() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu)
    handles = await model.asubmit(prompts(120))
    assert all(isinstance(h, TaskHandle) for h in handles)
    saved = [h.to_dict() for h in handles if isinstance(h, TaskHandle)]
    fresh, _ = standard(emu)
    with track_costs() as costs:
        messages = await fresh.acollect([*saved, saved[0]])
    assert len(messages) == 121
    for i, message in enumerate(messages[:120]):
        assert isinstance(message, AIMessage)
        assert f"{i:03d}" in message.text
    assert costs.tasks == 120
    assert costs.total_cost == pytest.approx(emu.ledger()["charged_total"], abs=1e-7)


async def test_acollect_refuses_an_unsafe_id_before_any_request() -> None:
    emu = emulator()
    model, _ = standard(emu)
    with pytest.raises(DataForSEOInputError):
        await model.acollect([{"id": "../../appendix/user_data", "engine": "chat_gpt"}])
    assert emu.ledger()["calls"].get("total", 0) == 0


async def test_asubmit_with_a_lost_chunk_keeps_the_others_and_journals_it(tmp_path: Path) -> None:
    emu = emulator(task_latency=0.05)
    path = tmp_path / "run.jsonl"
    model, _ = standard(emu, lose_post(1))
    results = await model.asubmit(prompts(150), journal=path, return_exceptions=True)
    assert sum(isinstance(r, TaskHandle) for r in results) == 50
    assert sum(isinstance(r, DataForSEOTaskInDoubtError) for r in results) == 100
    state = replay(FileJournal(path).records())
    assert len(state.handles) == 50
    assert len(state.in_doubt) == 100
    again, _ = standard(emu)
    rerun = await again.asubmit(prompts(150), journal=path, recover_wait=0, return_exceptions=True)
    assert sum(isinstance(r, DataForSEOTaskInDoubtError) for r in rerun) == 100
    assert len(charges_by_tag(emu)) == 50


async def test_abatch_with_an_unreadable_chunk_raises_a_batch_error_with_every_result() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu, corrupt_post(1, emu), max_wait=30)
    with pytest.raises(DataForSEOBatchError) as info:
        await model.abatch(prompts(150))
    results = info.value.results
    assert sum(isinstance(r, AIMessage) for r in results) == 50
    assert sum(isinstance(r, DataForSEOTaskInDoubtError) for r in results) == 100


def test_a_journal_on_a_live_batch_or_a_negative_recover_wait_is_refused(tmp_path: Path) -> None:
    emu = emulator()
    live, transport = standard(emu, method="live")
    with pytest.raises(DataForSEOInputError) as info:
        live.batch(["one"], journal=tmp_path / "run.jsonl")
    assert info.value.field == "journal"
    model, transport = standard(emu)
    with pytest.raises(DataForSEOInputError) as info:
        model.submit(["one"], journal=tmp_path / "run.jsonl", recover_wait=-1)
    assert info.value.field == "recover_wait"
    assert transport.requests == []


def test_a_journal_of_another_engine_is_refused_before_posting(tmp_path: Path) -> None:
    emu = emulator()
    path = tmp_path / "run.jsonl"
    gpt, _ = standard(emu)
    gpt.submit(["one"], tag="shared-tag-1", journal=path)
    claude, transport = standard(emu, engine="claude")
    with pytest.raises(DataForSEOInputError) as info:
        claude.submit(["one"], tag="shared-tag-1", journal=path)
    assert info.value.field == "journal"
    assert transport.posts == 0


def test_a_task_left_pending_by_failing_gets_says_why() -> None:
    emu = emulator(task_latency=0.05)

    def hook(request: httpx.Request, posts: int) -> httpx.Response | None:
        if "/task_get/" in request.url.path:
            return httpx.Response(200, content=b"{not json")
        return None

    model, _ = standard(emu, hook, max_wait=1.0, max_retries=0)
    handles = model.submit(["one question"])
    (result,) = model.collect(handles, return_exceptions=True)  # type: ignore[arg-type]
    assert isinstance(result, DataForSEOTaskPendingError)
    assert "last task_get failed" in str(result)


# --------------------------------------------------------------------------- per-input tags


def test_submit_with_tags_gives_each_task_its_own_tag_in_packed_posts(tmp_path: Path) -> None:
    emu = emulator(task_latency=0.05)
    model, transport = standard(emu)
    tags = [f"run-7:p{i}" for i in range(150)]
    handles = model.submit(prompts(150), tags=tags, journal=tmp_path / "run.jsonl")
    assert [h.tag for h in handles] == tags  # type: ignore[union-attr]
    posts = [r for r in transport.requests if r.url.path.endswith("/task_post")]
    assert [len(posted_tags(r)) for r in posts] == [100, 50]  # still 100 a request
    assert [t for r in posts for t in posted_tags(r)] == tags
    again, rerun = standard(emu)
    again.submit(prompts(150), tags=tags, journal=tmp_path / "run.jsonl")
    assert rerun.posts == 0  # the journal knows every tag
    answers = model.collect(handles)  # type: ignore[arg-type]
    assert [a.response_metadata["tag"] for a in answers] == tags  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tags", "options", "needle"),
    [
        (["a", "b"], {}, "3 input(s), 2 tag(s)"),
        ("abc", {}, "3 input(s), 1 tag(s)"),
        (["a", "b", "c"], {"tag": "x"}, "not both"),
        (["a", "b", "x" * 256], {}, "tag"),
    ],
)
def test_bad_tags_are_refused_before_anything_is_sent(
    tags: Any, options: dict[str, Any], needle: str
) -> None:
    model, transport = standard(emulator())
    with pytest.raises(DataForSEOInputError, match=re.escape(needle)):
        model.submit(prompts(3), tags=tags, **options)
    assert transport.requests == []


async def test_asubmit_takes_tags_too() -> None:
    emu = emulator(task_latency=0.05)
    model, _ = standard(emu)
    handles = await model.asubmit(["one?", "two?"], tags=["t-1", "t-2"])
    assert [h.tag for h in handles] == ["t-1", "t-2"]  # type: ignore[union-attr]
