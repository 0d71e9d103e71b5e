"""``judge_run``: sentiment and recommendation of each named brand, judged by any chat model.

For each measured answer of a run and each tracked brand it names (the store's
``mentions``), the judge model gets one short prompt (:data:`JUDGE_PROMPT_VERSION`) with
the brand's names and an excerpt of the answer around its mentions, and answers a JSON
object ``{"sentiment": "positive" | "neutral" | "negative", "recommended": true | false}``.
It is asked with ``with_structured_output`` where the model has it, and the JSON is read
from the answer's text otherwise.

The prompt fits a ``ChatDataForSEO`` judge's 500 characters of ``user_prompt``: the
excerpt is the whole answer (whitespace collapsed) when it fits; otherwise a window
around each mention of the brand (any of its names): 80 characters before it and 220 from
it on, shrunk to an equal share of the room when several mentions must fit (at least 60
characters each), merged where they overlap, in the answer's order, cut at word
boundaries and joined with `` … `` (which also marks a cut at either end), up to what the
prompt's 500 characters leave (:func:`excerpt`); mentions beyond the room are left out.

Judging spends the user's own LLM money, counted apart from DataForSEO's task cost: each
verdict keeps what its call cost when the model reports it (``response_metadata["cost"]``,
as a ``ChatDataForSEO`` judge does); :func:`estimate_judging` says beforehand how many
calls and, for a ``ChatDataForSEO`` judge, about how much.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from typing import Any, Final, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel

from langchain_dataforseo._api.cost_bounds import checked_cost
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._matching import extract_for, mask_urls, name_pattern
from langchain_dataforseo.visibility._metrics import SENTIMENTS, store_verdict
from langchain_dataforseo.visibility._plan import average_task_cost
from langchain_dataforseo.visibility._store import VisibilityStore

JUDGE_PROMPT_VERSION: Final = "judge-v1"
"""The judging prompt's version, kept with every verdict (a new wording gets a new one)."""
MAX_JUDGE_PROMPT_CHARS: Final = 500
"""A judging prompt's most characters (a ``ChatDataForSEO`` ``user_prompt``'s limit)."""
EXCERPT_BEFORE: Final = 80
"""Characters of the answer kept before each mention of the brand."""
EXCERPT_AFTER: Final = 220
"""Characters of the answer kept from each mention of the brand on (its name included)."""
MIN_WINDOW_CHARS: Final = 60
"""The least characters kept around one mention when many share the room."""
MIN_EXCERPT_CHARS: Final = 120
"""The least room an excerpt needs; longer brand names drop their aliases from the prompt."""
_GAP: Final = " … "
_TEMPLATE: Final = (
    "How does this excerpt of an AI answer speak of the brand {brand}{also}? Reply with "
    'JSON only: {{"sentiment": "positive"|"neutral"|"negative", "recommended": '
    "true|false}} (recommended: the answer recommends the brand).\nExcerpt: {excerpt}"
)


class Verdict(BaseModel):
    """A judge's reading of how an answer speaks of one brand."""

    sentiment: Literal["positive", "neutral", "negative"]
    recommended: bool


@dataclass(frozen=True)
class JudgeResult:
    """What one ``judge_run`` call did.

    Attributes:
        judge: The judge's model name, as the verdicts keep it.
        prompt_version: :data:`JUDGE_PROMPT_VERSION`.
        judged: Verdicts made and kept by this call.
        already: (answer, brand) pairs this judge and prompt version had already judged.
        remaining: Pairs left unjudged because ``max_cost`` was reached.
        cost: What this call's verdicts cost (USD; reported costs only), apart from
            DataForSEO's cost of the answers.
        unpriced: Verdicts whose call reported no cost.
        stopped: Whether ``max_cost`` stopped the judging.
    """

    judge: str
    prompt_version: str
    judged: int
    already: int
    remaining: int
    cost: float
    unpriced: int
    stopped: bool


@dataclass(frozen=True)
class JudgingEstimate:
    """What judging a run will take, before it starts.

    Attributes:
        judge: The judge's model name.
        calls: (answer, brand) pairs left to judge, one model call each.
        prompt_chars: Characters of all their prompts.
        input_tokens: About ``prompt_chars / 4``.
        cost: Expected USD for a ``ChatDataForSEO`` judge (documented list prices,
            no web search), ``None`` for another model (price its tokens yourself).
    """

    judge: str
    calls: int
    prompt_chars: int
    input_tokens: int
    cost: float | None


def judge_name(model: BaseChatModel) -> str:
    """The name a judge's verdicts are kept under: ``engine/model`` or the model name."""
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    if not isinstance(name, str) or not name:
        name = model._llm_type
    engine = getattr(model, "engine", None)
    return f"{engine}/{name}" if isinstance(engine, str) and engine else name


def _cut(text: str, start: int, end: int) -> str:
    """``text[start:end]`` shrunk to whole words (unless that leaves nothing)."""
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, end)
        start = space + 1 if space != -1 else start
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return " ".join(text[start:end].split())


def excerpt(text: str, names: tuple[str, ...], budget: int) -> str:
    """The part of an answer a judge reads about one brand (see the module docstring).

    Args:
        text: The answer.
        names: The brand's name and aliases.
        budget: The most characters.

    Returns:
        The whole answer (whitespace collapsed) when it fits, else the windows around
        the brand's mentions joined with `` … `` (`` … `` also marks a cut at either end).
    """
    whole = " ".join(text.split())
    if len(whole) <= budget:
        return whole
    spans = [m.span() for m in name_pattern(names).finditer(mask_urls(text))] or [(0, 0)]
    share = (budget - len(_GAP) * (len(spans) + 1)) // len(spans)
    per = min(EXCERPT_BEFORE + EXCERPT_AFTER, max(MIN_WINDOW_CHARS, share))
    before = per * EXCERPT_BEFORE // (EXCERPT_BEFORE + EXCERPT_AFTER)
    windows: list[list[int]] = []
    for start, _end in spans:
        low, high = max(0, start - before), min(len(text), start - before + per)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    pieces: list[str] = []
    used = len(_GAP)  # the marks of a cut at either end
    for low, high in windows:
        room = budget - used - len(_GAP)
        if room < 20:
            break
        pieces.append(_cut(text, low, min(high, low + room)))
        used += len(pieces[-1]) + len(_GAP)
    out = _GAP.join(pieces)
    if windows[0][0] > 0:
        out = _GAP.lstrip() + out
    if len(pieces) < len(windows) or windows[-1][1] < len(text):
        out += _GAP.rstrip()
    return out[:budget]


def judge_prompt(brand: str, aliases: tuple[str, ...], text: str) -> str:
    """The judging prompt for one brand in one answer, at most 500 characters."""
    also = f" (also written {', '.join(aliases)})" if aliases else ""
    frame = _TEMPLATE.format(brand=brand, also=also, excerpt="")
    if MAX_JUDGE_PROMPT_CHARS - len(frame) < MIN_EXCERPT_CHARS and aliases:
        return judge_prompt(brand, (), text)
    room = MAX_JUDGE_PROMPT_CHARS - len(frame)
    if room < MIN_EXCERPT_CHARS:
        msg = (
            f"the brand name {brand!r} leaves {room} characters of the judging prompt's "
            f"{MAX_JUDGE_PROMPT_CHARS} for the answer; it needs {MIN_EXCERPT_CHARS}."
        )
        raise VisibilityStoreError(msg, field="brand", limit=MIN_EXCERPT_CHARS, actual=room)
    return _TEMPLATE.format(brand=brand, also=also, excerpt=excerpt(text, (brand, *aliases), room))


def parse_verdict(text: str) -> tuple[str, bool]:
    """Read ``{"sentiment": ..., "recommended": ...}`` from a model's text (pure).

    Args:
        text: The model's answer (the JSON object may be fenced or surrounded by prose).

    Returns:
        ``(sentiment, recommended)``.

    Raises:
        ValueError: Saying what is missing or wrong.
    """
    start, end = text.find("{"), text.rfind("}")
    if not 0 <= start < end:
        raise ValueError("no JSON object in the answer")
    try:
        data = json.loads(text[start : end + 1])
    except ValueError as error:
        raise ValueError(f"the JSON object does not parse ({error})") from None
    if not isinstance(data, dict):
        raise ValueError("the JSON is not an object")
    sentiment = str(data.get("sentiment", "")).strip().lower()
    if sentiment not in SENTIMENTS:
        raise ValueError(f"sentiment must be one of {SENTIMENTS}, got {data.get('sentiment')!r}")
    recommended = data.get("recommended")
    if isinstance(recommended, str) and recommended.strip().lower() in ("true", "false"):
        recommended = recommended.strip().lower() == "true"
    if not isinstance(recommended, bool):
        raise ValueError(f"recommended must be true or false, got {recommended!r}")
    return sentiment, recommended


def _pairs(store: VisibilityStore, run_id: str, judge: str) -> tuple[list[tuple[Any, ...]], int]:
    """The (task, tag, surface, engine, brand) pairs left to judge, and those already judged."""
    rows = store.connection.execute(
        "SELECT t.id, t.tag, t.surface, t.engine, m.brand, v.task IS NOT NULL "
        "FROM mentions m JOIN tasks t ON t.id = m.task LEFT JOIN verdicts v ON v.task = m.task "
        "AND v.brand = m.brand AND v.judge = ? AND v.prompt_version = ? "
        "WHERE t.run_id = ? AND t.status = 'measured' ORDER BY t.id, m.rank, m.brand",
        (judge, JUDGE_PROMPT_VERSION, run_id),
    ).fetchall()
    return [r[:5] for r in rows if not r[5]], sum(1 for r in rows if r[5])


def _prompts(store: VisibilityStore, run_id: str, pairs: list[tuple[Any, ...]]) -> list[str]:
    """Each pair's judging prompt (each answer read once)."""
    aliases = {b.name: b.names[1:] for b in store.panel(run_id).brands}
    texts: dict[str, str] = {}
    out = []
    for _task, tag, surface, engine, brand in pairs:
        if tag not in texts:
            raw = store.raw_task(run_id, tag) or {}
            texts[tag] = extract_for(raw, surface, engine).text
        out.append(judge_prompt(brand, tuple(aliases.get(brand, ())), texts[tag]))
    return out


def estimate_judging(store: VisibilityStore, run_id: str, model: BaseChatModel) -> JudgingEstimate:
    """What judging a run with ``model`` will take: calls, prompt size and expected cost.

    Args:
        store: The store.
        run_id: The run.
        model: The judge model (nothing is sent).

    Returns:
        The estimate (pairs already judged by this judge and prompt version not counted).
    """
    judge = judge_name(model)
    pairs, _ = _pairs(store, run_id, judge)
    prompts = _prompts(store, run_id, pairs)
    chars = sum(len(p) for p in prompts)
    cost = None
    engine = getattr(model, "engine", None)
    if isinstance(engine, str) and hasattr(model, "spent"):  # a ChatDataForSEO judge
        settings = {"model_name": getattr(model, "model", ""), "web_search": False}
        method = str(getattr(model, "method", "live"))
        each = [
            average_task_cost(engine, {**settings, "user_prompt": p}, method, "api")
            for p in prompts
        ]
        cost = round(sum(each), 7)
    return JudgingEstimate(judge, len(pairs), chars, math.ceil(chars / 4), cost)


def _ask(model: BaseChatModel, structured: Any, prompt: str) -> tuple[AIMessage | None, Any, str]:
    """One judge call: ``(raw message, parsed verdict or None, why it did not parse)``."""
    messages: list[BaseMessage] = [HumanMessage(prompt)]
    if structured is not None:
        out = structured.invoke(messages)
        raw, parsed = out.get("raw"), out.get("parsed")
        if isinstance(parsed, Verdict):
            return raw, (parsed.sentiment, parsed.recommended), ""
        error = out.get("parsing_error")
    else:
        raw, error = model.invoke(messages), None
    text = raw.text if isinstance(raw, AIMessage) else str(raw)
    try:
        return raw, parse_verdict(text), ""
    except ValueError as why:
        return raw, None, f"{why}" + (f" (structured output: {error})" if error else "")


def judge_run(
    store: VisibilityStore,
    run_id: str,
    model: BaseChatModel,
    *,
    max_cost: float | None = None,
) -> JudgeResult:
    """Judge the sentiment and recommendation of every named brand in a run's answers.

    One call per (measured answer, tracked brand it names) not yet judged by this judge
    model and prompt version (so a stopped or failed judging resumes where it stopped).
    Each verdict is kept as it comes, with its cost when the model reports one.

    Args:
        store: The store.
        run_id: The run.
        model: Any LangChain chat model (``with_structured_output`` is used where it
            exists; otherwise the JSON is read from the answer's text).
        max_cost: Stop before a call that could take this call's reported judge cost over
            this many USD (each call predicted to cost as much as the dearest so far);
            only models that report their cost can be held to it (a warning says when
            one does not).

    Returns:
        What was judged, skipped and spent.

    Raises:
        VisibilityStoreError: For an unknown run, a negative ``max_cost``, or an answer
            the judge gave no readable verdict for (naming its tag and the brand;
            the verdicts made before it are kept).
    """
    if max_cost is not None and not max_cost >= 0:
        msg = f"max_cost must be a number of USD >= 0, got {max_cost!r}."
        raise VisibilityStoreError(msg, field="max_cost", limit=0, actual=max_cost)
    store.check_run(run_id)
    judge = judge_name(model)
    pairs, already = _pairs(store, run_id, judge)
    prompts = _prompts(store, run_id, pairs)
    try:
        structured = model.with_structured_output(Verdict, include_raw=True)
    except NotImplementedError:
        structured = None
    spent, dearest, judged, unpriced, warned = 0.0, 0.0, 0, 0, False
    for (task, tag, _surface, _engine, brand), prompt in zip(pairs, prompts, strict=True):
        if max_cost is not None and spent + dearest > max_cost:
            return JudgeResult(
                judge, JUDGE_PROMPT_VERSION, judged, already, len(pairs) - judged,
                round(spent, 7), unpriced, True,
            )  # fmt: skip
        raw, verdict, why = _ask(model, structured, prompt)
        if verdict is None:
            said = raw.text if isinstance(raw, AIMessage) else str(raw)
            msg = (
                f"the judge {judge!r} gave no verdict on brand {brand!r} in answer {tag!r} "
                f"of run {run_id!r}: {why}; it answered {said[:200]!r}."
            )
            raise VisibilityStoreError(msg, field="verdict", actual=tag)
        meta = raw.response_metadata if isinstance(raw, AIMessage) else {}
        cost = checked_cost(meta.get("cost"))
        if cost is None:
            unpriced += 1
            if max_cost is not None and not warned:
                warned = True
                warnings.warn(
                    f"the judge {judge!r} reports no cost: max_cost={max_cost} cannot hold it.",
                    stacklevel=2,
                )
        else:
            spent += cost
            dearest = max(dearest, cost)
        store_verdict(store, task, brand, (judge, JUDGE_PROMPT_VERSION), verdict, cost)
        judged += 1
    return JudgeResult(
        judge, JUDGE_PROMPT_VERSION, judged, already, 0, round(spent, 7), unpriced, False
    )
