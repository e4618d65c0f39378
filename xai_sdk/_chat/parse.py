"""Structured output with pydantic, imported only when used."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def parse_into(shape: type[T], content: str) -> T:
    """Validate the model's JSON answer into ``shape`` (a pydantic model class)."""
    validate = getattr(shape, "model_validate_json", None)
    if validate is None:
        raise TypeError(f"parse() needs a pydantic model class, got {shape!r}")
    return validate(content)  # type: ignore[no-any-return]


def schema_of(shape: Any) -> str:
    """The JSON schema of a pydantic model class, as the API expects it."""
    import json

    model_json_schema = getattr(shape, "model_json_schema", None)
    if model_json_schema is None:
        raise TypeError(f"parse() needs a pydantic model class, got {shape!r}")
    return json.dumps(model_json_schema())
