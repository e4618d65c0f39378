"""Async chat calls. Everything else lives once in :mod:`xai_sdk._chat`."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

from xai_sdk._chat.base import BaseChat, BaseClient, batch, deprecated_batch
from xai_sdk._chat.parse import parse_into
from xai_sdk._chat.response import Chunk, CompactContextResponse, Response, StreamAccumulator
from xai_sdk._flow import run_async
from xai_sdk._streams import cancel_on_exit
from xai_sdk.proto import chat_pb2
from xai_sdk.telemetry._chat import FIRST_CHUNK, chat_span

T = TypeVar("T")

__all__ = ["Chat", "Client"]


class Chat(BaseChat):
    """A conversation with async calls."""

    async def sample(self, *, timeout: float | None = None) -> Response:
        """Get one answer to the conversation."""
        with chat_span(self, "sample") as span:
            return span.done(
                self._single(await self._stub.GetCompletion(self._request(), **self._calls.kwargs(timeout)))
            )

    async def sample_batch(self, n: int, *, timeout: float | None = None) -> Sequence[Response]:
        """Get ``n`` answers in one request (deprecated: the API is moving away from ``n``)."""
        deprecated_batch("sample_batch", "several sample() calls")
        with chat_span(self, "sample_batch") as span:
            return span.done(batch(await self._stub.GetCompletion(self._request(n), **self._calls.kwargs(timeout)), n))

    async def stream(self, *, timeout: float | None = None) -> AsyncIterator[tuple[Response, Chunk]]:
        """Stream the answer: yields ``(response so far, chunk)`` pairs."""
        accumulator = StreamAccumulator(self._start_index())
        call = self._stub.GetCompletionChunk(self._request(), **self._calls.kwargs(timeout))
        with chat_span(self, "stream", current=False) as span, cancel_on_exit(call):
            async for proto in call:
                span.mark_time(FIRST_CHUNK)
                yield accumulator.response, accumulator.add(proto)
            span.done(accumulator.response)

    async def stream_batch(
        self, n: int, *, timeout: float | None = None
    ) -> AsyncIterator[tuple[Sequence[Response], Sequence[Chunk]]]:
        """Stream ``n`` answers at once (deprecated)."""
        deprecated_batch("stream_batch", "several stream() calls")
        accumulator = StreamAccumulator(None, n)
        responses = accumulator.responses(n)
        call = self._stub.GetCompletionChunk(self._request(n), **self._calls.kwargs(timeout))
        with chat_span(self, "stream_batch", current=False) as span, cancel_on_exit(call):
            async for proto in call:
                span.mark_time(FIRST_CHUNK)
                accumulator.add(proto)
                yield responses, [Chunk(proto, i) for i in range(n)]
            span.done(responses)

    async def parse(self, shape: type[T], *, timeout: float | None = None) -> tuple[Response, T]:
        """Ask for output matching the pydantic model ``shape`` and return it validated."""
        request = self._parse_request(shape)
        with chat_span(self, "parse") as span:
            response = span.done(self._single(await self._stub.GetCompletion(request, **self._calls.kwargs(timeout))))
            return response, parse_into(shape, response.content)

    async def defer(
        self,
        *,
        timeout: datetime.timedelta | None = None,
        interval: datetime.timedelta | None = None,
        call_timeout: float | None = None,
    ) -> Response:
        """Get the answer through a deferred request, polling every ``interval`` until ``timeout``."""
        with chat_span(self, "defer") as span:
            return span.done(Response(await run_async(self._defer_flow(None, timeout, interval, call_timeout)), 0))

    async def defer_batch(
        self,
        n: int,
        *,
        timeout: datetime.timedelta | None = None,
        interval: datetime.timedelta | None = None,
        call_timeout: float | None = None,
    ) -> Sequence[Response]:
        """``n`` answers through one deferred request (deprecated)."""
        deprecated_batch("defer_batch", "several defer() calls")
        with chat_span(self, "defer_batch") as span:
            return span.done(batch(await run_async(self._defer_flow(n, timeout, interval, call_timeout)), n))

    async def compact(self, *, timeout: float | None = None) -> CompactContextResponse:
        """Condense the conversation and replace its messages with the compacted context (as ``append()`` does)."""
        result = CompactContextResponse(
            await self._stub.CompactContext(self._compact_request(), **self._calls.kwargs(timeout))
        )
        self.append(result)
        return result


class Client(BaseClient[Chat]):
    """``client.chat`` of the async client."""

    _chat_class = Chat

    async def get_stored_completion(self, response_id: str, *, timeout: float | None = None) -> Sequence[Response]:
        """A completion stored with ``store_messages=True``, one Response per output."""
        proto = await self._stub.GetStoredCompletion(
            chat_pb2.GetStoredCompletionRequest(response_id=response_id), **self._calls.kwargs(timeout)
        )
        return [Response(proto, index) for index in range(len(proto.outputs))]

    async def delete_stored_completion(self, response_id: str, *, timeout: float | None = None) -> str:
        """Delete a stored completion; returns its id."""
        request = chat_pb2.DeleteStoredCompletionRequest(response_id=response_id)
        return str((await self._stub.DeleteStoredCompletion(request, **self._calls.kwargs(timeout))).response_id)

    async def compact_context(
        self, model: str, messages: Sequence[chat_pb2.Message], *, timeout: float | None = None
    ) -> CompactContextResponse:
        """Condense ``messages`` with ``model``."""
        request = chat_pb2.CompactContextRequest(model=model, input=messages)
        return CompactContextResponse(await self._stub.CompactContext(request, **self._calls.kwargs(timeout)))
