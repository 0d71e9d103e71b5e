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
        return {"model": "gpt-4.1-mini"}

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
