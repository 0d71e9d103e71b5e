"""A tracked brand: its name, aliases and domains (validated on creation)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._matching import normalise_host
from langchain_dataforseo.visibility._panel_checks import (
    MAX_ALIASES,
    MAX_DOMAIN_CHARS,
    MAX_DOMAINS,
    MAX_NAME_CHARS,
    check_chars,
    fail,
    strings,
)

_BRAND_KEYS: Final = ("name", "aliases", "domains")
_HOST: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")


@dataclass(frozen=True)
class Brand:
    """A tracked brand: how answers name it and which domains are its own.

    Args:
        name: The brand's name, as reports show it (matched in answers too).
        aliases: Other names answers may use (``"HubSpot CRM"``); matched like the name.
        domains: The brand's domains (``"hubspot.com"``); their subdomains count too.

    Raises:
        DataForSEOInputError: For a blank name, a blank alias or a malformed domain, or one
            past its bound: a name or alias of more than 200 characters, more than 50
            aliases, more than 100 domains, a domain of more than 253 characters.
    """

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            fail("name must be a non-blank string.", "name", actual=self.name)
        check_chars(self.name, "name", MAX_NAME_CHARS)
        aliases = strings(self.aliases, "aliases", max_items=MAX_ALIASES, max_chars=MAX_NAME_CHARS)
        object.__setattr__(self, "aliases", aliases)
        domains = strings(
            self.domains, "domains", max_items=MAX_DOMAINS, max_chars=MAX_DOMAIN_CHARS
        )
        clean = []
        for index, domain in enumerate(domains):
            host = normalise_host(domain)
            if not _HOST.fullmatch(host):
                fail(
                    f"domains[{index}]={domain!r} is not a domain name such as "
                    "'hubspot.com' (no scheme, no path).",
                    f"domains[{index}]",
                    "a domain name",
                    domain,
                )
            clean.append(host)
        object.__setattr__(self, "domains", tuple(clean))

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the aliases."""
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        """The brand as plain data (the panel file's shape)."""
        return {"name": self.name, "aliases": list(self.aliases), "domains": list(self.domains)}


def as_brand(value: object, where: str) -> Brand:
    """A brand from a Brand, a name or a mapping; errors name ``where`` (``competitors[1]``)."""
    try:
        if isinstance(value, Brand):
            return value
        if isinstance(value, str):
            return Brand(value)
        if isinstance(value, Mapping):
            for key in value:
                if key not in _BRAND_KEYS:
                    fail(
                        f"{key} is not a brand field; a brand has {', '.join(_BRAND_KEYS)}.",
                        str(key),
                        _BRAND_KEYS,
                        key,
                    )
            if "name" not in value:
                fail("name is missing.", "name")
            return Brand(value["name"], value.get("aliases", ()), value.get("domains", ()))
    except DataForSEOInputError as error:
        raise DataForSEOInputError(
            f"{where}.{error}",
            field=f"{where}.{error.field}",
            limit=error.limit,
            actual=error.actual,
        ) from error
    fail(f"{where} must be a brand table (name, aliases, domains).", where, actual=value)
