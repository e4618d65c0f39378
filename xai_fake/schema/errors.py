"""Why a schema gets no answer: it cannot be satisfied, or the engine cannot satisfy it yet."""

from __future__ import annotations

__all__ = ["InvalidSchema", "NotYetSupported", "Unsatisfiable"]


class Unsatisfiable(ValueError):
    """No value can satisfy the schema: ``keyword`` at the schema's JSON ``path`` contradicts itself."""

    def __init__(self, detail: str, path: str) -> None:
        super().__init__(f"{detail} at {path}")
        self.detail = detail
        self.path = path


class NotYetSupported(Unsatisfiable):
    """The schema may be satisfiable, but the engine found no value for it (it says where it gave up)."""


class InvalidSchema(Unsatisfiable):
    """What was sent is not a valid JSON schema (``jsonschema``'s metaschema check says where)."""
