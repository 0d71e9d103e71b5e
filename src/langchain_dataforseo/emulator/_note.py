"""Ask a running emulator which brand catalogue it serves (for a client's own output).

A panel run against the emulator is only meaningful with a brand catalogue; a client such
as the visibility CLI can print the emulator's answer next to its results. Only loopback
emulators are asked (``127.0.0.1``, ``::1``, ``localhost``): nothing is sent anywhere
else, and any failure (not an emulator, wrong credentials, timeout) gives ``None``.
Standard library only; the password is sent as HTTP Basic auth and never returned.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["emulator_catalogue_note"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def emulator_catalogue_note(
    base_url: str | None, login: str | None, password: str | None, timeout: float = 2.0
) -> str | None:
    """The line ``emulator brand catalogue: ...`` of a loopback emulator, else ``None``.

    Args:
        base_url: The API base URL the client uses (``DATAFORSEO_BASE_URL``).
        login: The API login.
        password: The API password.
        timeout: Seconds allowed for the request (default 2).

    Returns:
        The line, or ``None`` when the URL is not a loopback ``http`` URL or the
        emulator does not answer.
    """
    if not base_url or login is None or password is None:
        return None
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in _LOOPBACK:
        return None
    url = f"{base_url.rstrip('/')}/emulator/brand_catalogue"
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http, loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = json.loads(response.read(65536))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    note = body.get("brand_catalogue") if isinstance(body, dict) else None
    return f"emulator brand catalogue: {note}" if isinstance(note, str) else None
