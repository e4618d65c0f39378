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
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import load_descriptors, pack, unpack
from xai_fake.credentials import (
    CREDENTIAL_KEY_PARTS,
    CREDENTIAL_KEYS,
    REDACTED,
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


#: The default redactor: credentials only.
DEFAULT_REDACTOR = Redactor()
