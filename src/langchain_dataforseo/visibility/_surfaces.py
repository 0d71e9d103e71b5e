"""Surfaces of a panel: the engines' APIs (``api``) and the apps people use (``app``).

- ``api``: DataForSEO's LLM Responses API (``ChatDataForSEO``): the engines' APIs.
- ``app``: DataForSEO's LLM Scraper: what a person sees in the ChatGPT or Gemini app.
  Only ``chat_gpt`` and ``gemini`` have it.

Pure checks, used by :class:`~langchain_dataforseo.visibility.Panel` when it is built: each
refusal is a :class:`DataForSEOInputError` naming the field, the allowed values and the
actual one. App-surface tasks are checked with the LLM Scraper's own ``build_task``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.scraper._request import (
    SCRAPER_ENGINES,
    ScraperMethod,
    ScraperRequest,
    build_task,
)

API: Final = "api"
APP: Final = "app"
SURFACES: Final = (API, APP)
"""The surfaces, in the order reports show them."""
DEFAULT_SURFACES: Final = (API,)
APP_SETTINGS: Final = (
    "location_name",
    "location_code",
    "location_coordinate",
    "language_name",
    "language_code",
    "force_web_search",
)
"""App-surface settings a panel may set (the LLM Scraper's request fields)."""
APP_MODEL: Final = "llm_scraper"
"""The ``model`` recorded for app-surface tasks (the app picks its model; the answer names it)."""


def _fail(message: str, field: str, limit: object, actual: object) -> DataForSEOInputError:
    return DataForSEOInputError(message, field=field, limit=limit, actual=actual)


def check_surfaces(value: object, field: str) -> tuple[str, ...]:
    """A surfaces setting as a tuple: some of ``api``, ``app``, each once.

    Args:
        value: The setting (a list of names; a single name is accepted too).
        field: Its name in errors (``surfaces``, ``engine_surfaces.gemini``).

    Returns:
        The surfaces, in :data:`SURFACES` order.

    Raises:
        DataForSEOInputError: For an empty list, an unknown or repeated surface.
    """
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not items:
        msg = f"{field} must list one or both of {', '.join(SURFACES)}, got {value!r}."
        raise _fail(msg, field, SURFACES, value)
    seen: list[str] = []
    for index, item in enumerate(items):
        where = field if isinstance(value, str) else f"{field}[{index}]"
        if item not in SURFACES:
            msg = (
                f"{where}={item!r} is not a surface; surfaces are 'api' (LLM Responses: the "
                "engines' APIs) and 'app' (LLM Scraper: the ChatGPT and Gemini apps)."
            )
            raise _fail(msg, where, SURFACES, item)
        if item in seen:
            raise _fail(f"{where}={item!r} is repeated.", where, "unique", item)
        seen.append(item)
    return tuple(s for s in SURFACES if s in seen)


def check_app_engine(engine: str, field: str) -> None:
    """Refuse the app surface for an engine the LLM Scraper does not serve.

    Args:
        engine: The engine.
        field: The setting that asked for it (``surfaces`` or ``engine_surfaces.claude``).

    Raises:
        DataForSEOInputError: Naming the field, the engines allowed and the engine.
    """
    if engine not in SCRAPER_ENGINES:
        msg = (
            f"{field} asks for the 'app' surface on engine {engine!r}; the app surface (LLM "
            f"Scraper) exists only for {', '.join(SCRAPER_ENGINES)}. Give {engine} only the "
            f"'api' surface (engine_surfaces.{engine} = [\"api\"])."
        )
        raise _fail(msg, field, SCRAPER_ENGINES, engine)


def check_app_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The app settings without ``None`` values; unknown names refused.

    Args:
        values: The ``app_settings`` table.

    Returns:
        The settings.

    Raises:
        DataForSEOInputError: For a name that is not an app setting.
    """
    if not isinstance(values, Mapping):
        raise _fail("app_settings must be a table.", "app_settings", "table", values)
    out = {}
    for key, value in values.items():
        if key not in APP_SETTINGS:
            msg = (
                f"app_settings.{key} is not an app-surface setting; the app surface takes "
                f"{', '.join(APP_SETTINGS)}."
            )
            raise _fail(msg, f"app_settings.{key}", APP_SETTINGS, key)
        if value is not None:
            out[key] = value
    return out


def app_request(
    engine: str, prompt: str, settings: Mapping[str, Any], tag: str | None = None
) -> ScraperRequest:
    """The LLM Scraper request of one app-surface task.

    The location defaults to ``location_code`` 2840 (United States) and the language to
    ``language_code`` ``"en"`` when none is set, as the LLM Scraper loader does;
    ``force_web_search`` is a ChatGPT switch and is not sent to Gemini.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        prompt: The prompt, typed as the keyword.
        settings: The panel's app settings.
        tag: The task's tag.

    Returns:
        The request.
    """
    values = dict(settings)
    if engine != "chat_gpt":
        values.pop("force_web_search", None)
    if not any(k in values for k in ("location_name", "location_code", "location_coordinate")):
        values["location_code"] = 2840
    if not any(k in values for k in ("language_name", "language_code")):
        values["language_code"] = "en"
    return ScraperRequest(prompt, tag=tag, **values)


def app_task(
    engine: str,
    prompt: str,
    settings: Mapping[str, Any],
    tag: str | None = None,
    method: ScraperMethod = "standard",
) -> dict[str, Any]:
    """The checked LLM Scraper task object of one app-surface task.

    Args:
        engine: ``chat_gpt`` or ``gemini``.
        prompt: The prompt.
        settings: The panel's app settings.
        tag: The task's tag.
        method: ``standard`` or ``live``.

    Returns:
        The task object (``build_task``'s).

    Raises:
        DataForSEOInputError: Naming ``app_settings.<field>`` (or the prompt) and the engine.
    """
    try:
        return build_task(engine, app_request(engine, prompt, settings, tag), method=method)
    except DataForSEOInputError as error:
        name = error.field or "app_settings"
        dotted = f"app_settings.{name}" if name in APP_SETTINGS else name
        msg = f"{dotted} (engine {engine!r}, app surface): {error}"
        raise _fail(msg, dotted, error.limit, error.actual) from error
