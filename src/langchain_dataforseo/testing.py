"""Record and replay DataForSEO calls with vcrpy, so chains can be tested offline and free.

Needs the ``test`` extra (``pip install "langchain-dataforseo[test]"``); nothing here is
imported by the package itself. Cassettes match on method, path, query and body (not on
the host), so a cassette recorded against the local emulator, the sandbox or the live API
replays with any ``base_url``; credentials and response headers are never written.

The record mode comes from ``DATAFORSEO_VCR_RECORD_MODE`` and defaults to ``"none"``
(replay only): a missing cassette fails loudly instead of reaching for the network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from langchain_dataforseo._api.redact import redact_callback_urls_in_json

RECORD_MODE_ENV = "DATAFORSEO_VCR_RECORD_MODE"
"""Environment variable with the vcrpy record mode (``none``, ``once``, ``all``, ...)."""

_KEPT_REQUEST_HEADERS = frozenset({"content-type", "accept"})
_KEPT_RESPONSE_HEADERS = frozenset({"content-type"})


def record_mode() -> str:
    """The record mode from ``DATAFORSEO_VCR_RECORD_MODE``, default ``"none"`` (replay only)."""
    return os.environ.get(RECORD_MODE_ENV, "none") or "none"


def _redacted_body(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        try:
            return redact_callback_urls_in_json(bytes(body).decode()).encode()
        except UnicodeDecodeError:
            return body
    if isinstance(body, str):
        return redact_callback_urls_in_json(body)
    return body


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() not in _KEPT_REQUEST_HEADERS:
            del request.headers[name]
    if request.body:
        request.body = _redacted_body(request.body)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    response["headers"] = {
        name: value for name, value in headers.items() if name.lower() in _KEPT_RESPONSE_HEADERS
    }
    body = response.get("body")
    if isinstance(body, dict) and body.get("string"):
        body["string"] = _redacted_body(body["string"])
    return response


def vcr_config(mode: str | None = None) -> dict[str, Any]:
    """The vcrpy settings this project records with (also a pytest-recording ``vcr_config``).

    Args:
        mode: Record mode; defaults to :func:`record_mode`.

    Returns:
        Keyword arguments for ``vcr.VCR().use_cassette``.
    """
    return {
        "record_mode": mode or record_mode(),
        "match_on": ["method", "path", "query", "body"],
        "filter_headers": ["authorization", "cookie", "x-api-key", "api-key"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
        "serializer": "yaml",
    }


def use_cassette(path: str | Path, mode: str | None = None) -> Any:
    """Context manager that records to, or replays from, one cassette file.

    Args:
        path: The cassette file (``.yaml``).
        mode: Record mode; defaults to :func:`record_mode`.

    Returns:
        vcrpy's cassette context manager.

    Raises:
        ImportError: When vcrpy is not installed.
    """
    try:
        import vcr  # type: ignore[import-untyped]  # optional test dependency, imported on use
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = (
            'Replaying cassettes needs vcrpy: pip install "langchain-dataforseo[examples]"'
            " (or [test])."
        )
        raise ImportError(msg) from exc
    return vcr.VCR().use_cassette(str(path), **vcr_config(mode))
