"""langchain-tests' standard integration suite for ChatDataForSEO, replayed from cassettes.

Cassettes live in ``cassettes/test_chat_models_standard/`` and were recorded against the
project's emulator (see ``cassettes/README.md``). Tool calling, structured output and
multimodal tests skip: the API is text-only and has no tool calling.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_dataforseo import ChatDataForSEO

from .conftest import cassette_model_params


@pytest.mark.vcr
class TestChatDataForSEOStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatDataForSEO]:
        return ChatDataForSEO

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4.1-mini", "max_retries": 0, **cassette_model_params()}

    @property
    def model_override_value(self) -> str:
        return "gpt-4o-mini"

    @property
    def has_tool_calling(self) -> bool:
        # bind_tools is overridden only to refuse with a clear error: the API has no tools.
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def enable_vcr_tests(self) -> bool:
        return True
