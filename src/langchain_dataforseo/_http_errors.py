"""The two transport failures the package's senders add to httpx's own."""

from __future__ import annotations

import httpx


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
