"""Tests for the submission journal, resume planning, recovery by tag and id checks (pure)."""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from langchain_dataforseo._api.answers import parse_ready, parse_ready_tagged
from langchain_dataforseo._standard.handle import TaskHandle, check_task_id
from langchain_dataforseo._standard.journal import (
    FileJournal,
    JournalState,
    SubmitJournal,
    created_record,
    in_doubt_record,
    intent_record,
    open_journal,
    refused_record,
    replay,
)
from langchain_dataforseo._standard.protocol import (
    AskReadyTags,
    ChunkLog,
    Recovery,
    check_journal_engine,
    check_unique_tags,
    chunk_results,
    in_doubt_error,
    plan_resume,
    post_in_doubt,
    recover_steps,
    stops_collecting,
)
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOConnectionError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEOPaymentError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTaskInDoubtError,
    DataForSEOTimeoutError,
)

ID1 = "06151440-1535-0613-1000-3b1f6f9d2c01"
ID2 = "06151440-1535-0613-1000-3b1f6f9d2c02"


def handle(task_id: str, tag: str, index: int = 0) -> TaskHandle:
    return TaskHandle(id=task_id, engine="chat_gpt", tag=tag, model_name="m", index=index)


# --------------------------------------------------------------------------- task ids


@pytest.mark.parametrize("task_id", [ID1, ID1.upper(), "07091646-1535-0619-0000-34aa8225bd23"])
def test_check_task_id_accepts_the_api_uuid_format(task_id: str) -> None:
    assert check_task_id(task_id) == task_id


@pytest.mark.parametrize(
    "task_id",
    [
        "../../appendix/user_data",
        f"{ID1}?limit=1000",
        f"{ID1}#x",
        f"{ID1}/../x",
        f"{ID1}%2F",
        f" {ID1}",
        f"{ID1}\n",
        "",
        "06151440-1535-0613-1000-3b1f6f9d2c0g",
        "06151440153506131000-3b1f6f9d2c01",
    ],
)
def test_check_task_id_refuses_anything_else_naming_the_field(task_id: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_task_id(task_id)
    assert info.value.field == "id"
    assert info.value.actual == task_id
    assert "UUID" in str(info.value)


# --------------------------------------------------------------------------- collect errors


@pytest.mark.parametrize(
    "error",
    [
        DataForSEOResponseError("unreadable"),
        DataForSEOConnectionError("dropped", retryable=False),
        DataForSEOTimeoutError("slow", retryable=False),
        DataForSEOAPIError("500", status_code=50000),
        DataForSEORateLimitError("busy", status_code=40202),
    ],
)
def test_a_free_get_failing_like_this_does_not_stop_collecting(error: Exception) -> None:
    assert stops_collecting(error) is False


@pytest.mark.parametrize(
    "error",
    [
        DataForSEOAuthenticationError("refused", status_code=40100),
        DataForSEOPaymentError("no money", status_code=40200),
        RuntimeError("a bug"),
    ],
)
def test_only_errors_a_retry_cannot_fix_stop_collecting(error: Exception) -> None:
    assert stops_collecting(error) is True


# --------------------------------------------------------------------------- in doubt


@pytest.mark.parametrize(
    "error",
    [
        DataForSEOResponseError("unreadable answer"),
        DataForSEOTimeoutError("read timeout", retryable=False),
        DataForSEOConnectionError("dropped after sending", retryable=False),
    ],
)
def test_a_post_without_a_verdict_is_in_doubt(error: Exception) -> None:
    assert post_in_doubt(error) is True


@pytest.mark.parametrize(
    "error",
    [
        DataForSEOConnectionError("could not connect", retryable=True),
        DataForSEOInvalidRequestError("bad", status_code=40501),
        DataForSEOAuthenticationError("refused", status_code=40100),
        DataForSEORateLimitError("busy", status_code=40202, retryable=True),
    ],
)
def test_a_post_the_api_refused_or_never_received_is_not_in_doubt(error: Exception) -> None:
    assert post_in_doubt(error) is False


# --------------------------------------------------------------------------- file journal


def test_file_journal_appends_one_json_line_per_record_and_reads_them_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.jsonl"
    journal = FileJournal(path)
    journal.append(intent_record("chat_gpt", ["a", "b"]))
    journal.append(created_record([handle(ID1, "a")]))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["event"] == "intent"
    again = FileJournal(path)  # another process
    assert again.records() == journal.records()
    assert [r["event"] for r in again.records()] == ["intent", "created"]


def test_file_journal_fsyncs_every_record(tmp_path: Path, monkeypatch: Any) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    journal = FileJournal(tmp_path / "run.jsonl")
    before = len(synced)
    journal.append(intent_record("chat_gpt", ["a"]))
    journal.append(in_doubt_record("chat_gpt", ["a"], "timeout"))
    assert len(synced) - before >= 2


def test_file_journal_missing_file_reads_as_empty(tmp_path: Path) -> None:
    assert FileJournal(tmp_path / "nothing.jsonl").records() == []


def test_file_journal_ignores_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    journal = FileJournal(path)
    journal.append(intent_record("chat_gpt", ["a"]))
    with path.open("a", encoding="utf-8") as file:
        file.write('{"v": 1, "event": "crea')  # killed while writing
    assert [r["event"] for r in FileJournal(path).records()] == ["intent"]
    journal.append(created_record([handle(ID1, "a")]))  # appending still works
    assert [r["event"] for r in FileJournal(path).records()] == ["intent", "created"]


def test_file_journal_refuses_a_corrupt_line_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"v": 1, "event": "intent", "engine": "chat_gpt", "tags": ["a"]}\nxx\n{}\n')
    with pytest.raises(ValueError, match="line 2"):
        FileJournal(path).records()


def test_open_journal_takes_a_path_or_any_journal_object(tmp_path: Path) -> None:
    class Memory:
        def __init__(self) -> None:
            self.rows: list[dict[str, Any]] = []

        def append(self, record: dict[str, Any]) -> None:
            self.rows.append(dict(record))

        def records(self) -> list[dict[str, Any]]:
            return list(self.rows)

    memory = Memory()
    assert open_journal(memory) is memory
    assert isinstance(memory, SubmitJournal)
    assert isinstance(open_journal(tmp_path / "x.jsonl"), FileJournal)
    assert isinstance(open_journal(str(tmp_path / "y.jsonl")), FileJournal)


# --------------------------------------------------------------------------- replay


def test_replay_an_intent_without_outcome_leaves_its_tags_in_doubt() -> None:
    state = replay([intent_record("chat_gpt", ["a", "b"])])
    assert set(state.in_doubt) == {"a", "b"}
    assert state.handles == {}


def test_replay_created_handles_are_kept_by_tag() -> None:
    state = replay(
        [
            intent_record("chat_gpt", ["a", "b"]),
            created_record([handle(ID1, "a"), handle(ID2, "b", 1)]),
        ]
    )
    assert state.handles == {"a": handle(ID1, "a"), "b": handle(ID2, "b", 1)}
    assert state.in_doubt == {}
    assert state.engines == {"a": "chat_gpt", "b": "chat_gpt"}


def test_replay_refused_tasks_are_neither_known_nor_in_doubt() -> None:
    state = replay(
        [intent_record("chat_gpt", ["a"]), refused_record("chat_gpt", ["a"], "40501 bad")]
    )
    assert state.handles == {}
    assert state.in_doubt == {}


def test_replay_a_known_handle_is_never_forgotten_by_a_later_intent() -> None:
    state = replay(
        [
            intent_record("chat_gpt", ["a"]),
            created_record([handle(ID1, "a")]),
            intent_record("chat_gpt", ["a"]),
            in_doubt_record("chat_gpt", ["a"], "timeout"),
        ]
    )
    assert state.handles == {"a": handle(ID1, "a")}
    assert state.in_doubt == {}


def test_replay_keeps_the_recorded_reason_of_a_doubt() -> None:
    state = replay(
        [intent_record("chat_gpt", ["a"]), in_doubt_record("chat_gpt", ["a"], "read timeout")]
    )
    assert "read timeout" in state.in_doubt["a"]


def test_replay_refuses_a_journal_handle_with_an_unsafe_id() -> None:
    bad = {"v": 1, "event": "created", "handles": [{**handle(ID1, "a").to_dict(), "id": "../x"}]}
    with pytest.raises(DataForSEOInputError):
        replay([bad])


# --------------------------------------------------------------------------- plan


def test_plan_reuses_known_handles_looks_up_doubts_and_posts_the_rest() -> None:
    state = replay(
        [
            intent_record("chat_gpt", ["a", "b"]),
            created_record([handle(ID1, "a")]),
        ]
    )
    plan = plan_resume({0: "a", 1: "b", 2: "c"}, state)
    assert plan.known == {0: handle(ID1, "a")}
    assert plan.look_up == [1]
    assert plan.post == [2]


def test_plan_without_a_journal_posts_everything() -> None:
    plan = plan_resume({0: "a", 3: "b"}, JournalState())
    assert plan.known == {}
    assert plan.look_up == []
    assert plan.post == [0, 3]


def test_a_journal_that_gives_a_tag_to_another_engine_is_refused() -> None:
    state = replay([intent_record("claude", ["a"]), created_record([handle(ID1, "b")])])
    check_journal_engine({0: "b", 1: "c"}, state, "chat_gpt")
    with pytest.raises(DataForSEOInputError) as info:
        check_journal_engine({0: "a"}, state, "chat_gpt")
    assert info.value.field == "journal"
    assert "claude" in str(info.value)


def test_check_unique_tags_refuses_a_repeated_tag_before_posting() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_unique_tags({0: "a", 1: "b", 2: "a"})
    assert info.value.field == "tag"
    assert info.value.actual == "a"
    check_unique_tags({0: "a", 1: "b"})


# --------------------------------------------------------------------------- recover


def drive(
    gen: Generator[Any, Any, Recovery], answers: list[Any], clock: list[float]
) -> tuple[list[Any], Recovery]:
    steps: list[Any] = []
    try:
        step = next(gen)
        while True:
            steps.append(step)
            if isinstance(step, Sleep):
                clock[0] += step.seconds
                step = gen.send(None)
            else:
                step = gen.send(answers.pop(0) if len(answers) > 1 else answers[0])
    except StopIteration as stop:
        return steps, stop.value


def test_recover_finds_tags_in_tasks_ready_and_stops_asking() -> None:
    clock = [0.0]
    gen = recover_steps(
        "chat_gpt", {"a", "b"}, poll_interval=3.0, wait=60.0, clock=lambda: clock[0]
    )
    answers: list[Any] = [
        [(ID1, "a"), ("06151440-1535-0613-1000-000000000009", "foreign")],
        [(ID1, "a"), (ID2, "b")],
    ]
    steps, recovery = drive(gen, answers, clock)
    assert steps == [AskReadyTags("chat_gpt"), Sleep(3.0), AskReadyTags("chat_gpt")]
    assert recovery.found == {"a": ID1, "b": ID2}
    assert recovery.missing == set()


def test_recover_gives_up_after_its_wait_and_reports_what_is_missing() -> None:
    clock = [0.0]
    gen = recover_steps("chat_gpt", {"a", "b"}, poll_interval=3.0, wait=7.0, clock=lambda: clock[0])
    steps, recovery = drive(gen, [[(ID1, "a")]], clock)
    asks = [s for s in steps if isinstance(s, AskReadyTags)]
    assert 2 <= len(asks) <= 4
    assert clock[0] <= 7.0 + 1e-9
    assert recovery.found == {"a": ID1}
    assert recovery.missing == {"b"}


def test_recover_with_no_wait_asks_exactly_once() -> None:
    clock = [0.0]
    gen = recover_steps("chat_gpt", {"a"}, poll_interval=3.0, wait=0.0, clock=lambda: clock[0])
    steps, recovery = drive(gen, [[]], clock)
    assert steps == [AskReadyTags("chat_gpt")]
    assert recovery.missing == {"a"}


def test_recover_keeps_asking_after_a_transient_failure_and_stops_on_a_fatal_one() -> None:
    clock = [0.0]
    gen = recover_steps("chat_gpt", {"a"}, poll_interval=3.0, wait=60.0, clock=lambda: clock[0])
    steps, recovery = drive(gen, [DataForSEOResponseError("unreadable"), [(ID1, "a")]], clock)
    assert recovery.found == {"a": ID1}
    fatal = DataForSEOAuthenticationError("refused", status_code=40100)
    gen = recover_steps("chat_gpt", {"a"}, poll_interval=3.0, wait=60.0, clock=lambda: clock[0])
    steps, recovery = drive(gen, [fatal], clock)
    assert steps == [AskReadyTags("chat_gpt")]
    assert recovery.error is fatal
    assert recovery.missing == {"a"}


def test_recover_ignores_an_unsafe_id_listed_for_one_of_our_tags() -> None:
    clock = [0.0]
    gen = recover_steps("chat_gpt", {"a"}, poll_interval=3.0, wait=0.0, clock=lambda: clock[0])
    _, recovery = drive(gen, [[("../../appendix/user_data", "a")]], clock)
    assert recovery.found == {}
    assert recovery.missing == {"a"}


# --------------------------------------------------------------------------- chunk results


def test_chunk_results_turn_a_post_without_verdict_into_one_doubt_per_tag() -> None:
    chunk = [{"tag": "a"}, {"tag": "b"}]
    cause = DataForSEOResponseError("unreadable")
    results = chunk_results("chat_gpt", chunk, cause, 0)
    assert [type(r) for r in results] == [DataForSEOTaskInDoubtError] * 2
    assert [r.tag for r in results if isinstance(r, DataForSEOTaskInDoubtError)] == ["a", "b"]
    assert results[0].__cause__ is cause


def test_chunk_results_keep_a_refusal_as_the_error_of_each_task() -> None:
    refusal = DataForSEOInvalidRequestError("bad", status_code=40501)
    assert chunk_results("chat_gpt", [{"tag": "a"}], refusal, 0) == [refusal]


def test_chunk_log_writes_created_in_doubt_and_refused_tags(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "run.jsonl")
    log = ChunkLog(journal)
    chunk = [{"tag": "a"}, {"tag": "b"}, {"tag": "c"}]
    log.before("chat_gpt", chunk)
    doubt = in_doubt_error("chat_gpt", "b", DataForSEOTimeoutError("read timeout"))
    refusal = DataForSEOInvalidRequestError("bad", status_code=40501)
    log.after("chat_gpt", chunk, [handle(ID1, "a"), doubt, refusal])
    events = [r["event"] for r in journal.records()]
    assert events == ["intent", "created", "in_doubt", "refused"]
    state = replay(journal.records())
    assert set(state.handles) == {"a"}
    assert set(state.in_doubt) == {"b"}
    assert "read timeout" in state.in_doubt["b"]


def test_chunk_log_without_a_journal_writes_nothing() -> None:
    log = ChunkLog(None)
    log.before("chat_gpt", [{"tag": "a"}])
    log.after("chat_gpt", [{"tag": "a"}], [handle(ID1, "a")])
    log.recovered([handle(ID1, "a")])


def test_the_journal_interface_is_public() -> None:
    import langchain_dataforseo

    assert langchain_dataforseo.FileJournal is FileJournal
    assert langchain_dataforseo.SubmitJournal is SubmitJournal
    assert {"FileJournal", "SubmitJournal"} <= set(langchain_dataforseo.__all__)


def test_tasks_ready_of_the_reference_example_parses_to_id_and_tag_pairs() -> None:
    import httpx

    raw = (Path(__file__).parent.parent / "fixtures/api_examples/5.3_tasks_ready.json").read_bytes()
    pairs = parse_ready_tagged(httpx.Response(200, content=raw))
    assert pairs == [(ID1, "batch-7:q1"), (ID2, "batch-7:q2")]
    assert parse_ready(httpx.Response(200, content=raw)) == [ID1, ID2]
