"""The generator: one walk over a schema, dispatching to the per-type generators.

References are resolved and ``allOf`` merged first (:func:`Generator.flatten`); ``anyOf``,
``oneOf``, ``if``/``then``/``else`` pick a branch and merge it in; ``not``, ``oneOf`` and
``contains`` are checked on the value with ``jsonschema``. Below :data:`SOFT_DEPTH` levels (or
past :data:`BUDGET` values) only what the schema requires is generated (optional properties left
out, arrays at their minimum, non-recursive branches preferred), so recursive schemas end.

Every schema is read in a *scope* (:mod:`xai_fake.schema.refs`: the base URI and dynamic scope
``jsonschema`` would read it in). A referenced schema merged into one from another scope keeps
its own: its subschemas travel wrapped as ``{"x-fake-in": [n, subschema]}``, scope ``n`` of
the plan's :attr:`~xai_fake.schema.plan.Memo.scopes`, and are read there.

What depends on the schema alone (flattened subschemas, scope numbers, the ``enum`` members and
hints that fit their schema) is remembered across calls in the schema's :class:`~xai_fake.schema.plan.Plan`.
"""

from __future__ import annotations

import json
import random
import re
from typing import TYPE_CHECKING, Any

from xai_fake.schema.errors import InvalidSchema, NotYetSupported, Unsatisfiable
from xai_fake.schema.merge import SCOPED, canonical, merge, relocated
from xai_fake.schema.numbers import number_value
from xai_fake.schema.plan import Plan
from xai_fake.schema.realism import string_for_name
from xai_fake.schema.strings import string_value
from xai_fake.schema.validate import Checker

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["BUDGET", "HARD_DEPTH", "SOFT_DEPTH", "Generator"]

SOFT_DEPTH = 5
HARD_DEPTH = 60
#: How many values one answer may hold before the rest is generated as small as the schema allows
#: (wide recursive schemas, such as the JSON Schema metaschema, would otherwise grow exponentially).
BUDGET = 120
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
    "unevaluatedProperties",
)
_ARRAY_KEYS = (
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "contains",
    "minContains",
    "maxContains",
    "uniqueItems",
    "additionalItems",
    "unevaluatedItems",
)
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format", "x-fake-patterns")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
#: Keyword families, each constraining values of one kind only (a value of another kind ignores them).
_FAMILIES = ((_OBJECT_KEYS, "object"), (_ARRAY_KEYS, "array"), (_STRING_KEYS, "string"), (_NUMBER_KEYS, "number"))
_BRANCHES = ("anyOf", "oneOf", "x-fake-anyOf", "x-fake-oneOf", "if", "not", "x-fake-not")
_BRANCH_KEYS = frozenset(_BRANCHES)
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
#: The kinds of an untyped value, each with the top of its share of a roll in [0, 1).
_ANY = (("string", 0.6), ("integer", 0.75), ("boolean", 0.85), ("number", 0.92), ("null", 1.0))
_FAMILY_OF = {"integer": "number"}
_KINDS = ("object", "array", "string", "integer", "number", "boolean", "null")


def _recursive(schema: Any) -> bool:
    text = json.dumps(schema)
    return '"$ref"' in text or '"$dynamicRef"' in text or SCOPED in text


def _ruled_out(error: Unsatisfiable) -> bool:
    """Whether ``error`` proves there is no value (not that the engine found none, nor a broken schema)."""
    return not isinstance(error, (NotYetSupported, InvalidSchema))


class Generator:
    """Values for one schema document (its ``plan``), drawn from ``rng``; ``checker`` validates its parts."""

    def __init__(self, plan: Plan, checker: Checker, rng: random.Random, words: list[str]) -> None:
        self.refs = plan.refs
        self.checker = checker
        self.rng = rng
        self.words = words or ["alpha", "beta", "gamma"]
        self._memo = memo = plan.memo()
        #: The scopes that wrapped subschemas (``{"x-fake-in": [n, schema]}``) are read in, by ``n``.
        self.scopes: list[Resolver[Any]] = memo.scopes
        self._flat = memo.flat  # flatten()'s answers for stable nodes, by node and scope
        self._local: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # and for the others, during this call
        self._keys = memo.keys
        self._fitting = memo.fitting
        self.budget = BUDGET

    def root_value(self) -> Any:
        """A value for the whole schema (one attempt: the size budget starts afresh)."""
        self.budget = BUDGET
        return self.value(self.refs.root, "$", self.refs.scope, 0)

    def _roomy(self, depth: int) -> bool:
        """Whether there is room for more than the schema requires (shallow enough, budget left)."""
        return depth < SOFT_DEPTH and self.budget > 0

    # -- scopes --------------------------------------------------------------------------------

    def _number(self, scope: Resolver[Any]) -> int:
        """The number of ``scope`` in :attr:`scopes` (added on first use)."""
        return self._memo.number(scope)

    def _key(self, scope: Resolver[Any]) -> tuple[Any, ...]:
        """:meth:`Refs.key` of ``scope``, remembered for the scope object (kept alive, so its id() stays its own)."""
        known = self._keys.get(id(scope))
        if known is None or known[0] is not scope:
            known = self._keys[id(scope)] = (scope, self.refs.key(scope))
        return known[1]

    def _moved(self, flat: Any, inner: Resolver[Any], outer: Resolver[Any]) -> Any:
        """``flat``, read in ``inner``, made readable in ``outer`` (its subschemas wrapped when the scopes differ)."""
        if inner is outer or self._key(inner) == self._key(outer):
            return flat
        return relocated(flat, self._number(inner))

    def _ok(self, value: Any, schema: Any, scope: Resolver[Any]) -> bool:
        """Whether ``value`` satisfies the subschema ``schema`` read in ``scope``."""
        if isinstance(schema, dict) and SCOPED in schema:
            number, schema = schema[SCOPED]
            scope = self.scopes[number]
        if isinstance(schema, bool):
            return schema
        return self.checker.ok(value, schema, self.refs.enter(scope, schema))

    # -- normalising ---------------------------------------------------------------------------

    def flatten(self, node: Any, path: str, scope: Resolver[Any], hops: int = 0, *, target: bool = False) -> Any:
        """``node`` with ``$ref`` followed and ``allOf`` merged in, as a schema read in ``scope``.

        ``target``: ``node`` is what a reference names, and ``scope`` the one the lookup gave: already
        inside ``node``'s own ``$id`` (as ``jsonschema`` reads a reference's target).
        """
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise Unsatisfiable(f"a schema must be an object or a boolean, got {type(node).__name__}", path)
        if hops > HARD_DEPTH:
            raise Unsatisfiable("$ref refers to itself without ever reaching a schema", path)
        cache_key = (id(node), target, *self._key(scope))
        stable = self._memo.stable(node)
        cached = (self._flat if stable else self._local).get(cache_key)
        if cached is not None and cached[0] is node:
            return cached[1]
        flat = self._flatten(node, path, scope, hops, target)
        if stable:
            self._memo.keep(cache_key, node, flat)
        else:
            self._local[cache_key] = (node, flat)  # keeping ``node`` alive: its id() is not reused meanwhile
        return flat

    def _flatten(self, node: dict[str, Any], path: str, scope: Resolver[Any], hops: int, target: bool) -> Any:
        if SCOPED in node:
            number, inner_node = node[SCOPED]
            inner = self.scopes[number]
            return self._moved(self.flatten(inner_node, path, inner, hops + 1), inner, scope)
        inner = scope if target else self.refs.enter(scope, node)
        entered = target or inner is not scope  # then ``$id`` is the scope's now: read again, it would move it twice
        skip = (*_REFS, "allOf", "$id", "id") if entered else (*_REFS, "allOf")
        flat: Any = {k: v for k, v in node.items() if k not in skip}
        if "dependencies" in flat:  # draft-07 spelling of dependentRequired / dependentSchemas
            for key, dep in flat.pop("dependencies").items():
                kind = "dependentRequired" if isinstance(dep, list) else "dependentSchemas"
                flat[kind] = {**flat.get(kind, {}), key: dep}
        if flat.get("nullable") is True and "type" in flat:  # OpenAPI 3.0
            types = [flat["type"]] if isinstance(flat["type"], str) else list(flat["type"])
            flat["type"] = [*types, "null"] if "null" not in types else types
            if "enum" in flat and None not in flat["enum"]:
                flat["enum"] = [*flat["enum"], None]
        for key in _REFS:
            ref = node.get(key)
            if isinstance(ref, str):
                named, named_scope, named_path = self.refs.follow(inner, key, ref, path)
                self._memo.settle(named)  # a resource of the registry: the same object every time
                part = self.flatten(named, named_path, named_scope, hops + 1, target=True)
                flat = merge(self._moved(part, named_scope, inner), flat, path)
        for index, part in enumerate(node.get("allOf", ())):
            part_flat = self.flatten(part, f"{path}.allOf[{index}]", inner, hops + 1)
            flat = merge(flat, part_flat, f"{path}.allOf[{index}]")
        return self._moved(flat, inner, scope)

    # -- values --------------------------------------------------------------------------------

    def value(self, node: Any, path: str, scope: Resolver[Any], depth: int, name: str | None = None) -> Any:
        """A value valid against ``node`` (found at ``path``, read in ``scope``, ``depth`` levels down)."""
        if depth > HARD_DEPTH:
            raise NotYetSupported(f"the schema nests (or recurses) deeper than {HARD_DEPTH} levels", path)
        self.budget -= 1
        flat = self.flatten(node, path, scope)
        if flat is True:
            return self._anything(name)
        if flat is False:
            raise Unsatisfiable("the false schema accepts no value", path)
        if not _BRANCH_KEYS.isdisjoint(flat):
            return self._branched(flat, path, scope, depth, name)
        return self._plain(flat, path, scope, depth, name)

    def _anything(self, name: str | None, avoid: tuple[str, ...] = ()) -> Any:
        """A value for a schema that does not say its type: mostly a string, sometimes another type.

        ``avoid`` lists kinds (``object``, ``array``, ``string``, ``number``) the value must not be.
        """
        if avoid:
            kind = self.rng.choice([k for k, _ in _ANY if _FAMILY_OF.get(k, k) not in avoid])
        else:
            roll = self.rng.random()
            kind = next(k for k, top in _ANY if roll < top)
        if kind == "string":
            return string_for_name(name, self.rng) or " ".join(self.rng.sample(self.words, k=min(2, len(self.words))))
        if kind == "integer":
            return self.rng.randint(0, 100)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "number":
            return round(self.rng.uniform(0, 100), 2)
        return None

    def _order(self, options: list[Any], depth: int) -> list[int]:
        indexes = list(range(len(options)))
        self.rng.shuffle(indexes)

        def rank(index: int) -> int:
            option = options[index]
            nullish = isinstance(option, dict) and option.get("type") == "null"
            if not self._roomy(depth):
                return 0 if nullish else 1 + _recursive(option)
            return 1 if nullish and self.rng.random() < 0.85 else 0

        return sorted(indexes, key=rank)

    def _branched(self, flat: dict[str, Any], path: str, scope: Resolver[Any], depth: int, name: str | None) -> Any:
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
        rejected: list[str] = []  # the kinds of the values turned down so far
        talked: list[str] | None = None
        for attempt in range(attempt_count):
            schema: Any = rest
            try:
                if rejected:
                    talked = self._talked_about(nots, path, scope) if talked is None else talked
                    schema = merge(schema, _variant(schema, talked, rejected), path)
                for (key, options), order in zip(groups, orders, strict=True):
                    index = order[attempt % len(order)]
                    part = self.flatten(options[index], f"{path}.{key}[{index}]", scope)
                    schema = merge(schema, part, f"{path}.{key}[{index}]")
                condition = flat.get("if")
                took_then = False
                if condition is not None:
                    took_then = self.rng.random() < 0.5 if "else" in flat or "then" in flat else True
                    if took_then:
                        schema = merge(schema, self.flatten(condition, f"{path}.if", scope), f"{path}.if")
                    branch = flat.get("then" if took_then else "else")
                    if branch is not None:
                        where = f"{path}.{'then' if took_then else 'else'}"
                        schema = merge(schema, self.flatten(branch, where, scope), where)
                value = self.value(schema, path, scope, depth, name)
            except NotYetSupported:
                made = True
                continue
            except Unsatisfiable as error:
                last = error
                continue
            made = True
            unwanted = condition if condition is not None and not took_then else None
            if self._turned_down(value, nots, unwanted, groups, scope):
                rejected.append(_kind_of(value))
                continue
            return value
        if last is not None and not made and all(attempt_count >= len(options) for _, options in groups):
            raise last  # every branch contradicts the rest of the schema
        raise NotYetSupported("no branch of anyOf/oneOf/if/not gave a value that satisfies the rest", path)

    def _turned_down(
        self, value: Any, nots: list[Any], unwanted: Any, groups: list[tuple[str, list[Any]]], scope: Resolver[Any]
    ) -> bool:
        """Whether ``value`` satisfies a ``not`` or the ``if`` of the else branch taken, or not one ``oneOf`` option."""
        if any(self._ok(value, n, scope) for n in nots):
            return True
        if unwanted is not None and self._ok(value, unwanted, scope):
            return True
        return any(key == "oneOf" and sum(self._ok(value, o, scope) for o in options) != 1 for key, options in groups)

    def _talked_about(self, nots: list[Any], path: str, scope: Resolver[Any]) -> list[str]:
        """The kinds of value the ``not`` subschemas constrain (values of the other kinds satisfy them: turned down)."""
        kinds: list[str] = []
        for index, schema in enumerate(nots):
            try:
                flat = self.flatten(schema, f"{path}.not[{index}]", scope)
            except Unsatisfiable:
                continue
            if not isinstance(flat, dict):
                continue
            for part in [flat, *flat.get("anyOf", ()), *flat.get("oneOf", ())]:
                if isinstance(part, dict):
                    kinds += [kind for keys, kind in _FAMILIES if kind not in kinds and any(k in part for k in keys)]
        return kinds

    def _plain(self, flat: dict[str, Any], path: str, scope: Resolver[Any], depth: int, name: str | None) -> Any:
        if "const" in flat:
            return flat["const"]
        if "enum" in flat:
            fitting = self._fits("enum", flat, scope)
            if not fitting:
                raise Unsatisfiable("no member of enum satisfies the other keywords", path)
            return self.rng.choice(fitting)
        if ("examples" in flat or "default" in flat) and self._roomy(depth) and self.rng.random() < 0.3:
            hints = self._fits("hints", flat, scope)
            if hints:
                return hints[0]
        kinds = self._kinds(flat, depth, path)
        for index, kind in enumerate(kinds):
            try:
                return self._of_kind(kind, flat, path, scope, depth, name=name, ruled_out=tuple(kinds[:index]))
            except Unsatisfiable as error:
                if index == len(kinds) - 1 or not _ruled_out(error):
                    raise
        raise AssertionError("unreachable: the last kind returns or raises")

    def _fits(self, what: str, flat: dict[str, Any], scope: Resolver[Any]) -> list[Any]:
        """The members of ``enum`` (``what``: ``enum``), or the ``examples`` and ``default`` (``hints``), that
        satisfy the rest of ``flat`` read in ``scope``; remembered in the plan when ``flat`` is one of its own.
        """
        key = (what, id(flat), *self._key(scope))
        known = self._fitting.get(key)
        if known is not None and known[0] is flat:
            return known[1]
        if what == "enum":
            members = list(flat["enum"])
        else:
            members = list(flat.get("examples", [])) if isinstance(flat.get("examples"), list) else []
            members += [flat["default"]] if "default" in flat else []
        public = _public(flat)
        fitting = [member for member in members if self._ok(member, public, scope)]
        if self._memo.stable(flat):  # else a merge made for this call alone: not worth keeping
            self._fitting[key] = (flat, fitting)
        return fitting

    def _of_kind(
        self,
        kind: str,
        flat: dict[str, Any],
        path: str,
        scope: Resolver[Any],
        depth: int,
        *,
        name: str | None,
        ruled_out: tuple[str, ...],
    ) -> Any:
        """A value of ``kind`` for ``flat`` (``any``: of a kind other than those ``ruled_out``)."""
        if kind == "null":
            return None
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return number_value(flat, self.rng, kind == "integer", name, path)
        if kind == "string":
            return string_value(flat, self.rng, self.words, name, path)
        if kind == "object":
            return self._object(flat, path, scope, depth)
        if kind == "array":
            return self._array(flat, path, scope, depth, name)
        return self._anything(name, ruled_out)

    def _kinds(self, flat: dict[str, Any], depth: int, path: str) -> list[str]:
        """The kinds of value to try for ``flat``, in turn while the earlier ones prove impossible.

        Without ``type``: the kinds its keywords constrain, then (``any``) a value of another kind,
        which those keywords ignore. With a list of types: one drawn first, then the others.
        """
        wanted = flat.get("type")
        if wanted is None:
            return [kind for keys, kind in _FAMILIES if any(k in flat for k in keys)] + ["any"]
        types = [wanted] if isinstance(wanted, str) else list(wanted)
        if not types:
            raise Unsatisfiable("type is an empty list", path)
        real = [t for t in types if t != "null"]
        if not real or ("null" in types and not self._roomy(depth)):
            return ["null"]
        first = real[0] if len(real) == 1 else self.rng.choice(real)
        return [first] + [t for t in types if t != first]

    # -- objects -------------------------------------------------------------------------------

    def _object(self, flat: dict[str, Any], path: str, scope: Resolver[Any], depth: int) -> dict[str, Any]:
        props: dict[str, Any] = flat.get("properties", {})
        required = [n for n in flat.get("required", ()) if isinstance(n, str)]
        low = int(flat.get("minProperties", 0))
        high = int(flat.get("maxProperties", 10**9))
        if low > high:
            raise Unsatisfiable(f"minProperties {low} > maxProperties {high}", path)
        chosen = [n for n in props if n in required] + [n for n in required if n not in props]
        if len(chosen) > high:
            raise Unsatisfiable(f"{len(chosen)} required properties > maxProperties {high}", path)
        for key, prop in props.items():
            optional = key not in chosen and prop is not False and len(chosen) < high
            if optional and self._roomy(depth) and self.rng.random() < 0.7:
                chosen.append(key)
        self._dependencies(flat, chosen)
        flat = self._dependent(flat, chosen, required, path, scope)
        props = flat.get("properties", {})
        patterns: dict[str, Any] = flat.get("patternProperties", {})
        extra = flat.get("additionalProperties", flat.get("unevaluatedProperties", True))
        chosen += [n for n in flat.get("required", ()) if n not in chosen]
        needed = set(flat.get("required", ()))
        self._dependencies(flat, chosen)
        for key in props:
            if len(chosen) >= low:
                break
            if key not in chosen and props[key] is not False:
                chosen.append(key)
        self._fill(flat, chosen, path, scope, depth)
        out: dict[str, Any] = {}
        for key in chosen:
            sub: Any = props.get(key) if key in props else None
            for pattern, pattern_schema in patterns.items():
                if re.search(pattern, key):
                    sub = (
                        pattern_schema
                        if sub is None
                        else merge(self.flatten(sub, path, scope), self.flatten(pattern_schema, path, scope), path)
                    )
            if sub is None:
                if extra is False:
                    raise Unsatisfiable(f"property {key!r} is required but additionalProperties is false", path)
                sub = extra
            try:
                out[key] = self.value(sub, f"{path}.properties.{key}", scope, depth + 1, key)
            except Unsatisfiable:
                if key in needed or isinstance(sub, bool):
                    raise
                # an optional property with no value (its schema false, or contradictory): leave it out
        return out

    def _fill(self, flat: dict[str, Any], chosen: list[str], path: str, scope: Resolver[Any], depth: int) -> None:
        """More names in ``chosen`` until ``minProperties`` is met: from patterns, propertyNames, words."""
        low = int(flat.get("minProperties", 0))
        if len(chosen) >= low:
            return
        patterns: dict[str, Any] = flat.get("patternProperties", {})
        extra = flat.get("additionalProperties", flat.get("unevaluatedProperties", True))
        names = flat.get("propertyNames", True)
        tries = 0
        while len(chosen) < low and tries < 50:
            tries += 1
            if patterns and (extra is False or tries % 2):
                pattern = sorted(patterns)[tries % len(patterns)]
                key = string_value({"pattern": pattern}, self.rng, self.words, None, f"{path}.patternProperties")
            elif extra is not False:
                named = self.value(names, f"{path}.propertyNames", scope, depth + 1) if names is not True else None
                key = named if isinstance(named, str) else self.rng.choice(self.words) + str(self.rng.randint(1, 999))
            else:
                raise Unsatisfiable(f"minProperties {low} but only {len(chosen)} properties are allowed", path)
            if key not in chosen and (names is True or self._ok(key, names, scope)):
                chosen.append(key)

    def _dependent(
        self, flat: dict[str, Any], chosen: list[str], required: list[str], path: str, scope: Resolver[Any]
    ) -> dict[str, Any]:
        """``flat`` with the ``dependentSchemas`` of the ``chosen`` names merged in.

        An optional name whose dependent schema contradicts the rest, or forbids the name itself,
        is dropped from ``chosen`` instead.
        """
        dependents: dict[str, Any] = flat.get("dependentSchemas", {})
        for key in [k for k in chosen if k in dependents]:
            where = f"{path}.dependentSchemas.{key}"
            try:
                merged = merge(flat, self.flatten(dependents[key], where, scope), where)
            except Unsatisfiable as error:
                if key in required or not _ruled_out(error):
                    raise
                chosen.remove(key)
                continue
            if key not in required and not _admits(merged, key):
                chosen.remove(key)
                continue
            flat = merged
        return flat

    @staticmethod
    def _dependencies(flat: dict[str, Any], chosen: list[str]) -> None:
        needs: dict[str, list[str]] = flat.get("dependentRequired", {})
        grown = bool(needs)
        while grown:
            grown = False
            for key in list(chosen):
                for other in needs.get(key, ()):
                    if other not in chosen:
                        chosen.append(other)
                        grown = True

    # -- arrays --------------------------------------------------------------------------------

    def _array(self, flat: dict[str, Any], path: str, scope: Resolver[Any], depth: int, name: str | None) -> list[Any]:
        unevaluated = flat.get("unevaluatedItems", True)  # what no other keyword of this schema evaluates
        items = flat.get("items", unevaluated)
        if isinstance(items, list):  # draft-07 tuple form
            prefix, rest = items, flat.get("additionalItems", unevaluated)
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
        limit = min(self._room(prefix, rest, path, scope), high)
        if low > limit:
            raise Unsatisfiable(f"minItems {low} but only {limit} items are allowed", path)
        if self._roomy(depth):
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
                hit = self.flatten(contains, f"{path}.contains", scope)
                schema = merge(self.flatten(schema, where, scope), hit, where)
            for _ in range(12):
                item = self.value(schema, where, scope, depth + 1, name)
                if unique and canonical(item) in seen:
                    continue
                if index not in hits and max_contains < 10**9 and self._ok(item, contains, scope):
                    continue
                break
            else:
                if index >= low and all(hit < index for hit in hits):
                    break  # long enough already: the array ends where no other distinct item turns up (two booleans)
                raise NotYetSupported(f"found only {len(out)} distinct items for uniqueItems/maxContains", where)
            seen.add(canonical(item))
            out.append(item)
        return out

    def _room(self, prefix: list[Any], rest: Any, path: str, scope: Resolver[Any]) -> int:
        """How many items an array may hold: up to the first item whose schema accepts no value."""
        for index, item in enumerate(prefix):
            if self._never(item, f"{path}.prefixItems[{index}]", scope):
                return index
        return len(prefix) if self._never(rest, f"{path}.items", scope) else 10**9

    def _never(self, schema: Any, path: str, scope: Resolver[Any]) -> bool:
        """Whether ``schema`` accepts no value at all (false, or flattens to a contradiction)."""
        if isinstance(schema, bool) or schema == {}:
            return schema is False
        try:
            return self.flatten(schema, path, scope) is False
        except Unsatisfiable as error:
            if not _ruled_out(error):
                raise
            return True


def _kind_of(value: Any) -> str:
    """The JSON type of ``value``."""
    if isinstance(value, bool) or value is None:
        return "null" if value is None else "boolean"
    kinds = {int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), "string")


def _variant(schema: dict[str, Any], talked: list[str], rejected: list[str]) -> dict[str, Any]:
    """What to add to ``schema`` for another try once values of the kinds ``rejected`` were turned down.

    An untyped schema tries the kinds that the rejecting ``not`` talks about (``talked``) in turn,
    else a kind not tried yet; objects and arrays grow by one member for each one turned down.
    """
    out: dict[str, Any] = {}
    kind = schema.get("type") if isinstance(schema.get("type"), str) else None
    if "type" not in schema:
        fresh = [k for k in _KINDS if k not in rejected]
        kind = talked[len(rejected) % len(talked)] if talked else (fresh[0] if fresh else None)
        if kind is not None:
            out["type"] = kind
    grown = rejected.count(kind) if kind is not None else 0
    if grown and kind == "object":
        out["minProperties"] = grown
    if grown and kind == "array":
        out["minItems"] = grown
    return out


def _admits(flat: dict[str, Any], key: str) -> bool:
    """Whether an object valid against ``flat`` may have a property ``key`` (as far as its own keywords say)."""
    if key in flat.get("properties", {}):
        return flat["properties"][key] is not False
    if any(re.search(pattern, key) for pattern in flat.get("patternProperties", {})):
        return True
    return flat.get("additionalProperties", flat.get("unevaluatedProperties", True)) is not False


def _public(flat: dict[str, Any]) -> dict[str, Any]:
    """``flat`` without the engine's private keys (they are checked elsewhere)."""
    return {k: v for k, v in flat.items() if not k.startswith("x-fake-")}
