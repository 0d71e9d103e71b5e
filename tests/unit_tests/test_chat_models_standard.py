"""langchain-tests' standard unit suite for ChatDataForSEO (no network)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_dataforseo import ChatDataForSEO


class TestChatDataForSEOUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatDataForSEO]:
        return ChatDataForSEO

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # Gemini: the suite builds a model with max_tokens=10, below ChatGPT's minimum of
        # 16, which ChatDataForSEO refuses when the model is built (Gemini's minimum is 1).
        return {"engine": "gemini", "model": "gemini-2.5-flash"}

    @property
    def has_tool_calling(self) -> bool:
        # bind_tools is overridden only to refuse with a clear error: the API has no tools.
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "DATAFORSEO_LOGIN": "env-login",
                "DATAFORSEO_PASSWORD": "env-password",
                "DATAFORSEO_BASE_URL": "https://sandbox.dataforseo.com",
            },
            {"model": "gpt-4.1-mini"},
            {
                "login": "env-login",
                "password": "env-password",
                "base_url": "https://sandbox.dataforseo.com",
            },
        )
