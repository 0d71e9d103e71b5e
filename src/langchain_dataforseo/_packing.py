"""Split long text into pieces of at most N characters at sentence or whitespace boundaries.

Pure functions used by the ``"pack"`` history policy. The contract, which the property
tests check: the pieces, in order, are the text itself; only the whitespace *at a split*
is left out. Put back together (:func:`unsplit` with the original text), they reproduce
the input exactly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

_SENTENCE_ENDS = frozenset(".!?;:")
"""Characters that end a sentence (or a clause worth splitting after)."""
_CLOSERS = frozenset("\"')]}»”’")
"""Closing quotes and brackets that may follow a sentence end: ``He said "no."``."""
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
"""Zero-width joiner and variation selectors: never start a piece with one."""


def _is_sentence_end(text: str, cut: int) -> bool:
    """Whether ``text[:cut]`` ends a sentence or a line (so splitting at ``cut`` reads well)."""
    if text[cut] in "\n\r" or text[cut - 1] in "\n\r":
        return True
    position = cut - 1
    while position > 0 and text[position] in _CLOSERS:
        position -= 1
    return text[position] in _SENTENCE_ENDS


def _hard_cut(text: str, start: int, limit: int) -> int:
    """Cut with no whitespace in reach: at ``limit``, not inside a combining sequence."""
    cut = start + limit
    while cut - 1 > start and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS):
        cut -= 1
    return cut


def _next_cut(text: str, start: int, limit: int) -> int:
    """Where the piece starting at ``start`` ends (exclusive), for ``len(text) - start > limit``.

    Prefers the last sentence end in the second half of the window, then the last
    whitespace anywhere in it, then a hard cut at the limit.
    """
    last_space = -1
    last_sentence = -1
    half = start + limit // 2
    # A cut at ``c`` keeps text[start:c]; it is clean when text[c] is whitespace.
    for cut in range(start + limit, start, -1):
        if not text[cut].isspace() or text[cut - 1].isspace():
            continue
        if last_space < 0:
            last_space = cut
        if cut >= half and _is_sentence_end(text, cut):
            last_sentence = cut
            break
        if cut < half and last_space >= 0:
            break
    if last_sentence > 0:
        return last_sentence
    if last_space > 0:
        return last_space
    return _hard_cut(text, start, limit)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, in order.

    A split falls, in order of preference, after a sentence end (``.``, ``!``, ``?``,
    ``;``, ``:``, possibly followed by a closing quote or bracket) or a line break in
    the second half of the window, else at the last whitespace in the window, else
    (one unbroken run of more than ``limit`` characters, such as a long URL) exactly at
    the limit, never inside a combining-character sequence. The whitespace run at a
    split is left out, so no piece starts or ends with whitespace at a split; every
    other character is kept (whitespace at the very start of ``text`` too, unless it
    is a run longer than ``limit``, which is treated as a split).

    Args:
        text: The text to split.
        limit: Most characters per piece (at least 2).

    Returns:
        The pieces: ``[text]`` when it fits; otherwise non-empty pieces.

    Raises:
        ValueError: When ``limit`` is below 2.
    """
    if limit < 2:
        msg = f"limit must be at least 2, got {limit}."
        raise ValueError(msg)
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = _next_cut(text, start, limit)
        piece = text[start:cut]
        if piece.strip():
            pieces.append(piece)
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        rest = text[start:]
        if rest.strip() or not pieces:
            pieces.append(rest)
    if not pieces:  # whitespace only, longer than the limit: keep what fits, never nothing
        pieces.append(text[:limit])
    return pieces


def unsplit(pieces: Sequence[str], original: str) -> str:
    """Put pieces back together with the whitespace the split removed, taken from ``original``.

    Used by tests and by anyone who wants to check a split: it raises instead of
    guessing when the pieces are not the original's characters in order.

    Args:
        pieces: Output of :func:`split_text` on ``original``.
        original: The text that was split.

    Returns:
        ``original`` (rebuilt from the pieces and the dropped whitespace).

    Raises:
        ValueError: When a piece is empty or not where it should be in ``original``,
            or when anything but whitespace was left out.
    """
    rebuilt: list[str] = []
    position = 0
    for number, piece in enumerate(pieces):
        if not piece and len(pieces) > 1:
            msg = f"piece {number} is empty."
            raise ValueError(msg)
        gap_end = position
        if not original.startswith(piece, gap_end):
            while gap_end < len(original) and original[gap_end].isspace():
                gap_end += 1
        if not original.startswith(piece, gap_end):
            msg = f"piece {number} is not at position {gap_end} of the original text."
            raise ValueError(msg)
        rebuilt.append(original[position:gap_end])
        rebuilt.append(piece)
        position = gap_end + len(piece)
    tail = original[position:]
    if tail.strip():
        msg = f"characters after position {position} were lost: {tail[:40]!r}."
        raise ValueError(msg)
    rebuilt.append(tail)
    return "".join(rebuilt)
