"""The fake bugs the random requests of ``test_bad_input`` found, pinned as plain examples.

Each request used to end in INTERNAL (an unhandled exception in the fake) or in a half-handled
call; each must now get a clear client-side error.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import grpc
import pytest
from google.protobuf.message import Message

import xai_sdk
from tests.reliability.test_deadlines import SlowFile
from xai_fake import FakeServer
from xai_fake.defaults.files import FilesState
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, collections_pb2, files_pb2, sample_pb2


def fails_with(call: Callable[[], object], code: grpc.StatusCode, details: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    assert raised.value.code() == code, raised.value  # type: ignore[attr-defined]
    assert details in raised.value.details()  # type: ignore[attr-defined]


def chat_request(**fields: object) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(model="grok-4", messages=[user("Hi")], **fields)  # type: ignore[arg-type]


def json_schema(schema: str) -> chat_pb2.ResponseFormat:
    return chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=schema)


def function(parameters: str) -> list[chat_pb2.Tool]:
    return [chat_pb2.Tool(function=chat_pb2.Function(name="f", parameters=parameters))]


@pytest.mark.parametrize(
    ("fields", "details"),
    [
        ({"response_format": json_schema("5")}, "must be a JSON object"),
        ({"response_format": json_schema('{"$ref": "#/x"}')}, "not a JSON schema"),
        ({"tools": function("not json")}, "is not valid JSON"),
        ({"tools": function('{"properties": {"a": 1}}')}, "not a JSON schema"),
    ],
)
@pytest.mark.parametrize("method", ["GetCompletion", "GetCompletionChunk"])
def test_unusable_json_schemas_are_invalid_arguments(
    xai_client: xai_sdk.Client, method: str, fields: dict[str, object], details: str
) -> None:
    stub = getattr(xai_client.stubs.chat, method)

    def call() -> object:
        result = stub(chat_request(**fields), **xai_client.stubs.kwargs(timeout=5))
        return result if isinstance(result, Message) else list(result)

    fails_with(call, grpc.StatusCode.INVALID_ARGUMENT, details)


def test_unknown_file_sort_order_is_an_invalid_argument(xai_client: xai_sdk.Client) -> None:
    request = files_pb2.ListFilesRequest(sort_by=99)  # type: ignore[arg-type]
    fails_with(
        lambda: xai_client.stubs.files.ListFiles(request, **xai_client.stubs.kwargs(timeout=5)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "sort_by has no value 99",
    )


def test_unknown_document_sort_order_is_an_invalid_argument(xai_client: xai_sdk.Client) -> None:
    collection = xai_client.collections.create("c")
    request = collections_pb2.ListDocumentsRequest(collection_id=collection.collection_id, sort_by=-3)  # type: ignore[arg-type]
    fails_with(
        lambda: xai_client.stubs.collections.ListDocuments(request, **xai_client.stubs.management_kwargs(timeout=5)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "sort_by has no value -3",
    )


def test_an_expiry_past_the_year_9999_is_an_invalid_argument(xai_client: xai_sdk.Client) -> None:
    file = xai_client.files.upload(b"x", filename="a.png")
    request = files_pb2.CreatePublicUrlRequest(file_id=file.id, expires_after=2**62)
    fails_with(
        lambda: xai_client.stubs.files.CreatePublicUrl(request, **xai_client.stubs.kwargs(timeout=5)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "too far in the future",
    )


def test_an_upload_cut_short_by_its_deadline_is_not_stored(
    xai_fake_server: FakeServer, xai_client: xai_sdk.Client
) -> None:
    # grpc.aio ends the server's request iterator when the client goes away, as if the upload
    # were complete; the fake used to store the truncated file and answer OK to nobody.
    for _ in range(3):  # whether the server notices before the stream ends is a race: try a few times
        slow = SlowFile(pause=0.05, reads=100)
        upload = functools.partial(xai_client.files.upload, slow, timeout=0.3)
        fails_with(upload, grpc.StatusCode.DEADLINE_EXCEEDED, "")
        assert slow.reads >= 2
    time.sleep(0.15)  # time for the server to see the end of the last stream
    assert not xai_fake_server.defaults.state.of(FilesState).files
    assert xai_client.files.list().data == []


@pytest.mark.parametrize("method", ["SampleText", "SampleTextStreaming"])
def test_a_negative_max_tokens_for_raw_sampling_is_an_invalid_argument(xai_client: xai_sdk.Client, method: str) -> None:
    request = sample_pb2.SampleTextRequest(model="grok-4", prompt=["Hi"], max_tokens=-(2**31))
    stub = getattr(xai_client.stubs.sample, method)

    def call() -> object:
        result = stub(request, **xai_client.stubs.kwargs(timeout=5))
        return result if isinstance(result, Message) else list(result)

    fails_with(call, grpc.StatusCode.INVALID_ARGUMENT, "max_tokens must be positive")
