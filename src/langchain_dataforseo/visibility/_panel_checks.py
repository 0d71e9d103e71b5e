"""The checks a panel's parts pass when it is built (pure; errors name the field).

Every size a panel file sets is bounded (the ``MAX_*`` constants below), and each bound is
checked before anything of that size is built: a panel of ``samples = 1000000000`` is
refused when it is read, naming the field, the limit and the value, instead of expanding a
billion tasks. The bounds leave room for real work: a run may hold two million tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, NoReturn, Protocol

from langchain_dataforseo._constants import ENGINES, MAX_PROMPT_CHARS
from langchain_dataforseo._request import SETTING_NAMES
from langchain_dataforseo.errors import DataForSEOInputError


class Named(Protocol):
    """What the uniqueness check reads of a brand."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


MAX_TASKS: Final = 2_000_000
"""Tasks in one run: prompts x (engines x their surfaces) x samples."""
MAX_PROMPTS: Final = 100_000
"""Prompts in one panel."""
MAX_SAMPLES: Final = 10_000
"""Samples (answers collected) per prompt, engine and surface."""
MAX_COMPETITORS: Final = 100
"""Competitors in one panel (each answer is matched against every tracked brand)."""
MAX_ALIASES: Final = 50
"""Aliases of one brand."""
MAX_DOMAINS: Final = 100
"""Domains of one brand."""
MAX_NAME_CHARS: Final = 200
"""Characters of a panel's name, a brand's name or an alias."""
MAX_DOMAIN_CHARS: Final = 253
"""Characters of a brand's domain (the longest a DNS name can be)."""
MAX_MODEL_CHARS: Final = 200
"""Characters of a model name in ``engines``."""

PANEL_SETTINGS: Final[tuple[str, ...]] = tuple(
    name for name in SETTING_NAMES if name not in ("model_name", "tag")
)
"""Task settings a panel may set (``model_name`` comes from ``engines``, tags are per task)."""


def fail(message: str, field: str, limit: object = None, actual: object = None) -> NoReturn:
    raise DataForSEOInputError(message, field=field, limit=limit, actual=actual)


def _short(value: object) -> str:
    """A value for an error message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_count(items: Sequence[object], field: str, limit: int) -> None:
    """Refuse a list longer than ``limit`` (before any of its items is looked at)."""
    if len(items) > limit:
        fail(
            f"{field} has {len(items):,} items; a panel takes at most {limit:,}.",
            field,
            limit,
            len(items),
        )


def check_chars(text: str, field: str, limit: int) -> None:
    """Refuse a string longer than ``limit`` characters."""
    if len(text) > limit:
        fail(
            f"{field} is {len(text):,} characters ({_short(text)}); the limit is {limit:,}.",
            field,
            limit,
            len(text),
        )


def strings(
    value: object, field: str, *, max_items: int | None = None, max_chars: int | None = None
) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        fail(
            f"{field} must be a list of strings, got {_short(value)}.",
            field,
            "list of strings",
            value,
        )
    if max_items is not None:
        check_count(value, field, max_items)
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            fail(
                f"{field}[{index}] must be a non-blank string, got {_short(item)}.",
                f"{field}[{index}]",
                "non-blank string",
                item,
            )
        if max_chars is not None:
            check_chars(item, f"{field}[{index}]", max_chars)
        out.append(item)
    return tuple(out)


def check_samples(samples: object) -> int:
    """``samples``: an integer from 1 to :data:`MAX_SAMPLES`."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        fail(f"samples must be an integer >= 1, got {samples!r}.", "samples", ">= 1", samples)
    if samples > MAX_SAMPLES:
        fail(
            f"samples is {samples:,}; a panel takes at most {MAX_SAMPLES:,} samples per "
            "prompt and engine.",
            "samples",
            MAX_SAMPLES,
            samples,
        )
    return samples


def check_task_count(prompts: int, engine_surfaces: int, samples: int) -> int:
    """The run's task count, refused above :data:`MAX_TASKS` (computed, never expanded).

    Args:
        prompts: The number of prompts.
        engine_surfaces: The number of (engine, surface) pairs.
        samples: Samples per prompt, engine and surface.

    Returns:
        ``prompts * engine_surfaces * samples``.

    Raises:
        DataForSEOInputError: With ``field="tasks"``, the limit and the count.
    """
    tasks = prompts * engine_surfaces * samples
    if tasks > MAX_TASKS:
        fail(
            f"the panel makes {tasks:,} tasks ({prompts:,} prompts x {engine_surfaces} "
            f"engine-surfaces x {samples:,} samples); a run takes at most {MAX_TASKS:,}: "
            "lower samples or split the prompts into several panels.",
            "tasks",
            MAX_TASKS,
            tasks,
        )
    return tasks


def check_prompts(prompts: object) -> tuple[str, ...]:
    values = strings(prompts, "prompts", max_items=MAX_PROMPTS)
    if not values:
        fail("prompts is empty; a panel needs at least one prompt.", "prompts", ">= 1", 0)
    seen: dict[str, int] = {}
    for index, prompt in enumerate(values):
        if len(prompt) > MAX_PROMPT_CHARS:
            fail(
                f"prompts[{index}] is {len(prompt)} characters; the API's user_prompt takes "
                f"at most {MAX_PROMPT_CHARS}.",
                f"prompts[{index}]",
                MAX_PROMPT_CHARS,
                len(prompt),
            )
        if prompt in seen:
            fail(
                f"prompts[{index}] repeats prompts[{seen[prompt]}]; use samples for repeats.",
                f"prompts[{index}]",
                "unique",
                prompt,
            )
        seen[prompt] = index
    return values


def check_engines(engines: Mapping[str, str] | None) -> dict[str, str]:
    if not isinstance(engines, Mapping) or not engines:
        fail(
            f"engines must map at least one engine ({', '.join(ENGINES)}) to a model.",
            "engines",
            ENGINES,
            engines,
        )
    out = {}
    for engine, model in engines.items():
        if engine not in ENGINES:
            fail(
                f"engines.{engine}: {engine!r} is not one of {', '.join(ENGINES)}.",
                f"engines.{engine}",
                ENGINES,
                engine,
            )
        if not isinstance(model, str) or not model.strip():
            fail(
                f"engines.{engine} must be a model name such as 'gpt-4.1-mini', "
                f"got {_short(model)}.",
                f"engines.{engine}",
                "model name",
                model,
            )
        check_chars(model, f"engines.{engine}", MAX_MODEL_CHARS)
        out[engine] = model
    return out


def check_settings(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key not in PANEL_SETTINGS:
            fail(
                f"{where}.{key} is not a task setting; a panel takes {', '.join(PANEL_SETTINGS)}.",
                f"{where}.{key}",
                PANEL_SETTINGS,
                key,
            )
        if value is not None:
            out[key] = value
    return out


def check_unique_brands(brands: Sequence[Named]) -> None:
    """No name or alias may belong to two brands (case and whitespace ignored)."""
    seen: dict[str, str] = {}
    for index, brand in enumerate(brands):
        where = "brand" if index == 0 else f"competitors[{index - 1}]"
        labels = [("name", brand.name)] + [
            (f"aliases[{i}]", alias) for i, alias in enumerate(brand.aliases)
        ]
        for label, text in labels:
            key = " ".join(text.lower().split())
            owner = seen.get(key)
            if owner is not None and owner != where:
                fail(
                    f"{where}.{label}={text!r} is already a name of {owner}; a name or alias "
                    "must belong to one brand only (case-insensitive).",
                    f"{where}.{label}",
                    "unique",
                    text,
                )
            seen[key] = where
