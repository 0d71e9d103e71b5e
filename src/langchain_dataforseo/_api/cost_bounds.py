"""What one task can cost at most: the reservation that makes ``max_cost`` a real cap.

The API documents the base prices (Live $0.0006, Standard $0.0002 + a $0.01 prepayment)
but not a maximum for the provider's part (``money_spent``): it follows the provider's
token prices and web-search fees, and "if ``web_search`` is set to ``true`` or a
reasoning model is specified, the output token count may exceed ``max_output_tokens``".
So the provider's part is an ESTIMATE, from public list prices and the bounds below, all
pure and tested; ``max_cost_per_call`` replaces it when the user knows better
(:func:`reservation`, checked by :func:`check_max_cost_per_call`, shared by the chat model
and the panel run).

Estimate of one task's provider part, in USD::

    input_tokens  <= UTF-8 bytes of every text field + 64 per message + 256
                     (+ WEB_SEARCH_INPUT_TOKENS with web search)
    output_tokens <= max_output_tokens (default 2048), or OVERRUN_OUTPUT_TOKENS when the
                     output may exceed it (web search, reasoning)
    money_spent   <= input_tokens * price_in + output_tokens * price_out
                     (+ WEB_SEARCH_FEE_USD[engine] with web search)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo._api.fields import LIVE_BASE_PRICE_USD, STANDARD_BASE_PRICE_USD
from langchain_dataforseo.errors import DataForSEOBudgetError, DataForSEOError, DataForSEOInputError

STANDARD_PREPAID_USD: Final = round(STANDARD_BASE_PRICE_USD + 0.01, 7)
"""What ``task_post`` charges per created task before settlement ($0.0002 + $0.01)."""

DEFAULT_OUTPUT_TOKENS: Final = 2048
"""The API's default ``max_output_tokens``."""
OVERRUN_OUTPUT_TOKENS: Final = 16_384
"""Estimate: output tokens of an answer allowed to exceed ``max_output_tokens`` (web
search, reasoning), four times the API's 4096 maximum."""
WEB_SEARCH_INPUT_TOKENS: Final = 60_000
"""Estimate: input tokens that web-search results add (the API's example shows 2,113)."""
MESSAGE_OVERHEAD_TOKENS: Final = 64
"""Estimate: tokens of framing per message, on top of its text."""
REQUEST_OVERHEAD_TOKENS: Final = 256
"""Estimate: tokens of framing per request (the provider's own system prompt)."""
WEB_SEARCH_FEE_USD: Final[Mapping[str, float]] = {
    "chat_gpt": 0.075,  # up to 3 search calls at $25 / 1,000
    "claude": 0.05,  # up to 5 searches at $10 / 1,000
    "gemini": 0.035,  # one grounded prompt at $35 / 1,000
    "perplexity": 0.014,  # one request at up to $14 / 1,000 (sonar-pro, high context)
}
"""Estimate: the provider's web-search fee for one answer."""
MAX_PLAUSIBLE_TASK_COST_USD: Final = 50.0
"""A reported task cost above this is not believed: it is treated as a response error."""


@dataclass(frozen=True)
class Rates:
    """A model's list prices.

    Attributes:
        price_in: USD per million input tokens.
        price_out: USD per million output tokens (reasoning included).
        reasoning: Whether the model reasons on its own (output may exceed the limit).
    """

    price_in: float
    price_out: float
    reasoning: bool = False


RATES: Final[Mapping[str, tuple[tuple[str, Rates], ...]]] = {
    "chat_gpt": (
        ("gpt-4.1-nano", Rates(0.10, 0.40)),
        ("gpt-4.1-mini", Rates(0.40, 1.60)),
        ("gpt-4.1", Rates(2.00, 8.00)),
        ("gpt-4o-mini", Rates(0.15, 0.60)),
        ("gpt-4o", Rates(2.50, 10.00)),
        ("gpt-5-nano", Rates(0.05, 0.40, True)),
        ("gpt-5-mini", Rates(0.25, 2.00, True)),
        ("gpt-5", Rates(1.25, 10.00, True)),
        ("o1-pro", Rates(150.00, 600.00, True)),
        ("o1", Rates(15.00, 60.00, True)),
        ("o3-mini", Rates(1.10, 4.40, True)),
        ("o3", Rates(2.00, 8.00, True)),
        ("o4-mini", Rates(1.10, 4.40, True)),
    ),
    "claude": (
        ("claude-opus-4-5", Rates(5.00, 25.00)),
        ("claude-opus-4", Rates(15.00, 75.00)),
        ("claude-sonnet-4", Rates(3.00, 15.00)),
        ("claude-haiku-4", Rates(1.00, 5.00)),
        ("claude-3-7-sonnet", Rates(3.00, 15.00)),
        ("claude-3-5-sonnet", Rates(3.00, 15.00)),
        ("claude-3-5-haiku", Rates(0.80, 4.00)),
        ("claude-3-opus", Rates(15.00, 75.00)),
        ("claude-3-haiku", Rates(0.25, 1.25)),
    ),
    "gemini": (
        ("gemini-3-pro", Rates(2.00, 12.00, True)),
        ("gemini-2.5-pro", Rates(1.25, 10.00, True)),
        ("gemini-2.5-flash-lite", Rates(0.10, 0.40, True)),
        ("gemini-2.5-flash", Rates(0.30, 2.50, True)),
        ("gemini-2.0-flash", Rates(0.10, 0.40)),
        ("gemini-1.5-pro", Rates(1.25, 5.00)),
        ("gemini-1.5-flash", Rates(0.075, 0.30)),
    ),
    "perplexity": (
        ("sonar-deep-research", Rates(2.00, 8.00, True)),
        ("sonar-reasoning-pro", Rates(2.00, 8.00, True)),
        ("sonar-reasoning", Rates(1.00, 5.00, True)),
        ("sonar-pro", Rates(3.00, 15.00)),
        ("sonar", Rates(1.00, 1.00)),
    ),
}
"""Public list prices per engine, by model-name prefix (the longest prefix wins)."""


def model_rates(engine: str, model_name: str) -> Rates:
    """The list prices of a model; an unknown model gets the engine's dearest prices.

    Args:
        engine: The engine.
        model_name: Base or versioned model name.

    Returns:
        The rates (the dearest of the engine, as a reasoning model, when unknown).
    """
    table = RATES.get(engine, ())
    matches = [(prefix, rates) for prefix, rates in table if model_name.startswith(prefix)]
    if matches:
        return max(matches, key=lambda match: len(match[0]))[1]
    every = [rates for table in RATES.values() for _, rates in table]
    pool = [rates for _, rates in table] or every
    return Rates(max(r.price_in for r in pool), max(r.price_out for r in pool), True)


def _text_bytes(task: Mapping[str, Any]) -> tuple[int, int]:
    texts = [task.get("user_prompt"), task.get("system_message")]
    chain = task.get("message_chain")
    if isinstance(chain, list):
        texts += [item.get("message") for item in chain if isinstance(item, Mapping)]
    strings = [text for text in texts if isinstance(text, str)]
    return sum(len(text.encode("utf-8")) for text in strings), len(strings)


def provider_cost_bound(engine: str, task: Mapping[str, Any]) -> float:
    """Estimated most the provider can charge (``money_spent``) for one task.

    Args:
        engine: The engine.
        task: The task as it is sent (``build_task``).

    Returns:
        USD, rounded up to 7 decimals.
    """
    rates = model_rates(engine, str(task.get("model_name") or ""))
    web = engine == "perplexity" or bool(task.get("web_search"))
    overrun = web or rates.reasoning or bool(task.get("use_reasoning"))
    text, messages = _text_bytes(task)
    tokens_in = text + MESSAGE_OVERHEAD_TOKENS * messages + REQUEST_OVERHEAD_TOKENS
    tokens_in += WEB_SEARCH_INPUT_TOKENS if web else 0
    limit = task.get("max_output_tokens")
    tokens_out = limit if isinstance(limit, int) and limit > 0 else DEFAULT_OUTPUT_TOKENS
    if overrun:
        tokens_out = max(tokens_out, OVERRUN_OUTPUT_TOKENS)
    money = (tokens_in * rates.price_in + tokens_out * rates.price_out) / 1e6
    money += WEB_SEARCH_FEE_USD.get(engine, max(WEB_SEARCH_FEE_USD.values())) if web else 0.0
    return math.ceil(money * 1e7) / 1e7


def live_reservation(engine: str, task: Mapping[str, Any]) -> float:
    """Estimated most one Live task can cost: the base price plus the provider's part."""
    return round(LIVE_BASE_PRICE_USD + provider_cost_bound(engine, task), 7)


def standard_reservation(engine: str, task: Mapping[str, Any]) -> float:
    """Estimated most one Standard task can cost.

    That is the prepayment, or more when the provider's part can exceed it (the
    difference is then charged on completion).
    """
    net = STANDARD_BASE_PRICE_USD + provider_cost_bound(engine, task)
    return round(max(STANDARD_PREPAID_USD, net), 7)


def checked_cost(value: object) -> float | None:
    """A cost the API reported, if it is believable.

    Args:
        value: The reported value.

    Returns:
        The cost, or ``None`` when it is negative, not a finite number, or above
        :data:`MAX_PLAUSIBLE_TASK_COST_USD`; such a cost must never lower a spend.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > MAX_PLAUSIBLE_TASK_COST_USD:
        return None
    return number


def believable_result_cost(task: Mapping[str, Any]) -> bool:
    """Whether a finished task's ``result[0].money_spent`` can be believed.

    Args:
        task: The task object, with ``result``.

    Returns:
        ``False`` when there is no result or its ``money_spent`` fails :func:`checked_cost`.
    """
    results = task.get("result")
    result = results[0] if isinstance(results, list) and results else None
    return isinstance(result, Mapping) and checked_cost(result.get("money_spent")) is not None


def outcome_unknown(error: DataForSEOError) -> bool:
    """Whether a failed call may have been charged without the client knowing how much.

    The API's answer says what it cost when it names a status code, and a call that
    provably did not run cost nothing; otherwise (a timeout or dropped connection after
    sending, an unreadable answer) the task may have run and been charged.
    """
    if isinstance(error, (DataForSEOInputError, DataForSEOBudgetError)):
        return False  # refused before anything was sent
    return error.status_code is None and not error.is_retryable


# -- what a task reserves, and the user's per-call figure checked ---------------------------


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
