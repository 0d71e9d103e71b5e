"""RAG over what AI engines already answered: LLM Mentions rows as the retrieved context.

``DataForSEOLLMMentionsRetriever`` fetches questions that Google AI Overviews and ChatGPT
were already asked about a topic (with their answers, cited sources and AI search volume;
one paid call, no new prompt is run), an LCEL chain packs them as numbered context, and
``ChatDataForSEO`` writes a brief from them. Prints the brief, the retrieved questions
with their sources, and what each step cost.

Run: ``python examples/mentions_rag.py`` (offline on a recorded cassette unless
``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` are set).
"""

from __future__ import annotations

from _mode import dataforseo_session
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.mentions import DataForSEOLLMMentionsRetriever

TOPIC = "email marketing software"
QUESTION = "What do AI answers recommend for email marketing software, and who do they cite?"


def format_context(docs: list[Document]) -> str:
    """Numbered context: each recorded question, its AI search volume, answer and sources."""
    blocks = []
    for n, doc in enumerate(docs, 1):
        meta = doc.metadata
        cited = ", ".join(s["domain"] for s in meta["sources"] if s.get("domain"))
        blocks.append(
            f"[M{n}] Q: {meta['question']} (volume {meta['ai_search_volume']}, "
            f"{meta['platform']}) A: {doc.page_content} Sources: {cited}"
        )
    return "\n".join(blocks)


def main() -> None:
    prompt = ChatPromptTemplate.from_messages(
        [
            (
                "system",
                "You write GEO briefs. Use only the recorded AI answers below, cite them as "
                "[M1], [M2], ...\n\n{context}",
            ),
            ("human", "{question}"),
        ]
    )
    with dataforseo_session("mentions_rag") as extra:
        retriever = DataForSEOLLMMentionsRetriever(
            k=4, platform="google", order_by=["ai_search_volume,desc"], **extra
        )
        model = ChatDataForSEO(model="gpt-4.1-mini", history_policy="pack", **extra)
        docs = retriever.invoke(TOPIC)
        chain = (
            {
                "context": RunnableLambda(lambda _: format_context(docs)),
                "question": RunnablePassthrough(),
            }
            | prompt
            | model
        )
        brief = chain.invoke(QUESTION)
    print(f"Topic: {TOPIC}")
    print(f"Retrieved {len(docs)} recorded AI answers:")
    for n, doc in enumerate(docs, 1):
        meta = doc.metadata
        print(
            f"  [M{n}] {meta['question']} | volume {meta['ai_search_volume']} | "
            f"seen {meta['first_seen'][:10]} .. {meta['last_seen'][:10]} | "
            f"{len(meta['sources'])} sources"
        )
    print("")
    print(brief.text)
    print("")
    retrieval = docs[0].metadata["call_cost"] if docs else 0.0
    print(f"cost: retrieval ${retrieval:.4f} + answer ${brief.response_metadata['cost']:.6f}")


if __name__ == "__main__":
    main()
