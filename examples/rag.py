"""A small RAG prototype: retrieve, pack the long context, answer with ChatDataForSEO.

Retrieves from langchain-core's ``InMemoryVectorStore`` (a deterministic keyword-hashing
embedding stands in for a real one), packs the long context into the API's fields with
``history_policy="pack"`` (each field takes at most 500 characters), and prints the
answer with its web citations beside the retrieved chunks.

Needs the ``examples`` extra (``numpy``). Run: ``python examples/rag.py`` (offline on a
recorded cassette unless ``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` are set).
"""

from __future__ import annotations

import math
import re
import zlib

from _mode import dataforseo_session, missing_extra
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_dataforseo import ChatDataForSEO

try:  # InMemoryVectorStore's similarity search needs numpy, which langchain-core does not install
    import numpy  # noqa: F401
except ImportError as missing:
    raise SystemExit(missing_extra("rag.py", "numpy")) from missing

QUESTION = "Which project management tool should a five-person marketing agency pick, and why?"

DOCUMENTS = [
    (
        "handbook",
        "Our agency has five people: two designers, two copywriters and one account "
        "manager. Most projects are campaigns with a fixed deadline and client approval rounds.",
    ),
    (
        "handbook",
        "Clients review drafts in shared boards. Approvals must be tracked per "
        "deliverable, and the account manager needs a weekly overview of every campaign.",
    ),
    (
        "budget",
        "The software budget for project management is at most 15 USD per user and "
        "month. Annual billing is acceptable if it saves at least 15 percent.",
    ),
    (
        "notes-trello",
        "Trello: kanban boards, simple to learn, free tier with unlimited cards. "
        "Power-ups add calendars and approvals. Weak on reporting across many boards.",
    ),
    (
        "notes-asana",
        "Asana: lists, boards and timelines, portfolio overviews and approvals. "
        "The Starter plan costs about 11 USD per user and month billed annually.",
    ),
    (
        "notes-clickup",
        "ClickUp: highly configurable, docs, whiteboards and time tracking "
        "included. The number of features can overwhelm a small team at first.",
    ),
    (
        "notes-monday",
        "monday.com: colourful boards and automations, client-facing dashboards. "
        "The Standard plan needs at least three seats and costs about 12 USD per seat.",
    ),
    (
        "notes-basecamp",
        "Basecamp: flat pricing for unlimited users, message boards and to-dos, "
        "client access built in. Few views and no native time tracking.",
    ),
    ("office", "The office coffee machine is cleaned on Fridays. Parking is in the back."),
    ("office", "Holiday requests go to the account manager two weeks in advance."),
]


class KeywordEmbeddings(Embeddings):
    """Deterministic bag-of-words embedding (feature hashing): stable, free, offline."""

    def __init__(self, size: int = 512) -> None:
        self.size = size

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.size
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if len(word) > 2:
                vector[zlib.crc32(word.encode()) % self.size] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


def build_store() -> InMemoryVectorStore:
    store = InMemoryVectorStore(KeywordEmbeddings())
    store.add_documents(
        [Document(text, metadata={"source": source}) for source, text in DOCUMENTS],
        ids=[f"doc-{i}" for i in range(len(DOCUMENTS))],
    )
    return store


def build_messages(chunks: list[Document]) -> list[SystemMessage | HumanMessage]:
    context = "\n\n".join(
        f"[C{n}] ({doc.metadata['source']}) {doc.page_content}" for n, doc in enumerate(chunks, 1)
    )
    system = (
        "You advise small agencies on software. Answer from the numbered context chunks "
        "below, cite them as [C1], [C2], ..., and say when the context is not enough."
    )
    return [SystemMessage(system), HumanMessage(f"Context:\n{context}\n\nQuestion: {QUESTION}")]


def main() -> None:
    chunks = build_store().similarity_search(QUESTION, k=7)
    messages = build_messages(chunks)
    size = sum(len(m.text) for m in messages)
    with dataforseo_session("rag") as extra:
        model = ChatDataForSEO(
            model="gpt-4.1-mini", web_search=True, history_policy="pack", **extra
        )
        answer = model.invoke(messages)
    layout = answer.response_metadata["layout"]
    print(f"Question: {QUESTION}")
    print(
        f"Context: {size} characters, packed into system_message ({layout['system_chars']}), "
        f"{layout['packed_turns']} message_chain turns {layout['turn_chars']} and "
        f"user_prompt ({layout['prompt_chars']}); capacity {layout['capacity']}."
    )
    print("")
    print(answer.text)
    print("")
    sources = answer.response_metadata["annotations"]
    width = 58
    print(f"{'retrieved chunks'.ljust(width)} | web citations")
    print(f"{'-' * width}-+-{'-' * 40}")
    for row in range(max(len(chunks), len(sources))):
        left = ""
        if row < len(chunks):
            doc = chunks[row]
            left = f"[C{row + 1}] {doc.metadata['source']}: {doc.page_content}"[:width]
        right = ""
        if row < len(sources):
            right = f"[{row + 1}] {sources[row].get('title', '')} {sources[row].get('url', '')}"
        print(f"{left.ljust(width)} | {right}")
    print(f"cost: ${answer.response_metadata['cost']:.6f}")


if __name__ == "__main__":
    main()
