"""Seeded JSON values that validate against a JSON schema: the entry point kept for compatibility.

The engine is :mod:`xai_fake.schema` (draft 2020-12, draft-07, OpenAPI ``nullable``; every
value validated with ``jsonschema`` before it is returned).
"""

from __future__ import annotations

import random
from typing import Any

from xai_fake.schema import InvalidSchema, NotYetSupported, Unsatisfiable, generate, generate_text

__all__ = ["InvalidSchema", "NotYetSupported", "Unsatisfiable", "value_for", "value_for_text"]


def value_for(schema: dict[str, Any], rng: random.Random, words: list[str]) -> Any:
    """A value valid against ``schema``; ``words`` feed string values. Raises :class:`Unsatisfiable`."""
    return generate(schema, rng, words)


def value_for_text(text: str, rng: random.Random, words: list[str]) -> Any:
    """A value valid against the JSON schema ``text`` (compiled once per text). Raises :class:`Unsatisfiable`."""
    return generate_text(text, rng, words)
