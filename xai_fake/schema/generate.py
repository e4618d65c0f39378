"""The generator: one walk over a schema, dispatching to the per-type generators.

References are resolved and ``allOf`` merged first (:func:`Generator.flatten`); ``anyOf``,
``oneOf``, ``if``/``then``/``else`` pick a branch and merge it in; ``not``, ``oneOf`` and
``contains`` are checked on the value with ``jsonschema``. Below :data:`SOFT_DEPTH` levels
only what the schema requires is generated (optional properties left out, arrays at their
minimum, non-recursive branches preferred), so recursive schemas end.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from xai_fake.schema.errors import NotYetSupported, Unsatisfiable
from xai_fake.schema.merge import canonical, merge
from xai_fake.schema.numbers import number_value
from xai_fake.schema.realism import string_for_name
from xai_fake.schema.refs import Refs
from xai_fake.schema.strings import string_value
from xai_fake.schema.validate import Checker

__all__ = ["HARD_DEPTH", "SOFT_DEPTH", "Generator"]

SOFT_DEPTH = 5
HARD_DEPTH = 60
_OBJECT_KEYS = (
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
)
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems", "additionalItems")
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format", "x-fake-patterns")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_BRANCHES = ("anyOf", "oneOf", "x-fake-anyOf", "x-fake-oneOf", "if", "not", "x-fake-not")


def _recursive(schema: Any) -> bool:
    return '"$ref"' in json.dumps(schema) or '"$dynamicRef"' in json.dumps(schema)


class Generator:
    """Values for one schema document, drawn from ``rng``; ``checker`` validates its parts."""

    def __init__(self, refs: Refs, checker: Checker, rng: random.Random, words: list[str]) -> None:
        self.refs = refs
        self.checker = checker
        self.rng = rng
        self.words = words or ["alpha", "beta", "gamma"]

    # -- normalising ---------------------------------------------------------------------------

    def flatten(self, node: Any, path: str, base: str, hops: int = 0) -> tuple[Any, str]:
        """``node`` with ``$ref`` followed and ``allOf`` merged in: (schema, its base URI)."""
        if isinstance(node, bool):
            return node, base
        if not isinstance(node, dict):
            raise Unsatisfiable(f"a schema must be an object or a boolean, got {type(node).__name__}", path)
        if hops > HARD_DEPTH:
            raise Unsatisfiable("$ref refers to itself without ever reaching a schema", path)
        base = self.refs.base_of(node, base)
        flat: Any = {k: v for k, v in node.items() if k not in ("$ref", "$dynamicRef", "$recursiveRef", "allOf")}
        if "dependencies" in flat:  # draft-07 spelling of dependentRequired / dependentSchemas
            for key, dep in flat.pop("dependencies").items():
                kind = "dependentRequired" if isinstance(dep, list) else "dependentSchemas"
                flat.setdefault(kind, {})[key] = dep
        if flat.get("nullable") is True and "type" in flat:  # OpenAPI 3.0
            types = [flat["type"]] if isinstance(flat["type"], str) else list(flat["type"])
            flat["type"] = [*types, "null"] if "null" not in types else types
            if "enum" in flat and None not in flat["enum"]:
                flat["enum"] = [*flat["enum"], None]
        for key in ("$ref", "$dynamicRef", "$recursiveRef"):
            ref = node.get(key)
            if isinstance(ref, str):
                target, target_base, target_path = self.refs.resolve(ref, base, path)
                target, base = self.flatten(target, target_path, target_base, hops + 1)
                flat = merge(target, flat, path)
        for index, part in enumerate(node.get("allOf", ())):
            part_flat, _ = self.flatten(part, f"{path}.allOf[{index}]", base, hops + 1)
            flat = merge(flat, part_flat, f"{path}.allOf[{index}]")
        return flat, base

    # -- values --------------------------------------------------------------------------------

    def value(self, node: Any, path: str, base: str, depth: int, name: str | None = None) -> Any:
        """A value valid against ``node`` (found at ``path``, ``depth`` levels down)."""
        if depth > HARD_DEPTH:
            raise NotYetSupported(f"the schema nests (or recurses) deeper than {HARD_DEPTH} levels", path)
        flat, base = self.flatten(node, path, base)
        if flat is True:
            return self._anything(name)
        if flat is False:
            raise Unsatisfiable("the false schema accepts no value", path)
        if any(key in flat for key in _BRANCHES):
            return self._branched(flat, path, base, depth, name)
        return self._plain(flat, path, base, depth, name)

    def _anything(self, name: str | None) -> Any:
        """A value for a schema that does not say its type: mostly a string, sometimes another type."""
        roll = self.rng.random()
        if roll < 0.6:
            return string_for_name(name, self.rng) or " ".join(self.rng.sample(self.words, k=min(2, len(self.words))))
        if roll < 0.75:
            return self.rng.randint(0, 100)
        if roll < 0.85:
            return self.rng.random() < 0.5
        if roll < 0.92:
            return round(self.rng.uniform(0, 100), 2)
        return None

    def _order(self, options: list[Any], depth: int) -> list[int]:
        indexes = list(range(len(options)))
        self.rng.shuffle(indexes)

        def rank(index: int) -> int:
            option = options[index]
            nullish = isinstance(option, dict) and option.get("type") == "null"
            if depth >= SOFT_DEPTH:
                return 0 if nullish else 1 + _recursive(option)
            return 1 if nullish and self.rng.random() < 0.85 else 0

        return sorted(indexes, key=rank)

    def _branched(self, flat: dict[str, Any], path: str, base: str, depth: int, name: str | None) -> Any:
        rest = {k: v for k, v in flat.items() if k not in _BRANCHES and k not in ("then", "else")}
        groups: list[tuple[str, list[Any]]] = []
        for key in ("anyOf", "oneOf"):
            if isinstance(flat.get(key), list) and flat[key]:
                groups.append((key, flat[key]))
        for key in ("x-fake-anyOf", "x-fake-oneOf"):
            groups += [(key[7:], options) for options in flat.get(key, ())]
        nots = ([flat["not"]] if "not" in flat else []) + list(flat.get("x-fake-not", ()))
        orders = [self._order(options, depth) for _, options in groups]
        last: Unsatisfiable | None = None
        made = False
        attempt_count = 8
        for attempt in range(attempt_count):
            schema: Any = rest
            try:
                for (key, options), order in zip(groups, orders, strict=True):
                    index = order[attempt % len(order)]
                    part, _ = self.flatten(options[index], f"{path}.{key}[{index}]", base)
                    schema = merge(schema, part, f"{path}.{key}[{index}]")
                condition = flat.get("if")
                took_then = False
                if condition is not None:
                    took_then = self.rng.random() < 0.5 if "else" in flat or "then" in flat else True
                    if took_then:
                        schema = merge(schema, self.flatten(condition, f"{path}.if", base)[0], f"{path}.if")
                    branch = flat.get("then" if took_then else "else")
                    if branch is not None:
                        where = f"{path}.{'then' if took_then else 'else'}"
                        schema = merge(schema, self.flatten(branch, where, base)[0], where)
                value = self.value(schema, path, base, depth, name)
            except NotYetSupported:
                made = True
                continue
            except Unsatisfiable as error:
                last = error
                continue
            made = True
            if any(self.checker.ok(value, n) for n in nots):
                continue
            if condition is not None and not took_then and self.checker.ok(value, condition):
                continue
            if any(key == "oneOf" and sum(self.checker.ok(value, o) for o in options) != 1 for key, options in groups):
                continue
            return value
        if last is not None and not made and all(attempt_count >= len(options) for _, options in groups):
            raise last  # every branch contradicts the rest of the schema
        raise NotYetSupported("no branch of anyOf/oneOf/if/not gave a value that satisfies the rest", path)

    def _plain(self, flat: dict[str, Any], path: str, base: str, depth: int, name: str | None) -> Any:
        if "const" in flat:
            return flat["const"]
        if "enum" in flat:
            fitting = [v for v in flat["enum"] if self.checker.ok(v, _public(flat))]
            if not fitting:
                raise Unsatisfiable("no member of enum satisfies the other keywords", path)
            return self.rng.choice(fitting)
        if depth < SOFT_DEPTH and self.rng.random() < 0.3:
            hints = list(flat.get("examples", [])) if isinstance(flat.get("examples"), list) else []
            hints += [flat["default"]] if "default" in flat else []
            for hint in hints:
                if self.checker.ok(hint, _public(flat)):
                    return hint
        kind = self._type(flat, depth, path)
        if kind == "null":
            return None
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return number_value(flat, self.rng, kind == "integer", name, path)
        if kind == "string":
            return string_value(flat, self.rng, self.words, name, path)
        if kind == "object":
            return self._object(flat, path, base, depth)
        if kind == "array":
            return self._array(flat, path, base, depth, name)
        return self._anything(name)

    def _type(self, flat: dict[str, Any], depth: int, path: str) -> str:
        wanted = flat.get("type")
        if wanted is None:
            for keys, kind in (
                (_OBJECT_KEYS, "object"),
                (_ARRAY_KEYS, "array"),
                (_STRING_KEYS, "string"),
                (_NUMBER_KEYS, "number"),
            ):
                if any(k in flat for k in keys):
                    return kind
            return "any"
        types = [wanted] if isinstance(wanted, str) else list(wanted)
        if not types:
            raise Unsatisfiable("type is an empty list", path)
        real = [t for t in types if t != "null"]
        if not real or ("null" in types and depth >= SOFT_DEPTH):
            return "null"
        return real[0] if len(real) == 1 else self.rng.choice(real)

    # -- objects -------------------------------------------------------------------------------

    def _object(self, flat: dict[str, Any], path: str, base: str, depth: int) -> dict[str, Any]:
        props: dict[str, Any] = flat.get("properties", {})
        required = [n for n in flat.get("required", ()) if isinstance(n, str)]
        patterns: dict[str, Any] = flat.get("patternProperties", {})
        extra = flat.get("additionalProperties", flat.get("unevaluatedProperties", True))
        low = int(flat.get("minProperties", 0))
        high = int(flat.get("maxProperties", 10**9))
        if low > high:
            raise Unsatisfiable(f"minProperties {low} > maxProperties {high}", path)
        chosen = [n for n in props if n in required] + [n for n in required if n not in props]
        if len(chosen) > high:
            raise Unsatisfiable(f"{len(chosen)} required properties > maxProperties {high}", path)
        for key, prop in props.items():
            optional = key not in chosen and prop is not False and len(chosen) < high
            if optional and depth < SOFT_DEPTH and self.rng.random() < 0.7:
                chosen.append(key)
        self._dependencies(flat, chosen)
        for key in chosen:
            if key in flat.get("dependentSchemas", {}):
                part, _ = self.flatten(flat["dependentSchemas"][key], f"{path}.dependentSchemas.{key}", base)
                flat = merge(flat, part, f"{path}.dependentSchemas.{key}")
        props = flat.get("properties", {})
        chosen += [n for n in flat.get("required", ()) if n not in chosen]
        self._dependencies(flat, chosen)
        for key in props:
            if len(chosen) >= low:
                break
            if key not in chosen and props[key] is not False:
                chosen.append(key)
        names = flat.get("propertyNames", True)
        tries = 0
        while len(chosen) < low and tries < 50:
            tries += 1
            if patterns and (extra is False or tries % 2):
                pattern = sorted(patterns)[tries % len(patterns)]
                key = string_value({"pattern": pattern}, self.rng, self.words, None, f"{path}.patternProperties")
            elif extra is not False:
                named = self.value(names, f"{path}.propertyNames", base, depth + 1) if names is not True else None
                key = named if isinstance(named, str) else self.rng.choice(self.words) + str(self.rng.randint(1, 999))
            else:
                raise Unsatisfiable(f"minProperties {low} but only {len(chosen)} properties are allowed", path)
            if key not in chosen and (names is True or self.checker.ok(key, names)):
                chosen.append(key)
        out: dict[str, Any] = {}
        for key in chosen:
            sub: Any = props.get(key) if key in props else None
            for pattern, pattern_schema in patterns.items():
                if re.search(pattern, key):
                    sub = (
                        pattern_schema
                        if sub is None
                        else merge(self.flatten(sub, path, base)[0], self.flatten(pattern_schema, path, base)[0], path)
                    )
            if sub is None:
                if extra is False:
                    raise Unsatisfiable(f"property {key!r} is required but additionalProperties is false", path)
                sub = extra
            out[key] = self.value(sub, f"{path}.properties.{key}", base, depth + 1, key)
        return out

    @staticmethod
    def _dependencies(flat: dict[str, Any], chosen: list[str]) -> None:
        needs: dict[str, list[str]] = flat.get("dependentRequired", {})
        grown = True
        while grown:
            grown = False
            for key in list(chosen):
                for other in needs.get(key, ()):
                    if other not in chosen:
                        chosen.append(other)
                        grown = True

    # -- arrays --------------------------------------------------------------------------------

    def _array(self, flat: dict[str, Any], path: str, base: str, depth: int, name: str | None) -> list[Any]:
        items = flat.get("items", True)
        if isinstance(items, list):  # draft-07 tuple form
            prefix, rest = items, flat.get("additionalItems", True)
        else:
            prefix, rest = list(flat.get("prefixItems", ())), items
        low = int(flat.get("minItems", 0))
        high = int(flat.get("maxItems", 10**9))
        contains = flat.get("contains")
        min_contains = int(flat.get("minContains", 1)) if contains is not None else 0
        max_contains = int(flat.get("maxContains", 10**9)) if contains is not None else 10**9
        if min_contains > max_contains:
            raise Unsatisfiable(f"minContains {min_contains} > maxContains {max_contains}", path)
        low = max(low, min_contains)
        if low > high:
            raise Unsatisfiable(f"minItems {low} > maxItems {high}", path)
        limit = len(prefix) if rest is False else high
        if low > limit:
            raise Unsatisfiable(f"minItems {low} but only {len(prefix)} items are allowed", path)
        if depth < SOFT_DEPTH:
            wanted = max(low, min(len(prefix), limit)) if prefix else self.rng.randint(max(low, 1), max(low, 3))
            count = min(max(wanted, low), limit)
        else:
            count = low
        hits = set(self.rng.sample(range(count), k=min_contains)) if min_contains else set()
        unique = bool(flat.get("uniqueItems"))
        seen: set[str] = set()
        out: list[Any] = []
        for index in range(count):
            where = f"{path}.prefixItems[{index}]" if index < len(prefix) else f"{path}.items"
            schema = prefix[index] if index < len(prefix) else rest
            if index in hits:
                schema = merge(
                    self.flatten(schema, where, base)[0], self.flatten(contains, f"{path}.contains", base)[0], where
                )
            for _ in range(12):
                item = self.value(schema, where, base, depth + 1, name)
                if unique and canonical(item) in seen:
                    continue
                if index not in hits and max_contains < 10**9 and self.checker.ok(item, contains):
                    continue
                break
            else:
                raise NotYetSupported(f"found only {len(out)} distinct items for uniqueItems/maxContains", where)
            seen.add(canonical(item))
            out.append(item)
        return out


def _public(flat: dict[str, Any]) -> dict[str, Any]:
    """``flat`` without the engine's private keys (they are checked elsewhere)."""
    return {k: v for k, v in flat.items() if not k.startswith("x-fake-")}
