"""The task-field table, the engine table and the API's constants (pure).

Constants shared by the pure modules: API limits, engines, prices and defaults.

Also the one check of an API format every layer needs (:func:`check_task_id`), so the
client and the pools need nothing from the Standard queue above them.

The one table of task fields: every field of an LLM Responses task, and its facts.

Each :class:`TaskField` says where the field comes from (the conversation, a setting of
the model, or a Standard callback), which engines take it, and for settings: its Python
type, the model's default, the model field that holds it (``max_tokens`` for
``max_output_tokens``), its range (in terms of the engine's limits, which live in the
engine table), its description and, when the calling LLM of the tool may set it, the
tool argument. The table's order is the order of the keys in a request.

Everything else derives from here: the engines' field sets (``_engines``), the settings
record's names, the per-call options, the checks (``_request``), the chat model's fields
(:func:`model_field`), the tool's argument schema and the panel's settings. A unit test
holds the statically typed declarations (``TaskSettings`` and ``ChatDataForSEO``'s
fields) to this table.

Per-engine request rules: the engine table (limits, labels, default models).

Pure data and pure checks, from the engine matrix of the API reference (§2.1). Which
fields an engine takes comes from the task-field table (``_settings``). A
setting that the API would reject raises :class:`DataForSEOInputError` here, before
any request is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from pydantic import AliasChoices, Field

from langchain_dataforseo.errors import DataForSEOInputError

DEFAULT_BASE_URL: Final = "https://api.dataforseo.com"
"""Production API root; the free sandbox is ``https://sandbox.dataforseo.com``."""

ENV_LOGIN: Final = "DATAFORSEO_LOGIN"
ENV_PASSWORD: Final = "DATAFORSEO_PASSWORD"  # noqa: S105 - an environment variable name
ENV_BASE_URL: Final = "DATAFORSEO_BASE_URL"

Engine = Literal["chat_gpt", "claude", "gemini", "perplexity"]
"""The AI engines that the LLM Responses API resells."""

ENGINES: Final[tuple[str, ...]] = ("chat_gpt", "claude", "gemini", "perplexity")

LLM_RESPONSES: Final = "llm_responses"
"""The LLM Responses product: its path segment below the engine, and its journal family."""
LLM_SCRAPER: Final = "llm_scraper"
"""The LLM Scraper product: its path segment below the engine, and its journal family."""
PRODUCTS: Final = (LLM_RESPONSES, LLM_SCRAPER)
"""The products below ``/v3/ai_optimization/<engine>/`` (LLM Mentions has no engine)."""

HistoryPolicy = Literal["error", "trim", "pack"]
"""What to do when the input is over the API's limits: raise, keep what fits, or pack
long context into ``message_chain`` turns."""

MAX_PROMPT_CHARS: Final = 500
"""Most characters in ``user_prompt``, ``system_message`` and each chain message."""
MAX_CHAIN_MESSAGES: Final = 10
"""Most messages in ``message_chain``."""
MAX_TAG_CHARS: Final = 255
"""Most characters in ``tag``."""

DEFAULT_TIMEOUT_SECONDS: Final = 150.0
"""Default client timeout: above the live limit, so the API answers first."""
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_CONCURRENCY: Final = 30
"""The API's cap on simultaneous live tasks per engine and account."""
DEFAULT_CALLS_PER_MINUTE: Final = 2000
"""The API's cap on calls a minute, all endpoints together."""

LIVE_BASE_PRICE_USD: Final = 0.0006
"""Price of one live task, on top of the provider's ``money_spent``."""
STANDARD_BASE_PRICE_USD: Final = 0.0002
"""Price of one Standard task, on top of the provider's ``money_spent``."""

PROVIDER: Final = "dataforseo"
"""``model_provider`` / ``ls_provider`` value, and the content-block translator's key."""

MAX_TASKS_PER_POST: Final = 100
"""Most tasks in one ``task_post`` call."""
TASKS_READY_INTERVAL_SECONDS: Final = 3.0
"""``tasks_ready`` is limited to 20 calls a minute: one every 3 s at most."""
TASK_ID_PATTERN: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
"""The API's task ids are in "UUID format" (8-4-4-4-12 hex digits)."""


def check_task_id(task_id: object) -> str:
    """Refuse a task id that is not in the API's UUID format, before it goes into a path.

    Ids come back from saved handles and journals; ``../../appendix/user_data`` or
    ``<id>?x=1`` would otherwise change the request's path or query. Only the documented
    shape is checked (8-4-4-4-12 hex digits), not the observed meaning of its groups.

    Args:
        task_id: The id to check.

    Returns:
        The id, unchanged.

    Raises:
        DataForSEOInputError: When it is not a string of that shape.
    """
    if not isinstance(task_id, str) or TASK_ID_PATTERN.fullmatch(task_id) is None:
        msg = (
            f"Task id {task_id!r} is not a DataForSEO task id (UUID format, 8-4-4-4-12 hex "
            "digits); refused before any request."
        )
        raise DataForSEOInputError(
            msg, field="id", limit="UUID format 8-4-4-4-12 hex", actual=task_id
        )
    return task_id


class EngineLimits(Protocol):
    """The engine's limits a setting's range is given in (an ``EngineSpec`` has them)."""

    @property
    def temperature_max(self) -> float:
        """Upper bound of ``temperature``."""
        ...

    @property
    def max_tokens_min(self) -> int:
        """Lowest ``max_output_tokens`` without reasoning."""
        ...

    @property
    def max_tokens_min_reasoning(self) -> int:
        """Lowest ``max_output_tokens`` with reasoning."""
        ...

    @property
    def max_tokens_max(self) -> int:
        """Highest ``max_output_tokens``."""
        ...


Bounds = Callable[[EngineLimits, bool], tuple[float, float]]
"""A setting's range on one engine, given whether the task reasons."""


@dataclass(frozen=True)
class ToolArgument:
    """A setting the calling LLM of the tool may set, and how it is shown to it.

    Attributes:
        description: The argument's description, written for the calling LLM.
        pattern: A regular expression the argument must match (in the tool's schema).
        upper: Upper-case the argument before it is sent.
        implies: A boolean setting that turns on with it (when the engine has it and the
            call leaves it unset).
    """

    description: str
    pattern: str | None = None
    upper: bool = False
    implies: str | None = None


Source = Literal["conversation", "setting", "callback"]
"""Where a task field's value comes from: the messages, the model's settings (and each
call's options), or the model's Standard callback URLs."""


@dataclass(frozen=True)
class TaskField:
    """One field of a task and its facts.

    Attributes:
        name: The API's field name.
        source: Where its value comes from (see :data:`Source`).
        engines: The engines whose request takes it (callbacks: only those with a
            Standard method).
        kind: Its Python type (settings: that of the model field, ``None`` aside).
        field: The chat model's field that holds it, when another name (LangChain's
            conventional ``model`` and ``max_tokens``); else ``name``.
        alias: The model field's pydantic alias (accepted as input and used on output).
        also_accepts: Further names accepted as input only.
        default: The model field's default (``None``: unset, the API's default applies).
        bounds: Its range on an engine (numbers only).
        max_chars: Its longest value (strings only).
        description: What it does (the model field's description).
        tool: The tool argument, when the calling LLM may set it.
    """

    name: str
    source: Source
    engines: frozenset[str]
    kind: type
    field: str = ""
    alias: str | None = None
    also_accepts: tuple[str, ...] = ()
    default: Any = None
    bounds: Bounds | None = None
    max_chars: int | None = None
    description: str = ""
    tool: ToolArgument | None = None

    def __post_init__(self) -> None:
        if not self.field:
            object.__setattr__(self, "field", self.name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the model and a call accept for it: the field's, then the others."""
        extra = (self.name, self.alias, *self.also_accepts)
        return (self.field, *dict.fromkeys(n for n in extra if n and n != self.field))


def _temperature(spec: EngineLimits, reasoning: bool) -> tuple[float, float]:
    return (0, spec.temperature_max)


def _top_p(spec: EngineLimits, reasoning: bool) -> tuple[float, float]:
    return (0, 1)


def _max_output_tokens(spec: EngineLimits, reasoning: bool) -> tuple[float, float]:
    low = spec.max_tokens_min_reasoning if reasoning else spec.max_tokens_min
    return (low, spec.max_tokens_max)


_ALL: Final = frozenset(ENGINES)
_SEARCHING: Final = frozenset({"chat_gpt", "claude", "gemini"})
_LOCATED: Final = frozenset({"chat_gpt", "claude"})
_REASONING: Final = frozenset({"claude", "gemini"})

TASK_FIELDS: Final[tuple[TaskField, ...]] = (
    TaskField("user_prompt", "conversation", _ALL, str),
    TaskField(
        "model_name",
        "setting",
        _ALL,
        str,
        field="model",
        alias="model_name",
        default="",
        description=(
            "Model name (alias ``model_name``); empty means the engine's default "
            "(``DEFAULT_MODELS``)."
        ),
    ),
    TaskField("system_message", "conversation", _ALL, str),
    TaskField("message_chain", "conversation", _ALL, list),
    TaskField(
        "max_output_tokens",
        "setting",
        _ALL,
        int,
        field="max_tokens",
        also_accepts=("max_output_tokens",),
        bounds=_max_output_tokens,
        description=(
            "Most output tokens, sent as ``max_output_tokens`` (alias ``max_output_tokens``)."
        ),
    ),
    TaskField(
        "temperature",
        "setting",
        _ALL,
        float,
        bounds=_temperature,
        description="Sampling temperature; unset leaves the engine's default.",
    ),
    TaskField(
        "top_p",
        "setting",
        _ALL,
        float,
        bounds=_top_p,
        description="Nucleus sampling; unset leaves the engine's default.",
    ),
    TaskField(
        "web_search",
        "setting",
        _SEARCHING,
        bool,
        description=(
            "Let the model search the web and cite sources (not for Perplexity: it always "
            "searches)."
        ),
        tool=ToolArgument(
            "Whether the engine may search the web and cite sources. Leave unset to use "
            "the tool's default; set true to get cited sources."
        ),
    ),
    TaskField(
        "force_web_search",
        "setting",
        _LOCATED,
        bool,
        description="Force a web search; needs ``web_search=True``.",
    ),
    TaskField(
        "web_search_country_iso_code",
        "setting",
        _LOCATED | {"perplexity"},
        str,
        description=(
            'ISO country code the search runs from, e.g. ``"US"``; needs ``web_search=True``.'
        ),
        tool=ToolArgument(
            "Two-letter ISO country code to search from, e.g. 'US' or 'DE', for answers "
            "and sources as seen in that country. Turns web search on.",
            pattern=r"^[A-Za-z]{2}$",
            upper=True,
            implies="web_search",
        ),
    ),
    TaskField(
        "web_search_city",
        "setting",
        _LOCATED,
        str,
        description="City the search runs from; needs ``web_search_country_iso_code``.",
    ),
    TaskField(
        "use_reasoning",
        "setting",
        _REASONING,
        bool,
        description="Claude and Gemini only: reason before answering.",
    ),
    TaskField(
        "tag",
        "setting",
        _ALL,
        str,
        max_chars=MAX_TAG_CHARS,
        description=(
            f"Your task identifier (at most {MAX_TAG_CHARS} characters), echoed in "
            '``response_metadata["tag"]``.'
        ),
    ),
    TaskField("pingback_url", "callback", _ALL, str),
    TaskField("postback_url", "callback", _ALL, str),
)
"""Every task field, in the order its key goes into a request."""

TASK_FIELD: Final[Mapping[str, TaskField]] = {item.name: item for item in TASK_FIELDS}
"""The task fields by API name."""

TASK_KEY_ORDER: Final[tuple[str, ...]] = tuple(item.name for item in TASK_FIELDS)
"""The order of a task's keys (the same call always makes the same bytes)."""

SETTINGS: Final[tuple[TaskField, ...]] = tuple(
    item for item in TASK_FIELDS if item.source == "setting"
)
"""The task settings (model fields and per-call options), in request order."""

SETTING_NAMES: Final[tuple[str, ...]] = tuple(item.name for item in SETTINGS)
"""The task settings' API names (``model_name`` first)."""

MODEL_FIELDS: Final[Mapping[str, str]] = {
    item.name: item.field for item in SETTINGS if item.field != item.name
}
"""Task settings held by a model field of another name (LangChain's conventional names);
errors name the field as the user wrote it."""

CALL_OPTIONS: Final[Mapping[str, str]] = {
    name: item.name for item in SETTINGS for name in (item.name, item.field)
}
"""Per-call keyword arguments accepted by ``invoke`` / ``bind`` and the task field each sets."""


def engine_fields(engine: str, has_standard: bool) -> frozenset[str]:
    """The task fields an engine's request takes.

    Args:
        engine: The engine's name.
        has_standard: Whether it has the Standard method (callback URLs are Standard only).

    Returns:
        The API names of its fields.
    """
    return frozenset(
        item.name
        for item in TASK_FIELDS
        if engine in item.engines and (item.source != "callback" or has_standard)
    )


def engine_only(engines: tuple[str, ...] = ENGINES) -> frozenset[str]:
    """The settings some engine lacks, by every name they are accepted under.

    Args:
        engines: The engines to compare.

    Returns:
        Model field names and API names of the settings not every engine takes.
    """
    return frozenset(
        name for item in SETTINGS if not set(engines) <= item.engines for name in item.names
    )


def model_field(name: str) -> Any:
    """The pydantic ``Field`` of the chat model's field for one setting, from the table.

    Args:
        name: The setting's API name.

    Returns:
        A ``Field`` with the table's default, aliases and description.

    Raises:
        KeyError: ``name`` is not a setting of the table.
    """
    item = {setting.name: setting for setting in SETTINGS}[name]
    options: dict[str, Any] = {"default": item.default, "description": item.description}
    if item.alias is not None:
        options["alias"] = item.alias
    if item.also_accepts:
        options["validation_alias"] = AliasChoices(item.field, *item.also_accepts)
    return Field(**options)


@dataclass(frozen=True)
class TaskSettings:
    """The per-task parameters, after model defaults and per-call overrides.

    ``None`` means "not set": the field is left out of the request and the API's
    default applies. The fields are the table's settings, in its order (a unit test
    holds them to it).
    """

    model_name: str
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    web_search: bool | None = None
    force_web_search: bool | None = None
    web_search_country_iso_code: str | None = None
    web_search_city: str | None = None
    use_reasoning: bool | None = None
    tag: str | None = None

    def set_fields(self) -> dict[str, Any]:
        """The fields that are set (not ``None``), in request order."""
        return {name: value for name in SETTING_NAMES if (value := getattr(self, name)) is not None}


@dataclass(frozen=True)
class EngineSpec:
    """What one engine's request model accepts.

    Attributes:
        name: The engine's path segment (``chat_gpt``, ``claude``, ...).
        fields: Every request field the engine declares (Live and Standard), from the
            task-field table.
        temperature_max: Upper bound of ``temperature`` (the lower bound is 0).
        max_tokens_min: Lowest ``max_output_tokens`` without reasoning.
        max_tokens_min_reasoning: Lowest ``max_output_tokens`` with ``use_reasoning``.
        max_tokens_max: Highest ``max_output_tokens``.
        temperature_excludes_top_p: ``temperature`` and ``top_p`` never together.
        strict_alternation: ``message_chain`` must alternate user, ai, user, ...
        has_standard: Whether the Standard method (``task_post``) exists.
        reasoning_excludes_sampling: ``use_reasoning`` forbids ``temperature`` / ``top_p``.
        country_codes: The only ``web_search_country_iso_code`` values, when listed.
        location_needs_web_search: ``web_search_country_iso_code`` (and so the city,
            which needs it) only with ``web_search=True``: ChatGPT's docs say so, Claude's
            do not (``REFERENCE.md``).
        label: Display name (tool names and descriptions).
        default_model: The model used when none is given.
    """

    name: str
    label: str
    default_model: str
    temperature_max: float
    max_tokens_min: int
    max_tokens_min_reasoning: int
    max_tokens_max: int = 4096
    temperature_excludes_top_p: bool = False
    strict_alternation: bool = False
    has_standard: bool = True
    reasoning_excludes_sampling: bool = False
    country_codes: frozenset[str] | None = None
    location_needs_web_search: bool = False
    fields: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", engine_fields(self.name, self.has_standard))


ENGINE_SPECS: Final[dict[str, EngineSpec]] = {
    "chat_gpt": EngineSpec(
        name="chat_gpt",
        label="ChatGPT",
        default_model="gpt-4.1-mini",
        temperature_max=2.0,
        max_tokens_min=16,
        max_tokens_min_reasoning=1024,
        location_needs_web_search=True,
    ),
    "claude": EngineSpec(
        name="claude",
        label="Claude",
        default_model="claude-haiku-4-5",
        temperature_max=1.0,
        max_tokens_min=1,
        max_tokens_min_reasoning=1025,
        temperature_excludes_top_p=True,
        reasoning_excludes_sampling=True,
        country_codes=frozenset(
            [
                "AR",
                "AT",
                "AU",
                "BE",
                "BR",
                "CA",
                "CH",
                "CL",
                "CN",
                "DE",
                "DK",
                "ES",
                "FI",
                "FR",
                "GB",
                "HK",
                "ID",
                "IN",
                "IT",
                "JP",
                "KR",
                "MX",
                "MY",
                "NL",
                "NO",
                "NZ",
                "PH",
                "PL",
                "PT",
                "RU",
                "SA",
                "SE",
                "TR",
                "TW",
                "US",
                "ZA",
            ]
        ),
    ),
    "gemini": EngineSpec(
        name="gemini",
        label="Gemini",
        default_model="gemini-2.5-flash",
        temperature_max=2.0,
        max_tokens_min=1,
        max_tokens_min_reasoning=1024,
    ),
    "perplexity": EngineSpec(
        name="perplexity",
        label="Perplexity",
        default_model="sonar",
        temperature_max=1.9,
        max_tokens_min=1,
        max_tokens_min_reasoning=1,
        strict_alternation=True,
        has_standard=False,
    ),
}

DEFAULT_MODELS: Final[dict[str, str]] = {
    name: spec.default_model for name, spec in ENGINE_SPECS.items()
}
"""Model used for each engine when ``model`` is not given (from :data:`ENGINE_SPECS`)."""

ENGINE_LABELS: Final[dict[str, str]] = {name: spec.label for name, spec in ENGINE_SPECS.items()}
"""Display name of each engine, used in tool names and descriptions."""


def engine_spec(engine: str) -> EngineSpec:
    """Return the rules of one engine.

    Args:
        engine: ``chat_gpt``, ``claude``, ``gemini`` or ``perplexity``.

    Returns:
        The engine's :class:`EngineSpec`.

    Raises:
        DataForSEOInputError: For any other engine name.
    """
    spec = ENGINE_SPECS.get(engine)
    if spec is None:
        msg = f"engine={engine!r} is not one of {', '.join(ENGINES)}."
        raise DataForSEOInputError(msg, field="engine", limit=ENGINES, actual=engine)
    return spec


def check_chain_alternation(spec: EngineSpec, chain: Sequence[dict[str, str]]) -> None:
    """Check the engine's alternation rule on ``message_chain``.

    Args:
        spec: The engine's rules.
        chain: The chain as it will be sent.

    Raises:
        DataForSEOInputError: When the engine needs user, ai, user, ... and the chain
            does not follow it.
    """
    if not spec.strict_alternation:
        return
    for position, item in enumerate(chain):
        expected = "user" if position % 2 == 0 else "ai"
        if item["role"] != expected:
            msg = (
                f"message_chain[{position}] has role {item['role']!r}; engine "
                f"{spec.name!r} needs the chain to alternate user, ai, user, ... "
                f"starting with user, so it must be {expected!r}."
            )
            raise DataForSEOInputError(
                msg,
                field=f"message_chain[{position}].role",
                limit=expected,
                actual=item["role"],
                index=position,
            )
    if chain and chain[-1]["role"] != "ai":
        msg = (
            f"engine {spec.name!r} needs the chain to end with an 'ai' turn before the "
            "user prompt (strict user/ai alternation)."
        )
        raise DataForSEOInputError(
            msg,
            field=f"message_chain[{len(chain) - 1}].role",
            limit="ai",
            actual=chain[-1]["role"],
            index=len(chain) - 1,
        )
