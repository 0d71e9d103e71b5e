"""The ``keyword`` escaping DataForSEO asks for wherever it decodes ``%##`` and ``+`` (pure).

The LLM Scraper and LLM Mentions docs say the same of their ``keyword`` field: "all %##
will be decoded (plus character '+' will be decoded to a space character)", so a ``%``
must travel as ``%25`` and a ``+`` as ``%2B`` for the API to see the text as typed.
"""

from __future__ import annotations

__all__ = ["escape_keyword"]


def escape_keyword(keyword: str) -> str:
    """Escape ``%`` and ``+`` the way the API asks, so it sees the text as typed.

    The API decodes ``%##`` sequences and turns ``+`` into a space; the docs ask for
    ``%25`` and ``%2B`` instead.

    Args:
        keyword: The text as typed.

    Returns:
        The text to send.
    """
    return keyword.replace("%", "%25").replace("+", "%2B")
