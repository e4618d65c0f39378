"""Answer values and their one normalisation into what the chain passes back.

A script step, a ``respond_with`` callable or a default handler may answer with:

- a response message (for a streaming method: one chunk);
- a list or any iterable of messages (the chunks of a stream), sync or async, whose items
  may also be ``(message, pause_seconds)`` pairs;
- a :class:`Stream`: chunks with pauses and an optional final :class:`Error`;
- an :class:`Error`, a :class:`grpc.StatusCode` or an exception to raise;
- for chat methods, text or a :class:`~xai_fake.defaults.chat_answers.Reply`, completed into a
  full response or chunk stream by the chat answer builder.

:func:`to_responses` turns any of these into :data:`~xai_fake.chain.Responses` for a method:
exactly one message for a unary method, an async iterator for a streaming one.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Responses
from xai_fake.errors import FakeRpcError, MetadataLike, check_hints, metadata_of, retry_hints
from xai_fake.methods import Method

#: ``complete(method_full_name, request, value)``: a chat builder's completion of text or a Reply, or None.
Complete = Callable[[str, Any, Any], Any]


@dataclass(frozen=True)
class Error:
    """A scripted failure: the call ends with this status, and these trailers.

    ``trailing_metadata`` (a mapping or ``(key, value)`` pairs; bytes for ``-bin`` keys) is sent
    as is. The retry hints are those of :meth:`xai_fake.FakeServer.fault`: ``pushback_ms`` sends
    ``grpc-retry-pushback-ms``; ``retry_info`` (seconds) sends a ``google.rpc.RetryInfo`` detail in
    ``grpc-status-details-bin`` (not observed from xAI: we have no evidence that it sends details).
    """

    code: grpc.StatusCode
    details: str = ""
    trailing_metadata: MetadataLike = ()
    pushback_ms: int | None = None
    retry_info: float | None = None

    def __post_init__(self) -> None:
        check_hints(self.pushback_ms, self.retry_info)
        object.__setattr__(self, "trailing_metadata", metadata_of(self.trailing_metadata))

    def to_exception(self) -> FakeRpcError:
        """The error the call ends with."""
        details = self.details or f"scripted {self.code.name}"
        hints = retry_hints(self.code, details, self.pushback_ms, self.retry_info)
        return FakeRpcError(self.code, details, (*metadata_of(self.trailing_metadata), *hints))


@dataclass(frozen=True)
class Stream:
    """Scripted stream chunks, with an optional pause before each chunk and an optional final error."""

    chunks: Sequence[Message]
    delay: float | Sequence[float] = 0.0
    error: Error | None = None

    def delay_before(self, index: int) -> float:
        """Seconds to wait before chunk ``index``."""
        if isinstance(self.delay, (int, float)):
            return float(self.delay)
        return float(self.delay[index]) if index < len(self.delay) else 0.0


def error_of(value: Any) -> FakeRpcError | BaseException | None:
    """The exception an answer value stands for, or None if it is not an error."""
    if not isinstance(value, (Error, grpc.StatusCode, BaseException)):
        return None
    if isinstance(value, Error):
        return value.to_exception()
    if isinstance(value, grpc.StatusCode):
        return Error(value).to_exception()
    if isinstance(value, BaseException):
        return value
    return None


async def to_responses(method: Method, value: Any, request: Any = None, complete: Complete | None = None) -> Responses:
    """Normalise an answer value for ``method``; raises the error it stands for.

    ``request`` and ``complete`` serve values only a builder can finish (chat text, a Reply).
    """
    if isinstance(value, Message):
        return _stream_of((value,)) if method.server_streaming else value
    error = error_of(value)
    if error is not None:
        raise error
    if complete is not None and value is not None:
        completed = complete(method.full_name, request, value)
        if completed is not None:
            return await to_responses(method, completed)
    if isinstance(value, Stream):
        stream = _scripted(value)
    elif hasattr(value, "__aiter__"):
        stream = _async_items(value)
    elif hasattr(value, "__iter__") and not isinstance(value, (str, bytes, dict)):
        stream = _items(value)
    else:
        what = "None" if value is None else type(value).__name__
        raise FakeRpcError(
            grpc.StatusCode.INTERNAL,
            f"xai_fake: cannot answer {method.full_name} with {what}; answer with a "
            f"{method.response_type.DESCRIPTOR.full_name} message (see xai_fake.replies)",
        )
    if method.server_streaming:
        return stream
    return await _single(method, stream)


async def _single(method: Method, stream: AsyncIterator[Message]) -> Message:
    """The one message of a unary answer given as a stream."""
    found: list[Message] = []
    async for message in stream:
        found.append(message)
        if len(found) > 1:
            break
    if len(found) != 1:
        count = "no message" if not found else "more than one message"
        raise FakeRpcError(grpc.StatusCode.INTERNAL, f"xai_fake: {method.full_name} answered with {count}")
    return found[0]


async def _stream_of(messages: Sequence[Message]) -> AsyncIterator[Message]:
    for message in messages:
        yield message


def _unpack(item: Any) -> tuple[Message, float]:
    if isinstance(item, tuple):
        return item[0], float(item[1])
    return item, 0.0


async def _items(items: Iterable[Any]) -> AsyncIterator[Message]:
    for item in items:
        message, pause = _unpack(item)
        if pause:
            await asyncio.sleep(pause)
        yield message


async def _async_items(items: Any) -> AsyncIterator[Message]:
    async for item in items:
        message, pause = _unpack(item)
        if pause:
            await asyncio.sleep(pause)
        yield message


async def _scripted(stream: Stream) -> AsyncIterator[Message]:
    for index, chunk in enumerate(stream.chunks):
        pause = stream.delay_before(index)
        if pause:
            await asyncio.sleep(pause)
        yield chunk
    if stream.error is not None:
        raise stream.error.to_exception()


async def resolve(value: Any) -> Any:
    """``value``, awaited if it is awaitable (what a sync or async callable returned)."""
    if inspect.isawaitable(value):
        return await value
    return value
