"""Checking answers with ``jsonschema`` in the schema's own dialect, format checking on; validators cached."""

from __future__ import annotations

import functools
import json
from typing import Any

from xai_fake.schema.errors import InvalidSchema

__all__ = ["Checker", "checker_for"]


class Checker:
    """A compiled ``jsonschema`` validator for one schema (``$schema`` picks the dialect, 2020-12 by default)."""

    def __init__(self, schema: Any) -> None:
        from jsonschema import exceptions, validators  # type: ignore[import-untyped,unused-ignore]  # imported on first use: ``import xai_fake`` stays fast

        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except exceptions.SchemaError as error:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise InvalidSchema(error.message[:300], where) from None
        self.validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

    def ok(self, value: Any, schema: Any = None) -> bool:
        """Whether ``value`` is valid against the whole schema, or against its part ``schema``."""
        validator = self.validator if schema is None else self.validator.evolve(schema=schema)
        try:
            return bool(validator.is_valid(value))
        except Exception:  # a part that only resolves in its own scope: the whole-schema check decides
            return True

    def first_error(self, value: Any) -> str:
        """The most relevant reason ``value`` is invalid, with its place in the schema."""
        from jsonschema import exceptions  # type: ignore[import-untyped,unused-ignore]

        error = exceptions.best_match(self.validator.iter_errors(value))
        if error is None:
            return "no error"
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_schema_path)
        return f"{error.message[:200]} at {where}"


@functools.lru_cache(maxsize=256)
def _cached(text: str) -> Checker:
    return Checker(json.loads(text))


def checker_for(text: str) -> Checker:
    """The checker of the schema JSON ``text``, compiled once per text (bounded LRU)."""
    return _cached(text)
