"""Constants shared by the pure modules: API limits, engines, prices and defaults.

Also the one check of an API format every layer needs (:func:`check_task_id`), so the
client and the pools need nothing from the Standard queue above them.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from langchain_dataforseo.errors import DataForSEOInputError

DEFAULT_BASE_URL: Final = "https://api.dataforseo.com"
"""Production API root; the free sandbox is ``https://sandbox.dataforseo.com``."""

ENV_LOGIN: Final = "DATAFORSEO_LOGIN"
ENV_PASSWORD: Final = "DATAFORSEO_PASSWORD"  # noqa: S105 - an environment variable name
ENV_BASE_URL: Final = "DATAFORSEO_BASE_URL"

Engine = Literal["chat_gpt", "claude", "gemini", "perplexity"]
"""The AI engines that the LLM Responses API resells."""

ENGINES: Final[tuple[str, ...]] = ("chat_gpt", "claude", "gemini", "perplexity")

LLM_RESPONSES: Final = "llm_responses"
"""The LLM Responses product: its path segment below the engine, and its journal family."""
LLM_SCRAPER: Final = "llm_scraper"
"""The LLM Scraper product: its path segment below the engine, and its journal family."""
PRODUCTS: Final = (LLM_RESPONSES, LLM_SCRAPER)
"""The products below ``/v3/ai_optimization/<engine>/`` (LLM Mentions has no engine)."""

HistoryPolicy = Literal["error", "trim", "pack"]
"""What to do when the input is over the API's limits: raise, keep what fits, or pack
long context into ``message_chain`` turns."""

MAX_PROMPT_CHARS: Final = 500
"""Most characters in ``user_prompt``, ``system_message`` and each chain message."""
MAX_CHAIN_MESSAGES: Final = 10
"""Most messages in ``message_chain``."""
MAX_TAG_CHARS: Final = 255
"""Most characters in ``tag``."""

DEFAULT_TIMEOUT_SECONDS: Final = 150.0
"""Default client timeout: above the live limit, so the API answers first."""
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_CONCURRENCY: Final = 30
"""The API's cap on simultaneous live tasks per engine and account."""
DEFAULT_CALLS_PER_MINUTE: Final = 2000
"""The API's cap on calls a minute, all endpoints together."""

LIVE_BASE_PRICE_USD: Final = 0.0006
"""Price of one live task, on top of the provider's ``money_spent``."""
STANDARD_BASE_PRICE_USD: Final = 0.0002
"""Price of one Standard task, on top of the provider's ``money_spent``."""

PROVIDER: Final = "dataforseo"
"""``model_provider`` / ``ls_provider`` value, and the content-block translator's key."""

MAX_TASKS_PER_POST: Final = 100
"""Most tasks in one ``task_post`` call."""
TASKS_READY_INTERVAL_SECONDS: Final = 3.0
"""``tasks_ready`` is limited to 20 calls a minute: one every 3 s at most."""
TASK_ID_PATTERN: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
"""The API's task ids are in "UUID format" (8-4-4-4-12 hex digits)."""


def check_task_id(task_id: object) -> str:
    """Refuse a task id that is not in the API's UUID format, before it goes into a path.

    Ids come back from saved handles and journals; ``../../appendix/user_data`` or
    ``<id>?x=1`` would otherwise change the request's path or query. Only the documented
    shape is checked (8-4-4-4-12 hex digits), not the observed meaning of its groups.

    Args:
        task_id: The id to check.

    Returns:
        The id, unchanged.

    Raises:
        DataForSEOInputError: When it is not a string of that shape.
    """
    if not isinstance(task_id, str) or TASK_ID_PATTERN.fullmatch(task_id) is None:
        msg = (
            f"Task id {task_id!r} is not a DataForSEO task id (UUID format, 8-4-4-4-12 hex "
            "digits); refused before any request."
        )
        raise DataForSEOInputError(
            msg, field="id", limit="UUID format 8-4-4-4-12 hex", actual=task_id
        )
    return task_id
