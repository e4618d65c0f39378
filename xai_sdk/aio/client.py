"""``xai_sdk.AsyncClient``: the asyncio client."""

from __future__ import annotations

from types import TracebackType

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.aio._loop_channels import LoopChannels
from xai_sdk.aio._subclients import SubClients
from xai_sdk.client import BaseClient

__all__ = ["Client"]


def open_channel(spec: ChannelSpec) -> grpc.aio.Channel:
    """An asyncio channel for ``spec``."""
    if spec.mode == "secure":
        return grpc.aio.secure_channel(spec.target, grpc.ssl_channel_credentials(), options=spec.options)
    return grpc.aio.insecure_channel(spec.target, options=spec.options)


class Client(BaseClient, SubClients):
    """An asyncio client for the xAI API. See :class:`xai_sdk.client.BaseClient` for the arguments.

    It works on any event loop: it opens no channel when created (a module-level client is
    fine), and each event loop it is used in gets its own channels, opened on first use there
    (successive ``asyncio.run`` calls, pytest-asyncio's per-test loops, threads that each run a
    loop). Use it as an async context manager, or await :meth:`close`, to close them all.
    """

    _package = "xai_sdk.aio"

    def _init(self, config: ClientConfig) -> None:
        api, management = config.api, config.management
        self._api_channel: LoopChannels = LoopChannels(lambda: open_channel(api))
        self._management_channel: LoopChannels | None = (
            LoopChannels(lambda: open_channel(management)) if management is not None else None
        )

    async def close(self) -> None:
        """Close the client's channels, in every event loop that opened one and still runs."""
        if self._management_channel is not None:
            await self._management_channel.close(None)
        await self._api_channel.close(None)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
