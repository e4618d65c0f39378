"""Deadlines: a per-client or per-call timeout ends a slow call with DEADLINE_EXCEEDED on time.

Slowness is injected before the first byte (a fault's ``delay``), between streamed chunks
(``chunk_delay``) and in the middle of an upload (a file object that reads slowly). In every
case the error surfaces within the timeout + 20%, the server stops working on the call (its log
entry is finished, cancelled or past its deadline), and the client stops too (no threads left,
no more reads of the upload).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import grpc
import pytest

from tests.reliability.conftest import Api, Mode, extra_threads, finished_calls, status_of, wait_until
from xai_fake import FakeServer
from xai_fake.defaults.files import FilesState

TIMEOUT = 1.0  # long enough that 20% (200 ms) absorbs a busy 2-core machine's scheduling delays
ON_TIME = TIMEOUT * 1.2
SAMPLE, STREAM, UPLOAD = "Chat/GetCompletion", "Chat/GetCompletionChunk", "Files/UploadFile"
GAVE_UP = {grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED}


class SlowFile:
    """A binary file object that hands out a few bytes per read, pausing before each read."""

    name = "slow.bin"

    def __init__(self, pause: float, reads: int) -> None:
        self.pause = pause
        self.left = reads
        self.reads = 0

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        time.sleep(self.pause)
        self.left -= 1
        self.reads += 1
        return b"x" * 1024


async def expect_deadline(api: Api, action: Any, per_call: bool) -> float:
    """Run ``action(timeout)``; assert DEADLINE_EXCEEDED; returns the seconds it took."""
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as raised:
        await action(TIMEOUT if per_call else None)
    elapsed = time.monotonic() - started
    assert status_of(raised.value) == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed < ON_TIME, f"DEADLINE_EXCEEDED after {elapsed:.3f} s for a {TIMEOUT} s timeout"
    return elapsed


def assert_server_gave_up(fake: FakeServer, method: str) -> None:
    """The server's handler for the call ends soon after the deadline, cancelled."""
    wait_until(lambda: len(finished_calls(fake, method)) == 1, within=2.0, what=f"{method} finished on the server")
    (call,) = fake.requests.of(method)
    assert call.code in GAVE_UP, call


@pytest.fixture(params=["per_client", "per_call"])
def per_call(request: pytest.FixtureRequest) -> bool:
    return request.param == "per_call"  # type: ignore[no-any-return]


@pytest.fixture
def threads_before() -> set[threading.Thread]:
    return set(threading.enumerate())


def client_kwargs(per_call: bool) -> dict[str, Any]:
    # Retries stay on (the SDK default): a deadline must still win over them.
    return {} if per_call else {"timeout": TIMEOUT}


@pytest.mark.parametrize("method", [SAMPLE, STREAM])
async def test_delay_before_the_first_byte(
    xai_fake_server: FakeServer, mode: Mode, per_call: bool, method: str, threads_before: set[threading.Thread]
) -> None:
    xai_fake_server.fault(delay=30, method=method)
    async with Api(xai_fake_server, mode, **client_kwargs(per_call)) as api:
        action = api.sample if method == SAMPLE else api.stream
        await expect_deadline(api, lambda timeout: action(timeout=timeout), per_call)
    assert_server_gave_up(xai_fake_server, method)
    assert xai_fake_server.requests.of(method)[0].responses == 0
    wait_until(lambda: not extra_threads(threads_before), what="no extra client threads")


async def test_delay_between_chunks(
    xai_fake_server: FakeServer, mode: Mode, per_call: bool, threads_before: set[threading.Thread]
) -> None:
    xai_fake_server.chat.stream([f"piece {i} " for i in range(100)])
    xai_fake_server.fault(chunk_delay=TIMEOUT / 5, method=STREAM)
    chunks: list[Any] = []
    async with Api(xai_fake_server, mode, **client_kwargs(per_call)) as api:
        await expect_deadline(api, lambda timeout: api.stream(timeout=timeout, chunks=chunks), per_call)
    assert 1 <= len(chunks) < 100  # it failed between chunks, not before the first one
    assert_server_gave_up(xai_fake_server, STREAM)
    assert xai_fake_server.requests.of(STREAM)[0].responses < 100
    wait_until(lambda: not extra_threads(threads_before), what="no extra client threads")


async def test_delay_in_the_middle_of_an_upload(
    xai_fake_server: FakeServer, mode: Mode, per_call: bool, threads_before: set[threading.Thread]
) -> None:
    slow = SlowFile(pause=TIMEOUT / 10, reads=1000)
    async with Api(xai_fake_server, mode, **client_kwargs(per_call)) as api:
        await expect_deadline(api, lambda timeout: api.upload(slow, timeout=timeout), per_call)
        assert slow.reads >= 2  # the deadline struck mid-upload
        # The client stops reading the file: at most the read in progress completes.
        wait_until(lambda: not extra_threads(threads_before), what="no extra client threads")
        reads = slow.reads
        await asyncio.sleep(slow.pause * 3)
        assert slow.reads <= reads + 1
    # The fake handles a client stream once it is complete; one cut short by the deadline is
    # dropped (by now it has had the pauses above to notice): nothing handled, nothing stored.
    assert all(call.finished and call.code in GAVE_UP for call in xai_fake_server.requests.of(UPLOAD)), (
        xai_fake_server.requests.calls
    )
    assert not xai_fake_server.defaults.state.of(FilesState).files
