"""The built-in brand catalogue: the brands of the example panels, at known rates.

Without a catalogue the emulator's answers name no brand of their own: a panel then only
finds brands where a prompt's own words are echoed back (the prompt ``HubSpot or
Pipedrive for a small sales team?`` gives every brand 33.3% mention and 100% share of
voice, for no reason the engines have). The command line therefore serves this catalogue
unless told otherwise (``--brand-catalogue FILE`` or ``none``) and says which one is in
use. ``examples/brands.json`` holds the same data, for ``--brand-catalogue``.
"""

from __future__ import annotations

from typing import Any, Final

from ._brands import BrandCatalogue

__all__ = ["DEFAULT_BRANDS", "default_catalogue", "describe_catalogue"]

DEFAULT_BRANDS: Final[dict[str, Any]] = {
    "seed": 7,
    "prompt_pattern": r"\bcrm\b|hubspot|salesforce|pipedrive|zoho|sales team",
    "brands": [
        {
            "name": "HubSpot",
            "aliases": ["HubSpot CRM"],
            "mention_probability": {
                "chat_gpt": 0.7,
                "claude": 0.6,
                "gemini": 0.55,
                "perplexity": 0.5,
            },
            "app_mention_probability": {"chat_gpt": 0.65, "gemini": 0.5},
        },
        {
            "name": "Salesforce",
            "aliases": ["Salesforce Sales Cloud"],
            "mention_probability": {
                "chat_gpt": 0.55,
                "claude": 0.6,
                "gemini": 0.6,
                "perplexity": 0.45,
            },
        },
        {"name": "Pipedrive", "mention_probability": 0.4},
        {"name": "Zoho CRM", "aliases": ["Zoho"], "mention_probability": 0.3},
    ],
    "domains": [
        {"domain": "hubspot.com", "citation_rate": 0.35},
        {"domain": "salesforce.com", "citation_rate": 0.3},
        {"domain": "pipedrive.com", "citation_rate": 0.2},
        {"domain": "zoho.com", "citation_rate": 0.15},
        {"domain": "g2.com", "citation_rate": 0.4, "hosts": ["www."]},
        {"domain": "capterra.com", "citation_rate": 0.3, "hosts": ["www."]},
        {"domain": "forbes.com", "citation_rate": 0.2, "hosts": ["www."]},
    ],
}
"""The catalogue as plain data (``BrandCatalogue.from_dict``); ``examples/brands.json``."""


def default_catalogue() -> BrandCatalogue:
    """The built-in catalogue (the example panels' brands: HubSpot and its competitors)."""
    return BrandCatalogue.from_dict(DEFAULT_BRANDS)


def describe_catalogue(catalogue: BrandCatalogue | None) -> str:
    """One line saying which brand truth answers follow (for logs and CLI output).

    Args:
        catalogue: The catalogue in use, or ``None``.

    Returns:
        The description.
    """
    if catalogue is None:
        return (
            "none: answers name no brand of their own, so a panel measures only the brand "
            "names its prompts contain (echoed back), not anything about the engines"
        )
    names = ", ".join(brand.name for brand in catalogue.brands)
    pattern = catalogue.prompt_pattern
    where = f"prompts matching {pattern!r}" if pattern is not None else "every prompt"
    return (
        f"{len(catalogue.brands)} brands ({names}) and {len(catalogue.domains)} cited "
        f"domains at known rates, for {where} (seed {catalogue.seed})"
    )
