"""What a Standard submission is given to work with: explicit collaborators, no chat model.

The chat model builds a :class:`StandardContext` (its task builder, client, budget and
poll settings) and a :class:`RunTrace` (how its LangChain runs are named and configured)
and hands them to :mod:`.runner` and :mod:`.runs`, which know nothing else about it.
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
