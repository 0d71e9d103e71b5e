"""langchain-tests' standard retriever suite for the LLM Mentions retriever, on cassettes.

Cassettes live in ``cassettes/test_retrievers_standard/`` and were recorded against the
project's emulator (see ``cassettes/README.md``).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from langchain_dataforseo.mentions import DataForSEOLLMMentionsRetriever

from .conftest import cassette_model_params


@pytest.mark.vcr
class TestDataForSEOLLMMentionsRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[DataForSEOLLMMentionsRetriever]:
        return DataForSEOLLMMentionsRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"k": 3, "platform": "google", "max_retries": 0, **cassette_model_params()}

    @property
    def retriever_query_example(self) -> str:
        return "project management software"


@pytest.mark.vcr
def test_replayed_rows_are_answers_with_questions_and_sources() -> None:
    retriever = DataForSEOLLMMentionsRetriever(
        k=2, platform="chat_gpt", max_retries=0, **cassette_model_params()
    )
    docs = retriever.invoke("crm software")
    assert len(docs) == 2
    assert all(doc.page_content for doc in docs)
    assert all("crm software" in doc.metadata["question"] for doc in docs)
    assert all(doc.metadata["sources"] for doc in docs)
    assert all(doc.metadata["call_cost"] > 0 for doc in docs)
