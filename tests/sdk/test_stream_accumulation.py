"""Streamed text is accumulated in time linear in its length.

The check is structural: every join of streamed pieces goes through ``response._join``, which the
tests count. Folding a chunk in must never join; a read joins each field that changed since the
previous read once, over the pieces that arrived since (plus the one already joined).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from xai_sdk._channel import CallSettings
from xai_sdk._chat import response as response_module
from xai_sdk._chat.response import StreamAccumulator
from xai_sdk.aio.chat import Chat as AsyncChat
from xai_sdk.proto import chat_pb2
from xai_sdk.sync.chat import Chat

N = 10_000


class Joins:
    """Counts the joins of streamed text and the pieces they handle."""

    def __init__(self) -> None:
        self.calls = 0
        self.pieces = 0

    def __call__(self, pieces: list[str]) -> str:
        self.calls += 1
        self.pieces += len(pieces)
        return "".join(pieces)


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> Joins:
    counter = Joins()
    monkeypatch.setattr(response_module, "_join", counter)
    return counter


def chunks(n: int, *, index: int = 0) -> Iterator[chat_pb2.GetChatCompletionChunk]:
    for i in range(n):
        delta = chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, content="c", reasoning_content="r" if i % 2 else "")
        yield chat_pb2.GetChatCompletionChunk(
            id="s", outputs=[chat_pb2.CompletionOutputChunk(index=index, delta=delta)]
        )


def test_folding_chunks_never_joins_and_one_read_joins_each_field_once(joins: Joins) -> None:
    accumulator = StreamAccumulator()
    for chunk in chunks(N):
        piece = accumulator.add(chunk)
        assert piece.content == "c"  # reading the chunk is free
    assert joins.calls == 0
    response = accumulator.response
    assert response.content == "c" * N
    assert response.reasoning_content == "r" * (N // 2)
    assert (joins.calls, joins.pieces) == (2, N + N // 2)
    # Reading again without new text joins nothing.
    assert response.content == "c" * N and response.proto.outputs[0].message.content == "c" * N
    assert joins.calls == 2


@pytest.mark.parametrize("every", [1, 10, 1000])
def test_periodic_reads_only_join_what_arrived_since(joins: Joins, every: int) -> None:
    accumulator = StreamAccumulator()
    for i, chunk in enumerate(chunks(N), 1):
        accumulator.add(chunk)
        if i % 2 == 0 and i % every == 0:
            assert len(accumulator.response.content) == i
    reads = N // max(every, 2)
    # Each read joins content and reasoning once; each join handles the previous text as one piece.
    assert joins.calls <= 2 * reads + 2
    assert joins.pieces <= (N + N // 2) + 2 * joins.calls


def test_work_per_chunk_does_not_grow_with_the_stream(joins: Joins) -> None:
    """1k and 10k chunks: the pieces joined grow exactly with the chunks, never with their square."""
    counts = []
    for n in (1_000, 10_000):
        joins.pieces = joins.calls = 0
        accumulator = StreamAccumulator()
        for chunk in chunks(n):
            accumulator.add(chunk)
        assert accumulator.response.content == "c" * n
        counts.append(joins.pieces)
    assert counts[1] == 10 * counts[0]


class FakeCall:
    """What a streaming stub call returns: its messages, and ``cancel()`` (which the SDK calls on leaving)."""

    def __init__(self, messages: Any) -> None:
        self.messages = messages

    def __iter__(self) -> Iterator[Any]:
        return iter(self.messages)

    def __aiter__(self) -> Any:
        return self.messages

    def cancel(self) -> bool:
        return False


class FakeStub:
    def __init__(self, stream: list[chat_pb2.GetChatCompletionChunk]) -> None:
        self.stream = stream

    def GetCompletionChunk(self, request: chat_pb2.GetCompletionsRequest, **_: Any) -> Any:
        return FakeCall(self.stream)


class FakeAsyncStub(FakeStub):
    def GetCompletionChunk(self, request: chat_pb2.GetCompletionsRequest, **_: Any) -> Any:
        async def gen() -> AsyncIterator[chat_pb2.GetChatCompletionChunk]:
            for chunk in self.stream:
                yield chunk

        return FakeCall(gen())


def conversation(chat_class: type[Any], stub: FakeStub) -> Any:
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="hi")])]
    )
    return chat_class(stub, CallSettings((), 5.0), request)


def test_sync_stream_joins_only_when_the_response_is_read(joins: Joins) -> None:
    chat = conversation(Chat, FakeStub(list(chunks(N))))
    responses = []
    for response, chunk in chat.stream():
        assert chunk.content == "c"
        responses.append(response)
    assert joins.calls == 0
    assert responses[-1].content == "c" * N
    assert joins.pieces == N + N // 2


async def test_async_stream_joins_only_when_the_response_is_read(joins: Joins) -> None:
    chat = conversation(AsyncChat, FakeAsyncStub(list(chunks(N))))
    responses = []
    async for response, chunk in chat.stream():
        assert chunk.content == "c"
        responses.append(response)
    assert joins.calls == 0
    assert responses[-1].content == "c" * N
    assert joins.pieces == N + N // 2


def test_stream_batch_shares_one_linear_accumulator(joins: Joins) -> None:
    stream = [c for pair in zip(chunks(N // 2, index=0), chunks(N // 2, index=1), strict=True) for c in pair]
    chat = conversation(Chat, FakeStub(stream))
    with pytest.warns(PendingDeprecationWarning):
        steps = list(chat.stream_batch(2))
    assert joins.calls == 0
    assert [r.content for r in steps[-1][0]] == ["c" * (N // 2)] * 2
    assert joins.pieces == N + 2 * (N // 4)
