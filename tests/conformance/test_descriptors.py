"""Our ``protos/`` must be wire-identical with the official xai-sdk 1.21.0 descriptors."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from google.protobuf import descriptor_pb2

import xai_sdk.proto
from tests.conformance.descriptor_facts import Summary, diff, facts_of


def our_descriptors() -> list[descriptor_pb2.FileDescriptorProto]:
    files = []
    for info in pkgutil.iter_modules(xai_sdk.proto.__path__):
        if info.name.endswith("_pb2"):
            module = importlib.import_module(f"xai_sdk.proto.{info.name}")
            files.append(descriptor_pb2.FileDescriptorProto())
            module.DESCRIPTOR.CopyToProto(files[-1])
    return files


def test_ours_match_official_descriptors(official_descriptors: list[descriptor_pb2.FileDescriptorProto]) -> None:
    official = facts_of(official_descriptors)
    differences = diff(official, facts_of(our_descriptors()))
    summary = Summary.of(official)
    print(f"compared {summary}")
    print("\n".join(differences) or "0 differences")
    assert (summary.services, summary.methods) == (12, 51)
    assert differences == [], f"{len(differences)} difference(s):\n" + "\n".join(differences)


def test_ours_cover_every_service_and_method() -> None:
    summary = Summary.of(facts_of(our_descriptors()))
    assert (summary.services, summary.methods) == (12, 51)
    assert summary.fields > 500


def _mutated(mutate_name: str) -> list[descriptor_pb2.FileDescriptorProto]:
    files = our_descriptors()
    chat = next(f for f in files if any(s.name == "Chat" for s in f.service))
    if mutate_name == "field number":
        request = next(m for m in chat.message_type if m.name == "GetCompletionsRequest")
        next(f for f in request.field if f.name == "model").number = 999
    elif mutate_name == "streaming flag":
        service = next(s for s in chat.service if s.name == "Chat")
        next(m for m in service.method if m.name == "GetCompletionChunk").server_streaming = False
    elif mutate_name == "enum value":
        enum = next(e for e in chat.enum_type if e.name == "MessageRole")
        enum.value.pop()
    return files


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (
            "field number",
            "differs: field xai_api.GetCompletionsRequest.model: number is 999 in ours, 2 in official",
        ),
        (
            "streaming flag",
            "differs: method xai_api.Chat.GetCompletionChunk: server_streaming is False in ours, True in official",
        ),
        ("enum value", "missing in ours: enum value xai_api.MessageRole.ROLE_DEVELOPER number=6"),
    ],
)
def test_comparison_reports_a_wrong_contract_on_one_clear_line(mutation: str, expected: str) -> None:
    reference = facts_of(our_descriptors())
    assert diff(reference, reference) == []
    assert diff(reference, facts_of(_mutated(mutation))) == [expected]
