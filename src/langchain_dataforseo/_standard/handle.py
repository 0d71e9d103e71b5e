"""What identifies a posted Standard task: its handle, id format, tag and prices.

:class:`TaskHandle` is JSON-friendly, so a list of handles can be saved and collected later
by another process; :func:`check_task_id` keeps anything but the API's id format out of a
URL path; :func:`generated_tag` gives untagged tasks a deterministic tag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from langchain_dataforseo._api.fields import (
    MAX_TASKS_PER_POST,
    STANDARD_BASE_PRICE_USD,
    TASK_ID_PATTERN,
    TASKS_READY_INTERVAL_SECONDS,
    check_task_id,
    engine_spec,
)

STANDARD_PREPAYMENT_USD: Final = 0.01
"""Advance charged at ``task_post``; the unused part is refunded on completion."""
STANDARD_POST_PRICE_USD: Final = round(STANDARD_BASE_PRICE_USD + STANDARD_PREPAYMENT_USD, 7)
"""What ``task_post`` charges per created task before settlement."""
RECOVER_WAIT_SECONDS: Final = 60.0
"""How long a re-run looks for tasks in doubt in ``tasks_ready`` before reporting them."""

__all__ = [  # the API constants and the id check live in ``_constants``; kept importable here
    "MAX_TASKS_PER_POST",
    "STANDARD_POST_PRICE_USD",
    "STANDARD_PREPAYMENT_USD",
    "TASKS_READY_INTERVAL_SECONDS",
    "TASK_ID_PATTERN",
    "TaskHandle",
    "check_task_id",
    "generated_tag",
]


@dataclass(frozen=True)
class TaskHandle:
    """A posted Standard task: enough to collect its result later, from any process.

    Attributes:
        id: The task id DataForSEO gave it.
        engine: The engine it was posted to.
        tag: Its tag (yours, or one generated to match results to prompts).
        model_name: The model name it was posted with.
        index: Its position in the submitted list.
        notes: What was changed in the input to fit the API (``trimmed``, ``layout``,
            ``ignored``); copied into the result's ``response_metadata``.
        max_output_tokens: The ``max_output_tokens`` it was posted with (``None``: not
            sent), for the result's ``finish_reason``.
    """

    id: str
    engine: str
    tag: str | None = None
    model_name: str | None = None
    index: int | None = None
    notes: dict[str, Any] | None = None
    max_output_tokens: int | None = None

    def __post_init__(self) -> None:
        engine_spec(self.engine)  # a handle of an unknown engine is refused before any call

    def to_dict(self) -> dict[str, Any]:
        """The handle as a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskHandle:
        """Rebuild a handle saved with :meth:`to_dict`.

        Args:
            data: The saved dict.

        Returns:
            The handle.

        Raises:
            ValueError: When ``id`` or ``engine`` is missing, or the engine is unknown.
        """
        if not isinstance(data.get("id"), str) or not isinstance(data.get("engine"), str):
            msg = f"A task handle needs string 'id' and 'engine'; got {dict(data)!r}."
            raise ValueError(msg)
        index = data.get("index")
        notes = data.get("notes")
        limit = data.get("max_output_tokens")
        return cls(
            id=data["id"],
            engine=data["engine"],
            tag=data.get("tag") if isinstance(data.get("tag"), str) else None,
            model_name=data.get("model_name") if isinstance(data.get("model_name"), str) else None,
            index=index if isinstance(index, int) else None,
            notes=notes if isinstance(notes, dict) else None,
            max_output_tokens=limit if isinstance(limit, int) else None,
        )


def generated_tag(task: Mapping[str, Any], index: int) -> str:
    """A deterministic tag for a task the user did not tag: content hash plus position.

    Args:
        task: The task object (without a tag).
        index: Its position in the submitted list.

    Returns:
        ``"lcdfs-<12 hex>-<index>"`` (well under the 255-character limit).
    """
    digest = hashlib.sha256(json.dumps(task, sort_keys=True).encode("utf-8")).hexdigest()
    return f"lcdfs-{digest[:12]}-{index}"
