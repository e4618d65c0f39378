"""``xai_sdk.AsyncClient``: the asyncio client."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.client import BaseClient

if TYPE_CHECKING:
    from xai_sdk.aio import auth as _auth
    from xai_sdk.aio import batch as _batch
    from xai_sdk.aio import chat as _chat
    from xai_sdk.aio import collections as _collections
    from xai_sdk.aio import documents as _documents
    from xai_sdk.aio import embeddings as _embeddings
    from xai_sdk.aio import files as _files
    from xai_sdk.aio import image as _image
    from xai_sdk.aio import models as _models
    from xai_sdk.aio import sampler as _sampler
    from xai_sdk.aio import tokenizer as _tokenizer
    from xai_sdk.aio import video as _video
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

    _package = "xai_sdk.aio"

    # Sub-clients are created on first use (see BaseClient.__getattr__); declared here for type checkers,
    # one per row of xai_sdk/_services.py with a client attribute (tests/test_service_table.py checks).
    if TYPE_CHECKING:
        auth: _auth.Client
        batch: _batch.Client
        chat: _chat.Client
        collections: _collections.Client
        documents: _documents.Client
        embeddings: _embeddings.Client
        files: _files.Client
        image: _image.Client
        models: _models.Client
        sampler: _sampler.Client
        stubs: Stubs
        tokenize: _tokenizer.Client
        video: _video.Client

    def _init(self, config: ClientConfig) -> None:
        self._api_channel = open_channel(config.api)
        self._management_channel = open_channel(config.management) if config.management else None

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
