"""What an LLM Responses task may ask: each engine's models, and the task's validation.

Models (seeded from reference §5.1). The ``models`` endpoint is served in one of
:data:`MODELS_SHAPES`:

- ``documented`` (default): as DataForSEO's docs showed the ChatGPT and Claude ``models``
  answers in October 2025 and as the official client 2.1.10 models them: entries carry only
  ``model_name``, ``web_search_supported`` and ``task_post_supported`` (no ``reasoning``),
  and alias names (``gpt-4.1-mini``, ``o4-mini``, ``claude-sonnet-4-0``,
  ``claude-3-7-sonnet-latest``) are listed beside the dated names;
- ``reasoning``: the shape of the current field description (reference §5.1): dated names
  only, each with a ``reasoning`` flag.

Validation (reference §2.1 and §2.2). Every failure is a task-level error: ``40506 "Unknown
Fields in POST Data: <field>"`` for a field the engine/method does not have, ``40501
"Invalid Field: '<name>'."`` for everything else (missing, wrong type, out of range,
forbidden combination, unknown model). ``null`` values are treated exactly like absent
fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ENGINES",
    "MODELS_SHAPES",
    "STANDARD_ENGINES",
    "WEB_SEARCH_FEE",
    "ModelInfo",
    "TaskError",
    "ValidTask",
    "catalogue",
    "models_result",
    "resolve_model",
    "validate_task",
]

ENGINES: tuple[str, ...] = ("chat_gpt", "claude", "gemini", "perplexity")
"""Engines served under ``/v3/ai_optimization/{engine}/llm_responses/``."""

MODELS_SHAPES: tuple[str, ...] = ("documented", "reasoning")
"""Shapes of the ``models`` answer (see the module docstring); the first is the default."""

STANDARD_ENGINES: frozenset[str] = frozenset({"chat_gpt", "claude", "gemini"})
"""Engines that have the Standard (task_post / tasks_ready / task_get) method."""

WEB_SEARCH_FEE: dict[str, float] = {
    "chat_gpt": 0.025,
    "claude": 0.01,
    "gemini": 0.035,
    "perplexity": 0.005,
}
"""Emulated provider fee (USD) added to ``money_spent`` for one answer that used web search."""


@dataclass(frozen=True)
class ModelInfo:
    """One model of an engine.

    Attributes:
        base_name: The unversioned name (what users usually send).
        name: The versioned name reported in ``result.model_name`` and by ``models``.
        reasoning: For chat_gpt/perplexity: a reasoning model (reasoning is implicit);
            for claude/gemini: ``use_reasoning`` may be enabled.
        web_search_supported: Whether ``web_search`` may be set.
        task_post_supported: Whether the Standard method accepts the model.
        auto_reasoning: Gemini Pro models: ``use_reasoning`` is forced on.
        price_in: USD per million input tokens.
        price_out: USD per million output tokens (reasoning tokens included).
        aliases: Further names that resolve to the model and that the documented
            ``models`` answer lists (``claude-3-7-sonnet-latest``).
    """

    base_name: str
    name: str
    reasoning: bool
    web_search_supported: bool
    task_post_supported: bool
    price_in: float
    price_out: float
    auto_reasoning: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that resolves to the model: aliases, the base name, the dated name."""
        out = [*self.aliases, self.base_name, self.name]
        return tuple(dict.fromkeys(out))


def _m(
    base: str,
    name: str,
    reasoning: bool,
    web: bool,
    pin: float,
    pout: float,
    *,
    standard: bool = True,
    auto: bool = False,
    aliases: tuple[str, ...] = (),
) -> ModelInfo:
    return ModelInfo(base, name, reasoning, web, standard, pin, pout, auto, aliases)


_CATALOGUE: dict[str, tuple[ModelInfo, ...]] = {
    "chat_gpt": (
        _m("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", False, True, 0.40, 1.60),
        _m("gpt-4.1", "gpt-4.1-2025-04-14", False, True, 2.00, 8.00),
        _m("gpt-4o-mini", "gpt-4o-mini-2024-07-18", False, True, 0.15, 0.60),
        _m("gpt-4o", "gpt-4o-2024-08-06", False, True, 2.50, 10.00),
        _m("gpt-5", "gpt-5-2025-08-07", True, True, 1.25, 10.00),
        _m("o3-mini", "o3-mini-2025-01-31", True, False, 1.10, 4.40),
        _m("o4-mini", "o4-mini-2025-04-16", True, True, 1.10, 4.40),
        _m("o1-pro", "o1-pro-2025-03-19", True, False, 150.00, 600.00),
    ),
    "claude": (
        _m("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", True, True, 3.00, 15.00),
        _m("claude-haiku-4-5", "claude-haiku-4-5-20251001", True, True, 1.00, 5.00),
        _m("claude-opus-4-0", "claude-opus-4-20250514", True, True, 15.00, 75.00),
        _m("claude-sonnet-4-0", "claude-sonnet-4-20250514", True, True, 3.00, 15.00),
        _m(
            "claude-3-7-sonnet",
            "claude-3-7-sonnet-20250219",
            True,
            True,
            3.00,
            15.00,
            aliases=("claude-3-7-sonnet-latest",),
        ),
        _m(
            "claude-3-5-haiku",
            "claude-3-5-haiku-20241022",
            False,
            True,
            0.80,
            4.00,
            aliases=("claude-3-5-haiku-latest",),
        ),
        _m("claude-3-haiku", "claude-3-haiku-20240307", False, False, 0.25, 1.25),
    ),
    "gemini": (
        _m("gemini-2.5-flash", "gemini-2.5-flash", True, True, 0.30, 2.50),
        _m("gemini-2.5-pro", "gemini-2.5-pro", True, True, 1.25, 10.00, auto=True),
        _m("gemini-1.5-pro", "gemini-1.5-pro-002", False, True, 1.25, 5.00),
    ),
    "perplexity": (
        _m("sonar", "sonar", False, True, 1.00, 1.00, standard=False),
        _m("sonar-pro", "sonar-pro", False, True, 3.00, 15.00, standard=False),
        _m("sonar-reasoning", "sonar-reasoning", True, True, 1.00, 5.00, standard=False),
        _m("sonar-reasoning-pro", "sonar-reasoning-pro", True, True, 2.00, 8.00, standard=False),
    ),
}


def catalogue(engine: str) -> tuple[ModelInfo, ...]:
    """Return the models of an engine.

    Args:
        engine: One of :data:`ENGINES`.

    Returns:
        The engine's models, in ``models`` endpoint order.
    """
    return _CATALOGUE[engine]


def resolve_model(engine: str, model_name: str) -> ModelInfo | None:
    """Resolve a base or versioned model name.

    Args:
        engine: One of :data:`ENGINES`.
        model_name: The name sent in the request.

    Returns:
        The model, or ``None`` when the engine has no such model.
    """
    for model in _CATALOGUE.get(engine, ()):
        if model_name in model.names:
            return model
    return None


def models_result(engine: str, shape: str = "documented") -> list[dict[str, Any]]:
    """The ``result`` list of the ``models`` answer in one of :data:`MODELS_SHAPES`.

    Args:
        engine: One of :data:`ENGINES`.
        shape: ``documented`` (aliases beside dated names, no ``reasoning``) or
            ``reasoning`` (dated names, each with its ``reasoning`` flag).

    Returns:
        One entry per listed name.

    Raises:
        ValueError: For an unknown shape.
    """
    if shape not in MODELS_SHAPES:
        raise ValueError(f"models_shape must be one of {MODELS_SHAPES}, got {shape!r}")
    out: list[dict[str, Any]] = []
    for model in _CATALOGUE[engine]:
        flags = {
            "web_search_supported": model.web_search_supported,
            "task_post_supported": model.task_post_supported,
        }
        if shape == "reasoning":
            out.append({"model_name": model.name, "reasoning": model.reasoning, **flags})
        else:
            out.extend({"model_name": name, **flags} for name in model.names)
    return out


# ---------------------------------------------- validation


_COMMON = frozenset(
    {
        "user_prompt",
        "model_name",
        "max_output_tokens",
        "temperature",
        "top_p",
        "system_message",
        "message_chain",
        "tag",
    }
)
_ENGINE_FIELDS: dict[str, frozenset[str]] = {
    "chat_gpt": _COMMON
    | {"web_search", "force_web_search", "web_search_country_iso_code", "web_search_city"},
    "claude": _COMMON
    | {
        "web_search",
        "force_web_search",
        "web_search_country_iso_code",
        "web_search_city",
        "use_reasoning",
    },
    "gemini": _COMMON | {"web_search", "use_reasoning"},
    "perplexity": _COMMON | {"web_search_country_iso_code"},
}
_CALLBACK_FIELDS = frozenset({"postback_url", "pingback_url"})

_STRINGS = frozenset(
    {
        "user_prompt",
        "model_name",
        "system_message",
        "tag",
        "web_search_country_iso_code",
        "web_search_city",
        "postback_url",
        "pingback_url",
    }
)
_BOOLS = frozenset({"web_search", "force_web_search", "use_reasoning"})
_NUMBERS = frozenset({"temperature", "top_p"})

_CLAUDE_COUNTRY_LIST = (
    "AR AT AU BE BR CA CH CL CN DE DK ES FI FR GB HK ID IN IT JP KR MX MY NL NO NZ PH PL PT RU "
    "SA SE TR TW US ZA"
)
CLAUDE_COUNTRIES = frozenset(_CLAUDE_COUNTRY_LIST.split())

_TEMPERATURE_MAX = {"chat_gpt": 2.0, "claude": 1.0, "gemini": 2.0, "perplexity": 1.9}
_MAX_TOKENS = 4096


@dataclass(frozen=True)
class TaskError:
    """A task-level validation failure.

    Attributes:
        code: DataForSEO status code (40501 or 40506).
        message: The status message.
    """

    code: int
    message: str


@dataclass(frozen=True)
class ValidTask:
    """A validated task.

    Attributes:
        fields: The task without ``null`` fields.
        model: The resolved model.
        web_search: Whether the answer uses web search.
        reasoning: Whether the answer includes reasoning.
    """

    fields: dict[str, Any]
    model: ModelInfo
    web_search: bool
    reasoning: bool


def _invalid(name: str) -> TaskError:
    return TaskError(40501, f"Invalid Field: '{name}'.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_types(task: dict[str, Any]) -> TaskError | None:
    for name, value in task.items():
        if name in _STRINGS and not isinstance(value, str):
            return _invalid(name)
        if name in _BOOLS and not isinstance(value, bool):
            return _invalid(name)
        if name in _NUMBERS and not _is_number(value):
            return _invalid(name)
        if name == "max_output_tokens" and not _is_int(value):
            return _invalid(name)
        if name == "message_chain" and not isinstance(value, list):
            return _invalid(name)
    return None


def _check_chain(engine: str, chain: list[Any]) -> TaskError | None:
    if len(chain) > 10:
        return _invalid("message_chain")
    for index, item in enumerate(chain):
        if not isinstance(item, dict) or set(item) - {"role", "message"}:
            return _invalid("message_chain")
        role, message = item.get("role"), item.get("message")
        if role not in ("user", "ai") or not isinstance(message, str):
            return _invalid("message_chain")
        if not message or len(message) > 500:
            return _invalid("message_chain")
        if engine == "perplexity" and role != ("user" if index % 2 == 0 else "ai"):
            return _invalid("message_chain")
    return None


def _check_lengths(engine: str, task: dict[str, Any]) -> TaskError | None:
    if not task["user_prompt"].strip() or len(task["user_prompt"]) > 500:
        return _invalid("user_prompt")
    if len(task.get("system_message", "")) > 500:
        return _invalid("system_message")
    if len(task.get("tag", "")) > 255:
        return _invalid("tag")
    for name in ("postback_url", "pingback_url"):
        url = task.get(name)
        if url is not None and not url.lower().startswith(("http://", "https://")):
            return _invalid(name)
    if "message_chain" in task:
        return _check_chain(engine, task["message_chain"])
    return None


def _check_ranges(engine: str, task: dict[str, Any], min_tokens: int) -> TaskError | None:
    tokens = task.get("max_output_tokens")
    if tokens is not None and not min_tokens <= tokens <= _MAX_TOKENS:
        return _invalid("max_output_tokens")
    temperature = task.get("temperature")
    if temperature is not None and not 0.0 <= temperature <= _TEMPERATURE_MAX[engine]:
        return _invalid("temperature")
    top_p = task.get("top_p")
    if top_p is not None and not 0.0 <= top_p <= 1.0:
        return _invalid("top_p")
    return None


def _check_web(engine: str, task: dict[str, Any], model: ModelInfo) -> TaskError | None:
    web = task.get("web_search") is True
    if web and not model.web_search_supported:
        return _invalid("web_search")
    if task.get("force_web_search") is True and not web:
        return _invalid("force_web_search")
    country = task.get("web_search_country_iso_code")
    if country is not None:
        if engine == "chat_gpt" and not web:  # the docs state this for ChatGPT only
            return _invalid("web_search_country_iso_code")
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            return _invalid("web_search_country_iso_code")
        if engine == "claude" and country not in CLAUDE_COUNTRIES:
            return _invalid("web_search_country_iso_code")
    city = task.get("web_search_city")
    if city is not None and (
        (engine == "chat_gpt" and not web) or country is None or not city.strip()
    ):
        return _invalid("web_search_city")
    return None


def _check_reasoning(engine: str, task: dict[str, Any], model: ModelInfo) -> bool | TaskError:
    """Return whether the answer reasons, or the error of a forbidden combination."""
    if engine == "chat_gpt":
        if model.reasoning:
            for name in ("temperature", "top_p"):
                if name in task:
                    return _invalid(name)
            if task.get("force_web_search") is True:
                return _invalid("force_web_search")
        return model.reasoning
    if engine == "perplexity":
        return model.reasoning
    wants = task.get("use_reasoning") is True
    if wants and not model.reasoning:
        return _invalid("use_reasoning")
    if engine == "claude":
        if "temperature" in task and "top_p" in task:
            return _invalid("top_p")
        if wants:
            for name in ("temperature", "top_p"):
                if name in task:
                    return _invalid(name)
            if task.get("force_web_search") is True:
                return _invalid("force_web_search")
        return wants
    return wants or model.auto_reasoning


def _min_tokens(engine: str, model: ModelInfo, reasoning: bool) -> int:
    if engine == "chat_gpt":
        return 1024 if model.reasoning else 16
    if engine == "claude" and reasoning:
        return 1025
    if engine == "gemini" and reasoning:
        return 1024
    return 1


def validate_task(engine: str, method: str, raw: dict[str, Any]) -> ValidTask | TaskError:
    """Validate one task of a ``live`` or ``task_post`` call.

    Args:
        engine: The engine of the path.
        method: ``"live"`` or ``"task_post"``.
        raw: The task object as sent.

    Returns:
        The validated task, or the task-level error to answer with.
    """
    task = {key: value for key, value in raw.items() if value is not None}
    allowed = _ENGINE_FIELDS[engine]
    if method == "task_post":
        allowed = allowed | _CALLBACK_FIELDS
    unknown = [key for key in task if key not in allowed]
    if unknown:
        return TaskError(40506, f"Unknown Fields in POST Data: {', '.join(unknown)}")
    for name in ("user_prompt", "model_name"):
        if name not in task:
            return _invalid(name)
    error = _check_types(task)
    if error is not None:
        return error
    model = resolve_model(engine, task["model_name"])
    if model is None or (method == "task_post" and not model.task_post_supported):
        return _invalid("model_name")
    error = _check_lengths(engine, task)
    if error is not None:
        return error
    reasoning = _check_reasoning(engine, task, model)
    if isinstance(reasoning, TaskError):
        return reasoning
    error = _check_ranges(engine, task, _min_tokens(engine, model, reasoning))
    if error is not None:
        return error
    error = _check_web(engine, task, model)
    if error is not None:
        return error
    web = engine == "perplexity" or task.get("web_search") is True
    return ValidTask(fields=task, model=model, web_search=web, reasoning=reasoning)
