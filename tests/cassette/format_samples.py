"""A cassette of real calls to a FakeServer, of all four kinds, built by hand for the format tests."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import new_cassette, pack
from xai_fake.cassette.format import checksum_of
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, files_pb2, files_pb2_grpc

PROMPT = "Hello, cassette"

#: The key the client sends: it must never reach a cassette file.
SECRET = "xai-FORMAT-SECRET-5e1d0c9b8a7f"


def _metadata(entries: Sequence[tuple[str, str | bytes]] | None) -> list[cassette_pb2.Metadatum]:
    result = []
    for key, value in entries or ():
        if isinstance(value, bytes):
            result.append(cassette_pb2.Metadatum(key=key, binary=value))
        else:
            result.append(cassette_pb2.Metadatum(key=key, text=value))
    return result


def _interaction(
    method: str, requests: list[tuple[Message, float]], metadata: Sequence[tuple[str, str | bytes]]
) -> cassette_pb2.Interaction:
    interaction = cassette_pb2.Interaction(method=method)
    interaction.requests.extend(pack(message, offset) for message, offset in requests)
    interaction.request_metadata.extend(_metadata(metadata))
    return interaction


def _finish(interaction: cassette_pb2.Interaction, call: Any, start: float, error: grpc.RpcError | None = None) -> None:
    interaction.initial_metadata.extend(_metadata(call.initial_metadata()))
    interaction.trailing_metadata.extend(_metadata(call.trailing_metadata()))
    code = error.code() if error is not None else call.code()  # type: ignore[attr-defined]
    interaction.status_code = code.value[0]
    interaction.status_details = (error.details() or "") if error is not None else ""  # type: ignore[attr-defined]
    interaction.duration.FromNanoseconds(int((time.monotonic() - start) * 1e9))


def record_sample(fake: FakeServer, metadata: Sequence[tuple[str, str | bytes]]) -> cassette_pb2.Cassette:
    """Unary, server-streaming, client-streaming and failing calls through real gRPC, with timing."""
    cassette = new_cassette()
    metadata = [*metadata, ("trace-bin", b"\x00\x01\xfe\xff")]
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4", user="alice@example.com",
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=PROMPT)])],
    )  # fmt: skip
    with grpc.insecure_channel(fake.address, options=[("grpc.enable_retries", 0)]) as channel:
        chat = chat_pb2_grpc.ChatStub(channel)
        files = files_pb2_grpc.FilesStub(channel)

        # unary
        start = time.monotonic()
        interaction = _interaction("/xai_api.Chat/GetCompletion", [(request, 0.0)], metadata)
        response, call = chat.GetCompletion.with_call(request, metadata=metadata)
        interaction.responses.append(pack(response, time.monotonic() - start))
        _finish(interaction, call, start)
        cassette.interactions.append(interaction)

        # server streaming
        start = time.monotonic()
        interaction = _interaction("/xai_api.Chat/GetCompletionChunk", [(request, 0.0)], metadata)
        stream = chat.GetCompletionChunk(request, metadata=metadata)
        for chunk in stream:
            interaction.responses.append(pack(chunk, time.monotonic() - start))
        _finish(interaction, stream, start)
        cassette.interactions.append(interaction)

        # client streaming
        chunks = [
            files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="notes.txt")),
            files_pb2.UploadFileChunk(data=b"first \x00 part "),
            files_pb2.UploadFileChunk(data=b"second part"),
        ]
        start = time.monotonic()
        interaction = _interaction(
            "/xai_api.Files/UploadFile", [(c, 0.001 * i) for i, c in enumerate(chunks)], metadata
        )

        def upload() -> Iterator[files_pb2.UploadFileChunk]:
            yield from chunks

        uploaded, call = files.UploadFile.with_call(upload(), metadata=metadata)
        interaction.responses.append(pack(uploaded, time.monotonic() - start))
        _finish(interaction, call, start)
        cassette.interactions.append(interaction)

        # an error after a partial stream
        fake.fault(grpc.StatusCode.INTERNAL, after_chunks=2, method="Chat/GetCompletionChunk", times=1)
        start = time.monotonic()
        interaction = _interaction("/xai_api.Chat/GetCompletionChunk", [(request, 0.0)], metadata)
        stream = chat.GetCompletionChunk(request, metadata=metadata)
        try:
            for chunk in stream:
                interaction.responses.append(pack(chunk, time.monotonic() - start))
        except grpc.RpcError as error:
            _finish(interaction, stream, start, error)
        cassette.interactions.append(interaction)

        # a unary error
        fake.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, method="Chat/GetCompletion", times=1)
        start = time.monotonic()
        interaction = _interaction("/xai_api.Chat/GetCompletion", [(request, 0.0)], metadata)
        try:
            chat.GetCompletion(request, metadata=metadata)
        except grpc.RpcError as error:
            _finish(interaction, error, start, error)
        cassette.interactions.append(interaction)

    # the fake sends no custom headers: add some as a real server would, text and binary
    first = cassette.interactions[0]
    first.initial_metadata.extend(_metadata([("x-request-id", "req-1"), ("set-cookie", f"session={SECRET}")]))
    first.trailing_metadata.extend(_metadata([("x-ratelimit-remaining", "99"), ("details-bin", b"\x08\x00\xff")]))
    cassette.interaction_count = len(cassette.interactions)
    return cassette


def sample_server() -> FakeServer:
    """A fake that accepts only :data:`SECRET`."""
    return FakeServer(seed=3, api_keys=[SECRET])


def client_metadata() -> list[tuple[str, str | bytes]]:
    """What a client sends: the key and an ordinary header."""
    return [("authorization", f"Bearer {SECRET}"), ("x-client", "format-tests")]


def sealed_bytes(cassette: cassette_pb2.Cassette) -> bytes:
    """``cassette`` encoded and sealed as another tool following the format would: no redaction, no checks.

    The checksum covers the deterministic encoding without the ``checksum`` field, which comes last.
    """
    copy = cassette_pb2.Cassette()
    copy.CopyFrom(cassette)
    copy.ClearField("checksum")
    copy.interaction_count = len(copy.interactions)
    copy.checksum = checksum_of(copy.SerializeToString(deterministic=True))
    return copy.SerializeToString(deterministic=True)
