"""Tests for ``_standard``: task handles, tags, Standard cost, chunking, posting, polling.

``collect_steps`` is driven by a scripted fake API and a fake clock that advances only
when the generator yields ``Sleep``; nothing here sleeps or reads the real time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_dataforseo._api.fields import STANDARD_BASE_PRICE_USD
from langchain_dataforseo._api.results import standard_cost
from langchain_dataforseo._standard.handle import MAX_TASKS_PER_POST, TaskHandle, generated_tag
from langchain_dataforseo._standard.protocol import (
    AskReady,
    CollectState,
    Fetch,
    chunks,
    collect_steps,
    posted_handles,
)
from langchain_dataforseo._transport.retry import Sleep
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInvalidRequestError,
    DataForSEONotFoundError,
    DataForSEOResponseError,
)
from tests.unit_tests.helpers import example

# --------------------------------------------------------------------------- TaskHandle


def test_task_handle_round_trips_through_a_json_dict() -> None:
    handle = TaskHandle(
        id="t-1", engine="claude", tag="batch:q1", model_name="m", index=7, max_output_tokens=100
    )
    saved = json.loads(json.dumps(handle.to_dict()))
    assert TaskHandle.from_dict(saved) == handle


def test_task_handle_round_trips_with_optional_fields_unset() -> None:
    handle = TaskHandle(id="t-1", engine="chat_gpt")
    assert handle.to_dict() == {
        "notes": None,
        "id": "t-1",
        "engine": "chat_gpt",
        "tag": None,
        "model_name": None,
        "index": None,
        "max_output_tokens": None,
    }
    assert TaskHandle.from_dict(handle.to_dict()) == handle


@pytest.mark.parametrize(
    "data",
    [
        {"engine": "claude"},
        {"id": "t-1"},
        {"id": 5, "engine": "claude"},
        {"id": "t-1", "engine": None},
        {},
    ],
)
def test_task_handle_from_dict_refuses_a_missing_or_non_string_id_or_engine(
    data: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match="'id' and 'engine'"):
        TaskHandle.from_dict(data)


def test_task_handle_from_dict_drops_optional_fields_of_the_wrong_type() -> None:
    handle = TaskHandle.from_dict(
        {"id": "t-1", "engine": "gemini", "tag": 3, "model_name": ["x"], "index": "4"}
    )
    assert handle == TaskHandle(id="t-1", engine="gemini", tag=None, model_name=None, index=None)


def test_task_handle_from_dict_ignores_unknown_keys() -> None:
    handle = TaskHandle.from_dict({"id": "t-1", "engine": "claude", "extra": 1, "index": 2})
    assert handle == TaskHandle(id="t-1", engine="claude", index=2)


# --------------------------------------------------------------------------- generated_tag


def test_generated_tag_is_deterministic_and_ignores_key_order() -> None:
    a = {"user_prompt": "hi", "model_name": "gpt-4o"}
    b = {"model_name": "gpt-4o", "user_prompt": "hi"}
    assert generated_tag(a, 3) == generated_tag(dict(a), 3) == generated_tag(b, 3)


def test_generated_tag_differs_by_content() -> None:
    assert generated_tag({"user_prompt": "hi"}, 0) != generated_tag({"user_prompt": "ho"}, 0)


def test_generated_tag_differs_by_index() -> None:
    task = {"user_prompt": "hi"}
    assert generated_tag(task, 0) != generated_tag(task, 1)
    assert generated_tag(task, 12).endswith("-12")


@given(
    st.dictionaries(st.text(max_size=20), st.text(max_size=600), max_size=6),
    st.integers(min_value=0, max_value=10**12),
)
def test_generated_tag_fits_the_api_tag_limit(task: dict[str, str], index: int) -> None:
    tag = generated_tag(task, index)
    assert len(tag) <= 255
    assert tag.startswith("lcdfs-")


# --------------------------------------------------------------------------- standard_cost


def test_standard_cost_adds_the_base_price_to_money_spent() -> None:
    assert STANDARD_BASE_PRICE_USD == 0.0002
    assert standard_cost(0.0) == 0.0002
    assert standard_cost(0.0266228) == 0.0268228


def test_standard_cost_is_rounded_to_seven_decimals() -> None:
    assert standard_cost(0.1 + 0.2) == 0.3002
    assert standard_cost(0.00000001) == 0.0002


# --------------------------------------------------------------------------- chunks


def test_chunks_split_into_hundreds_keeping_order() -> None:
    items = list(range(250))
    parts = chunks(items)
    assert MAX_TASKS_PER_POST == 100
    assert [len(p) for p in parts] == [100, 100, 50]
    assert [x for part in parts for x in part] == items


def test_chunks_of_exactly_one_chunk_and_of_nothing() -> None:
    assert chunks(list(range(100))) == [list(range(100))]
    assert chunks([]) == []


def test_chunks_honours_a_custom_size() -> None:
    assert chunks("abcde", size=2) == [["a", "b"], ["c", "d"], ["e"]]


# --------------------------------------------------------------------------- posted_handles


def _sent(n: int) -> list[dict[str, Any]]:
    return [
        {"user_prompt": f"q{i}", "model_name": f"model-{i}", "tag": f"tag-{i}"} for i in range(n)
    ]


def test_posted_handles_pairs_the_reference_example_in_order() -> None:
    answered = example("5.2_task_post")["tasks"]
    sent = _sent(3)
    out = posted_handles("claude", sent, answered, first_index=100)

    first, second, third = out
    assert first == TaskHandle(
        id="06151440-1535-0613-1000-3b1f6f9d2c01",
        engine="claude",
        tag="tag-0",
        model_name="model-0",
        index=100,
    )
    assert isinstance(second, TaskHandle)
    assert second.id == "06151440-1535-0613-1000-3b1f6f9d2c02"
    assert second.index == 101
    assert second.tag == "tag-1"
    assert isinstance(third, DataForSEOInvalidRequestError)
    assert third.status_code == 40501
    assert third.task_id == "06151440-1535-0613-1000-3b1f6f9d2c03"


def test_posted_handles_takes_tag_and_model_from_what_was_sent_not_the_echo() -> None:
    reply = {"id": "t-9", "status_code": 20100, "data": {"tag": "echo", "model_name": "echo"}}
    (handle,) = posted_handles("gemini", [{"user_prompt": "x"}], [reply], first_index=0)
    assert handle == TaskHandle(id="t-9", engine="gemini", tag=None, model_name=None, index=0)


def test_posted_handles_turns_a_missing_answer_into_a_response_error() -> None:
    created = {"id": "t-0", "status_code": 20100}
    out = posted_handles("chat_gpt", _sent(3), [created], first_index=5)
    assert isinstance(out[0], TaskHandle)
    assert all(isinstance(e, DataForSEOResponseError) for e in out[1:])
    assert "position 6" in str(out[1])
    assert "position 7" in str(out[2])


def test_posted_handles_turns_a_non_dict_answer_into_a_response_error() -> None:
    out = posted_handles("chat_gpt", _sent(2), ["oops", None], first_index=0)
    assert [type(e) for e in out] == [DataForSEOResponseError, DataForSEOResponseError]


def test_posted_handles_refuses_a_created_task_without_a_string_id() -> None:
    (out,) = posted_handles("chat_gpt", _sent(1), [{"status_code": 20100, "id": 7}], 0)
    assert isinstance(out, DataForSEOError)
    assert not isinstance(out, TaskHandle)


def test_posted_handles_ignores_extra_answers() -> None:
    answered = [{"id": f"t-{i}", "status_code": 20100} for i in range(3)]
    out = posted_handles("chat_gpt", _sent(2), answered, first_index=0)
    assert [h.id for h in out if isinstance(h, TaskHandle)] == ["t-0", "t-1"]


# --------------------------------------------------------------------------- collect_steps


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def done_task(task_id: str) -> dict[str, Any]:
    return {
        "id": task_id,
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": 0,
        "result": [{"model_name": "m", "items": [], "money_spent": 0.001}],
    }


def pending_task(task_id: str, code: int = 40602) -> dict[str, Any]:
    return {"id": task_id, "status_code": code, "status_message": "Task In Queue.", "result": None}


def failed_task(task_id: str, code: int = 50000) -> dict[str, Any]:
    return {"id": task_id, "status_code": code, "status_message": "Internal Error.", "cost": 0.0}


@dataclass
class FakeApi:
    """Scripted ``tasks_ready`` / ``task_get``.

    ``script[id]`` lists what successive ``task_get`` calls answer (the last one repeats).
    ``tasks_ready`` lists, per engine, the ids whose next answer is not pending and that
    were not collected yet (like the API), plus ``foreign`` ids of other clients.
    """

    engines: dict[str, str]
    script: dict[str, list[Any]]
    foreign: dict[str, list[str]] = field(default_factory=dict)
    ready_override: Callable[[str, int], list[str]] | None = None
    collected: set[str] = field(default_factory=set)
    ready_calls: int = 0

    def _next(self, task_id: str) -> Any:
        answers = self.script[task_id]
        return answers[0]

    def tasks_ready(self, engine: str) -> list[str]:
        self.ready_calls += 1
        if self.ready_override is not None:
            return self.ready_override(engine, self.ready_calls)
        ours = [
            i
            for i, e in self.engines.items()
            if e == engine
            and i not in self.collected
            and isinstance(self._next(i), dict)
            and self._next(i).get("status_code") not in (20100, 40601, 40602)
        ]
        return [*self.foreign.get(engine, []), *ours]

    def task_get(self, engine: str, ids: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for task_id in ids:
            assert task_id in self.script, f"fetched an id that is not ours: {task_id}"
            answers = self.script[task_id]
            outcome = answers.pop(0) if len(answers) > 1 else answers[0]
            if isinstance(outcome, dict) and outcome.get("status_code") == 20000:
                self.collected.add(task_id)
            out[task_id] = outcome
        return out


@dataclass
class Run:
    steps: list[tuple[float, Any]]
    state: CollectState
    end: float

    @property
    def kinds(self) -> list[Any]:
        return [step for _, step in self.steps]


def drive(gen: Generator[Any, Any, CollectState], clock: FakeClock, api: FakeApi) -> Run:
    """Perform the generator's steps against the fake API; record (time, step)."""
    steps: list[tuple[float, Any]] = []
    answer: Any = None
    for _ in range(10_000):
        try:
            step = gen.send(answer)
        except StopIteration as stop:
            return Run(steps, stop.value, clock.now)
        steps.append((clock.now, step))
        if isinstance(step, Sleep):
            assert step.seconds >= 0
            clock.now += step.seconds
            answer = None
        elif isinstance(step, AskReady):
            answer = api.tasks_ready(step.engine)
        elif isinstance(step, Fetch):
            answer = api.task_get(step.engine, step.ids)
        else:  # pragma: no cover - a new step type would be a test failure
            pytest.fail(f"unknown step {step!r}")
    pytest.fail("collect_steps did not finish")


def handles_for(engines: Mapping[str, str]) -> list[TaskHandle]:
    return [TaskHandle(id=i, engine=e) for i, e in engines.items()]


def run_collect(
    api: FakeApi,
    *,
    poll_interval: float = 3.0,
    max_wait: float = 100.0,
    first_wait: float = 5.0,
    use_tasks_ready: bool = True,
    sweep_every: int | None = 10,
    backoff: float = 1.0,
    patience: int = 3,
    max_interval: float = 60.0,
    clock: FakeClock | None = None,
) -> Run:
    clock = clock or FakeClock()
    gen = collect_steps(
        handles_for(api.engines),
        poll_interval=poll_interval,
        max_wait=max_wait,
        first_wait=first_wait,
        use_tasks_ready=use_tasks_ready,
        sweep_every=sweep_every,
        backoff=backoff,
        patience=patience,
        max_interval=max_interval,
        clock=clock,
    )
    return drive(gen, clock, api)


def test_collect_first_step_is_the_first_wait() -> None:
    api = FakeApi({"a": "claude"}, {"a": [done_task("a")]})
    run = run_collect(api, first_wait=7.5)
    assert run.kinds[0] == Sleep(7.5)
    assert run.kinds[1] == AskReady("claude")


def test_collect_with_nothing_to_collect_yields_nothing() -> None:
    gen = collect_steps([], poll_interval=3, max_wait=10, first_wait=5, clock=FakeClock())
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == CollectState()


def test_collect_fetches_only_our_ready_ids_and_never_foreign_ones() -> None:
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [done_task("a")], "b": [pending_task("b"), done_task("b")]},
        foreign={"claude": ["someone-else-1", "someone-else-2"]},
    )
    run = run_collect(api)
    fetches = [s for s in run.kinds if isinstance(s, Fetch)]
    assert fetches[0] == Fetch("claude", ("a",))
    assert all(set(f.ids) <= {"a", "b"} for f in fetches)
    assert set(run.state.done) == {"a", "b"}
    assert run.state.done["a"] == done_task("a")
    assert not run.state.pending
    assert not run.state.failed


def test_collect_makes_no_fetch_when_none_of_ours_is_ready() -> None:
    api = FakeApi(
        {"a": "claude"},
        {"a": [pending_task("a")] * 3 + [done_task("a")]},
        ready_override=lambda engine, n: ["foreign"] if n < 3 else ["foreign", "a"],
    )
    run = run_collect(api, sweep_every=100)
    assert run.kinds[:6] == [
        Sleep(5.0),
        AskReady("claude"),
        Sleep(3.0),
        AskReady("claude"),
        Sleep(3.0),
        AskReady("claude"),
    ]
    assert run.kinds[6] == Fetch("claude", ("a",))
    assert "a" in run.state.done


@pytest.mark.parametrize("code", [40602, 40601, 20100])
def test_collect_keeps_a_task_pending_while_task_get_says_not_finished(code: int) -> None:
    api = FakeApi(
        {"a": "claude"},
        {"a": [pending_task("a", code)]},
        ready_override=lambda engine, n: ["a"],  # a stale tasks_ready still lists it
    )
    run = run_collect(api, max_wait=20.0)
    assert set(run.state.pending) == {"a"}
    assert not run.state.done
    assert not run.state.failed
    assert sum(isinstance(s, Fetch) for s in run.kinds) >= 2


def test_collect_fails_a_finished_task_whose_result_is_null() -> None:
    task = {"id": "a", "status_code": 20000, "status_message": "Ok.", "cost": 0, "result": None}
    api = FakeApi({"a": "claude"}, {"a": [task]}, ready_override=lambda e, n: ["a"])
    run = run_collect(api)
    error = run.state.failed["a"]
    assert isinstance(error, DataForSEOResponseError)
    assert error.task_id == "a"
    assert not run.state.pending
    assert not run.state.done


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(50000, DataForSEOAPIError), (40403, DataForSEONotFoundError)],
)
def test_collect_fails_a_task_that_failed_with_its_typed_error(
    code: int, error_type: type[DataForSEOError]
) -> None:
    api = FakeApi({"a": "claude"}, {"a": [failed_task("a", code)]})
    run = run_collect(api)
    error = run.state.failed["a"]
    assert isinstance(error, error_type)
    assert error.status_code == code
    assert error.task_id == "a"
    assert not run.state.pending


def test_collect_retries_a_task_get_that_failed_retryably_in_the_next_round() -> None:
    flaky = DataForSEOConnectionError("dropped", retryable=True)
    api = FakeApi(
        {"a": "claude"}, {"a": [flaky, done_task("a")]}, ready_override=lambda e, n: ["a"]
    )
    run = run_collect(api)
    fetches = [(t, s) for t, s in run.steps if isinstance(s, Fetch)]
    assert len(fetches) == 2
    assert fetches[1][0] - fetches[0][0] >= 3.0
    assert "a" in run.state.done
    assert not run.state.failed


def test_collect_stops_and_keeps_the_task_pending_when_task_get_fails_for_good() -> None:
    fatal = DataForSEOAuthenticationError("refused", status_code=40100)
    api = FakeApi({"a": "claude"}, {"a": [fatal]}, ready_override=lambda e, n: ["a"])
    run = run_collect(api)
    assert run.state.error is fatal
    assert set(run.state.pending) == {"a"}  # not known to have failed: collect it later
    assert not run.state.failed
    assert sum(isinstance(s, Fetch) for s in run.kinds) == 1


def test_collect_keeps_collecting_after_an_unreadable_or_dropped_task_get() -> None:
    unreadable = DataForSEOResponseError("bad JSON")
    dropped = DataForSEOConnectionError("gone", retryable=False)
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [unreadable, dropped, done_task("a")], "b": [done_task("b")]},
        ready_override=lambda e, n: ["a", "b"],
    )
    run = run_collect(api)
    assert run.state.error is None
    assert set(run.state.done) == {"a", "b"}
    assert not run.state.pending


def test_collect_keeps_collecting_after_a_failed_tasks_ready() -> None:
    api = FakeApi({"a": "claude"}, {"a": [done_task("a")]})
    gen = collect_steps(handles_for(api.engines), poll_interval=3.0, max_wait=100.0, first_wait=1.0)
    assert isinstance(next(gen), Sleep)
    assert isinstance(gen.send(None), AskReady)
    assert gen.send(DataForSEOResponseError("unreadable")) == Sleep(3.0)  # ask again later


def test_collect_stops_when_tasks_ready_fails_for_good() -> None:
    fatal = DataForSEOAuthenticationError("refused", status_code=40100)
    api = FakeApi({"a": "claude", "b": "claude"}, {"a": [done_task("a")], "b": [done_task("b")]})
    gen = collect_steps(handles_for(api.engines), poll_interval=3.0, max_wait=100.0, first_wait=1.0)
    assert isinstance(next(gen), Sleep)
    assert isinstance(gen.send(None), AskReady)
    with pytest.raises(StopIteration) as stop:
        gen.send(fatal)
    state = stop.value.value
    assert state.error is fatal
    assert set(state.pending) == {"a", "b"}


def test_collect_sweeps_every_pending_id_every_sweep_every_rounds() -> None:
    # tasks_ready never lists our tasks (crowded or delayed): only sweeps fetch them.
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [pending_task("a")], "b": [pending_task("b")]},
        ready_override=lambda e, n: [],
    )
    run = run_collect(api, sweep_every=3, max_wait=3 * 9 + 1)
    rounds: list[list[Any]] = [[]]
    for step in run.kinds[1:]:  # after the first wait
        if isinstance(step, Sleep):
            rounds.append([])
        else:
            rounds[-1].append(step)
    rounds = [r for r in rounds if r]
    assert len(rounds) >= 6
    for number, steps in enumerate(rounds, start=1):
        if number % 3 == 0:
            assert steps == [Fetch("claude", ("a", "b"))], number
        else:
            assert steps == [AskReady("claude")], number


def test_collect_sweep_finds_a_task_tasks_ready_never_shows() -> None:
    api = FakeApi({"a": "claude"}, {"a": [done_task("a")]}, ready_override=lambda e, n: [])
    run = run_collect(api, sweep_every=2)
    assert run.kinds == [Sleep(5.0), AskReady("claude"), Sleep(3.0), Fetch("claude", ("a",))]
    assert "a" in run.state.done


def test_collect_without_tasks_ready_fetches_all_pending_every_round() -> None:
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [pending_task("a"), done_task("a")], "b": [pending_task("b")]},
    )
    run = run_collect(api, use_tasks_ready=False, max_wait=5 + 3 * 3)
    assert not any(isinstance(s, AskReady) for s in run.kinds)
    fetches = [s for s in run.kinds if isinstance(s, Fetch)]
    # "a" answers pending once, then done; "b" never finishes.
    assert fetches[:2] == [Fetch("claude", ("a", "b"))] * 2
    assert fetches[2:] == [Fetch("claude", ("b",))] * (len(fetches) - 2)
    assert len(fetches) >= 3
    assert set(run.state.done) == {"a"}
    assert set(run.state.pending) == {"b"}


def test_collect_with_no_first_wait_sweeps_directly_in_the_first_round() -> None:
    # Collected earlier: tasks_ready no longer lists them; only a direct fetch finds them.
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [done_task("a")], "b": [pending_task("b"), done_task("b")]},
        ready_override=lambda e, n: ["b"],
    )
    run = run_collect(api, first_wait=0)
    assert run.kinds[0] == Fetch("claude", ("a", "b"))
    assert run.kinds[1] == Sleep(3.0)
    assert run.kinds[2] == AskReady("claude")
    assert run.kinds[3] == Fetch("claude", ("b",))
    assert set(run.state.done) == {"a", "b"}


def test_collect_gives_up_at_max_wait_leaving_the_rest_pending() -> None:
    clock = FakeClock(start=50.0)
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [done_task("a")], "b": [pending_task("b")]},
        ready_override=lambda e, n: ["a", "b"],
    )
    run = run_collect(api, clock=clock, poll_interval=4.0, max_wait=30.0, first_wait=5.0)
    assert set(run.state.done) == {"a"}
    assert set(run.state.pending) == {"b"}
    assert run.state.pending["b"] == TaskHandle(id="b", engine="claude")
    assert run.end == pytest.approx(80.0)  # slept exactly up to the deadline, not past it
    assert all(t < 80.0 for t, s in run.steps if not isinstance(s, Sleep))


def test_collect_first_wait_longer_than_max_wait_is_cut_to_max_wait() -> None:
    api = FakeApi({"a": "claude"}, {"a": [done_task("a")]})
    run = run_collect(api, first_wait=60.0, max_wait=10.0)
    assert run.kinds == [Sleep(10.0)]
    assert set(run.state.pending) == {"a"}


def test_collect_rounds_are_separated_by_the_poll_interval() -> None:
    api = FakeApi({"a": "claude"}, {"a": [pending_task("a")]}, ready_override=lambda e, n: [])
    run = run_collect(api, poll_interval=4.5, max_wait=40.0, first_wait=2.0)
    sleeps = [s.seconds for s in run.kinds if isinstance(s, Sleep)]
    assert sleeps[0] == 2.0
    assert all(s == 4.5 for s in sleeps[1:-1])
    asks = [t for t, s in run.steps if isinstance(s, AskReady)]
    assert len(asks) >= 5
    assert all(b - a >= 4.5 for a, b in pairwise(asks))


def test_collect_asks_each_engine_and_fetches_per_engine() -> None:
    api = FakeApi(
        {"c1": "claude", "g1": "chat_gpt", "c2": "claude"},
        {"c1": [done_task("c1")], "g1": [done_task("g1")], "c2": [done_task("c2")]},
    )
    run = run_collect(api)
    assert run.kinds[1:5] == [
        AskReady("chat_gpt"),
        Fetch("chat_gpt", ("g1",)),
        AskReady("claude"),
        Fetch("claude", ("c1", "c2")),
    ]
    assert set(run.state.done) == {"c1", "g1", "c2"}
    assert len(run.kinds) == 5


def test_collect_sweep_fetches_each_engine_only_its_own_ids() -> None:
    api = FakeApi(
        {"c1": "claude", "g1": "chat_gpt"},
        {"c1": [done_task("c1")], "g1": [done_task("g1")]},
    )
    run = run_collect(api, first_wait=0)
    assert run.kinds == [Fetch("chat_gpt", ("g1",)), Fetch("claude", ("c1",))]


def test_collect_never_fetches_a_task_of_another_engine_listed_by_tasks_ready() -> None:
    api = FakeApi(
        {"c1": "claude", "g1": "chat_gpt"},
        {"c1": [done_task("c1")], "g1": [done_task("g1")]},
        ready_override=lambda engine, n: ["c1", "g1"],
    )
    run = run_collect(api)
    for step in run.kinds:
        if isinstance(step, Fetch):
            assert all(api.engines[i] == step.engine for i in step.ids), step


def test_collect_ignores_answers_for_ids_it_did_not_ask() -> None:
    gen = collect_steps(
        [TaskHandle(id="a", engine="claude")],
        poll_interval=3,
        max_wait=100,
        first_wait=0,
        clock=FakeClock(),
    )
    assert next(gen) == Fetch("claude", ("a",))
    with pytest.raises(StopIteration) as stop:
        gen.send({"a": done_task("a"), "intruder": done_task("intruder")})
    state: CollectState = stop.value.value
    assert set(state.done) == {"a"}
    assert "intruder" not in state.failed


_OUTCOMES = st.sampled_from(["pending", "done", "null", "failed", "retry", "fatal"])


def _outcome(kind: str, task_id: str) -> Any:
    return {
        "pending": pending_task(task_id),
        "done": done_task(task_id),
        "null": {"id": task_id, "status_code": 20000, "result": None},
        "failed": failed_task(task_id),
        "retry": DataForSEOConnectionError("flaky", retryable=True),
        "fatal": DataForSEOConnectionError("fatal", retryable=False),
    }[kind]


@settings(max_examples=60, deadline=None)
@given(
    scripts=st.lists(st.lists(_OUTCOMES, min_size=1, max_size=6), min_size=1, max_size=5),
    engines=st.lists(st.sampled_from(["chat_gpt", "claude", "gemini"]), min_size=5, max_size=5),
    poll_interval=st.floats(min_value=0.5, max_value=10),
    max_wait=st.floats(min_value=0, max_value=60),
    first_wait=st.sampled_from([0.0, 1.0, 5.0]),
    sweep_every=st.integers(min_value=1, max_value=5),
    use_tasks_ready=st.booleans(),
)
def test_collect_invariants_hold_for_any_script(
    scripts: list[list[str]],
    engines: list[str],
    poll_interval: float,
    max_wait: float,
    first_wait: float,
    sweep_every: int,
    use_tasks_ready: bool,
) -> None:
    ids = [f"t{i}" for i in range(len(scripts))]
    api = FakeApi(
        {i: engines[n] for n, i in enumerate(ids)},
        {i: [_outcome(k, i) for k in kinds] for i, kinds in zip(ids, scripts, strict=True)},
        ready_override=lambda e, n: [i for i in ids if api.engines[i] == e],
    )
    clock = FakeClock(start=0.0)
    run = run_collect(
        api,
        poll_interval=poll_interval,
        max_wait=max_wait,
        first_wait=first_wait,
        sweep_every=sweep_every,
        use_tasks_ready=use_tasks_ready,
        clock=clock,
    )
    state = run.state
    # Every task ends in exactly one place.
    assert set(state.done) | set(state.failed) | set(state.pending) == set(ids)
    assert len(state.done) + len(state.failed) + len(state.pending) == len(ids)
    # Never sleeps past the deadline; pending remains only when time ran out, or when
    # collecting stopped on an error that retrying would not fix.
    assert run.end <= max_wait + 1e-9
    if state.pending and state.error is None:
        assert run.end >= max_wait - 1e-9
    # No request is made at or after the deadline.
    assert all(t < max_wait for t, s in run.steps if not isinstance(s, Sleep))
    # Requests of consecutive rounds are at least poll_interval apart.
    times = sorted({t for t, s in run.steps if not isinstance(s, Sleep)})
    assert all(b - a >= poll_interval - 1e-9 for a, b in pairwise(times))
    if not use_tasks_ready:
        assert not any(isinstance(s, AskReady) for s in run.kinds)
    for done in state.done.values():
        assert done["status_code"] == 20000
    for error in state.failed.values():
        assert isinstance(error, DataForSEOError)


def test_idle_polling_backs_off_after_patience_rounds_up_to_the_cap() -> None:
    api = FakeApi({"a": "claude"}, {"a": [pending_task("a")]}, ready_override=lambda e, n: [])
    run = run_collect(
        api,
        poll_interval=2.0,
        max_wait=200.0,
        first_wait=1.0,
        backoff=2.0,
        patience=2,
        max_interval=10.0,
        sweep_every=1000,
    )
    sleeps = [s.seconds for s in run.kinds if isinstance(s, Sleep)]
    assert sleeps[:7] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert all(s <= 10.0 for s in sleeps)
    assert run.state.pending


def test_polling_returns_to_the_poll_interval_when_a_task_finishes() -> None:
    ready_from = {"a": 5, "b": 9}

    def ready(engine: str, n: int) -> list[str]:
        return [i for i, first in ready_from.items() if n >= first]

    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [done_task("a")], "b": [done_task("b")]},
        ready_override=ready,
    )
    run = run_collect(
        api,
        poll_interval=1.0,
        first_wait=1.0,
        backoff=2.0,
        patience=1,
        max_interval=8.0,
        sweep_every=1000,
        max_wait=500.0,
    )
    sleeps = [s.seconds for s in run.kinds if isinstance(s, Sleep)]
    after_first_done = sleeps[sleeps.index(8.0) + 1 :]
    assert 1.0 in after_first_done  # reset once "a" finished
    assert set(run.state.done) == {"a", "b"}


def test_collect_remembers_the_last_get_failure_of_a_task_left_pending() -> None:
    unreadable = DataForSEOResponseError("bad JSON")
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [unreadable], "b": [unreadable, done_task("b")]},
        ready_override=lambda e, n: ["a", "b"],
    )
    run = run_collect(api, max_wait=20.0)
    assert set(run.state.pending) == {"a"}
    assert run.state.last_errors == {"a": unreadable}  # b's failure was cleared when it came
    assert run.state.error is None


def test_collect_without_sweeps_fetches_each_task_once_however_long_it_runs() -> None:
    # ten tasks finishing one after another over many idle rounds: listed when finished
    ids = {f"t{i}": "claude" for i in range(10)}
    api = FakeApi(ids, {i: [done_task(i)] for i in ids})

    listed: set[str] = set()
    get = api.task_get

    def ready(engine: str, n: int) -> list[str]:  # finished after 5 + 3k polls
        out = [i for k, i in enumerate(ids) if n > 5 + 3 * k and i not in api.collected]
        listed.update(out)
        return out

    def task_get(engine: str, wanted: Sequence[str]) -> dict[str, Any]:
        assert set(wanted) <= listed, "fetched a task before it was finished"
        return get(engine, wanted)

    api.ready_override = ready
    api.task_get = task_get  # type: ignore[method-assign]
    clock = FakeClock()
    gen = collect_steps(
        handles_for(ids),
        poll_interval=3.0,
        max_wait=10_000.0,
        first_wait=3.0,
        sweep_every=None,
        patience=1_000,
        clock=clock,
    )
    run = drive(gen, clock, api)
    fetched = [i for s in run.kinds if isinstance(s, Fetch) for i in s.ids]
    assert set(run.state.done) == set(ids)
    assert sorted(fetched) == sorted(ids)  # one task_get per task


def test_collect_fetches_directly_a_task_listed_but_unfinished_or_whose_get_failed() -> None:
    flaky = DataForSEOConnectionError("dropped", retryable=True)
    api = FakeApi(
        {"a": "claude", "b": "claude"},
        {"a": [flaky, done_task("a")], "b": [pending_task("b"), done_task("b")]},
        # listed once only (a task served once leaves tasks_ready)
        ready_override=lambda engine, n: ["a", "b"] if n == 1 else [],
    )
    run = run_collect(api, sweep_every=None)
    fetches = [s for s in run.kinds if isinstance(s, Fetch)]
    assert fetches == [Fetch("claude", ("a", "b")), Fetch("claude", ("a", "b"))]
    assert set(run.state.done) == {"a", "b"}
    assert not run.state.again


def test_collect_fetches_ours_directly_when_a_full_listing_of_others_crowds_them_out() -> None:
    crowd = [f"other-{i}" for i in range(1000)]
    api = FakeApi({"a": "claude"}, {"a": [done_task("a")]}, ready_override=lambda e, n: crowd)
    run = run_collect(api, sweep_every=None, first_wait=3.0)
    fetches = [s for s in run.kinds if isinstance(s, Fetch)]
    assert fetches == [Fetch("claude", ("a",))]
    assert "a" in run.state.done
