"""From a conversation, the model's settings and a call's options to one API task.

Everything here is shared by every path (Live and Standard, sync and async, the tool):
the options are resolved against the model's settings, checked against the engine's
rules (and its model catalogue when given), laid out within the API's limits, and what
was changed or ignored is noted for ``response_metadata`` and warned about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import LangSmithParams
from langchain_core.messages import BaseMessage

from langchain_dataforseo._catalogue import ModelRecord, check_model_rules
from langchain_dataforseo._constants import HistoryPolicy
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._messages import layout_messages
from langchain_dataforseo._reasoning import check_reasoning_rules
from langchain_dataforseo._redact import redact_url
from langchain_dataforseo._request import build_task, check_model_settings
from langchain_dataforseo._settings import CALL_OPTIONS, MODEL_FIELDS, SETTINGS, TaskSettings
from langchain_dataforseo._warnings import warn
from langchain_dataforseo.errors import DataForSEOInputError, DataForSEOInputWarning


@dataclass(frozen=True)
class RequestBase:
    """What a model contributes to every task it builds.

    Attributes:
        engine: The engine.
        history_policy: How input over the API's limits is handled.
        defaults: The task settings as the model's fields set them.
        callbacks: ``pingback_url`` / ``postback_url`` (revealed), or ``None`` each.
        stop: The model's own ``stop``.
        validate_model: Whether model-aware rules apply (``False``: the user's escape
            hatch, the model is sent unchecked against the catalogue and the reasoning
            table).
    """

    engine: str
    history_policy: HistoryPolicy
    defaults: Mapping[str, Any]
    callbacks: Mapping[str, str | None]
    stop: Sequence[str] | None
    validate_model: bool = True


def defaults_of(model: object) -> dict[str, Any]:
    """The task settings as a model's fields set them (``max_tokens`` for ``max_output_tokens``).

    Args:
        model: An object with one attribute per setting, named as the table's ``field``
            (the chat model).

    Returns:
        One value per task setting.
    """
    return {item.name: getattr(model, item.field) for item in SETTINGS}


def settings_for(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> TaskSettings:
    """The model's settings with a call's options applied.

    Args:
        defaults: The model's settings.
        overrides: The call's options, by the names the user may write.

    Returns:
        The settings of this call.

    Raises:
        DataForSEOInputError: An option the model does not take.
    """
    values = dict(defaults)
    for name, value in overrides.items():
        target = CALL_OPTIONS.get(name)
        if target is None:
            allowed = ", ".join(sorted(CALL_OPTIONS))
            msg = f"Unknown call option {name!r}; ChatDataForSEO takes: {allowed}."
            raise DataForSEOInputError(msg, field=name, limit=allowed, actual=value)
        values[target] = value
    return TaskSettings(**values)


def build_request(
    base: RequestBase,
    messages: Sequence[BaseMessage],
    stop: list[str] | None,
    options: Mapping[str, Any],
    records: list[ModelRecord] | None,
    standard: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the task and the notes on what was changed; warn about every change.

    Args:
        base: What the model contributes.
        messages: The conversation.
        stop: The call's ``stop`` (the API has none: ignored with a warning).
        options: The call's options.
        records: The engine's model catalogue, for model-aware checks (``None``: none).
        standard: Build a Standard task (callback URLs sent; Standard-only rules).

    Returns:
        ``(task, notes)`` where notes go into ``response_metadata``.

    Raises:
        DataForSEOInputError: Anything the API would refuse, before any request.
    """
    spec = engine_spec(base.engine)
    layout = layout_messages(messages, base.history_policy)
    settings = settings_for(base.defaults, options)
    shown = {**MODEL_FIELDS, **{CALL_OPTIONS[key]: key for key in options}}
    check_model_settings(spec, settings, shown)  # errors name the option as written
    task = build_task(spec, layout, settings, dict(base.callbacks) if standard else None)
    if records is not None:
        check_model_rules(base.engine, records, settings, standard=standard)
    elif base.validate_model:  # the catalogue could not be had: the families are still known
        check_reasoning_rules(base.engine, settings, None, settings.model_name)
    ignored: dict[str, Any] = {}
    if not standard:
        ignored = {name: redact_url(url) for name, url in base.callbacks.items() if url}
    notes: dict[str, Any] = {}
    if layout.layout:
        notes["layout"] = layout.layout
    if layout.trimmed:
        notes["trimmed"] = layout.trimmed
        warn(f"History trimmed to fit the API's limits: {layout.trimmed}", DataForSEOInputWarning)
    if ignored:
        warn(
            f"{', '.join(ignored)} apply to the Standard method only; this live call ignores them.",
            DataForSEOInputWarning,
        )
    stops = stop if stop is not None else base.stop
    if stops:
        ignored["stop"] = list(stops)
        warn(
            "The DataForSEO API has no stop sequences; stop="
            f"{list(stops)!r} is ignored (the full answer is returned).",
            DataForSEOInputWarning,
        )
    if ignored:
        notes["ignored"] = ignored
    return task, notes


def ls_params(settings: TaskSettings, stop: Sequence[str] | None, provider: str) -> LangSmithParams:
    """The LangSmith parameters of a call with these settings.

    Args:
        settings: The call's settings.
        stop: The call's (or model's) ``stop``, shown though the API ignores it.
        provider: The ``ls_provider``.

    Returns:
        ``ls_provider``, ``ls_model_name``, ``ls_model_type`` and what is set of
        ``ls_temperature``, ``ls_max_tokens``, ``ls_stop``.
    """
    params = LangSmithParams(
        ls_provider=provider, ls_model_name=settings.model_name, ls_model_type="chat"
    )
    if settings.temperature is not None:
        params["ls_temperature"] = settings.temperature
    if settings.max_output_tokens is not None:
        params["ls_max_tokens"] = settings.max_output_tokens
    if stop:
        params["ls_stop"] = list(stop)
    return params
