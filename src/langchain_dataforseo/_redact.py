"""Hide what a callback URL may carry: the receiver's shared secret, or userinfo.

A ``pingback_url`` / ``postback_url`` usually carries the secret that lets the receiver
tell DataForSEO's calls from forged ones (``...?secret=<it>&id=$id``). It must not reach a
repr, response metadata, a log line or a cassette. These pure functions replace every
query value (but the ``$id`` / ``$tag`` placeholders the API fills in) and any userinfo.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit, urlunsplit

REDACTED: Final = "REDACTED"
"""What stands in place of a hidden value."""

_PLACEHOLDERS: Final = frozenset({"$id", "$tag"})
_CALLBACK_IN_JSON: Final = re.compile(r'("(?:pingback_url|postback_url)"\s*:\s*")([^"]*)(")')


def redact_url(url: str) -> str:
    """``url`` with every query value (but ``$id`` / ``$tag``) and its userinfo hidden.

    Args:
        url: A callback URL as the user gave it.

    Returns:
        The URL with the same shape: scheme, host, port, path and parameter names kept.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        name, sep, value = pair.partition("=")
        pairs.append(f"{name}{sep}{value if value in _PLACEHOLDERS or not sep else REDACTED}")
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))


def redact_callback_urls_in_json(text: str) -> str:
    """Hide the secrets of every ``pingback_url`` / ``postback_url`` in a JSON text.

    For cassettes: the request body carries the URLs, and the API echoes them back in
    each task's ``data``.

    Args:
        text: A JSON document as text (escaped slashes included).

    Returns:
        The same text with each such URL passed through :func:`redact_url`.
    """

    def hide(match: re.Match[str]) -> str:
        url = match.group(2).replace("\\/", "/")
        return f"{match.group(1)}{redact_url(url)}{match.group(3)}"

    return _CALLBACK_IN_JSON.sub(hide, text)
