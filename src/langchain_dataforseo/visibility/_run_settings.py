"""The settings of one panel run: ``run_panel`` / ``arun_panel``'s keywords, checked once.

Both entry points keep their public keywords; each gathers them into one
:class:`RunSettings` (a frozen pydantic model, validated when it is built, before any
store is touched or anything is sent) and passes it on. ``run_panel`` builds it before
the event loop starts, so a bad setting is refused the same way from both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._panel import input_error
from langchain_dataforseo.visibility._plan import METHODS, RunEstimate, check_model_options
from langchain_dataforseo.visibility._run_context import TASKS_PER_POST
from langchain_dataforseo.visibility._store import ProgressCallback
from langchain_dataforseo.visibility._store_tasks import LEASE_SECONDS

MIN_LEASE_SECONDS: Final = 60.0
"""The shortest lease a run takes: renewals every third of it must outlast a store lock."""


class RunSettings(BaseModel):
    """What one call of ``run_panel`` / ``arun_panel`` was asked (see ``run_panel``'s Args).

    Built with :meth:`of`, which raises the package's :class:`DataForSEOInputError` (the
    field, the limit, the value), never pydantic's ``ValidationError``.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")

    run_id: str | None = None
    method: str = "standard"
    max_cost: float | None = None
    max_cost_per_call: float | None = None
    on_progress: ProgressCallback | None = None
    on_estimate: Callable[[RunEstimate], None] | None = None
    repost_in_doubt: bool = False
    recover_wait: float = 60.0
    max_wait: float = 900.0
    collect_round: float = 15.0
    collect: bool = True
    concurrency: int = 30
    tasks_per_post: int = 100
    progress_interval: float = 1.0
    lease_seconds: float = LEASE_SECONDS
    target_half_width: float | None = None
    max_samples: int | None = None
    # credentials and callback URLs (their secrets): never in the repr
    model_options: Mapping[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, **values: Any) -> RunSettings:
        """The settings, validated (the keywords of ``run_panel``; ``model_options`` apart).

        Raises:
            DataForSEOInputError: Naming the setting, its limit and the value given.
        """
        try:
            return cls(**values)
        except ValidationError as error:
            raise input_error(error) from None

    @field_validator("method")
    @classmethod
    def _method(cls, method: str) -> str:
        """``standard`` or ``live``."""
        if method not in METHODS:
            msg = f"method must be 'standard' or 'live', got {method!r}."
            raise DataForSEOInputError(msg, field="method", limit=METHODS, actual=method)
        return method

    @field_validator("max_cost")
    @classmethod
    def _max_cost(cls, max_cost: float | None) -> float | None:
        """A cap is >= 0."""
        if max_cost is not None and max_cost < 0:
            msg = f"max_cost must be >= 0, got {max_cost!r}."
            raise DataForSEOInputError(msg, field="max_cost", limit=">= 0", actual=max_cost)
        return max_cost

    @field_validator("concurrency")
    @classmethod
    def _concurrency(cls, concurrency: int) -> int:
        """At least one call in flight."""
        if concurrency < 1:
            msg = f"concurrency must be >= 1, got {concurrency!r}."
            raise DataForSEOInputError(msg, field="concurrency", limit=">= 1", actual=concurrency)
        return concurrency

    @field_validator("tasks_per_post")
    @classmethod
    def _tasks_per_post(cls, tasks_per_post: int) -> int:
        """1 to the API's 100 tasks in one ``task_post``."""
        if not 1 <= tasks_per_post <= TASKS_PER_POST:
            msg = f"tasks_per_post must be 1 to {TASKS_PER_POST}, got {tasks_per_post!r}."
            raise DataForSEOInputError(
                msg, field="tasks_per_post", limit=TASKS_PER_POST, actual=tasks_per_post
            )
        return tasks_per_post

    @field_validator("lease_seconds")
    @classmethod
    def _lease_seconds(cls, lease_seconds: float) -> float:
        """Long enough for renewals to outlast the store's lock wait."""
        if not (math.isfinite(lease_seconds) and lease_seconds >= MIN_LEASE_SECONDS):
            msg = (
                f"lease_seconds must be a finite number >= {MIN_LEASE_SECONDS:g} (well above "
                f"the store's 30 s lock wait), got {lease_seconds!r}."
            )
            raise DataForSEOInputError(
                msg,
                field="lease_seconds",
                limit=f">= {MIN_LEASE_SECONDS:g}",
                actual=lease_seconds,
            )
        return lease_seconds

    @field_validator("model_options")
    @classmethod
    def _model_options(cls, options: Mapping[str, Any]) -> Mapping[str, Any]:
        """Options for every engine's client, none the panel or the run decides."""
        check_model_options(options)
        return dict(options)
