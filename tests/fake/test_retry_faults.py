"""Retry-aware faults, through real gRPC with the SDK's own retry policy, sync and async.

Where a fault fires decides what the client may do (gRFC A6): before the response it is
retried by the policy of ``xai_sdk/_channel.py`` (UNAVAILABLE, 5 attempts); after N messages
the call is committed and never retried. Pushback (``grpc-retry-pushback-ms``) sets the wait
before the retry; a RESOURCE_EXHAUSTED carries its retry delay to the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from tests.fake.sdk_modes import Sdk
from xai_fake import Error, FakeServer
from xai_sdk.proto import chat_pb2, chat_pb2_grpc

SAMPLE, STREAM = "Chat/GetCompletion", "Chat/GetCompletionChunk"
REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)


@pytest.fixture(params=["sync", "async"])
async def sdk(request: pytest.FixtureRequest, fake: FakeServer) -> AsyncIterator[Sdk]:
    client = Sdk(fake, request.param)
    yield client
    await client.close()


async def failure_of(action: Any) -> Any:
    with pytest.raises(grpc.RpcError) as raised:
        await action
    return raised.value


def trailers(error: Any) -> dict[str, Any]:
    """The trailing metadata of a sync or asyncio gRPC error, as a dict."""
    return dict(tuple(error.trailing_metadata() or ()))


# -- where a fault fires ---------------------------------------------------------------------


async def test_a_stream_failing_before_its_first_message_is_retried_and_succeeds(fake: FakeServer, sdk: Sdk) -> None:
    fake.chat.stream(["re", "covered"])
    fake.fault(grpc.StatusCode.UNAVAILABLE, "overloaded", times=1, method=STREAM)
    chunks: list[Any] = []
    response = await sdk.stream(chunks)
    assert response.content == "recovered"
    first, second = fake.requests.of(STREAM)
    assert (first.code, first.responses) == (grpc.StatusCode.UNAVAILABLE, 0)
    assert (second.code, second.responses) == (grpc.StatusCode.OK, len(chunks))
    # The second attempt is gRPC's retry policy at work, not the SDK calling again.
    assert (first.previous_attempts, second.previous_attempts) == (0, 1)


@pytest.mark.parametrize("after", [1, 2])
async def test_a_stream_failing_after_its_first_message_is_committed_and_not_retried(
    fake: FakeServer, sdk: Sdk, after: int
) -> None:
    fake.chat.stream(["one ", "two ", "three"])
    fault = fake.fault(grpc.StatusCode.UNAVAILABLE, "reset mid-stream", times=1, method=STREAM, after_chunks=after)
    chunks: list[Any] = []
    error = await failure_of(sdk.stream(chunks))
    assert (error.code(), error.details()) == (grpc.StatusCode.UNAVAILABLE, "reset mid-stream")
    assert len(chunks) == after
    (only,) = fake.requests.of(STREAM)  # UNAVAILABLE is retryable, yet there was no second attempt
    assert (only.code, only.responses) == (grpc.StatusCode.UNAVAILABLE, after)
    assert fault.fired == 1


@pytest.mark.parametrize(("method", "after"), [(SAMPLE, None), (SAMPLE, 0), (STREAM, 0)])
async def test_a_fault_before_anything_was_sent_is_retried(
    fake: FakeServer, sdk: Sdk, method: str, after: int | None
) -> None:
    # Before the response (None) the rest of the chain never ran; after the answer was made (0)
    # it ran, and the retry makes it run again: the case that tests a client's idempotency.
    answered: list[object] = []

    def answer(request: object, context: object) -> str:
        answered.append(request)
        return "done"

    fake.script(method).respond_with(answer)
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=1, method=method, after_chunks=after)
    if method == SAMPLE:
        assert (await sdk.sample()).content == "done"
    else:
        assert (await sdk.stream([])).content == "done"
    assert [call.code for call in fake.requests.of(method)] == [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.OK]
    assert len(answered) == (1 if after is None else 2)


# -- pushback --------------------------------------------------------------------------------

PUSHBACK_MS = 250


async def test_pushback_sets_the_wait_before_the_retry_within_20_percent(fake: FakeServer, sdk: Sdk) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=1, method=SAMPLE, pushback_ms=PUSHBACK_MS)
    assert (await sdk.sample()).content
    first, second = fake.requests.of(SAMPLE)
    gap = second.arrived - first.arrived
    # Evidence from the log, not a timing of the fake: the SDK's own first backoff is at most
    # 0.1 s (x1.2), so a gap of at least the pushback shows that gRPC honoured it.
    assert PUSHBACK_MS / 1000 <= gap <= PUSHBACK_MS / 1000 * 1.2, f"retried {gap:.3f} s after the first attempt"


async def test_a_negative_pushback_tells_the_client_not_to_retry(fake: FakeServer, sdk: Sdk) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, "go away", times=1, method=SAMPLE, pushback_ms=-1)
    error = await failure_of(sdk.sample())
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert trailers(error)["grpc-retry-pushback-ms"] == "-1"
    assert fake.requests.count(SAMPLE) == 1


# -- hints that reach the caller -------------------------------------------------------------


def retry_delay_of(error: Any) -> float:
    """The RetryInfo delay of ``grpc-status-details-bin``, decoded as grpcio-status's ``from_call`` does."""
    status = status_pb2.Status.FromString(trailers(error)["grpc-status-details-bin"])
    assert (status.code, status.message) == (error.code().value[0], error.details())
    (detail,) = status.details
    info = error_details_pb2.RetryInfo()
    assert detail.Unpack(info)
    return float(info.retry_delay.ToNanoseconds() / 1e9)


@pytest.mark.parametrize("method", [SAMPLE, STREAM])
async def test_a_resource_exhausted_retry_delay_reaches_the_caller(fake: FakeServer, sdk: Sdk, method: str) -> None:
    fake.fault(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "rate limited", times=1, method=method,
        pushback_ms=1500, retry_info=1.5, trailing_metadata={"x-ratelimit-remaining-requests": "0"},
    )  # fmt: skip
    error = await failure_of(sdk.sample() if method == SAMPLE else sdk.stream([]))
    assert (error.code(), error.details()) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "rate limited")
    found = trailers(error)
    assert found["grpc-retry-pushback-ms"] == "1500"
    assert found["x-ratelimit-remaining-requests"] == "0"
    assert retry_delay_of(error) == 1.5
    assert fake.requests.count(method) == 1  # RESOURCE_EXHAUSTED is not in the SDK's retry policy


async def test_retry_info_is_opt_in(fake: FakeServer, sdk: Sdk) -> None:
    fake.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, times=1, method=SAMPLE, pushback_ms=2000)
    found = trailers(await failure_of(sdk.sample()))
    assert found["grpc-retry-pushback-ms"] == "2000"
    assert "grpc-status-details-bin" not in found


async def test_a_scripted_error_carries_the_same_hints(fake: FakeServer, sdk: Sdk) -> None:
    quota = Error(grpc.StatusCode.RESOURCE_EXHAUSTED, "quota", pushback_ms=10, retry_info=0.01)
    fake.script(SAMPLE).respond_once(quota)
    error = await failure_of(sdk.sample())
    assert trailers(error)["grpc-retry-pushback-ms"] == "10"
    assert retry_delay_of(error) == 0.01


# -- trailing metadata, raw channels -------------------------------------------------------


def test_a_latency_only_fault_adds_trailers_to_a_successful_answer(
    fake: FakeServer, channel: grpc.Channel, md: tuple[tuple[str, str], ...]
) -> None:
    fake.fault(method=SAMPLE, trailing_metadata=[("x-served-by", "fake"), ("x-trace-bin", b"\x00\x01")])
    response, call = chat_pb2_grpc.ChatStub(channel).GetCompletion.with_call(REQUEST, metadata=md)
    assert response.outputs
    assert {"x-served-by": "fake", "x-trace-bin": b"\x00\x01"}.items() <= dict(call.trailing_metadata()).items()


async def test_a_stream_failing_after_chunks_carries_its_trailers(
    fake: FakeServer, aio_channel: grpc.aio.Channel, md: tuple[tuple[str, str], ...]
) -> None:
    fake.fault(grpc.StatusCode.INTERNAL, method=STREAM, after_chunks=1, trailing_metadata={"x-why": "reset"})
    stream = chat_pb2_grpc.ChatStub(aio_channel).GetCompletionChunk(REQUEST, metadata=md)
    received = 0
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for _ in stream:
            received += 1
    assert received == 1
    assert raised.value.details() == "injected INTERNAL after 1 message(s)"
    assert dict(tuple(await stream.trailing_metadata()))["x-why"] == "reset"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pushback_ms": 100}, "give the fault a status code"),
        ({"code": grpc.StatusCode.UNAVAILABLE, "pushback_ms": 1.5}, "32-bit integer of milliseconds"),
        ({"code": grpc.StatusCode.UNAVAILABLE, "pushback_ms": 2**31}, "32-bit integer"),
        ({"code": grpc.StatusCode.UNAVAILABLE, "retry_info": -1.0}, "retry_info must be a delay"),
        ({"code": grpc.StatusCode.UNAVAILABLE, "after_chunks": -1}, "after_chunks must be >= 0"),
        ({"trailing_metadata": {"X-Upper": "v"}}, "must be lower case"),
        ({"trailing_metadata": {"x-trace-bin": "text"}}, "its value must be bytes"),
        ({"trailing_metadata": {"x-note": b"bytes"}}, "takes ASCII text"),
        ({"trailing_metadata": ["x-note"]}, r"\(key, value\) pairs"),
    ],
)
def test_bad_hints_are_rejected(fake: FakeServer, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fake.fault(**kwargs)
    assert not fake.faults.rules


def test_a_bad_scripted_hint_is_rejected() -> None:
    with pytest.raises(ValueError, match="32-bit integer"):
        Error(grpc.StatusCode.UNAVAILABLE, pushback_ms=-(2**40))
