"""Tests for ``errors``: the code-to-class table and the class hierarchy."""

from __future__ import annotations

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

import langchain_dataforseo
from langchain_dataforseo import errors
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEONotFoundError,
    DataForSEOPaymentError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
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


def test_input_error_is_value_error_and_not_dataforseo_error() -> None:
    assert issubclass(DataForSEOInputError, ValueError)
    assert not issubclass(DataForSEOInputError, DataForSEOError)
    assert not issubclass(DataForSEOInputError, ModelError)
    err = DataForSEOInputError("too long", field="user_prompt", limit=500, actual=501, index=3)
    assert (err.field, err.limit, err.actual, err.index) == ("user_prompt", 500, 501, 3)
    assert str(err) == "too long"


def test_error_classes_are_exported_from_the_package() -> None:
    for name in errors.__all__:
        if name == "error_class_for":
            continue
        assert getattr(langchain_dataforseo, name) is getattr(errors, name)
