"""The ``Authorization`` header from the credentials (never shown in any message)."""

from __future__ import annotations

import base64
import binascii

from pydantic import SecretStr

from langchain_dataforseo._api.fields import ENV_LOGIN, ENV_PASSWORD
from langchain_dataforseo.errors import DataForSEOAuthenticationError


def basic_auth_header(
    login: str | None, password: SecretStr | None, api_key: SecretStr | None = None
) -> str:
    """Build the ``Authorization`` header value from the credentials.

    Args:
        login: The API login.
        password: The API password.
        api_key: Alternative to login/password: ``"login:password"``, or its base64
            form (the token DataForSEO's dashboard shows for curl).

    Returns:
        ``"Basic <base64(login:password)>"``.

    Raises:
        DataForSEOAuthenticationError: When no usable credentials are set. The message
            never contains a credential.
    """
    if login and password is not None and password.get_secret_value():
        pair = f"{login}:{password.get_secret_value()}"
    elif api_key is not None and api_key.get_secret_value():
        pair = _pair_from_api_key(api_key.get_secret_value())
    else:
        msg = (
            f"No DataForSEO credentials: set {ENV_LOGIN} and {ENV_PASSWORD} (the API "
            "credentials from https://app.dataforseo.com/api-access), or pass login= and "
            "password=."
        )
        raise DataForSEOAuthenticationError(msg)
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _pair_from_api_key(key: str) -> str:
    if ":" in key:
        return key
    try:
        decoded = base64.b64decode(key, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if ":" not in decoded:
        msg = (
            "api_key must be 'login:password' or the base64 of it; the value given is "
            "neither (it is not shown here)."
        )
        raise DataForSEOAuthenticationError(msg)
    return decoded
