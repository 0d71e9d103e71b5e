"""Brand answers with a known truth: the emulator side of AI-visibility panels.

First the prompt as words (:func:`topic_of`, :func:`subject`, :func:`named`), which the
brand answers and the other answers build on; then the brand catalogue.

With a :class:`BrandCatalogue` in ``EmulatorConfig.brand_catalogue``, answers to matching
prompts name brands from the catalogue, each independently with its per-engine probability,
in a random order, and (with web search) cite each catalogue domain independently at its
citation rate. So the true rates of a panel are known (:meth:`BrandCatalogue.truth`) and a
measurement can be checked against them.

The LLM Scraper routes (the *app* surface) answer matching keywords from the same
catalogue, with their own probabilities where the catalogue gives them
(``app_mention_probability``, ``app_citation_rate``: what the ChatGPT or Gemini app does
need not be what the engine's API does) and, for ChatGPT, search results *found* but not
cited (``found_rate``); :meth:`BrandCatalogue.truth` with ``surface="app"`` gives their truth.

Deterministic: the random draws are seeded by the catalogue's ``seed``, the engine, the
model-relevant request fields **and the task's tag** (a panel gives each sample its own
tag, so samples vary as real answers do; the same request with the same tag gets the same
answer, live or Standard). Without a catalogue nothing changes.

The built-in catalogue (:func:`default_catalogue`, the brands of the example panels, also in
``examples/brands.json``) is what the command line serves unless told otherwise: without a
catalogue the answers name no brand of their own, and a panel then only finds brands where a
prompt's own words are echoed back (the prompt ``HubSpot or Pipedrive for a small sales
team?`` gives every brand 33.3% mention and 100% share of voice, for no reason the engines
have). :func:`describe_catalogue` says in one line which truth is in use, and a client (the
visibility CLI) asks a running loopback emulator for that line with
:func:`emulator_catalogue_note` (standard library only; any failure gives ``None``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# ---------------------------------------------- the prompt as words in an answer
# The prompt as words in an answer: its topic, its subject, the names a list gives.
#
# :func:`topic_of` gives a few keywords of the prompt (``best crm agencies``), for URLs,
# titles and fan-out queries. Answers built from them read as keyword salad, so the text uses
# :func:`subject`, which keeps the prompt's own words and casing and drops only the question
# around them: ``Which CRM do you recommend for a 10-person marketing agency?`` becomes ``CRM
# for a 10-person marketing agency``. :func:`named` reads back the names a numbered answer
# lists (``1. **HubSpot** is ...``). Pure and deterministic.


__all__ = [
    "DEFAULT_BRANDS",
    "RECOMMEND_CUES",
    "SENTIMENT_CUES",
    "BrandCatalogue",
    "CatalogueBrand",
    "CatalogueDomain",
    "brand_answer",
    "capitalised",
    "default_catalogue",
    "describe_catalogue",
    "emulator_catalogue_note",
    "named",
    "subject",
    "topic_of",
]

_LEADING = re.compile(
    r"^(?:(?:which|what|who|where|when|how(?!\s+to\b)|why|is|are|was|were|do|does|did|can|could|would|"
    r"should|will|you|i|we|me|tell|give|show|list|name|recommend|suggest|please|the|a|an|"
    r"some|any|there|about|on|of|me,|us|in your opinion,?)\s+)+",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"\s+(?:do|would|could|should|can|will)\s+(?:you|i|we)\s+"
    r"(?:recommend|suggest|use|choose|pick|buy|need|try)\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"^(?:(?:or|and|vs\.?|versus|,)\s+)+", re.IGNORECASE)
_INNER_DANGLING = re.compile(r"\s+(?:or|and|vs\.?|versus)\s+(?=(?:or|and|for|in|to|with)\b|$)")
_PREPOSITION = re.compile(r"^(?:for|in|to|with|at|on|from|under|near)\b", re.IGNORECASE)
_MAX_WORDS = 12


def subject(prompt: str) -> str:
    """The prompt's subject as a phrase for a sentence (``your question`` when none is left).

    Args:
        prompt: The prompt (or keyword), possibly with brand names already removed.

    Returns:
        At most 12 words of the prompt, without the question around them.
    """
    text = " ".join(prompt.split()).strip(" ?!.:;\"'")
    text = _ASKING.sub("", text)
    for _ in range(3):
        text = _LEADING.sub("", text)
        text = _DANGLING.sub("", text)
        text = _INNER_DANGLING.sub(" ", text).strip(" ,")
    words = text.split()[:_MAX_WORDS]
    text = " ".join(words).strip(" ,?!.:;")
    if not text:
        return "your question"
    if _PREPOSITION.match(text):
        return f"options {text}"
    return text


def capitalised(text: str) -> str:
    """The text with its first letter in upper case (the rest unchanged)."""
    return text[:1].upper() + text[1:]


_STOPWORDS = frozenset(
    """a an and are as at be best by can could do does for from give how i in into is it its
    me my now of on or please provide right should tell than that the their there these this
    to was we what when where which who why will with would you your about some any most more
    currently today information explain describe list compare vs versus""".split()  # noqa: SIM905
)


def topic_of(prompt: str) -> str:
    """A few keywords of the prompt (``your question`` when none is left)."""
    words = re.findall(r"[A-Za-z0-9][\w'-]*", prompt.lower())
    kept = [w for w in words if w not in _STOPWORDS and len(w) > 1]
    return " ".join(kept[:4]) or "your question"


_LISTED = re.compile(r"^\d+\. \*\*(.+?)\*\*")


def named(lines: list[str]) -> list[str]:
    """The names an answer lists, in order (``1. **HubSpot** is ...``)."""
    return [m.group(1) for line in lines if (m := _LISTED.match(line))]


_ENGINES = ("chat_gpt", "claude", "gemini", "perplexity")
_SURFACES = ("api", "app")
_BLURBS = (
    "is a flexible choice with a gentle learning curve",
    "offers strong reporting and a generous free tier",
    "is popular with small teams for its simple setup",
    "is well reviewed for its integrations and automation",
    "is a good fit when budgets are tight",
    "is praised for its customer support and documentation",
    "is built for growing teams that need structure",
)
_INTROS = (
    "When people ask about {topic}, these names come up most often:",
    "For {topic}, reviewers most often recommend the following:",
    "Several options stand out for {topic} right now:",
)
_NONE = (
    "There is no single answer on {topic}; it depends on your team and budget.",
    "Most advice on {topic} starts with your requirements rather than with a vendor.",
)
_FILLERS = (
    "Check the pricing tiers carefully, as features differ between plans",
    "A free trial is the easiest way to compare candidates side by side",
    "Reviews from teams of a similar size are the most useful signal",
    "Look at how well each option connects with the tools you already use",
)
_OUTROS = (
    "In short, shortlist two or three and try them with real work.",
    "Tell me more about your team and I can narrow the list further.",
)
_SENTIMENTS = ("positive", "neutral", "negative")
SENTIMENT_CUES = {
    "positive": "is an excellent choice, with consistently strong reviews",
    "neutral": "is one option among several, with a typical feature set",
    "negative": "is a poor fit for most teams, with frequent complaints",
}
"""The planted sentiment cue written after a brand's name (one per sentiment)."""
RECOMMEND_CUES = {True: "I recommend it.", False: "I would not recommend it."}
"""The planted recommendation cue, after the sentiment cue."""
_QUERIES = ("best {topic} 2026", "{topic} comparison", "{topic} reviews", "top {topic} tools")


def _probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")


def _per_engine(name: str, value: float | Mapping[str, float]) -> dict[str, float]:
    if isinstance(value, Mapping):
        unknown = set(value) - set(_ENGINES)
        if unknown:
            raise ValueError(f"{name}: unknown engines {sorted(unknown)}")
        out = {engine: float(value.get(engine, 0.0)) for engine in _ENGINES}
    else:
        out = dict.fromkeys(_ENGINES, float(value))
    for engine, p in out.items():
        _probability(f"{name}[{engine}]", p)
    return out


@dataclass(frozen=True)
class CatalogueBrand:
    """A brand the emulator may name.

    Attributes:
        name: The name written in answers.
        mention_probability: Probability that an answer names it, for every engine or per
            engine (engines left out: 0).
        aliases: Other names; an answer that names the brand uses one of them instead of
            the name with probability ``alias_probability``.
        alias_probability: See ``aliases``.
        app_mention_probability: The mention probability in app answers (LLM Scraper
            routes), for every engine or per engine; ``None``: as ``mention_probability``.
        prompt_probabilities: Prompt text -> the mention probability for that prompt, on
            every engine and surface (a heterogeneous population of prompts, whose truth
            is known: prompts left out use the probabilities above).
        sentiment: Probabilities of ``positive``, ``neutral`` and ``negative`` (summing
            to 1; missing keys 0) of the way an answer naming the brand speaks of it: the
            drawn sentiment is written after its name as a readable cue
            (:data:`SENTIMENT_CUES`). ``None``: no planted sentiment (the usual blurb).
        recommend_probability: Probability that an answer naming the brand recommends it,
            written as ``I recommend it.`` or ``I would not recommend it.``
            (:data:`RECOMMEND_CUES`); ``None``: no planted recommendation.
    """

    name: str
    mention_probability: float | Mapping[str, float]
    aliases: tuple[str, ...] = ()
    alias_probability: float = 0.3
    app_mention_probability: float | Mapping[str, float] | None = None
    prompt_probabilities: Mapping[str, float] | None = None
    sentiment: Mapping[str, float] | None = None
    recommend_probability: float | None = None

    def probability(self, engine: str, surface: str = "api", prompt: str | None = None) -> float:
        """The mention probability on one engine and surface, for one prompt if given."""
        if prompt is not None and self.prompt_probabilities:
            found = self.prompt_probabilities.get(prompt)
            if found is not None:
                return float(found)
        value = self.mention_probability
        if surface == "app" and self.app_mention_probability is not None:
            value = self.app_mention_probability
        return _per_engine(self.name, value)[engine]


@dataclass(frozen=True)
class CatalogueDomain:
    """A domain the emulator may cite (with web search).

    Attributes:
        domain: The domain (``hubspot.com``).
        citation_rate: Probability that an answer cites it, for every engine or per engine.
        hosts: Subdomain prefixes used at random for its URLs (``""`` = the bare domain,
            ``"www."``, ``"blog."``...).
        app_citation_rate: The citation rate in app answers; ``None``: as ``citation_rate``.
        found_rate: In ChatGPT app answers, the probability that the domain, when not
            cited, is among the search results found (never a citation).
    """

    domain: str
    citation_rate: float | Mapping[str, float]
    hosts: tuple[str, ...] = ("", "www.", "blog.")
    app_citation_rate: float | Mapping[str, float] | None = None
    found_rate: float | Mapping[str, float] = 0.3

    def rate(self, engine: str, surface: str = "api") -> float:
        """The citation rate on one engine and surface (``api`` or ``app``)."""
        value = self.citation_rate
        if surface == "app" and self.app_citation_rate is not None:
            value = self.app_citation_rate
        return _per_engine(self.domain, value)[engine]

    def found(self, engine: str) -> float:
        """The probability of being found but not cited (app answers, when not cited)."""
        return _per_engine(f"{self.domain}.found_rate", self.found_rate)[engine]


@dataclass(frozen=True)
class BrandCatalogue:
    """The emulator's brand truth.

    Attributes:
        brands: The brands answers may name.
        domains: The domains answers may cite.
        seed: Seed of the draws.
        prompt_pattern: A regular expression (case-insensitive, searched); only matching
            prompts get brand answers. ``None``: every prompt.
    """

    brands: tuple[CatalogueBrand, ...]
    domains: tuple[CatalogueDomain, ...] = ()
    seed: int = 0
    prompt_pattern: str | None = None
    _compiled: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for brand in self.brands:
            _per_engine(brand.name, brand.mention_probability)
            if brand.app_mention_probability is not None:
                _per_engine(f"{brand.name}.app", brand.app_mention_probability)
            _probability(f"{brand.name}.alias_probability", brand.alias_probability)
            for prompt, value in (brand.prompt_probabilities or {}).items():
                _probability(f"{brand.name}.prompt_probabilities[{prompt!r}]", value)
            _check_sentiment(brand)
        for domain in self.domains:
            _per_engine(domain.domain, domain.citation_rate)
            if domain.app_citation_rate is not None:
                _per_engine(f"{domain.domain}.app", domain.app_citation_rate)
            _per_engine(f"{domain.domain}.found_rate", domain.found_rate)
        if self.prompt_pattern is not None:
            object.__setattr__(self, "_compiled", re.compile(self.prompt_pattern, re.IGNORECASE))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BrandCatalogue:
        """Build a catalogue from plain data (e.g. a JSON file for the emulator's CLI).

        Args:
            data: ``{"seed": 7, "prompt_pattern": "crm", "brands": [{"name": "HubSpot",
                "mention_probability": 0.6 or {"chat_gpt": 0.6}, "aliases": [...],
                "alias_probability": 0.3, "prompt_probabilities": {"Which CRM?": 0.95}}],
                "domains": [{"domain": "hubspot.com",
                "citation_rate": 0.3, "hosts": ["", "blog."]}]}``.

        Returns:
            The catalogue.

        Raises:
            ValueError: For a missing or unknown key, or a probability outside [0, 1].
        """
        unknown = set(data) - {"brands", "domains", "seed", "prompt_pattern"}
        if unknown or "brands" not in data:
            raise ValueError(f"a brand catalogue needs 'brands'; unknown keys: {sorted(unknown)}")
        brands = []
        for entry in data["brands"]:
            extra = set(entry) - {
                "name",
                "mention_probability",
                "aliases",
                "alias_probability",
                "app_mention_probability",
                "prompt_probabilities",
                "sentiment",
                "recommend_probability",
            }
            if extra:
                raise ValueError(f"brand {entry.get('name')!r}: unknown keys {sorted(extra)}")
            brands.append(
                CatalogueBrand(
                    entry["name"],
                    entry["mention_probability"],
                    tuple(entry.get("aliases", ())),
                    float(entry.get("alias_probability", 0.3)),
                    entry.get("app_mention_probability"),
                    entry.get("prompt_probabilities"),
                    entry.get("sentiment"),
                    entry.get("recommend_probability"),
                )
            )
        domains = []
        for entry in data.get("domains", ()):
            extra = set(entry) - {
                "domain",
                "citation_rate",
                "hosts",
                "app_citation_rate",
                "found_rate",
            }
            if extra:
                raise ValueError(f"domain {entry.get('domain')!r}: unknown keys {sorted(extra)}")
            hosts = tuple(entry.get("hosts", ("", "www.", "blog.")))
            domains.append(
                CatalogueDomain(
                    entry["domain"],
                    entry["citation_rate"],
                    hosts,
                    entry.get("app_citation_rate"),
                    entry.get("found_rate", 0.3),
                )
            )
        return cls(
            tuple(brands), tuple(domains), int(data.get("seed", 0)), data.get("prompt_pattern")
        )

    def applies(self, prompt: str) -> bool:
        """Whether a prompt gets a brand answer."""
        return self._compiled is None or bool(self._compiled.search(prompt))

    def truth(
        self,
        engine: str,
        owners: Mapping[str, tuple[str, ...]] | None = None,
        surface: str = "api",
    ) -> dict[str, Any]:
        """The true rates on one engine and surface, under the metrics' definitions.

        Args:
            engine: The engine.
            owners: Brand name -> its domains, for the brand citation rates.
            surface: ``api`` (LLM Responses routes, default) or ``app`` (LLM Scraper
                routes; app answers always search, and search results found but not
                cited are no citations).

        Returns:
            ``mention_rate``, ``share_of_voice`` (its mentions / all catalogue brands'
            mentions, in the long run), ``answer_share`` (answers naming it / answers naming
            any), ``average_position`` per brand,
            ``citation_rate`` per brand of ``owners`` (answers citing one of its domains /
            answers citing anything; with web search), ``citation_share`` per domain,
            and for the brands with a planted sentiment or recommendation
            ``positive_rate``, ``negative_rate`` (of the answers naming the brand) and
            ``recommended_rate`` (the same on every engine and surface).
        """
        if surface not in _SURFACES:
            raise ValueError(f"surface must be one of {_SURFACES}, got {surface!r}")
        p = {b.name: b.probability(engine, surface) for b in self.brands}
        none_named = math.prod(1 - v for v in p.values())
        any_named = 1 - none_named
        answer_share = {n: (v / any_named if any_named else None) for n, v in p.items()}
        mentioned = sum(p.values())
        sov = {n: (v / mentioned if mentioned else None) for n, v in p.items()}
        # Uniform random order: the rank of a named brand is 1 + the number of other named
        # brands placed before it, each with probability 1/2.
        position = {n: 1 + sum(p[o] for o in p if o != n) / 2 for n in p}
        r = {d.domain: d.rate(engine, surface) for d in self.domains}
        cites_any = 1 - math.prod(1 - v for v in r.values())
        total = sum(r.values())
        citation_rate = {}
        for name, domains in (owners or {}).items():
            own = [v for d, v in r.items() if any(_in(d, mine) for mine in domains)]
            citation_rate[name] = (1 - math.prod(1 - v for v in own)) / cites_any
        return {
            "mention_rate": p,
            "share_of_voice": sov,
            "answer_share": answer_share,
            "average_position": position,
            "citation_rate": citation_rate,
            "citation_share": {d: v / total for d, v in r.items()} if total else {},
            "positive_rate": {
                b.name: float(b.sentiment.get("positive", 0.0)) for b in self.brands if b.sentiment
            },
            "negative_rate": {
                b.name: float(b.sentiment.get("negative", 0.0)) for b in self.brands if b.sentiment
            },
            "recommended_rate": {
                b.name: b.recommend_probability
                for b in self.brands
                if b.recommend_probability is not None
            },
        }


def _check_sentiment(brand: CatalogueBrand) -> None:
    """Refuse a sentiment mapping with unknown keys, a bad probability or a sum other than 1."""
    if brand.recommend_probability is not None:
        _probability(f"{brand.name}.recommend_probability", brand.recommend_probability)
    if brand.sentiment is None:
        return
    unknown = set(brand.sentiment) - set(_SENTIMENTS)
    if unknown:
        raise ValueError(f"{brand.name}.sentiment: unknown keys {sorted(unknown)}")
    for key, value in brand.sentiment.items():
        _probability(f"{brand.name}.sentiment[{key}]", value)
    total = sum(brand.sentiment.values())
    if not math.isclose(total, 1.0, abs_tol=1e-9):
        raise ValueError(f"{brand.name}.sentiment must sum to 1, got {total!r}")


def planted_cue(
    brand: CatalogueBrand,
    engine: str,
    fields: Mapping[str, Any],
    catalogue: BrandCatalogue,
    blurb: str,
) -> str:
    """What follows a named brand: the blurb, or its planted sentiment and recommendation.

    The cues are drawn from their own seeded stream (catalogue seed, engine, task fields,
    brand name), so planting sentiment changes none of the other draws of the answer.
    """
    if brand.sentiment is None and brand.recommend_probability is None:
        return blurb
    rng = _rng(catalogue, engine, {**fields, "sentiment_of": brand.name})
    parts = []
    if brand.sentiment is not None:
        weights = [float(brand.sentiment.get(s, 0.0)) for s in _SENTIMENTS]
        parts.append(SENTIMENT_CUES[rng.choices(_SENTIMENTS, weights)[0]] + ".")
    else:
        parts.append(blurb + ".")
    if brand.recommend_probability is not None:
        parts.append(RECOMMEND_CUES[rng.random() < brand.recommend_probability])
    return " ".join(parts)


def _in(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _without_names(text: str, catalogue: BrandCatalogue) -> str:
    """The text with every catalogue name and alias removed (case-insensitive, whole words)."""
    for brand in catalogue.brands:
        for name in (brand.name, *brand.aliases):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _rng(catalogue: BrandCatalogue, engine: str, fields: Mapping[str, Any]) -> random.Random:
    relevant = {k: v for k, v in fields.items() if k not in ("postback_url", "pingback_url")}
    canonical = json.dumps([catalogue.seed, engine, relevant], sort_keys=True, default=str)
    return random.Random(hashlib.sha256(canonical.encode()).digest())


def brand_answer(
    catalogue: BrandCatalogue,
    engine: str,
    fields: Mapping[str, Any],
    topic: str,
    web_search: bool,
    surface: str = "api",
    *,
    phrase: str | None = None,
) -> tuple[list[str], list[tuple[str, str, str]], list[str] | None]:
    """Draw one brand answer: its lines, its sources and its fan-out queries.

    Args:
        catalogue: The truth.
        engine: The engine.
        fields: The validated task fields (tag included).
        topic: A few words of the prompt, for readable text.
        web_search: Whether the answer searches (sources and fan-out queries).
        surface: Whose probabilities: ``api`` (default) or ``app``.
        phrase: The prompt's subject as a readable phrase (:func:`subject`) for the
            text; ``None``: ``topic``.

    Returns:
        ``(lines, sources, fan_out)``: the text lines (source ``i`` is cited on line
        ``i + 1``), ``(domain, title, url)`` sources, and the fan-out queries (``None``
        without web search).
    """
    rng = _rng(catalogue, engine, fields)
    asked = fields.get("user_prompt", fields.get("keyword"))
    prompt = urllib.parse.unquote(asked) if isinstance(asked, str) else None
    named = [b for b in catalogue.brands if rng.random() < b.probability(engine, surface, prompt)]
    rng.shuffle(named)
    sources: list[tuple[str, str, str]] = []
    fan_out: list[str] | None = None
    if web_search:
        slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-") or "guide"
        for entry in catalogue.domains:
            if rng.random() < entry.rate(engine, surface):
                host = rng.choice(entry.hosts or ("",)) + entry.domain
                url = f"https://{host}/{slug}-{rng.randrange(10, 100)}"
                sources.append((host, f"{topic.title()} – {entry.domain}", url))
        rng.shuffle(sources)
        count = rng.randint(2, 3)
        fan_out = [q.format(topic=topic) for q in rng.sample(_QUERIES, count)]
    # the text never names a brand except in its list, so the truth is exactly the catalogue's
    fmt = {"topic": subject(_without_names(phrase or topic, catalogue))}
    if named:
        lines = [rng.choice(_INTROS).format(**fmt)]
        for number, brand in enumerate(named, start=1):
            shown = brand.name
            if brand.aliases and rng.random() < brand.alias_probability:
                shown = rng.choice(brand.aliases)
            # the blurb is drawn even when a cue replaces it: the same stream as before
            cue = planted_cue(brand, engine, fields, catalogue, rng.choice(_BLURBS))
            lines.append(f"{number}. **{shown}** {cue}")
    else:
        lines = [rng.choice(_NONE).format(**fmt)]
    fillers = list(_FILLERS)
    rng.shuffle(fillers)
    while len(lines) < len(sources) + 1:
        lines.append(fillers.pop() if fillers else "Compare a few options before deciding")
    lines.append(rng.choice(_OUTROS))
    return lines, sources, fan_out


# ---------------------------------------------- the built-in catalogue


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


# ---------------------------------------------- asking an emulator for its catalogue


# Only loopback emulators are asked (nothing is sent anywhere else); the password is sent
# as HTTP Basic auth and never returned.

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
