"""The table of every RPC the fake serves, built from the generated descriptors."""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from functools import cache

from google.protobuf import message_factory
from google.protobuf.message import Message

from xai_sdk._services import SERVICES

#: Proto modules that define services, by stem under ``xai_sdk.proto`` (from ``xai_sdk/_services.py``).
SERVICE_MODULES = tuple(dict.fromkeys(service.stem for service in SERVICES))

#: Services the real API serves on its management host, with management keys.
MANAGEMENT_SERVICES = frozenset(service.name for service in SERVICES if service.management)


@dataclass(frozen=True)
class Method:
    """One RPC: its names, message classes and streaming kinds."""

    service: str  # "xai_api.Chat"
    name: str  # "GetCompletion"
    request_type: type[Message]
    response_type: type[Message]
    client_streaming: bool
    server_streaming: bool
    #: ``xai_api.Chat/GetCompletion``: the key used everywhere in xai_fake.
    full_name: str = field(init=False, repr=False, compare=False)
    #: The HTTP/2 path, ``/xai_api.Chat/GetCompletion``.
    path: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "full_name", f"{self.service}/{self.name}")
        object.__setattr__(self, "path", f"/{self.service}/{self.name}")

    @property
    def kind(self) -> str:
        """``unary_unary``, ``unary_stream``, ``stream_unary`` or ``stream_stream``."""
        return f"{'stream' if self.client_streaming else 'unary'}_{'stream' if self.server_streaming else 'unary'}"


@cache
def all_methods() -> dict[str, Method]:
    """Every method of every service of ``xai_sdk/_services.py``, keyed by full name."""
    table: dict[str, Method] = {}
    for row in SERVICES:
        module = importlib.import_module(f"xai_sdk.proto.{row.stem}_pb2")
        found = [s for s in module.DESCRIPTOR.services_by_name.values() if s.full_name == row.name]
        if not found:
            raise LookupError(f"xai_sdk/_services.py names {row.name}, which xai_sdk/proto/{row.stem}_pb2.py lacks")
        for service in found:
            for method in service.methods:
                entry = Method(
                    service=service.full_name,
                    name=method.name,
                    request_type=message_factory.GetMessageClass(method.input_type),
                    response_type=message_factory.GetMessageClass(method.output_type),
                    client_streaming=method.client_streaming,
                    server_streaming=method.server_streaming,
                )
                table[entry.full_name] = entry
    return table


def services() -> dict[str, list[Method]]:
    """Methods grouped by service full name."""
    grouped: dict[str, list[Method]] = {}
    for method in all_methods().values():
        grouped.setdefault(method.service, []).append(method)
    return grouped


def resolve_method(name: str) -> Method:
    """Find a method from any common spelling.

    Accepts ``xai_api.Chat/GetCompletion``, ``/xai_api.Chat/GetCompletion``,
    ``Chat/GetCompletion`` and ``Chat.GetCompletion``.
    """
    table = all_methods()
    key = name.lstrip("/")
    if key in table:
        return table[key]
    short = key.replace(".", "/").split("/")[-2:]
    matches = [m for m in table.values() if [m.service.split(".")[-1], m.name] == short]
    if len(matches) == 1:
        return matches[0]
    close = difflib.get_close_matches(key, list(table), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see xai_fake.methods.all_methods()"
    raise ValueError(f"unknown xAI method {name!r}{hint}")


def resolve_service(name: str) -> str:
    """Find a service full name from ``xai_api.Chat`` or ``Chat``."""
    grouped = services()
    if name in grouped:
        return name
    matches = [s for s in grouped if s.split(".")[-1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"unknown xAI service {name!r}; known services: {', '.join(sorted(grouped))}")
