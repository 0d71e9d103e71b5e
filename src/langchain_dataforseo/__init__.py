"""LangChain integration for DataForSEO's AI Optimization LLM Responses API.

Ask ChatGPT, Claude, Gemini and Perplexity through DataForSEO and get their answers
with the web sources they cite and the searches they fanned out to.
"""

from langchain_dataforseo._catalogue import ModelRecord
from langchain_dataforseo._client import DataForSEOClient
from langchain_dataforseo._version import __version__
from langchain_dataforseo.chat_models import ChatDataForSEO, DataForSEOInputWarning
from langchain_dataforseo.errors import (
    DataForSEOAPIError,
    DataForSEOAuthenticationError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEONotFoundError,
    DataForSEOPaymentError,
    DataForSEORateLimitError,
    DataForSEOResponseError,
    DataForSEOTimeoutError,
)

__all__ = [
    "ChatDataForSEO",
    "DataForSEOAPIError",
    "DataForSEOAuthenticationError",
    "DataForSEOClient",
    "DataForSEOConnectionError",
    "DataForSEOError",
    "DataForSEOInputError",
    "DataForSEOInputWarning",
    "DataForSEOInvalidRequestError",
    "DataForSEONotFoundError",
    "DataForSEOPaymentError",
    "DataForSEORateLimitError",
    "DataForSEOResponseError",
    "DataForSEOTimeoutError",
    "ModelRecord",
    "__version__",
]
