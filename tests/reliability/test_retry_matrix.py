"""Retry matrix: UNAVAILABLE injected 1 to 6 times, sync and async clients, unary and streaming calls.

The SDK's channel retries UNAVAILABLE with maxAttempts 5, initial backoff 0.1 s, multiplier 2 and
max backoff 1 s. grpcio's core waits about ``min(0.1 * 2**k, 1)`` +/- 20% before retry k+1 (gRFC
A6 allows anything below that ceiling), so the log's gaps are checked against a wide window,
``RequestLog.assert_retried(..., backoff=(0.05, 1.5))``, and the total time against a ceiling.
"""

from __future__ import annotations

import time

import grpc
import pytest

from tests.reliability.conftest import Api, Mode, status_of
from xai_fake import FakeServer

MAX_ATTEMPTS = 5
BACKOFF_CEILINGS: list[float] = [min(0.1 * 2.0**k, 1.0) for k in range(MAX_ATTEMPTS - 1)]  # 0.1, 0.2, 0.4, 0.8 s
JITTER = 1.2  # gRPC core may stretch a backoff by up to 20%
SLACK = 0.75  # seconds for the attempts themselves, on a small and busy machine
METHODS = {"unary": "Chat/GetCompletion", "streaming": "Chat/GetCompletionChunk"}


def time_ceiling(retries: int) -> float:
    """The longest ``retries`` retries may take under the SDK's policy, with slack."""
    return sum(BACKOFF_CEILINGS[:retries]) * JITTER + SLACK


async def call(api: Api, kind: str) -> str:
    if kind == "unary":
        return str((await api.sample(timeout=10)).content)
    return str((await api.stream(timeout=10)).content)


@pytest.mark.parametrize("kind", list(METHODS))
@pytest.mark.parametrize("failures", range(1, 7))
async def test_unavailable_is_retried_until_attempts_run_out(
    xai_fake_server: FakeServer, mode: Mode, kind: str, failures: int
) -> None:
    method = METHODS[kind]
    xai_fake_server.chat.reply("recovered")
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, times=failures, method=method)
    attempts = min(failures + 1, MAX_ATTEMPTS)

    async with Api(xai_fake_server, mode) as api:
        started = time.monotonic()
        if failures < MAX_ATTEMPTS:
            assert await call(api, kind) == "recovered"
        else:
            with pytest.raises(grpc.RpcError) as raised:
                await call(api, kind)
            assert status_of(raised.value) == grpc.StatusCode.UNAVAILABLE
        elapsed = time.monotonic() - started

    calls = xai_fake_server.requests.of(method)
    assert len(calls) == attempts, xai_fake_server.requests.counts()
    assert xai_fake_server.requests.count() == attempts  # nothing else was called
    injected = min(failures, MAX_ATTEMPTS)
    assert [c.code for c in calls[:injected]] == [grpc.StatusCode.UNAVAILABLE] * injected
    if failures < MAX_ATTEMPTS:
        assert calls[-1].code == grpc.StatusCode.OK
    # The client backed off between attempts: no gap under 50 ms (nor absurdly long).
    xai_fake_server.requests.assert_retried(method, attempts=attempts, backoff=(0.05, 1.5))
    assert elapsed < time_ceiling(attempts - 1), f"{attempts} attempts took {elapsed:.2f} s"


@pytest.mark.parametrize("kind", list(METHODS))
async def test_without_retries_the_first_failure_surfaces(xai_fake_server: FakeServer, mode: Mode, kind: str) -> None:
    method = METHODS[kind]
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, "try later", times=1, method=method)

    async with Api(xai_fake_server, mode, channel_options=[("grpc.enable_retries", 0)]) as api:
        with pytest.raises(grpc.RpcError) as raised:
            await call(api, kind)
        assert status_of(raised.value) == grpc.StatusCode.UNAVAILABLE
        assert raised.value.details() == "try later"  # type: ignore[attr-defined]
        assert xai_fake_server.requests.count(method) == 1
        # The fault is spent: the next call goes through on the same client.
        assert await call(api, kind)
    assert xai_fake_server.requests.count(method) == 2


async def test_non_retryable_codes_are_not_retried(xai_fake_server: FakeServer, mode: Mode) -> None:
    xai_fake_server.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, times=1, method=METHODS["unary"])
    async with Api(xai_fake_server, mode) as api:
        with pytest.raises(grpc.RpcError) as raised:
            await call(api, "unary")
    assert status_of(raised.value) == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert xai_fake_server.requests.count(METHODS["unary"]) == 1
