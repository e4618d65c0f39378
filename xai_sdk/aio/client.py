"""``xai_sdk.AsyncClient``: the asyncio client."""

from __future__ import annotations

from types import TracebackType

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.aio import (
    auth,
    batch,
    chat,
    collections,
    documents,
    embeddings,
    files,
    image,
    models,
    sampler,
    tokenizer,
    video,
)
from xai_sdk.client import BaseClient
from xai_sdk.stubs import Stubs

__all__ = ["Client"]


def open_channel(spec: ChannelSpec) -> grpc.aio.Channel:
    """An asyncio channel for ``spec``."""
    if spec.mode == "secure":
        return grpc.aio.secure_channel(spec.target, grpc.ssl_channel_credentials(), options=spec.options)
    return grpc.aio.insecure_channel(spec.target, options=spec.options)


class Client(BaseClient):
    """An asyncio client for the xAI API. See :class:`xai_sdk.client.BaseClient` for the arguments.

    Use it as an async context manager, or await :meth:`close`, to release its channels.
    """

    def _init(self, config: ClientConfig) -> None:
        self._api_channel = open_channel(config.api)
        self._management_channel = open_channel(config.management) if config.management else None
        self.chat = chat.Client(self._api_channel, config.api_calls)
        self.files = files.Client(self._api_channel, config.api_calls)
        self.collections = collections.Client(
            self._api_channel, config.api_calls, self._management_channel, config.management_calls
        )
        self.image = image.Client(self._api_channel, config.api_calls)
        self.video = video.Client(self._api_channel, config.api_calls)
        self.batch = batch.Client(self._api_channel, config.api_calls)
        self.auth = auth.Client(self._api_channel, config.api_calls)
        self.models = models.Client(self._api_channel, config.api_calls)
        self.tokenize = tokenizer.Client(self._api_channel, config.api_calls)
        self.embeddings = embeddings.Client(self._api_channel, config.api_calls)
        self.sampler = sampler.Client(self._api_channel, config.api_calls)
        self.documents = documents.Client(self._api_channel, config.api_calls)
        self.stubs = Stubs(self._api_channel, config.api_calls, self._management_channel, config.management_calls)

    async def close(self) -> None:
        """Close the client's channels."""
        if self._management_channel is not None:
            await self._management_channel.close(None)
        await self._api_channel.close(None)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
