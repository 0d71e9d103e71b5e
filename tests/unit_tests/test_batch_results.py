"""Tests for ``_batch_results``: a Live batch raises only after every prompt is dealt with."""

from __future__ import annotations

import pytest

from langchain_dataforseo.chat_models import raise_if_failed
from langchain_dataforseo.errors import DataForSEOAPIError, DataForSEOBatchError


def test_all_answered_returns_the_results() -> None:
    assert raise_if_failed(["a", "b"], return_exceptions=False) == ["a", "b"]


def test_with_return_exceptions_failures_stay_in_place() -> None:
    failure = DataForSEOAPIError("boom", status_code=50000)
    assert raise_if_failed(["a", failure], return_exceptions=True) == ["a", failure]


def test_a_failure_raises_with_every_result_in_input_order() -> None:
    first = DataForSEOAPIError("first", status_code=50000, task_id="t1")
    second = DataForSEOAPIError("second", status_code=50301)
    with pytest.raises(DataForSEOBatchError) as info:
        raise_if_failed(["a", first, "b", second], return_exceptions=False)
    error = info.value
    assert error.results == ["a", first, "b", second]
    assert error.pending == []
    assert error.status_code == 50000
    assert error.task_id == "t1"
    assert error.__cause__ is first
    assert "2 of 4 Live prompt(s) failed" in str(error)
