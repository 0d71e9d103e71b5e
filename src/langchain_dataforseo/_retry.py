"""Retry policy: when a failed call may be sent again, and how long to wait. Pure.

Every live task and Standard ``task_post`` is charged, so a POST is sent again only when
the failure proves that the first one did not run, or that the API charged nothing for
it. The free GETs (``models``, ``tasks_ready``, ``task_get``) are sent again after any
transient failure. This table is the reference (``docs/errors.md``, "Retries never charge
twice", has the short form):

============================================  ======================================  ====  ===
failure                                       why it does (not) prove "nothing ran"   POST  GET
============================================  ======================================  ====  ===
connection refused, connect or pool timeout   the request never left this machine     yes   yes
40202 in the API's envelope (calls a minute)  the API's documented refusal, before    yes   yes
                                              running the call [D]
40209 in the API's envelope (simultaneous)    the API's refusal, before running it    yes   yes
5xxxx in the API's envelope with ``cost`` 0   the API's own ledger says nothing was   yes   yes
                                              charged for the call
5xxxx with a cost above 0, or none            the API may have charged it             no    yes
HTTP 429, 500, 502, 503, 504, no envelope     not the API's own answer: DataForSEO    no    yes
                                              answers 200 except 401, 402, 404, 500
                                              [D]; a gateway or proxy answers so,
                                              possibly after the API ran the task
read timeout, dropped connection, deadline    the request was sent: it may have run   no    yes
passed after the request was sent
unreadable answer with HTTP 200               the API ran the call                    no    yes
answer over ``max_response_bytes``            the API ran it; a retry is as large     no    no
401, 402, 404, other 4xxxx codes              the same request fails the same way     no    no
============================================  ======================================  ====  ===

Every retry also has to start before the call's deadline (see ``_transport.exchange``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOResponseTooLargeError,
    DataForSEOTimeoutError,
)

_GET_TRANSIENT = (
    DataForSEOAPIError,
    DataForSEOConnectionError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)


def may_retry(error: DataForSEOError, *, idempotent: bool) -> bool:
    """Whether a failed call may be sent again (the table of this module).

    Args:
        error: The failure.
        idempotent: Whether the call is a free GET.

    Returns:
        True when sending it again cannot charge twice and may succeed.
    """
    if error.is_retryable:
        return True
    if not idempotent or isinstance(error, DataForSEOResponseTooLargeError):
        return False
    if error.status_code is not None and error.status_code < 50000:
        return error.status_code in (40202, 40209)  # 4xxxx codes fail the same way again
    return isinstance(error, _GET_TRANSIENT) and error.http_status not in (401, 402, 404)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        base_delay: Upper bound of the first wait, in seconds; doubles each retry.
        max_delay: Cap on any single wait, in seconds.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Return how long to wait before retry ``retry_number`` (1-based).

        Args:
            retry_number: 1 for the first retry, 2 for the second, ...
            rng: Random source (for reproducible tests).

        Returns:
            Seconds to sleep: uniform in ``[cap/2, cap]`` where
            ``cap = min(max_delay, base_delay * 2 ** (retry_number - 1))``.
        """
        cap = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        draw = rng.random() if rng is not None else random.random()  # noqa: S311 - jitter
        return cap / 2 + draw * cap / 2
