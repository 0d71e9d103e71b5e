"""The checks a panel's parts pass when it is built (pure; errors name the field)."""

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


PANEL_SETTINGS: Final[tuple[str, ...]] = tuple(
    name for name in SETTING_NAMES if name not in ("model_name", "tag")
)
"""Task settings a panel may set (``model_name`` comes from ``engines``, tags are per task)."""


def fail(message: str, field: str, limit: object = None, actual: object = None) -> NoReturn:
    raise DataForSEOInputError(message, field=field, limit=limit, actual=actual)


def strings(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        fail(f"{field} must be a list of strings, got {value!r}.", field, "list of strings", value)
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            fail(
                f"{field}[{index}] must be a non-blank string, got {item!r}.",
                f"{field}[{index}]",
                "non-blank string",
                item,
            )
        out.append(item)
    return tuple(out)


def check_prompts(prompts: object) -> tuple[str, ...]:
    values = strings(prompts, "prompts")
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
                f"engines.{engine} must be a model name such as 'gpt-4.1-mini', got {model!r}.",
                f"engines.{engine}",
                "model name",
                model,
            )
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
