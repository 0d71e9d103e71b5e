"""Tests for ``_pacing.CallPacer``: a sliding-window limiter driven by a fake clock."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_dataforseo._transport.pacing import CallPacer


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _assert_at_most_limit_per_window(slots: list[float], limit: int, window: float) -> None:
    """No half-open window ``[t, t + window)`` holds more than ``limit`` slot times."""
    ordered = sorted(slots)
    for first, later in zip(ordered, ordered[limit:], strict=False):
        assert later - first >= window - 1e-9, (first, later)


def test_limit_reservations_in_one_window_need_no_wait() -> None:
    pacer = CallPacer(3, 10.0, clock=FakeClock())
    assert [pacer.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_reservation_past_the_limit_waits_until_the_oldest_slot_leaves_the_window() -> None:
    clock = FakeClock(100.0)
    pacer = CallPacer(3, 10.0, clock=clock)
    pacer.reserve()  # slot 100
    clock.now = 102.0
    pacer.reserve()  # slot 102
    clock.now = 104.0
    pacer.reserve()  # slot 104
    clock.now = 105.0
    assert pacer.reserve() == pytest.approx(5.0)  # 100 leaves the window at 110


def test_waits_grow_one_window_per_limit_reservations_at_a_fixed_time() -> None:
    pacer = CallPacer(2, 3.0, clock=FakeClock())
    assert [pacer.reserve() for _ in range(7)] == [0.0, 0.0, 3.0, 3.0, 6.0, 6.0, 9.0]


def test_slots_free_again_once_the_window_has_passed() -> None:
    clock = FakeClock(0.0)
    pacer = CallPacer(2, 5.0, clock=clock)
    pacer.reserve()
    pacer.reserve()
    clock.now = 5.0  # both slots are exactly one window old
    assert pacer.reserve() == 0.0
    assert pacer.reserve() == 0.0
    assert pacer.reserve() == pytest.approx(5.0)


def test_one_call_every_three_seconds_pacer_spaces_tasks_ready_calls() -> None:
    clock = FakeClock(0.0)
    pacer = CallPacer(1, 3.0, clock=clock)
    assert pacer.reserve() == 0.0
    clock.now = 1.0
    assert pacer.reserve() == pytest.approx(2.0)
    clock.now = 3.5  # the slot reserved for 3.0 is still in the window
    assert pacer.reserve() == pytest.approx(2.5)


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (-1, 1.0), (1, 0.0), (1, -2.0)])
def test_invalid_limit_or_window_is_refused(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit >= 1 and window > 0"):
        CallPacer(limit, window)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=6),
    window=st.floats(min_value=0.5, max_value=60.0),
    gaps=st.lists(st.floats(min_value=0.0, max_value=30.0), min_size=1, max_size=60),
)
def test_reservations_never_put_more_than_limit_slots_in_any_window(
    limit: int, window: float, gaps: list[float]
) -> None:
    clock = FakeClock(0.0)
    pacer = CallPacer(limit, window, clock=clock)
    slots: list[float] = []
    for gap in gaps:
        clock.now += gap
        wait = pacer.reserve()
        assert wait >= 0.0
        slot = clock.now + wait
        if wait > 0:
            # Not overly cautious: the slot is the moment an earlier slot leaves the window.
            assert any(abs(slot - window - s) < 1e-6 for s in slots)
            recent = [s for s in slots if s > clock.now - window]
            assert len(recent) >= limit
        slots.append(slot)
    _assert_at_most_limit_per_window(slots, limit, window)


@pytest.fixture
def fast_thread_switching() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@pytest.mark.usefixtures("fast_thread_switching")
def test_many_threads_reserving_never_exceed_the_limit() -> None:
    limit, window, threads, each = 7, 1.0, 16, 50
    pacer = CallPacer(limit, window, clock=lambda: 0.0)
    waits: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait()
        mine = [pacer.reserve() for _ in range(each)]
        with lock:
            waits.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert len(waits) == threads * each
    _assert_at_most_limit_per_window(waits, limit, window)
    # No slot was lost or doubled: exactly ``limit`` calls per window, back to back.
    assert sorted(waits) == [float(i // limit) for i in range(threads * each)]
