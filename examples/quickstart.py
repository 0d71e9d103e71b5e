"""Quickstart: ask ChatGPT one question through DataForSEO; print the answer and its sources.

Run: ``python examples/quickstart.py`` (offline on a recorded cassette unless
``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` are set).
"""

from __future__ import annotations

from _mode import dataforseo_session
from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO

QUESTION = "What are the best project management tools for small marketing agencies?"


def report(message: AIMessage) -> str:
    """Format the answer, the numbered sources, the fan-out queries and the cost."""
    meta = message.response_metadata
    lines = [f"Model: {meta['model_name']} (task {meta['task_id']})", "", message.text, ""]
    lines.append("Sources:")
    for number, source in enumerate(meta["annotations"], start=1):
        lines.append(f"  [{number}] {source.get('title', '')} - {source.get('url', '')}")
    if not meta["annotations"]:
        lines.append("  (none cited)")
    lines.append("Fan-out queries:")
    lines.extend(f"  - {query}" for query in meta["fan_out_queries"])
    usage = message.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
    lines.append(
        f"Tokens: {usage['input_tokens']} in / {usage['output_tokens']} out; "
        f"cost: ${meta['cost']:.6f}"
    )
    return "\n".join(lines)


def main() -> None:
    with dataforseo_session("quickstart") as extra:
        model = ChatDataForSEO(
            model="gpt-4.1-mini", web_search=True, web_search_country_iso_code="US", **extra
        )
        message = model.invoke(QUESTION)
    print(report(message))


if __name__ == "__main__":
    main()
