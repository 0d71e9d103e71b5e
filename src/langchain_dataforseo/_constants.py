"""Constants shared by the pure modules: API limits, engines, prices and defaults."""

from __future__ import annotations

from typing import Final, Literal

DEFAULT_BASE_URL: Final = "https://api.dataforseo.com"
"""Production API root; the free sandbox is ``https://sandbox.dataforseo.com``."""

ENV_LOGIN: Final = "DATAFORSEO_LOGIN"
ENV_PASSWORD: Final = "DATAFORSEO_PASSWORD"  # noqa: S105 - an environment variable name
ENV_BASE_URL: Final = "DATAFORSEO_BASE_URL"

Engine = Literal["chat_gpt", "claude", "gemini", "perplexity"]
"""The AI engines that the LLM Responses API resells."""

ENGINES: Final[tuple[str, ...]] = ("chat_gpt", "claude", "gemini", "perplexity")

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
