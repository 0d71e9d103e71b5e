"""Panels: the brand, its competitors, the prompts and the engines to measure.

:class:`Brand` and :class:`Panel` are immutable and validated on creation: engines come from
the package's engine table, task settings are checked with the same rules ``ChatDataForSEO``
applies (``validate_settings``), prompts are non-empty and within the API's 500 characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import TaskSettings, validate_settings
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._brand import Brand, as_brand
from langchain_dataforseo.visibility._errors import PanelFileError
from langchain_dataforseo.visibility._panel_checks import (
    MAX_COMPETITORS,
    MAX_NAME_CHARS,
    PANEL_SETTINGS,
    check_chars,
    check_count,
    check_engines,
    check_prompts,
    check_samples,
    check_settings,
    check_task_count,
    check_unique_brands,
    fail,
)
from langchain_dataforseo.visibility._panel_file import field_line, read_panel_data
from langchain_dataforseo.visibility._surfaces import (
    API,
    APP,
    DEFAULT_SURFACES,
    app_task,
    check_app_engine,
    check_app_settings,
    check_surfaces,
)
from langchain_dataforseo.visibility._task_keys import TaskKeys

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


__all__ = ["PANEL_SETTINGS", "Brand", "Panel", "TaskKeys", "field_line"]


@dataclass(frozen=True, init=False)
class Panel:
    """A visibility panel: prompts asked to several engines, several samples each.

    Args:
        name: The panel's name (at most 200 characters).
        prompts: The prompts (each 1 to 500 characters, no duplicates; at most 100,000).
        brand: The brand measured (a :class:`Brand`, a name or a mapping).
        competitors: The competitors measured alongside (at most 100).
        engines: Engine -> model, e.g. ``{"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"}``.
        samples: Answers collected per (prompt, engine); 1 to 10,000 (5 or more is
            advised: answers vary from call to call).
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
            ``settings.temperature``...), the limit and the value. Sizes are bounded (the
            ``MAX_*`` constants of ``_panel_checks``), the run's task count too: prompts x
            (engines x their surfaces) x samples at most 2,000,000 (field ``tasks``),
            checked before any task is built.
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
            fail("name must be a non-blank string.", "name", actual=name)
        check_chars(name, "name", MAX_NAME_CHARS)
        set_(self, "name", name)
        set_(self, "prompts", check_prompts(prompts))
        set_(self, "brand", as_brand(brand, "brand"))
        if isinstance(competitors, (str, Mapping)) or not isinstance(competitors, Sequence):
            fail("competitors must be a list of brands.", "competitors", actual=competitors)
        check_count(competitors, "competitors", MAX_COMPETITORS)
        set_(
            self,
            "competitors",
            tuple(as_brand(c, f"competitors[{i}]") for i, c in enumerate(competitors)),
        )
        check_unique_brands(self.brands)
        set_(self, "samples", check_samples(samples))
        set_(self, "engines", MappingProxyType(check_engines(engines)))
        set_(self, "settings", MappingProxyType(check_settings(settings, "settings")))
        overrides = {}
        for engine, values in (engine_settings or {}).items():
            if engine not in self.engines:
                fail(
                    f"engine_settings.{engine}: engine {engine!r} is not in engines "
                    f"({', '.join(self.engines)}).",
                    f"engine_settings.{engine}",
                    tuple(self.engines),
                    engine,
                )
            if not isinstance(values, Mapping):
                fail(f"engine_settings.{engine} must be a table.", f"engine_settings.{engine}")
            overrides[engine] = MappingProxyType(
                check_settings(values, f"engine_settings.{engine}")
            )
        set_(self, "engine_settings", MappingProxyType(overrides))
        self._set_surfaces(surfaces, engine_surfaces, app_settings)
        pairs = sum(len(self.surfaces_of(engine)) for engine in self.engines)
        check_task_count(len(self.prompts), pairs, self.samples)  # before any is built
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
            fail("engine_surfaces must be a table.", "engine_surfaces", actual=engine_surfaces)
        for engine, values in (engine_surfaces or {}).items():
            if engine not in self.engines:
                fail(
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
    def task_keys(self) -> TaskKeys:
        """Every task of a run of this panel: ``(prompt_index, engine, surface, sample)``.

        A lazy sequence (:class:`TaskKeys`): ``len`` costs nothing and iterating holds one
        key at a time, so a panel of a million tasks takes no more memory than one of ten.
        """
        pairs = [(e, surface) for e in self.engines for surface in self.surfaces_of(e)]
        return TaskKeys(len(self.prompts), pairs, self.samples)

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
            fail("a panel must be a table / object at the top level.", "panel", actual=data)
        for key in data:
            if key not in _PANEL_KEYS:
                fail(
                    f"{key} is not a panel field; a panel has {', '.join(_PANEL_KEYS)}.",
                    str(key),
                    _PANEL_KEYS,
                    key,
                )
        for key in ("name", "prompts", "brand", "engines"):
            if key not in data:
                fail(f"{key} is missing; a panel needs name, prompts, brand and engines.", key)
        settings = data.get("settings", {})
        if not isinstance(settings, Mapping):
            fail("settings must be a table.", "settings", actual=settings)
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
        """Read a panel file: TOML (``.toml``) or JSON (any other suffix), in UTF-8.

        Args:
            path: The file.

        Returns:
            The panel.

        Raises:
            PanelFileError: Naming the file, the line (from the parser for a syntax error,
                else the line of the offending key when it can be found) and the field.
        """
        file = Path(path)
        text, toml, data = read_panel_data(file)
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
