"""Seeded JSON values that validate against a JSON schema.

Covers what tool parameters and structured outputs use in practice (and what
pydantic emits): objects with properties/required, arrays with items and
min/max items, strings (enum, const, format, min/max length), numbers and
integers with bounds, booleans, null, ``anyOf``/``oneOf``/``allOf`` and local
``$ref`` into ``$defs``/``definitions``.
"""

from __future__ import annotations

import random
from typing import Any

_MAX_DEPTH = 6


def value_for(schema: dict[str, Any], rng: random.Random, words: list[str]) -> Any:
    """A value valid against ``schema``; ``words`` feed string values."""
    return _value(schema, schema, rng, words, 0)


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref values are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node  # type: ignore[no-any-return]


def _value(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, words: list[str], depth: int) -> Any:
    if "$ref" in schema:
        return _value(_resolve(root, schema["$ref"]), root, rng, words, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return _value(rng.choice(options), root, rng, words, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(root, part["$ref"]) if "$ref" in part else part)
        return _value(merged, root, rng, words, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        return _object(schema, root, rng, words, depth)
    if kind == "array":
        items = schema.get("items", {"type": "string"})
        low = int(schema.get("minItems", 1))
        high = max(low, min(int(schema.get("maxItems", low + 2)), low + 3))
        count = 0 if depth >= _MAX_DEPTH else rng.randint(low, high)
        return [_value(items, root, rng, words, depth + 1) for _ in range(count)]
    if kind == "integer":
        low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1))
        high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
        return rng.randint(low, max(low, high))
    if kind == "number":
        bottom = float(schema.get("minimum", schema.get("exclusiveMinimum", 0.0)))
        top = float(schema.get("maximum", schema.get("exclusiveMaximum", bottom + 100.0)))
        return round(rng.uniform(bottom, top), 2) if top > bottom else bottom
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng, words)


def _object(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, words: list[str], depth: int) -> Any:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", properties if depth < _MAX_DEPTH else ()))
    return {
        name: _value(sub, root, rng, words, depth + 1)
        for name, sub in properties.items()
        if name in required or (depth < _MAX_DEPTH and rng.random() < 0.5)
    }


def _string(schema: dict[str, Any], rng: random.Random, words: list[str]) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00Z"
    if fmt == "date":
        return f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    if fmt == "email":
        return f"{rng.choice(words).lower()}@example.com"
    if fmt in ("uri", "url"):
        return f"https://example.com/{rng.choice(words).lower()}"
    if fmt == "uuid":
        return "%08x-%04x-4%03x-8%03x-%012x" % tuple(rng.getrandbits(b) for b in (32, 16, 12, 12, 48))  # noqa: UP031
    low, high = int(schema.get("minLength", 1)), int(schema.get("maxLength", 40))
    text = " ".join(rng.sample(words, k=min(len(words), rng.randint(1, 3)))) or "x"
    while len(text) < low:
        text += " " + rng.choice(words)
    return text[:high] if high >= low else text
