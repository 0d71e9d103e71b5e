"""LLM Responses: what a task may ask (each engine's models, validation) and its answer.

First the models and the task's validation, then the deterministic answers (below:
:func:`generate_result`, JSON answers).

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

import base64
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._brands import BrandCatalogue, brand_answer, capitalised, named, subject, topic_of
from ._envelope import format_datetime

__all__ = [
    "ENGINES",
    "MODELS_SHAPES",
    "STANDARD_ENGINES",
    "STYLE_NO_FAN_OUT",
    "STYLE_NO_INDICES",
    "STYLE_REPEAT",
    "STYLE_SPARSE_USAGE",
    "WEB_SEARCH_FEE",
    "ModelInfo",
    "TaskError",
    "ValidTask",
    "answer_style",
    "asks_for_json",
    "catalogue",
    "generate_result",
    "json_answer",
    "models_result",
    "request_digest",
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


# ---------------------------------------------- answers
# Deterministic answers: every value is a function of the request (hash of its canonical JSON).
#
# Only ``datetime`` depends on the clock. Fields that do not influence the model (``tag``,
# ``postback_url``, ``pingback_url``) are excluded from the hash, so a Standard task gets exactly
# the answer the same live request gets. With a brand catalogue (``_brands``), brand answers are
# seeded by the tag too, so samples with distinct tags differ (still the same live or Standard).
#
# JSON answers: when the system message asks for a JSON object, the answer is one. A real
# model told "Reply with only one JSON object ... valid for this JSON Schema: {...}" answers
# with such an object; the emulator does the same, so structured output
# (``ChatDataForSEO(...).with_structured_output(Schema)``) can be tried offline. When the
# system message carries a JSON Schema, the object follows it (``properties``, ``required``,
# ``type``, ``enum``, ``const``, ``items``, ``$ref`` into ``$defs``, ``anyOf`` / ``oneOf`` /
# ``allOf``); without one it is ``{"answer": "..."}``. Values are drawn from the answer's own
# sentences and brand names, deterministically from the digest.


_NOT_HASHED = frozenset({"tag", "postback_url", "pingback_url"})
_DOMAINS = (
    ("en.wikipedia.org", "Wikipedia"),
    ("www.forbes.com", "Forbes"),
    ("www.investopedia.com", "Investopedia"),
    ("www.techradar.com", "TechRadar"),
    ("www.reddit.com", "Reddit"),
    ("zapier.com", "Zapier"),
    ("www.g2.com", "G2"),
    ("www.bbc.com", "BBC"),
    ("www.theverge.com", "The Verge"),
    ("www.nerdwallet.com", "NerdWallet"),
    ("www.healthline.com", "Healthline"),
    ("www.statista.com", "Statista"),
)
_INTROS = (
    "Here is a short overview of {topic}.",
    "On {topic}, the answer depends on your goals, but a few points stand out.",
    "When it comes to {topic}, most current sources agree on the following.",
    "{Topic} is a broad subject; these are the points that matter most.",
)
_POINTS = (
    "**Requirements**: write down what you need before comparing anything",
    "**Cost**: prices vary widely, so compare the total cost, not the first bill",
    "**Quality**: reviews consistently weigh reliability over novelty",
    "**Timing**: interest in {topic} has grown steadily over the last year",
    "**Alternatives**: several smaller options suit tighter budgets",
    "**Risks**: check the limitations before you commit",
    "**Support**: good documentation and an active community make a real difference",
)
_OUTROS = (
    "In short, start small with {topic}, measure the results and adjust.",
    "If you share more about your situation, I can narrow down {topic} further.",
    "Overall, {topic} rewards a careful comparison of a few well-reviewed options.",
)
_FAN_OUT = ("2026", "comparison", "best options", "pros and cons", "reviews", "guide", "cost")
_REASONING = (
    "**Understanding the question**\n\nThe user asks about {topic}; I should identify what "
    "matters most and structure a short answer.",
    "**Weighing the options**\n\nComparing the main aspects of {topic}: cost, quality, "
    "timing and alternatives.",
    "**Drafting the answer**\n\nI will give a brief overview of {topic} with the key points first.",
)


def request_digest(fields: dict[str, Any], engine: str) -> bytes:
    """Hash the canonical JSON of the model-relevant part of a task.

    Args:
        fields: The validated task fields (no nulls).
        engine: The engine name (part of the hash).

    Returns:
        The SHA-256 digest.
    """
    relevant = {k: v for k, v in fields.items() if k not in _NOT_HASHED}
    canonical = json.dumps([engine, relevant], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


STYLE_SPARSE_USAGE = 1
"""Style bit: a non-reasoning answer has no ``reasoning_tokens`` key (documented example)."""
STYLE_NO_FAN_OUT = 2
"""Style bit: the result has no ``fan_out_queries`` key (documented example)."""
STYLE_NO_INDICES = 4
"""Style bit: ChatGPT annotations carry only ``title`` and ``url`` (documented example)."""
STYLE_REPEAT = 8
"""Style bit: one annotation is repeated, identical (documented example; not in brand answers)."""


def answer_style(fields: dict[str, Any], engine: str, *, with_tag: bool) -> int:
    """The style bits of one answer: which optional parts the documented examples lack.

    DataForSEO's documented ChatGPT live answer has no ``reasoning_tokens``, no
    ``fan_out_queries``, annotations with only ``title`` and ``url`` and two identical
    annotations; the client 2.1.10 models have all of them. Each bit is drawn from the
    request (and the tag for brand answers, whose samples must differ), so the same
    task always gets the same style and a run meets both.

    Args:
        fields: The validated task fields.
        engine: The engine.
        with_tag: Whether the tag takes part (brand answers).

    Returns:
        An OR of the ``STYLE_*`` bits.
    """
    relevant = {k: v for k, v in fields.items() if with_tag or k not in _NOT_HASHED}
    relevant.pop("postback_url", None)
    relevant.pop("pingback_url", None)
    canonical = json.dumps(["style", engine, relevant], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()[0] & 15


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4)) if text else 0


def _sources(digest: bytes, topic: str) -> list[tuple[str, str, str]]:
    count = 2 + digest[1] % 3
    start = digest[2] % len(_DOMAINS)
    slug = re.sub(r"[^a-z0-9]+", "-", topic).strip("-") or "topic"
    out = []
    for i in range(count):
        domain, site = _DOMAINS[(start + i * 5) % len(_DOMAINS)]
        url = f"https://{domain}/{slug}-{digest[3 + i] % 90 + 10}"
        out.append((domain, f"{topic.title()} – {site}", url))
    return out


def _annotated_text(
    engine: str,
    lines: list[str],
    sources: list[tuple[str, str, str]],
    digest: bytes,
    indices: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Append citations to the cited lines and build the engine-specific annotations."""
    text_parts: list[str] = []
    annotations: list[dict[str, Any]] = []
    offset = 0
    for index, line in enumerate(lines):
        cited = sources[index - 1] if 1 <= index <= len(sources) else None
        if cited is not None and engine == "chat_gpt":
            domain, title, url = cited
            url = f"{url}?utm_source=openai"
            link = f"[{domain.removeprefix('www.')}]({url})"
            line = f"{line} ({link})."
            start = offset + line.index(link)
            note: dict[str, Any] = {"title": title, "url": url}
            if indices:
                note.update(start_index=start, end_index=start + len(link))
            annotations.append(note)
        elif cited is not None and engine == "perplexity":
            line = f"{line} [{index}]."
            annotations.append({"title": cited[1], "url": cited[2]})
        elif cited is not None and engine == "gemini":
            domain, _title, url = cited
            token = base64.urlsafe_b64encode(hashlib.sha256(url.encode() + digest).digest())
            annotations.append(
                {
                    "title": domain.removeprefix("www."),
                    "url": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                    + "AUZIYQ"
                    + token.decode().rstrip("="),
                    "direct_url": url,
                }
            )
            line = f"{line}."
        elif cited is not None:
            annotations.append({"title": cited[1], "url": cited[2]})
            line = f"{line}."
        elif index >= 1 and index < len(lines) - 1:
            line = f"{line}."
        text_parts.append(line)
        offset += len(line) + 1
    return "\n".join(text_parts), annotations


def _sentences(lines: list[str]) -> list[str]:
    """The answer's lines as plain sentences (no numbering, no bold, a final stop)."""
    out = []
    for line in lines:
        plain = re.sub(r"^\d+\.\s*", "", line).replace("**", "").strip()
        if plain:
            out.append(plain if plain[-1] in ".:!?" else f"{plain}.")
    return out


def _lines(digest: bytes, topic: str, budget: int, keep: int) -> list[str]:
    """Build intro, numbered points and outro, dropping uncited lines beyond the token budget."""
    fmt = {"topic": topic, "Topic": capitalised(topic)}
    intro = _INTROS[digest[4] % len(_INTROS)].format(**fmt)
    n_points = 3 + digest[5] % 3
    first = digest[6] % len(_POINTS)
    points = [
        f"{i + 1}. " + _POINTS[(first + i) % len(_POINTS)].format(**fmt) for i in range(n_points)
    ]
    lines = [intro, *points, _OUTROS[digest[7] % len(_OUTROS)].format(**fmt)]
    minimum = max(1, keep + 1)
    while len(lines) > minimum and _tokens("\n".join(lines)) > budget:
        lines.pop()
    if len(lines) == 1 and _tokens(lines[0]) > budget:
        words = lines[0].split()
        while len(words) > 1 and _tokens(" ".join(words)) > budget:
            words.pop()
        lines = [" ".join(words)]
    return lines


def generate_result(
    engine: str, valid: ValidTask, now: float, brands: BrandCatalogue | None = None
) -> dict[str, Any]:
    """Produce the ``result[0]`` object of a live or completed Standard task.

    Args:
        engine: The engine name.
        valid: The validated task.
        now: The answer's time (epoch seconds) for ``datetime``.
        brands: The brand truth; when given and the prompt matches it, the answer names
            and cites brands at the catalogue's rates (see ``_brands``).

    Returns:
        The result object (model_name, tokens, money_spent, items, fan_out_queries, ...).
    """
    fields = valid.fields
    digest = request_digest(fields, engine)
    topic = topic_of(fields["user_prompt"])
    phrase = subject(fields["user_prompt"])
    budget = int(fields.get("max_output_tokens", 2048))
    fan_out: list[str] | None = None
    branded = brands is not None and brands.applies(fields["user_prompt"])
    style = answer_style(fields, engine, with_tag=branded)
    if brands is not None and branded:
        lines, sources, fan_out = brand_answer(
            brands, engine, fields, topic, valid.web_search, phrase=phrase
        )
    else:
        sources = _sources(digest, topic) if valid.web_search else []
        lines = _lines(digest, phrase, budget, len(sources))
        if valid.web_search:
            count = 2 + digest[13] % 3
            first = digest[14] % len(_FAN_OUT)
            fan_out = [f"{topic} {_FAN_OUT[(first + i) % len(_FAN_OUT)]}" for i in range(count)]
    if asks_for_json(fields.get("system_message")):
        # the answer is the JSON object; its sources are still annotated (no indices)
        _plain, annotations = _annotated_text(engine, lines, sources, digest, indices=False)
        text = json_answer(fields["system_message"], _sentences(lines), named(lines), digest)
    else:
        text, annotations = _annotated_text(
            engine, lines, sources, digest, indices=not style & STYLE_NO_INDICES
        )
    if style & STYLE_REPEAT and annotations and not branded:
        # a brand answer never repeats one: its citation shares must stay the catalogue's
        at = digest[16] % len(annotations)
        annotations.insert(at + 1, dict(annotations[at]))
    items: list[dict[str, Any]] = []
    reasoning_tokens = 0
    if valid.reasoning:
        reasoning_tokens = 256 + int.from_bytes(digest[8:10], "big") % 1024
        if engine != "perplexity":
            count = 1 + digest[10] % 3
            sections = [
                {"type": "summary_text", "text": _REASONING[i].format(topic=topic)}
                for i in range(count)
            ]
            items.append({"type": "reasoning", "sections": sections})
    items.append(
        {
            "type": "message",
            "sections": [
                {
                    "type": "text",
                    "text": text,
                    "annotations": annotations if valid.web_search else None,
                }
            ],
        }
    )
    context = fields.get("system_message", "")
    chain = fields.get("message_chain", [])
    input_tokens = 7 + _tokens(fields["user_prompt"]) + _tokens(context)
    input_tokens += sum(4 + _tokens(m["message"]) for m in chain)
    if valid.web_search:
        input_tokens += 1200 + int.from_bytes(digest[11:13], "big") % 900
    output_tokens = _tokens(text) + reasoning_tokens
    model = valid.model
    money = input_tokens * model.price_in / 1e6 + output_tokens * model.price_out / 1e6
    if valid.web_search:
        money += WEB_SEARCH_FEE[engine]
    result: dict[str, Any] = {
        "model_name": model.name,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens,
        "web_search": valid.web_search,
        "money_spent": round(money, 7),
        "datetime": format_datetime(now),
        "items": items,
        "fan_out_queries": fan_out,
    }
    if style & STYLE_SPARSE_USAGE and not reasoning_tokens:
        del result["reasoning_tokens"]
    if style & STYLE_NO_FAN_OUT:
        del result["fan_out_queries"]
    return result


# ---------------------------------------------- JSON answers


_ASKS = re.compile(r"\bjson\b", re.IGNORECASE)
_LISTY = re.compile(r"brand|name|tool|vendor|compan|product|option|recommend|pick|choice", re.I)
_MAX_DEPTH = 6


def asks_for_json(system_message: str | None) -> bool:
    """Whether a system message asks for a JSON answer (it names JSON)."""
    return bool(system_message) and bool(_ASKS.search(system_message or ""))


def _schema_in(text: str) -> dict[str, Any] | None:
    """The first JSON object embedded in the text that looks like a JSON Schema."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and ({"properties", "type", "$defs", "anyOf"} & set(value)):
            return value
    return None


class _Filler:
    """Builds a value for a schema from the answer's sentences and names."""

    def __init__(
        self, root: dict[str, Any], sentences: Sequence[str], names: Sequence[str], seed: bytes
    ) -> None:
        self.root = root
        self.sentences = list(sentences) or ["No details are available."]
        self.names = list(names)
        self.seed = seed
        self.draws = 0

    def _byte(self) -> int:
        self.draws += 1
        return self.seed[self.draws % len(self.seed)]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            return node if isinstance(node, dict) else {}
        return schema

    def value(self, schema: Any, key: str = "", depth: int = 0) -> Any:
        """A value valid for the schema (best effort for unknown keywords)."""
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][self._byte() % len(schema["enum"])]
        for combo in ("anyOf", "oneOf"):
            options = [o for o in schema.get(combo, []) if self._resolve(o).get("type") != "null"]
            if options:
                return self.value(options[0], key, depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part))
            return self.value(merged, key, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or (kind is None and "properties" in schema):
            properties = schema.get("properties", {})
            return {name: self.value(sub, name, depth + 1) for name, sub in properties.items()}
        if kind == "array":
            count = max(int(schema.get("minItems", 1)), min(3, 1 + self._byte() % 3))
            if schema.get("maxItems") is not None:
                count = min(count, int(schema["maxItems"]))
            if _LISTY.search(key) and self.names:
                return self.names[:count]
            return [self.value(schema.get("items", {}), key, depth + 1) for _ in range(count)]
        if kind == "integer":
            low = int(schema.get("minimum", 1))
            high = int(schema.get("maximum", low + 9))
            return low + self._byte() % (high - low + 1) if high >= low else low
        if kind == "number":
            start = float(schema.get("minimum", 0.0))
            stop = float(schema.get("maximum", start + 10.0))
            return round(start + (stop - start) * self._byte() / 255, 2)
        if kind == "boolean":
            return bool(self._byte() % 2)
        if kind == "null":
            return None
        if _LISTY.search(key) and self.names:
            return self.names[self._byte() % len(self.names)]
        return self.sentences[self._byte() % len(self.sentences)]


def json_answer(
    system_message: str, sentences: Sequence[str], names: Sequence[str], seed: bytes
) -> str:
    """The JSON text of an answer to a system message that asks for JSON.

    Args:
        system_message: The system message (may embed a JSON Schema).
        sentences: Readable sentences of the plain answer, for string values.
        names: Brand names the plain answer named, in order, for name-like fields.
        seed: Bytes to draw from (the request digest).

    Returns:
        One JSON object, valid for the embedded schema when there is one.
    """
    schema = _schema_in(system_message)
    if schema is None:
        body: Any = {"answer": " ".join(sentences)}
        if names:
            body["brands"] = list(names)
    else:
        body = _Filler(schema, sentences, names, seed).value(schema)
        if not isinstance(body, dict):
            body = {"answer": body}
    return json.dumps(body, ensure_ascii=False)
