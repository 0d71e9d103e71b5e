"""Per-engine model catalogue and model-name resolution (seeded from reference §5.1).

The ``models`` endpoint is served in one of :data:`MODELS_SHAPES`:

- ``documented`` (default): as DataForSEO's docs showed the ChatGPT and Claude ``models``
  answers in October 2025 and as the official client 2.1.10 models them: entries carry only
  ``model_name``, ``web_search_supported`` and ``task_post_supported`` (no ``reasoning``),
  and alias names (``gpt-4.1-mini``, ``o4-mini``, ``claude-sonnet-4-0``,
  ``claude-3-7-sonnet-latest``) are listed beside the dated names;
- ``reasoning``: the shape of the current field description (reference §5.1): dated names
  only, each with a ``reasoning`` flag.
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
    "catalogue",
    "models_result",
    "resolve_model",
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
