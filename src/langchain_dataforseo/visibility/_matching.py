"""Matching rules: brand mentions, first-mention ranks, cited domains. Pure functions.

Rules (documented in ``docs/visibility.md``, "Matching rules"; tested in
``tests/unit_tests/visibility/test_matching.py``):

- A brand is named when its name or one of its aliases occurs case-insensitively on word
  boundaries: the characters just before and after the match are not letters, digits or
  ``_`` (so ``Asana`` matches in ``**Asana** –`` and ``Asana's`` but not in ``Asanas``).
  Whitespace inside a name matches any run of whitespace.
- Text inside URLs never counts: bare URLs (``https://...``, ``www....``), the target of a
  markdown link ``[label](target)``, and a link label that is itself a domain name (a
  citation chip such as ``[hubspot.com](https://...)``) are masked before matching.
- A brand's first mention is the lowest offset of any of its names. Brands are ranked by
  first mention among the tracked brands the answer names, with *competition ranking* for
  ties: brands first named at the same offset (overlapping aliases) share the better rank
  and the next rank is skipped (offsets 0, 0, 9 give ranks 1, 1, 3).
- A cited URL counts for a domain when its host is the domain or a subdomain of it
  (``blog.hubspot.com`` counts for ``hubspot.com``); hosts and domains are compared in
  lower case, with a leading ``www.`` and a trailing dot removed. A host in no tracked
  domain counts for its site (last two labels, three under ``co.uk``-like suffixes:
  ``blog.g2.com`` -> ``g2.com``; a redirect host such as Gemini's is kept whole). A URL is
  the annotation's ``direct_url`` when the API gives one (Gemini's real target behind its
  ``vertexaisearch.cloud.google.com`` redirect), else its ``url``.

App-surface answers (LLM Scraper tasks) read with the same matching rules as API answers.

An LLM Scraper task is read by the scraper's own parser (``scraper._parse.parse_answer``),
which keeps the sources the answer *cites* apart from the search results it only *found*.
Only the cited sources become citations here (the citation rate and share count what the
answer cites, never what its searches merely retrieved); the text is the answer's markdown
(its link targets and domain-name chips are masked by the matching rules, as in API
answers); the fan-out queries are the app's searches; the model is the one the app reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

from langchain_core.messages import AIMessage

from langchain_dataforseo._api.envelope import as_dict, as_int, as_list
from langchain_dataforseo._api.results import read_items
from langchain_dataforseo.scraper._parse import parse_answer
from langchain_dataforseo.visibility._surfaces import APP

_MD_LINK: Final = re.compile(r"\[([^\[\]\n]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_URL_CHARS: Final = r"[^\s<>\"'\]\[]"
_BARE_URL: Final = re.compile(
    # A scheme is tried only where a run of scheme characters starts (the lookbehind), read
    # possessively, so each character is scanned a bounded number of times: linear. The old
    # ``(?:[a-z][a-z0-9+.-]*://|www\.)...`` re-read the run from every letter in it (an
    # 80 KB token took 26 s). Spans are the same: a run's URL starts at its first letter
    # (group ``scheme``), and every match runs to the end of its token.
    r"(?<![a-z0-9+.-])[0-9+.-]*+(?P<scheme>[a-z][a-z0-9+.-]*+://" + _URL_CHARS + r"++)"
    r"|www\." + _URL_CHARS + r"++",
    re.IGNORECASE,
)
_DOMAIN_LABEL: Final = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?", re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where the URLs are in a text: spans whose content never counts as a mention.

    Args:
        text: The answer text.

    Returns:
        ``(start, end)`` spans, possibly overlapping, in no particular order.
    """
    spans: list[tuple[int, int]] = []
    for link in _MD_LINK.finditer(text):
        spans.append(link.span(2))
        label = link.group(1).strip()
        if _DOMAIN_LABEL.fullmatch(label):
            spans.append(link.span(1))
    spans.extend(bare_url_spans(text))
    return spans


def bare_url_spans(text: str) -> list[tuple[int, int]]:
    """Where the bare URLs are (``https://...``, ``www....``), in linear time.

    A URL runs from its scheme's first letter (or ``www.``) to the end of its token (the
    next whitespace, quote, angle bracket or square bracket).

    Args:
        text: The answer text.

    Returns:
        ``(start, end)`` spans, in order, not overlapping.
    """
    spans = []
    for match in _BARE_URL.finditer(text):
        start = match.start("scheme") if match.group("scheme") is not None else match.start()
        spans.append((start, match.end()))
    return spans


def mask_urls(text: str) -> str:
    """The text with every URL span replaced by spaces (offsets are kept).

    Args:
        text: The answer text.

    Returns:
        A string of the same length.
    """
    spans = url_spans(text)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@lru_cache(maxsize=1024)
def name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive, word-bounded pattern for a brand's names.

    Longer names come first, so that the longest alias at an offset wins.

    Args:
        names: The brand's name and aliases.

    Returns:
        The compiled pattern.
    """
    cleaned = sorted({" ".join(n.split()) for n in names if n.strip()}, key=len, reverse=True)
    if not cleaned:
        raise ValueError("a brand needs at least one non-blank name")
    parts = [re.escape(name).replace(r"\ ", r"\s+") for name in cleaned]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def first_mention(masked_text: str, names: Sequence[str]) -> int | None:
    """Offset of the first mention of any of the names, or ``None``.

    Args:
        masked_text: The answer text with URLs masked (:func:`mask_urls`).
        names: A brand's name and aliases.

    Returns:
        The lowest offset, or ``None`` when the brand is not named.
    """
    match = name_pattern(tuple(names)).search(masked_text)
    return match.start() if match else None


def rank_first_mentions(offsets: Mapping[str, int]) -> dict[str, int]:
    """Rank brands by first-mention offset, ties sharing the better rank.

    Competition ranking: ``{"a": 0, "b": 0, "c": 9}`` gives ``{"a": 1, "b": 1, "c": 3}``.

    Args:
        offsets: First-mention offset per named brand.

    Returns:
        Rank per brand, 1 = named first.
    """
    values = sorted(offsets.values())
    rank_of: dict[int, int] = {}
    for position, offset in enumerate(values, start=1):
        rank_of.setdefault(offset, position)
    return {name: rank_of[offset] for name, offset in offsets.items()}


def normalise_host(host: str) -> str:
    """Lower case, without a trailing dot or a leading ``www.``.

    Args:
        host: A host or a domain.

    Returns:
        The normalised form.
    """
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


def host_of(url: str) -> str | None:
    """The normalised host of a URL (a scheme-less ``example.com/x`` is accepted).

    Args:
        url: The URL.

    Returns:
        The host, or ``None`` when the URL has none.
    """
    text = url.strip()
    if not text:
        return None
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return normalise_host(host) if host else None


def host_in_domain(host: str, domain: str) -> bool:
    """Whether a (normalised) host is the domain or one of its subdomains.

    Args:
        host: A normalised host (:func:`host_of`).
        domain: A normalised domain (:func:`normalise_host`).

    Returns:
        ``True`` for ``blog.hubspot.com`` in ``hubspot.com``; ``False`` for
        ``nothubspot.com``.
    """
    return host == domain or host.endswith("." + domain)


def cited_url(annotation: Mapping[str, Any]) -> str | None:
    """The URL an annotation cites: ``direct_url`` when given, else ``url``.

    Args:
        annotation: One annotation (``title``, ``url``, ``direct_url``, ...).

    Returns:
        The URL, or ``None`` when there is none.
    """
    for key in ("direct_url", "url"):
        value = annotation.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


_MULTI_PART_SUFFIXES: Final = frozenset(
    """co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk com.au net.au org.au edu.au gov.au
    co.nz org.nz co.jp ne.jp or.jp ac.jp co.kr or.kr com.br net.br org.br com.cn net.cn
    org.cn com.hk com.tw com.sg com.my co.in net.in org.in co.za org.za com.mx com.ar
    com.tr com.ua co.il co.id com.ph com.vn com.pl com.es com.sa""".split()  # noqa: SIM905
)
"""Two-label public suffixes under which a site's domain has three labels (an
approximation of the Public Suffix List, which is not shipped)."""


REDIRECT_HOSTS: Final = ("vertexaisearch.cloud.google.com",)
"""Hosts of redirect links (Gemini's grounding redirects): kept whole, so an unresolved
redirect shows as such and never counts as a citation of ``google.com``."""


def site_domain(host: str) -> str:
    """The site a host belongs to: its last two labels, three under a multi-part suffix.

    ``blog.g2.com`` -> ``g2.com``; ``news.bbc.co.uk`` -> ``bbc.co.uk``. IP addresses,
    single-label hosts and redirect hosts (:data:`REDIRECT_HOSTS`) are returned as they are.

    Args:
        host: A normalised host.

    Returns:
        The site's domain.
    """
    labels = host.split(".")
    if len(labels) <= 2 or labels[-1].isdigit() or host in REDIRECT_HOSTS:
        return host
    keep = 3 if ".".join(labels[-2:]) in _MULTI_PART_SUFFIXES else 2
    return ".".join(labels[-keep:])


def citation_domain(host: str, tracked: Mapping[str, str]) -> tuple[str, str | None]:
    """The domain a cited host counts for, and the brand owning it.

    Args:
        host: The normalised cited host.
        tracked: Normalised tracked domain -> brand name.

    Returns:
        ``(domain, brand)``: the longest tracked domain the host is in, with its brand;
        otherwise the host's site (:func:`site_domain`) and ``None``.
    """
    best: str | None = None
    for domain in tracked:
        if host_in_domain(host, domain) and (best is None or len(domain) > len(best)):
            best = domain
    if best is None:
        return site_domain(host), None
    return best, tracked[best]


@dataclass(frozen=True)
class ExtractedAnswer:
    """What the metrics need from one task's raw JSON.

    Attributes:
        status_code: The task's ``status_code`` (``None`` when absent).
        text: The answer text (message sections in order; reasoning excluded).
        urls: The cited URLs in order (``direct_url`` preferred), one per annotation.
        fan_out_queries: The searches the engine ran.
        model_name: The model that answered (``result.model_name``), when given.
    """

    status_code: int | None
    text: str
    urls: tuple[str, ...]
    fan_out_queries: tuple[str, ...]
    model_name: str | None


def extract_answer(task: Mapping[str, Any]) -> ExtractedAnswer:
    """Read a raw task object (live or ``task_get``) into an :class:`ExtractedAnswer`.

    Tolerant: a missing ``result``, ``items``, ``annotations`` or ``fan_out_queries`` gives
    empty values, never an exception.

    Args:
        task: One element of the envelope's ``tasks``.

    Returns:
        The extracted answer.
    """
    results = as_list(task.get("result"))
    result = as_dict(results[0]) if results else {}
    text, annotations, _reasoning, _unknown = read_items(result)
    urls = tuple(url for note in annotations if (url := cited_url(note)) is not None)
    fan_out = tuple(
        q.strip()
        for q in as_list(result.get("fan_out_queries"))
        if isinstance(q, str) and q.strip()
    )
    model = result.get("model_name")
    return ExtractedAnswer(
        status_code=as_int(task.get("status_code")),
        text=text,
        urls=urls,
        fan_out_queries=fan_out,
        model_name=model if isinstance(model, str) else None,
    )


@dataclass(frozen=True)
class Citation:
    """One cited URL, resolved to the domain it counts for.

    Attributes:
        url: The URL (``direct_url`` preferred).
        host: Its normalised host.
        domain: The tracked domain it is in, else its host.
        brand: The tracked brand owning ``domain``, else ``None``.
    """

    url: str
    host: str
    domain: str
    brand: str | None


@dataclass(frozen=True)
class AnswerFacts:
    """The per-answer facts the metrics are computed from.

    Attributes:
        offsets: First-mention offset per named tracked brand.
        ranks: Rank per named tracked brand (:func:`rank_first_mentions`).
        citations: The citations, in order.
        fan_out_queries: The searches the engine ran.
    """

    offsets: dict[str, int]
    ranks: dict[str, int]
    citations: tuple[Citation, ...]
    fan_out_queries: tuple[str, ...]


def tracked_domains(brands: Iterable[tuple[str, Sequence[str]]]) -> dict[str, str]:
    """Normalised domain -> brand name, for ``(name, domains)`` pairs.

    Args:
        brands: Each brand's name and domains.

    Returns:
        The mapping (a domain listed twice keeps its first brand).
    """
    out: dict[str, str] = {}
    for name, domains in brands:
        for domain in domains:
            out.setdefault(normalise_host(domain), name)
    return out


def answer_facts(
    answer: ExtractedAnswer,
    brand_names: Mapping[str, Sequence[str]],
    domains: Mapping[str, str],
) -> AnswerFacts:
    """Apply the matching rules to one answer.

    Args:
        answer: The extracted answer.
        brand_names: Brand name -> its name and aliases (the panel's brand and competitors).
        domains: Normalised tracked domain -> brand (:func:`tracked_domains`).

    Returns:
        The facts.
    """
    masked = mask_urls(answer.text)
    offsets: dict[str, int] = {}
    for brand, names in brand_names.items():
        offset = first_mention(masked, names)
        if offset is not None:
            offsets[brand] = offset
    citations = []
    for url in answer.urls:
        host = host_of(url)
        if host is None:
            continue
        domain, owner = citation_domain(host, domains)
        citations.append(Citation(url, host, domain, owner))
    return AnswerFacts(
        offsets=offsets,
        ranks=rank_first_mentions(offsets),
        citations=tuple(citations),
        fan_out_queries=answer.fan_out_queries,
    )


def extract_app_answer(task: Mapping[str, Any], engine: str = "chat_gpt") -> ExtractedAnswer:
    """Read a raw LLM Scraper task (live or ``task_get``) into an :class:`ExtractedAnswer`.

    Tolerant: a missing ``result``, ``sources`` or ``fan_out_queries`` gives empty values.

    Args:
        task: One element of the envelope's ``tasks``.
        engine: The engine (``chat_gpt`` or ``gemini``).

    Returns:
        The text (markdown), the cited URLs in order (search results found but not cited
        are left out), the fan-out queries and the app's model.
    """
    answer = parse_answer(engine, task)
    urls = tuple(url for source in answer.cited if (url := cited_url(source)) is not None)
    queries = tuple(q.strip() for q in answer.fan_out_queries if q.strip())
    return ExtractedAnswer(
        status_code=as_int(task.get("status_code")),
        text=answer.markdown,
        urls=urls,
        fan_out_queries=queries,
        model_name=answer.model,
    )


def extract_for(task: Mapping[str, Any], surface: str, engine: str) -> ExtractedAnswer:
    """Read a raw task of either surface.

    Args:
        task: The raw task.
        surface: ``api`` (LLM Responses) or ``app`` (LLM Scraper).
        engine: The engine.

    Returns:
        The extracted answer.
    """
    if surface == APP:
        return extract_app_answer(task, engine)
    return extract_answer(task)


# -- A raw task object rebuilt from a ``ChatDataForSEO`` answer, for users who hold one -----


def task_from_message(message: AIMessage, tag: str) -> dict[str, Any]:
    """A raw task object (the API's shape) rebuilt from a ``ChatDataForSEO`` answer.

    The package's message keeps everything the store's matching reads: the text (one
    section; the annotations' indices point into it), the annotations (``direct_url``
    included), the fan-out queries, the model, tokens and cost.

    Args:
        message: The answer.
        tag: The task's tag.

    Returns:
        A task object with ``status_code`` 20000 and one result, marked
        ``"rebuilt_from": "message"``.
    """
    meta = message.response_metadata
    usage: Mapping[str, Any] = message.usage_metadata or {}
    details = usage.get("output_token_details") or {}
    items: list[Any] = list(message.additional_kwargs.get("reasoning") or [])
    items.append(
        {
            "type": "message",
            "sections": [
                {"type": "text", "text": message.text, "annotations": meta.get("annotations")}
            ],
        }
    )
    result = {
        "model_name": meta.get("model_name"),
        "input_tokens": usage.get("input_tokens"),
        "output_tokens": usage.get("output_tokens"),
        "reasoning_tokens": details.get("reasoning"),
        "web_search": meta.get("web_search"),
        "money_spent": meta.get("money_spent"),
        "datetime": meta.get("datetime"),
        "items": items,
        "fan_out_queries": meta.get("fan_out_queries"),
    }
    return {
        "id": meta.get("task_id"),
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": meta.get("cost"),
        "data": {"tag": tag, "model_name": meta.get("model_name"), "method": meta.get("method")},
        "rebuilt_from": "message",
        "result": [result],
    }
