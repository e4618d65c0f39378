"""Retry evidence: the log keeps every attempt with its times; ``assert_retried`` checks count and backoff."""

from __future__ import annotations

import contextlib
import re
import time

import grpc
import pytest

from xai_fake import FakeServer, RequestLog
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc

SAMPLE = "Chat/GetCompletion"
REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)


def sample_sync(fake: FakeServer) -> str:
    with fake.client() as client:
        return str(client.chat.create("grok-4", messages=[user("Hi")]).sample().content)


async def sample_async(fake: FakeServer) -> str:
    client = fake.async_client()
    try:
        return str((await client.chat.create("grok-4", messages=[user("Hi")]).sample()).content)
    finally:
        await client.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_the_log_keeps_every_attempt_with_its_times(fake: FakeServer, mode: str) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=2, method=SAMPLE)
    assert sample_sync(fake) if mode == "sync" else await sample_async(fake)
    calls = fake.requests.of(SAMPLE)
    assert [call.code for call in calls] == [grpc.StatusCode.UNAVAILABLE] * 2 + [grpc.StatusCode.OK]
    assert [call.previous_attempts for call in calls] == [0, 1, 2]  # gRPC's own retries, numbered by gRPC
    for call in calls:
        assert call.finished and call.ended is not None and call.arrived <= call.ended
    assert calls[0].ended <= calls[1].arrived and calls[1].ended <= calls[2].arrived  # type: ignore[operator]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_assert_retried_passes_on_a_call_the_sdk_retried(fake: FakeServer, mode: str) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=2, method=SAMPLE)
    assert sample_sync(fake) if mode == "sync" else await sample_async(fake)
    # The SDK's policy: 0.1 s then 0.2 s (gRPC core adds +/- 20% jitter).
    gaps = fake.requests.assert_retried("Chat/GetCompletion", attempts=3, backoff=(0.05, 1.5))
    assert len(gaps) == 2


def test_assert_retried_measures_a_pushback(fake: FakeServer) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=1, method=SAMPLE, pushback_ms=150)
    assert sample_sync(fake)
    (gap,) = fake.requests.assert_retried(SAMPLE, attempts=2, backoff=(0.15, 0.15 * 1.2))
    assert gap >= 0.15


def test_assert_retried_fails_clearly_when_the_client_did_not_back_off(
    fake: FakeServer,
    channel: grpc.Channel,
    md: tuple[tuple[str, str], ...],
) -> None:
    # Three calls by hand, back to back, on a channel without retries: what a naive retry loop does.
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=2, method=SAMPLE)
    stub = chat_pb2_grpc.ChatStub(channel)
    for _ in range(3):
        with contextlib.suppress(grpc.RpcError):
            stub.GetCompletion(REQUEST, metadata=md)
    with pytest.raises(AssertionError) as raised:
        fake.requests.assert_retried(SAMPLE, attempts=3, backoff=(0.05, 1.5))
    message = str(raised.value)
    assert re.match(
        r"xai_api\.Chat/GetCompletion: attempt 2 arrived 0\.0\d\d s after attempt 1 ended; "
        r"expected a backoff within \[0\.05, 1\.5\] s \(the client did not back off long enough\):",
        message,
    ), message
    assert "attempt 1: UNAVAILABLE, arrived +0.000 s" in message
    assert "attempt 3: OK" in message
    # The count alone is right: these were three attempts.
    assert len(fake.requests.assert_retried(SAMPLE, attempts=3)) == 2


def test_assert_retried_fails_clearly_on_a_different_number_of_attempts(fake: FakeServer) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=1, method=SAMPLE)
    assert sample_sync(fake)
    wrong_count = r"expected 3 attempt\(s\) of xai_api\.Chat/GetCompletion, the fake saw 2:"
    with pytest.raises(AssertionError, match=wrong_count):
        fake.requests.assert_retried(SAMPLE, attempts=3, backoff=(0.05, 1.5))
    none = r"expected 1 attempt\(s\) of xai_api\.Models/ListLanguageModels, the fake saw 0;"
    with pytest.raises(AssertionError, match=none):
        fake.requests.assert_retried("Models/ListLanguageModels", attempts=1)


def test_assert_retried_fails_clearly_when_the_client_waited_too_long(
    fake: FakeServer,
    channel: grpc.Channel,
    md: tuple[tuple[str, str], ...],
) -> None:
    fake.fault(grpc.StatusCode.UNAVAILABLE, times=1, method=SAMPLE)
    stub = chat_pb2_grpc.ChatStub(channel)
    with pytest.raises(grpc.RpcError):
        stub.GetCompletion(REQUEST, metadata=md)
    time.sleep(0.06)
    stub.GetCompletion(REQUEST, metadata=md)
    too_long = r"attempt 2 arrived 0\.\d{3} s after attempt 1 ended; .*\(it waited too long\)"
    with pytest.raises(AssertionError, match=too_long):
        fake.requests.assert_retried(SAMPLE, attempts=2, backoff=(0.0, 0.05))


def test_assert_retried_rejects_bad_arguments() -> None:
    log = RequestLog()
    with pytest.raises(ValueError, match="attempts must be >= 1"):
        log.assert_retried(SAMPLE, attempts=0)
    with pytest.raises(ValueError, match="0 <= low <= high"):
        log.assert_retried(SAMPLE, attempts=2, backoff=(1.0, 0.5))
    with pytest.raises(ValueError, match="unknown"):
        log.assert_retried("Chat/Nope", attempts=1)


def test_requests_wait_returns_finished_calls_and_names_what_is_missing(
    fake: FakeServer, channel: grpc.Channel, md: tuple[tuple[str, str], ...]
) -> None:
    chat_pb2_grpc.ChatStub(channel).GetCompletion(REQUEST, metadata=md)
    (call,) = fake.requests.wait(SAMPLE)
    assert call.finished and call.code == grpc.StatusCode.OK
    with pytest.raises(AssertionError, match=r"1 of 2 call\(s\) of Chat/GetCompletion finished within 0.05 s"):
        fake.requests.wait("Chat/GetCompletion", count=2, timeout=0.05)
