"""The models endpoint's catalogue, and the model-aware request rules. Pure.

The catalogue (``GET .../{engine}/llm_responses/models``, a free call) says, per model,
whether it supports ``web_search`` and the Standard method, and in some shapes whether it
is a reasoning model (the documented catalogues and the official client have no
``reasoning`` flag: ``_reasoning`` then knows the families).
:func:`check_model_rules` applies those facts to a task's settings before it is sent.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo._envelope import as_dict, as_list
from langchain_dataforseo._reasoning import check_reasoning_rules, family_name
from langchain_dataforseo._settings import TaskSettings
from langchain_dataforseo.errors import DataForSEOInputError

NO_LOCATION_MODELS: Final = frozenset({"o3-mini", "o1-pro", "o1"})
"""ChatGPT models whose web search takes no country or city (API docs)."""


@dataclass(frozen=True)
class ModelRecord:
    """One model of the models endpoint.

    Attributes:
        model_name: Name to send in ``model_name`` (usually versioned).
        reasoning: A reasoning model (ChatGPT: reasons implicitly; Claude / Gemini:
            ``use_reasoning`` may be enabled); ``None`` when the API did not say.
        web_search_supported: Whether ``web_search`` may be set.
        task_post_supported: Whether the Standard method accepts the model.
    """

    model_name: str
    reasoning: bool | None
    web_search_supported: bool | None
    task_post_supported: bool | None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_models(task: Mapping[str, Any]) -> list[ModelRecord]:
    """Read the models endpoint's task into records, skipping malformed entries.

    Args:
        task: The task object of a ``models`` response (status 20000).

    Returns:
        One record per entry that has a string ``model_name``.
    """
    records = []
    for entry in as_list(task.get("result")):
        item = as_dict(entry)
        name = item.get("model_name")
        if isinstance(name, str) and name:
            records.append(
                ModelRecord(
                    model_name=name,
                    reasoning=_flag(item.get("reasoning")),
                    web_search_supported=_flag(item.get("web_search_supported")),
                    task_post_supported=_flag(item.get("task_post_supported")),
                )
            )
    return records


_RELEASE: Final = re.compile(r"(?P<stem>.+?)-(?P<release>\d{4}-\d{2}-\d{2}|\d{8}|\d{3})")
"""A versioned name: a stem and a release (``2025-04-14``, ``20250514`` or ``002``)."""

_MAJOR_ONLY: Final = re.compile(r".*-[a-z]+-\d+")
"""A stem that ends in a bare major version (``claude-opus-4``, not ``claude-sonnet-4-5``)."""


def base_name(model_name: str) -> str | None:
    """The basic name that resolves to a versioned catalogue name (API reference §2.2).

    The release suffix is dropped: ``gpt-4.1-2025-04-14`` is ``gpt-4.1``,
    ``gemini-1.5-pro-002`` is ``gemini-1.5-pro``, ``claude-sonnet-4-5-20250929`` is
    ``claude-sonnet-4-5``. A dated (``YYYYMMDD``) model whose stem ends in a bare major
    version is named with ``-0`` for ".0", as the reference's example
    ``claude-opus-4-0`` for ``claude-opus-4-20250514``.

    Args:
        model_name: A name of the models endpoint.

    Returns:
        Its basic name, or ``None`` when it has no release suffix (``gemini-2.5-pro``).
    """
    found = _RELEASE.fullmatch(model_name)
    if found is None:
        return None
    stem = found.group("stem")
    if len(found.group("release")) == 8 and _MAJOR_ONLY.fullmatch(stem):
        return f"{stem}-0"
    return stem


def find_model(records: Sequence[ModelRecord], name: str) -> ModelRecord | None:
    """Find the catalogue entry a name resolves to, as the API resolves it.

    An exact name wins; otherwise a basic name (:func:`base_name`) resolves to its
    newest version: ``gpt-4.1`` to ``gpt-4.1-2025-04-14``, ``claude-opus-4-0`` to
    ``claude-opus-4-20250514``. Nothing else matches: not ``claude-opus-4`` (the
    reference names that model ``claude-opus-4-0``), not ``-0`` after a name that has
    a minor version (``claude-sonnet-4-5-0``, ``gpt-4.1-0``). The emulator resolves
    names the same way.

    Args:
        records: The engine's catalogue.
        name: The name the user gave.

    Returns:
        The newest matching record, or ``None``.
    """
    for record in records:
        if record.model_name == name:
            return record
    matches = [record for record in records if base_name(record.model_name) == name]
    return max(matches, key=lambda r: r.model_name) if matches else None


def close_names(records: Sequence[ModelRecord], name: str, limit: int = 5) -> list[str]:
    """The catalogue names closest to ``name``, best first."""
    return difflib.get_close_matches(name, [r.model_name for r in records], n=limit, cutoff=0.4)


def _refuse(field: str, value: object, model: str, why: str) -> DataForSEOInputError:
    msg = f"{field}={value!r} cannot be used with model {model!r}: {why}."
    return DataForSEOInputError(msg, field=field, limit=why, actual=value)


def check_model_rules(
    engine: str,
    records: Sequence[ModelRecord],
    settings: TaskSettings,
    *,
    standard: bool = False,
) -> ModelRecord:
    """Check the settings against what the catalogue says of the model.

    Args:
        engine: The engine.
        records: The engine's catalogue (from the models endpoint).
        settings: The task's settings.
        standard: Whether the task goes to the Standard method.

    Returns:
        The model's record.

    Raises:
        DataForSEOInputError: Unknown model (with the closest names), or a setting the
            model does not take.
    """
    name = settings.model_name
    record = find_model(records, name)
    if record is None:
        close = close_names(records, name)
        hint = f" Closest: {', '.join(close)}." if close else ""
        msg = (
            f"model_name={name!r} is not in the {engine} catalogue of the models endpoint.{hint} "
            "Use list_models() to see them all, or validate_model=False to send it anyway."
        )
        raise DataForSEOInputError(msg, field="model_name", limit=close, actual=name)
    model = record.model_name
    if settings.web_search and record.web_search_supported is False:
        raise _refuse("web_search", True, model, "the model does not support web search")
    if standard and record.task_post_supported is False:
        raise _refuse("method", "standard", model, "the model has no Standard method")
    if engine == "chat_gpt" and {family_name(name), family_name(model)} & NO_LOCATION_MODELS:
        for field in ("web_search_country_iso_code", "web_search_city"):
            value = getattr(settings, field)
            if value is not None:
                raise _refuse(field, value, model, "the model takes no search location")
    check_reasoning_rules(engine, settings, record.reasoning, model)
    return record
