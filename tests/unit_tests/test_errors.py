"""Tests for ``errors``: the code-to-class table and the class hierarchy."""

from __future__ import annotations

import copy
import multiprocessing as mp
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage

import langchain_dataforseo
from langchain_dataforseo import errors
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOBatchError,
    DataForSEOBudgetError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEOJournalLockedError,
    DataForSEONotFoundError,
    DataForSEOPaymentError,
    DataForSEOPostbackError,
    DataForSEOPostbackLimitError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOResponseTooLargeError,
    DataForSEOSubmitError,
    DataForSEOTaskInDoubtError,
    DataForSEOTaskPendingError,
    DataForSEOTimeoutError,
    DataForSEOUnsupportedError,
    error_class_for,
)


@pytest.mark.parametrize(
    ("status_code", "expected"),
    [
        (40100, DataForSEOAuthenticationError),
        (40202, DataForSEORateLimitError),
        (40209, DataForSEORateLimitError),
        (40200, DataForSEOPaymentError),
        (40210, DataForSEOPaymentError),
        (40400, DataForSEONotFoundError),
        (40401, DataForSEONotFoundError),
        (40402, DataForSEONotFoundError),
        (40403, DataForSEONotFoundError),
        (40501, DataForSEOInvalidRequestError),
        (40503, DataForSEOInvalidRequestError),
        (40006, DataForSEOInvalidRequestError),
        (40000, DataForSEOInvalidRequestError),
        (50000, DataForSEOAPIError),
        (50301, DataForSEOAPIError),
        (50401, DataForSEOTimeoutError),
    ],
)
def test_status_code_maps_to_error_class(status_code: int, expected: type[DataForSEOError]) -> None:
    assert error_class_for(status_code) is expected
    # The same code inside an HTTP 200 maps the same way.
    assert error_class_for(status_code, 200) is expected


@pytest.mark.parametrize(
    ("http_status", "expected"),
    [
        (401, DataForSEOAuthenticationError),
        (402, DataForSEOPaymentError),
        (404, DataForSEONotFoundError),
        (500, DataForSEOAPIError),
        (502, DataForSEOAPIError),
    ],
)
def test_http_status_without_code_maps_to_error_class(
    http_status: int, expected: type[DataForSEOError]
) -> None:
    assert error_class_for(None, http_status) is expected


def test_http_401_wins_over_any_code() -> None:
    assert error_class_for(50000, 401) is DataForSEOAuthenticationError


def test_40100_is_authentication_even_in_http_200() -> None:
    assert error_class_for(40100, 200) is DataForSEOAuthenticationError


def test_http_429_maps_to_rate_limit_error() -> None:
    assert error_class_for(None, 429) is DataForSEORateLimitError


@pytest.mark.parametrize(
    ("cls", "langchain_cls"),
    [
        (DataForSEOAuthenticationError, ModelAuthenticationError),
        (DataForSEOPaymentError, ModelPermissionDeniedError),
        (DataForSEORateLimitError, ModelRateLimitError),
        (DataForSEOInvalidRequestError, ModelInvalidRequestError),
        (DataForSEONotFoundError, ModelNotFoundError),
        (DataForSEOAPIError, ModelAPIError),
        (DataForSEOResponseError, ModelAPIError),
        (DataForSEOTimeoutError, ModelTimeoutError),
        (DataForSEOConnectionError, ModelConnectionError),
    ],
)
def test_error_class_is_dataforseo_error_and_langchain_error(
    cls: type[DataForSEOError], langchain_cls: type[Exception]
) -> None:
    assert issubclass(cls, DataForSEOError)
    assert issubclass(cls, langchain_cls)
    assert issubclass(cls, ModelError)
    err = cls("boom", status_code=40501, task_id="t", http_status=200, cost=0.5, retryable=True)
    assert str(err) == "boom"
    assert (err.status_code, err.task_id, err.http_status, err.cost, err.is_retryable) == (
        40501,
        "t",
        200,
        0.5,
        True,
    )
    with pytest.raises(langchain_cls):
        raise err


def test_dataforseo_error_defaults_to_not_retryable_without_code() -> None:
    err = DataForSEOError("x")
    assert err.is_retryable is False
    assert err.status_code is None
    assert err.task_id is None
    assert err.cost == 0.0


@pytest.mark.parametrize("code", [None, 0, 10000, 20000, 40000, 40499, 40999, 49999, 50000, 59999])
def test_every_code_maps_to_a_dataforseo_error_subclass(code: int | None) -> None:
    assert issubclass(error_class_for(code), DataForSEOError)


def test_input_error_is_value_error_and_dataforseo_error() -> None:
    assert issubclass(DataForSEOInputError, ValueError)
    assert issubclass(DataForSEOInputError, DataForSEOError)
    err = DataForSEOInputError("too long", field="user_prompt", limit=500, actual=501, index=3)
    assert (err.field, err.limit, err.actual, err.index) == ("user_prompt", 500, 501, 3)
    assert str(err) == "too long"
    assert err.is_retryable is False


@pytest.mark.parametrize(
    ("cls", "also"),
    [
        (DataForSEOInputError, ValueError),
        (DataForSEOBudgetError, RuntimeError),
        (DataForSEOJournalLockedError, RuntimeError),
        (DataForSEOPostbackError, ValueError),
        (DataForSEOUnsupportedError, NotImplementedError),
    ],
)
def test_every_error_has_one_root(cls: type[Exception], also: type[Exception]) -> None:
    assert issubclass(cls, DataForSEOError)
    assert issubclass(cls, also)


def test_postback_error_lives_in_errors_and_stays_importable_from_postback() -> None:
    from langchain_dataforseo import postback

    assert postback.DataForSEOPostbackError is DataForSEOPostbackError
    assert DataForSEOPostbackError.__module__ == "langchain_dataforseo.errors"


def _handle() -> TaskHandle:
    return TaskHandle(id="t-1", engine="claude", tag="q1", model_name="claude-haiku-4-5", index=0)


def _samples() -> dict[type[Exception], Exception]:
    """One instance of every error class, with every attribute set to a telling value."""
    first = DataForSEORateLimitError("slow down", status_code=40202, task_id="t-2", cost=0.0)
    pending = DataForSEOTaskPendingError("not yet", handle=_handle(), task_id="t-1")
    codes: dict[str, Any] = {
        "status_code": 40501,
        "status_message": "Invalid Field: 'user_prompt'.",
        "task_id": "t-9",
        "http_status": 200,
        "cost": 0.25,
        "retryable": True,
    }
    samples: dict[type[Exception], Exception] = {
        cls: cls("boom", **codes)
        for cls in (
            DataForSEOError,
            DataForSEOAuthenticationError,
            DataForSEOPaymentError,
            DataForSEORateLimitError,
            DataForSEOInvalidRequestError,
            DataForSEONotFoundError,
            DataForSEOAPIError,
            DataForSEOResponseError,
            DataForSEOTimeoutError,
            DataForSEOConnectionError,
        )
    }
    samples[DataForSEOTaskPendingError] = pending
    samples[DataForSEOTimeoutError].may_be_charged = True  # type: ignore[attr-defined]
    samples[DataForSEOSubmitError] = DataForSEOSubmitError(
        "some failed", handles=[_handle()], errors={1: first}
    )
    samples[DataForSEOBatchError] = DataForSEOBatchError(
        "batch", results=[AIMessage("ok"), first, pending], pending=[_handle()], first=first
    )
    samples[DataForSEOBudgetError] = DataForSEOBudgetError(
        "over", spent=0.5, max_cost=1.0, needed=0.75
    )
    samples[DataForSEOInputError] = DataForSEOInputError(
        "too long", field="user_prompt", limit=500, actual=501, index=3
    )
    samples[DataForSEOJournalLockedError] = DataForSEOJournalLockedError(
        "busy", path="j.jsonl", holder="process 7 on host h (since 2026-01-01T00:00:00Z)"
    )
    samples[DataForSEOPostbackError] = DataForSEOPostbackError("bad body")
    samples[DataForSEOUnsupportedError] = DataForSEOUnsupportedError("no tools")
    too_large = DataForSEOResponseTooLargeError("too big", task_id="t-3", http_status=200)
    too_large.limit = 1024
    samples[DataForSEOResponseTooLargeError] = too_large
    samples[DataForSEOPostbackLimitError] = DataForSEOPostbackLimitError(
        "too deep", limit_name="max_depth", limit=64
    )
    samples[DataForSEOTaskInDoubtError] = DataForSEOTaskInDoubtError(
        "no verdict", tag="q-7", engine="claude", index=7
    )
    return samples


ERROR_CLASSES = sorted(
    (
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and not issubclass(obj, Warning)  # warnings are not errors
        and obj.__module__ == errors.__name__
    ),
    key=lambda cls: cls.__name__,
)


def test_the_samples_cover_every_error_class() -> None:
    assert set(_samples()) == set(ERROR_CLASSES)


def _state(value: object) -> object:
    """What an error (or what it holds) amounts to, comparable across copies."""
    if isinstance(value, BaseException):
        return (type(value), value.args, {k: _state(v) for k, v in vars(value).items()})
    if isinstance(value, list):
        return [_state(item) for item in value]
    if isinstance(value, dict):
        return {key: _state(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("how", ["pickle", "deepcopy", "copy"])
def test_every_error_class_round_trips_with_all_its_attributes(
    cls: type[Exception], how: str
) -> None:
    original = _samples()[cls]
    if how == "pickle":
        clone = pickle.loads(pickle.dumps(original))  # noqa: S301 - our own bytes
    elif how == "deepcopy":
        clone = copy.deepcopy(original)
    else:
        clone = copy.copy(original)
    assert type(clone) is cls
    assert str(clone) == str(original)
    assert vars(original)  # every sample carries attributes to lose
    assert _state(clone) == _state(original)
    if how != "copy":
        for name, value in vars(original).items():
            if isinstance(value, list) and value:
                assert getattr(clone, name) is not value  # a real copy, not shared


def test_a_batch_error_crosses_a_process_pool_with_its_handles() -> None:
    original = _samples()[DataForSEOBatchError]
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        clone = pool.submit(_echo, original).result(timeout=120)
    assert isinstance(clone, DataForSEOBatchError)
    assert clone.pending == [_handle()]
    assert isinstance(clone.results[2], DataForSEOTaskPendingError)
    assert clone.results[2].handle == _handle()
    assert clone.status_code == 40202


def _echo(value: object) -> object:
    return value


def test_error_classes_are_exported_from_the_package() -> None:
    for name in errors.__all__:
        if name == "error_class_for":
            continue
        assert getattr(langchain_dataforseo, name) is getattr(errors, name)
