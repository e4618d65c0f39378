"""``xai_sdk.Client``: the blocking client."""

from __future__ import annotations

from types import TracebackType

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.client import BaseClient
from xai_sdk.stubs import Stubs
from xai_sdk.sync import (
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

__all__ = ["Client"]


def open_channel(spec: ChannelSpec) -> grpc.Channel:
    """A blocking channel for ``spec``."""
    if spec.mode == "secure":
        return grpc.secure_channel(spec.target, grpc.ssl_channel_credentials(), options=spec.options)
    return grpc.insecure_channel(spec.target, options=spec.options)


class Client(BaseClient):
    """A blocking client for the xAI API. See :class:`xai_sdk.client.BaseClient` for the arguments.

    Use it as a context manager, or call :meth:`close`, to release its channels.
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

    def close(self) -> None:
        """Close the client's channels."""
        if self._management_channel is not None:
            self._management_channel.close()
        self._api_channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
