"""Helpers of the reliability suite: one scenario runs against the sync and the async SDK client."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.layers.log import LoggedCall
from xai_sdk.chat import user

Mode = Literal["sync", "async"]
MODES: tuple[Mode, ...] = ("sync", "async")


class Api:
    """An SDK client, blocking or asyncio, behind the same awaitable calls.

    The fake runs on its own thread, so the blocking client may run in the test's event loop.
    """

    def __init__(self, fake: FakeServer, mode: Mode, **client_kwargs: Any) -> None:
        self.mode = mode
        self.fake = fake
        self._client_kwargs = client_kwargs
        self.client: Any = None

    async def __aenter__(self) -> Api:
        self.client = (self.fake.client if self.mode == "sync" else self.fake.async_client)(**self._client_kwargs)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.mode == "sync":
            self.client.close()
        else:
            await self.client.close()

    def chat(self, text: str = "Hi", **create: Any) -> Any:
        return self.client.chat.create("grok-4", messages=[user(text)], **create)

    async def sample(self, text: str = "Hi", *, timeout: float | None = None, **create: Any) -> Any:
        """One ``chat.sample()``; returns the Response."""
        chat = self.chat(text, **create)
        if self.mode == "sync":
            return chat.sample(timeout=timeout)
        return await chat.sample(timeout=timeout)

    async def stream(
        self, text: str = "Hi", *, timeout: float | None = None, chunks: list[Any] | None = None, **create: Any
    ) -> Any:
        """One ``chat.stream()`` read to the end; chunks are appended to ``chunks`` as they arrive."""
        chat = self.chat(text, **create)
        received = chunks if chunks is not None else []
        pairs: list[Any] = []
        if self.mode == "sync":
            for pair in chat.stream(timeout=timeout):
                pairs.append(pair)
                received.append(pair[1])
        else:
            async for pair in chat.stream(timeout=timeout):
                pairs.append(pair)
                received.append(pair[1])
        return pairs[-1][0] if pairs else None

    async def upload(self, file: Any, *, timeout: float | None = None) -> Any:
        """``client.files.upload(file)``."""
        if self.mode == "sync":
            return self.client.files.upload(file, timeout=timeout)
        return await self.client.files.upload(file, timeout=timeout)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> Mode:
    """``"sync"`` or ``"async"``: which SDK client the test drives."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def api(xai_fake_server: FakeServer, mode: Mode) -> AsyncIterator[Api]:
    """The SDK client of ``mode`` with default settings, connected to the fake."""
    async with Api(xai_fake_server, mode) as client:
        yield client


def status_of(error: BaseException) -> grpc.StatusCode:
    """The status code of a sync or asyncio gRPC error."""
    assert isinstance(error, grpc.RpcError), f"expected a gRPC error, got {error!r}"
    return error.code()  # type: ignore[attr-defined, no-any-return]


def wait_until(condition: Callable[[], bool], *, within: float = 2.0, what: str = "condition") -> None:
    """Poll ``condition`` every few ms; AssertionError if it is still false after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} still false after {within} s")
        time.sleep(0.005)


def finished_calls(fake: FakeServer, method: str) -> list[LoggedCall]:
    """The logged calls of ``method`` that the server has finished handling."""
    return [call for call in fake.requests.of(method) if call.finished]


def extra_threads(baseline: set[threading.Thread]) -> list[threading.Thread]:
    """Live threads that were not in ``baseline``, ignoring the loop's idle executor workers."""
    return [
        thread
        for thread in threading.enumerate()
        if thread not in baseline and thread.is_alive() and not thread.name.startswith("asyncio_")
    ]
