"""The report's per-prompt drill-down and its cited domains by category (read from a store).

The drill-down is bounded: at most :data:`MAX_PROMPTS` prompts, :data:`ANSWERS_PER_PROMPT`
answers per prompt (the first measured ones, by engine, surface and sample), excerpts of
at most :data:`EXCERPT_CHARS` characters and :data:`CITATIONS_PER_ANSWER` citations per
answer; what is left out is said on the page ("… 7 more answers", ``[…]``).

Cited domains fall in three categories, from the stored citations' tracked brand: **own**
(the panel brand's domains or their subdomains), **competitor** (a competitor's domains),
**other** (every other domain).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

from langchain_dataforseo.visibility._app_answers import extract_for
from langchain_dataforseo.visibility._store import VisibilityStore

MAX_PROMPTS: Final = 50
"""Prompts shown in the drill-down (the panel's first ones)."""
ANSWERS_PER_PROMPT: Final = 3
"""Answers shown per prompt."""
EXCERPT_CHARS: Final = 400
"""Longest excerpt of an answer, in characters (cut at a word, marked ``[…]``)."""
CITATIONS_PER_ANSWER: Final = 8
"""Citations listed per answer."""
CUT_MARKER: Final = " […]"
"""What ends an excerpt that was cut."""
CATEGORIES: Final = ("own", "competitor", "other")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters at a word with :data:`CUT_MARKER`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + CUT_MARKER


@dataclass(frozen=True)
class AnswerView:
    """One answer as the drill-down shows it.

    Attributes:
        engine: The engine.
        surface: ``api`` or ``app``.
        sample: The sample number.
        excerpt: The answer's start (:func:`excerpt`).
        brands: The tracked brands it names, first named first.
        citations: The URLs it cites (at most :data:`CITATIONS_PER_ANSWER`).
        more_citations: Citations left out.
    """

    engine: str
    surface: str
    sample: int
    excerpt: str
    brands: tuple[str, ...]
    citations: tuple[str, ...]
    more_citations: int


@dataclass(frozen=True)
class PromptView:
    """One prompt's answers in the drill-down.

    Attributes:
        prompt: The prompt.
        measured: Its measured answers in the run.
        answers: The ones shown (at most :data:`ANSWERS_PER_PROMPT`).
    """

    prompt: str
    measured: int
    answers: tuple[AnswerView, ...]


def drill_down(
    store: VisibilityStore, run_id: str, per_prompt: int = ANSWERS_PER_PROMPT
) -> tuple[list[PromptView], int]:
    """A run's prompts with a few answers each: excerpt, brands named, citations.

    Args:
        store: The store.
        run_id: The run.
        per_prompt: Answers shown per prompt.

    Returns:
        ``(prompts, prompts_left_out)``: at most :data:`MAX_PROMPTS` prompts, in panel order.
    """
    conn = store.connection
    named: dict[str, list[str]] = {}
    for tag, brand in conn.execute(
        "SELECT t.tag, m.brand FROM mentions m JOIN tasks t ON t.id = m.task "
        "WHERE t.run_id = ? ORDER BY t.tag, m.rank, m.first_offset, m.brand",
        (run_id,),
    ):
        named.setdefault(tag, []).append(brand)
    cited: dict[str, list[str]] = {}
    for tag, url in conn.execute(
        "SELECT t.tag, c.url FROM citations c JOIN tasks t ON t.id = c.task "
        "WHERE t.run_id = ? ORDER BY t.tag, c.seq",
        (run_id,),
    ):
        cited.setdefault(tag, []).append(url)
    measured = [t for t in store.tasks(run_id) if t.status == "measured"]
    measured.sort(key=lambda t: (t.prompt_index, t.sample, t.engine, t.surface))
    prompts: dict[int, tuple[str, list[AnswerView], list[int]]] = {}
    for task in measured:
        _, shown, count = prompts.setdefault(task.prompt_index, (task.prompt, [], [0]))
        count[0] += 1
        if len(shown) >= per_prompt:
            continue
        raw = store.raw_task(run_id, task.tag) or {}
        urls = cited.get(task.tag, [])
        shown.append(
            AnswerView(
                engine=task.engine,
                surface=task.surface,
                sample=task.sample,
                excerpt=excerpt(extract_for(raw, task.surface, task.engine).text),
                brands=tuple(named.get(task.tag, ())),
                citations=tuple(urls[:CITATIONS_PER_ANSWER]),
                more_citations=max(len(urls) - CITATIONS_PER_ANSWER, 0),
            )
        )
    ordered = [prompts[i] for i in sorted(prompts)]
    views = [PromptView(p, n[0], tuple(a)) for p, a, n in ordered[:MAX_PROMPTS]]
    return views, max(len(ordered) - MAX_PROMPTS, 0)


def domain_categories(store: VisibilityStore, run_id: str, brand: str) -> dict[str, Counter[str]]:
    """A run's cited domains by category: own, competitor, other.

    Args:
        store: The store.
        run_id: The run.
        brand: The panel's brand.

    Returns:
        Category (:data:`CATEGORIES`) -> citations per domain.
    """
    out: dict[str, Counter[str]] = {name: Counter() for name in CATEGORIES}
    for domain, owner, count in store.connection.execute(
        "SELECT c.domain, c.brand, COUNT(*) FROM citations c JOIN tasks t ON t.id = c.task "
        "WHERE t.run_id = ? AND t.status = 'measured' GROUP BY c.domain, c.brand",
        (run_id,),
    ):
        category = "other" if owner is None else "own" if owner == brand else "competitor"
        out[category][str(domain)] += int(count)
    return out
