"""``Client(retry=RetryPolicy(...))``: gRPC's retries in one object, checked from the fake's attempt times."""

from __future__ import annotations

import inspect
import json
from typing import Any

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xai_fake import FakeServer
from xai_sdk.chat import user
from xai_sdk.retry import DEFAULT_RETRY, RetryPolicy

SAMPLE = "xai_api.Chat/GetCompletion"
FAST = RetryPolicy(max_attempts=3, initial_backoff=0.05, max_backoff=0.2, multiplier=2.0)


async def done(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


async def sample(fake: FakeServer, mode: str, **client: Any) -> Any:
    sdk = fake.client(**client) if mode == "sync" else fake.async_client(**client)
    try:
        return await done(sdk.chat.create("grok-4", messages=[user("Hi")]).sample(timeout=20))
    finally:
        await done(sdk.close())


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_three_attempts_outlast_two_failures(xai_fake_server: FakeServer, mode: str) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, method=SAMPLE, times=2)
    response = await sample(xai_fake_server, mode, retry=FAST)
    assert response.content
    # Retry k waits a random time up to min(0.05 * 2**(k-1), 0.2) s (gRFC A6); the fake saw the gaps.
    gaps = xai_fake_server.requests.assert_retried(SAMPLE, attempts=3, backoff=(0.0, 0.1 + 0.5))
    assert len(gaps) == 2
    assert [call.code for call in xai_fake_server.requests.of(SAMPLE)] == [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.OK,
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_three_failures_exhaust_three_attempts(xai_fake_server: FakeServer, mode: str) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, "down", method=SAMPLE, times=3)
    with pytest.raises(grpc.RpcError) as raised:
        await sample(xai_fake_server, mode, retry=FAST)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    xai_fake_server.requests.assert_retried(SAMPLE, attempts=3)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_no_retry_makes_one_attempt(xai_fake_server: FakeServer, mode: str) -> None:
    xai_fake_server.fault(grpc.StatusCode.UNAVAILABLE, method=SAMPLE, times=1)
    with pytest.raises(grpc.RpcError):
        await sample(xai_fake_server, mode, retry=None)
    xai_fake_server.requests.assert_retried(SAMPLE, attempts=1)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_rate_limits_are_retried_only_when_asked_and_then_after_the_pushback(
    xai_fake_server: FakeServer, mode: str
) -> None:
    xai_fake_server.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, method=SAMPLE, times=1, pushback_ms=300)
    with pytest.raises(grpc.RpcError) as raised:
        await sample(xai_fake_server, mode)  # the default policy retries UNAVAILABLE alone
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    xai_fake_server.requests.clear()

    xai_fake_server.fault(grpc.StatusCode.RESOURCE_EXHAUSTED, method=SAMPLE, times=1, pushback_ms=300)
    policy = RetryPolicy(max_attempts=2, retryable_codes=("UNAVAILABLE", "RESOURCE_EXHAUSTED"))
    assert (await sample(xai_fake_server, mode, retry=policy)).content
    # The server's pushback (300 ms), not the policy's 0.1 s backoff, paced the retry.
    xai_fake_server.requests.assert_retried(SAMPLE, attempts=2, backoff=(0.25, 2.0))


def test_the_default_is_the_official_sdks() -> None:
    assert RetryPolicy(5, 0.1, 1.0, 2.0, (grpc.StatusCode.UNAVAILABLE,)) == DEFAULT_RETRY
    config = json.loads(DEFAULT_RETRY.service_config())
    assert config == {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2.0,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_attempts": 1}, "max_attempts must be an int from 2 to 5"),
        ({"max_attempts": 6}, "max_attempts must be an int from 2 to 5"),
        ({"max_attempts": True}, "max_attempts must be an int"),
        ({"initial_backoff": 0}, "initial_backoff must be a positive number of seconds"),
        ({"max_backoff": float("inf")}, "max_backoff must be a positive number"),
        ({"multiplier": -1}, "multiplier must be a positive number"),
        ({"retryable_codes": ()}, "must name at least one status code"),
        ({"retryable_codes": ("UNAVAILABE",)}, "'UNAVAILABE' is not a gRPC status code"),
        ({"retryable_codes": (grpc.StatusCode.OK,)}, "cannot hold OK"),
    ],
)
def test_a_bad_policy_is_a_value_error_naming_the_field(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**arguments)


def test_retry_and_a_service_config_option_together_are_refused(xai_fake_server: FakeServer) -> None:
    with pytest.raises(ValueError, match=r"retry= and channel_options' grpc.service_config"):
        xai_fake_server.client(retry=FAST, channel_options=[("grpc.service_config", "{}")])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    attempts=st.integers(2, 5),
    initial=st.floats(1e-6, 100, allow_nan=False),
    maximum=st.floats(1e-6, 1000, allow_nan=False),
    multiplier=st.floats(0.01, 10, allow_nan=False),
    codes=st.lists(st.sampled_from([c for c in grpc.StatusCode if c is not grpc.StatusCode.OK]), min_size=1),
)
def test_every_valid_policy_is_a_service_config_grpc_accepts(
    attempts: int, initial: float, maximum: float, multiplier: float, codes: list[grpc.StatusCode]
) -> None:
    policy = RetryPolicy(attempts, initial, maximum, multiplier, tuple(codes))
    retry = json.loads(policy.service_config())["methodConfig"][0]["retryPolicy"]
    assert retry["maxAttempts"] == attempts
    for key, seconds in (("initialBackoff", initial), ("maxBackoff", maximum)):
        assert retry[key].endswith("s")
        assert float(retry[key][:-1]) == pytest.approx(seconds, abs=1e-9)
        assert float(retry[key][:-1]) > 0
    assert retry["retryableStatusCodes"] == list(dict.fromkeys(code.name for code in codes))
