"""The models the API offers and the request rules that follow (pure).

:func:`records` / :func:`arecords` take the catalogue's fetch as a parameter (the
client's ``list_models``): a chat model and a panel run check their tasks with them and
go on, warned, when the catalogue cannot be had.

Which models reason, and the request rules that follow from it. Pure data and checks.

The models endpoint may say so in a ``reasoning`` flag, but the documented catalogues
(October 2025) and the official client 2.1.10 carry none: only ``model_name``,
``web_search_supported`` and ``task_post_supported``. So the flag is used when present
and, when absent, :data:`REASONING_FAMILIES` says which model families reason. Each row
says where the fact comes from: ``[D]`` DataForSEO's docs, ``[C]`` the official client,
``[I]`` inferred (the provider's own model documentation). ``REFERENCE.md`` beside this
module lists the sources.

What reasoning means differs per engine: ChatGPT models reason by themselves; Claude and
Gemini reason when ``use_reasoning`` is set (Gemini Pro models always), so for them the
table says whether the model *can* reason; Perplexity takes no reasoning setting.

The models endpoint's catalogue, and the model-aware request rules. Pure.

The catalogue (``GET .../{engine}/llm_responses/models``, a free call) says, per model,
whether it supports ``web_search`` and the Standard method, and in some shapes whether it
is a reasoning model (the documented catalogues and the official client have no
``reasoning`` flag: ``_reasoning`` then knows the families).
:func:`check_model_rules` applies those facts to a task's settings before it is sent.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo._api.envelope import as_dict, as_list
from langchain_dataforseo._api.fields import ENGINE_SPECS, TaskSettings
from langchain_dataforseo._api.warnings import warn
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInputWarning,
)


@dataclass(frozen=True)
class Family:
    """One row of the reasoning table.

    Attributes:
        engine: The engine whose catalogue lists the family.
        pattern: A regular expression the model's basic name must match in full (release
            date, ``-latest`` and ``-0`` removed, see :func:`family_name`).
        reasons: ChatGPT and Perplexity: the model reasons; Claude and Gemini: the model
            can reason (takes ``use_reasoning``).
        source: Where the fact comes from: ``[D]``, ``[C]`` or ``[I]`` and the source.
    """

    engine: str
    pattern: str
    reasons: bool
    source: str


REASONING_FAMILIES: Final[tuple[Family, ...]] = (
    Family(
        "chat_gpt",
        r"o[34]-mini",
        True,
        "[D] models example of the API reference (reasoning: true); o4-mini live example "
        "with reasoning_tokens 1216",
    ),
    Family(
        "chat_gpt",
        r"o1(-mini|-preview|-pro)?|o3(-pro|-deep-research)?|o4-mini-deep-research",
        True,
        "[I] OpenAI: the o-series are reasoning models; o1 and o1-pro are named beside "
        "o3-mini in the docs' web_search_country_iso_code note [D]",
    ),
    Family(
        "chat_gpt",
        r"gpt-5(\.\d+)?-chat",
        False,
        "[I] OpenAI: gpt-5-chat(-latest) is the non-reasoning model of ChatGPT",
    ),
    Family(
        "chat_gpt",
        r"gpt-5(\.\d+)?(-mini|-nano|-pro|-codex)?",
        True,
        "[I] OpenAI: the GPT-5 family reasons (reasoning effort, reasoning tokens)",
    ),
    Family(
        "chat_gpt",
        r"gpt-4\.1(-mini|-nano)?|gpt-4o(-mini)?",
        False,
        "[D] models example of the API reference (gpt-4.1-mini, gpt-4o: reasoning: false)",
    ),
    Family(
        "chat_gpt",
        r"chatgpt-4o|gpt-4(-turbo)?|gpt-3\.5-turbo|gpt-4o(-mini)?-search-preview",
        False,
        "[I] OpenAI: models without reasoning",
    ),
    Family(
        "claude",
        r"claude-3-7-sonnet|claude-(sonnet|opus)-4(-\d)?|claude-haiku-4-5",
        True,
        "[I] Anthropic: extended thinking on Claude 3.7 Sonnet and the Claude 4 models",
    ),
    Family(
        "claude",
        r"claude-3(-5)?-(haiku|sonnet|opus)",
        False,
        "[I] Anthropic: no extended thinking before Claude 3.7",
    ),
    Family(
        "gemini",
        r"gemini-(2\.5|3(\.\d)?)-(pro|flash)(-lite)?(-preview.*)?",
        True,
        "[I] Google: Gemini 2.5 and later are thinking models; Pro ones reason always [D]",
    ),
    Family(
        "gemini",
        r"gemini-(1\.0|1\.5|2\.0)-(pro|flash)(-lite|-8b)?(-\w+)*",
        False,
        "[I] Google: no thinking before Gemini 2.5",
    ),
    Family(
        "perplexity",
        r"sonar-reasoning(-pro)?|sonar-deep-research",
        True,
        "[I] Perplexity: its reasoning models (names seen in the reference [O])",
    ),
    Family("perplexity", r"sonar(-pro)?", False, "[I] Perplexity: search models"),
)
"""Model families that reason (or can), and those that do not, with their sources."""

_DATED: Final = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{3})$")
_SUFFIXES: Final = ("-latest", "-0")


def family_name(model_name: str) -> str:
    """The basic name a family is matched on: ``claude-3-7-sonnet-latest`` to ``claude-3-7-sonnet``.

    A release (``-2025-04-14``, ``-20250514``, ``-002``), ``-latest`` and the ``-0`` of
    ``claude-sonnet-4-0`` are removed, so an alias and its dated name match alike.

    Args:
        model_name: A name as the user gave it or the catalogue lists it.

    Returns:
        The lower-cased basic name.
    """
    name = model_name.strip().lower()
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return _DATED.sub("", name)


def known_reasoning(engine: str, model_name: str) -> bool | None:
    """What the table says of a model: it reasons (or can), it does not, or ``None``.

    Args:
        engine: The engine.
        model_name: The model, an alias or a dated name.

    Returns:
        The first matching row's ``reasons``, or ``None`` when no row matches.
    """
    name = family_name(model_name)
    for family in REASONING_FAMILIES:
        if family.engine == engine and re.fullmatch(family.pattern, name):
            return family.reasons
    return None


REASONING_MIN_TOKENS: Final[dict[str, int]] = {
    name: spec.max_tokens_min_reasoning for name, spec in ENGINE_SPECS.items()
}
"""Lowest ``max_output_tokens`` when the task reasons [D] (from the engine table)."""

_CHAT_GPT_FORBIDDEN: Final = ("temperature", "top_p", "force_web_search")
"""ChatGPT settings reasoning models do not take: ``temperature`` and ``force_web_search``
[D] ("not supported in reasoning models"); ``top_p`` [I] (the docs say nothing, OpenAI's
reasoning models refuse it; ``REFERENCE.md``)."""


def _forbidden(settings: TaskSettings) -> dict[str, object]:
    """The ChatGPT settings a reasoning model would refuse, with their values."""
    found: dict[str, object] = {
        name: value
        for name in _CHAT_GPT_FORBIDDEN
        if (value := getattr(settings, name)) is not None and value is not False
    }
    tokens = settings.max_output_tokens
    if tokens is not None and tokens < REASONING_MIN_TOKENS["chat_gpt"]:
        found["max_output_tokens"] = tokens
    return found


def _refuse(field: str, value: object, model: str, why: str) -> DataForSEOInputError:
    msg = f"{field}={value!r} cannot be used with model {model!r}: {why}."
    return DataForSEOInputError(msg, field=field, limit=why, actual=value)


def check_reasoning_rules(
    engine: str, settings: TaskSettings, flag: bool | None, model: str
) -> None:
    """Apply the reasoning rules: the catalogue's flag when given, else the family table.

    A known reasoning model with a setting it does not take is refused; a model neither
    the flag nor the table knows is sent, with one warning naming the settings that the
    API refuses if the model reasons.

    Args:
        engine: The engine.
        settings: The task's settings.
        flag: The catalogue's ``reasoning`` flag (``None``: absent, or no catalogue).
        model: The model's name to show (the catalogue's, when found).

    Raises:
        DataForSEOInputError: A setting the model does not take, naming field, limit and
            value.
    """
    known = flag if flag is not None else known_reasoning(engine, settings.model_name)
    if engine == "chat_gpt":
        _check_chat_gpt(settings, known, model)
        return
    if engine not in ("claude", "gemini"):
        return
    if settings.use_reasoning and known is False:
        raise _refuse("use_reasoning", True, model, "the model cannot reason")
    if settings.use_reasoning and known is None:
        warn(
            f"Model {model!r} is not known to reason or not (the catalogue has no 'reasoning' "
            "flag and the reasoning table does not know it); use_reasoning=True is sent "
            "as is: the API refuses it if the model cannot reason.",
            DataForSEOInputWarning,
        )
    auto = engine == "gemini" and "-pro" in f"{family_name(model)}-" and known is not False
    tokens = settings.max_output_tokens
    if (settings.use_reasoning or auto) and tokens is not None:
        _check_min_tokens(engine, tokens, model)


def _check_min_tokens(engine: str, tokens: int, model: str) -> None:
    """Refuse ``max_output_tokens`` below the engine's minimum for a reasoning task."""
    low = REASONING_MIN_TOKENS[engine]
    if tokens < low:
        msg = (
            f"max_output_tokens={tokens} is below {low}, the minimum when model {model!r} reasons."
        )
        raise DataForSEOInputError(msg, field="max_output_tokens", limit=low, actual=tokens)


def _check_chat_gpt(settings: TaskSettings, known: bool | None, model: str) -> None:
    """ChatGPT's rules for a model that reasons, is known not to, or is unknown."""
    found = _forbidden(settings)
    if known is None and found:
        named = ", ".join(f"{name}={value!r}" for name, value in found.items())
        warn(
            f"Model {model!r} is not known to reason or not (the catalogue has no 'reasoning' "
            f"flag and the reasoning table does not know it); {named} sent as is: the API "
            "refuses it if the model reasons.",
            DataForSEOInputWarning,
        )
    if not known:
        return
    for name, value in found.items():
        if name != "max_output_tokens":
            raise _refuse(name, value, model, "reasoning models do not take it")
    if settings.max_output_tokens is not None:
        _check_min_tokens("chat_gpt", settings.max_output_tokens, model)


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


# -- the catalogue for model-aware checks, or a warning without it --------------------------


def _catalogue_failed(engine: str, error: DataForSEOError) -> None:
    warn(
        f"Could not fetch the {engine} model catalogue ({error}); checking the "
        "static engine rules only.",
        DataForSEOInputWarning,
    )


def records(
    engine: str, validate_model: bool, fetch: Callable[[], list[ModelRecord]]
) -> list[ModelRecord] | None:
    """The engine's model catalogue for model-aware checks, or ``None`` (then warned).

    Args:
        engine: The engine.
        validate_model: Whether the model checks calls against the catalogue.
        fetch: Fetches the catalogue (the client's ``list_models``), called only when
            validating.

    Returns:
        The records; ``None`` when not validating or when the catalogue cannot be had.

    Raises:
        DataForSEOAuthenticationError: Refused credentials (not a catalogue outage).
        DataForSEOInputError: A refused base URL.
    """
    if not validate_model:
        return None
    try:
        return fetch()
    except DataForSEOError as error:
        _without_catalogue(engine, error)
        return None


async def arecords(
    engine: str,
    validate_model: bool,
    fetch: Callable[[], Coroutine[Any, Any, list[ModelRecord]]],
) -> list[ModelRecord] | None:
    """Async :func:`records`.

    Args:
        engine: The engine.
        validate_model: Whether the model checks calls against the catalogue.
        fetch: As for :func:`records` (``alist_models``).

    Returns:
        The records, or ``None``.

    Raises:
        DataForSEOAuthenticationError: Refused credentials (not a catalogue outage).
        DataForSEOInputError: A refused base URL.
    """
    if not validate_model:
        return None
    try:
        return await fetch()
    except DataForSEOError as error:
        _without_catalogue(engine, error)
        return None


def _without_catalogue(engine: str, error: DataForSEOError) -> None:
    """A catalogue outage is warned and the checks go on without it; a refusal is raised."""
    if isinstance(error, (DataForSEOAuthenticationError, DataForSEOInputError)):
        raise error  # a refused base URL or credentials: not a catalogue outage
    _catalogue_failed(engine, error)
