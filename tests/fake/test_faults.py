"""Fault layer, driven through real channels with a real gRPC retry policy and deadlines."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import grpc
import pytest

from xai_fake import FakeServer
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, models_pb2

REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)
# The policy the SDK uses by default: 5 attempts, 0.1 s initial backoff, 1 s max, x2, on UNAVAILABLE.
RETRY_POLICY = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)


@pytest.fixture
def retrying(fake: FakeServer) -> Iterator[grpc.Channel]:
    options = [("grpc.enable_retries", 1), ("grpc.service_config", RETRY_POLICY)]
    with grpc.insecure_channel(fake.address, options=options) as channel:
        yield channel


@pytest.mark.parametrize(("failures", "succeeds"), [(1, True), (4, True), (5, False), (6, False)])
@pytest.mark.parametrize("streaming", [False, True])
def test_retries_absorb_up_to_four_unavailable(  # type: ignore[no-untyped-def]
    fake: FakeServer, retrying: grpc.Channel, md, failures: int, succeeds: bool, streaming: bool
) -> None:
    method = "Chat/GetCompletionChunk" if streaming else "Chat/GetCompletion"
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=failures, method=method)
    stub = chat_pb2_grpc.ChatStub(retrying)

    def call() -> object:
        if streaming:
            return list(stub.GetCompletionChunk(REQUEST, metadata=md, timeout=10))
        return stub.GetCompletion(REQUEST, metadata=md, timeout=10)

    if succeeds:
        assert call()
        assert fake.requests.count(method) == failures + 1
    else:
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        assert fake.requests.count(method) == 5


def test_disabled_retries_surface_the_first_failure(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.fault(grpc.StatusCode.UNAVAILABLE, "down for maintenance", times=1, service="Chat")
    with pytest.raises(grpc.RpcError) as info:
        chat_pb2_grpc.ChatStub(channel).GetCompletion(REQUEST, metadata=md)
    assert (info.value.code(), info.value.details()) == (grpc.StatusCode.UNAVAILABLE, "down for maintenance")
    assert fake.requests.count() == 1


@pytest.mark.parametrize("where", ["before the response", "between chunks"])
def test_a_delay_longer_than_the_deadline_gives_deadline_exceeded(  # type: ignore[no-untyped-def]
    fake: FakeServer, channel: grpc.Channel, md, where: str
) -> None:
    if where == "before the response":
        fake.fault(delay=5.0, method="Chat/GetCompletionChunk")
    else:
        fake.fault(chunk_delay=0.2, method="Chat/GetCompletionChunk")
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as info:
        list(chat_pb2_grpc.ChatStub(channel).GetCompletionChunk(REQUEST, metadata=md, timeout=0.5))
    elapsed = time.monotonic() - started
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.5 <= elapsed < 0.5 * 1.2 + 0.1


@pytest.mark.parametrize("where", ["before the response", "between chunks"])
def test_a_pause_cut_short_by_the_deadline_is_logged_as_deadline_exceeded(  # type: ignore[no-untyped-def]
    fake: FakeServer, channel: grpc.Channel, md, where: str
) -> None:
    fake.chat.stream([f"piece {i} " for i in range(20)])
    if where == "before the response":
        fake.fault(delay=5.0, method="Chat/GetCompletionChunk")
    else:
        fake.fault(chunk_delay=0.05, method="Chat/GetCompletionChunk")
    received = 0
    with pytest.raises(grpc.RpcError) as info:
        for _ in chat_pb2_grpc.ChatStub(channel).GetCompletionChunk(REQUEST, metadata=md, timeout=0.22):
            received += 1
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    (call,) = fake.requests.wait()
    # The fake stopped at the deadline and says so: not OK, not CANCELLED.
    assert call.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert received <= call.responses <= received + 1 and received < 20  # +1: a chunk sent as time ran out


def test_retry_hints_ride_on_the_error_a_fault_raises(fake: FakeServer) -> None:
    fault = fake.fault(grpc.StatusCode.UNAVAILABLE, pushback_ms=5, trailing_metadata={"x-a": "1"})
    other = fake.fault(trailing_metadata=(("x-b", "2"),), method="Chat/GetCompletion")
    plan = fake.faults.plan("xai_api.Chat/GetCompletion", "xai_api.Chat")
    assert plan.before is not None
    error = plan.before.error("default")
    assert (error.code, error.details) == (grpc.StatusCode.UNAVAILABLE, "default")
    assert error.trailing_metadata == (("x-a", "1"), ("x-b", "2"), ("grpc-retry-pushback-ms", "5"))
    assert (fault.fired, other.fired) == (1, 1)
    fake.faults.remove(fault)
    assert fake.faults.rules == [other]


async def test_a_stream_fails_after_k_chunks(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.fault(grpc.StatusCode.INTERNAL, "stream reset", method="Chat/GetCompletionChunk", after_chunks=2, times=1)
    received = 0
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in chat_pb2_grpc.ChatStub(aio_channel).GetCompletionChunk(REQUEST, metadata=md):
            received += 1
    assert received == 2
    assert (info.value.code(), info.value.details()) == (grpc.StatusCode.INTERNAL, "stream reset")


def test_chaos_is_reproducible_for_a_seed(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(channel)

    def outcomes() -> list[bool]:
        results = []
        for _ in range(30):
            try:
                stub.GetCompletion(REQUEST, metadata=md)
                results.append(True)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.UNAVAILABLE
                results.append(False)
        return results

    fake.chaos(0.3, seed=42, code=grpc.StatusCode.UNAVAILABLE, service="xai_api.Chat")
    first = outcomes()
    fake.reset()
    fake.chaos(0.3, seed=42, code=grpc.StatusCode.UNAVAILABLE, service="xai_api.Chat")
    assert outcomes() == first
    assert 3 <= first.count(False) <= 20


def test_faults_are_scoped(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.fault(grpc.StatusCode.UNAVAILABLE, method="Chat/GetCompletionChunk")
    assert chat_pb2_grpc.ChatStub(channel).GetCompletion(REQUEST, metadata=md).outputs
    get_model = channel.unary_unary(
        "/xai_api.Models/GetLanguageModel",
        request_serializer=models_pb2.GetModelRequest.SerializeToString,
        response_deserializer=models_pb2.LanguageModel.FromString,
    )
    assert get_model(models_pb2.GetModelRequest(name="grok-4"), metadata=md).name == "grok-4"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": grpc.StatusCode.OK}, "cannot be OK"),
        ({"after_chunks": 2}, "after_chunks needs a status code"),
        ({"code": grpc.StatusCode.INTERNAL, "after_chunks": -1}, "after_chunks must be >= 0"),
        ({"probability": 2.0}, "probability must be between 0 and 1"),
        ({"delay": -1.0}, "delays must be >= 0"),
        ({"method": "Chat/GetCompletion", "service": "Chat"}, "not both"),
        ({"service": "Nope"}, "unknown xAI service"),
    ],
)
def test_bad_faults_are_rejected(fake: FakeServer, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        fake.fault(**kwargs)
