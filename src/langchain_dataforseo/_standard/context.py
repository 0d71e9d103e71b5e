"""What a Standard submission is given to work with: explicit collaborators, no chat model.

The chat model builds a :class:`StandardContext` (its task builder, client, budget and
poll settings) and a :class:`RunTrace` (how its LangChain runs are named and configured)
and hands them to :mod:`.runner`, which know nothing else about it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.callbacks import Callbacks
from langchain_core.messages import BaseMessage

from langchain_dataforseo._api.catalogue import ModelRecord
from langchain_dataforseo._money.budget import Budget

if TYPE_CHECKING:
    from langchain_dataforseo._transport.client import DataForSEOClient
    from langchain_dataforseo.errors import DataForSEOError


class TaskBuilder(Protocol):
    """Builds and checks one Standard task from a conversation (raises before any post)."""

    def __call__(
        self,
        messages: Sequence[BaseMessage],
        stop: list[str] | None,
        options: dict[str, Any],
        records: list[ModelRecord] | None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return ``(task, notes)``; notes go into the answer's ``response_metadata``."""
        ...


class ChunkCharge(Protocol):
    """How the budget follows tasks charged in full at ``task_post`` (the LLM Scraper).

    Without one (LLM Responses), a submission reserves every task's worst case before
    posting, holds each created task's reservation and settles it when the task is
    collected (from its ``money_spent``). With one, each chunk of :attr:`per_post` tasks
    is reserved just before it is posted (:meth:`before`) and settled from the post's
    answer (:meth:`after`); nothing is held, and collecting is free.
    """

    @property
    def per_post(self) -> int:
        """Tasks in one ``task_post`` (1 to 100)."""
        ...

    def before(self, engine: str, chunk: Sequence[dict[str, Any]]) -> float:
        """Reserve the chunk's worst case (raises when the budget refuses); the amount."""
        ...

    def after(self, reserved: float, answer: Any) -> Any:
        """Settle the chunk from the post's answer (or error); returns ``answer``."""
        ...

    def released(self, reserved: float) -> None:
        """Release a chunk the journal refused (nothing was sent)."""
        ...

    def interrupted(self, reserved: float) -> None:
        """Hold a chunk whose post was cut off (it may have been charged)."""
        ...

    def task_error(self, engine: str, error: DataForSEOError) -> DataForSEOError:
        """What one task's refusal in a post answer means for this product."""
        ...


@dataclass(frozen=True)
class StandardContext:
    """The collaborators of one submission or collection.

    Attributes:
        engine: The engine the tasks go to.
        model: The model name, for charges of unknown outcome in ``track_costs``.
        client: Sends the calls.
        budget: Reserves, holds and settles what the tasks may cost.
        build: Builds one task (``standard=True`` rules: callback URLs, catalogue checks).
        reservation: What one built task may cost at most (its reservation).
        poll_interval: Seconds between polls.
        max_wait: Seconds a collection waits by default.
        callbacks: Whether the tasks carry a pingback / postback URL (then they never
            appear in ``tasks_ready`` and are fetched directly).
        charge: How tasks charged at ``task_post`` are paid (``None``: at collect).
    """

    engine: str
    model: str
    client: DataForSEOClient
    budget: Budget
    build: TaskBuilder
    reservation: Callable[[dict[str, Any]], float]
    poll_interval: float
    max_wait: float
    callbacks: bool
    charge: ChunkCharge | None = None


@dataclass(frozen=True)
class RunTrace:
    """How the chat model's LangChain runs are opened (callbacks, LangSmith, names).

    Attributes:
        serialized: The model as LangChain serialises it for ``on_chat_model_start``.
        invocation_params: The run's invocation parameters for the call's options.
        ls_params: The LangSmith parameters for the call's options.
        callbacks: The model's own callbacks.
        verbose: The model's ``verbose``.
        tags: The model's tags.
        metadata: The model's metadata.
    """

    serialized: dict[str, Any]
    invocation_params: Callable[..., dict[str, Any]]
    ls_params: Callable[..., Mapping[str, Any]]
    callbacks: Callbacks
    verbose: bool
    tags: list[str] | None
    metadata: dict[str, Any] | None
