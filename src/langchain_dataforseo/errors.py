"""Errors raised by langchain-dataforseo.

Every error that comes from the API (or from reaching it) is a :class:`DataForSEOError`
*and* the matching ``langchain_core.exceptions`` class, so both ``except`` styles work::

    try:
        model.invoke("...")
    except ModelRateLimitError:  # the LangChain way
        ...
    except DataForSEOError as e:  # the DataForSEO way: e.status_code, e.task_id
        ...

Input that the API would reject is refused before any request with
:class:`DataForSEOInputError` (a ``ValueError``), so no money is spent.

Everything the package raises derives from :class:`DataForSEOError`: input errors are
also ``ValueError``, the budget error also ``RuntimeError``, the postback error also
``ValueError`` and the error for what the API cannot do (tool calling) also
``NotImplementedError``. Every error pickles and deep-copies with all its attributes, so
it crosses a ``ProcessPoolExecutor`` intact.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Self

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

__all__ = [
    "DataForSEOAPIError",
    "DataForSEOAuthenticationError",
    "DataForSEOBatchError",
    "DataForSEOBudgetError",
    "DataForSEOConnectionError",
    "DataForSEOError",
    "DataForSEOInputError",
    "DataForSEOInputWarning",
    "DataForSEOInvalidRequestError",
    "DataForSEOJournalLockedError",
    "DataForSEONotFoundError",
    "DataForSEOPaymentError",
    "DataForSEOPostbackError",
    "DataForSEOPostbackLimitError",
    "DataForSEORateLimitError",
    "DataForSEOResponseError",
    "DataForSEOResponseTooLargeError",
    "DataForSEOSubmitError",
    "DataForSEOTaskInDoubtError",
    "DataForSEOTaskPendingError",
    "DataForSEOTimeoutError",
    "DataForSEOUnsupportedError",
    "error_class_for",
]


class DataForSEOError(ModelError):
    """Base of every error that comes from the DataForSEO API or from reaching it.

    Attributes:
        status_code: The DataForSEO status code (for example ``40501``), or ``None``
            when the API never answered (connection failure, timeout).
        status_message: The API's message for that code.
        task_id: The id of the task concerned, when there is one.
        http_status: The HTTP status of the response, when there was one.
        cost: What the failed call cost in USD, as the API reported it (usually 0).
        is_retryable: Whether sending the same request again is safe and may succeed:
            true only when the request provably did not run or was not charged.
        raw_task: The task object the API sent with the failure, when it sent one (a
            failed live task), for callers that keep it as sent.
    """

    raw_task: dict[str, Any] | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        status_message: str | None = None,
        task_id: str | None = None,
        http_status: int | None = None,
        cost: float = 0.0,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.is_retryable = retryable
        self.status_code = status_code
        self.status_message = status_message
        self.task_id = task_id
        self.http_status = http_status
        self.cost = cost

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds the error as ``cls(*args)``, which fails for the classes
        # whose ``__init__`` has required keyword-only arguments; rebuild it from its
        # args and attributes instead, whatever ``__init__`` takes.
        return (_rebuild, (type(self), self.args, self.__dict__))

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        clone: Self = _rebuild(type(self), copy.deepcopy(self.args, memo), {})
        memo[id(self)] = clone
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone


def _rebuild(cls: type[DataForSEOError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Recreate an error without calling its ``__init__`` (for pickle and deepcopy)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class DataForSEOAuthenticationError(DataForSEOError, ModelAuthenticationError):
    """Credentials missing or refused (HTTP 401, status 40100)."""


class DataForSEOPaymentError(DataForSEOError, ModelPermissionDeniedError):
    """The account cannot pay or may not use this API (HTTP 402, 402xx account codes)."""


class DataForSEORateLimitError(DataForSEOError, ModelRateLimitError):
    """Too many calls a minute (40202) or too many simultaneous live tasks (40209)."""


class DataForSEOInvalidRequestError(DataForSEOError, ModelInvalidRequestError):
    """The API refused the request as invalid (40501, 40503, 40006, 40000, ...)."""


class DataForSEONotFoundError(DataForSEOError, ModelNotFoundError):
    """Unknown endpoint or task (HTTP 404, 40400, 40401, 40402, 40403)."""


class DataForSEOAPIError(DataForSEOError, ModelAPIError):
    """The API or the provider behind it failed (5xxxx codes, HTTP 5xx)."""


class DataForSEOResponseError(DataForSEOError, ModelAPIError):
    """The API answered something that cannot be read (bad JSON, empty result)."""


class DataForSEOResponseTooLargeError(DataForSEOResponseError):
    """The answer's decoded body is over ``max_response_bytes``; reading stopped there.

    Attributes:
        limit: The cap, in bytes.
    """

    limit: int = 0


class DataForSEOTimeoutError(DataForSEOError, ModelTimeoutError):
    """The call did not end within its deadline (``timeout``, covering retries).

    Attributes:
        may_be_charged: True when a charged request (a POST) had been sent: the task may
            have run and been charged; check before sending it again.
    """

    may_be_charged: bool = False


class DataForSEOConnectionError(DataForSEOError, ModelConnectionError):
    """The API could not be reached."""


class DataForSEOTaskPendingError(DataForSEOTimeoutError):
    """A Standard task was not finished when the wait ran out; collect it later.

    ``task_id`` and ``handle`` identify it: pass the handle to ``collect`` / ``acollect``
    (results stay retrievable for 30 days).
    """

    def __init__(self, message: str, *, handle: object, task_id: str) -> None:
        super().__init__(message, task_id=task_id, status_code=40602)
        self.handle = handle


class DataForSEOTaskInDoubtError(DataForSEOError):
    """A Standard task whose ``task_post`` got no verdict: it may exist and be paid.

    The request may have been processed (a timeout or dropped connection after sending,
    an unreadable answer). With a journal, a re-run looks the task up by ``tag`` and
    does not post it again unless asked to (``repost_in_doubt=True``).

    Attributes:
        tag: The task's tag (how it can be found).
        engine: The engine it was posted to.
        index: Its position in the submission.
    """

    def __init__(
        self, message: str, *, tag: str | None, engine: str, index: int | None = None
    ) -> None:
        super().__init__(message)
        self.tag = tag
        self.engine = engine
        self.index = index


class DataForSEOSubmitError(DataForSEOError):
    """Some tasks of a Standard submission were not created.

    Attributes:
        handles: The tasks that were created (collect them: nothing is lost).
        errors: Index in the submission to the error of each task that was not created.
    """

    def __init__(
        self, message: str, *, handles: list[object], errors: dict[int, Exception]
    ) -> None:
        super().__init__(message)
        self.handles = handles
        self.errors = errors


class DataForSEOBatchError(DataForSEOError):
    """Some prompts of a ``batch`` / ``abatch`` / ``collect`` failed or are still running.

    Raised (without ``return_exceptions``) after every prompt was dealt with, so that
    nothing paid for is lost. ``status_code`` and ``task_id`` are those of the first
    failure, which is also the ``__cause__``.

    Attributes:
        results: One ``AIMessage`` or exception per input, in input order.
        pending: Handles of the Standard tasks still running: pass them to ``collect``
            later (empty for a Live batch).
    """

    def __init__(
        self,
        message: str,
        *,
        results: Sequence[object],
        pending: Sequence[object],
        first: Exception,
    ) -> None:
        super().__init__(
            message,
            status_code=getattr(first, "status_code", None),
            task_id=getattr(first, "task_id", None),
        )
        self.results = list(results)
        self.pending = list(pending)


class DataForSEOBudgetError(DataForSEOError, RuntimeError):
    """Refused before posting: the tasks' reservation would take the spend past ``max_cost``.

    Attributes:
        spent: USD spent (or reserved) so far by the model instance.
        max_cost: The budget.
        needed: What the refused tasks would have reserved (their worst case).
    """

    def __init__(self, message: str, *, spent: float, max_cost: float, needed: float) -> None:
        super().__init__(message, retryable=False)
        self.spent = spent
        self.max_cost = max_cost
        self.needed = needed


class DataForSEOJournalLockedError(DataForSEOError, RuntimeError):
    """Refused before anything is read or posted: another submission holds the journal file.

    Two submissions writing one journal at once would both post (and pay for) every task,
    so a file journal is locked for a whole submission and a second one is refused at once.
    Wait for the holder to end, then run again with the same journal.

    Attributes:
        path: The journal file.
        holder: Who holds it, in words (pid, host and since when, as the holder wrote them).
    """

    def __init__(self, message: str, *, path: str, holder: str) -> None:
        super().__init__(message, retryable=False)
        self.path = path
        self.holder = holder


class DataForSEOInputError(DataForSEOError, ValueError):
    """Input that the API would reject, refused before any request (nothing is spent).

    Attributes:
        field: The request field concerned (for example ``"user_prompt"``).
        limit: The limit that was broken, in words or as a number.
        actual: The value or size that broke it.
        index: The index of the message concerned, when it is about one message.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str,
        limit: object = None,
        actual: object = None,
        index: int | None = None,
    ) -> None:
        super().__init__(message, retryable=False)
        self.field = field
        self.limit = limit
        self.actual = actual
        self.index = index


class DataForSEOPostbackError(DataForSEOError, ValueError):
    """A postback body that is not a readable DataForSEO result (nothing was charged)."""


class DataForSEOPostbackLimitError(DataForSEOPostbackError):
    """A postback body over a size or parse budget, refused before it was built in memory.

    A receiver answers it with HTTP 413.

    Attributes:
        limit_name: The budget that was exceeded: ``max_bytes``, ``max_depth`` or
            ``max_values``.
        limit: Its value.
    """

    def __init__(self, message: str, *, limit_name: str, limit: int) -> None:
        super().__init__(message)
        self.limit_name = limit_name
        self.limit = limit


class DataForSEOUnsupportedError(DataForSEOError, NotImplementedError):
    """Asked for what the API cannot do: tool calling, native structured output.

    The message says why and what to do instead.
    """


_ACCOUNT_CODES = frozenset({40104, 40200, 40201, 40203, 40204, 40207, 40210})
_NOT_FOUND_CODES = frozenset({40400, 40401, 40402, 40403, 40404})
_RATE_LIMIT_CODES = frozenset({40202, 40205, 40206, 40209})


def error_class_for(
    status_code: int | None, http_status: int | None = None
) -> type[DataForSEOError]:
    """Map a DataForSEO status code (and HTTP status) to the error class to raise.

    Args:
        status_code: The envelope's or the task's ``status_code``.
        http_status: The HTTP status of the response, if any.

    Returns:
        The most specific :class:`DataForSEOError` subclass for that code.
    """
    if status_code == 40100 or http_status == 401:
        return DataForSEOAuthenticationError
    if status_code in _RATE_LIMIT_CODES or http_status == 429:
        return DataForSEORateLimitError
    if status_code in _ACCOUNT_CODES or http_status == 402:
        return DataForSEOPaymentError
    if status_code in _NOT_FOUND_CODES or http_status == 404:
        return DataForSEONotFoundError
    if status_code == 50401:
        return DataForSEOTimeoutError
    if (status_code is not None and status_code >= 50000) or (
        http_status is not None and http_status >= 500
    ):
        return DataForSEOAPIError
    return DataForSEOInvalidRequestError


class DataForSEOInputWarning(UserWarning):
    """Emitted when the input was changed to fit the API (trimmed history, ignored ``stop``)."""
