"""Redaction: what never reaches a cassette file.

On by default, and not optional: every credential, as the one secrets rule in
:mod:`xai_fake.credentials` defines it, becomes ``"<redacted>"`` (:func:`redact_credentials`,
which :func:`~xai_fake.cassette.format.save` also applies to everything it writes). A :class:`Redactor`
adds your own rules::

    Redactor(
        redact_metadata=["x-user-email"],                        # value -> "<redacted>"
        drop_metadata=["x-request-id"],                          # entry removed
        redact_fields=["xai_api.GetCompletionsRequest.user"],    # string/bytes field -> "<redacted>"
        drop_fields=["xai_api.Message.encrypted_content"],       # field cleared
        before_record=lambda interaction: interaction,           # edit it, or return None to drop it
    )

A field path is a message type's full name and one of its fields; the rule applies to every
message of that type anywhere inside request and response bodies.

Before any of this, the recording proxy scrubs what it knows (:func:`scrub`): every occurrence
of the keys it forwarded (:class:`~xai_fake.credentials.Secrets`) and every credential query
parameter of a signed URL, in every string and bytes field of the interaction at any depth
(bodies, ``Any`` and ``Struct`` values included, metadata values, status details).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import load_descriptors, pack, unpack
from xai_fake.credentials import (
    CREDENTIAL_KEY_PARTS,
    CREDENTIAL_KEYS,
    REDACTED,
    Secrets,
    is_credential_key,
    redact_credentials,
    redact_entry,
)
from xai_fake.protobuf_compat import is_repeated

__all__ = [
    "CREDENTIAL_KEYS",
    "CREDENTIAL_KEY_PARTS",
    "DEFAULT_REDACTOR",
    "REDACTED",
    "BeforeRecord",
    "Redactor",
    "is_credential_key",
    "redact_credentials",
    "redacted_for_matching",
    "scrub",
]

#: The before-record hook: return the (possibly edited) interaction, or None to leave it out.
BeforeRecord = Callable[[cassette_pb2.Interaction], "cassette_pb2.Interaction | None"]

_STRINGLIKE = (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES)


def _field_rule(path: str) -> tuple[str, FieldDescriptor]:
    """Resolve ``"xai_api.GetCompletionsRequest.user"`` to (message full name, field), or explain the mistake."""
    load_descriptors()
    type_name, _, field_name = path.rpartition(".")
    pool = descriptor_pool.Default()
    try:
        descriptor: Descriptor = pool.FindMessageTypeByName(type_name)
    except KeyError:
        raise ValueError(
            f"field path {path!r}: no message type {type_name!r}; write <message full name>.<field>, "
            "e.g. 'xai_api.GetCompletionsRequest.user'"
        ) from None
    field = descriptor.fields_by_name.get(field_name)
    if field is None:
        close = difflib.get_close_matches(field_name, list(descriptor.fields_by_name), n=3)
        hint = f"; did you mean {', '.join(repr(f'{type_name}.{name}') for name in close)}?" if close else ""
        raise ValueError(f"field path {path!r}: {type_name} has no field {field_name!r}{hint}")
    return type_name, field


class Redactor:
    """What to remove from an interaction before it is recorded (credentials are always redacted).

    ``redact_metadata`` / ``drop_metadata``: metadata keys (case-insensitive) whose value becomes
    ``"<redacted>"`` / whose entries are removed, in request, initial and trailing metadata.
    ``redact_fields`` / ``drop_fields``: field paths (``"xai_api.GetCompletionsRequest.user"``)
    to redact (string and bytes fields only) / to clear, in every body. ``before_record``: a hook
    that runs after these rules; it returns the interaction to record, or None to drop it.
    Bad field paths raise ValueError here, not at recording time.
    """

    def __init__(
        self,
        *,
        redact_metadata: Iterable[str] = (),
        drop_metadata: Iterable[str] = (),
        redact_fields: Iterable[str] = (),
        drop_fields: Iterable[str] = (),
        before_record: BeforeRecord | None = None,
    ) -> None:
        self.redact_metadata = frozenset(key.lower() for key in redact_metadata)
        self.drop_metadata = frozenset(key.lower() for key in drop_metadata)
        self.redact_fields = tuple(redact_fields)
        self.drop_fields = tuple(drop_fields)
        self.before_record = before_record
        # message full name -> [(field, drop?)]
        self._rules: dict[str, list[tuple[FieldDescriptor, bool]]] = {}
        for path in self.redact_fields:
            type_name, field = _field_rule(path)
            if field.type not in _STRINGLIKE:
                raise ValueError(
                    f"field path {path!r}: only string and bytes fields can be redacted; use drop_fields to clear it"
                )
            self._rules.setdefault(type_name, []).append((field, False))
        for path in self.drop_fields:
            type_name, field = _field_rule(path)
            self._rules.setdefault(type_name, []).append((field, True))

    def __repr__(self) -> str:
        return (
            f"Redactor(redact_metadata={sorted(self.redact_metadata)}, drop_metadata={sorted(self.drop_metadata)}, "
            f"redact_fields={list(self.redact_fields)}, drop_fields={list(self.drop_fields)}, "
            f"before_record={self.before_record!r})"
        )

    def apply(self, interaction: cassette_pb2.Interaction) -> cassette_pb2.Interaction | None:
        """A redacted copy of ``interaction`` (the argument is not modified), or None if the hook drops it."""
        result = cassette_pb2.Interaction()
        result.CopyFrom(interaction)
        self._apply_metadata(result)
        if self._rules:
            for recorded in (*result.requests, *result.responses):
                self._apply_body(recorded)
        if self.before_record is not None:
            hooked = self.before_record(result)
            if hooked is None:
                return None
            result = hooked
            self._apply_metadata(result)  # whatever the hook added, credentials still never get through
        return result

    def apply_all(self, interactions: Iterable[cassette_pb2.Interaction]) -> list[cassette_pb2.Interaction]:
        """:meth:`apply` to each interaction, leaving out those the hook drops."""
        return [kept for kept in map(self.apply, interactions) if kept is not None]

    def redact_message(self, message: Message) -> bool:
        """Apply the field rules to ``message`` in place (at any depth); True if anything changed.

        Useful to treat a live request the way its recorded copy was treated before matching.
        """
        changed = False
        rules = self._rules.get(message.DESCRIPTOR.full_name, ())
        for field, drop in rules:
            if is_repeated(field):
                present = len(getattr(message, field.name)) > 0
            else:
                present = message.HasField(field.name) if field.has_presence else bool(getattr(message, field.name))
            if not present:
                continue
            changed = True
            if drop:
                message.ClearField(field.name)
            elif is_repeated(field):
                values = getattr(message, field.name)
                redacted = REDACTED if field.type == FieldDescriptor.TYPE_STRING else REDACTED.encode()
                values[:] = [redacted] * len(values)
            else:
                setattr(
                    message, field.name, REDACTED if field.type == FieldDescriptor.TYPE_STRING else REDACTED.encode()
                )
        for field, value in message.ListFields():
            entry_type = field.message_type
            if field.type != FieldDescriptor.TYPE_MESSAGE or entry_type is None:
                continue
            if entry_type.GetOptions().map_entry:
                value_field = entry_type.fields_by_name["value"]
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    for item in value.values():
                        changed = self.redact_message(item) or changed
            elif is_repeated(field):
                for item in value:
                    changed = self.redact_message(item) or changed
            else:
                changed = self.redact_message(value) or changed
        return changed

    def _apply_metadata(self, interaction: cassette_pb2.Interaction) -> None:
        for container in (interaction.request_metadata, interaction.initial_metadata, interaction.trailing_metadata):
            for index in reversed(range(len(container))):
                if container[index].key.lower() in self.drop_metadata:
                    del container[index]
            for entry in container:
                if entry.key.lower() in self.redact_metadata:
                    redact_entry(entry)
        redact_credentials(interaction)

    def _apply_body(self, recorded: cassette_pb2.RecordedMessage) -> None:
        try:
            message = unpack(recorded)
        except ValueError:
            return  # a type this xai-devkit does not know cannot hold any of the configured fields
        if self.redact_message(message):
            recorded.body.CopyFrom(pack(message).body)


def scrub(message: Message, secrets: Secrets) -> bool:
    """Scrub ``message`` in place: ``secrets`` and signed-URL credentials, in every string and bytes field.

    Every string field (repeated, map keys and values, at any depth) goes through
    :meth:`Secrets.scrub_text <xai_fake.credentials.Secrets.scrub_text>`, every bytes field through
    :meth:`~xai_fake.credentials.Secrets.scrub_bytes` (as UTF-8). A ``google.protobuf.Any`` of a
    known type is unpacked, scrubbed and packed again; of an unknown type, the secrets in its bytes
    are overwritten with ``*`` (the encoding stays valid). True if anything changed. A message whose
    encoding holds nothing to scrub is not walked, so the common case costs one serialization.
    """
    if not secrets.worth_scrubbing(message.SerializeToString()):
        return False
    return _scrub(message, secrets)


_NO_SECRETS = Secrets()


def redacted_for_matching(message: Message) -> Message:
    """A live request as its recording would read: a copy with signed-URL credentials redacted.

    ``message`` itself when there is nothing to redact (the common case: one serialization).
    For a matcher, so that a recorded ``?token=<redacted>`` matches a live ``?token=abc``.
    """
    if not _NO_SECRETS.worth_scrubbing(message.SerializeToString()):
        return message
    copy = type(message)()
    copy.CopyFrom(message)
    return copy if _scrub(copy, _NO_SECRETS) else message


def _scrub(message: Message, secrets: Secrets) -> bool:
    if message.DESCRIPTOR.full_name == "google.protobuf.Any":
        return _scrub_any(message, secrets)
    changed = False
    for field, value in message.ListFields():
        if field.type in _STRINGLIKE:
            clean = secrets.scrub_text if field.type == FieldDescriptor.TYPE_STRING else secrets.scrub_bytes
            if is_repeated(field):
                scrubbed = [clean(item) for item in value]
                if scrubbed != list(value):
                    value[:] = scrubbed
                    changed = True
            else:
                scrubbed_value = clean(value)
                if scrubbed_value != value:
                    setattr(message, field.name, scrubbed_value)
                    changed = True
        elif field.message_type is not None:
            if field.message_type.GetOptions().map_entry:
                changed = _scrub_map(value, field.message_type, secrets) or changed
            elif is_repeated(field):
                for item in value:
                    changed = _scrub(item, secrets) or changed
            else:
                changed = _scrub(value, secrets) or changed
    return changed


def _scrub_map(container: Any, entry: Descriptor, secrets: Secrets) -> bool:
    key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
    changed = False
    if key_field.type == FieldDescriptor.TYPE_STRING:
        for key in list(container):
            clean_key = secrets.scrub_text(key)
            if clean_key != key:
                changed = True
                if value_field.message_type is not None:
                    container[clean_key].CopyFrom(container[key])
                else:
                    container[clean_key] = container[key]
                del container[key]
    for key in list(container):
        if value_field.message_type is not None:
            changed = _scrub(container[key], secrets) or changed
        elif value_field.type in _STRINGLIKE:
            clean = secrets.scrub_text if value_field.type == FieldDescriptor.TYPE_STRING else secrets.scrub_bytes
            value = container[key]
            scrubbed = clean(value)
            if scrubbed != value:
                container[key] = scrubbed
                changed = True
    return changed


def _scrub_any(message: Any, secrets: Secrets) -> bool:
    load_descriptors()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(message.TypeName())
        inner = message_factory.GetMessageClass(descriptor)()
        inner.ParseFromString(message.value)
    except (KeyError, DecodeError):  # an unknown type, or bytes that do not parse: overwrite in place
        masked = secrets.mask_bytes(message.value)
        if masked == message.value:
            return False
        message.value = masked
        return True
    if not _scrub(inner, secrets):
        return False
    message.value = inner.SerializeToString(deterministic=True)
    return True


#: The default redactor: credentials only.
DEFAULT_REDACTOR = Redactor()
