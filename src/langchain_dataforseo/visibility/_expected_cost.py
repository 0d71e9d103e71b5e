"""What a task is expected to cost (not the worst case the cap reserves).

From the store's history when it has one: the average recorded cost of measured tasks of
the same engine, requested model and surface, in any run of the store
(:func:`cost_history`). Else from documented prices and typical token counts (pure,
:func:`average_task_cost`)::

    input_tokens  = ceil(UTF-8 bytes of the prompt / 4) + 16
                    (+ 2,000 with web search: the API's example shows 2,113 [D])
    output_tokens = 1,400 for a reasoning model (the API's o4-mini example: 1,372 [D]),
                    else min(max_output_tokens, 500) (its gpt-4.1-mini example: 486 [D])
    money_spent   = input_tokens * price_in + output_tokens * price_out   (list prices)
                    (+ one web search: ChatGPT $0.025, Claude $0.01, Gemini $0.035,
                       Perplexity $0.005 [I])
    Live task     = $0.0006 + money_spent [D]
    Standard task = $0.0002 + money_spent [D] (the $0.01 prepayment is refunded down to it)
    app task (LLM Scraper) = $0.0012 [I] (its documented least price)

The API reference's two Live examples come out within 2% ($0.0272150 for $0.0272228,
$0.0068073 for $0.0066786). The token counts
and the one-search fee are typical values [I], not bounds: a real answer can cost more or
less; ``max_cost`` still reserves the worst case.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from langchain_dataforseo._api.cost_bounds import model_rates
from langchain_dataforseo._api.fields import LIVE_BASE_PRICE_USD, STANDARD_BASE_PRICE_USD
from langchain_dataforseo.visibility._store import VisibilityStore

EXPECTED_WEB_SEARCH_INPUT_TOKENS: Final = 2_000
"""Typical input tokens that web-search results add (the API's example: 2,113) [I]."""
EXPECTED_OUTPUT_TOKENS: Final = 500
"""Typical output tokens of an answer (the API's example: 486) [I]."""
EXPECTED_REASONING_OUTPUT_TOKENS: Final = 1_400
"""Typical output tokens of a reasoning model's answer, reasoning included (example 1,372) [I]."""
EXPECTED_WEB_SEARCH_FEE_USD: Final[Mapping[str, float]] = {
    "chat_gpt": 0.025,  # one search call at $25 / 1,000
    "claude": 0.01,  # one search at $10 / 1,000
    "gemini": 0.035,  # one grounded prompt at $35 / 1,000
    "perplexity": 0.005,  # one request at $5 / 1,000 (low context)
}
"""Typical provider web-search fee of one answer: one search [I]."""
EXPECTED_APP_TASK_USD: Final = 0.0012
"""An LLM Scraper task: its documented least price ("from $0.0012") [I]."""

HistoryKey = tuple[str, str, str]
"""``(engine, requested model, surface)``."""


def average_task_cost(engine: str, body: Mapping[str, Any], method: str, surface: str) -> float:
    """The expected cost of one task from documented prices (see the module docstring).

    Args:
        engine: The engine.
        body: The task as sent (``user_prompt``, ``model_name``, settings).
        method: ``standard`` or ``live`` (of this task).
        surface: ``api`` or ``app``.

    Returns:
        USD, rounded to 7 decimals.
    """
    if surface != "api":
        return EXPECTED_APP_TASK_USD
    rates = model_rates(engine, str(body.get("model_name") or ""))
    web = engine == "perplexity" or bool(body.get("web_search"))
    prompt = body.get("user_prompt")
    text = len(prompt.encode("utf-8")) if isinstance(prompt, str) else 0
    tokens_in = math.ceil(text / 4) + 16 + (EXPECTED_WEB_SEARCH_INPUT_TOKENS if web else 0)
    limit = body.get("max_output_tokens")
    cap = limit if isinstance(limit, int) and limit > 0 else EXPECTED_OUTPUT_TOKENS
    reasoning = rates.reasoning or bool(body.get("use_reasoning"))
    tokens_out = EXPECTED_REASONING_OUTPUT_TOKENS if reasoning else min(cap, EXPECTED_OUTPUT_TOKENS)
    money = (tokens_in * rates.price_in + tokens_out * rates.price_out) / 1e6
    if web:
        money += EXPECTED_WEB_SEARCH_FEE_USD.get(engine, max(EXPECTED_WEB_SEARCH_FEE_USD.values()))
    base = LIVE_BASE_PRICE_USD if method == "live" else STANDARD_BASE_PRICE_USD
    return round(base + money, 7)


def cost_history(store: VisibilityStore) -> dict[HistoryKey, tuple[float, int]]:
    """The store's recorded costs: per (engine, requested model, surface), average and count.

    Only measured tasks with a recorded cost count, in any run of the store.

    Args:
        store: The store.

    Returns:
        Key -> ``(average USD, tasks)``.
    """
    rows = store.connection.execute(
        "SELECT engine, model, surface, AVG(cost), COUNT(*) FROM tasks "
        "WHERE status = 'measured' AND cost IS NOT NULL GROUP BY engine, model, surface"
    )
    return {(r[0], r[1], r[2]): (float(r[3]), int(r[4])) for r in rows}
