"""Reading a panel file (UTF-8 JSON or TOML, bounded) and where a field is in it.

:func:`read_panel_data` reads the file as UTF-8 (with or without a byte-order mark; any
other encoding is refused, naming the byte), parses it, and walks the result once
(iteratively) to refuse what would break later with a traceback: nesting deeper than
:data:`MAX_PANEL_DEPTH`, and text with a lone surrogate (a JSON escape of a code point
from U+D800 to U+DFFF), which neither SQLite nor UTF-8 can store. :func:`field_line`
finds the line an error names.
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
import tomllib
from pathlib import Path
from typing import Any, Final

from langchain_dataforseo.visibility._errors import PanelFileError

MAX_PANEL_DEPTH: Final = 32
"""Most levels of nested tables / lists in a panel file (a real panel uses 4)."""
_UTF16_32: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_ONLY_UTF8: Final = "panel files must be UTF-8 (with or without a byte-order mark)"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def decode_panel(raw: bytes) -> str:
    """The text of a panel file: UTF-8, an optional UTF-8 byte-order mark dropped.

    Args:
        raw: The file's bytes.

    Returns:
        The text.

    Raises:
        ValueError: Another encoding (UTF-16 / UTF-32 by their byte-order mark or NUL
            bytes, else the first byte that is not UTF-8, with its line and column).
    """
    for bom, name in _UTF16_32:
        if raw.startswith(bom):
            msg = f"the file is {name} (it starts with a {name} byte-order mark); {_ONLY_UTF8}."
            raise ValueError(msg)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if b"\x00" in raw:
            msg = f"the file has NUL bytes (UTF-16 or UTF-32 text?); {_ONLY_UTF8}."
            raise ValueError(msg) from None
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        msg = (
            f"byte 0x{raw[error.start]:02X} at line {line}, column {column} is not UTF-8 "
            f"(Latin-1 or Windows-1252 text?); {_ONLY_UTF8}."
        )
        raise ValueError(msg) from None


def data_problem(data: Any, max_depth: int = MAX_PANEL_DEPTH) -> tuple[str, str] | None:
    """The first field too deep, or text with a lone surrogate, in parsed data.

    Walks the data iteratively (no recursion), keys and values alike.

    Args:
        data: What ``json`` or ``tomllib`` returned.
        max_depth: Most levels of nested tables and lists.

    Returns:
        ``(dotted field, sentence)``, or ``None`` when the data is sound.
    """
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        where, value, depth = stack.pop()
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found is not None:
                code = ord(found.group())
                return where or "panel", (
                    f"{where or 'the panel'} has a lone surrogate (U+{code:04X}) at character "
                    f"{found.start()}: it is not a character and cannot be stored as UTF-8."
                )
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= max_depth:
            return where or "panel", (
                f"{where or 'the panel'} is nested deeper than {max_depth} levels of tables "
                "and lists."
            )
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                stack.append((name, item, depth + 1))
                stack.append((where or "panel", str(key), depth))  # the key, checked first
        else:
            stack.extend((f"{where}[{i}]", item, depth + 1) for i, item in enumerate(value))
    return None


def read_panel_data(file: Path) -> tuple[str, bool, Any]:
    """Read and parse a panel file: TOML (``.toml``) or JSON (any other suffix).

    Args:
        file: The file.

    Returns:
        ``(text, is_toml, data)``.

    Raises:
        PanelFileError: Unreadable, not UTF-8, a syntax error (with the parser's line),
            nested too deeply, or a lone surrogate; naming the file and the problem.
    """
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise PanelFileError(
            f"cannot read the panel file: {error.strerror or error}", path=file, field="file"
        ) from error
    try:
        text = decode_panel(raw)
    except ValueError as error:
        raise PanelFileError(str(error), path=file, field="file") from error
    toml = file.suffix.lower() == ".toml"
    try:
        data: Any = tomllib.loads(text) if toml else json.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = getattr(error, "lineno", None) or (int(found.group(1)) if found else None)
        msg = f"invalid TOML: {error}"
        raise PanelFileError(msg, path=file, field="file", line=line) from error
    except json.JSONDecodeError as error:
        raise PanelFileError(
            f"invalid JSON: {error.msg} (column {error.colno})",
            path=file,
            field="file",
            line=error.lineno,
        ) from error
    except RecursionError:
        msg = f"nested too deeply to read (a panel has at most {MAX_PANEL_DEPTH} levels)."
        raise PanelFileError(msg, path=file, field="file", limit=MAX_PANEL_DEPTH) from None
    problem = data_problem(data)
    if problem is not None:
        field, said = problem
        line = field_line(text, field, toml=toml)
        raise PanelFileError(said, path=file, field=field, line=line)
    return text, toml, data


def field_line(text: str, dotted: str, *, toml: bool) -> int | None:
    """Best-effort line (1-based) of a dotted field in a TOML or JSON text.

    Each part of the path is searched for as a key (``key =`` or a ``[table]`` header in
    TOML, ``"key":`` in JSON) after the line of the previous part. A list index picks the
    matching ``[[table]]`` header in TOML, and otherwise the element's own line in the
    list written after the key (``prompts[2]`` is the line of the third prompt of a
    multi-line list; ``competitors[1].domains`` is searched from the second competitor on).

    Args:
        text: The file's text.
        dotted: The field, e.g. ``engines.chat_gpt`` or ``competitors[1].domains[0]``.
        toml: Whether the text is TOML.

    Returns:
        The line of the deepest part found, or ``None``.
    """
    parts = [(m.group(1), m.group(2)) for m in re.finditer(r"([^.\[\]]+)(?:\[(\d+)\])?", dotted)]
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    start, found, occurrence = 0, None, 1
    for key, index in parts:
        name = re.escape(key)
        inline = index is not None
        if toml:
            header = re.compile(rf"^\s*\[\[\s*(?:[\w.-]+\.)?{name}\s*\]\]")
            if index is not None and any(header.search(line) for line in lines[start:]):
                pattern, occurrence, inline = header, int(index) + 1, False
            else:
                pattern = re.compile(
                    rf"^\s*(?:{name}\s*=|\[\s*(?:[\w.-]+\.)?{name}(?:\.[\w.-]+)?\s*\])"
                    rf"|[{{,]\s*{name}\s*="
                )
        else:
            pattern = re.compile(rf'"{name}"\s*:')
        seen, match = 0, None
        for number in range(start, len(lines)):
            match = pattern.search(lines[number])
            if match is not None:
                seen += 1
                if seen == occurrence:
                    found, start = number + 1, number
                    break
        else:
            break
        occurrence = 1
        if inline and index is not None:
            element = element_start(text, offsets[start] + match.end(), int(index), toml=toml)
            if element is None:
                break
            start = bisect.bisect_right(offsets, element) - 1
            found = start + 1
    return found


def element_start(text: str, at: int, index: int, *, toml: bool) -> int | None:
    """Offset of element ``index`` of the list that starts at ``at`` (after blanks), or None.

    Strings (with escapes, and TOML's literal and multi-line strings), nested lists and
    tables, and TOML comments are skipped as wholes.
    """
    position = _skip_blanks(text, at, toml=toml)
    if position >= len(text) or text[position] != "[":
        return None
    position += 1
    count = 0
    while True:
        position = _skip_blanks(text, position, toml=toml)
        if position >= len(text) or text[position] == "]":
            return None
        if text[position] == ",":
            position += 1
            continue
        if count == index:
            return position
        count += 1
        position = _skip_value(text, position, toml=toml)


def _skip_blanks(text: str, position: int, *, toml: bool) -> int:
    """The offset after whitespace (and TOML comments) from ``position``."""
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif toml and char == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        else:
            break
    return position


def _skip_string(text: str, position: int) -> int:
    """The offset after the string that starts at ``position``."""
    quote = text[position]
    if text.startswith(quote * 3, position):
        end = text.find(quote * 3, position + 3)
        if end < 0:
            return len(text)
        end += 3
        while end < len(text) and text[end] == quote:  # up to two quotes end the content
            end += 1
        return end
    position += 1
    while position < len(text) and text[position] != quote:
        position += 2 if quote == '"' and text[position] == "\\" else 1
    return position + 1


def _skip_value(text: str, position: int, *, toml: bool) -> int:
    """The offset after the value (string, list, table or scalar) at ``position``."""
    depth = 0
    while position < len(text):
        char = text[position]
        if char in "\"'":
            position = _skip_string(text, position)
        elif char in "[{":
            depth, position = depth + 1, position + 1
        elif char in "]}":
            if depth == 0:
                return position
            depth, position = depth - 1, position + 1
        elif char == "," and depth == 0:
            return position
        elif toml and char == "#":
            position = _skip_blanks(text, position, toml=True)
        else:
            position += 1
        if depth == 0 and char in "\"']}":
            return position
    return position
