"""langchain-tests' standard tool suite for the LLM Mentions tools, replayed from cassettes.

Cassettes live in ``cassettes/test_mentions_tools_standard/`` and were recorded against the
project's emulator (see ``cassettes/README.md``).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests

from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
)

from .conftest import cassette_model_params


@pytest.mark.vcr
class TestTargetMetricsToolStandard(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return DataForSEOLLMMentionsTargetMetricsTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"max_retries": 0, **cassette_model_params()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"keywords": ["hubspot"], "platform": "google"}


@pytest.mark.vcr
class TestTopMentionedToolStandard(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return DataForSEOLLMMentionsTopMentionedTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"max_retries": 0, **cassette_model_params()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"keywords": ["crm software"], "what": "brands", "limit": 5}


@pytest.mark.vcr
class TestHistoryToolStandard(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return DataForSEOLLMMentionsHistoryTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"max_retries": 0, **cassette_model_params()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {
            "domains": ["hubspot.com"],
            "kind": "new_lost",
            "date_from": "2025-09-01",
            "date_to": "2025-11-30",
            "group_range": "month",
        }


@pytest.mark.vcr
class TestCompareToolStandard(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return DataForSEOLLMMentionsCompareTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"max_retries": 0, **cassette_model_params()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"groups": {"hubspot": ["hubspot"], "zoho": ["zoho crm"]}, "platform": "google"}
