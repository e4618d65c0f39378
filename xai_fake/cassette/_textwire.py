"""A fast path for reading text cassettes: protobuf text format straight to binary wire bytes.

``google.protobuf.text_format.Parse`` is pure Python and spends about 70% of a text load in its
tokenizer (``NextToken``, ``_SkipWhitespace``, a regex match per token: profile of a
1,000-interaction cassette, ``bench/README.md``). The files this project writes have one field
per line, in the layout ``text_format.MessageToString`` prints; :func:`to_wire` converts exactly
that layout, line by line, into the deterministic binary encoding, which the C parser then reads.

It is only a fast path: it returns ``None`` on anything outside that layout or anything it is
not sure of (a comment after a value, a number in hex, a field given twice, an enum by number,
fields out of number order, ...), and the caller then uses ``text_format.Parse``. Its output is
trusted only when its SHA-256 is the checksum the file carries (see
:mod:`xai_fake.cassette.format`), which means it is byte for byte the encoding the file was
sealed with; otherwise the caller parses the text again with ``text_format``. So a mistake here
can cost speed, never a wrong cassette.
"""

from __future__ import annotations

import re
import struct
from typing import Any, NamedTuple

from google.protobuf import descriptor_pool, text_encoding
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from xai_fake.protobuf_compat import is_repeated

_ANY = "google.protobuf.Any"
_ANY_PREFIX = "type.googleapis.com/"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
#: A string as ``text_format`` writes it: double quotes, only the escapes ``CEscape`` makes.
#: Octal escapes are of bytes (``\\000``-``\\377``); ``\\400`` and up go to ``text_format``, which refuses them.
_STRING = re.compile(r'"((?:[^"\\\n]|\\[nrt"\'\\]|\\[0-3][0-7]{2})*)"\Z')
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z|-?inf\Z|nan\Z")
_SMALL = [bytes((value,)) for value in range(128)]

# Value kinds of a field, decided once per field.
_VARINT, _ZIGZAG, _FIXED32, _FIXED64, _FLOAT32, _DOUBLE, _BOOL, _ENUM, _STR, _BYTES, _MESSAGE = range(11)
_T = FieldDescriptor
_KINDS = {
    _T.TYPE_INT32: (_VARINT, -(2**31), 2**31 - 1),
    _T.TYPE_INT64: (_VARINT, -(2**63), 2**63 - 1),
    _T.TYPE_UINT32: (_VARINT, 0, 2**32 - 1),
    _T.TYPE_UINT64: (_VARINT, 0, 2**64 - 1),
    _T.TYPE_SINT32: (_ZIGZAG, -(2**31), 2**31 - 1),
    _T.TYPE_SINT64: (_ZIGZAG, -(2**63), 2**63 - 1),
    _T.TYPE_FIXED32: (_FIXED32, 0, 2**32 - 1),
    _T.TYPE_SFIXED32: (_FIXED32, -(2**31), 2**31 - 1),
    _T.TYPE_FIXED64: (_FIXED64, 0, 2**64 - 1),
    _T.TYPE_SFIXED64: (_FIXED64, -(2**63), 2**63 - 1),
    _T.TYPE_FLOAT: (_FLOAT32, 0, 0),
    _T.TYPE_DOUBLE: (_DOUBLE, 0, 0),
    _T.TYPE_BOOL: (_BOOL, 0, 1),
    _T.TYPE_ENUM: (_ENUM, 0, 0),
    _T.TYPE_STRING: (_STR, 0, 0),
    _T.TYPE_BYTES: (_BYTES, 0, 0),
    _T.TYPE_MESSAGE: (_MESSAGE, 0, 0),
}
_WIRE_TYPES = {_VARINT: 0, _ZIGZAG: 0, _BOOL: 0, _ENUM: 0, _FIXED64: 1, _DOUBLE: 1, _FIXED32: 5, _FLOAT32: 5}


class _Bail(Exception):
    """Outside the fast path's layout: the caller falls back to ``text_format``."""


class TooDeep(Exception):
    """Messages nested deeper than the limit (the caller reports it)."""


class _Field(NamedTuple):
    number: int
    kind: int
    tag: bytes  # the tag of one value (for a packed field: of the packed record)
    repeated: bool
    packed: bool
    presence: bool  # explicit presence: a default value is still written
    oneof: str | None  # the real oneof it belongs to
    low: int
    high: int
    enum: dict[str, int] | None
    message: Descriptor | None


def varint(value: int) -> bytes:
    """The base-128 varint of a non-negative ``value``."""
    if value < 0x80:
        return _SMALL[value]
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_FIELDS: dict[str, dict[str, _Field]] = {}


def _fields(descriptor: Descriptor) -> dict[str, _Field]:
    table = _FIELDS.get(descriptor.full_name)
    if table is not None:
        return table
    table = {}
    for field in descriptor.fields:
        kind, low, high = _KINDS.get(field.type, (-1, 0, 0))
        if kind < 0:
            continue  # groups: never in proto3; a line naming one falls back
        repeated = is_repeated(field)
        packed = repeated and kind in _WIRE_TYPES and bool(field.is_packed)
        wire = 2 if kind in (_STR, _BYTES, _MESSAGE) or packed else _WIRE_TYPES[kind]
        oneof = field.containing_oneof
        real_oneof = oneof.name if oneof is not None and not _synthetic(oneof) else None
        enum_type = field.enum_type
        enum = {value.name: value.number for value in enum_type.values} if enum_type is not None else None
        table[field.name] = _Field(
            field.number, kind, varint(field.number << 3 | wire), repeated, packed,
            bool(field.has_presence), real_oneof, low, high, enum, field.message_type,
        )  # fmt: skip
    _FIELDS[descriptor.full_name] = table
    return table


def _synthetic(oneof: Any) -> bool:
    """True for the oneof protoc makes for a proto3 ``optional`` field."""
    synthetic = getattr(oneof, "is_synthetic", None)
    if synthetic is not None:
        return bool(synthetic)
    fields = oneof.fields
    return len(fields) == 1 and bool(getattr(fields[0], "has_presence", False)) and fields[0].name == oneof.name[1:]


def _scalar(field: _Field, text: str) -> bytes | None:
    """The encoded value (no tag) of one scalar, or None for a default that is not written."""
    kind = field.kind
    if kind in (_STR, _BYTES):
        match = _STRING.match(text)
        if match is None:
            raise _Bail
        inner = match.group(1)
        try:
            raw = text_encoding.CUnescape(inner) if "\\" in inner else inner.encode("utf-8")
            if kind == _STR and "\\" in inner:
                raw.decode("utf-8")
        except (ValueError, UnicodeError):
            raise _Bail from None
        if not raw and not field.presence and not field.repeated:
            return None
        return varint(len(raw)) + raw
    if kind == _ENUM:
        assert field.enum is not None
        number = field.enum.get(text)
        if number is None:
            raise _Bail
        if not number and not field.presence and not field.repeated:
            return None
        return varint(number) if number >= 0 else varint(number + 2**64)
    if kind == _BOOL:
        if text == "true":
            return _SMALL[1]
        if text != "false":
            raise _Bail
        return None if not field.presence and not field.repeated else _SMALL[0]
    if kind in (_FLOAT32, _DOUBLE):
        if _FLOAT.match(text) is None:
            raise _Bail
        try:
            raw = struct.pack("<f" if kind == _FLOAT32 else "<d", float(text))
        except OverflowError:
            raise _Bail from None
        if raw.count(0) == len(raw) and not field.presence and not field.repeated:
            return None  # +0.0 only: -0.0 has a bit set and is written
        return raw
    if _INTEGER.match(text) is None:
        raise _Bail
    number = int(text)
    if not field.low <= number <= field.high:
        raise _Bail
    if not number and not field.presence and not field.repeated:
        return None
    if kind == _VARINT:
        return varint(number) if number >= 0 else varint(number + 2**64)
    if kind == _ZIGZAG:
        return varint((number << 1) ^ (number >> 63) if number < 0 else number << 1)
    if kind == _FIXED32:
        return struct.pack("<I", number & 0xFFFFFFFF)
    return struct.pack("<Q", number & 0xFFFFFFFFFFFFFFFF)


def to_wire(text: str, root: Any, max_depth: int) -> tuple[bytes, int, str] | None:
    """Encode ``text`` (one message of type ``root``) in deterministic binary form, if it has the writer's layout.

    Returns ``(wire, at, checksum)``: the encoding, the offset of the top-level ``checksum``
    field in it (``len(wire)`` if there is none) and that field's value (``""`` if none).
    ``None`` when the text is outside the fast path (the caller falls back to ``text_format``).
    Raises :class:`TooDeep` when messages nest deeper than ``max_depth``.
    """
    try:
        return _to_wire(text, root, max_depth)
    except _Bail:
        return None


_CLOSE, _SKIP, _OPEN, _EXPAND, _SCALAR, _PACKED = range(6)

#: What a line does: (kind, field number, repeatable, oneof, payload, field). The payload is the
#: encoded field for a scalar, the value alone for a packed one, and for a message the
#: ``[field table, line memo, type name]`` of the message it opens.
_Action = tuple[int, int, bool, "str | None", Any, "_Field | None"]
_Type = list[Any]


def _classify(line: str, here: _Type, types: dict[str, _Type]) -> _Action:
    """What one line (indentation included) does inside a message of type ``here``."""
    stripped = line.lstrip(" ")
    if stripped == "}":
        return _CLOSE, 0, False, None, None, None
    if not stripped or stripped[0] == "#":
        return _SKIP, 0, False, None, None, None
    fields: dict[str, _Field] = here[0]
    if stripped[-2:] == " {":
        head = stripped[:-2]
        if head[:1] == "[":
            if here[2] != _ANY or head[-1:] != "]" or not head.startswith(_ANY_PREFIX, 1):
                raise _Bail
            inner = head[1 + len(_ANY_PREFIX) : -1]
            if _TYPE_NAME.match(inner) is None:
                raise _Bail
            try:
                descriptor = descriptor_pool.Default().FindMessageTypeByName(inner)
            except KeyError:
                raise _Bail from None
            return _EXPAND, 0, False, None, _type(descriptor, types), None
        field = fields.get(head)
        if field is None or field.kind != _MESSAGE:
            raise _Bail
        assert field.message is not None
        return _OPEN, field.number, field.repeated, field.oneof, _type(field.message, types), field
    name, separator, value = stripped.partition(": ")
    field = fields.get(name) if separator else None
    if field is None or field.kind == _MESSAGE:
        raise _Bail
    encoded = _scalar(field, value)
    if field.packed:
        assert encoded is not None
        return _PACKED, field.number, False, None, encoded, field
    payload = b"" if encoded is None else field.tag + encoded
    return _SCALAR, field.number, field.repeated, field.oneof, payload, field


def _type(descriptor: Descriptor, types: dict[str, _Type]) -> _Type:
    found = types.get(descriptor.full_name)
    if found is None:
        found = types[descriptor.full_name] = [_fields(descriptor), {}, descriptor.full_name]
    return found


def _length(size: int) -> bytes:
    return _SMALL[size] if size < 0x80 else varint(size)


def _to_wire(text: str, root: Descriptor, max_depth: int) -> tuple[bytes, int, str]:  # noqa: PLR0915 - one hot loop
    # One buffer holds everything; the current message is held in locals (where its encoding
    # starts in the buffer, its type, the last field number written, the oneofs seen, its tag in
    # the parent), which a nested message pushes. When a message ends, its tag and length are
    # inserted before it (moving only its own bytes). Canonical order
    # (field numbers never decrease; only a repeated field repeats) also rules out a singular
    # field given twice, which text_format refuses. Lines repeat a lot (closing braces,
    # "role: ROLE_USER", the same model), so each message type keeps a memo of what its lines do.
    types: dict[str, _Type] = {}
    here = _type(root, types)
    checksum_field = here[0].get("checksum")
    checksum_at, checksum = -1, ""
    memo: dict[str, _Action] = here[1]
    buffer = bytearray()
    start = 0
    last = 0
    oneofs: set[str] | None = None
    tag = b""
    expanded = False  # the current message is an Any given in expanded form, now complete
    packed: _Field | None = None
    packed_values = bytearray()
    stack: list[tuple[Any, ...]] = []
    depth = 0
    for line in text.split("\n"):
        try:
            kind, number, repeatable, oneof, payload, field = memo[line]
        except KeyError:
            action = memo[line] = _classify(line, here, types)
            if action[5] is checksum_field and not depth:
                checksum_at, checksum = len(buffer), line.partition(": ")[2][1:-1]
            kind, number, repeatable, oneof, payload, field = action
        if kind == _SCALAR:
            if packed is not None:
                buffer += packed.tag + _length(len(packed_values)) + packed_values
                packed = None
            if (number <= last and (number != last or not repeatable)) or expanded:
                raise _Bail
            if oneof is not None:
                if oneofs is None:
                    oneofs = set()
                elif oneof in oneofs:
                    raise _Bail
                oneofs.add(oneof)
            last = number
            buffer += payload
        elif kind == _CLOSE:
            if not depth:
                raise _Bail
            if packed is not None:
                buffer += packed.tag + _length(len(packed_values)) + packed_values
                packed = None
            size = len(buffer) - start
            if tag:
                buffer[start:start] = tag + (_SMALL[size] if size < 0x80 else varint(size))
                expanded = False
            else:  # the end of an expanded Any (only those have no tag): its type URL and value
                url = (_ANY_PREFIX + here[2]).encode()
                buffer[start:start] = b"\x0a" + _length(len(url)) + url + (b"\x12" + _length(size) if size else b"")
                expanded = True
            start, here, last, oneofs, tag = stack.pop()
            memo = here[1]
            depth -= 1
        elif kind in (_OPEN, _EXPAND):
            if expanded:
                raise _Bail
            if depth >= max_depth:
                raise TooDeep
            if packed is not None:
                buffer += packed.tag + _length(len(packed_values)) + packed_values
                packed = None
            if kind == _OPEN:
                if number <= last and (number != last or not repeatable):
                    raise _Bail
                if oneof is not None:
                    if oneofs is None:
                        oneofs = set()
                    elif oneof in oneofs:
                        raise _Bail
                    oneofs.add(oneof)
                last = number
                assert field is not None
                child_tag = field.tag
            elif len(buffer) > start or last:
                raise _Bail  # fields beside the expansion
            else:
                child_tag = b""
            stack.append((start, here, last, oneofs, tag))
            here, start, last, oneofs, tag = payload, len(buffer), 0, None, child_tag
            memo = here[1]
            depth += 1
        elif kind == _PACKED:
            if expanded:
                raise _Bail
            if packed is not field:
                if packed is not None:
                    buffer += packed.tag + _length(len(packed_values)) + packed_values
                if number <= last:
                    raise _Bail
                last = number
                packed, packed_values = field, bytearray()
            packed_values += payload
    if depth:
        raise _Bail
    if packed is not None:
        buffer += packed.tag + _length(len(packed_values)) + packed_values
    wire = bytes(buffer)
    return wire, checksum_at if checksum_at >= 0 else len(wire), checksum
