"""The prompt as words in an answer: its topic, its subject, the names a list gives.

:func:`topic_of` gives a few keywords of the prompt (``best crm agencies``), for URLs,
titles and fan-out queries. Answers built from them read as keyword salad, so the text uses
:func:`subject`, which keeps the prompt's own words and casing and drops only the question
around them: ``Which CRM do you recommend for a 10-person marketing agency?`` becomes ``CRM
for a 10-person marketing agency``. :func:`named` reads back the names a numbered answer
lists (``1. **HubSpot** is ...``). Pure and deterministic.
"""

from __future__ import annotations

import re

__all__ = ["capitalised", "named", "subject", "topic_of"]

_LEADING = re.compile(
    r"^(?:(?:which|what|who|where|when|how(?!\s+to\b)|why|is|are|was|were|do|does|did|can|could|would|"
    r"should|will|you|i|we|me|tell|give|show|list|name|recommend|suggest|please|the|a|an|"
    r"some|any|there|about|on|of|me,|us|in your opinion,?)\s+)+",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"\s+(?:do|would|could|should|can|will)\s+(?:you|i|we)\s+"
    r"(?:recommend|suggest|use|choose|pick|buy|need|try)\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"^(?:(?:or|and|vs\.?|versus|,)\s+)+", re.IGNORECASE)
_INNER_DANGLING = re.compile(r"\s+(?:or|and|vs\.?|versus)\s+(?=(?:or|and|for|in|to|with)\b|$)")
_PREPOSITION = re.compile(r"^(?:for|in|to|with|at|on|from|under|near)\b", re.IGNORECASE)
_MAX_WORDS = 12


def subject(prompt: str) -> str:
    """The prompt's subject as a phrase for a sentence (``your question`` when none is left).

    Args:
        prompt: The prompt (or keyword), possibly with brand names already removed.

    Returns:
        At most 12 words of the prompt, without the question around them.
    """
    text = " ".join(prompt.split()).strip(" ?!.:;\"'")
    text = _ASKING.sub("", text)
    for _ in range(3):
        text = _LEADING.sub("", text)
        text = _DANGLING.sub("", text)
        text = _INNER_DANGLING.sub(" ", text).strip(" ,")
    words = text.split()[:_MAX_WORDS]
    text = " ".join(words).strip(" ,?!.:;")
    if not text:
        return "your question"
    if _PREPOSITION.match(text):
        return f"options {text}"
    return text


def capitalised(text: str) -> str:
    """The text with its first letter in upper case (the rest unchanged)."""
    return text[:1].upper() + text[1:]


_STOPWORDS = frozenset(
    """a an and are as at be best by can could do does for from give how i in into is it its
    me my now of on or please provide right should tell than that the their there these this
    to was we what when where which who why will with would you your about some any most more
    currently today information explain describe list compare vs versus""".split()  # noqa: SIM905
)


def topic_of(prompt: str) -> str:
    """A few keywords of the prompt (``your question`` when none is left)."""
    words = re.findall(r"[A-Za-z0-9][\w'-]*", prompt.lower())
    kept = [w for w in words if w not in _STOPWORDS and len(w) > 1]
    return " ".join(kept[:4]) or "your question"


_LISTED = re.compile(r"^\d+\. \*\*(.+?)\*\*")


def named(lines: list[str]) -> list[str]:
    """The names an answer lists, in order (``1. **HubSpot** is ...``)."""
    return [m.group(1) for line in lines if (m := _LISTED.match(line))]
