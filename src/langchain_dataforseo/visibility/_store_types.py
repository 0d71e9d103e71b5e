"""The store's records and tags: what a run and a task look like when read back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from langchain_dataforseo.visibility._surfaces import API

STATUSES: Final = ("pending", "measured", "failed")
PENDING_CODES: Final = frozenset({20100, 40601, 40602})
"""Task codes meaning "not finished yet" (created, handed, in queue): the task stays pending."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


DIGEST_CHARS: Final = 10
"""Hex characters of the body digest in a tag (40 bits)."""


def task_digest(run_id: str, body: Mapping[str, Any]) -> str:
    """A short, stable digest of a task's request body with its run id (hex).

    Args:
        run_id: The run.
        body: The task's request body, without its tag.

    Returns:
        :data:`DIGEST_CHARS` hex characters of the SHA-256 of both, as canonical JSON.
    """
    text = json.dumps(
        {"run_id": run_id, "task": body}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


def make_tag(
    run_id: str,
    prompt_index: int,
    engine: str,
    sample: int,
    surface: str = API,
    *,
    body: Mapping[str, Any] | None = None,
) -> str:
    """The task tag of one (prompt, engine, surface, sample) of a run.

    A run creates each task's tag with the task's request ``body``, so the tag ends with
    a digest of that body and the run id (``run:p3:chat_gpt:s1:5d41402abc``): two panels
    that use one run id on one account never share a tag, so neither can take the other's
    task for its own. Without ``body`` the tag is the one runs stored before (API tasks
    ``run:p3:chat_gpt:s1``, app tasks ``run:p3:chat_gpt:app:s1``); such runs resume with
    the tags they have. The same task gets the same tag on every resume.

    Args:
        run_id: The run.
        prompt_index: The prompt's index in the panel (0-based).
        engine: The engine.
        sample: The sample number (0-based).
        surface: ``api`` (default) or ``app``.
        body: The task's request body without its tag (``model_name``, ``user_prompt``
            and the settings; for the app surface, the LLM Scraper task object).

    Returns:
        The tag (at most the API's 255 characters, checked when the run is created).
    """
    middle = engine if surface == API else f"{engine}:{surface}"
    tag = f"{run_id}:p{prompt_index}:{middle}:s{sample}"
    return tag if body is None else f"{tag}:{task_digest(run_id, body)}"


@dataclass(frozen=True)
class TaskRecord:
    """One task of a run, as stored (the raw JSON is read with ``raw_task``).

    Attributes:
        tag: The task's tag (unique within the run).
        prompt_index: The prompt's index in the panel.
        prompt: The prompt.
        engine: The engine.
        model: The model requested.
        sample: The sample number (0-based).
        status: ``pending``, ``measured`` or ``failed``.
        task_id: The API's task id, once known.
        error_code: The status code of a failed task.
        error_message: Its message.
        answer_model: The model that answered (versioned), when measured.
        cost: The task's cost in USD, when known.
        created_at: When the task was planned (UTC, ISO 8601).
        intent_at: When the caller announced it was about to post it.
        posted_at: When its task id was recorded.
        finished_at: When it was measured or failed.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
        lease_owner: The driver holding the task (see ``VisibilityStore.claim``), if any.
        lease_until: When that lease expires unless renewed (UTC, ISO 8601).
    """

    tag: str
    prompt_index: int
    prompt: str
    engine: str
    model: str
    sample: int
    status: str
    task_id: str | None
    error_code: int | None
    error_message: str | None
    answer_model: str | None
    cost: float | None
    created_at: str
    intent_at: str | None
    posted_at: str | None
    finished_at: str | None
    surface: str = API
    lease_owner: str | None = None
    lease_until: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """One run: its panel, method and task counts.

    Attributes:
        run_id: The run id.
        panel_name: The panel's name.
        method: ``standard`` or ``live``.
        created_at: When the run was created (UTC, ISO 8601).
        measured: Measured tasks.
        failed: Failed tasks.
        pending: Pending tasks (not sent, in doubt, or posted and not collected).
        cost: Sum of the known task costs, USD.
    """

    run_id: str
    panel_name: str
    method: str
    created_at: str
    measured: int
    failed: int
    pending: int
    cost: float
