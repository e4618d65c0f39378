"""The request log is bounded: it keeps the newest calls, counts the ones it forgot, and counts every call."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake.sdk_modes import Sdk
from xai_fake import FakeServer
from xai_fake.layers.log import DEFAULT_REQUEST_LOG_SIZE, LoggedCall, RequestLog
from xai_sdk.chat import user

SAMPLE = "xai_api.Chat/GetCompletion"
MODELS = "xai_api.Models/ListLanguageModels"


async def done(result: Any) -> Any:
    """The result of a sync call, or of an async one awaited."""
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_full_log_keeps_the_newest_calls_and_counts_all(mode: Any) -> None:
    with FakeServer(request_log_size=5) as fake:
        sdk = Sdk(fake, mode)
        try:
            for index in range(9):
                await done(sdk.client.chat.create("grok-4", messages=[user(f"q{index}")], user=f"u{index}").sample())
            await done(sdk.client.models.list_language_models())
        finally:
            await sdk.close()
        log = fake.requests
        assert log.max_size == 5
        assert len(log) == 5
        assert log.dropped == 5
        assert log.count() == 10
        assert log.count(SAMPLE) == 9
        assert log.counts() == {SAMPLE: 9, MODELS: 1}
        # The held calls are the newest, in order.
        assert [call.request.user for call in log.of(SAMPLE)] == ["u5", "u6", "u7", "u8"]
        assert log.last(SAMPLE).user == "u8"
        assert repr(log).startswith("RequestLog(dropped=5, [LoggedCall(")
        log.clear()
        assert (len(log), log.dropped, log.count(), log.counts()) == (0, 0, 0, {})


def test_the_default_size_and_no_limit() -> None:
    assert RequestLog().max_size == DEFAULT_REQUEST_LOG_SIZE == 10_000
    with FakeServer(request_log_size=None) as fake, fake.client() as client:
        assert fake.requests.max_size is None
        for _ in range(3):
            client.models.list_language_models()
        assert (len(fake.requests), fake.requests.dropped) == (3, 0)


@pytest.mark.parametrize("size", [0, -1])
def test_a_size_below_one_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="max_size must be a positive number of calls or None"):
        FakeServer(request_log_size=size)


def test_a_dropped_call_still_finishes() -> None:
    """A call pushed out while it runs still ends normally (the log only forgets it)."""
    with FakeServer(request_log_size=1) as fake, fake.client() as client:
        fake.script(MODELS).fail(grpc.StatusCode.INTERNAL, "boom", times=1)
        with pytest.raises(grpc.RpcError):
            client.models.list_language_models()
        client.models.list_language_models()
        (kept,) = fake.requests.calls
        assert kept.code == grpc.StatusCode.OK
        assert fake.requests.dropped == 1


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    size=st.one_of(st.none(), st.integers(min_value=1, max_value=8)),
    methods=st.lists(st.sampled_from([SAMPLE, MODELS, "xai_api.Files/UploadFile"]), max_size=30),
)
def test_the_log_invariants(size: int | None, methods: list[str]) -> None:
    log = RequestLog(size)
    calls = [LoggedCall(method, [], {}) for method in methods]
    for call in calls:
        log.append(call)
    held = calls if size is None else calls[max(0, len(calls) - size) :]
    assert log.calls == held
    assert len(log) == len(held)
    assert log.dropped == len(calls) - len(held)
    assert log.count() == len(calls)
    assert log.counts() == dict(Counter(methods))
    for method in set(methods):
        assert log.count(method) == methods.count(method)
        assert log.of(method) == [call for call in held if call.method == method]
