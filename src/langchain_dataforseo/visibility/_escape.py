"""Text from a user or the API made inert in the files a run is exported to. Pure functions.

- :func:`escape_markdown`: for the Markdown summary. Panel and brand names, cited domains
  and anything else that came from a panel file, a store or an answer are shown as the text
  they are: no HTML (``<img onerror=...>`` becomes ``&lt;img onerror=...&gt;``), no link,
  image, emphasis, code span or heading, no ``|`` that splits a table cell, no line break,
  and no bare ``https://`` or ``www.`` that a GFM renderer would turn into a link.
- :func:`spreadsheet_safe`: for CSV cells. A text cell that a spreadsheet would read as a
  formula (OWASP's CSV-injection rule: it starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return) gets a leading ``'``; numbers stay numbers.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""How a CSV cell a spreadsheet could run as a formula starts (OWASP, "CSV Injection")."""

_ENTITIES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED: Final = frozenset("\\`*_[](){}|~!#")
"""Characters with an inline meaning in CommonMark or GFM (all ASCII punctuation, so a
backslash makes each one literal). ``_`` between two letters or digits is left alone: it
cannot open or close emphasis there, and ``chat_gpt`` stays readable."""
_LINE_START: Final = frozenset("-+=")


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: it renders as itself, on one line, in a paragraph or cell.

    ``&``, ``<`` and ``>`` become HTML entities (so no raw HTML and no ``<autolink>``);
    Markdown punctuation (backslash, backticks, ``*``, ``_``, brackets, parentheses,
    braces, ``|``, ``~``, ``!``, ``#``) gets a backslash; line breaks become spaces; a
    leading ``-``, ``+``, ``=`` or ``1.`` / ``1)`` is escaped (no list, no underline); and
    the ``:`` of ``://`` and the ``.`` of ``www.`` get a backslash, so that GFM's autolink
    extension shows a URL as text, never as a link.

    Args:
        text: Any text from a user or the API.

    Returns:
        Markdown whose rendering is ``text`` (line breaks as spaces).
    """
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    out: list[str] = []
    last = len(flat) - 1
    for index, char in enumerate(flat):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char == "_" and 0 < index < last and flat[index - 1].isalnum():
            out.append("_" if flat[index + 1].isalnum() else "\\_")
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        elif char == ":" and flat.startswith("//", index + 1):
            out.append("\\:")
        elif char == "." and index >= 3 and flat[index - 3 : index].lower() == "www":
            out.append("\\.")
        else:
            out.append(char)
    escaped = "".join(out)
    stripped = escaped.lstrip(" ")
    indent = escaped[: len(escaped) - len(stripped)]
    if stripped[:1] in _LINE_START:
        return f"{indent}\\{stripped}"
    digits = len(stripped) - len(stripped.lstrip("0123456789"))
    if digits and stripped[digits : digits + 1] in (".", ")"):
        return f"{indent}{stripped[:digits]}\\{stripped[digits:]}"
    return escaped


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet reads as data, never as a formula.

    A string starting with one of :data:`FORMULA_STARTS` gets a leading ``'`` (OWASP's
    CSV-injection rule); anything else, numbers included (``-0.5`` stays a number), is
    returned as it is.

    Args:
        value: The cell.

    Returns:
        The cell, neutralised when it is text that would start a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
