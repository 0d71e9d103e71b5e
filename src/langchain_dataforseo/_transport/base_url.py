"""Where calls may go: the base URL's safety checks and the endpoints' parsed URLs.

Credentials travel only over https, or over plain http to a loopback host (the local
emulator); a URL carrying a user or password is refused when the object that takes it is
built (so no repr, dump or error can show it), and never shown with it.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import socket
from typing import Final

import httpx

from langchain_dataforseo._api.fields import ENV_BASE_URL, LLM_RESPONSES
from langchain_dataforseo.errors import DataForSEOInputError

_AUTHORITY_END: Final = re.compile(r"[/?#]")

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


def _split(url: str) -> tuple[str, str, str]:
    """``url`` as its scheme with ``://``, its authority and the rest (cut where httpx cuts)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        rest, scheme = url, ""
    end = _AUTHORITY_END.search(rest)
    if end is None:
        return scheme + sep, rest, ""
    return scheme + sep, rest[: end.start()], rest[end.start() :]


def redact_url(url: str) -> str:
    """The URL with any password (or user) it carries replaced by ``***``.

    Args:
        url: A URL as given.

    Returns:
        The URL, safe to show.
    """
    start, authority, rest = _split(url)
    if "@" not in authority:
        return url
    return f"{start}***@{authority.rsplit('@', 1)[1]}{rest}"


def refuse_credentials(base_url: str | None) -> None:
    """Refuse a base URL that carries a user or password, before anything keeps it.

    Called when a model, tool, retriever, loader or client is built, so that the URL
    never reaches a repr, ``dumpd``, ``model_dump_json`` or an error message.

    Args:
        base_url: The base URL as given; ``None`` checks ``DATAFORSEO_BASE_URL``.

    Raises:
        DataForSEOInputError: The URL has userinfo (``https://user:pass@host``); the
            message shows it as ``https://***@host`` and says to use login/password.
    """
    url = base_url if base_url is not None else os.environ.get(ENV_BASE_URL)
    if not isinstance(url, str) or "@" not in _split(url)[1]:
        return
    shown = redact_url(url)
    msg = (
        f"base_url={shown!r} is refused: it carries a user or password. Give the "
        "credentials as login= and password= (or DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)."
    )
    raise DataForSEOInputError(msg, field="base_url", limit="no user info", actual=shown)


def _host_of(url: httpx.URL, shown: str) -> str:
    """The URL's host; an invalid international name (IDNA) is an input error."""
    try:
        return url.host
    except UnicodeError as exc:  # idna.IDNAError: "xn--" labels that do not decode
        msg = (
            f"base_url={shown!r} is refused: its host is not a valid international "
            f"domain name (IDNA: {exc})."
        )
        raise DataForSEOInputError(
            msg, field="base_url", limit="a valid host name", actual=shown
        ) from None


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
            (give them as ``login`` / ``password``); or a host that is not a valid
            international domain name. The message never shows a password.
    """
    refuse_credentials(base_url)
    shown = redact_url(base_url)
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = httpx.URL("invalid:")
    if url.userinfo:  # refuse_credentials saw none: httpx parsed the URL otherwise
        msg = f"base_url={shown!r} is refused: it carries a user or password."
        raise DataForSEOInputError(msg, field="base_url", limit="no user info", actual=shown)
    host = _host_of(url, shown)
    if url.scheme == "https" and host:
        return base_url.rstrip("/")
    if url.scheme == "http" and host and is_loopback_host(host):
        return base_url.rstrip("/")
    msg = (
        f"base_url={shown!r} is refused: credentials are sent only over https, or over "
        "plain http to a loopback host (127.0.0.1, ::1, localhost) such as the local "
        "emulator."
    )
    raise DataForSEOInputError(msg, field="base_url", limit="https or loopback http", actual=shown)


def endpoint_url(
    base_url: str, engine: str, function: str, product: str = LLM_RESPONSES
) -> httpx.URL:
    """The parsed URL of one endpoint; fixed endpoints are parsed once, then reused.

    Args:
        base_url: The API root (checked by :func:`check_base_url`).
        engine: Engine path segment (``chat_gpt``).
        function: Endpoint below the product (``live``, ``task_get/<id>``).
        product: The product's path segment (``llm_responses``, ``llm_scraper``).

    Returns:
        The absolute URL (httpx skips parsing a ready ``httpx.URL``). Per-task URLs
        (``task_get/<id>``) are not cached: each is used about once.

    Raises:
        DataForSEOInputError: When the base URL is refused.
    """
    if function.startswith("task_get/"):
        return _parse_endpoint_url(base_url, engine, function, product)
    return _fixed_endpoint_url(base_url, engine, function, product)


def _parse_endpoint_url(base_url: str, engine: str, function: str, product: str) -> httpx.URL:
    base = check_base_url(base_url)
    return httpx.URL(f"{base}{_API_PREFIX}/{engine}/{product}/{function}")


_fixed_endpoint_url = functools.lru_cache(maxsize=128)(_parse_endpoint_url)
