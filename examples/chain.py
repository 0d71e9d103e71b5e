"""LCEL chain: prompt template | ChatDataForSEO | parser, over several prompts with ``batch``.

Prints a table of the web domains each answer cites. Run: ``python examples/chain.py``
(offline on a recorded cassette unless ``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` are set).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from _mode import dataforseo_session
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda

from langchain_dataforseo import ChatDataForSEO

CATEGORIES = ["project management tools", "CRM software", "invoicing apps"]

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "You are a software analyst. Name concrete products and cite sources."),
        ("human", "What are the best {category} for small marketing agencies?"),
    ]
)


def domain(url: str) -> str:
    """The host of a url, without a leading ``www.``."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def parse_citations(message: AIMessage) -> dict[str, Any]:
    """Output parser: the answer text, the cited domains (in order, once each), the cost."""
    domains: list[str] = []
    for source in message.response_metadata.get("annotations", []):
        name = domain(source.get("url", ""))
        if name and name not in domains:
            domains.append(name)
    return {
        "answer": message.text,
        "domains": domains,
        "cost": message.response_metadata.get("cost", 0.0),
    }


def table(categories: list[str], rows: list[dict[str, Any]]) -> str:
    """A plain-text table: one line per prompt with the domains its answer cites."""
    width = max(len(c) for c in categories)
    lines = [f"{'prompt'.ljust(width)} | cited domains", f"{'-' * width}-+-{'-' * 40}"]
    for category, row in zip(categories, rows, strict=True):
        lines.append(f"{category.ljust(width)} | {', '.join(row['domains']) or '(none)'}")
    total = sum(row["cost"] for row in rows)
    lines.append(f"{len(rows)} answers, total cost ${total:.6f}")
    return "\n".join(lines)


def main() -> None:
    with dataforseo_session("chain") as extra:
        model = ChatDataForSEO(
            model="gpt-4.1-mini", web_search=True, web_search_country_iso_code="US", **extra
        )
        chain = PROMPT | model | RunnableLambda(parse_citations)
        # batch runs the prompts concurrently (at most 30 at once: the API's live cap).
        rows = chain.batch([{"category": c} for c in CATEGORIES])
    print(table(CATEGORIES, rows))


if __name__ == "__main__":
    main()
