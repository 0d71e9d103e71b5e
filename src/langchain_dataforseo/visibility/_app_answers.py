"""App-surface answers (LLM Scraper tasks) read with the same matching rules as API answers.

An LLM Scraper task is read by the scraper's own parser (``scraper._parse.parse_answer``),
which keeps the sources the answer *cites* apart from the search results it only *found*.
Only the cited sources become citations here (the citation rate and share count what the
answer cites, never what its searches merely retrieved); the text is the answer's markdown
(its link targets and domain-name chips are masked by the matching rules, as in API
answers); the fan-out queries are the app's searches; the model is the one the app reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_dataforseo._api.envelope import as_int
from langchain_dataforseo.scraper._parse import parse_answer
from langchain_dataforseo.visibility._matching import ExtractedAnswer, cited_url, extract_answer
from langchain_dataforseo.visibility._surfaces import APP


def extract_app_answer(task: Mapping[str, Any], engine: str = "chat_gpt") -> ExtractedAnswer:
    """Read a raw LLM Scraper task (live or ``task_get``) into an :class:`ExtractedAnswer`.

    Tolerant: a missing ``result``, ``sources`` or ``fan_out_queries`` gives empty values.

    Args:
        task: One element of the envelope's ``tasks``.
        engine: The engine (``chat_gpt`` or ``gemini``).

    Returns:
        The text (markdown), the cited URLs in order (search results found but not cited
        are left out), the fan-out queries and the app's model.
    """
    answer = parse_answer(engine, task)
    urls = tuple(url for source in answer.cited if (url := cited_url(source)) is not None)
    queries = tuple(q.strip() for q in answer.fan_out_queries if q.strip())
    return ExtractedAnswer(
        status_code=as_int(task.get("status_code")),
        text=answer.markdown,
        urls=urls,
        fan_out_queries=queries,
        model_name=answer.model,
    )


def extract_for(task: Mapping[str, Any], surface: str, engine: str) -> ExtractedAnswer:
    """Read a raw task of either surface.

    Args:
        task: The raw task.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
        engine: The engine.

    Returns:
        The extracted answer.
    """
    if surface == APP:
        return extract_app_answer(task, engine)
    return extract_answer(task)
