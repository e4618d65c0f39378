"""Hypothesis strategies for arbitrary, valid-typed protobuf messages, derived from their descriptors.

Every field may be left unset; set fields get random values of their type: integers over the
whole range of the field, floats including NaN and infinities, text without surrogates, bytes,
enums with known and unknown numbers, repeated fields and maps of a few entries, nested messages
down to a small depth, and at most one member of each oneof.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from xai_fake.protobuf_compat import is_repeated

MAX_DEPTH = 3
MAX_REPEATED = 3

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)


def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    # Small values reach the interesting branches; the extremes probe overflow handling.
    return st.one_of(st.integers(-3, 100).filter(lambda v: low <= v <= high), st.integers(low, high))


Hints = tuple[tuple[str, tuple[str, ...]], ...]


def _scalar(field: FieldDescriptor, depth: int, hints: Hints) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_RANGES:
        return _integers(*_INT_RANGES[kind])
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_FLOAT:
        return st.floats(width=32)
    if kind == FieldDescriptor.TYPE_DOUBLE:
        return st.floats()
    if kind == FieldDescriptor.TYPE_STRING:
        likely = dict(hints).get(field.name)
        return st.one_of(st.sampled_from(likely), _TEXT) if likely else _TEXT
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=48)
    if kind == FieldDescriptor.TYPE_ENUM:
        known = [value.number for value in field.enum_type.values]
        if field.enum_type.is_closed:
            return st.sampled_from(known)
        return st.one_of(st.sampled_from(known), st.integers(-(2**31), 2**31 - 1))
    return messages(field.message_type, depth + 1, hints)


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _field(field: FieldDescriptor, depth: int, hints: Hints) -> st.SearchStrategy[Any]:
    if _is_map(field):
        entry = field.message_type
        key = _scalar(entry.fields_by_name["key"], depth, hints)
        value = _scalar(entry.fields_by_name["value"], depth, hints)
        return st.dictionaries(key, value, max_size=MAX_REPEATED)
    if is_repeated(field):
        return st.lists(_scalar(field, depth, hints), max_size=MAX_REPEATED)
    return _scalar(field, depth, hints)


def _assign(message: Message, field: FieldDescriptor, value: Any) -> None:
    target = getattr(message, field.name)
    if _is_map(field):
        is_message = field.message_type.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE
        for key, item in value.items():
            if is_message:
                target[key].CopyFrom(item)
            else:
                target[key] = item
    elif is_repeated(field):
        target.extend(value)
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        target.CopyFrom(value)
    else:
        setattr(message, field.name, value)


@cache
def messages(descriptor: Descriptor, depth: int = 0, hints: Hints = ()) -> st.SearchStrategy[Message]:
    """Random messages of ``descriptor``'s type; below ``MAX_DEPTH``, message fields stay unset.

    ``hints`` pairs a string field name with values worth trying often (model names, ids), so
    that random requests also get past the first lookup in the server.
    """
    cls = message_factory.GetMessageClass(descriptor)
    fields = [field for field in descriptor.fields if field.type != FieldDescriptor.TYPE_MESSAGE or depth < MAX_DEPTH]
    plain = {f.name: _field(f, depth, hints) for f in fields if f.containing_oneof is None}
    oneofs = {}
    for oneof in descriptor.oneofs:
        members = [f for f in fields if f.containing_oneof is oneof]
        if members:
            choices = [st.tuples(st.just(f.name), _field(f, depth, hints)) for f in members]
            oneofs[oneof.name] = st.none() | st.one_of(choices)
    by_name = descriptor.fields_by_name

    def build(values: dict[str, Any]) -> Message:
        message = cls()
        for name, value in values.items():
            if name in oneofs:
                if value is not None:
                    _assign(message, by_name[value[0]], value[1])
            else:
                _assign(message, by_name[name], value)
        return message

    return st.fixed_dictionaries({}, optional={**plain, **oneofs}).map(build)
