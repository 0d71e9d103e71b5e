"""What one emulated call is while it runs: an :class:`Exchange`, then its :class:`Reply`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Exchange", "Reply"]


@dataclass(frozen=True)
class Reply:
    """An HTTP answer.

    Attributes:
        status: HTTP status (0 when ``drop``).
        headers: Response headers.
        body: Response body.
        drop: Close the connection without answering (injected fault).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    drop: bool = False


class Exchange:
    """One call in progress: sleep ``delay`` seconds, then :meth:`finish`.

    Args:
        delay: Seconds to wait before finishing (live latency).
        finish: Produces the reply (called at most once).
        abandon: Releases resources if the caller gives up before finishing.
    """

    def __init__(
        self,
        delay: float,
        finish: Callable[[], Reply],
        abandon: Callable[[], None] | None = None,
    ) -> None:
        self.delay = delay
        self._finish = finish
        self._abandon = abandon
        self._done = False

    @classmethod
    def ready(cls, reply: Reply) -> Exchange:
        """Wrap an immediate reply.

        Args:
            reply: The reply.

        Returns:
            An exchange with no delay.
        """
        return cls(0.0, lambda: reply)

    def finish(self) -> Reply:
        """Produce the reply.

        Returns:
            The reply.

        Raises:
            RuntimeError: If called twice or after :meth:`abandon`.
        """
        if self._done:
            raise RuntimeError("exchange already finished")
        self._done = True
        return self._finish()

    def abandon(self) -> None:
        """Give up (e.g. the client was cancelled); a no-op after :meth:`finish`."""
        if not self._done:
            self._done = True
            if self._abandon is not None:
                self._abandon()
