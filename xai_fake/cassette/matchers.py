"""Matching live calls against recorded interactions, and explaining misses.

The default match is method plus request equality. ``ignore_fields`` clears fields
before comparing: a bare name (``"seed"``) at any depth, a dotted path starting with a
message type (``"xai_api.GetCompletionsRequest.seed"``) in that type only, or another
dotted path (``"messages.content"``) from the request's root. A custom function
``f(method, recorded_request, live_request) -> bool`` can replace or extend the
comparison; for client-streaming methods the requests are lists of messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

#: ``f(method, recorded_request, live_request) -> bool``; requests are lists for client streams.
MatchFunction = Callable[[str, Any, Any], bool]
#: What ``match_on`` accepts: names of built-in matchers or functions.
MatchOn = Union[str, MatchFunction, Sequence[Union[str, MatchFunction]]]  # noqa: UP007

BUILTIN_MATCHERS = ("method", "request")


@dataclass(frozen=True)
class _Rule:
    """One ``ignore_fields`` entry, parsed."""

    type_name: str | None  # a message full name, or None
    path: tuple[str, ...]  # field names; one name without a type means "at any depth"


class RequestMatcher:
    """Decides whether a live call matches a recorded one.

    Args:
        match_on: built-in matcher names (``"method"``, ``"request"``) and/or functions
            ``f(method, recorded_request, live_request) -> bool``; all must agree.
            Default: ``("method", "request")``.
        ignore_fields: fields cleared on both sides before the ``"request"`` comparison.
    """

    def __init__(self, match_on: MatchOn | None = None, ignore_fields: Sequence[str] = ()) -> None:
        if match_on is None:
            match_on = BUILTIN_MATCHERS
        if isinstance(match_on, str) or callable(match_on):
            match_on = [match_on]
        self.functions: list[MatchFunction] = []
        self.names: list[str] = []
        for item in match_on:
            if callable(item):
                self.functions.append(item)
            elif item in BUILTIN_MATCHERS:
                self.names.append(item)
            else:
                raise ValueError(
                    f"unknown matcher {item!r} in match_on; use {', '.join(BUILTIN_MATCHERS)} or a function "
                    "f(method, recorded_request, live_request) -> bool"
                )
        if isinstance(ignore_fields, str):
            raise TypeError(f"ignore_fields must be a list of field paths, not the string {ignore_fields!r}")
        self.ignore_fields = tuple(ignore_fields)
        self._rules = [_parse_rule(path) for path in self.ignore_fields]

    def normalise(self, message: Message) -> Message:
        """A copy of ``message`` with the ignored fields cleared."""
        if not self._rules:
            return message
        copy = type(message)()
        copy.CopyFrom(message)
        for rule in self._rules:
            _clear(copy, rule, depth=0)
        return copy

    @property
    def indexable(self) -> bool:
        """True when matching depends only on the method and the requests (no custom functions)."""
        return not self.functions

    def key(self, path: str, requests: Sequence[Message]) -> bytes:
        """A lookup key: calls with equal keys match (when :attr:`indexable`)."""
        parts = [path.encode()]
        if "request" in self.names:
            parts.extend(self.normalise(r).SerializeToString(deterministic=True) for r in requests)
        return b"\x00".join(len(p).to_bytes(4, "big") + p for p in parts)

    def matches(self, method: str, recorded: Sequence[Message], live: Sequence[Message], *, streaming: bool) -> bool:
        """True if the recorded requests match the live ones (``streaming``: client-streaming method)."""
        if "request" in self.names:
            if len(recorded) != len(live):
                return False
            if any(self.normalise(a) != self.normalise(b) for a, b in zip(recorded, live, strict=False)):
                return False
        recorded_arg: Any = list(recorded) if streaming else (recorded[0] if recorded else None)
        live_arg: Any = list(live) if streaming else (live[0] if live else None)
        return all(function(method, recorded_arg, live_arg) for function in self.functions)

    def diff(self, recorded: Sequence[Message], live: Sequence[Message]) -> list[str]:
        """Field-level differences, as ``"path: recorded -> live"`` lines (ignored fields left out)."""
        lines: list[str] = []
        if len(recorded) != len(live):
            lines.append(f"request count: {len(recorded)} -> {len(live)}")
        for index, (a, b) in enumerate(zip(recorded, live, strict=False)):
            prefix = f"[{index}]." if len(recorded) > 1 or len(live) > 1 else ""
            lines.extend(diff_messages(self.normalise(a), self.normalise(b), prefix))
        return lines


def _parse_rule(path: str) -> _Rule:
    if not isinstance(path, str) or not path or path.startswith(".") or path.endswith("."):
        raise ValueError(
            f"bad field path {path!r} in ignore_fields; use 'seed' or 'xai_api.GetCompletionsRequest.seed'"
        )
    parts = path.split(".")
    if len(parts) == 1:
        return _Rule(None, (parts[0],))
    # A path whose leading parts name a message type applies to that type, at any depth.
    for split in range(len(parts) - 1, 0, -1):
        type_name = ".".join(parts[:split])
        if _known_type(type_name):
            return _Rule(type_name, tuple(parts[split:]))
    return _Rule("", tuple(parts))  # "": a path from the request's root


def _known_type(name: str) -> bool:
    from google.protobuf import descriptor_pool

    from xai_fake.methods import all_methods

    all_methods()  # loads every xAI descriptor into the default pool
    try:
        descriptor_pool.Default().FindMessageTypeByName(name)
    except KeyError:
        return False
    return True


def _children(message: Message) -> list[Message]:
    """Every message directly inside ``message`` (singular, repeated and map values)."""
    children: list[Message] = []
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        entry: Any = field.message_type
        if entry.GetOptions().map_entry:
            value_field = entry.fields_by_name["value"]
            if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                children.extend(value.values())
        elif _is_repeated(field):
            children.extend(value)
        else:
            children.append(value)
    return children


def _is_repeated(field: Any) -> bool:
    return bool(field.is_repeated)


def _clear_path(message: Message, path: tuple[str, ...]) -> None:
    name, rest = path[0], path[1:]
    if name not in message.DESCRIPTOR.fields_by_name:
        return
    if not rest:
        message.ClearField(name)
        return
    field = message.DESCRIPTOR.fields_by_name[name]
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return
    value = getattr(message, name)
    for item in value if _is_repeated(field) else [value]:
        if isinstance(item, Message):
            _clear_path(item, rest)


def _clear(message: Message, rule: _Rule, depth: int) -> None:
    if rule.type_name == "":  # a path from the request's root
        if depth == 0:
            _clear_path(message, rule.path)
        return
    if rule.type_name is None or message.DESCRIPTOR.full_name == rule.type_name:
        _clear_path(message, rule.path)
    for child in _children(message):
        _clear(child, rule, depth + 1)


def _show(value: Any) -> str:
    if isinstance(value, Message):
        from google.protobuf import text_format

        text = text_format.MessageToString(value, as_one_line=True)
        return f"{{{text}}}" if text else "{}"
    shown = repr(value)
    return shown if len(shown) <= 200 else shown[:197] + "..."


def diff_messages(recorded: Message, live: Message, prefix: str = "") -> list[str]:
    """Field-level differences between two messages of the same type, ``"path: a -> b"``."""
    if type(recorded) is not type(live):
        return [f"{prefix or 'type'}: {recorded.DESCRIPTOR.full_name} -> {live.DESCRIPTOR.full_name}"]
    lines: list[str] = []
    names = [f.name for f in recorded.DESCRIPTOR.fields]
    set_names = {f.name for f, _ in recorded.ListFields()} | {f.name for f, _ in live.ListFields()}
    for name in names:
        if name not in set_names:
            continue
        field = recorded.DESCRIPTOR.fields_by_name[name]
        a, b = getattr(recorded, name), getattr(live, name)
        path = f"{prefix}{name}"
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        entry: Any = field.message_type
        if is_message and entry.GetOptions().map_entry:
            for key in sorted(set(a) | set(b), key=repr):
                left = _show(a[key]) if key in a else "<absent>"
                right = _show(b[key]) if key in b else "<absent>"
                if left != right:
                    lines.append(f"{path}[{key!r}]: {left} -> {right}")
        elif _is_repeated(field):
            for index in range(max(len(a), len(b))):
                item = f"{path}[{index}]"
                if index >= len(a):
                    lines.append(f"{item}: <absent> -> {_show(b[index])}")
                elif index >= len(b):
                    lines.append(f"{item}: {_show(a[index])} -> <absent>")
                elif is_message:
                    lines.extend(diff_messages(a[index], b[index], item + "."))
                elif a[index] != b[index]:
                    lines.append(f"{item}: {_show(a[index])} -> {_show(b[index])}")
        elif is_message:
            has_a, has_b = recorded.HasField(name), live.HasField(name)
            if has_a and has_b:
                lines.extend(diff_messages(a, b, path + "."))
            elif has_a != has_b:
                lines.append(f"{path}: {_show(a) if has_a else '<unset>'} -> {_show(b) if has_b else '<unset>'}")
        elif getattr(field, "has_presence", False) and recorded.HasField(name) != live.HasField(name):
            left = _show(a) if recorded.HasField(name) else "<unset>"
            right = _show(b) if live.HasField(name) else "<unset>"
            lines.append(f"{path}: {left} -> {right}")
        elif a != b:
            lines.append(f"{path}: {_show(a)} -> {_show(b)}")
    return lines
