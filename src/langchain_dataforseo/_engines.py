"""Per-engine request rules: the engine table (limits, labels, default models).

Pure data and pure checks, from the engine matrix of the API reference (§2.1). Which
fields an engine takes comes from the task-field table (``_settings``). A
setting that the API would reject raises :class:`DataForSEOInputError` here, before
any request is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from langchain_dataforseo._constants import ENGINES
from langchain_dataforseo._settings import engine_fields
from langchain_dataforseo.errors import DataForSEOInputError


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
