"""``allOf`` as a real intersection: several schemas merged into one whose values satisfy them all.

The merged schema is for generating only (it may carry private ``x-fake-*`` keys: constraints
that could not be folded into one keyword, each checked again); answers are validated against
the schema the user sent. Subschemas that are not flat yet (``$ref``, ``allOf``, another scope's)
merge as ``{"allOf": [a, b]}``, flattened when the generator gets there.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from xai_fake.schema.errors import Unsatisfiable

__all__ = ["ALSO", "SCOPED", "canonical", "fraction", "merge", "relocated"]

#: The private key of a subschema read in another scope than the schema holding it:
#: ``{"x-fake-in": [n, subschema]}`` (``n`` numbers the scope, see :mod:`xai_fake.schema.generate`).
SCOPED = "x-fake-in"

#: Private keys: lists of constraints checked again on the generated value.
ALSO = {"pattern": "x-fake-patterns", "anyOf": "x-fake-anyOf", "oneOf": "x-fake-oneOf", "not": "x-fake-not"}
_LOWER = ("minimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
#: Keys that say nothing about values (references resolve on the documents themselves): the first one stays.
_INERT = ("$defs", "definitions", "$id", "id", "$anchor", "$dynamicAnchor", "$schema", "$comment")
_SUBSCHEMAS = (
    "items",
    "additionalProperties",
    "propertyNames",
    "contains",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
)
#: Where a (flattened) schema holds subschemas: one, a map of them, a list of them, a list of lists.
_ONE = (*_SUBSCHEMAS, "not", "if", "then", "else")
_MAP = ("properties", "patternProperties", "dependentSchemas")
_LIST = ("prefixItems", "items", "anyOf", "oneOf", "x-fake-not")
_LISTS = ("x-fake-anyOf", "x-fake-oneOf")
_NOT_FLAT = ("$ref", "$dynamicRef", "$recursiveRef", "allOf", SCOPED)


def canonical(value: Any) -> str:
    """A JSON text equal for equal JSON values (``1`` and ``1.0`` alike, as JSON Schema compares them)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{canonical(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return json.dumps(value)


def fraction(number: float | int) -> Fraction:
    """``number`` as an exact fraction of its shortest decimal text (``0.1`` is 1/10)."""
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


def _lcm(a: float | int, b: float | int) -> float | int:
    x, y = fraction(a), fraction(b)
    result = Fraction(math.lcm(x.numerator, y.numerator), math.gcd(x.denominator, y.denominator))
    return int(result) if result.denominator == 1 else float(result)


def _flat(schema: Any) -> bool:
    return not isinstance(schema, dict) or not any(key in schema for key in _NOT_FLAT)


def _merge_sub(a: Any, b: Any, path: str) -> Any:
    """Two subschemas merged: directly when both are flat, else as an ``allOf`` flattened later.

    ``false`` wins: as a subschema it is a constraint (no such property, no more items), not a contradiction.
    """
    if a is False or b is False:
        return False
    if _flat(a) and _flat(b):
        return merge(a, b, path, siblings=True)
    if a is True or a == {}:
        return b
    if b is True or b == {}:
        return a
    return {"allOf": [a, b]}


def _wrapped(schema: Any, scope: int) -> Any:
    if isinstance(schema, bool) or (isinstance(schema, dict) and SCOPED in schema):
        return schema
    return {SCOPED: [scope, schema]}


def relocated(flat: Any, scope: int) -> Any:
    """``flat`` (a flattened schema read in scope ``scope``) with its subschemas wrapped to be read there."""
    if not isinstance(flat, dict):
        return flat
    out = dict(flat)
    for key in _ONE:
        if key in out and not isinstance(out[key], list):
            out[key] = _wrapped(out[key], scope)
    for key in _MAP:
        if isinstance(out.get(key), dict):
            out[key] = {name: _wrapped(sub, scope) for name, sub in out[key].items()}
    for key in _LIST:
        if isinstance(out.get(key), list):
            out[key] = [_wrapped(sub, scope) for sub in out[key]]
    for key in _LISTS:
        if key in out:
            out[key] = [[_wrapped(sub, scope) for sub in options] for options in out[key]]
    return out


def _types(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _merge_types(a: Any, b: Any, path: str) -> Any:
    left, right = _types(a), _types(b)
    out = [t for t in left if t in right or (t == "integer" and "number" in right)]
    out += [t for t in right if t == "integer" and "number" in left and t not in out]
    if not out:
        raise Unsatisfiable(f"allOf asks for type {a!r} and type {b!r}", path)
    return out[0] if len(out) == 1 else out


def merge(a: Any, b: Any, path: str, *, siblings: bool = False) -> Any:  # noqa: PLR0915 - one branch per family
    """One schema whose values satisfy both ``a`` and ``b`` (both already free of ``$ref``/``allOf``).

    ``siblings``: ``a`` and ``b`` are subschemas of two different schemas (two ``properties``
    entries for one name), so each side's ``unevaluated*`` sees only its own keywords; else one
    side is in place in the other (``allOf``, ``$ref``, a branch), which sees what it evaluates.
    """
    if a is True or a == {}:
        return b
    if b is True or b == {}:
        return a
    if a is False or b is False:
        raise Unsatisfiable("allOf contains the false schema", path)
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        if (mine == value and key not in ALSO) or key in _INERT:
            continue
        if key == "type":
            out[key] = _merge_types(mine, value, path)
        elif key in _LOWER and not isinstance(value, bool):
            out[key] = max(mine, value)
        elif key in _UPPER and not isinstance(value, bool):
            out[key] = min(mine, value)
        elif key == "exclusiveMinimum" and not isinstance(value, bool):
            out[key] = max(mine, value)
        elif key == "exclusiveMaximum" and not isinstance(value, bool):
            out[key] = min(mine, value)
        elif key == "multipleOf":
            out[key] = _lcm(mine, value)
        elif key == "required":
            out[key] = list(mine) + [name for name in value if name not in mine]
        elif key == "uniqueItems":
            out[key] = bool(mine or value)
        elif key == "const":
            if canonical(mine) != canonical(value):
                raise Unsatisfiable(f"allOf asks for const {mine!r} and const {value!r}", path)
        elif key == "enum":
            theirs = {canonical(v) for v in value}
            out[key] = [v for v in mine if canonical(v) in theirs]
            if not out[key]:
                raise Unsatisfiable("allOf asks for enums with no member in common", path)
        elif key in _SCHEMA_MAPS:
            merged = dict(mine)
            for name, sub in value.items():
                merged[name] = _merge_sub(merged[name], sub, f"{path}.{key}.{name}") if name in merged else sub
            out[key] = merged
        elif key == "dependentRequired":
            deps = dict(mine)
            for name, names in value.items():
                deps[name] = list(deps.get(name, [])) + [n for n in names if n not in deps.get(name, [])]
            out[key] = deps
        elif key in _SUBSCHEMAS and isinstance(mine, (dict, bool)) and isinstance(value, (dict, bool)):
            out[key] = _merge_sub(mine, value, f"{path}.{key}")
        elif key == "prefixItems" or (key == "items" and isinstance(mine, list) and isinstance(value, list)):
            longer, shorter = (mine, value) if len(mine) >= len(value) else (value, mine)
            out[key] = [
                _merge_sub(x, shorter[i], f"{path}.{key}[{i}]") if i < len(shorter) else x for i, x in enumerate(longer)
            ]
        elif key in ALSO:
            also = ALSO[key]
            out[also] = [*out.get(also, []), value]
        else:
            also = "x-fake-also"
            out[also] = [*out.get(also, []), {key: value}]
    _restrict_names(out, a, b, path, siblings)
    _restrict_items(out, a, b, siblings)
    return out


def _allowed(part: dict[str, Any], siblings: bool) -> list[str] | None:
    if part.get("patternProperties"):
        return None
    extra = part.get("additionalProperties", part.get("unevaluatedProperties", True) if siblings else True)
    return list(part.get("properties", {})) if extra is False else None


def _restrict_names(out: dict[str, Any], a: dict[str, Any], b: dict[str, Any], path: str, siblings: bool) -> None:
    """Names one side forbids (``additionalProperties: false``) are forbidden in the merge too."""
    for side in (a, b):
        allowed = _allowed(side, siblings)
        if allowed is None:
            continue
        for name in list(out.get("properties", {})):
            if name not in allowed:
                if name in out.get("required", ()):
                    raise Unsatisfiable(f"allOf requires {name!r} where additionalProperties is false", path)
                out["properties"] = {k: v for k, v in out["properties"].items() if k != name}
        for name in out.get("required", ()):
            if name not in allowed:
                raise Unsatisfiable(f"allOf requires {name!r} where additionalProperties is false", path)


def _room(part: dict[str, Any], siblings: bool) -> int | None:
    """How many items one side allows by its own tuple keywords (None: no limit of that kind)."""
    items = part.get("items")
    if isinstance(items, list):  # draft-07 tuple form
        prefix, rest = items, part.get("additionalItems")
    else:
        prefix, rest = part.get("prefixItems", []), items
    if rest is None and siblings and "contains" not in part:
        rest = part.get("unevaluatedItems")
    return len(prefix) if rest is False else None


def _restrict_items(out: dict[str, Any], a: dict[str, Any], b: dict[str, Any], siblings: bool) -> None:
    """Items past the tuple of the side that forbids more (``items: false``) are forbidden in the merge too."""
    for side in (a, b):
        room = _room(side, siblings)
        if room is not None and room < out.get("maxItems", room + 1):
            out["maxItems"] = room
