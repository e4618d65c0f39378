"""A stream the caller stops reading is cancelled at once: the fake logs CANCELLED, having sent few chunks.

Each stream is 200 chunks, 10 ms apart (2 s in all). The consumer reads 3 chunks and then
breaks, closes the iterator, or drops it; the fake must see the call end as CANCELLED after
at most 10 chunks, that is within about 100 ms of the stream's own time (the fake's pacing,
which a loaded machine slows for both sides alike). The wall-clock bound is loose on purpose
(1 s, half the stream): it tells a cancelled stream from one that ran out. Chat ``stream()``,
``stream_batch()`` and the sampler's ``stream()``, blocking and asyncio.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults.chat import Answer, chunks_of
from xai_sdk.chat import user
from xai_sdk.proto import sample_pb2

CHUNKS, READ, MOST_SENT, WITHIN = 200, 3, 10, 1.0
CHAT, SAMPLE = "xai_api.Chat/GetCompletionChunk", "xai_api.Sample/SampleTextStreaming"


def script_long_streams(fake: FakeServer) -> None:
    chat = fake.defaults.services["xai_api.Chat"]

    def long_chat(request: Any, context: object) -> Any:
        return chunks_of(chat.respond(request, Answer(content="x" * CHUNKS)), ["x"] * CHUNKS)

    fake.script(CHAT).respond_with(long_chat)
    fake.script(SAMPLE).respond(
        [sample_pb2.SampleTextResponse(choices=[sample_pb2.SampleChoice(text="y")]) for _ in range(CHUNKS)]
    )
    fake.fault(method=CHAT, chunk_delay=0.01)
    fake.fault(method=SAMPLE, chunk_delay=0.01)


def streams(client: Any) -> dict[str, Callable[[], Any]]:
    chat = client.chat.create("grok-4", messages=[user("Hi")])
    return {
        "chat.stream": lambda: chat.stream(timeout=30),
        "chat.stream_batch": lambda: chat.stream_batch(2, timeout=30),
        "sampler.stream": lambda: client.sampler.stream("Hi", "grok-4", timeout=30),
    }


KINDS = ["chat.stream", "chat.stream_batch", "sampler.stream"]
STOPS = ["break", "close", "drop"]


def assert_cancelled_promptly(fake: FakeServer, method: str, stopped: float) -> None:
    (call,) = fake.requests.wait(method, count=1, timeout=5)
    assert call.code == grpc.StatusCode.CANCELLED, (call.code, call.details)
    assert call.ended is not None
    assert call.ended - stopped <= WITHIN, f"the fake ended the call {call.ended - stopped:.3f} s after the stop"
    assert call.responses <= MOST_SENT, f"the fake sent {call.responses} chunks"


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # stream_batch is deprecated, as in the official SDK
@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_blocking_stream_stops_when_its_reader_does(xai_fake_server: FakeServer, kind: str, stop: str) -> None:
    script_long_streams(xai_fake_server)
    with xai_fake_server.client() as client:
        iterator = streams(client)[kind]()
        if stop == "break":
            for index, _ in enumerate(iterator):
                if index + 1 == READ:
                    break
            stopped = time.monotonic()
            del iterator
        else:
            for _ in range(READ):
                next(iterator)
            if stop == "close":
                stopped = time.monotonic()
                iterator.close()
            else:
                del iterator
                gc.collect()  # a full collection of a big heap holds the GIL (the fake's thread too) for a while
                stopped = time.monotonic()
        assert_cancelled_promptly(xai_fake_server, CHAT if kind.startswith("chat") else SAMPLE, stopped)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("kind", KINDS)
async def test_an_async_stream_stops_when_its_reader_does(xai_fake_server: FakeServer, kind: str, stop: str) -> None:
    script_long_streams(xai_fake_server)
    async with xai_fake_server.async_client() as client:
        iterator = streams(client)[kind]()
        if stop == "break":
            index = 0
            async for _ in iterator:
                index += 1
                if index == READ:
                    break
            stopped = time.monotonic()
            del iterator  # the loop's async-generator hook closes it
        else:
            for _ in range(READ):
                await iterator.__anext__()
            if stop == "close":
                stopped = time.monotonic()
                await iterator.aclose()
            else:
                del iterator
                gc.collect()
                stopped = time.monotonic()
        # The fake serves on its own thread; wait off the loop, so the loop can run the close.
        method = CHAT if kind.startswith("chat") else SAMPLE
        await asyncio.to_thread(assert_cancelled_promptly, xai_fake_server, method, stopped)


async def test_a_stream_read_to_its_end_is_not_cancelled(xai_fake_server: FakeServer) -> None:
    async with xai_fake_server.async_client() as client:
        chat = client.chat.create("grok-4", messages=[user("Hi")])
        chunks = [chunk async for _, chunk in chat.stream(timeout=30)]
        assert chunks
        (call,) = await asyncio.to_thread(xai_fake_server.requests.wait, CHAT)
        assert call.code == grpc.StatusCode.OK
