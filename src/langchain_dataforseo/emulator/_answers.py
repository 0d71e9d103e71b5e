"""Deterministic answers: every value is a function of the request (hash of its canonical JSON).

Only ``datetime`` depends on the clock. Fields that do not influence the model (``tag``,
``postback_url``, ``pingback_url``) are excluded from the hash, so a Standard task gets exactly
the answer the same live request gets. With a brand catalogue (``_brands``), brand answers are
seeded by the tag too, so samples with distinct tags differ (still the same live or Standard).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import time
from typing import Any

from ._brands import BrandCatalogue, brand_answer
from ._catalogue import WEB_SEARCH_FEE
from ._json_answer import asks_for_json, json_answer
from ._prose import capitalised, subject
from ._validation import ValidTask

__all__ = [
    "STYLE_NO_FAN_OUT",
    "STYLE_NO_INDICES",
    "STYLE_REPEAT",
    "STYLE_SPARSE_USAGE",
    "answer_style",
    "format_datetime",
    "generate_result",
    "request_digest",
]

_NOT_HASHED = frozenset({"tag", "postback_url", "pingback_url"})
_STOPWORDS = frozenset(
    """a an and are as at be best by can could do does for from give how i in into is it its
    me my now of on or please provide right should tell than that the their there these this
    to was we what when where which who why will with would you your about some any most more
    currently today information explain describe list compare vs versus""".split()  # noqa: SIM905
)
_DOMAINS = (
    ("en.wikipedia.org", "Wikipedia"),
    ("www.forbes.com", "Forbes"),
    ("www.investopedia.com", "Investopedia"),
    ("www.techradar.com", "TechRadar"),
    ("www.reddit.com", "Reddit"),
    ("zapier.com", "Zapier"),
    ("www.g2.com", "G2"),
    ("www.bbc.com", "BBC"),
    ("www.theverge.com", "The Verge"),
    ("www.nerdwallet.com", "NerdWallet"),
    ("www.healthline.com", "Healthline"),
    ("www.statista.com", "Statista"),
)
_INTROS = (
    "Here is a short overview of {topic}.",
    "On {topic}, the answer depends on your goals, but a few points stand out.",
    "When it comes to {topic}, most current sources agree on the following.",
    "{Topic} is a broad subject; these are the points that matter most.",
)
_POINTS = (
    "**Requirements**: write down what you need before comparing anything",
    "**Cost**: prices vary widely, so compare the total cost, not the first bill",
    "**Quality**: reviews consistently weigh reliability over novelty",
    "**Timing**: interest in {topic} has grown steadily over the last year",
    "**Alternatives**: several smaller options suit tighter budgets",
    "**Risks**: check the limitations before you commit",
    "**Support**: good documentation and an active community make a real difference",
)
_OUTROS = (
    "In short, start small with {topic}, measure the results and adjust.",
    "If you share more about your situation, I can narrow down {topic} further.",
    "Overall, {topic} rewards a careful comparison of a few well-reviewed options.",
)
_FAN_OUT = ("2026", "comparison", "best options", "pros and cons", "reviews", "guide", "cost")
_REASONING = (
    "**Understanding the question**\n\nThe user asks about {topic}; I should identify what "
    "matters most and structure a short answer.",
    "**Weighing the options**\n\nComparing the main aspects of {topic}: cost, quality, "
    "timing and alternatives.",
    "**Drafting the answer**\n\nI will give a brief overview of {topic} with the key points first.",
)


def request_digest(fields: dict[str, Any], engine: str) -> bytes:
    """Hash the canonical JSON of the model-relevant part of a task.

    Args:
        fields: The validated task fields (no nulls).
        engine: The engine name (part of the hash).

    Returns:
        The SHA-256 digest.
    """
    relevant = {k: v for k, v in fields.items() if k not in _NOT_HASHED}
    canonical = json.dumps([engine, relevant], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


def format_datetime(epoch: float) -> str:
    """Format epoch seconds as ``"YYYY-MM-DD hh:mm:ss +00:00"``.

    Args:
        epoch: Seconds since the epoch.

    Returns:
        The formatted UTC time.
    """
    return time.strftime("%Y-%m-%d %H:%M:%S +00:00", time.gmtime(epoch))


STYLE_SPARSE_USAGE = 1
"""Style bit: a non-reasoning answer has no ``reasoning_tokens`` key (documented example)."""
STYLE_NO_FAN_OUT = 2
"""Style bit: the result has no ``fan_out_queries`` key (documented example)."""
STYLE_NO_INDICES = 4
"""Style bit: ChatGPT annotations carry only ``title`` and ``url`` (documented example)."""
STYLE_REPEAT = 8
"""Style bit: one annotation is repeated, identical (documented example; not in brand answers)."""


def answer_style(fields: dict[str, Any], engine: str, *, with_tag: bool) -> int:
    """The style bits of one answer: which optional parts the documented examples lack.

    DataForSEO's documented ChatGPT live answer has no ``reasoning_tokens``, no
    ``fan_out_queries``, annotations with only ``title`` and ``url`` and two identical
    annotations; the client 2.1.10 models have all of them. Each bit is drawn from the
    request (and the tag for brand answers, whose samples must differ), so the same
    task always gets the same style and a run meets both.

    Args:
        fields: The validated task fields.
        engine: The engine.
        with_tag: Whether the tag takes part (brand answers).

    Returns:
        An OR of the ``STYLE_*`` bits.
    """
    relevant = {k: v for k, v in fields.items() if with_tag or k not in _NOT_HASHED}
    relevant.pop("postback_url", None)
    relevant.pop("pingback_url", None)
    canonical = json.dumps(["style", engine, relevant], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()[0] & 15


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4)) if text else 0


def _topic(prompt: str) -> str:
    words = re.findall(r"[A-Za-z0-9][\w'-]*", prompt.lower())
    kept = [w for w in words if w not in _STOPWORDS and len(w) > 1]
    return " ".join(kept[:4]) or "your question"


def _sources(digest: bytes, topic: str) -> list[tuple[str, str, str]]:
    count = 2 + digest[1] % 3
    start = digest[2] % len(_DOMAINS)
    slug = re.sub(r"[^a-z0-9]+", "-", topic).strip("-") or "topic"
    out = []
    for i in range(count):
        domain, site = _DOMAINS[(start + i * 5) % len(_DOMAINS)]
        url = f"https://{domain}/{slug}-{digest[3 + i] % 90 + 10}"
        out.append((domain, f"{topic.title()} – {site}", url))
    return out


def _annotated_text(
    engine: str,
    lines: list[str],
    sources: list[tuple[str, str, str]],
    digest: bytes,
    indices: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Append citations to the cited lines and build the engine-specific annotations."""
    text_parts: list[str] = []
    annotations: list[dict[str, Any]] = []
    offset = 0
    for index, line in enumerate(lines):
        cited = sources[index - 1] if 1 <= index <= len(sources) else None
        if cited is not None and engine == "chat_gpt":
            domain, title, url = cited
            url = f"{url}?utm_source=openai"
            link = f"[{domain.removeprefix('www.')}]({url})"
            line = f"{line} ({link})."
            start = offset + line.index(link)
            note: dict[str, Any] = {"title": title, "url": url}
            if indices:
                note.update(start_index=start, end_index=start + len(link))
            annotations.append(note)
        elif cited is not None and engine == "perplexity":
            line = f"{line} [{index}]."
            annotations.append({"title": cited[1], "url": cited[2]})
        elif cited is not None and engine == "gemini":
            domain, _title, url = cited
            token = base64.urlsafe_b64encode(hashlib.sha256(url.encode() + digest).digest())
            annotations.append(
                {
                    "title": domain.removeprefix("www."),
                    "url": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                    + "AUZIYQ"
                    + token.decode().rstrip("="),
                    "direct_url": url,
                }
            )
            line = f"{line}."
        elif cited is not None:
            annotations.append({"title": cited[1], "url": cited[2]})
            line = f"{line}."
        elif index >= 1 and index < len(lines) - 1:
            line = f"{line}."
        text_parts.append(line)
        offset += len(line) + 1
    return "\n".join(text_parts), annotations


_LISTED = re.compile(r"^\d+\. \*\*(.+?)\*\*")


def _named(lines: list[str]) -> list[str]:
    """The names an answer lists, in order (``1. **HubSpot** is ...``)."""
    return [m.group(1) for line in lines if (m := _LISTED.match(line))]


def _sentences(lines: list[str]) -> list[str]:
    """The answer's lines as plain sentences (no numbering, no bold, a final stop)."""
    out = []
    for line in lines:
        plain = re.sub(r"^\d+\.\s*", "", line).replace("**", "").strip()
        if plain:
            out.append(plain if plain[-1] in ".:!?" else f"{plain}.")
    return out


def _lines(digest: bytes, topic: str, budget: int, keep: int) -> list[str]:
    """Build intro, numbered points and outro, dropping uncited lines beyond the token budget."""
    fmt = {"topic": topic, "Topic": capitalised(topic)}
    intro = _INTROS[digest[4] % len(_INTROS)].format(**fmt)
    n_points = 3 + digest[5] % 3
    first = digest[6] % len(_POINTS)
    points = [
        f"{i + 1}. " + _POINTS[(first + i) % len(_POINTS)].format(**fmt) for i in range(n_points)
    ]
    lines = [intro, *points, _OUTROS[digest[7] % len(_OUTROS)].format(**fmt)]
    minimum = max(1, keep + 1)
    while len(lines) > minimum and _tokens("\n".join(lines)) > budget:
        lines.pop()
    if len(lines) == 1 and _tokens(lines[0]) > budget:
        words = lines[0].split()
        while len(words) > 1 and _tokens(" ".join(words)) > budget:
            words.pop()
        lines = [" ".join(words)]
    return lines


def generate_result(
    engine: str, valid: ValidTask, now: float, brands: BrandCatalogue | None = None
) -> dict[str, Any]:
    """Produce the ``result[0]`` object of a live or completed Standard task.

    Args:
        engine: The engine name.
        valid: The validated task.
        now: The answer's time (epoch seconds) for ``datetime``.
        brands: The brand truth; when given and the prompt matches it, the answer names
            and cites brands at the catalogue's rates (see ``_brands``).

    Returns:
        The result object (model_name, tokens, money_spent, items, fan_out_queries, ...).
    """
    fields = valid.fields
    digest = request_digest(fields, engine)
    topic = _topic(fields["user_prompt"])
    phrase = subject(fields["user_prompt"])
    budget = int(fields.get("max_output_tokens", 2048))
    fan_out: list[str] | None = None
    branded = brands is not None and brands.applies(fields["user_prompt"])
    style = answer_style(fields, engine, with_tag=branded)
    if brands is not None and branded:
        lines, sources, fan_out = brand_answer(
            brands, engine, fields, topic, valid.web_search, phrase=phrase
        )
    else:
        sources = _sources(digest, topic) if valid.web_search else []
        lines = _lines(digest, phrase, budget, len(sources))
        if valid.web_search:
            count = 2 + digest[13] % 3
            first = digest[14] % len(_FAN_OUT)
            fan_out = [f"{topic} {_FAN_OUT[(first + i) % len(_FAN_OUT)]}" for i in range(count)]
    if asks_for_json(fields.get("system_message")):
        # the answer is the JSON object; its sources are still annotated (no indices)
        _plain, annotations = _annotated_text(engine, lines, sources, digest, indices=False)
        text = json_answer(fields["system_message"], _sentences(lines), _named(lines), digest)
    else:
        text, annotations = _annotated_text(
            engine, lines, sources, digest, indices=not style & STYLE_NO_INDICES
        )
    if style & STYLE_REPEAT and annotations and not branded:
        # a brand answer never repeats one: its citation shares must stay the catalogue's
        at = digest[16] % len(annotations)
        annotations.insert(at + 1, dict(annotations[at]))
    items: list[dict[str, Any]] = []
    reasoning_tokens = 0
    if valid.reasoning:
        reasoning_tokens = 256 + int.from_bytes(digest[8:10], "big") % 1024
        if engine != "perplexity":
            count = 1 + digest[10] % 3
            sections = [
                {"type": "summary_text", "text": _REASONING[i].format(topic=topic)}
                for i in range(count)
            ]
            items.append({"type": "reasoning", "sections": sections})
    items.append(
        {
            "type": "message",
            "sections": [
                {
                    "type": "text",
                    "text": text,
                    "annotations": annotations if valid.web_search else None,
                }
            ],
        }
    )
    context = fields.get("system_message", "")
    chain = fields.get("message_chain", [])
    input_tokens = 7 + _tokens(fields["user_prompt"]) + _tokens(context)
    input_tokens += sum(4 + _tokens(m["message"]) for m in chain)
    if valid.web_search:
        input_tokens += 1200 + int.from_bytes(digest[11:13], "big") % 900
    output_tokens = _tokens(text) + reasoning_tokens
    model = valid.model
    money = input_tokens * model.price_in / 1e6 + output_tokens * model.price_out / 1e6
    if valid.web_search:
        money += WEB_SEARCH_FEE[engine]
    result: dict[str, Any] = {
        "model_name": model.name,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens,
        "web_search": valid.web_search,
        "money_spent": round(money, 7),
        "datetime": format_datetime(now),
        "items": items,
        "fan_out_queries": fan_out,
    }
    if style & STYLE_SPARSE_USAGE and not reasoning_tokens:
        del result["reasoning_tokens"]
    if style & STYLE_NO_FAN_OUT:
        del result["fan_out_queries"]
    return result
