"""LangChain integration for DataForSEO's AI Optimization LLM Responses API.

Ask ChatGPT, Claude, Gemini and Perplexity through DataForSEO and get their answers
with the web sources they cite and the searches they fanned out to.
"""

from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._client import DataForSEOClient
from langchain_dataforseo._standard import TaskHandle
from langchain_dataforseo._version import __version__
from langchain_dataforseo.chat_models import ChatDataForSEO, DataForSEOInputWarning
from langchain_dataforseo.costs import CostTracker, track_costs
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOBudgetError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEONotFoundError,
    DataForSEOPaymentError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOSubmitError,
    DataForSEOTaskPendingError,
    DataForSEOTimeoutError,
)
from langchain_dataforseo.tools import DataForSEOLLMResponsesTool, DataForSEOLLMResponsesToolkit

__all__ = [
    "ChatDataForSEO",
    "CostTracker",
    "DataForSEOAPIError",
    "DataForSEOAuthenticationError",
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
    "DataForSEORateLimitError",
    "DataForSEOResponseError",
    "DataForSEOSubmitError",
    "DataForSEOTaskPendingError",
    "DataForSEOTimeoutError",
    "ModelRecord",
    "TaskHandle",
    "__version__",
    "track_costs",
]
