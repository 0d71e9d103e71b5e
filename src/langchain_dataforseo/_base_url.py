"""Where calls may go: the base URL's safety checks and the endpoints' parsed URLs.

Credentials travel only over https, or over plain http to a loopback host (the local
emulator); a URL carrying a user or password is refused, and never shown with it.
"""

from __future__ import annotations

import functools
import ipaddress
import socket

import httpx

from langchain_dataforseo.errors import DataForSEOInputError

_API_PREFIX = "/v3/ai_optimization"


def is_loopback_host(host: str) -> bool:
    """Tell whether a host name or address is on this machine (loopback).

    Args:
        host: A host name or an IP address, with or without brackets.

    Returns:
        True for ``localhost``, addresses in 127.0.0.0/8 or ``::1``, and other
        ``*.localhost`` names only when every address they resolve to is loopback (a
        resolver may send such a name anywhere).
    """
    name = host.strip("[]").lower().rstrip(".")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    if name == "localhost":
        return True
    if not name.endswith(".localhost"):
        return False
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses
    )


def redact_url(url: str) -> str:
    """The URL with any password (or user) it carries replaced by ``***``.

    Args:
        url: A URL as given.

    Returns:
        The URL, safe to show.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        rest, scheme = url, ""
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    host = authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}***@{host}{slash}{path}"


@functools.lru_cache(maxsize=64)
def check_base_url(base_url: str) -> str:
    """Refuse a base URL that would send credentials in clear over the network.

    Args:
        base_url: The API root, e.g. ``https://api.dataforseo.com``.

    Returns:
        The base URL without a trailing slash.

    Raises:
        DataForSEOInputError: For a scheme other than https, except plain http to a
            loopback host (the local emulator); or a URL carrying a user or password
            (give them as ``login`` / ``password``). The message never shows a password.
    """
    shown = redact_url(base_url)
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = httpx.URL("invalid:")
    if url.userinfo:
        msg = (
            f"base_url={shown!r} is refused: it carries a user or password. Give the "
            "credentials as login= and password= (or DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)."
        )
        raise DataForSEOInputError(msg, field="base_url", limit="no user info", actual=shown)
    if url.scheme == "https" and url.host:
        return base_url.rstrip("/")
    if url.scheme == "http" and url.host and is_loopback_host(url.host):
        return base_url.rstrip("/")
    msg = (
        f"base_url={shown!r} is refused: credentials are sent only over https, or over "
        "plain http to a loopback host (127.0.0.1, ::1, localhost) such as the local "
        "emulator."
    )
    raise DataForSEOInputError(msg, field="base_url", limit="https or loopback http", actual=shown)


def endpoint_url(base_url: str, engine: str, function: str) -> httpx.URL:
    """The parsed URL of one endpoint; fixed endpoints are parsed once, then reused.

    Args:
        base_url: The API root (checked by :func:`check_base_url`).
        engine: Engine path segment (``chat_gpt``).
        function: Endpoint below ``llm_responses`` (``live``, ``task_get/<id>``).

    Returns:
        The absolute URL (httpx skips parsing a ready ``httpx.URL``). Per-task URLs
        (``task_get/<id>``) are not cached: each is used about once.

    Raises:
        DataForSEOInputError: When the base URL is refused.
    """
    if "/" in function:
        return _parse_endpoint_url(base_url, engine, function)
    return _fixed_endpoint_url(base_url, engine, function)


def _parse_endpoint_url(base_url: str, engine: str, function: str) -> httpx.URL:
    base = check_base_url(base_url)
    return httpx.URL(f"{base}{_API_PREFIX}/{engine}/llm_responses/{function}")


_fixed_endpoint_url = functools.lru_cache(maxsize=128)(_parse_endpoint_url)
