"""Checking answers with ``jsonschema`` in the schema's own dialect, format checking on; validators cached.

References resolve against the schema itself, the JSON Schema metaschemas and any resources the
caller passed (:func:`xai_fake.schema.refs.registry_of`), never over the network.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from xai_fake.schema.errors import InvalidSchema
from xai_fake.schema.lazy_formats import import_jsonschema
from xai_fake.schema.plan import Plan
from xai_fake.schema.refs import ByIdentity, Refs, Resources, registry_of

if TYPE_CHECKING:
    from referencing import Registry, Specification
    from referencing._core import Resolver  # the type of scopes (``referencing`` exports it only there)

__all__ = ["CACHED", "Checker", "checker_for"]


class Checker:
    """A compiled ``jsonschema`` validator for one schema (``$schema`` picks the dialect, 2020-12 by default).

    ``resources`` (keyword-only) are extra schemas its references may reach: a ``referencing.Registry``
    or a mapping URI -> schema.
    """

    def __init__(self, schema: Any, *, resources: Resources = None) -> None:
        import_jsonschema()  # imported on first use (``import xai_fake`` stays fast), its IRI grammar later still
        from jsonschema import exceptions, validators  # type: ignore[import-untyped,unused-ignore]
        from referencing.jsonschema import DRAFT202012, specification_with

        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except exceptions.SchemaError as error:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise InvalidSchema(error.message[:300], where) from None
        #: How references inside the schema are read (the dialect's ``$id``, anchors, subresources).
        dialect = cls.ID_OF(cls.META_SCHEMA) or ""
        self.specification: Specification[Any] = specification_with(dialect, default=DRAFT202012)
        self.registry: Registry[Any] = registry_of(resources, self.specification)
        self.schema = schema
        self.validator = cls(schema, format_checker=cls.FORMAT_CHECKER, registry=self.registry)

    @functools.cached_property
    def refs(self) -> Refs:
        """The schema's references, resolved as this validator resolves them."""
        return Refs(self.schema, self.registry, self.specification)

    @functools.cached_property
    def plan(self) -> Plan:
        """The schema's generation plan (:mod:`xai_fake.schema.plan`), kept as long as this checker."""
        return Plan(self.refs)

    def ok(self, value: Any, schema: Any = None, scope: Resolver[Any] | None = None) -> bool:
        """Whether ``value`` is valid against the whole schema, or against its part ``schema`` (read in ``scope``).

        A reference that resolves nowhere is an :class:`InvalidSchema` naming it.
        """
        from referencing.exceptions import Unresolvable

        if schema is None:
            validator = self.validator
        else:
            changes = {"schema": schema} if scope is None else {"schema": schema, "_resolver": scope}
            validator = self.validator.evolve(**changes)
        try:
            return bool(validator.is_valid(value))
        except Unresolvable as error:
            ref = getattr(error, "ref", "?")
            raise InvalidSchema(f"$ref {ref!r} points outside the schema", "$") from None
        except Exception:  # the whole schema: not known valid, so not valid; a part: the whole-schema check decides
            return schema is not None

    def first_error(self, value: Any) -> str:
        """The most relevant reason ``value`` is invalid, with its place in the schema."""
        from jsonschema import exceptions  # type: ignore[import-untyped,unused-ignore]

        error = exceptions.best_match(self.validator.iter_errors(value))
        if error is None:
            return "no error"
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_schema_path)
        return f"{error.message[:200]} at {where}"


#: Compiled schemas kept (validator and generation plan, by schema text): above the test corpus's 260, so
#: a suite that cycles through a few hundred schemas compiles each once.
CACHED = 1024


@functools.lru_cache(maxsize=CACHED)
def _cached(text: str) -> Checker:
    return Checker(json.loads(text))


@functools.lru_cache(maxsize=64)
def _cached_with(text: str, resources: ByIdentity) -> Checker:
    return Checker(json.loads(text), resources=resources.obj)


def checker_for(text: str, *, resources: Resources = None) -> Checker:
    """The checker of the schema JSON ``text``, compiled once per text (and ``resources`` object; bounded LRU)."""
    if resources is None:
        return _cached(text)
    return _cached_with(text, ByIdentity(resources))
