"""Matching live calls against recorded interactions, and explaining misses.

``match_on`` lists matchers that must all agree, as in vcrpy. Each entry is a name looked up
in the registry, or a function passed directly:

* ``"method"``: the same RPC (``xai_api.Chat/GetCompletion``). Leave it out and a recorded call
  of another method may answer, provided the other matchers agree (``"request"`` then needs
  requests of the same types) and the recorded responses fit the live method (same response
  type; at most one response for a unary method).
* ``"request"``: the same request messages, after ``ignore_fields`` are cleared on both sides.
  Messages with the same deterministic encoding are equal; so are messages that protobuf
  considers equal (``0.0`` and ``-0.0``).
* ``"metadata"``: the same request metadata, leaving out what is not the caller's choice or
  cannot be compared (see :func:`comparable_metadata`): transport and volatile keys
  (:data:`VOLATILE_METADATA_KEYS`, ``grpc-*``, pseudo-headers like ``:authority``), credential
  keys (their recorded values are redacted), and the keys passed as ``ignore_metadata``. A key
  whose recorded value is ``"<redacted>"`` is compared for presence only.
* a name given to :func:`register_matcher`.
* a function: ``f(recorded, live) -> bool`` receiving two :class:`CallView` objects, or the
  older form ``f(method, recorded_request, live_request) -> bool`` (the live method's full name
  and the request messages; lists of messages for client-streaming methods). The form is told
  by the signature: three required positional parameters is the older form, two (or ``*args``)
  the view form.

The default is ``("method", "request")``. ``ignore_fields`` clears fields before comparing: a bare
name (``"seed"``) at any depth, a dotted path starting with a message type
(``"xai_api.GetCompletionsRequest.seed"``) in that type only, or another dotted path
(``"messages.content"``) from the request's root.

Only the built-in matchers are *indexable*: when ``match_on`` holds nothing else, a player looks
calls up by :meth:`RequestMatcher.key` instead of comparing them with every recorded interaction.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from xai_fake.credentials import QUERY_HINT, REDACTED, is_credential_key, is_credential_value
from xai_fake.protobuf_compat import is_repeated


def _comparable_bytes(request: Message) -> bytes:
    """A request's deterministic encoding as its recording holds it: signed-URL credentials redacted.

    Recordings are redacted (:func:`xai_fake.cassette.redact.scrub`), so a live request that
    carries ``?token=abc`` is compared as ``?token=<redacted>``. Requests without URL parameters
    (nearly all) cost one regex scan of their bytes.
    """
    data = request.SerializeToString(deterministic=True)
    if QUERY_HINT.search(data) is None:
        return data
    from xai_fake.cassette.redact import redacted_for_matching

    redacted = redacted_for_matching(request)
    return data if redacted is request else redacted.SerializeToString(deterministic=True)


class CallView:
    """What a matcher sees of one call, recorded or live.

    Attributes:
        method: the method's full name, ``"xai_api.Chat/GetCompletion"``.
        requests: the request messages, in order (several for client streams). Do not modify them.
        metadata: the request metadata, keys lower-case. Credential values read ``"<redacted>"``
            on both sides (they are redacted in recordings; a view never holds a live secret).
        client_streaming: True for a client-streaming method (``request`` is then the list).
    """

    __slots__ = ("client_streaming", "metadata", "method", "requests")

    def __init__(
        self,
        method: str,
        requests: Sequence[Message],
        metadata: Mapping[str, str] | None = None,
        *,
        client_streaming: bool = False,
    ) -> None:
        self.method = method.lstrip("/")
        self.requests = requests
        self.client_streaming = client_streaming
        shown: dict[str, str] = {}
        for key, value in (metadata or {}).items():
            shown[key.lower()] = REDACTED if is_credential_key(key) or is_credential_value(value) else value
        self.metadata: Mapping[str, str] = shown

    @property
    def request(self) -> Any:
        """The request message, or the list of messages of a client stream (None if there is none)."""
        if self.client_streaming:
            return list(self.requests)
        return self.requests[0] if self.requests else None

    def __repr__(self) -> str:
        return f"CallView({self.method}, {len(self.requests)} request(s))"


#: The view form: ``f(recorded, live) -> bool`` on two :class:`CallView` objects.
ViewMatcher = Callable[[CallView, CallView], bool]
#: The older form: ``f(method, recorded_request, live_request) -> bool``; requests are lists for client streams.
LegacyMatcher = Callable[[str, Any, Any], bool]
#: A function in ``match_on``: either form.
MatchFunction = Union[ViewMatcher, LegacyMatcher]  # noqa: UP007
#: What ``match_on`` accepts: matcher names and/or functions.
MatchOn = Union[str, MatchFunction, Sequence[Union[str, MatchFunction]]]  # noqa: UP007

#: The built-in matchers; they cannot be replaced.
BUILTIN_MATCHERS = ("method", "request", "metadata")
#: ``match_on`` when none is given.
DEFAULT_MATCH_ON = ("method", "request")

#: Metadata keys the ``"metadata"`` matcher leaves out besides ``grpc-*``, pseudo-headers and credentials:
#: set by the transport, or by the SDK from its own and Python's version (they change on every upgrade).
VOLATILE_METADATA_KEYS = frozenset(
    {"user-agent", "xai-sdk-version", "xai-sdk-language", "content-type", "te", "host", "connection", "keep-alive",
     "transfer-encoding", "upgrade", "proxy-connection", "accept-encoding", "content-length"}
)  # fmt: skip


def comparable_metadata(metadata: Mapping[str, str], ignore: frozenset[str] = frozenset()) -> dict[str, str]:
    """The part of ``metadata`` that the ``"metadata"`` matcher compares, keys lower-case.

    Left out: :data:`VOLATILE_METADATA_KEYS`, ``grpc-*`` keys, pseudo-headers (``:authority``),
    credential keys, and the keys in ``ignore`` (lower-case). Values that look like credentials
    (``Bearer ...``) under other keys become ``"<redacted>"``, as they are in a recording.
    """
    kept: dict[str, str] = {}
    for key, value in metadata.items():
        lowered = key.lower()
        if lowered in ignore or not _compared_key(lowered):
            continue
        kept[lowered] = REDACTED if is_credential_value(value) else value
    return kept


@lru_cache(maxsize=1024)
def _compared_key(key: str) -> bool:
    """True unless the (lower-case) key is volatile, ``grpc-*``, a pseudo-header or a credential key."""
    return not (key in VOLATILE_METADATA_KEYS or key.startswith((":", "grpc-")) or is_credential_key(key))


def _metadata_agree(recorded: Mapping[str, str], live: Mapping[str, str]) -> bool:
    """Comparable metadata agree: the same keys, and equal values where the recorded one is not redacted."""
    if recorded.keys() != live.keys():
        return False
    return all(value == REDACTED or value == live[key] for key, value in recorded.items())


def metadata_diff(recorded: Mapping[str, str], live: Mapping[str, str]) -> list[str]:
    """Differences between two comparable metadata mappings, ``"metadata['key']: a -> b"``."""
    lines = []
    for key in sorted(recorded.keys() | live.keys()):
        left, right = recorded.get(key), live.get(key)
        if left is not None and right is not None and left in (REDACTED, right):
            continue
        shown_left = "<absent>" if left is None else repr(left)
        shown_right = "<absent>" if right is None else repr(right)
        lines.append(f"metadata[{key!r}]: {shown_left} -> {shown_right}")
    return lines


# -- the registry ---------------------------------------------------------------------------


def matcher_form(function: Callable[..., Any]) -> str:
    """``"view"`` for ``f(recorded, live)``, ``"legacy"`` for ``f(method, recorded_request, live_request)``.

    Told by the signature: three required positional parameters is the older form; two, or fewer
    with ``*args`` or defaults making up two, the view form. Anything else is a TypeError.
    A callable whose signature cannot be read is taken as the view form.
    """
    if not callable(function):
        raise TypeError(f"a matcher must be callable, got {type(function).__name__}")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return "view"
    positional = [
        parameter
        for parameter in signature.parameters.values()
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    required = [parameter for parameter in positional if parameter.default is inspect.Parameter.empty]
    variadic = any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in signature.parameters.values())
    if len(required) == 3:
        return "legacy"
    if len(required) <= 2 and (len(positional) >= 2 or variadic):
        return "view"
    raise TypeError(
        f"matcher {_name_of(function)} takes ({', '.join(signature.parameters)}); a matcher takes "
        "(recorded, live) views, or (method, recorded_request, live_request)"
    )


def _name_of(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)


def _as_view_matcher(function: MatchFunction) -> ViewMatcher:
    """``function`` called as ``f(recorded_view, live_view)``, whichever form it has."""
    if matcher_form(function) == "view":
        return function  # type: ignore[return-value]
    legacy: LegacyMatcher = function  # type: ignore[assignment]

    def adapted(recorded: CallView, live: CallView) -> bool:
        return bool(legacy(live.method, recorded.request, live.request))

    adapted.__qualname__ = _name_of(function)
    return adapted


def _builtin(name: str) -> ViewMatcher:
    def builtin(recorded: CallView, live: CallView) -> bool:
        return _plain(name).match(recorded, live)

    builtin.__qualname__ = f"builtin matcher {name!r}"
    return builtin


_registry_lock = threading.Lock()
_REGISTRY: dict[str, ViewMatcher] = {name: _builtin(name) for name in BUILTIN_MATCHERS}
_PLAIN: dict[str, RequestMatcher] = {}


def _plain(name: str) -> RequestMatcher:
    matcher = _PLAIN.get(name)
    if matcher is None:
        matcher = _PLAIN[name] = RequestMatcher([name])
    return matcher


def register_matcher(name: str, function: MatchFunction, *, replace: bool = False) -> None:
    """Make ``function`` usable as ``match_on=[..., name]``.

    ``function`` is ``f(recorded, live) -> bool`` on two :class:`CallView` objects (or the older
    ``f(method, recorded_request, live_request) -> bool``; see :func:`matcher_form`). A built-in
    name (:data:`BUILTIN_MATCHERS`) is refused; so is a name already registered, unless
    ``replace=True``. Matchers are resolved when a cassette is opened: registering later does not
    change a cassette in use.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a matcher name must be a non-empty string, got {name!r}")
    if name in BUILTIN_MATCHERS:
        raise ValueError(f"{name!r} is a built-in matcher and cannot be replaced; register yours under another name")
    adapted = _as_view_matcher(function)
    with _registry_lock:
        if name in _REGISTRY and not replace:
            raise ValueError(f"a matcher named {name!r} is already registered; pass replace=True to replace it")
        _REGISTRY[name] = adapted


def unregister_matcher(name: str) -> None:
    """Remove a matcher added with :func:`register_matcher` (built-ins stay)."""
    if name in BUILTIN_MATCHERS:
        raise ValueError(f"{name!r} is a built-in matcher and cannot be removed")
    with _registry_lock:
        if _REGISTRY.pop(name, None) is None:
            raise KeyError(f"no matcher named {name!r} is registered")


def registered_matchers() -> dict[str, ViewMatcher]:
    """Every matcher name usable in ``match_on`` (built-ins first), with its view-form function."""
    with _registry_lock:
        return dict(_REGISTRY)


# -- the matcher --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """One ``ignore_fields`` entry, parsed."""

    type_name: str | None  # a message full name, or None
    path: tuple[str, ...]  # field names; one name without a type means "at any depth"


class Prepared:
    """A call with what the built-in matchers compare worked out once (see :meth:`RequestMatcher.prepare`)."""

    __slots__ = ("key", "metadata", "method", "requests", "view")

    def __init__(
        self,
        view: CallView,
        method: str | None,
        requests: tuple[Any, ...] | None,
        metadata: dict[str, str] | None,
    ) -> None:
        #: The call.
        self.view = view
        #: The method's full name, when ``"method"`` is matched on.
        self.method = method
        #: The normalised encoded requests (with their type names without ``"method"``), when ``"request"`` is.
        self.requests = requests
        #: The comparable metadata, when ``"metadata"`` is.
        self.metadata = metadata
        #: Equal for calls that the built-in matchers may match (equal unless a protobuf-only equality or
        #: redacted metadata values are involved; see :meth:`RequestMatcher.key`).
        self.key = (method, requests, None if metadata is None else tuple(sorted(metadata)))


class RequestMatcher:
    """Decides whether a live call matches a recorded one.

    Args:
        match_on: matcher names (built-in or registered) and/or functions; all must agree.
            Default: ``("method", "request")``. See the module documentation.
        ignore_fields: fields cleared on both sides before the ``"request"`` comparison.
        ignore_metadata: metadata keys the ``"metadata"`` matcher leaves out too (e.g. the keys a
            :class:`~xai_fake.cassette.redact.Redactor` drops from recordings).
    """

    def __init__(
        self,
        match_on: MatchOn | None = None,
        ignore_fields: Sequence[str] = (),
        *,
        ignore_metadata: Sequence[str] | frozenset[str] = (),
    ) -> None:
        if match_on is None:
            match_on = DEFAULT_MATCH_ON
        if isinstance(match_on, str) or callable(match_on):
            match_on = [match_on]
        #: Names in ``match_on`` (built-in and registered), in order, without repeats.
        self.names: list[str] = []
        #: Functions passed directly in ``match_on``, as given.
        self.functions: list[MatchFunction] = []
        self._checks: list[ViewMatcher] = []
        registry = registered_matchers()
        for item in match_on:
            if isinstance(item, str):
                if item not in registry:
                    raise ValueError(
                        f"unknown matcher {item!r} in match_on; registered matchers: {', '.join(registry)} "
                        "(add one with register_matcher), or pass a function f(recorded, live) -> bool"
                    )
                if item in self.names:
                    continue
                self.names.append(item)
                if item not in BUILTIN_MATCHERS:
                    self._checks.append(registry[item])
            elif callable(item):
                self.functions.append(item)
                self._checks.append(_as_view_matcher(item))
            else:
                raise TypeError(f"match_on takes matcher names and functions, got {item!r}")
        self._method = "method" in self.names
        self._request = "request" in self.names
        self._metadata = "metadata" in self.names
        if isinstance(ignore_fields, str):
            raise TypeError(f"ignore_fields must be a list of field paths, not the string {ignore_fields!r}")
        self.ignore_fields = tuple(ignore_fields)
        self._rules = [_parse_rule(path) for path in self.ignore_fields]
        if isinstance(ignore_metadata, str):
            raise TypeError(f"ignore_metadata must be a list of metadata keys, not the string {ignore_metadata!r}")
        self.ignore_metadata = frozenset(key.lower() for key in ignore_metadata)
        # The default matching: the key is the method and the encoded request, nothing to normalise.
        self._plain_key = self._method and self._request and not self._metadata and not self._rules

    @property
    def indexable(self) -> bool:
        """True when only built-in matchers are in play, so calls can be looked up by :meth:`key`."""
        return not self._checks

    @property
    def matches_method(self) -> bool:
        """True when ``"method"`` is matched on (a call is answered by the same method only)."""
        return self._method

    @property
    def matches_metadata(self) -> bool:
        """True when ``"metadata"`` is matched on."""
        return self._metadata

    def normalise(self, message: Message) -> Message:
        """A copy of ``message`` with the ignored fields cleared (``message`` itself if none are)."""
        if not self._rules:
            return message
        copy = type(message)()
        copy.CopyFrom(message)
        for rule in self._rules:
            _clear(copy, rule, depth=0)
        return copy

    def _encoded(self, requests: Sequence[Message]) -> tuple[Any, ...]:
        if self._rules:
            requests = [self.normalise(request) for request in requests]
        if self._method:
            if len(requests) == 1:
                return (_comparable_bytes(requests[0]),)
            return tuple(_comparable_bytes(request) for request in requests)
        return tuple((request.DESCRIPTOR.full_name, _comparable_bytes(request)) for request in requests)

    def prepare(self, view: CallView) -> Prepared:
        """``view`` with what the built-in matchers compare worked out once."""
        return Prepared(
            view,
            view.method if self._method else None,
            self._encoded(view.requests) if self._request else None,
            comparable_metadata(view.metadata, self.ignore_metadata) if self._metadata else None,
        )

    def lookup(
        self, method: str, requests: Sequence[Message], metadata: Mapping[str, str] | None = None
    ) -> tuple[Any, dict[str, str] | None]:
        """The :meth:`key` of a call of ``method`` (a full name) and its comparable metadata (None without
        ``"metadata"``), computed without a :class:`CallView`: the replay's hot path."""
        if self._plain_key and len(requests) == 1:
            return (method, (_comparable_bytes(requests[0]),), None), None
        comparable = None
        names = None
        if self._metadata:
            comparable = comparable_metadata(metadata if metadata is not None else {}, self.ignore_metadata)
            names = tuple(sorted(comparable))
        key = (
            method if self._method else None,
            self._encoded(requests) if self._request else None,
            names,
        )
        return key, comparable

    def key(self, path: str, requests: Sequence[Message], metadata: Mapping[str, str] | None = None) -> Any:
        """A lookup key (hashable). When :attr:`indexable`, calls that match have equal keys, except
        requests that only protobuf equality sees as equal (``0.0`` and ``-0.0``); with ``"metadata"``,
        equal keys have the same metadata keys, and :meth:`agree_metadata` confirms the values."""
        return self.lookup(path.lstrip("/"), requests, metadata)[0]

    def agree_metadata(self, recorded: Prepared, live: dict[str, str] | None) -> bool:
        """For two calls with equal keys: True if they match (the metadata values agree).

        ``live`` is the comparable metadata :meth:`lookup` returned for the live call.
        """
        return recorded.metadata is None or live is None or _metadata_agree(recorded.metadata, live)

    def match_prepared(self, recorded: Prepared, live: Prepared) -> bool:
        """True if every matcher agrees that ``recorded`` answers ``live`` (both from :meth:`prepare`)."""
        if self._method and recorded.method != live.method:
            return False
        if self._request and recorded.requests != live.requests and not self._equal(recorded.view, live.view):
            return False
        if (
            recorded.metadata is not None
            and live.metadata is not None
            and not _metadata_agree(recorded.metadata, live.metadata)
        ):
            return False
        return all(check(recorded.view, live.view) for check in self._checks)

    def _equal(self, recorded: CallView, live: CallView) -> bool:
        """Protobuf equality of the normalised requests (the encodings differ)."""
        if len(recorded.requests) != len(live.requests) or not _same_types(recorded.requests, live.requests):
            return False
        return all(
            self.normalise(a) == self.normalise(b) for a, b in zip(recorded.requests, live.requests, strict=True)
        )

    def match(self, recorded: CallView, live: CallView) -> bool:
        """True if every matcher agrees that the ``recorded`` call answers the ``live`` one."""
        return self.match_prepared(self.prepare(recorded), self.prepare(live))

    def matches(
        self,
        method: str,
        recorded: Sequence[Message],
        live: Sequence[Message],
        *,
        streaming: bool,
        recorded_metadata: Mapping[str, str] | None = None,
        live_metadata: Mapping[str, str] | None = None,
    ) -> bool:
        """True if the recorded requests match the live ones, both of ``method`` (``streaming``: client-streaming)."""
        return self.match(
            CallView(method, recorded, recorded_metadata, client_streaming=streaming),
            CallView(method, live, live_metadata, client_streaming=streaming),
        )

    def diff(self, recorded: Sequence[Message], live: Sequence[Message]) -> list[str]:
        """Field-level differences, as ``"path: recorded -> live"`` lines (ignored fields left out)."""
        lines: list[str] = []
        if len(recorded) != len(live):
            lines.append(f"request count: {len(recorded)} -> {len(live)}")
        for index, (a, b) in enumerate(zip(recorded, live, strict=False)):
            prefix = f"[{index}]." if len(recorded) > 1 or len(live) > 1 else ""
            lines.extend(diff_messages(self.normalise(a), self.normalise(b), prefix))
        return lines

    def explain(self, recorded: CallView, live: CallView) -> list[str]:
        """What differs between two calls: the method, the request fields and, with ``"metadata"``, the metadata."""
        lines: list[str] = []
        if recorded.method != live.method:
            lines.append(f"method: /{recorded.method} -> /{live.method}")
            if self._method:
                return lines
        if _same_types(recorded.requests, live.requests):
            lines.extend(self.diff(recorded.requests, live.requests))
        else:
            recorded_types = ", ".join(r.DESCRIPTOR.full_name for r in recorded.requests) or "none"
            live_types = ", ".join(r.DESCRIPTOR.full_name for r in live.requests) or "none"
            lines.append(f"request type: {recorded_types} -> {live_types}")
        if self._metadata:
            lines.extend(
                metadata_diff(
                    comparable_metadata(recorded.metadata, self.ignore_metadata),
                    comparable_metadata(live.metadata, self.ignore_metadata),
                )
            )
        return lines


def _same_types(recorded: Sequence[Message], live: Sequence[Message]) -> bool:
    return all(type(a) is type(b) for a, b in zip(recorded, live, strict=False))


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
        elif is_repeated(field):
            children.extend(value)
        else:
            children.append(value)
    return children


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
    for item in value if is_repeated(field) else [value]:
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
        elif is_repeated(field):
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
