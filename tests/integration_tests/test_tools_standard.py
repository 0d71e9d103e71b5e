"""langchain-tests' standard integration suite for the agent tool, replayed from cassettes.

Cassettes live in ``cassettes/test_tools_standard/`` and were recorded against the
project's emulator (see ``cassettes/README.md``).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import ToolsIntegrationTests

from langchain_dataforseo import DataForSEOLLMResponsesTool

from .conftest import cassette_model_params


@pytest.mark.vcr
class TestDataForSEOLLMResponsesToolStandard(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[DataForSEOLLMResponsesTool]:
        return DataForSEOLLMResponsesTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {
            "model": "gpt-4.1-mini",
            "web_search": True,
            "max_retries": 0,
            **cassette_model_params(),
        }

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {
            "prompt": "Which project management tools do small agencies cite most?",
            "web_search_country_iso_code": "US",
        }


@pytest.mark.vcr
def test_replayed_call_is_an_answer_with_sources_not_a_handled_error() -> None:
    tool = DataForSEOLLMResponsesTool(
        model="gpt-4.1-mini", web_search=True, max_retries=0, **cassette_model_params()
    )
    message = tool.invoke(
        {
            "type": "tool_call",
            "id": "call_1",
            "name": tool.name,
            "args": {"prompt": "Which project management tools do small agencies cite most?"},
        }
    )
    assert message.status == "success", message.content
    assert message.artifact["annotations"]
    assert message.artifact["model_name"].startswith("gpt-4.1-mini")
    assert "[1] " in message.content
