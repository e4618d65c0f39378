"""Latency that looks like a model: time to first token, tokens per second, seeded jitter.

The pauses themselves are checked without sockets; through real gRPC (the SDK's sync and async
clients) only lower bounds are asserted, since the fake cannot send a message before its pause
has passed but a busy machine may deliver it later.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

from tests.fake.sdk_modes import Sdk
from xai_fake import FakeServer, Latency, LoggedCall
from xai_fake.defaults.tokens import count
from xai_fake.latency import generated_tokens, streamed_tokens
from xai_fake.layers.faults import NO_FAULT, Faults
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, usage_pb2

SAMPLE, STREAM = "Chat/GetCompletion", "Chat/GetCompletionChunk"
CHAT = "xai_api.Chat"
REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)


def chunk(text: str = "", reasoning: str = "", arguments: str = "") -> chat_pb2.GetChatCompletionChunk:
    delta = chat_pb2.Delta(content=text, reasoning_content=reasoning)
    if arguments:
        delta.tool_calls.add(function=chat_pb2.FunctionCall(name="f", arguments=arguments))
    output = chat_pb2.CompletionOutputChunk(delta=delta)
    return chat_pb2.GetChatCompletionChunk(id="c", model="grok-4", outputs=[output])


def response(completion: int, reasoning: int = 0) -> chat_pb2.GetChatCompletionResponse:
    usage = usage_pb2.SamplingUsage(completion_tokens=completion, reasoning_tokens=reasoning, prompt_tokens=99)
    return chat_pb2.GetChatCompletionResponse(id="r", usage=usage)


# -- the pace, without sockets ---------------------------------------------------------------


def test_latency_is_off_by_default(fake: FakeServer) -> None:
    assert fake.faults.latencies == []
    assert Faults().plan(f"{CHAT}/GetCompletionChunk", CHAT) is NO_FAULT


def test_pauses_follow_ttft_and_tokens_per_second() -> None:
    pace = Latency(ttft=0.3, tokens_per_second=80)
    assert pace.first_message() == 0.3
    assert pace.next_message(chunk("piece 1 ")) == pytest.approx(3 / 80)  # "piece", " 1", " "
    assert pace.next_message(chunk()) == 0.0  # no text (a final usage chunk): no pause
    assert pace.unary(response(completion=11, reasoning=5)) == pytest.approx(0.3 + 16 / 80)
    assert Latency(ttft=0.2).unary(response(completion=500)) == 0.2  # no tokens_per_second: ttft alone


def test_tokens_are_those_the_model_generated() -> None:
    expected = count("Hello world") + count("hmm") + count("f") + count('{"a": 1}')
    assert expected == 2 + 1 + 1 + 7
    assert streamed_tokens(chunk("Hello world", reasoning="hmm", arguments='{"a": 1}')) == expected
    assert streamed_tokens(chat_pb2.GetChatCompletionChunk(id="only-metadata", model="grok-4")) == 0
    assert generated_tokens(response(completion=7, reasoning=3)) == 10
    assert generated_tokens(chat_pb2.GetChatCompletionResponse()) == 0


def test_jitter_is_seeded_and_bounded() -> None:
    def pauses(seed: int) -> list[float]:
        pace = Latency(ttft=0.3, tokens_per_second=100, jitter=0.1, seed=seed)
        return [pace.first_message(), *(pace.next_message(chunk("one two three four")) for _ in range(50))]

    first = pauses(3)
    assert pauses(3) == first
    assert pauses(4) != first
    assert 0.27 <= first[0] <= 0.33
    assert all(0.036 <= pause <= 0.044 for pause in first[1:])  # 4 tokens at 100/s, +/- 10%
    assert len(set(first[1:])) > 40  # it does vary


def test_the_latest_latency_covering_a_call_paces_it() -> None:
    faults = Faults()
    everywhere = faults.add(Latency(ttft=1.0))
    streams = faults.add(Latency(ttft=2.0, method=STREAM))
    assert faults.plan(f"{CHAT}/GetCompletionChunk", CHAT).latency is streams
    assert faults.plan(f"{CHAT}/GetCompletion", CHAT).latency is everywhere
    faults.remove(streams)
    assert faults.plan(f"{CHAT}/GetCompletionChunk", CHAT).latency is everywhere
    faults.remove(everywhere)
    assert faults.plan(f"{CHAT}/GetCompletionChunk", CHAT) is NO_FAULT


def test_reset_turns_latency_off(fake: FakeServer) -> None:
    made = fake.latency(ttft=0.3, tokens_per_second=80, jitter=0.1, method=STREAM)
    assert (made.seed, made.method) == (fake.seed, f"{CHAT}/GetCompletionChunk")  # the server's seed by default
    assert fake.faults.latencies == [made]
    fake.reset()
    assert fake.faults.latencies == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttft": -0.1}, "ttft must be >= 0"),
        ({"tokens_per_second": 0}, "tokens_per_second must be > 0"),
        ({"jitter": 1.5}, "jitter must be between 0 and 1"),
        ({"method": STREAM, "service": "Chat"}, "not both"),
        ({"method": "Chat/Nope"}, "unknown xAI method"),
    ],
)
def test_bad_latencies_are_rejected(fake: FakeServer, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fake.latency(**kwargs)


# -- through real gRPC -----------------------------------------------------------------------


@pytest.fixture(params=["sync", "async"])
async def sdk(request: pytest.FixtureRequest, fake: FakeServer) -> AsyncIterator[Sdk]:
    client = Sdk(fake, request.param)
    yield client
    await client.close()


def ended(fake: FakeServer, method: str, within: float = 2.0) -> LoggedCall:
    """The one logged call of ``method``, once the fake has finished it."""
    (call,) = fake.requests.wait(method, timeout=within)
    return call


async def test_a_stream_comes_at_the_pace_of_the_model(fake: FakeServer, sdk: Sdk) -> None:
    fake.chat.stream([f"piece {i} " for i in range(5)])  # 3 tokens a chunk, then a final usage chunk
    fake.latency(ttft=0.05, tokens_per_second=300, method=STREAM)  # 10 ms a chunk after the first
    arrivals: list[float] = []
    started = time.monotonic()
    await sdk.stream([], arrivals)
    assert len(arrivals) == 6
    for index, arrived in enumerate(arrivals[:5]):
        assert arrived - started >= 0.05 + index * 0.01 - 0.001, f"chunk {index} came early"
    assert ended(fake, STREAM).code == grpc.StatusCode.OK


async def test_a_unary_answer_waits_its_whole_generation_time(fake: FakeServer, sdk: Sdk) -> None:
    fake.chat.reply("one two three four five six seven eight nine ten")
    fake.latency(ttft=0.05, tokens_per_second=200, method=SAMPLE)
    started = time.monotonic()
    answer = await sdk.sample()
    elapsed = time.monotonic() - started
    tokens = answer.usage.completion_tokens + answer.usage.reasoning_tokens
    assert tokens >= 10
    assert elapsed >= 0.05 + tokens / 200 - 0.001


async def test_a_deadline_stops_a_paced_stream_midway(fake: FakeServer, sdk: Sdk) -> None:
    fake.chat.stream([f"piece {i} " for i in range(100)])
    fake.latency(ttft=0.02, tokens_per_second=150, method=STREAM)  # 20 ms a chunk: 2 s in all
    arrivals: list[float] = []
    with pytest.raises(grpc.RpcError) as raised:
        await sdk.stream([], arrivals, timeout=0.25)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED  # type: ignore[attr-defined]
    assert 1 <= len(arrivals) < 100  # it stopped midway, not before the first chunk
    call = ended(fake, STREAM)
    assert call.code == grpc.StatusCode.DEADLINE_EXCEEDED  # what the client saw, not OK nor CANCELLED
    assert len(arrivals) <= call.responses < 100


async def test_a_deadline_stops_a_unary_generation(fake: FakeServer, sdk: Sdk) -> None:
    fake.latency(ttft=5.0, method=SAMPLE)
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as raised:
        await sdk.sample(timeout=0.2)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED  # type: ignore[attr-defined]
    assert time.monotonic() - started < 2.0  # ended by the deadline, not by the 5 s generation
    call = ended(fake, SAMPLE)
    assert (call.code, call.responses) == (grpc.StatusCode.DEADLINE_EXCEEDED, 0)


async def test_an_async_watchdog_catches_a_stalled_stream(fake: FakeServer) -> None:
    fake.chat.stream(["piece 0 ", "piece 1 ", "piece 2 "])
    fake.latency(ttft=0.0, tokens_per_second=3, method=STREAM)  # 1 s per chunk after the first
    client = fake.async_client()
    try:
        stream = client.chat.create("grok-4", messages=[user("Hi")]).stream(timeout=10).__aiter__()
        await asyncio.wait_for(stream.__anext__(), 2.0)  # the first chunk comes at once
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(stream.__anext__(), 0.1)  # the watchdog: 100 ms of silence
        await stream.aclose()
    finally:
        await client.close()
    call = ended(fake, STREAM)
    assert (call.code, call.responses) == (grpc.StatusCode.CANCELLED, 1)


def test_a_sync_watchdog_catches_a_stalled_stream(
    fake: FakeServer, channel: grpc.Channel, md: tuple[tuple[str, str], ...]
) -> None:
    fake.chat.stream(["piece 0 ", "piece 1 ", "piece 2 "])
    fake.latency(ttft=0.0, tokens_per_second=3, method=STREAM)
    stream = chat_pb2_grpc.ChatStub(channel).GetCompletionChunk(REQUEST, metadata=md, timeout=10)
    assert next(stream).outputs[0].delta.content == "piece 0 "
    cancel: Callable[[], Any] = stream.cancel  # type: ignore[attr-defined]
    watchdog = threading.Timer(0.1, cancel)
    watchdog.start()
    try:
        with pytest.raises(grpc.RpcError) as raised:
            next(stream)
    finally:
        watchdog.cancel()
    assert raised.value.code() == grpc.StatusCode.CANCELLED  # type: ignore[attr-defined]
    call = ended(fake, STREAM)
    assert (call.code, call.responses) == (grpc.StatusCode.CANCELLED, 1)
