"""What a call's answer or failure means: a task, a result or a typed error.

The two transport failures the package's senders add to httpx's own.

HTTP status, envelope and task status to a task, a result or a typed error.

Pure functions over plain data. Every failure becomes a :class:`DataForSEOError`
subclass carrying the DataForSEO code, its message, the task id and the cost, and an
``is_retryable`` verdict that is true only when a retry cannot charge twice: the call
provably did not run (connection never made, rate limited) or reported a cost of 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

import httpx

from langchain_dataforseo.errors import (
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOResponseError,
    DataForSEOResponseTooLargeError,
    DataForSEOTimeoutError,
    error_class_for,
)


class CallDeadlineExceeded(httpx.TimeoutException):
    """The call's deadline passed before its answer was read whole.

    Args:
        message: What happened.
        request: The request.
        sent: Whether the request may have reached the API (then a POST may be charged).
    """

    def __init__(self, message: str, *, request: httpx.Request, sent: bool) -> None:
        super().__init__(message, request=request)
        self.sent = sent


class ResponseTooLarge(httpx.DecodingError):
    """The decoded body is over the size cap; reading stopped there.

    Args:
        message: What happened.
        request: The request.
        limit: The cap, in bytes.
    """

    def __init__(self, message: str, *, request: httpx.Request, limit: int) -> None:
        super().__init__(message, request=request)
        self.limit = limit


OK: Final = 20000
TASK_CREATED: Final = 20100
PENDING_CODES: Final = frozenset({20100, 40601, 40602})
"""Task codes that mean "not finished yet" on ``task_get``."""
_NOT_RUN_CODES: Final = frozenset({40202, 40209})
"""The API's own refusals before running a call (see ``_retry`` for the full table)."""

_HINTS: Final[dict[int, str]] = {
    40100: "Check DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD: they are the API credentials "
    "from https://app.dataforseo.com/api-access, not the website password.",
    40200: "Top up the account balance.",
    40210: "Top up the account balance.",
    40202: "Over 2000 API calls a minute: slow down (it was retried up to max_retries).",
    40209: "Over 30 simultaneous live tasks for this engine: lower max_concurrency.",
    40501: "A request field was refused; the message names it.",
}


def as_dict(value: object) -> dict[str, Any]:
    """Return ``value`` if it is a dict, else an empty dict (tolerant parsing)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """Return ``value`` if it is a list, else an empty list (``null`` becomes ``[]``)."""
    return value if isinstance(value, list) else []


def as_int(value: object) -> int | None:
    """Return ``value`` as an int when it is a finite number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value)


def as_float(value: object, default: float = 0.0) -> float:
    """Return ``value`` as a float when it is a finite number (not a bool), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    number = float(value)
    return number if math.isfinite(number) else default


def api_error(
    status_code: int | None,
    status_message: object,
    *,
    task_id: object = None,
    http_status: int | None = None,
    cost: object = 0.0,
    where: str = "",
) -> DataForSEOError:
    """Build the typed error for a DataForSEO status code.

    Args:
        status_code: The DataForSEO code.
        status_message: The API's message.
        task_id: The task's id, if any.
        http_status: The HTTP status, if any.
        cost: The cost reported with the failure; ``None`` or missing means unknown.
        where: What was being done, for the message (``"live task"``, ...).

    Returns:
        The error, with ``is_retryable`` set only when a retry cannot charge twice.
    """
    cls = error_class_for(status_code, http_status)
    message = status_message if isinstance(status_message, str) else ""
    tid = task_id if isinstance(task_id, str) else None
    known_cost = as_float(cost, default=-1.0)
    free = known_cost == 0.0
    # only the API's own envelope proves anything: a bare HTTP 429 / 5xx may come from a
    # gateway that answered after the API ran the task (see ``_retry``)
    server_fault = status_code is not None and status_code >= 50000
    retryable = status_code in _NOT_RUN_CODES or (server_fault and free)
    parts = [f"DataForSEO {where or 'call'} failed"]
    if status_code is not None:
        parts.append(f" with status {status_code}")
    if message:
        parts.append(f" ({message})")
    if http_status is not None and http_status != 200:
        parts.append(f", HTTP {http_status}")
    if tid:
        parts.append(f", task id {tid}")
    if known_cost > 0:
        parts.append(f", cost ${known_cost:.7f}")
    text = "".join(parts) + "."
    hint = _HINTS.get(status_code or 0)
    if hint:
        text = f"{text} {hint}"
    return cls(
        text,
        status_code=status_code,
        status_message=message or None,
        task_id=tid,
        http_status=http_status,
        cost=max(known_cost, 0.0),
        retryable=retryable,
    )


def decode_envelope(http_status: int, body: bytes, *, where: str = "") -> dict[str, Any]:
    """Decode and check a response: HTTP status, JSON, envelope ``status_code``.

    Args:
        http_status: The HTTP status code.
        body: The raw response body.
        where: What was being done, for error messages.

    Returns:
        The envelope dict, whose top-level status is 20000.

    Raises:
        DataForSEOError: A typed error for any failure.
    """
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        envelope = None
    return check_envelope(http_status, envelope, size=len(body), where=where)


def check_envelope(
    http_status: int, envelope: object, *, size: int, where: str = ""
) -> dict[str, Any]:
    """Check an already decoded response body (see :func:`decode_envelope`).

    Args:
        http_status: The HTTP status code.
        envelope: The decoded JSON (``None`` when it was not JSON).
        size: The body's size in bytes, for the error message.
        where: What was being done, for error messages.

    Returns:
        The envelope dict, whose top-level status is 20000.

    Raises:
        DataForSEOError: A typed error for any failure.
    """
    if not isinstance(envelope, dict):
        if http_status != 200:
            raise api_error(None, "no JSON body", http_status=http_status, cost=None, where=where)
        msg = (
            f"DataForSEO {where or 'call'} answered HTTP 200 with a body that is not a JSON "
            f"object ({size} bytes). The call may have been charged; it is not retried."
        )
        raise DataForSEOResponseError(msg, http_status=http_status)
    status = as_int(envelope.get("status_code"))
    if http_status != 200 or status != OK:
        tasks = as_list(envelope.get("tasks"))
        first = as_dict(tasks[0]) if tasks else {}
        raise api_error(
            status,
            envelope.get("status_message"),
            task_id=first.get("id"),
            http_status=http_status,
            cost=envelope.get("cost"),
            where=where,
        )
    return envelope


def first_task(
    envelope: Mapping[str, Any],
    *,
    accept: frozenset[int] = frozenset({OK}),
    where: str = "",
) -> dict[str, Any]:
    """Return the envelope's first task, checking its ``status_code``.

    Args:
        envelope: A checked envelope from :func:`decode_envelope`.
        accept: Task codes that are not errors.
        where: What was being done, for error messages.

    Returns:
        The task dict.

    Raises:
        DataForSEOError: When there is no task or its code is not accepted.
    """
    tasks = as_list(envelope.get("tasks"))
    task = as_dict(tasks[0]) if tasks else {}
    if not task:
        msg = f"DataForSEO {where or 'call'} answered status 20000 with no task in 'tasks'."
        raise DataForSEOResponseError(msg, status_code=as_int(envelope.get("status_code")))
    status = as_int(task.get("status_code"))
    if status not in accept:
        raise task_error(task, where=where)
    return task


def task_error(task: Mapping[str, Any], *, where: str = "") -> DataForSEOError:
    """Build the typed error for a task whose ``status_code`` is a failure.

    Args:
        task: The task object.
        where: What was being done, for error messages.

    Returns:
        The error.
    """
    return api_error(
        as_int(task.get("status_code")),
        task.get("status_message"),
        task_id=task.get("id"),
        cost=task.get("cost"),
        where=where,
    )


def first_result(task: Mapping[str, Any], *, where: str = "") -> dict[str, Any]:
    """Return the task's first result object.

    Args:
        task: A task whose status is 20000.
        where: What was being done, for error messages.

    Returns:
        The result dict.

    Raises:
        DataForSEOResponseError: When ``result`` is null, empty or not an object.
    """
    results = as_list(task.get("result"))
    result = as_dict(results[0]) if results else {}
    if not result:
        tid = task.get("id") if isinstance(task.get("id"), str) else None
        msg = (
            f"DataForSEO {where or 'call'} answered status 20000 with an empty result"
            f"{f' for task {tid}' if tid else ''}: there is no answer to read."
        )
        raise DataForSEOResponseError(
            msg,
            status_code=as_int(task.get("status_code")),
            task_id=tid,
            cost=as_float(task.get("cost")),
        )
    return result


def transport_error(exc: httpx.HTTPError, *, idempotent: bool, where: str = "") -> DataForSEOError:
    """Translate an httpx failure, deciding whether a retry is safe.

    A connection that failed before the request was sent (connect error, connect or
    pool timeout) is always safe to retry. Anything after the request left (read
    timeout, dropped connection) is safe only for free, idempotent GETs: a live POST
    may have run and been charged.

    Args:
        exc: The httpx exception.
        idempotent: Whether the request is a free GET.
        where: What was being done, for the message.

    Returns:
        A :class:`DataForSEOTimeoutError` (``may_be_charged`` set),
        :class:`DataForSEOConnectionError` or :class:`DataForSEOResponseTooLargeError`.
    """
    what = where or "call"
    if isinstance(exc, ResponseTooLarge):
        charged = "" if idempotent else " The call ran and may have been charged."
        too_large = DataForSEOResponseTooLargeError(
            f"DataForSEO {what}: the answer was not read: {exc}. Raise max_response_bytes "
            f"if it is expected.{charged}"
        )
        too_large.limit = exc.limit
        return too_large
    if isinstance(exc, CallDeadlineExceeded):
        return _deadline_error(exc, idempotent=idempotent, what=what)
    if isinstance(exc, httpx.DecodingError):
        charged = "" if idempotent else " The call ran and may have been charged."
        return DataForSEOResponseError(
            f"DataForSEO {what}: the answer could not be decoded ({exc}).{charged}"
        )
    not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    retryable = not_sent or idempotent
    if isinstance(exc, httpx.TimeoutException):
        if not_sent:
            msg = (
                f"DataForSEO {what}: timed out before the request was sent ({type(exc).__name__})."
            )
        elif idempotent:
            msg = f"DataForSEO {what}: no answer in time ({type(exc).__name__})."
        else:
            msg = (
                f"DataForSEO {what}: no answer in time ({type(exc).__name__}). The task may "
                "have run and been charged, so it is not retried automatically; check your "
                "DataForSEO dashboard before sending it again, or raise `timeout`."
            )
        error = DataForSEOTimeoutError(msg, retryable=retryable)
        error.may_be_charged = not not_sent and not idempotent
        return error
    if not_sent:
        msg = f"DataForSEO {what}: could not connect ({type(exc).__name__}); nothing was sent."
    elif idempotent:
        msg = f"DataForSEO {what}: connection failed ({type(exc).__name__})."
    else:
        msg = (
            f"DataForSEO {what}: the connection failed after the request was sent "
            f"({type(exc).__name__}). The task may have run and been charged, so it is not "
            "retried automatically."
        )
    return DataForSEOConnectionError(msg, retryable=retryable)


def _deadline_error(
    exc: CallDeadlineExceeded, *, idempotent: bool, what: str
) -> DataForSEOTimeoutError:
    """The call's deadline passed: say whether it may have been charged."""
    if not exc.sent:
        tail = "the request was not sent, so nothing was charged."
    elif idempotent:
        tail = "it was a free call, so nothing was charged."
    else:
        tail = (
            "the request was sent, so the task may have run and been charged; it is not "
            "retried automatically. Check your DataForSEO dashboard before sending it again, "
            "or raise `timeout`."
        )
    error = DataForSEOTimeoutError(
        f"DataForSEO {what}: {exc}; {tail}", retryable=not exc.sent or idempotent
    )
    error.may_be_charged = exc.sent and not idempotent
    return error
