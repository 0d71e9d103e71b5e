"""Pingback / postback delivery (reference §7), restricted to loopback hosts.

The emulator must never send traffic off the machine: URLs whose host is not ``localhost`` or
a loopback IP literal are refused without any network activity (the delivery counts as failed,
so the task shows up in ``tasks_ready``). Proxies from the environment and redirects are
ignored/refused for the same reason.
"""

from __future__ import annotations

import gzip
import ipaddress
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["Delivery", "deliver", "is_loopback_url", "substitute"]


def substitute(url: str, task_id: str, tag: str | None) -> str:
    """Replace ``$id`` and ``$tag`` (URL-encoded) in a callback URL; ``#`` becomes ``%23``.

    Args:
        url: The URL as sent in the task.
        task_id: The task id.
        tag: The task tag (``None`` -> empty string).

    Returns:
        The URL to call.
    """
    url = url.replace("#", "%23")
    return url.replace("$id", task_id).replace("$tag", urllib.parse.quote(tag or "", safe=""))


def is_loopback_url(url: str) -> bool:
    """Tell whether a URL targets this machine over http(s).

    Args:
        url: The URL.

    Returns:
        ``True`` for ``http(s)://localhost`` or a loopback IP literal.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class Delivery:
    """Outcome of one callback.

    Attributes:
        kind: ``pingback`` or ``postback``.
        url: The URL called (after substitution).
        delivered: Whether the receiver answered 2xx.
        http_status: The receiver's HTTP status, if any.
        error: Why delivery failed, if it did.
    """

    kind: str
    url: str
    delivered: bool
    http_status: int | None = None
    error: str | None = None


def deliver(kind: str, url: str, body: bytes | None, timeout: float) -> Delivery:
    """Send one pingback (GET) or postback (gzip-compressed JSON POST).

    Args:
        kind: ``pingback`` or ``postback``.
        url: Target URL (already substituted).
        body: The JSON envelope for a postback; ignored for a pingback.
        timeout: Seconds allowed.

    Returns:
        The outcome.
    """
    if not is_loopback_url(url):
        return Delivery(kind, url, False, error="refused: not a loopback host")
    if kind == "postback":
        request = urllib.request.Request(  # noqa: S310 - scheme checked by is_loopback_url
            url,
            data=gzip.compress(body or b""),
            method="POST",
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    else:
        request = urllib.request.Request(url, method="GET")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read()
    except urllib.error.HTTPError as exc:
        return Delivery(kind, url, False, http_status=exc.code, error=f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return Delivery(kind, url, False, error=type(exc).__name__)
    return Delivery(kind, url, 200 <= status < 300, http_status=status)
