"""A task's result to an ``AIMessage``: text, sources, fan-out queries, usage, cost.

Pure and tolerant: missing or ``null`` fields, an empty ``items`` list and unknown item
types never raise ``KeyError`` / ``TypeError`` / ``AttributeError``. Unknown items are
kept in ``additional_kwargs["unknown_items"]``, never dropped; what is kept of the raw
answer (unknown and reasoning items, extra annotation fields) is capped in depth and
size, so the message always serialises (``dumpd``, ``model_dump_json``, deep copies),
and what was cut is noted in ``response_metadata["cut"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from langchain_core.messages import AIMessage
from langchain_core.messages.ai import UsageMetadata

from langchain_dataforseo._api.cost_bounds import DEFAULT_OUTPUT_TOKENS
from langchain_dataforseo._api.envelope import as_dict, as_float, as_int, as_list
from langchain_dataforseo._api.fields import PROVIDER, STANDARD_BASE_PRICE_USD

MAX_KEPT_DEPTH: Final = 24
"""Deepest nesting kept of raw items (a real item nests about 4 levels)."""

MAX_KEPT_VALUES: Final = 50_000
"""Most values (dicts, lists and scalars) kept of the raw items of one answer."""


@dataclass
class Keeper:
    """Copies raw JSON values within :data:`MAX_KEPT_DEPTH` and :data:`MAX_KEPT_VALUES`.

    Attributes:
        left: Values that may still be kept.
        too_deep: Values replaced because they nested too deep.
        too_many: Values replaced because the answer held too many.
    """

    left: int = MAX_KEPT_VALUES
    too_deep: int = 0
    too_many: int = 0

    def keep(self, value: Any, depth: int = 0) -> Any:
        """A copy of ``value`` within the caps; what is over them becomes a marker string.

        Args:
            value: A value decoded from JSON.
            depth: Its nesting level.

        Returns:
            The capped copy.
        """
        if self.left <= 0:
            self.too_many += 1
            return f"[cut: over {MAX_KEPT_VALUES} values]"
        self.left -= 1
        if isinstance(value, (dict, list)) and depth >= MAX_KEPT_DEPTH:
            self.too_deep += 1
            return f"[cut: nested deeper than {MAX_KEPT_DEPTH} levels]"
        if isinstance(value, dict):
            return {str(key): self.keep(item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [self.keep(item, depth + 1) for item in value]
        return value

    def report(self) -> dict[str, int] | None:
        """What was cut, for ``response_metadata["cut"]``; ``None`` when nothing was."""
        if not (self.too_deep or self.too_many):
            return None
        return {
            "too_deep": self.too_deep,
            "too_many": self.too_many,
            "max_depth": MAX_KEPT_DEPTH,
            "max_values": MAX_KEPT_VALUES,
        }


_ANNOTATION_KEYS = ("title", "url", "direct_url", "start_index", "end_index", "text")


def _annotation(raw: Mapping[str, Any], offset: int, keeper: Keeper) -> dict[str, Any]:
    note = {key: raw[key] for key in _ANNOTATION_KEYS if raw.get(key) is not None}
    note.update(
        {
            k: keeper.keep(v, 2)
            for k, v in raw.items()
            if k not in _ANNOTATION_KEYS and v is not None
        }
    )
    for key in ("start_index", "end_index"):
        index = as_int(note.get(key))
        if index is None:
            note.pop(key, None)
        else:
            note[key] = index + offset
    return note


def read_items(
    result: Mapping[str, Any], keeper: Keeper | None = None
) -> tuple[str, list[dict[str, Any]], list[Any], list[Any]]:
    """Split ``result.items`` into text, annotations, reasoning items and unknown items.

    Text sections are concatenated in order with nothing between them, so that each
    annotation's ``start_index`` / ``end_index`` (shifted by the length of the text
    before its section) points into the returned text.

    Args:
        result: One result object.
        keeper: Caps what is kept of raw items (a fresh one when not given).

    Returns:
        ``(text, annotations, reasoning_items, unknown_items)``.
    """
    keeper = keeper if keeper is not None else Keeper()
    text_parts: list[str] = []
    length = 0
    annotations: list[dict[str, Any]] = []
    reasoning: list[Any] = []
    unknown: list[Any] = []
    for item in as_list(result.get("items")):
        entry = as_dict(item)
        kind = entry.get("type")
        if kind == "message":
            for section in as_list(entry.get("sections")):
                part = as_dict(section)
                text = part.get("text")
                if not isinstance(text, str):
                    continue
                annotations.extend(
                    _annotation(note, length, keeper)
                    for note in as_list(part.get("annotations"))
                    if isinstance(note, dict)
                )
                text_parts.append(text)
                length += len(text)
        elif kind == "reasoning":
            reasoning.append(keeper.keep(entry))
        else:
            unknown.append(keeper.keep(item))
    return "".join(text_parts), annotations, reasoning, unknown


def usage_from_result(result: Mapping[str, Any]) -> UsageMetadata:
    """Token usage in LangChain's shape.

    ``reasoning_tokens`` are counted inside ``output_tokens`` (as OpenAI does), so they
    are reported as ``output_token_details["reasoning"]`` and not added again.

    Args:
        result: One result object.

    Returns:
        The usage metadata.
    """
    input_tokens = as_int(result.get("input_tokens")) or 0
    output_tokens = as_int(result.get("output_tokens")) or 0
    usage = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
    )
    reasoning_tokens = as_int(result.get("reasoning_tokens"))
    if reasoning_tokens is not None:
        usage["output_token_details"] = {"reasoning": reasoning_tokens}
    return usage


def standard_cost(money_spent: float) -> float:
    """Net charge of a completed Standard task: base price plus the provider's part."""
    return round(STANDARD_BASE_PRICE_USD + money_spent, 7)


def _finish_reason(result: Mapping[str, Any], data: Mapping[str, Any], sent: int | None) -> str:
    """``length`` when the answer's own tokens reached the limit we sent, else ``stop``.

    The limit is what was sent; else the ``data`` echo's (the documented live example's
    echo leaves it out); else the API's default of 2048 [D].
    """
    limit = sent if sent is not None else as_int(data.get("max_output_tokens"))
    if limit is None:
        limit = DEFAULT_OUTPUT_TOKENS
    output = as_int(result.get("output_tokens")) or 0
    reasoning = as_int(result.get("reasoning_tokens")) or 0
    if limit is not None and output - reasoning >= limit and not result.get("web_search"):
        return "length"
    return "stop"


def _reported_cost(task: Mapping[str, Any], result: Mapping[str, Any], method: str) -> float:
    if method == "standard":
        return standard_cost(as_float(result.get("money_spent")))
    return as_float(task.get("cost"))


def task_to_message(
    task: Mapping[str, Any],
    *,
    engine: str,
    method: str = "live",
    cost: float | None = None,
    sent_max_tokens: int | None = None,
) -> AIMessage:
    """Turn a finished task (status 20000) into an ``AIMessage``.

    Args:
        task: The API's task object, with ``result``.
        engine: The engine that answered.
        method: ``"live"`` or ``"standard"``.
        cost: The charge to report; defaults to the task's ``cost`` for Live, and to
            the net charge (:func:`standard_cost`, the prepayment settled) for Standard.
        sent_max_tokens: The ``max_output_tokens`` the request sent, for
            ``finish_reason`` (``None``: not sent or not known).

    Returns:
        The message: ``content`` is the answer text; ``response_metadata`` holds the
        model, task id, cost, sources (``annotations``) and ``fan_out_queries``;
        ``additional_kwargs["reasoning"]`` the reasoning items, when any.
    """
    results = as_list(task.get("result"))
    result = as_dict(results[0]) if results else {}
    data = as_dict(task.get("data"))
    keeper = Keeper()
    text, annotations, reasoning, unknown = read_items(result, keeper)
    fan_out = [q for q in as_list(result.get("fan_out_queries")) if isinstance(q, str)]
    model_name = result.get("model_name")
    if not isinstance(model_name, str):
        model_name = data.get("model_name") if isinstance(data.get("model_name"), str) else ""
    metadata: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": model_name,
        "engine": engine,
        "method": method,
        "finish_reason": _finish_reason(result, data, sent_max_tokens),
        "task_id": task.get("id") if isinstance(task.get("id"), str) else None,
        "cost": round(_reported_cost(task, result, method) if cost is None else cost, 7),
        "money_spent": as_float(result.get("money_spent")),
        "web_search": bool(result.get("web_search")),
        "datetime": result.get("datetime") if isinstance(result.get("datetime"), str) else None,
        "annotations": annotations,
        "fan_out_queries": fan_out,
    }
    if isinstance(data.get("tag"), str):
        metadata["tag"] = data["tag"]
    cut = keeper.report()
    if cut is not None:
        metadata["cut"] = cut
    additional: dict[str, Any] = {}
    if reasoning:
        additional["reasoning"] = reasoning
    if unknown:
        additional["unknown_items"] = unknown
    return AIMessage(
        content=text,
        additional_kwargs=additional,
        response_metadata=metadata,
        usage_metadata=usage_from_result(result),
    )
