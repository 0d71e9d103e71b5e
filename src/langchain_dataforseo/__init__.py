"""LangChain integration for DataForSEO's AI Optimization LLM Responses API.

Ask ChatGPT, Claude, Gemini and Perplexity through DataForSEO and get their answers
with the web sources they cite and the searches they fanned out to.

Public names are loaded on first use, so ``import langchain_dataforseo`` costs almost
nothing; ``from langchain_dataforseo import ChatDataForSEO`` loads the chat model (and
registers the ``"dataforseo"`` content-block translator with langchain-core).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_dataforseo._version import __version__

if TYPE_CHECKING:
    from langchain_dataforseo._catalogue import ModelRecord
    from langchain_dataforseo._client import DataForSEOClient
    from langchain_dataforseo._standard.handle import TaskHandle
    from langchain_dataforseo._standard.journal import FileJournal, SubmitJournal
    from langchain_dataforseo.chat_models import ChatDataForSEO
    from langchain_dataforseo.costs import CostTracker, track_costs
    from langchain_dataforseo.errors import (
        DataForSEOAPIError,
        DataForSEOAuthenticationError,
        DataForSEOBatchError,
        DataForSEOBudgetError,
        DataForSEOConnectionError,
        DataForSEOError,
        DataForSEOInputError,
        DataForSEOInputWarning,
        DataForSEOInvalidRequestError,
        DataForSEONotFoundError,
        DataForSEOPaymentError,
        DataForSEOPostbackError,
        DataForSEOPostbackLimitError,
        DataForSEORateLimitError,
        DataForSEOResponseError,
        DataForSEOResponseTooLargeError,
        DataForSEOSubmitError,
        DataForSEOTaskInDoubtError,
        DataForSEOTaskPendingError,
        DataForSEOTimeoutError,
        DataForSEOUnsupportedError,
    )
    from langchain_dataforseo.postback import parse_postback
    from langchain_dataforseo.tools import (
        DataForSEOLLMResponsesTool,
        DataForSEOLLMResponsesToolkit,
    )

_WHERE: dict[str, str] = {
    "ChatDataForSEO": "chat_models",
    "CostTracker": "costs",
    "track_costs": "costs",
    "DataForSEOClient": "_client",
    "ModelRecord": "_catalogue",
    "TaskHandle": "_standard.handle",
    "FileJournal": "_standard.journal",
    "SubmitJournal": "_standard.journal",
    "DataForSEOLLMResponsesTool": "tools",
    "DataForSEOLLMResponsesToolkit": "tools",
    "parse_postback": "postback",
    **{
        name: "errors"
        for name in (
            "DataForSEOAPIError",
            "DataForSEOAuthenticationError",
            "DataForSEOBatchError",
            "DataForSEOBudgetError",
            "DataForSEOConnectionError",
            "DataForSEOError",
            "DataForSEOInputError",
            "DataForSEOInputWarning",
            "DataForSEOInvalidRequestError",
            "DataForSEONotFoundError",
            "DataForSEOPaymentError",
            "DataForSEOPostbackError",
            "DataForSEOPostbackLimitError",
            "DataForSEORateLimitError",
            "DataForSEOResponseError",
            "DataForSEOResponseTooLargeError",
            "DataForSEOSubmitError",
            "DataForSEOTaskInDoubtError",
            "DataForSEOTaskPendingError",
            "DataForSEOTimeoutError",
            "DataForSEOUnsupportedError",
        )
    },
}

__all__ = [
    "ChatDataForSEO",
    "CostTracker",
    "DataForSEOAPIError",
    "DataForSEOAuthenticationError",
    "DataForSEOBatchError",
    "DataForSEOBudgetError",
    "DataForSEOClient",
    "DataForSEOConnectionError",
    "DataForSEOError",
    "DataForSEOInputError",
    "DataForSEOInputWarning",
    "DataForSEOInvalidRequestError",
    "DataForSEOLLMResponsesTool",
    "DataForSEOLLMResponsesToolkit",
    "DataForSEONotFoundError",
    "DataForSEOPaymentError",
    "DataForSEOPostbackError",
    "DataForSEOPostbackLimitError",
    "DataForSEORateLimitError",
    "DataForSEOResponseError",
    "DataForSEOResponseTooLargeError",
    "DataForSEOSubmitError",
    "DataForSEOTaskInDoubtError",
    "DataForSEOTaskPendingError",
    "DataForSEOTimeoutError",
    "DataForSEOUnsupportedError",
    "FileJournal",
    "ModelRecord",
    "SubmitJournal",
    "TaskHandle",
    "__version__",
    "parse_postback",
    "track_costs",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'langchain_dataforseo' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f"langchain_dataforseo.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
