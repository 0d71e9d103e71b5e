"""Per-engine request validation (reference §2.1 and §2.2).

Every failure is a task-level error: ``40506 "Unknown Fields in POST Data: <field>"`` for a
field the engine/method does not have, ``40501 "Invalid Field: '<name>'."`` for everything
else (missing, wrong type, out of range, forbidden combination, unknown model). ``null`` values
are treated exactly like absent fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._catalogue import ModelInfo, resolve_model

__all__ = ["TaskError", "ValidTask", "validate_task"]

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
