"""Our SDK's sync or async client behind the same awaitable calls, for tests that run both modes."""

from __future__ import annotations

import time
from typing import Any, Literal

from xai_fake import FakeServer
from xai_sdk.chat import user

Mode = Literal["sync", "async"]


class Sdk:
    """The SDK's sync or async client behind the same awaitable calls (the fake runs on its own thread)."""

    def __init__(self, fake: FakeServer, mode: Mode) -> None:
        self.mode = mode
        self.client: Any = fake.client() if mode == "sync" else fake.async_client()

    async def close(self) -> None:
        if self.mode == "sync":
            self.client.close()
        else:
            await self.client.close()

    async def sample(self, timeout: float = 10) -> Any:
        chat = self.client.chat.create("grok-4", messages=[user("Hi")])
        return chat.sample(timeout=timeout) if self.mode == "sync" else await chat.sample(timeout=timeout)

    async def stream(self, chunks: list[Any], arrivals: list[float] | None = None, timeout: float = 10) -> Any:
        """Read a stream to its end, keeping each chunk (and when it arrived); the last response."""
        chat = self.client.chat.create("grok-4", messages=[user("Hi")])
        last = None

        def keep(response: Any, chunk: Any) -> None:
            nonlocal last
            last = response
            chunks.append(chunk)
            if arrivals is not None:
                arrivals.append(time.monotonic())

        if self.mode == "sync":
            for response, chunk in chat.stream(timeout=timeout):
                keep(response, chunk)
        else:
            async for response, chunk in chat.stream(timeout=timeout):
                keep(response, chunk)
        return last
