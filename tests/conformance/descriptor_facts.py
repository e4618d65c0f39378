"""Reduce protobuf file descriptors to the facts that make up the wire contract, and diff them.

A *fact* is keyed by what it describes (``field xai_api.Token.token_id``) and holds
the attributes that must match (number, type, label, ...). File names, options such
as ``java_package`` and comments are not part of the contract and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

Facts = dict[str, dict[str, object]]
_Field = descriptor_pb2.FieldDescriptorProto

WIRE_PACKAGES = frozenset({"xai_api", "collections", "rag", "shared"})


def _add_enum(facts: Facts, prefix: str, enum: descriptor_pb2.EnumDescriptorProto) -> None:
    name = f"{prefix}.{enum.name}"
    facts[f"enum {name}"] = {}
    for value in enum.value:
        facts[f"enum value {name}.{value.name}"] = {"number": value.number}


def _add_message(facts: Facts, prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
    name = f"{prefix}.{message.name}"
    facts[f"message {name}"] = {"map_entry": message.options.map_entry}
    for index, oneof in enumerate(message.oneof_decl):
        members = [f.name for f in message.field if f.HasField("oneof_index") and f.oneof_index == index]
        facts[f"oneof {name}.{oneof.name}"] = {"fields": ",".join(members)}
    for field in message.field:
        facts[f"field {name}.{field.name}"] = {
            "number": field.number,
            "type": _Field.Type.Name(field.type),
            "label": _Field.Label.Name(field.label),
            "type_name": field.type_name,
            "oneof": message.oneof_decl[field.oneof_index].name if field.HasField("oneof_index") else "",
            "proto3_optional": field.proto3_optional,
            "packed": field.options.packed if field.options.HasField("packed") else None,
            "deprecated": field.options.deprecated,
        }
    for nested in message.nested_type:
        _add_message(facts, name, nested)
    for enum in message.enum_type:
        _add_enum(facts, name, enum)


def facts_of(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> Facts:
    """Every wire-relevant fact of the given files, for the API's packages only."""
    facts: Facts = {}
    for file in files:
        if file.package not in WIRE_PACKAGES:
            continue
        facts[f"package {file.package}"] = {}
        for service in file.service:
            service_name = f"{file.package}.{service.name}"
            facts[f"service {service_name}"] = {}
            for method in service.method:
                facts[f"method {service_name}.{method.name}"] = {
                    "input": method.input_type,
                    "output": method.output_type,
                    "client_streaming": method.client_streaming,
                    "server_streaming": method.server_streaming,
                }
        for message in file.message_type:
            _add_message(facts, file.package, message)
        for enum in file.enum_type:
            _add_enum(facts, file.package, enum)
    return facts


def diff(official: Facts, ours: Facts) -> list[str]:
    """One readable line per difference; empty when the contracts are identical."""
    lines = []
    for key in sorted(official.keys() | ours.keys()):
        if key not in ours:
            lines.append(f"missing in ours: {key} {_show(official[key])}".rstrip())
        elif key not in official:
            lines.append(f"not in official: {key} {_show(ours[key])}".rstrip())
        else:
            for attr in sorted(official[key].keys() | ours[key].keys()):
                want, got = official[key].get(attr), ours[key].get(attr)
                if want != got:
                    lines.append(f"differs: {key}: {attr} is {got!r} in ours, {want!r} in official")
    return lines


def _show(attrs: dict[str, object]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in sorted(attrs.items()))


@dataclass(frozen=True)
class Summary:
    """How much of the contract a set of facts covers."""

    services: int
    methods: int
    messages: int
    fields: int
    enum_values: int

    @classmethod
    def of(cls, facts: Facts) -> Summary:
        def count(kind: str) -> int:
            return sum(1 for key in facts if key.startswith(kind + " "))

        return cls(count("service"), count("method"), count("message"), count("field"), count("enum value"))
