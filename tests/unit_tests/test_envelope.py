"""Tests for ``_envelope``: HTTP status, envelope and task status to tasks, results or errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_dataforseo._api.envelope import (
    PENDING_CODES,
    api_error,
    as_dict,
    as_float,
    as_int,
    as_list,
    decode_envelope,
    first_result,
    first_task,
    task_error,
    transport_error,
)
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInvalidRequestError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)

TASK_ID = "06151432-1535-0612-0000-8c2d4f0a9e17"


def _task(status_code: int = 20000, **fields: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "id": TASK_ID,
        "status_code": status_code,
        "status_message": "Ok." if status_code == 20000 else f"Message {status_code}.",
        "cost": 0,
        "result": None,
    }
    task.update(fields)
    return task


def _envelope(
    status_code: int = 20000, tasks: Any = None, cost: Any = 0, message: str = "Ok."
) -> dict[str, Any]:
    return {
        "version": "0.1.20260601",
        "status_code": status_code,
        "status_message": message,
        "time": "0.1 sec.",
        "cost": cost,
        "tasks_count": len(tasks) if isinstance(tasks, list) else 0,
        "tasks_error": 0,
        "tasks": tasks,
    }


def _body(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode()


def _raise_task(task: dict[str, Any]) -> DataForSEOError:
    envelope = decode_envelope(200, _body(_envelope(tasks=[task])))
    with pytest.raises(DataForSEOError) as info:
        first_task(envelope, where="live task")
    return info.value


# --- as_* helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [({"a": 1}, {"a": 1}), (None, {}), ([1], {}), ("x", {}), (3, {})],
)
def test_as_dict_returns_dicts_and_empty_dict_otherwise(value: Any, expected: Any) -> None:
    assert as_dict(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [([1, 2], [1, 2]), (None, []), ({"a": 1}, []), ("ab", []), ((1, 2), [])],
)
def test_as_list_returns_lists_and_empty_list_otherwise(value: Any, expected: Any) -> None:
    assert as_list(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.9, 3), (0, 0), (True, None), (False, None), ("3", None), (None, None)],
)
def test_as_int_accepts_numbers_but_not_bools_or_strings(value: Any, expected: Any) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, 0.5), (2, 2.0), (True, 0.0), ("0.5", 0.0), (None, 0.0)],
)
def test_as_float_uses_default_for_non_numbers(value: Any, expected: float) -> None:
    assert as_float(value) == expected


def test_as_float_custom_default() -> None:
    assert as_float(None, default=-1.0) == -1.0
    assert as_float(0, default=-1.0) == 0.0


# --- decode_envelope: top-level failures ------------------------------------------------------


def test_http_401_with_40100_is_an_authentication_error() -> None:
    body = _body(_envelope(40100, tasks=None, message="You are not authorized."))
    with pytest.raises(DataForSEOAuthenticationError) as info:
        decode_envelope(401, body)
    err = info.value
    assert isinstance(err, ModelAuthenticationError)
    assert err.status_code == 40100
    assert err.http_status == 401
    assert err.is_retryable is False
    assert "40100" in str(err)
    assert "DATAFORSEO_LOGIN" in str(err)


@pytest.mark.parametrize("code", [40202, 40209])
def test_top_level_rate_limit_codes_are_retryable_rate_limit_errors(code: int) -> None:
    with pytest.raises(DataForSEORateLimitError) as info:
        decode_envelope(200, _body(_envelope(code, tasks=[])))
    assert isinstance(info.value, ModelRateLimitError)
    assert info.value.is_retryable is True
    assert str(code) in str(info.value)


@pytest.mark.parametrize("code", [40202, 40209])
def test_task_level_rate_limit_codes_are_retryable_rate_limit_errors(code: int) -> None:
    err = _raise_task(_task(code))
    assert isinstance(err, DataForSEORateLimitError)
    assert err.is_retryable is True


@pytest.mark.parametrize("code", [40501, 40503, 40006, 40000])
def test_invalid_request_codes_are_not_retryable(code: int) -> None:
    err = _raise_task(_task(code))
    assert isinstance(err, DataForSEOInvalidRequestError)
    assert isinstance(err, ModelInvalidRequestError)
    assert err.is_retryable is False
    assert err.status_code == code


def test_top_level_40503_is_an_invalid_request_error() -> None:
    with pytest.raises(DataForSEOInvalidRequestError) as info:
        decode_envelope(200, _body(_envelope(40503, tasks=None, message="POST Data Is Invalid.")))
    assert info.value.is_retryable is False
    assert info.value.status_message == "POST Data Is Invalid."


@pytest.mark.parametrize("code", [50000, 50301])
def test_free_server_failure_task_is_a_retryable_api_error(code: int) -> None:
    err = _raise_task(_task(code, cost=0))
    assert isinstance(err, DataForSEOAPIError)
    assert isinstance(err, ModelAPIError)
    assert err.is_retryable is True
    assert err.cost == 0.0


@pytest.mark.parametrize("code", [50000, 50301])
def test_charged_server_failure_task_is_not_retryable(code: int) -> None:
    err = _raise_task(_task(code, cost=0.0102))
    assert isinstance(err, DataForSEOAPIError)
    assert err.is_retryable is False
    assert err.cost == pytest.approx(0.0102)
    assert "0.0102" in str(err)


@pytest.mark.parametrize("cost", [None, "0", "free"])
def test_server_failure_with_unknown_cost_is_not_retryable(cost: Any) -> None:
    task = _task(50000)
    if cost is None:
        del task["cost"]
    else:
        task["cost"] = cost
    err = _raise_task(task)
    assert err.is_retryable is False


def test_http_500_with_free_envelope_is_retryable() -> None:
    body = _body(_envelope(50000, tasks=None, cost=0, message="Internal Error."))
    with pytest.raises(DataForSEOAPIError) as info:
        decode_envelope(500, body)
    assert info.value.is_retryable is True
    assert info.value.http_status == 500
    assert "HTTP 500" in str(info.value)


def test_http_500_without_json_body_is_an_api_error_not_retried() -> None:
    with pytest.raises(DataForSEOAPIError) as info:
        decode_envelope(500, b"<html>Internal Server Error</html>")
    assert info.value.is_retryable is False
    assert info.value.status_code is None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_a_bare_http_error_does_not_prove_that_nothing_ran(status: int) -> None:
    """Not the API's answer (it answers 200 but for 401/402/404/500): a gateway may have
    answered after the task ran, so only a free GET may be sent again (see _retry)."""
    with pytest.raises(DataForSEOError) as info:
        decode_envelope(status, b"Service Unavailable")
    assert info.value.is_retryable is False


def test_a_5xxxx_envelope_with_cost_0_proves_nothing_was_charged() -> None:
    body = b'{"status_code": 50000, "status_message": "Internal Error.", "cost": 0}'
    with pytest.raises(DataForSEOError) as info:
        decode_envelope(500, body)
    assert info.value.is_retryable is True


@pytest.mark.parametrize(
    "body", [b"not json", b"", b"[1, 2]", b'"ok"', b"\xff\xfe\x00", b"{truncated"]
)
def test_http_200_with_non_json_object_body_is_a_response_error_not_retried(body: bytes) -> None:
    with pytest.raises(DataForSEOResponseError) as info:
        decode_envelope(200, body, where="live task")
    assert info.value.is_retryable is False
    assert info.value.http_status == 200
    assert "live task" in str(info.value)


def test_top_level_error_carries_first_task_id() -> None:
    body = _body(_envelope(40209, tasks=[_task(40209)]))
    with pytest.raises(DataForSEORateLimitError) as info:
        decode_envelope(200, body)
    assert info.value.task_id == TASK_ID
    assert TASK_ID in str(info.value)


def test_http_non_200_with_ok_envelope_is_still_an_error() -> None:
    with pytest.raises(DataForSEOError) as info:
        decode_envelope(404, _body(_envelope(20000, tasks=[])))
    assert info.value.http_status == 404


def test_envelope_20000_is_returned_as_is() -> None:
    envelope = _envelope(tasks=[_task()])
    assert decode_envelope(200, _body(envelope)) == envelope


def test_envelope_without_status_code_is_an_error() -> None:
    with pytest.raises(DataForSEOError):
        decode_envelope(200, b'{"tasks": []}')


# --- first_task / task_error ------------------------------------------------------------------


def test_task_40501_error_carries_code_message_and_task_id() -> None:
    task = _task(40501, status_message="Invalid Field: 'user_prompt'.")
    err = _raise_task(task)
    assert err.status_code == 40501
    assert err.status_message == "Invalid Field: 'user_prompt'."
    assert err.task_id == TASK_ID
    assert "40501" in str(err)
    assert TASK_ID in str(err)
    assert "Invalid Field: 'user_prompt'." in str(err)
    assert "live task" in str(err)


def test_first_task_returns_the_first_task_when_ok() -> None:
    second = _task(40000)
    envelope = _envelope(tasks=[_task(), second])
    assert first_task(envelope)["id"] == TASK_ID


@pytest.mark.parametrize("tasks", [None, [], [None], ["x"], [{}]])
def test_first_task_with_no_usable_task_is_a_response_error(tasks: Any) -> None:
    with pytest.raises(DataForSEOResponseError) as info:
        first_task(_envelope(tasks=tasks))
    assert "no task" in str(info.value)


def test_first_task_accepts_listed_codes() -> None:
    task = _task(40602)
    envelope = _envelope(tasks=[task])
    assert first_task(envelope, accept=PENDING_CODES | {20000}) is task
    with pytest.raises(DataForSEOError):
        first_task(envelope)


def test_task_error_tolerates_wrong_types() -> None:
    err = task_error({"status_code": "40501", "status_message": 5, "id": 7, "cost": "x"})
    assert err.status_code is None
    assert err.status_message is None
    assert err.task_id is None
    assert err.cost == 0.0


# --- first_result -------------------------------------------------------------------------------


@pytest.mark.parametrize("result", [None, [], [None], [{}], "x", [[]]])
def test_empty_or_null_result_is_a_response_error_naming_the_task(result: Any) -> None:
    with pytest.raises(DataForSEOResponseError) as info:
        first_result(_task(result=result, cost=0.0012), where="live task")
    err = info.value
    assert err.task_id == TASK_ID
    assert TASK_ID in str(err)
    assert err.status_code == 20000
    assert err.cost == pytest.approx(0.0012)
    assert err.is_retryable is False


def test_first_result_returns_first_result_object() -> None:
    result = {"model_name": "m", "items": []}
    assert first_result(_task(result=[result, {"other": 1}])) is result


# --- api_error message shape ------------------------------------------------------------------


def test_api_error_message_mentions_where_code_message_and_task() -> None:
    err = api_error(40501, "Invalid Field: 'tag'.", task_id="abc", where="task_post")
    text = str(err)
    assert text.startswith("DataForSEO task_post failed with status 40501")
    assert "Invalid Field: 'tag'." in text
    assert "task id abc" in text
    assert "A request field was refused" in text


def test_api_error_omits_http_200_and_zero_cost_from_message() -> None:
    text = str(api_error(40501, "x", http_status=200, cost=0))
    assert "HTTP" not in text
    assert "cost" not in text


def test_api_error_negative_or_unknown_cost_is_reported_as_zero() -> None:
    assert api_error(50000, "x", cost=None).cost == 0.0
    assert api_error(50000, "x", cost=-3).cost == 0.0


# --- transport_error -------------------------------------------------------------------------

_REQUEST = httpx.Request("POST", "https://api.dataforseo.com/v3/x")


@pytest.mark.parametrize(
    ("exc_type", "error_type", "langchain_type"),
    [
        (httpx.ConnectError, DataForSEOConnectionError, ModelConnectionError),
        (httpx.ConnectTimeout, DataForSEOTimeoutError, ModelTimeoutError),
        (httpx.PoolTimeout, DataForSEOTimeoutError, ModelTimeoutError),
    ],
)
@pytest.mark.parametrize("idempotent", [False, True])
def test_failures_before_sending_are_retryable_even_for_non_idempotent_calls(
    exc_type: type[httpx.HTTPError],
    error_type: type[DataForSEOError],
    langchain_type: type[Exception],
    idempotent: bool,
) -> None:
    err = transport_error(exc_type("boom", request=_REQUEST), idempotent=idempotent)
    assert type(err) is error_type
    assert isinstance(err, langchain_type)
    assert err.is_retryable is True
    assert err.status_code is None
    assert "charged" not in str(err)


@pytest.mark.parametrize(
    ("exc_type", "error_type", "langchain_type"),
    [
        (httpx.ReadTimeout, DataForSEOTimeoutError, ModelTimeoutError),
        (httpx.WriteTimeout, DataForSEOTimeoutError, ModelTimeoutError),
        (httpx.RemoteProtocolError, DataForSEOConnectionError, ModelConnectionError),
        (httpx.ReadError, DataForSEOConnectionError, ModelConnectionError),
    ],
)
def test_failures_after_sending_a_non_idempotent_call_are_not_retryable(
    exc_type: type[httpx.HTTPError],
    error_type: type[DataForSEOError],
    langchain_type: type[Exception],
) -> None:
    err = transport_error(exc_type("boom", request=_REQUEST), idempotent=False, where="live task")
    assert type(err) is error_type
    assert isinstance(err, langchain_type)
    assert err.is_retryable is False
    assert "charged" in str(err)
    assert "live task" in str(err)
    assert exc_type.__name__ in str(err)


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_failures_after_sending_an_idempotent_call_are_retryable(
    exc_type: type[httpx.HTTPError],
) -> None:
    err = transport_error(exc_type("boom", request=_REQUEST), idempotent=True)
    assert err.is_retryable is True
    assert "charged" not in str(err)
