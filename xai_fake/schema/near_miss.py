"""Near-miss answers: a valid answer spoiled one way on purpose, and proven invalid before it is sent.

Users test how their code copes with a model that does not follow the schema. Each
:class:`NearMiss` kind takes the engine's valid answer and breaks it in one realistic way;
:func:`spoil` then checks the break: the text must fail ``json.loads`` (``truncated``,
``markdown_fence``, ``empty``), or the parsed value must fail the schema with ``jsonschema``
at the keyword the kind names (``required``, ``type``, ``additionalProperties`` /
``unevaluatedProperties``). A kind that cannot break a given schema's answer that way
raises :class:`NotApplicable` saying why, so a near miss is never accidentally valid.
"""

from __future__ import annotations

import copy
import enum
import itertools
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

from xai_fake.schema.validate import checker_for

__all__ = ["NearMiss", "NotApplicable", "spoil"]

#: How many spoiled candidates are checked against the schema before giving up.
_CANDIDATES = 200
#: Names an extra property takes (the first one the object does not have yet).
_EXTRA_NAMES = ("note", "comment", "confidence", "extra", "explanation", "source")


class NearMiss(enum.Enum):
    """How a near-miss answer breaks the schema it was asked for (``fake.chat.near_miss(kind)``)."""

    #: The JSON is cut off, as when the model runs out of tokens (``finish_reason`` is ``REASON_MAX_LEN``).
    TRUNCATED = "truncated"
    #: One property the schema requires is left out.
    MISSING_REQUIRED = "missing_required"
    #: One value has the wrong JSON type, e.g. ``"42"`` for an integer.
    WRONG_TYPE = "wrong_type"
    #: An object the schema closes (``additionalProperties`` or ``unevaluatedProperties`` false) gets one more property.
    EXTRA_PROPERTY = "extra_property"
    #: The JSON is wrapped in a Markdown code fence (```` ```json ... ``` ````).
    MARKDOWN_FENCE = "markdown_fence"
    #: No content at all (empty arguments for a tool call).
    EMPTY = "empty"

    @classmethod
    def of(cls, kind: NearMiss | str) -> NearMiss:
        """``kind`` as a :class:`NearMiss`; ValueError listing the kinds for anything else."""
        if isinstance(kind, NearMiss):
            return kind
        try:
            return cls(kind)
        except ValueError:
            names = ", ".join(repr(k.value) for k in cls)
            raise ValueError(f"unknown near-miss kind {kind!r}; use one of {names}") from None


class NotApplicable(ValueError):
    """The near-miss kind cannot break this schema's answer (e.g. nothing is required); the message says why."""


def spoil(kind: NearMiss, schema_text: str, value: Any, rng: random.Random) -> str:
    """The JSON text of ``value`` (valid against the schema ``schema_text``) broken the way ``kind`` says.

    The result is proven invalid: it does not parse, or ``jsonschema`` rejects it at the
    keyword ``kind`` names. Raises :class:`NotApplicable` when ``kind`` cannot break it.
    """
    if kind is NearMiss.EMPTY:
        return ""
    if kind is NearMiss.MARKDOWN_FENCE:
        return f"```json\n{json.dumps(value, indent=2)}\n```"
    if kind is NearMiss.TRUNCATED:
        return _truncated(json.dumps(value), rng)
    keyword, candidates, missing = _BREAKS[kind]
    checker = checker_for(schema_text)
    for index, (where, broken) in enumerate(candidates(value)):
        if index >= _CANDIDATES:
            break
        for error in checker.validator.iter_errors(broken):  # each top-level error proves it invalid
            if any(e.validator in keyword and _at(e, where) for e in _causes(error)):
                return json.dumps(broken)
    raise NotApplicable(missing)


def _truncated(text: str, rng: random.Random) -> str:
    """``text`` cut at a point where it no longer parses, between 40% and 90% of its length if it can be."""
    middle = list(range(max(1, len(text) * 2 // 5), max(1, len(text) * 9 // 10) + 1))
    rng.shuffle(middle)
    for cut in itertools.chain(middle, range(1, len(text))):  # nearly every cut of an object or a list fails at once
        if not _parses(text[:cut]):
            return text[:cut]
    raise NotApplicable(f"the valid answer {text[:40]!r} is too short to cut into invalid JSON")


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


Path = tuple[Any, ...]


def _nodes(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every node of ``value`` with its path, breadth first (the shallowest, most visible miss first)."""
    level: list[tuple[Path, Any]] = [(path, value)]
    while level:
        yield from level
        following: list[tuple[Path, Any]] = []
        for where, node in level:
            if isinstance(node, dict):
                following += [((*where, key), child) for key, child in node.items()]
            elif isinstance(node, list):
                following += [((*where, index), child) for index, child in enumerate(node)]
        level = following


def _replaced(value: Any, where: Path, new: Any) -> Any:
    if not where:
        return new
    out = copy.deepcopy(value)
    node = out
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = new
    return out


def _without_keys(value: Any) -> Iterator[tuple[Path, Any]]:
    for where, node in _nodes(value):
        if isinstance(node, dict):
            for key in node:
                yield where, _replaced(value, where, {k: v for k, v in node.items() if k != key})


def _other_type(node: Any) -> Any:
    """A value like ``node`` of another JSON type: the mistakes models make (numbers as text, ...)."""
    if isinstance(node, bool):
        return str(node).lower()
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, str):
        number = node.strip()
        return int(number) if number.isdigit() and len(number) < 16 else [node]
    if node is None:
        return "null"
    if isinstance(node, list):
        return {str(index): item for index, item in enumerate(node)}
    return [node]


def _retyped(value: Any) -> Iterator[tuple[Path, Any]]:
    nodes = list(_nodes(value))
    scalars = [(where, node) for where, node in nodes if not isinstance(node, (dict, list))]
    containers = [(where, node) for where, node in nodes if isinstance(node, (dict, list))]
    for where, node in [*scalars, *containers]:  # a leaf like ``"age": "42"`` is the usual miss
        yield where, _replaced(value, where, _other_type(node))


def _with_extra(value: Any) -> Iterator[tuple[Path, Any]]:
    for where, node in _nodes(value):
        if isinstance(node, dict):
            name = next((n for n in _EXTRA_NAMES if n not in node), f"extra_{len(node)}")
            yield where, _replaced(value, where, {**node, name: "unexpected"})


def _causes(error: Any) -> Iterator[Any]:
    """``error`` and the errors under it (the branches of ``anyOf``/``oneOf`` that failed, and why)."""
    yield error
    for sub in error.context or ():
        yield from _causes(sub)


def _at(error: Any, where: Path) -> bool:
    """Whether the validation ``error`` is about the node at ``where`` (the broken one)."""
    return tuple(error.absolute_path) == where


_BREAKS: dict[NearMiss, tuple[tuple[str, ...], Callable[[Any], Iterator[tuple[Path, Any]]], str]] = {
    NearMiss.MISSING_REQUIRED: (
        ("required",),
        _without_keys,
        "the schema requires no property that the valid answer has, so none can be left out",
    ),
    NearMiss.WRONG_TYPE: (
        ("type",),
        _retyped,
        "no value of the answer has a JSON type the schema restricts",
    ),
    NearMiss.EXTRA_PROPERTY: (
        ("additionalProperties", "unevaluatedProperties"),
        _with_extra,
        "the schema allows extra properties everywhere (no additionalProperties or unevaluatedProperties false)",
    ),
}
