"""What a chat model checks before anything is sent: its own settings, the catalogue, costs.

Pure checks on the model's values (run when it is built), the one I/O step before a
request is built (fetching the engine's model catalogue, a free call, for model-aware
checks) and what one task reserves against the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any

from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._constants import LIVE_BASE_PRICE_USD
from langchain_dataforseo._cost_bounds import (
    STANDARD_PREPAID_USD,
    live_reservation,
    standard_reservation,
)
from langchain_dataforseo._engines import engine_spec
from langchain_dataforseo._request import check_model_settings
from langchain_dataforseo._settings import MODEL_FIELDS, TaskSettings
from langchain_dataforseo._warnings import warn
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInputWarning,
)


def check_method(engine: str, method: str) -> None:
    """Refuse the Standard method on an engine that has only the Live one.

    Args:
        engine: The model's engine.
        method: ``"live"`` or ``"standard"``.

    Raises:
        ValueError: ``method="standard"`` on such an engine (pydantic reports it).
    """
    if method == "standard" and not engine_spec(engine).has_standard:
        msg = (
            f"engine={engine!r} has only the Live method; method='standard' works "
            "for chat_gpt, claude and gemini."
        )
        raise ValueError(msg)


def check_settings(engine: str, defaults: Mapping[str, Any], written: Collection[str]) -> None:
    """The checks a model's task settings must pass whatever a call adds.

    Args:
        engine: The model's engine.
        defaults: The task settings as the model's fields set them.
        written: The keyword arguments the model was built with: an error names a
            setting as written there (``max_output_tokens=5`` or ``max_tokens=5``).

    Raises:
        DataForSEOInputError: An out-of-range or unsupported setting, named as written.
    """
    shown = {name: field for name, field in MODEL_FIELDS.items() if name not in written}
    check_model_settings(engine_spec(engine), TaskSettings(**defaults), shown)


def _floor(standard: bool) -> float:
    return STANDARD_PREPAID_USD if standard else LIVE_BASE_PRICE_USD


def check_max_cost_per_call(value: float | None, max_cost: float | None, method: str) -> None:
    """Refuse a ``max_cost_per_call`` that could never cover a call or never start one.

    Args:
        value: ``max_cost_per_call`` (``None``: the built-in estimate).
        max_cost: The model's budget.
        method: ``"live"`` or ``"standard"``.

    Raises:
        DataForSEOInputError: Below the known price of one task, or above ``max_cost``.
    """
    if value is None:
        return
    floor = _floor(method == "standard")
    if value < floor:
        msg = (
            f"max_cost_per_call=${value} is below the known price of one {method} "
            f"task (${floor}): it could never cover a call."
        )
        raise DataForSEOInputError(msg, field="max_cost_per_call", limit=floor, actual=value)
    if max_cost is not None and value > max_cost:
        msg = f"max_cost_per_call=${value} exceeds max_cost=${max_cost}: no call could start."
        raise DataForSEOInputError(msg, field="max_cost_per_call", limit=max_cost, actual=value)


def reservation(
    engine: str, task: Mapping[str, Any], max_cost_per_call: float | None, standard: bool
) -> float:
    """What one task reserves against the budget: the user's figure or the estimate.

    A Standard task never reserves less than its prepayment (a Live model may
    ``submit`` too).

    Args:
        engine: The engine.
        task: The task as it will be sent.
        max_cost_per_call: The user's figure, if any.
        standard: Whether the task goes by the Standard method.

    Returns:
        USD to reserve.
    """
    if max_cost_per_call is not None:
        return max(max_cost_per_call, _floor(standard))
    if standard:
        return standard_reservation(engine, task)
    return live_reservation(engine, task)


def _catalogue_failed(engine: str, error: DataForSEOError) -> None:
    warn(
        f"Could not fetch the {engine} model catalogue ({error}); checking the "
        "static engine rules only.",
        DataForSEOInputWarning,
    )


def records(
    engine: str, validate_model: bool, fetch: Callable[[], list[ModelRecord]]
) -> list[ModelRecord] | None:
    """The engine's model catalogue for model-aware checks, or ``None`` (then warned).

    Args:
        engine: The engine.
        validate_model: Whether the model checks calls against the catalogue.
        fetch: Fetches the catalogue (the client's ``list_models``), called only when
            validating.

    Returns:
        The records; ``None`` when not validating or when the catalogue cannot be had.

    Raises:
        DataForSEOAuthenticationError: Refused credentials (not a catalogue outage).
        DataForSEOInputError: A refused base URL.
    """
    if not validate_model:
        return None
    try:
        return fetch()
    except DataForSEOError as error:
        _without_catalogue(engine, error)
        return None


async def arecords(
    engine: str,
    validate_model: bool,
    fetch: Callable[[], Coroutine[Any, Any, list[ModelRecord]]],
) -> list[ModelRecord] | None:
    """Async :func:`records`.

    Args:
        engine: The engine.
        validate_model: Whether the model checks calls against the catalogue.
        fetch: As for :func:`records` (``alist_models``).

    Returns:
        The records, or ``None``.

    Raises:
        DataForSEOAuthenticationError: Refused credentials (not a catalogue outage).
        DataForSEOInputError: A refused base URL.
    """
    if not validate_model:
        return None
    try:
        return await fetch()
    except DataForSEOError as error:
        _without_catalogue(engine, error)
        return None


def _without_catalogue(engine: str, error: DataForSEOError) -> None:
    """A catalogue outage is warned and the checks go on without it; a refusal is raised."""
    if isinstance(error, (DataForSEOAuthenticationError, DataForSEOInputError)):
        raise error  # a refused base URL or credentials: not a catalogue outage
    _catalogue_failed(engine, error)
