"""Panels: the brand, its competitors, the prompts and the engines to measure.

:class:`Brand` and :class:`Panel` are frozen pydantic models, validated on creation: types,
lengths and counts by pydantic (``StrictStr``, ``StrictInt``, ``max_length``...), the
panel's own rules by its validators (engines come from the package's engine table, task
settings are checked with the same rules ``ChatDataForSEO`` applies (``validate_settings``),
prompts are unique, a name belongs to one brand). Whatever refuses a value, the error is a
:class:`DataForSEOInputError` naming the field (``competitors[1].domains[0]``), the limit
and the actual value (:func:`input_error` turns pydantic's ``ValidationError`` into it).

Every size a panel sets is bounded (the ``MAX_*`` constants), and the run's task count is
a product checked before any task is built: a panel of ``samples = 1000000000`` is refused
when it is read instead of expanding a billion tasks. The bounds leave room for real work:
a run may hold two million tasks.

:class:`TaskKeys` is a run's task keys as a lazy sequence: constant memory, whatever the
task count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Final, NoReturn, cast, overload

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from langchain_dataforseo._api.fields import ENGINES, MAX_PROMPT_CHARS, engine_spec
from langchain_dataforseo._api.request import SETTING_NAMES, TaskSettings, validate_settings
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._errors import PanelFileError
from langchain_dataforseo.visibility._matching import normalise_host
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

__all__ = ["PANEL_SETTINGS", "Brand", "Panel", "TaskKeys", "field_line"]

TaskKey = tuple[int, str, str, int]
"""One task of a run: ``(prompt_index, engine, surface, sample)``."""


class TaskKeys(Sequence[TaskKey]):
    """A run's tasks, ``(prompt_index, engine, surface, sample)``, computed on demand.

    A sequence of constant size in memory, whatever the task count: ``len`` is a product,
    iteration yields one key at a time, and ``keys[i]`` is computed from ``i``. The order is
    by prompt, then engine (the panel's order), then surface, then sample.

    Args:
        prompts: The number of prompts.
        pairs: The ``(engine, surface)`` pairs, in order.
        samples: Samples per prompt and pair.
    """

    def __init__(self, prompts: int, pairs: Sequence[tuple[str, str]], samples: int) -> None:
        self._prompts = prompts
        self._pairs = tuple(pairs)
        self._samples = samples

    def __len__(self) -> int:
        return self._prompts * len(self._pairs) * self._samples

    def __iter__(self) -> Iterator[TaskKey]:
        for p_index in range(self._prompts):
            for engine, surface in self._pairs:
                for sample in range(self._samples):
                    yield (p_index, engine, surface, sample)

    @overload
    def __getitem__(self, index: int) -> TaskKey: ...

    @overload
    def __getitem__(self, index: slice) -> list[TaskKey]: ...

    def __getitem__(self, index: int | slice) -> TaskKey | list[TaskKey]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("task key index out of range")
        rest, sample = divmod(index, self._samples)
        p_index, pair = divmod(rest, len(self._pairs))
        engine, surface = self._pairs[pair]
        return (p_index, engine, surface, sample)


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

_HOST: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")


# -- errors: pydantic's, and the panel's own rules, as DataForSEOInputError -------------------


def fail(message: str, field: str, limit: object = None, actual: object = None) -> NoReturn:
    """Refuse a value: ``field`` relative to the model the validator belongs to."""
    raise DataForSEOInputError(message, field=field, limit=limit, actual=actual)


def _short(value: object) -> str:
    """A value for an error message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _dotted(loc: Sequence[int | str]) -> str:
    """``("competitors", 1, "domains", 0)`` as ``competitors[1].domains[0]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _described(detail: ErrorDetails) -> DataForSEOInputError:
    """One of pydantic's own errors (a type, a length, a key) as the package's input error."""
    loc = detail["loc"]
    field, kind, value = _dotted(loc), detail["type"], detail["input"]
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    if kind in ("string_type", "blank"):
        msg = f"{field} must be a non-blank string, got {_short(value)}."
        return DataForSEOInputError(msg, field=field, limit="non-blank string", actual=value)
    if kind == "string_too_long":
        limit = ctx["max_length"]
        msg = f"{field} is {len(value):,} characters ({_short(value)}); the limit is {limit:,}."
        return DataForSEOInputError(msg, field=field, limit=limit, actual=len(value))
    if kind == "too_long":
        limit, count = ctx["max_length"], ctx.get("actual_length") or len(value)
        msg = f"{field} has {count:,} items; a panel takes at most {limit:,}."
        return DataForSEOInputError(msg, field=field, limit=limit, actual=count)
    if kind == "too_short":
        msg = f"{field} is empty; a panel needs at least {ctx['min_length']} of them."
        return DataForSEOInputError(msg, field=field, limit=f">= {ctx['min_length']}", actual=0)
    if kind in ("int_type", "greater_than_equal"):
        least = ctx.get("ge", 1)
        msg = f"{field} must be an integer >= {least}, got {value!r}."
        return DataForSEOInputError(msg, field=field, limit=f">= {least}", actual=value)
    if kind == "less_than_equal":
        limit = ctx["le"]
        msg = f"{field} is {value:,}; a panel takes at most {limit:,}."
        return DataForSEOInputError(msg, field=field, limit=limit, actual=value)
    if kind == "domain":
        msg = f"{field}={value!r} is not a domain name such as 'hubspot.com' (no scheme, no path)."
        return DataForSEOInputError(msg, field=field, limit="a domain name", actual=value)
    if kind in ("tuple_type", "list_type"):
        msg = f"{field} must be a list, got {_short(value)}."
        return DataForSEOInputError(msg, field=field, limit="list", actual=value)
    if kind in ("dict_type", "mapping_type", "model_type", "model_attributes_type"):
        msg = f"{field} must be a table, got {_short(value)}."
        return DataForSEOInputError(msg, field=field, limit="table", actual=value)
    return DataForSEOInputError(f"{field}: {detail['msg']}.", field=field, actual=value)


def input_error(error: ValidationError) -> DataForSEOInputError:
    """The first problem pydantic found, as a :class:`DataForSEOInputError`.

    A rule of the panel's own (a validator raising :class:`DataForSEOInputError`, naming
    its field in full) is raised as it is; pydantic's own errors are described from their
    location and type.
    """
    detail = error.errors(include_url=False)[0]
    original = (detail.get("ctx") or {}).get("error")
    if isinstance(original, DataForSEOInputError):
        return original
    return _described(detail)


def _validated(init: Callable[..., None], **values: Any) -> None:
    """Run a model's pydantic ``__init__``; its ``ValidationError`` as the package's error."""
    try:
        init(**values)
    except ValidationError as error:
        raise input_error(error) from None


def _non_blank(text: str) -> str:
    """Refuse a blank string (pydantic's error type ``blank``)."""
    if not text.strip():
        raise PydanticCustomError("blank", "must be a non-blank string")
    return text


def _domain(text: str) -> str:
    """A brand's domain, normalised (``WWW.Zoho.com`` -> ``zoho.com``); refused if not a host."""
    host = normalise_host(text)
    if not _HOST.fullmatch(host):
        raise PydanticCustomError("domain", "not a domain name")
    return host


Name = Annotated[StrictStr, AfterValidator(_non_blank), Field(max_length=MAX_NAME_CHARS)]
"""A panel's, a brand's or an alias's name: non-blank, at most 200 characters."""
Domain = Annotated[
    StrictStr,
    AfterValidator(_non_blank),
    Field(max_length=MAX_DOMAIN_CHARS),
    AfterValidator(_domain),
]
Prompt = Annotated[StrictStr, AfterValidator(_non_blank), Field(max_length=MAX_PROMPT_CHARS)]


class _Frozen(BaseModel):
    """A frozen model refusing unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse, as a frozen dataclass does (``AttributeError``, not a validation error)."""
        msg = f"cannot assign to field {name!r}: a {type(self).__name__} is immutable"
        raise AttributeError(msg)

    def __delattr__(self, name: str) -> None:
        """Refuse, as a frozen dataclass does."""
        msg = f"cannot delete field {name!r}: a {type(self).__name__} is immutable"
        raise AttributeError(msg)


# -- brands -----------------------------------------------------------------------------------


class Brand(_Frozen):
    """A tracked brand: how answers name it and which domains are its own.

    Args:
        name: The brand's name, as reports show it (matched in answers too).
        aliases: Other names answers may use (``"HubSpot CRM"``); matched like the name.
        domains: The brand's domains (``"hubspot.com"``); their subdomains count too.

    Raises:
        DataForSEOInputError: For a blank name, a blank alias or a malformed domain, or one
            past its bound: a name or alias of more than 200 characters, more than 50
            aliases, more than 100 domains, a domain of more than 253 characters.
    """

    name: Name
    aliases: tuple[Name, ...] = Field(default=(), max_length=MAX_ALIASES)
    domains: tuple[Domain, ...] = Field(default=(), max_length=MAX_DOMAINS)

    def __init__(self, name: str, aliases: Sequence[str] = (), domains: Sequence[str] = ()) -> None:
        """Validate the brand (see the class docstring)."""
        _validated(super().__init__, name=name, aliases=aliases, domains=domains)

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the aliases."""
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        """The brand as plain data (the panel file's shape)."""
        return {"name": self.name, "aliases": list(self.aliases), "domains": list(self.domains)}


_BRAND_KEYS: Final = ("name", "aliases", "domains")


def as_brand(value: object, where: str) -> Brand:
    """A brand from a Brand, a name or a mapping; errors name ``where`` (``competitors[1]``)."""
    try:
        if isinstance(value, Brand):
            return value
        if isinstance(value, str):
            return Brand(value)
        if isinstance(value, Mapping):
            for key in value:
                if key not in _BRAND_KEYS:
                    fail(
                        f"{key} is not a brand field; a brand has {', '.join(_BRAND_KEYS)}.",
                        str(key),
                        _BRAND_KEYS,
                        key,
                    )
            if "name" not in value:
                fail("name is missing.", "name")
            return Brand(value["name"], value.get("aliases", ()), value.get("domains", ()))
    except DataForSEOInputError as error:
        raise DataForSEOInputError(
            f"{where}.{error}",
            field=f"{where}.{error.field}",
            limit=error.limit,
            actual=error.actual,
        ) from error
    fail(f"{where} must be a brand table (name, aliases, domains).", where, actual=value)


# -- panels -----------------------------------------------------------------------------------

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


def _check_settings(values: object, where: str) -> MappingProxyType[str, Any]:
    """Task settings a panel may set, ``None`` values dropped; errors name ``where.key``."""
    if not isinstance(values, Mapping):
        fail(f"{where} must be a table.", where, "table", values)
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
    return MappingProxyType(out)


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


class Panel(_Frozen):
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
            ``MAX_*`` constants of this module), the run's task count too: prompts x
            (engines x their surfaces) x samples at most 2,000,000 (field ``tasks``),
            checked before any task is built.
    """

    name: Name
    prompts: tuple[Prompt, ...] = Field(min_length=1, max_length=MAX_PROMPTS)
    brand: Brand
    competitors: tuple[Brand, ...] = ()
    engines: Mapping[str, str]
    samples: StrictInt = Field(default=3, ge=1, le=MAX_SAMPLES)
    settings: Mapping[str, Any] = MappingProxyType({})
    engine_settings: Mapping[str, Mapping[str, Any]] = MappingProxyType({})
    surfaces: tuple[str, ...] = DEFAULT_SURFACES
    engine_surfaces: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    app_settings: Mapping[str, Any] = MappingProxyType({})

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
        """Validate the panel (see the class docstring)."""
        _validated(
            super().__init__,
            name=name,
            prompts=prompts,
            brand=brand,
            competitors=competitors,
            engines=engines,
            samples=samples,
            settings=settings,
            engine_settings=engine_settings or {},
            surfaces=surfaces,
            engine_surfaces=engine_surfaces or {},
            app_settings=app_settings or {},
        )

    # -- field rules (each field alone; errors name fields relative to the panel) ------------

    @field_validator("prompts", mode="before")
    @classmethod
    def _prompts_are_a_list(cls, value: object) -> object:
        """Refuse a single string where a list of prompts belongs."""
        if isinstance(value, str) or not isinstance(value, Sequence):
            fail(
                f"prompts must be a list of strings, got {_short(value)}.",
                "prompts",
                "list of strings",
                value,
            )
        return value

    @field_validator("prompts")
    @classmethod
    def _unique_prompts(cls, prompts: tuple[str, ...]) -> tuple[str, ...]:
        """A prompt asked twice is a sample: refused."""
        seen: dict[str, int] = {}
        for index, prompt in enumerate(prompts):
            if prompt in seen:
                fail(
                    f"prompts[{index}] repeats prompts[{seen[prompt]}]; use samples for repeats.",
                    f"prompts[{index}]",
                    "unique",
                    prompt,
                )
            seen[prompt] = index
        return prompts

    @field_validator("brand", mode="before")
    @classmethod
    def _brand(cls, value: object) -> Brand:
        """The brand, given as a Brand, a name or a mapping."""
        return as_brand(value, "brand")

    @field_validator("competitors", mode="before")
    @classmethod
    def _competitors(cls, value: object) -> tuple[Brand, ...]:
        """Competitors given by their names; a single brand where a list belongs refused."""
        if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
            fail("competitors must be a list of brands.", "competitors", actual=value)
        if len(value) > MAX_COMPETITORS:  # counted before any is looked at
            fail(
                f"competitors has {len(value):,} items; a panel takes at most {MAX_COMPETITORS:,}.",
                "competitors",
                MAX_COMPETITORS,
                len(value),
            )
        return tuple(as_brand(item, f"competitors[{i}]") for i, item in enumerate(value))

    @field_validator("engines", mode="plain")
    @classmethod
    def _engines(cls, engines: object) -> MappingProxyType[str, str]:
        """Engine -> model: known engines, non-blank model names of at most 200 characters."""
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
            if len(model) > MAX_MODEL_CHARS:
                fail(
                    f"engines.{engine} is {len(model):,} characters ({_short(model)}); the "
                    f"limit is {MAX_MODEL_CHARS:,}.",
                    f"engines.{engine}",
                    MAX_MODEL_CHARS,
                    len(model),
                )
            out[engine] = model
        return MappingProxyType(out)

    @field_validator("settings", mode="plain")
    @classmethod
    def _settings(cls, values: object) -> MappingProxyType[str, Any]:
        """Task settings for every engine."""
        return _check_settings(values, "settings")

    @field_validator("engine_settings", mode="plain")
    @classmethod
    def _engine_settings(cls, values: object) -> MappingProxyType[str, Mapping[str, Any]]:
        """Engine -> its own task settings (the engines are checked with the panel)."""
        if not isinstance(values, Mapping):
            fail("engine_settings must be a table.", "engine_settings", "table", values)
        return MappingProxyType(
            {
                engine: _check_settings(table, f"engine_settings.{engine}")
                for engine, table in values.items()
            }
        )

    @field_validator("surfaces", mode="plain")
    @classmethod
    def _surfaces(cls, value: object) -> tuple[str, ...]:
        """Some of ``api``, ``app``, each once."""
        return check_surfaces(value, "surfaces")

    @field_validator("engine_surfaces", mode="plain")
    @classmethod
    def _engine_surfaces(cls, value: object) -> MappingProxyType[str, tuple[str, ...]]:
        """Engine -> its surfaces (the engines are checked with the panel)."""
        if not isinstance(value, Mapping):
            fail("engine_surfaces must be a table.", "engine_surfaces", actual=value)
        return MappingProxyType(
            {e: check_surfaces(v, f"engine_surfaces.{e}") for e, v in value.items()}
        )

    @field_validator("app_settings", mode="plain")
    @classmethod
    def _app_settings(cls, value: object) -> MappingProxyType[str, Any]:
        """The LLM Scraper's settings."""
        return MappingProxyType(check_app_settings(cast("Mapping[str, Any]", value)))

    # -- the panel's rules (between fields, in this order) ----------------------------------

    @model_validator(mode="after")
    def _whole(self) -> Panel:
        """Brands apart, per-engine tables of known engines, the task count, each engine."""
        _unique_brands(self.brands)
        for table in ("engine_settings", "engine_surfaces"):
            for engine in getattr(self, table):
                if engine not in self.engines:
                    fail(
                        f"{table}.{engine}: engine {engine!r} is not in engines "
                        f"({', '.join(self.engines)}).",
                        f"{table}.{engine}",
                        tuple(self.engines),
                        engine,
                    )
        for engine in self.engines:
            if APP in self.surfaces_of(engine):
                where = (
                    f"engine_surfaces.{engine}" if engine in self.engine_surfaces else "surfaces"
                )
                check_app_engine(engine, where)
        pairs = sum(len(self.surfaces_of(engine)) for engine in self.engines)
        check_task_count(len(self.prompts), pairs, self.samples)  # before any is built
        for engine, model in self.engines.items():
            if API in self.surfaces_of(engine):
                self._check_engine(engine, model)
            if APP in self.surfaces_of(engine):
                for prompt in self.prompts:  # every task as the LLM Scraper would get it
                    app_task(engine, prompt, self.app_settings)
        return self

    def _check_engine(self, engine: str, model: str) -> None:
        """The engine's settings, checked as ``ChatDataForSEO`` checks them."""
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

    # -- reading ----------------------------------------------------------------------------

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
        return cls(
            data["name"],
            data["prompts"],
            data["brand"],
            data.get("competitors", ()),
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


def _unique_brands(brands: Sequence[Brand]) -> None:
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
