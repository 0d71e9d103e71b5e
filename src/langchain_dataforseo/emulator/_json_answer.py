"""JSON answers: when the system message asks for a JSON object, the answer is one.

A real model told "Reply with only one JSON object ... valid for this JSON Schema: {...}"
answers with such an object; the emulator does the same, so structured output
(``ChatDataForSEO(...).with_structured_output(Schema)``) can be tried offline. When the
system message carries a JSON Schema, the object follows it (``properties``,
``required``, ``type``, ``enum``, ``const``, ``items``, ``$ref`` into ``$defs``,
``anyOf`` / ``oneOf`` / ``allOf``); without one it is ``{"answer": "..."}``. Values are
drawn from the answer's own sentences and brand names, deterministically from the digest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["asks_for_json", "json_answer"]

_ASKS = re.compile(r"\bjson\b", re.IGNORECASE)
_LISTY = re.compile(r"brand|name|tool|vendor|compan|product|option|recommend|pick|choice", re.I)
_MAX_DEPTH = 6


def asks_for_json(system_message: str | None) -> bool:
    """Whether a system message asks for a JSON answer (it names JSON)."""
    return bool(system_message) and bool(_ASKS.search(system_message or ""))


def _schema_in(text: str) -> dict[str, Any] | None:
    """The first JSON object embedded in the text that looks like a JSON Schema."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and ({"properties", "type", "$defs", "anyOf"} & set(value)):
            return value
    return None


class _Filler:
    """Builds a value for a schema from the answer's sentences and names."""

    def __init__(
        self, root: dict[str, Any], sentences: Sequence[str], names: Sequence[str], seed: bytes
    ) -> None:
        self.root = root
        self.sentences = list(sentences) or ["No details are available."]
        self.names = list(names)
        self.seed = seed
        self.draws = 0

    def _byte(self) -> int:
        self.draws += 1
        return self.seed[self.draws % len(self.seed)]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            return node if isinstance(node, dict) else {}
        return schema

    def value(self, schema: Any, key: str = "", depth: int = 0) -> Any:
        """A value valid for the schema (best effort for unknown keywords)."""
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][self._byte() % len(schema["enum"])]
        for combo in ("anyOf", "oneOf"):
            options = [o for o in schema.get(combo, []) if self._resolve(o).get("type") != "null"]
            if options:
                return self.value(options[0], key, depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part))
            return self.value(merged, key, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or (kind is None and "properties" in schema):
            properties = schema.get("properties", {})
            return {name: self.value(sub, name, depth + 1) for name, sub in properties.items()}
        if kind == "array":
            count = max(int(schema.get("minItems", 1)), min(3, 1 + self._byte() % 3))
            if schema.get("maxItems") is not None:
                count = min(count, int(schema["maxItems"]))
            if _LISTY.search(key) and self.names:
                return self.names[:count]
            return [self.value(schema.get("items", {}), key, depth + 1) for _ in range(count)]
        if kind == "integer":
            low = int(schema.get("minimum", 1))
            high = int(schema.get("maximum", low + 9))
            return low + self._byte() % (high - low + 1) if high >= low else low
        if kind == "number":
            start = float(schema.get("minimum", 0.0))
            stop = float(schema.get("maximum", start + 10.0))
            return round(start + (stop - start) * self._byte() / 255, 2)
        if kind == "boolean":
            return bool(self._byte() % 2)
        if kind == "null":
            return None
        if _LISTY.search(key) and self.names:
            return self.names[self._byte() % len(self.names)]
        return self.sentences[self._byte() % len(self.sentences)]


def json_answer(
    system_message: str, sentences: Sequence[str], names: Sequence[str], seed: bytes
) -> str:
    """The JSON text of an answer to a system message that asks for JSON.

    Args:
        system_message: The system message (may embed a JSON Schema).
        sentences: Readable sentences of the plain answer, for string values.
        names: Brand names the plain answer named, in order, for name-like fields.
        seed: Bytes to draw from (the request digest).

    Returns:
        One JSON object, valid for the embedded schema when there is one.
    """
    schema = _schema_in(system_message)
    if schema is None:
        body: Any = {"answer": " ".join(sentences)}
        if names:
            body["brands"] = list(names)
    else:
        body = _Filler(schema, sentences, names, seed).value(schema)
        if not isinstance(body, dict):
            body = {"answer": body}
    return json.dumps(body, ensure_ascii=False)
