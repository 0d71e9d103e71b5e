"""A conversation, the settings and a call's options to one checked API task.

Settings and layout to the API's task object: checked, deterministic, minimal.

Pure functions. The types, ranges and lengths come from the task-field table
(``_settings``); the rules between settings are here. The task's keys always come in the
table's order and unset fields are left out, so the same call always produces the same
bytes (which makes recorded cassettes match on the body).

From a conversation, the model's settings and a call's options to one API task.

Everything here is shared by every path (Live and Standard, sync and async, the tool):
the options are resolved against the model's settings, checked against the engine's
rules (and its model catalogue when given), laid out within the API's limits, and what
was changed or ignored is noted for ``response_metadata`` and warned about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_core.language_models import LangSmithParams
from langchain_core.messages import BaseMessage

from langchain_dataforseo._api.catalogue import (
    ModelRecord,
    check_model_rules,
    check_reasoning_rules,
)
from langchain_dataforseo._api.fields import (
    CALL_OPTIONS,
    MODEL_FIELDS,
    SETTING_NAMES,
    SETTINGS,
    TASK_FIELD,
    TASK_KEY_ORDER,
    EngineSpec,
    HistoryPolicy,
    TaskSettings,
    check_chain_alternation,
    engine_spec,
)
from langchain_dataforseo._api.messages import PromptLayout, layout_messages
from langchain_dataforseo._api.redact import redact_url
from langchain_dataforseo._api.warnings import warn
from langchain_dataforseo.errors import DataForSEOInputError, DataForSEOInputWarning

__all__ = [
    "SETTING_NAMES",
    "TASK_KEY_ORDER",
    "TaskSettings",
    "build_task",
    "check_encodable",
    "check_model_settings",
    "encode_tasks",
    "escape_keyword",
    "ordered_task",
    "validate_settings",
]


def _check_type(name: str, value: object, label: str) -> None:
    # Booleans and strings are named by the API's field, numbers as the user wrote them.
    kind = TASK_FIELD[name].kind
    if kind is bool and not isinstance(value, bool):
        msg = f"{name} must be true or false, got {type(value).__name__} {value!r}."
        raise DataForSEOInputError(msg, field=name, limit="bool", actual=value)
    if kind is str and not isinstance(value, str):
        msg = f"{name} must be a string, got {type(value).__name__} {value!r}."
        raise DataForSEOInputError(msg, field=name, limit="str", actual=value)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        msg = f"{label} must be an integer, got {value!r}."
        raise DataForSEOInputError(msg, field=label, limit="integer", actual=value)
    if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
        msg = f"{label} must be a number, got {type(value).__name__} {value!r}."
        raise DataForSEOInputError(msg, field=label, limit="number", actual=value)


def _check_range(spec: EngineSpec, name: str, value: Any, label: str, reasoning: bool) -> None:
    item = TASK_FIELD[name]
    if item.bounds is not None:
        low, high = item.bounds(spec, reasoning)
        if not low <= value <= high:
            msg = (
                f"{label}={value!r} is out of range for engine {spec.name!r}: it must be "
                f"{low} to {high}."
            )
            raise DataForSEOInputError(msg, field=label, limit=(low, high), actual=value)
    if item.max_chars is not None and len(value) > item.max_chars:
        msg = f"{label} is {len(value)} characters; the API allows at most {item.max_chars}."
        raise DataForSEOInputError(msg, field=label, limit=item.max_chars, actual=len(value))


def _check_values(
    spec: EngineSpec, values: Mapping[str, Any], shown: Mapping[str, str], reasoning: bool
) -> None:
    """The set settings against the table: types, then engine support, then ranges."""
    for name, value in values.items():
        _check_type(name, value, shown.get(name, name))
    for name, value in values.items():
        if name not in spec.fields:
            label = shown.get(name, name)
            msg = (
                f"{label}={value!r} is not a setting of engine {spec.name!r}: its request "
                f"has no '{name}', so the API would reject it."
            )
            raise DataForSEOInputError(msg, field=label, limit="not supported", actual=value)
    for name, value in values.items():
        _check_range(spec, name, value, shown.get(name, name), reasoning)


def validate_settings(spec: EngineSpec, settings: TaskSettings) -> None:
    """Check the settings against the engine's fields, ranges and dependencies.

    Each setting's type, support and range come from the task-field table; the rules
    between settings (``temperature`` with ``top_p``, reasoning, web search) are here.

    Args:
        spec: The engine's rules.
        settings: The settings to send.

    Raises:
        DataForSEOInputError: Naming the field, the limit and the value.
    """
    values = settings.set_fields()
    engine = spec.name
    _check_values(spec, values, {}, reasoning=settings.use_reasoning is True)
    if not settings.model_name.strip():
        raise DataForSEOInputError(
            "model_name is empty: name a model, e.g. 'gpt-4.1-mini'.",
            field="model_name",
            actual=settings.model_name,
        )
    if (
        spec.temperature_excludes_top_p
        and settings.temperature is not None
        and settings.top_p is not None
    ):
        msg = f"Engine {engine!r} takes temperature or top_p, never both; both were set."
        raise DataForSEOInputError(
            msg, field="top_p", limit="not with temperature", actual=settings.top_p
        )
    if settings.use_reasoning and spec.reasoning_excludes_sampling:
        for name in ("temperature", "top_p"):
            if values.get(name) is not None:
                msg = f"{name} cannot be used with use_reasoning=True on engine {engine!r}."
                raise DataForSEOInputError(
                    msg, field=name, limit="not with use_reasoning", actual=values[name]
                )
        if settings.force_web_search:
            msg = f"force_web_search must be false with use_reasoning=True on engine {engine!r}."
            raise DataForSEOInputError(
                msg, field="force_web_search", limit="not with use_reasoning", actual=True
            )
    _check_web_search(spec, settings)
    _check_location(spec, settings)


def check_model_settings(
    spec: EngineSpec, settings: TaskSettings, names: Mapping[str, str] | None = None
) -> None:
    """The checks a model's own settings must pass, whatever per-call options add.

    Run when a model is built, before any call and without the models endpoint: each
    setting's type, the engine's support, its range (``max_output_tokens`` against the
    lowest minimum, since a per-call ``use_reasoning`` may change it) and length, all from
    the task-field table, and the search country. What depends on other settings
    (``force_web_search`` needs ``web_search``, ...) is left to each call, which may add
    the missing option.

    Args:
        spec: The engine's rules.
        settings: The settings as the model's fields give them.
        names: Task field to the name the user wrote (``max_output_tokens`` to
            ``max_tokens``), used in the error.

    Raises:
        DataForSEOInputError: Naming the user's field, the limit and the value.
    """
    _check_values(spec, settings.set_fields(), dict(names or {}), reasoning=False)
    _check_location(spec, settings)


_COUNTRY: Final = re.compile(r"[A-Z]{2}")


def _check_location(spec: EngineSpec, settings: TaskSettings) -> None:
    country = settings.web_search_country_iso_code
    if country is not None:
        if not _COUNTRY.fullmatch(country):
            msg = (
                f"web_search_country_iso_code={country!r} is not a two-letter upper-case ISO "
                f"code such as 'US'."
            )
            raise DataForSEOInputError(
                msg, field="web_search_country_iso_code", limit="ISO 3166-1 alpha-2", actual=country
            )
        if spec.country_codes is not None and country not in spec.country_codes:
            msg = (
                f"web_search_country_iso_code={country!r} is not one of the countries engine "
                f"{spec.name!r} searches from: {' '.join(sorted(spec.country_codes))}."
            )
            raise DataForSEOInputError(
                msg,
                field="web_search_country_iso_code",
                limit=sorted(spec.country_codes),
                actual=country,
            )
    city = settings.web_search_city
    if city is not None and not city.strip():
        msg = "web_search_city is blank; give a city name or leave it unset."
        raise DataForSEOInputError(msg, field="web_search_city", limit="a city name", actual=city)


def _check_web_search(spec: EngineSpec, settings: TaskSettings) -> None:
    if "web_search" not in spec.fields:
        return
    searching = settings.web_search is True
    if settings.force_web_search and not searching:
        msg = "force_web_search=True needs web_search=True."
        raise DataForSEOInputError(
            msg, field="force_web_search", limit="needs web_search=True", actual=True
        )
    for name in ("web_search_country_iso_code", "web_search_city"):
        value = getattr(settings, name)
        if value is not None and not searching and spec.location_needs_web_search:
            msg = f"{name}={value!r} needs web_search=True."
            raise DataForSEOInputError(msg, field=name, limit="needs web_search=True", actual=value)
    if settings.web_search_city is not None and settings.web_search_country_iso_code is None:
        msg = f"web_search_city={settings.web_search_city!r} needs web_search_country_iso_code."
        raise DataForSEOInputError(
            msg,
            field="web_search_city",
            limit="needs web_search_country_iso_code",
            actual=settings.web_search_city,
        )


def build_task(
    spec: EngineSpec,
    layout: PromptLayout,
    settings: TaskSettings,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build one task object, checked and in a stable key order.

    Args:
        spec: The engine's rules.
        layout: Where the conversation goes (from ``layout_messages``).
        settings: The per-task parameters.
        extra: Further fields (``pingback_url`` / ``postback_url`` for Standard tasks).

    Returns:
        The task dict, unset fields left out.

    Raises:
        DataForSEOInputError: When a setting breaks the engine's rules.
    """
    validate_settings(spec, settings)
    check_chain_alternation(spec, layout.message_chain)
    values = settings.set_fields()
    values["user_prompt"] = layout.user_prompt
    if layout.system_message is not None:
        values["system_message"] = layout.system_message
    if layout.message_chain:
        values["message_chain"] = [dict(item) for item in layout.message_chain]
    for name, value in (extra or {}).items():
        if value is None:
            continue
        shown = _shown(name, value)  # a callback URL's secret never reaches an error
        if name not in spec.fields:
            msg = f"{name} is not a field of engine {spec.name!r}."
            raise DataForSEOInputError(msg, field=name, limit="not supported", actual=shown)
        if name.endswith("_url") and not (
            isinstance(value, str) and value.startswith(("http://", "https://"))
        ):
            msg = f"{name}={shown!r} must be an http:// or https:// URL."
            raise DataForSEOInputError(msg, field=name, limit="http(s) URL", actual=shown)
        values[name] = value
    task = ordered_task(values)
    check_encodable(task)
    return task


def _shown(name: str, value: object) -> object:
    """A value as an error may show it: a URL field's text redacted, path included."""
    if name.endswith("_url") and isinstance(value, str):
        return redact_url(value, hide_path=True)
    return value


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def check_encodable(task: Mapping[str, Any]) -> None:
    """Refuse text that cannot be encoded as UTF-8 (a lone surrogate), before any request.

    Such text passes every length check and would fail only when the body is encoded,
    after the budget was reserved (and, for Standard, after earlier chunks were posted).

    Args:
        task: A task object.

    Raises:
        DataForSEOInputError: Naming the field (``message_chain[2].message``), the
            character position and the code point.
    """
    for name, value in task.items():
        texts = [(name, value)]
        if isinstance(value, list):
            texts = [
                (f"{name}[{i}].{key}", text)
                for i, item in enumerate(value)
                if isinstance(item, Mapping)
                for key, text in item.items()
            ]
        for where, text in texts:
            found = _SURROGATE.search(text) if isinstance(text, str) else None
            if found is not None:
                point = f"U+{ord(found.group()):04X}"
                msg = (
                    f"{where} holds a lone surrogate ({point}) at position {found.start()}: "
                    "it is not valid Unicode text and cannot be sent. It usually comes from "
                    "badly decoded input; decode it with errors='replace' or remove it."
                )
                raise DataForSEOInputError(
                    msg, field=where, limit="valid Unicode text", actual=found.start()
                )


def ordered_task(values: Mapping[str, Any]) -> dict[str, Any]:
    """The task's fields in the stable key order, unset (``None``) fields left out.

    Args:
        values: Task fields.

    Returns:
        A new dict in ``TASK_KEY_ORDER``.
    """
    return {key: values[key] for key in TASK_KEY_ORDER if values.get(key) is not None}


def encode_tasks(tasks: Sequence[Mapping[str, Any]]) -> bytes:
    """Serialise tasks as the API's POST body: a JSON array, deterministic bytes.

    Args:
        tasks: Task objects from :func:`build_task`.

    Returns:
        UTF-8 JSON bytes.
    """
    return json.dumps(list(tasks), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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


# -- The ``keyword`` escaping DataForSEO asks for wherever it decodes ``%##`` and ``+`` (pure)


def escape_keyword(keyword: str) -> str:
    """Escape ``%`` and ``+`` the way the API asks, so it sees the text as typed.

    The API decodes ``%##`` sequences and turns ``+`` into a space; the docs ask for
    ``%25`` and ``%2B`` instead.

    Args:
        keyword: The text as typed.

    Returns:
        The text to send.
    """
    return keyword.replace("%", "%25").replace("+", "%2B")
