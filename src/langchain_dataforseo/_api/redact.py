"""Hide what a callback URL may carry: the receiver's shared secret, or userinfo.

A ``pingback_url`` / ``postback_url`` usually carries the secret that lets the receiver
tell DataForSEO's calls from forged ones (``...?secret=<it>&id=$id``). It must not reach a
repr, response metadata, a log line, a cassette or a stored task. These pure functions
replace every query value (but the ``$id`` / ``$tag`` placeholders the API fills in) and
any userinfo; for what is stored, every path segment as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

REDACTED: Final = "REDACTED"
"""What stands in place of a hidden value."""

_PLACEHOLDERS: Final = frozenset({"$id", "$tag"})
_CALLBACK_FIELDS: Final = ("pingback_url", "postback_url")
_CALLBACK_IN_JSON: Final = re.compile(r'("(?:pingback_url|postback_url)"\s*:\s*")([^"]*)(")')


def redact_url(url: str, *, hide_path: bool = False) -> str:
    """``url`` with every query value (but ``$id`` / ``$tag``) and its userinfo hidden.

    Args:
        url: A callback URL as the user gave it.
        hide_path: Hide every path segment too (but ``$id`` / ``$tag``), for a secret
            kept in the path (``/postback/<secret>/$id``); the fragment goes as well.

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
    path, fragment = parts.path, parts.fragment
    if hide_path:
        path = "/".join(s if s in _PLACEHOLDERS or not s else REDACTED for s in path.split("/"))
        fragment = REDACTED if fragment else ""
    return urlunsplit((parts.scheme, netloc, path, "&".join(pairs), fragment))


def redact_stored_task(task: Mapping[str, Any]) -> Mapping[str, Any]:
    """``task`` with the callback URLs its ``data`` echoes hidden, path included.

    DataForSEO echoes the ``pingback_url`` / ``postback_url`` a task was posted with in
    the task's ``data`` (in ``task_get`` answers and in postbacks alike); a store must not
    keep the receiver's secret they carry.

    Args:
        task: A raw task object.

    Returns:
        A copy with each such URL through :func:`redact_url` (``hide_path=True``), or
        ``task`` itself when its ``data`` has none.
    """
    data = task.get("data")
    if not isinstance(data, Mapping):
        return task
    urls = {name: data[name] for name in _CALLBACK_FIELDS if isinstance(data.get(name), str)}
    if not urls:
        return task
    hidden = {name: redact_url(url, hide_path=True) for name, url in urls.items()}
    return {**task, "data": {**data, **hidden}}


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
