"""Resolving ``$ref``, ``$dynamicRef`` and ``$recursiveRef`` with ``referencing``, as ``jsonschema`` does.

A *scope* is a ``referencing`` resolver: a base URI plus the dynamic scope that ``$dynamicRef``
searches. The generator carries one down the schema exactly as ``jsonschema`` does when it
validates (a subschema with ``$id`` moves the base; following a reference moves it and grows
the dynamic scope), so both read every reference alike: ``$id`` (relative, absolute, URN),
``$anchor``, ``$dynamicAnchor``, JSON pointers. Besides the schema itself, references reach the
known metaschemas (``jsonschema_specifications``) and the resources the caller passes in; a
real request carries none, so any other reference is an :class:`InvalidSchema` naming it.
``referencing`` is imported on first use (by :mod:`xai_fake.schema.validate`, through here).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from xai_fake.schema.errors import InvalidSchema

if TYPE_CHECKING:
    from referencing import Registry, Specification
    from referencing._core import Resolver  # the type of scopes (``referencing`` exports it only there)

__all__ = ["ByIdentity", "Refs", "Resources", "registry_of"]

#: What callers may pass as extra resources: a ``referencing.Registry``, or a mapping URI -> schema.
Resources = Any
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")


class ByIdentity:
    """A cache key that stands for one object (registries and dicts do not hash); it keeps the object alive."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ByIdentity) and other.obj is self.obj


def registry_of(resources: Resources, specification: Specification[Any]) -> Registry[Any]:
    """The known metaschemas plus ``resources`` (a Registry, or a mapping URI -> schema), as one registry.

    Schemas in a mapping without ``$schema`` are read as ``specification``. The same object gives
    the same registry (cached by identity: treat what you pass as immutable).
    """
    if resources is None:
        return _specifications()
    return _registry_of(ByIdentity(resources), specification)


@functools.lru_cache(maxsize=1)
def _specifications() -> Registry[Any]:
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped,unused-ignore]

    crawled: Registry[Any] = REGISTRY.crawl()
    return crawled


@functools.lru_cache(maxsize=32)
def _registry_of(key: ByIdentity, specification: Specification[Any]) -> Registry[Any]:
    from referencing import Registry

    resources = key.obj
    if isinstance(resources, Registry):
        extra: Registry[Any] = resources
    elif isinstance(resources, Mapping):
        extra = Registry().with_contents(resources.items(), default_specification=specification)
    else:
        raise TypeError(f"resources must be a referencing.Registry or a mapping, not {type(resources).__name__}")
    return _specifications().combine(extra).crawl()


class Refs:
    """One schema document among the registry's resources: its root scope, and references followed from a scope."""

    def __init__(self, root: Any, registry: Registry[Any], specification: Specification[Any]) -> None:
        self.root = root
        self.specification = specification
        resource = specification.create_resource(root)
        uri = resource.id() or ""
        self.registry = registry.with_resource(uri, resource).crawl()
        #: The scope the root is read in (as ``jsonschema``'s validator reads it).
        self.scope: Resolver[Any] = self.registry.resolver(base_uri=uri)
        self._root_uri = uri

    @staticmethod
    def key(scope: Resolver[Any]) -> tuple[Any, ...]:
        """What decides how ``scope`` reads references: its base URI and its dynamic scope.

        (Comparing resolvers themselves would compare their registries, resource by resource.)
        ``referencing`` has no public accessor for the base URI; without one, each scope stands alone.
        """
        return (getattr(scope, "_base_uri", id(scope)), *(uri for uri, _ in scope.dynamic_scope()))

    def enter(self, scope: Resolver[Any], node: Any) -> Resolver[Any]:
        """The scope inside ``node``: moved to its ``$id`` if it has one, else ``scope`` itself."""
        if isinstance(node, dict) and ("$id" in node or "id" in node):
            return scope.in_subresource(self.specification.create_resource(node))
        return scope

    def follow(self, scope: Resolver[Any], key: str, ref: Any, path: str) -> tuple[Any, Resolver[Any], str]:
        """What ``key`` (``$ref``...) ``ref`` names from ``scope``: (schema, its scope, its path for messages)."""
        from referencing import exceptions
        from referencing.jsonschema import lookup_recursive_ref

        try:
            resolved = lookup_recursive_ref(scope) if key == "$recursiveRef" else scope.lookup(ref)
        except exceptions.PointerToNowhere:
            raise InvalidSchema(f"{key} {ref!r} points at nothing", path) from None
        except (exceptions.NoSuchAnchor, exceptions.InvalidAnchor):
            raise InvalidSchema(f"{key} {ref!r} names no $anchor", path) from None
        except exceptions.Unresolvable:
            raise InvalidSchema(
                f"{key} {ref!r} points outside the schema (only the schema itself, the JSON Schema metaschemas"
                " and the resources passed in are known)",
                path,
            ) from None
        return resolved.contents, resolved.resolver, self._where(key, ref)

    def _where(self, key: str, ref: Any) -> str:
        """A JSON path for a pointer into the root document (``$.$defs.item``), else the reference itself."""
        if isinstance(ref, str) and ref.startswith("#/") and not self._root_uri:
            parts = (unquote(raw).replace("~1", "/").replace("~0", "~") for raw in ref[2:].split("/"))
            return "$" + "".join(f".{part}" for part in parts)
        return f"{key}({ref})"
