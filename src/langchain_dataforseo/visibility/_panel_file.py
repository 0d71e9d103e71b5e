"""Where a field is in a panel file: the line a ``PanelFileError`` names (best effort)."""

from __future__ import annotations

import re


def field_line(text: str, dotted: str, *, toml: bool) -> int | None:
    """Best-effort line (1-based) of a dotted field in a TOML or JSON text.

    Each part of the path is searched for as a key (``key =`` or a ``[table]`` header in
    TOML, ``"key":`` in JSON) after the line of the previous part. A list index picks the
    matching ``[[table]]`` header in TOML, and the matching occurrence of the next key in
    JSON (``competitors[1].domains`` is the second ``"domains"`` after ``"competitors"``).

    Args:
        text: The file's text.
        dotted: The field, e.g. ``engines.chat_gpt`` or ``competitors[1].domains[0]``.
        toml: Whether the text is TOML.

    Returns:
        The line of the deepest part found, or ``None``.
    """
    parts = [(m.group(1), m.group(2)) for m in re.finditer(r"([^.\[\]]+)(?:\[(\d+)\])?", dotted)]
    lines = text.splitlines()
    start, found, carry = 0, None, 1
    for key, index in parts:
        name = re.escape(key)
        occurrence, carry_next = carry, 1
        if toml:
            header = re.compile(rf"^\s*\[\[\s*(?:[\w.-]+\.)?{name}\s*\]\]")
            if index is not None and any(header.search(line) for line in lines[start:]):
                pattern = header
                occurrence = int(index) + 1
            else:
                pattern = re.compile(
                    rf"^\s*(?:{name}\s*=|\[\s*(?:[\w.-]+\.)?{name}(?:\.[\w.-]+)?\s*\])"
                    rf"|[{{,]\s*{name}\s*="
                )
        else:
            pattern = re.compile(rf'"{name}"\s*:')
            if index is not None:
                carry_next = int(index) + 1
        seen = 0
        for number in range(start, len(lines)):
            if pattern.search(lines[number]):
                seen += 1
                if seen == occurrence:
                    found, start = number + 1, number
                    break
        else:
            break
        carry = carry_next
    return found
