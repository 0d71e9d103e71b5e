"""Read a DataForSEO postback: the gzip JSON that the API POSTs when a task is done.

``parse_postback`` turns the body into the same ``AIMessage`` that collecting the task
with ``task_get`` gives. It accepts gzip (detected by its magic bytes, whatever the
headers say) or plain JSON, caps the decompressed size (a gzip bomb is refused, not
inflated), accepts UTF-8 only (DataForSEO sends UTF-8; UTF-16 or UTF-32 JSON, which
``json.loads`` would decode, could hide its values from the budget), checks a parse
budget (nesting depth and number of values) before any object is built, and raises
:class:`DataForSEOPostbackError` for anything malformed.

DataForSEO does not sign postbacks. Put a secret of your own in the ``postback_url``
(``new_secret``, e.g. ``...?secret=<it>&id=$id&tag=$tag``) and check it with
``secret_matches`` before reading the body; even then, treat a postback as a trigger and
re-fetch with ``collect`` if the result matters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import zlib
from typing import Any, Final

from langchain_core.messages import AIMessage
from pydantic import SecretStr

from langchain_dataforseo._api.envelope import (
    as_dict,
    as_list,
    check_envelope,
    first_result,
    first_task,
)
from langchain_dataforseo._api.fields import ENGINES
from langchain_dataforseo._api.results import task_to_message
from langchain_dataforseo.errors import (
    DataForSEOPostbackError,
    DataForSEOPostbackLimitError,
    DataForSEOResponseError,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_VALUES",
    "MIN_SECRET_LENGTH",
    "DataForSEOPostbackError",
    "DataForSEOPostbackLimitError",
    "check_json_budget",
    "decompress_capped",
    "new_secret",
    "parse_postback",
    "secret_matches",
]

DEFAULT_MAX_BYTES: Final = 16 * 1024 * 1024
"""Default cap on a postback body, compressed and decompressed (16 MiB)."""
DEFAULT_MAX_DEPTH: Final = 64
"""Default cap on the nesting depth of a postback's JSON (a result nests 11 deep)."""
DEFAULT_MAX_VALUES: Final = 100_000
"""Default cap on the number of JSON values in a postback (a result has hundreds)."""
MIN_SECRET_LENGTH: Final = 16
"""Shortest shared secret ``secret_matches`` accepts as the expected one."""
_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_OTHER_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
# Outside strings: the next byte that opens or closes a container, separates values, or
# opens a string. Inside a string: everything up to its closing quote, escapes included
# (possessive, so a long string is skipped in one C-level pass with no backtracking).
_NEXT_TOKEN: Final = re.compile(rb'[\[\]{},"]')
_STRING_BODY: Final = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_OPENERS: Final = frozenset(b"[{")
_CLOSERS: Final = frozenset(b"]}")


def new_secret() -> str:
    """A fresh random secret for a ``postback_url``: 43 URL-safe characters (256 bits).

    Returns:
        The secret (letters, digits, ``-`` and ``_``: nothing DataForSEO would re-encode).
    """
    return secrets.token_urlsafe(32)


def secret_matches(presented: str | None, expected: str | SecretStr) -> bool:
    """Tell whether the secret a request presents is the expected one, in constant time.

    Both sides are hashed with SHA-256 and the digests compared with
    :func:`hmac.compare_digest`, so the time taken depends neither on where the two first
    differ nor on the presented length.

    Args:
        presented: The secret from the request (e.g. its ``secret`` query parameter);
            ``None`` when absent.
        expected: The receiver's secret.

    Returns:
        ``True`` only when ``presented`` equals ``expected``.

    Raises:
        ValueError: ``expected`` is shorter than ``MIN_SECRET_LENGTH`` characters (an empty
            or guessable secret would let forged postbacks in).
    """
    wanted = expected.get_secret_value() if isinstance(expected, SecretStr) else expected
    if len(wanted) < MIN_SECRET_LENGTH:
        msg = (
            f"The postback secret must be at least {MIN_SECRET_LENGTH} characters "
            f"(got {len(wanted)}); use new_secret()."
        )
        raise ValueError(msg)
    given = (presented or "").encode("utf-8", "surrogatepass")
    same = hmac.compare_digest(
        hashlib.sha256(given).digest(), hashlib.sha256(wanted.encode("utf-8")).digest()
    )
    return same and presented is not None


def check_json_budget(
    data: bytes | bytearray,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_values: int = DEFAULT_MAX_VALUES,
) -> None:
    """Refuse JSON that would nest too deep or hold too many values, before parsing it.

    ``json.loads`` builds every object at once and needs many times the body's size for
    small ones (``[{},{},...]`` takes about 25 times its bytes). This scans the bytes
    without building anything, its Python-level work bounded by the budget (strings are
    skipped whole by a regular expression), and stops at the first limit crossed. Values
    are counted as one plus the commas and opening brackets outside strings, which is
    exact except that an empty array or object counts as two. Malformed JSON is not
    diagnosed here (``json.loads`` does that afterwards); it only cannot get past the
    budget.

    The count is exact for UTF-8 only (where every byte below 0x80 is an ASCII
    character); :func:`parse_postback` refuses any other encoding before it gets here.

    Args:
        data: The JSON bytes, UTF-8 (already decompressed).
        max_depth: Deepest nesting of arrays and objects allowed.
        max_values: Most values allowed (objects, arrays and scalars, keys not counted).

    Raises:
        DataForSEOPostbackLimitError: A limit is exceeded (naming it and its value).
        ValueError: ``max_depth`` or ``max_values`` is not positive.
    """
    for name, value in (("max_depth", max_depth), ("max_values", max_values)):
        if value < 1:
            msg = f"{name} must be at least 1 (got {value})."
            raise ValueError(msg)
    depth, values, position, size = 0, 1, 0, len(data)
    while (token := _NEXT_TOKEN.search(data, position)) is not None:
        byte, position = data[token.start()], token.end()
        if byte == 0x22:  # a string: skip to just past its closing quote
            body = _STRING_BODY.match(data, position)
            position = (body.end() if body else position) + 1
            if position > size:
                return  # unterminated: json.loads refuses it
            continue
        if byte in _CLOSERS:
            depth -= 1
            continue
        values += 1
        if byte in _OPENERS:
            depth += 1
            if depth > max_depth:
                msg = (
                    f"Postback JSON nests deeper than {max_depth} levels "
                    f"(max_depth={max_depth}); refused before parsing."
                )
                raise DataForSEOPostbackLimitError(msg, limit_name="max_depth", limit=max_depth)
        if values > max_values:
            msg = (
                f"Postback JSON holds more than {max_values} values "
                f"(max_values={max_values}); refused before parsing."
            )
            raise DataForSEOPostbackLimitError(msg, limit_name="max_values", limit=max_values)


def decompress_capped(
    body: bytes | bytearray, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes | bytearray:
    """Gunzip ``body`` if it is gzip, refusing to inflate past ``max_bytes``.

    Args:
        body: The raw request body (``bytes`` or ``bytearray``).
        max_bytes: Largest body accepted, before and after decompression.

    Returns:
        The JSON bytes (``body`` itself when it is not gzip).

    Raises:
        DataForSEOPostbackLimitError: Too large, compressed or once decompressed.
        DataForSEOPostbackError: Broken gzip.
    """
    if len(body) > max_bytes:
        msg = f"Postback body is {len(body)} bytes; the cap is {max_bytes}."
        raise DataForSEOPostbackLimitError(msg, limit_name="max_bytes", limit=max_bytes)
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        msg = f"Postback body starts like gzip but does not decompress ({exc})."
        raise DataForSEOPostbackError(msg) from exc
    if len(data) > max_bytes or inflater.unconsumed_tail:
        msg = f"Postback body decompresses to more than the cap of {max_bytes} bytes; refused."
        raise DataForSEOPostbackLimitError(msg, limit_name="max_bytes", limit=max_bytes)
    if not inflater.eof:
        msg = "Postback gzip body is truncated."
        raise DataForSEOPostbackError(msg)
    return data


def _refuse_other_encodings(data: bytes | bytearray) -> None:
    """Refuse a UTF-16/32 byte order mark or a NUL byte, without decoding anything."""
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            msg = (
                f"Postback body is {name} (byte order mark), not JSON in UTF-8; only "
                "UTF-8 JSON is accepted."
            )
            raise DataForSEOPostbackError(msg)
    nul = data.find(b"\x00")
    if nul >= 0:
        msg = (
            f"Postback body is not JSON in UTF-8: a NUL byte at offset {nul} (UTF-16 or "
            "UTF-32?); only UTF-8 JSON is accepted."
        )
        raise DataForSEOPostbackError(msg)


def _utf8_json_text(data: bytes | bytearray) -> str:
    """The body as text, refusing anything but UTF-8 (a UTF-8 byte order mark is dropped).

    ``json.loads`` on bytes also decodes UTF-16 and UTF-32, whose bytes
    :func:`check_json_budget` cannot count (a character such as U+2222 holds a quote
    byte): a 15 MiB UTF-16 body could carry millions of values past the budget.
    DataForSEO sends UTF-8, so anything else is refused before it is parsed.

    Args:
        data: The decompressed body.

    Returns:
        The decoded text.

    Raises:
        DataForSEOPostbackError: A UTF-16/UTF-32 byte order mark, a NUL byte (JSON has
            none in UTF-8: UTF-16/32 without a mark has many), or bytes that are not UTF-8.
    """
    _refuse_other_encodings(data)
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as exc:
        where = start + exc.start
        msg = (
            f"Postback body is not JSON in UTF-8: byte {where} is not UTF-8; only UTF-8 "
            "JSON is accepted."
        )
        raise DataForSEOPostbackError(msg) from None


def _engine_of(task: dict[str, Any], given: str | None) -> str:
    path = [p for p in as_list(task.get("path")) if isinstance(p, str)]
    for candidate in (given, as_dict(task.get("data")).get("se"), *path):
        if isinstance(candidate, str) and candidate in ENGINES:
            return candidate
    return given or ""


def parse_postback(
    body: bytes | bytearray,
    *,
    engine: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_values: int = DEFAULT_MAX_VALUES,
) -> AIMessage:
    """Turn a postback body into the ``AIMessage`` that ``task_get`` would give.

    Args:
        body: The raw POST body (gzip JSON, or plain JSON); a ``bytearray`` is read in place.
        engine: The engine, when the body does not say (it usually does, in ``path``).
        max_bytes: Cap on the body, compressed and decompressed.
        max_depth: Cap on the JSON nesting depth (see :func:`check_json_budget`).
        max_values: Cap on the number of JSON values (see :func:`check_json_budget`).

    Returns:
        The answer, with its sources, fan-out queries, usage and the net Standard cost.

    Raises:
        DataForSEOPostbackLimitError: The body is over a size or parse budget.
        DataForSEOPostbackError: The body is not gzip/JSON, not UTF-8 (see
            :func:`_utf8_json_text`), or not an envelope.
        DataForSEOError: The envelope reports a failed task (with its code and task id).
    """
    data = decompress_capped(body, max_bytes)
    _refuse_other_encodings(data)  # before the bytes are scanned: the count needs UTF-8
    check_json_budget(data, max_depth=max_depth, max_values=max_values)
    text = _utf8_json_text(data)  # the budget was counted on exactly these bytes
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        msg = f"Postback body is not JSON ({len(data)} bytes)."
        raise DataForSEOPostbackError(msg) from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("tasks"), list):
        msg = "Postback body is JSON but not a DataForSEO envelope (no 'tasks' list)."
        raise DataForSEOPostbackError(msg)
    envelope = check_envelope(200, parsed, size=len(data), where="postback")
    try:
        task = first_task(envelope, where="postback")
        first_result(task, where="postback")
    except DataForSEOResponseError as exc:
        msg = f"Postback envelope holds no readable result: {exc}"
        raise DataForSEOPostbackError(msg) from exc
    return task_to_message(task, engine=_engine_of(task, engine), method="standard")
