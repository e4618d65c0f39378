"""One grpc.aio channel per running event loop, so that an ``AsyncClient`` works on any loop.

A grpc.aio channel belongs to the event loop it was first used in: used from another one it
fails with "Task got Future attached to a different loop" (a module-level client used by
successive ``asyncio.run`` calls, pytest-asyncio's per-test loops, one client shared by
threads that each run a loop). :class:`LoopChannels` stands where the client's channel stood:
the generated stubs ask it for their multi-callables once, as of a channel, and each call then
runs on the channel of the loop it is made in, opened on first use there. Channels whose loop
has closed are dropped when the next one opens; :meth:`LoopChannels.close` closes them all.

The per-call cost is a running-loop lookup and a dictionary hit.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

__all__ = ["LoopChannels"]

_KINDS = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")


class LoopChannels:
    """A stand-in for a ``grpc.aio.Channel`` that opens one real channel per running event loop."""

    def __init__(self, open_channel: Callable[[], grpc.aio.Channel]) -> None:
        self._open = open_channel
        self._lock = threading.Lock()
        self._channels: dict[asyncio.AbstractEventLoop, grpc.aio.Channel] = {}
        self._closed = False

    def current(self) -> grpc.aio.Channel:
        """The channel of the running event loop, opened now if this loop has none (RuntimeError outside a loop)."""
        loop = asyncio.get_running_loop()
        channel = self._channels.get(loop)
        if channel is None:
            channel = self._open_for(loop)
        return channel

    def _open_for(self, loop: asyncio.AbstractEventLoop) -> grpc.aio.Channel:
        with self._lock:
            if self._closed:
                raise RuntimeError("this AsyncClient is closed; create a new one")
            channel = self._channels.get(loop)
            if channel is None:
                for other in [other for other in self._channels if other.is_closed()]:
                    # Its loop is gone, so it cannot be closed cleanly; the core channel is freed with it.
                    del self._channels[other]
                channel = self._channels[loop] = self._open()
            return channel

    @property
    def open_channels(self) -> int:
        """Channels open now (one per event loop that used the client and is not closed)."""
        with self._lock:
            return sum(1 for loop in self._channels if not loop.is_closed())

    def unary_unary(self, method: str, *args: Any, **kwargs: Any) -> _PerLoop:
        """As ``grpc.aio.Channel.unary_unary``; the call runs on the running loop's channel."""
        return _PerLoop(self, "unary_unary", method, args, kwargs)

    def unary_stream(self, method: str, *args: Any, **kwargs: Any) -> _PerLoop:
        """As ``grpc.aio.Channel.unary_stream``."""
        return _PerLoop(self, "unary_stream", method, args, kwargs)

    def stream_unary(self, method: str, *args: Any, **kwargs: Any) -> _PerLoop:
        """As ``grpc.aio.Channel.stream_unary``."""
        return _PerLoop(self, "stream_unary", method, args, kwargs)

    def stream_stream(self, method: str, *args: Any, **kwargs: Any) -> _PerLoop:
        """As ``grpc.aio.Channel.stream_stream``."""
        return _PerLoop(self, "stream_stream", method, args, kwargs)

    async def close(self, grace: float | None = None) -> None:
        """Close every channel: the running loop's here, another running loop's in that loop.

        Channels of loops that have stopped or closed are dropped (their loop cannot run a close).
        Later calls raise RuntimeError.
        """
        with self._lock:
            self._closed = True
            channels, self._channels = self._channels, {}
        here = asyncio.get_running_loop()
        waits: list[Awaitable[None]] = []
        for loop, channel in channels.items():
            if loop is here:
                waits.append(channel.close(grace))
            elif loop.is_running() and not loop.is_closed():
                future = asyncio.run_coroutine_threadsafe(channel.close(grace), loop)
                waits.append(asyncio.wrap_future(future))
        if waits:
            await asyncio.gather(*waits, return_exceptions=True)


class _PerLoop:
    """A multi-callable that, called, is the running loop's channel's multi-callable for the same method."""

    __slots__ = ("_args", "_by_loop", "_channels", "_kind", "_kwargs", "_method")

    def __init__(self, channels: LoopChannels, kind: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]):
        self._channels = channels
        self._kind = kind
        self._method = method
        self._args = args
        self._kwargs = kwargs
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            callable_ = self._by_loop[loop]
        except KeyError:
            channel = self._channels.current()
            callable_ = getattr(channel, self._kind)(self._method, *self._args, **self._kwargs)
            self._by_loop[loop] = callable_
        return callable_(*args, **kwargs)
