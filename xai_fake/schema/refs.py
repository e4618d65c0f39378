"""Resolving ``$ref`` (and ``$dynamicRef``/``$recursiveRef``) against ``$id``, ``$anchor`` and JSON pointers."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from xai_fake.schema.errors import InvalidSchema

__all__ = ["ROOT_URI", "Refs"]

#: The base URI of a schema without ``$id`` (hierarchical, so relative ``$id`` values join onto it).
ROOT_URI = "https://xai-fake.invalid/schema.json"
_ANCHORS = ("$anchor", "$dynamicAnchor")


class Refs:
    """An index of one schema document: its resources (``$id``) and anchors, for resolving references."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.base = (
            urljoin(ROOT_URI, root["$id"]) if isinstance(root, dict) and isinstance(root.get("$id"), str) else ROOT_URI
        )
        self.resources: dict[str, Any] = {ROOT_URI: root, urldefrag(self.base)[0]: root}
        self.anchors: dict[str, Any] = {}
        self._index(root, self.base, 0)

    def _index(self, node: Any, base: str, depth: int) -> None:
        if depth > 200:
            return
        if isinstance(node, list):
            for item in node:
                self._index(item, base, depth + 1)
            return
        if not isinstance(node, dict):
            return
        ident = node.get("$id", node.get("id")) if isinstance(node.get("$id", node.get("id")), str) else None
        if ident is not None:
            full = urljoin(base, ident)
            document, fragment = urldefrag(full)
            if fragment:  # draft-07 style plain-name fragment: "$id": "#foo"
                self.anchors[f"{document}#{fragment}"] = node
            else:
                self.resources[document] = node
            base = document or base
        for key in _ANCHORS:
            if isinstance(node.get(key), str):
                self.anchors[f"{urldefrag(base)[0]}#{node[key]}"] = node
        for key, value in node.items():
            if key not in ("const", "enum", "default", "examples"):
                self._index(value, base, depth + 1)

    def base_of(self, node: Any, base: str) -> str:
        """The base URI inside ``node`` when the enclosing base is ``base``."""
        if isinstance(node, dict) and isinstance(node.get("$id"), str):
            return urldefrag(urljoin(base, node["$id"]))[0] or base
        return base

    def resolve(self, ref: str, base: str, path: str) -> tuple[Any, str, str]:
        """The schema ``ref`` points to from ``base``: (schema, its base URI, its JSON path for messages)."""
        full = urljoin(base, ref)
        document, fragment = urldefrag(full)
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            found = self.anchors.get(f"{document}#{fragment}")
            if found is None:
                raise InvalidSchema(f"$ref {ref!r} names no $anchor", path)
            return found, document, f"$ref({ref})"
        node = self.resources.get(document)
        if node is None:
            raise InvalidSchema(f"$ref {ref!r} points outside the schema (only local references are followed)", path)
        where = "$"
        for raw in fragment.split("/")[1:] if fragment else ():
            part = raw.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise InvalidSchema(f"$ref {ref!r} points at nothing", path) from None
            where += f".{part}"
            document = self.base_of(node, document)
        return node, document, where
