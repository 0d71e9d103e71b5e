"""Read a DataForSEO postback: the gzip JSON that the API POSTs when a task is done.

``parse_postback`` turns the body into the same ``AIMessage`` that collecting the task
with ``task_get`` gives. It accepts gzip (detected by its magic bytes, whatever the
headers say) or plain JSON, caps the decompressed size (a gzip bomb is refused, not
inflated), and raises :class:`DataForSEOPostbackError` for anything malformed. Treat a
postback as an untrusted trigger: DataForSEO does not sign it.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Final

from langchain_core.messages import AIMessage

from langchain_dataforseo._constants import ENGINES
from langchain_dataforseo._envelope import (
    as_dict,
    as_list,
    check_envelope,
    first_result,
    first_task,
)
from langchain_dataforseo._results import task_to_message
from langchain_dataforseo.errors import DataForSEOPostbackError, DataForSEOResponseError

__all__ = ["DEFAULT_MAX_BYTES", "DataForSEOPostbackError", "decompress_capped", "parse_postback"]

DEFAULT_MAX_BYTES: Final = 16 * 1024 * 1024
"""Default cap on a postback body, compressed and decompressed (16 MiB)."""
_GZIP_MAGIC: Final = b"\x1f\x8b"


def decompress_capped(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Gunzip ``body`` if it is gzip, refusing to inflate past ``max_bytes``.

    Args:
        body: The raw request body.
        max_bytes: Largest body accepted, before and after decompression.

    Returns:
        The JSON bytes.

    Raises:
        DataForSEOPostbackError: Too large, or broken gzip.
    """
    if len(body) > max_bytes:
        msg = f"Postback body is {len(body)} bytes; the cap is {max_bytes}."
        raise DataForSEOPostbackError(msg)
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
        raise DataForSEOPostbackError(msg)
    if not inflater.eof:
        msg = "Postback gzip body is truncated."
        raise DataForSEOPostbackError(msg)
    return data


def _engine_of(task: dict[str, Any], given: str | None) -> str:
    path = [p for p in as_list(task.get("path")) if isinstance(p, str)]
    for candidate in (given, as_dict(task.get("data")).get("se"), *path):
        if isinstance(candidate, str) and candidate in ENGINES:
            return candidate
    return given or ""


def parse_postback(
    body: bytes, *, engine: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> AIMessage:
    """Turn a postback body into the ``AIMessage`` that ``task_get`` would give.

    Args:
        body: The raw POST body (gzip JSON, or plain JSON).
        engine: The engine, when the body does not say (it usually does, in ``path``).
        max_bytes: Cap on the body, compressed and decompressed.

    Returns:
        The answer, with its sources, fan-out queries, usage and the net Standard cost.

    Raises:
        DataForSEOPostbackError: The body is too large, not gzip/JSON, or not an envelope.
        DataForSEOError: The envelope reports a failed task (with its code and task id).
    """
    data = decompress_capped(body, max_bytes)
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
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
