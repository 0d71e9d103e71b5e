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

from langchain_dataforseo._version import __version__ as __version__

if TYPE_CHECKING:  # what type checkers see; a unit test holds it to _EXPORTS
    from langchain_dataforseo._api.catalogue import ModelRecord as ModelRecord
    from langchain_dataforseo._standard.handle import TaskHandle as TaskHandle
    from langchain_dataforseo._standard.journal import (
        FileJournal as FileJournal,
    )
    from langchain_dataforseo._standard.journal import (
        SubmitJournal as SubmitJournal,
    )
    from langchain_dataforseo._transport.client import DataForSEOClient as DataForSEOClient
    from langchain_dataforseo.chat_models import ChatDataForSEO as ChatDataForSEO
    from langchain_dataforseo.costs import (
        CostTracker as CostTracker,
    )
    from langchain_dataforseo.costs import (
        track_costs as track_costs,
    )
    from langchain_dataforseo.errors import (
        DataForSEOAPIError as DataForSEOAPIError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOAuthenticationError as DataForSEOAuthenticationError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOBatchError as DataForSEOBatchError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOBudgetError as DataForSEOBudgetError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOConnectionError as DataForSEOConnectionError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOError as DataForSEOError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOInputError as DataForSEOInputError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOInputWarning as DataForSEOInputWarning,
    )
    from langchain_dataforseo.errors import (
        DataForSEOInvalidRequestError as DataForSEOInvalidRequestError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOJournalLockedError as DataForSEOJournalLockedError,
    )
    from langchain_dataforseo.errors import (
        DataForSEONotFoundError as DataForSEONotFoundError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOPaymentError as DataForSEOPaymentError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOPostbackError as DataForSEOPostbackError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOPostbackLimitError as DataForSEOPostbackLimitError,
    )
    from langchain_dataforseo.errors import (
        DataForSEORateLimitError as DataForSEORateLimitError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOResponseError as DataForSEOResponseError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOResponseTooLargeError as DataForSEOResponseTooLargeError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOSubmitError as DataForSEOSubmitError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOTaskInDoubtError as DataForSEOTaskInDoubtError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOTaskPendingError as DataForSEOTaskPendingError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOTimeoutError as DataForSEOTimeoutError,
    )
    from langchain_dataforseo.errors import (
        DataForSEOUnsupportedError as DataForSEOUnsupportedError,
    )
    from langchain_dataforseo.postback import parse_postback as parse_postback
    from langchain_dataforseo.tools import (
        DataForSEOLLMResponsesTool as DataForSEOLLMResponsesTool,
    )
    from langchain_dataforseo.tools import (
        DataForSEOLLMResponsesToolkit as DataForSEOLLMResponsesToolkit,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "_api.catalogue": ("ModelRecord",),
    "_transport.client": ("DataForSEOClient",),
    "_standard.handle": ("TaskHandle",),
    "_standard.journal": (
        "FileJournal",
        "SubmitJournal",
    ),
    "chat_models": ("ChatDataForSEO",),
    "costs": (
        "CostTracker",
        "track_costs",
    ),
    "errors": (
        "DataForSEOAPIError",
        "DataForSEOAuthenticationError",
        "DataForSEOBatchError",
        "DataForSEOBudgetError",
        "DataForSEOConnectionError",
        "DataForSEOError",
        "DataForSEOInputError",
        "DataForSEOInputWarning",
        "DataForSEOInvalidRequestError",
        "DataForSEOJournalLockedError",
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
    ),
    "postback": ("parse_postback",),
    "tools": (
        "DataForSEOLLMResponsesTool",
        "DataForSEOLLMResponsesToolkit",
    ),
}
"""The public names, each listed once, by the module that defines it."""

_WHERE: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}
"""Public name to the module it is loaded from on first use."""

__all__ = sorted([*_WHERE, "__version__"])


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
