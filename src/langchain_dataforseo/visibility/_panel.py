"""Panels: the brand, its competitors, the prompts and the engines to measure.

:class:`Brand` and :class:`Panel` are immutable and validated on creation: engines come from
the package's engine table, task settings are checked with the same rules ``ChatDataForSEO``
applies (``validate_settings``), prompts are non-empty and within the API's 500 characters.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NoReturn

from langchain_dataforseo._constants import ENGINES, MAX_PROMPT_CHARS
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import SETTING_NAMES, TaskSettings, validate_settings
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._errors import PanelFileError
from langchain_dataforseo.visibility._matching import normalise_host
from langchain_dataforseo.visibility._surfaces import (
    API,
    APP,
    DEFAULT_SURFACES,
    app_task,
    check_app_engine,
    check_app_settings,
    check_surfaces,
)

PANEL_SETTINGS: Final[tuple[str, ...]] = tuple(
    name for name in SETTING_NAMES if name not in ("model_name", "tag")
)
"""Task settings a panel may set (``model_name`` comes from ``engines``, tags are per task)."""

_PANEL_KEYS: Final = (
    "name",
    "prompts",
    "brand",
    "competitors",
    "engines",
    "samples",
    "settings",
    "engine_settings",
    "surfaces",
    "engine_surfaces",
    "app_settings",
)
_BRAND_KEYS: Final = ("name", "aliases", "domains")
_HOST: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")


def _fail(message: str, field: str, limit: object = None, actual: object = None) -> NoReturn:
    raise DataForSEOInputError(message, field=field, limit=limit, actual=actual)


def _strings(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        _fail(f"{field} must be a list of strings, got {value!r}.", field, "list of strings", value)
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            _fail(
                f"{field}[{index}] must be a non-blank string, got {item!r}.",
                f"{field}[{index}]",
                "non-blank string",
                item,
            )
        out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class Brand:
    """A tracked brand: how answers name it and which domains are its own.

    Args:
        name: The brand's name, as reports show it (matched in answers too).
        aliases: Other names answers may use (``"HubSpot CRM"``); matched like the name.
        domains: The brand's domains (``"hubspot.com"``); their subdomains count too.

    Raises:
        DataForSEOInputError: For a blank name, a blank alias or a malformed domain.
    """

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            _fail("name must be a non-blank string.", "name", actual=self.name)
        object.__setattr__(self, "aliases", _strings(self.aliases, "aliases"))
        domains = _strings(self.domains, "domains")
        clean = []
        for index, domain in enumerate(domains):
            host = normalise_host(domain)
            if not _HOST.fullmatch(host):
                _fail(
                    f"domains[{index}]={domain!r} is not a domain name such as "
                    "'hubspot.com' (no scheme, no path).",
                    f"domains[{index}]",
                    "a domain name",
                    domain,
                )
            clean.append(host)
        object.__setattr__(self, "domains", tuple(clean))

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the aliases."""
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        """The brand as plain data (the panel file's shape)."""
        return {"name": self.name, "aliases": list(self.aliases), "domains": list(self.domains)}


def _brand(value: object, where: str) -> Brand:
    """A brand from a Brand, a name or a mapping; errors name ``where`` (``competitors[1]``)."""
    try:
        if isinstance(value, Brand):
            return value
        if isinstance(value, str):
            return Brand(value)
        if isinstance(value, Mapping):
            for key in value:
                if key not in _BRAND_KEYS:
                    _fail(
                        f"{key} is not a brand field; a brand has {', '.join(_BRAND_KEYS)}.",
                        str(key),
                        _BRAND_KEYS,
                        key,
                    )
            if "name" not in value:
                _fail("name is missing.", "name")
            return Brand(value["name"], value.get("aliases", ()), value.get("domains", ()))
    except DataForSEOInputError as error:
        raise DataForSEOInputError(
            f"{where}.{error}",
            field=f"{where}.{error.field}",
            limit=error.limit,
            actual=error.actual,
        ) from error
    _fail(f"{where} must be a brand table (name, aliases, domains).", where, actual=value)


@dataclass(frozen=True, init=False)
class Panel:
    """A visibility panel: prompts asked to several engines, several samples each.

    Args:
        name: The panel's name.
        prompts: The prompts (each 1 to 500 characters, no duplicates).
        brand: The brand measured (a :class:`Brand`, a name or a mapping).
        competitors: The competitors measured alongside.
        engines: Engine -> model, e.g. ``{"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"}``.
        samples: Answers collected per (prompt, engine); at least 1 (5 or more is advised:
            answers vary from call to call).
        engine_settings: Engine -> task settings for that engine only (override ``settings``).
        surfaces: Where every engine is asked: ``("api",)`` (default: the LLM Responses
            API), ``("app",)`` (the LLM Scraper: what the ChatGPT and Gemini apps show) or
            both. The app surface exists for ``chat_gpt`` and ``gemini`` only.
        engine_surfaces: Engine -> its surfaces (overrides ``surfaces``), e.g.
            ``{"perplexity": ("api",)}`` in a panel asking both surfaces.
        app_settings: App-surface settings (``location_code`` / ``location_name`` /
            ``location_coordinate`` (Gemini), ``language_code`` / ``language_name``,
            ``force_web_search`` (ChatGPT; not sent to Gemini)); United States and English
            when not set. Checked with the LLM Scraper's own rules.
        **settings: Task settings for every engine (``web_search``, ``temperature``,
            ``max_output_tokens``, ``web_search_country_iso_code``, ...). ``web_search`` is
            not sent to Perplexity, whose Sonar models always search and whose request has
            no such field.

    Raises:
        DataForSEOInputError: Naming the field (``engines.perplexity``, ``prompts[3]``,
            ``settings.temperature``...), the limit and the value.
    """

    name: str
    prompts: tuple[str, ...]
    brand: Brand
    competitors: tuple[Brand, ...]
    engines: Mapping[str, str]
    samples: int
    settings: Mapping[str, Any]
    engine_settings: Mapping[str, Mapping[str, Any]]
    surfaces: tuple[str, ...]
    engine_surfaces: Mapping[str, tuple[str, ...]]
    app_settings: Mapping[str, Any]

    def __init__(
        self,
        name: str,
        prompts: Sequence[str],
        brand: Brand | str | Mapping[str, Any],
        competitors: Sequence[Brand | str | Mapping[str, Any]] = (),
        engines: Mapping[str, str] | None = None,
        samples: int = 3,
        *,
        engine_settings: Mapping[str, Mapping[str, Any]] | None = None,
        surfaces: Sequence[str] = DEFAULT_SURFACES,
        engine_surfaces: Mapping[str, Sequence[str]] | None = None,
        app_settings: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        set_ = object.__setattr__
        if not isinstance(name, str) or not name.strip():
            _fail("name must be a non-blank string.", "name", actual=name)
        set_(self, "name", name)
        set_(self, "prompts", _prompts(prompts))
        set_(self, "brand", _brand(brand, "brand"))
        if isinstance(competitors, (str, Mapping)) or not isinstance(competitors, Sequence):
            _fail("competitors must be a list of brands.", "competitors", actual=competitors)
        set_(
            self,
            "competitors",
            tuple(_brand(c, f"competitors[{i}]") for i, c in enumerate(competitors)),
        )
        _check_unique_brands(self.brands)
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            _fail(f"samples must be an integer >= 1, got {samples!r}.", "samples", ">= 1", samples)
        set_(self, "samples", samples)
        set_(self, "engines", MappingProxyType(_engines(engines)))
        set_(self, "settings", MappingProxyType(_settings(settings, "settings")))
        overrides = {}
        for engine, values in (engine_settings or {}).items():
            if engine not in self.engines:
                _fail(
                    f"engine_settings.{engine}: engine {engine!r} is not in engines "
                    f"({', '.join(self.engines)}).",
                    f"engine_settings.{engine}",
                    tuple(self.engines),
                    engine,
                )
            if not isinstance(values, Mapping):
                _fail(f"engine_settings.{engine} must be a table.", f"engine_settings.{engine}")
            overrides[engine] = MappingProxyType(_settings(values, f"engine_settings.{engine}"))
        set_(self, "engine_settings", MappingProxyType(overrides))
        self._set_surfaces(surfaces, engine_surfaces, app_settings)
        for engine, model in self.engines.items():
            if API in self.surfaces_of(engine):
                self._check_engine(engine, model)
            if APP in self.surfaces_of(engine):
                for prompt in self.prompts:  # every task as the LLM Scraper would get it
                    app_task(engine, prompt, self.app_settings)

    def _set_surfaces(
        self,
        surfaces: Sequence[str],
        engine_surfaces: Mapping[str, Sequence[str]] | None,
        app_settings: Mapping[str, Any] | None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "surfaces", check_surfaces(surfaces, "surfaces"))
        per_engine = {}
        if not isinstance(engine_surfaces, (Mapping, type(None))):
            _fail("engine_surfaces must be a table.", "engine_surfaces", actual=engine_surfaces)
        for engine, values in (engine_surfaces or {}).items():
            if engine not in self.engines:
                _fail(
                    f"engine_surfaces.{engine}: engine {engine!r} is not in engines "
                    f"({', '.join(self.engines)}).",
                    f"engine_surfaces.{engine}",
                    tuple(self.engines),
                    engine,
                )
            per_engine[engine] = check_surfaces(values, f"engine_surfaces.{engine}")
        set_(self, "engine_surfaces", MappingProxyType(per_engine))
        for engine in self.engines:
            if APP in self.surfaces_of(engine):
                where = f"engine_surfaces.{engine}" if engine in per_engine else "surfaces"
                check_app_engine(engine, where)
        set_(self, "app_settings", MappingProxyType(check_app_settings(app_settings or {})))

    def surfaces_of(self, engine: str) -> tuple[str, ...]:
        """The surfaces one engine is asked on: ``engine_surfaces``, else ``surfaces``.

        Args:
            engine: One of the panel's engines.

        Returns:
            ``("api",)``, ``("app",)`` or ``("api", "app")``.
        """
        return self.engine_surfaces.get(engine, self.surfaces)

    @property
    def task_keys(self) -> list[tuple[int, str, str, int]]:
        """Every task of a run of this panel: ``(prompt_index, engine, surface, sample)``."""
        return [
            (p_index, engine, surface, sample)
            for p_index in range(len(self.prompts))
            for engine in self.engines
            for surface in self.surfaces_of(engine)
            for sample in range(self.samples)
        ]

    @property
    def brands(self) -> tuple[Brand, ...]:
        """The brand first, then the competitors."""
        return (self.brand, *self.competitors)

    def task_settings(self, engine: str) -> dict[str, Any]:
        """The settings sent to one engine: ``settings`` then ``engine_settings[engine]``.

        Args:
            engine: One of the panel's engines.

        Returns:
            Setting name -> value (``model_name`` and ``tag`` not included).
        """
        values = dict(self.settings)
        if "web_search" not in engine_spec(engine).fields:
            values.pop("web_search", None)
        values.update(self.engine_settings.get(engine, {}))
        return values

    def _check_engine(self, engine: str, model: str) -> None:
        values = self.task_settings(engine)
        try:
            validate_settings(engine_spec(engine), TaskSettings(model_name=model, **values))
        except DataForSEOInputError as error:
            name = error.field
            if name == "model_name":
                dotted = f"engines.{engine}"
            elif name in self.engine_settings.get(engine, {}):
                dotted = f"engine_settings.{engine}.{name}"
            elif name in values:
                dotted = f"settings.{name}"
            else:
                dotted = name
            msg = f"{dotted} (engine {engine!r}, model {model!r}): {error}"
            raise DataForSEOInputError(
                msg, field=dotted, limit=error.limit, actual=error.actual
            ) from error

    def to_dict(self) -> dict[str, Any]:
        """The panel as plain data in the panel file's shape (what the store keeps)."""
        out: dict[str, Any] = {
            "name": self.name,
            "prompts": list(self.prompts),
            "brand": self.brand.to_dict(),
            "competitors": [c.to_dict() for c in self.competitors],
            "engines": dict(self.engines),
            "samples": self.samples,
            "settings": dict(self.settings),
        }
        if self.engine_settings:
            out["engine_settings"] = {k: dict(v) for k, v in self.engine_settings.items()}
        # written only when set, so that a panel without them keeps the shape (and the
        # stored JSON) it had before surfaces existed
        if self.surfaces != DEFAULT_SURFACES:
            out["surfaces"] = list(self.surfaces)
        if self.engine_surfaces:
            out["engine_surfaces"] = {k: list(v) for k, v in self.engine_surfaces.items()}
        if self.app_settings:
            out["app_settings"] = dict(self.app_settings)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Panel:
        """Build a panel from plain data (the panel file's shape).

        Args:
            data: The mapping.

        Returns:
            The panel.

        Raises:
            DataForSEOInputError: For unknown keys, missing keys or invalid values.
        """
        if not isinstance(data, Mapping):
            _fail("a panel must be a table / object at the top level.", "panel", actual=data)
        for key in data:
            if key not in _PANEL_KEYS:
                _fail(
                    f"{key} is not a panel field; a panel has {', '.join(_PANEL_KEYS)}.",
                    str(key),
                    _PANEL_KEYS,
                    key,
                )
        for key in ("name", "prompts", "brand", "engines"):
            if key not in data:
                _fail(f"{key} is missing; a panel needs name, prompts, brand and engines.", key)
        settings = data.get("settings", {})
        if not isinstance(settings, Mapping):
            _fail("settings must be a table.", "settings", actual=settings)
        competitors = data.get("competitors", ())
        return cls(
            data["name"],
            data["prompts"],
            data["brand"],
            competitors,
            data["engines"],
            data.get("samples", 3),
            engine_settings=data.get("engine_settings"),
            surfaces=data.get("surfaces", DEFAULT_SURFACES),
            engine_surfaces=data.get("engine_surfaces"),
            app_settings=data.get("app_settings"),
            **dict(settings),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Panel:
        """Read a panel file: TOML (``.toml``) or JSON (any other suffix).

        Args:
            path: The file.

        Returns:
            The panel.

        Raises:
            PanelFileError: Naming the file, the line (from the parser for a syntax error,
                else the line of the offending key when it can be found) and the field.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise PanelFileError(
                f"cannot read the panel file: {error.strerror or error}", path=file, field="file"
            ) from error
        toml = file.suffix.lower() == ".toml"
        try:
            data: Any = tomllib.loads(text) if toml else json.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            line = getattr(error, "lineno", None) or (int(found.group(1)) if found else None)
            raise PanelFileError(
                f"invalid TOML: {error}", path=file, field="file", line=line
            ) from error
        except json.JSONDecodeError as error:
            raise PanelFileError(
                f"invalid JSON: {error.msg} (column {error.colno})",
                path=file,
                field="file",
                line=error.lineno,
            ) from error
        try:
            return cls.from_dict(data)
        except DataForSEOInputError as error:
            raise PanelFileError(
                str(error),
                path=file,
                field=error.field,
                line=field_line(text, error.field, toml=toml),
                limit=error.limit,
                actual=error.actual,
            ) from error


def _prompts(prompts: object) -> tuple[str, ...]:
    values = _strings(prompts, "prompts")
    if not values:
        _fail("prompts is empty; a panel needs at least one prompt.", "prompts", ">= 1", 0)
    seen: dict[str, int] = {}
    for index, prompt in enumerate(values):
        if len(prompt) > MAX_PROMPT_CHARS:
            _fail(
                f"prompts[{index}] is {len(prompt)} characters; the API's user_prompt takes "
                f"at most {MAX_PROMPT_CHARS}.",
                f"prompts[{index}]",
                MAX_PROMPT_CHARS,
                len(prompt),
            )
        if prompt in seen:
            _fail(
                f"prompts[{index}] repeats prompts[{seen[prompt]}]; use samples for repeats.",
                f"prompts[{index}]",
                "unique",
                prompt,
            )
        seen[prompt] = index
    return values


def _engines(engines: Mapping[str, str] | None) -> dict[str, str]:
    if not isinstance(engines, Mapping) or not engines:
        _fail(
            f"engines must map at least one engine ({', '.join(ENGINES)}) to a model.",
            "engines",
            ENGINES,
            engines,
        )
    out = {}
    for engine, model in engines.items():
        if engine not in ENGINES:
            _fail(
                f"engines.{engine}: {engine!r} is not one of {', '.join(ENGINES)}.",
                f"engines.{engine}",
                ENGINES,
                engine,
            )
        if not isinstance(model, str) or not model.strip():
            _fail(
                f"engines.{engine} must be a model name such as 'gpt-4.1-mini', got {model!r}.",
                f"engines.{engine}",
                "model name",
                model,
            )
        out[engine] = model
    return out


def _settings(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key not in PANEL_SETTINGS:
            _fail(
                f"{where}.{key} is not a task setting; a panel takes {', '.join(PANEL_SETTINGS)}.",
                f"{where}.{key}",
                PANEL_SETTINGS,
                key,
            )
        if value is not None:
            out[key] = value
    return out


def _check_unique_brands(brands: Sequence[Brand]) -> None:
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
                _fail(
                    f"{where}.{label}={text!r} is already a name of {owner}; a name or alias "
                    "must belong to one brand only (case-insensitive).",
                    f"{where}.{label}",
                    "unique",
                    text,
                )
            seen[key] = where


def field_line(text: str, dotted: str, *, toml: bool) -> int | None:
    """Best-effort line (1-based) of a dotted field in a TOML or JSON text.

    Each part of the path is searched for as a key (``key =`` or a ``[table]`` header in
    TOML, ``"key":`` in JSON) after the line of the previous part. A list index picks the
    matching ``[[table]]`` header in TOML, and the matching occurrence of the next key in
    JSON (``competitors[1].domains`` is the second ``"domains"`` after ``"competitors"``).

    Args:
        text: The file's text.
        dotted: The field, e.g. ``engines.chat_gpt`` or ``competitors[1].domains[0]``.
        toml: Whether the text is TOML.

    Returns:
        The line of the deepest part found, or ``None``.
    """
    parts = [(m.group(1), m.group(2)) for m in re.finditer(r"([^.\[\]]+)(?:\[(\d+)\])?", dotted)]
    lines = text.splitlines()
    start, found, carry = 0, None, 1
    for key, index in parts:
        name = re.escape(key)
        occurrence, carry_next = carry, 1
        if toml:
            header = re.compile(rf"^\s*\[\[\s*(?:[\w.-]+\.)?{name}\s*\]\]")
            if index is not None and any(header.search(line) for line in lines[start:]):
                pattern = header
                occurrence = int(index) + 1
            else:
                pattern = re.compile(
                    rf"^\s*(?:{name}\s*=|\[\s*(?:[\w.-]+\.)?{name}(?:\.[\w.-]+)?\s*\])"
                    rf"|[{{,]\s*{name}\s*="
                )
        else:
            pattern = re.compile(rf'"{name}"\s*:')
            if index is not None:
                carry_next = int(index) + 1
        seen = 0
        for number in range(start, len(lines)):
            if pattern.search(lines[number]):
                seen += 1
                if seen == occurrence:
                    found, start = number + 1, number
                    break
        else:
            break
        carry = carry_next
    return found
