"""Readable wording for the emulator's answers: the prompt's subject as a phrase.

The answers used to be built from the prompt's keywords (``best crm agencies``), which
reads as keyword salad. :func:`subject` keeps the prompt's own words and casing and drops
only the question around them: ``Which CRM do you recommend for a 10-person marketing
agency?`` becomes ``CRM for a 10-person marketing agency``. Pure and deterministic.
"""

from __future__ import annotations

import re

__all__ = ["capitalised", "subject"]

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
