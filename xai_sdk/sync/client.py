"""``xai_sdk.Client``: the blocking client."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.client import BaseClient

if TYPE_CHECKING:
    from xai_sdk.stubs import Stubs
    from xai_sdk.sync import auth as _auth
    from xai_sdk.sync import batch as _batch
    from xai_sdk.sync import chat as _chat
    from xai_sdk.sync import collections as _collections
    from xai_sdk.sync import documents as _documents
    from xai_sdk.sync import embeddings as _embeddings
    from xai_sdk.sync import files as _files
    from xai_sdk.sync import image as _image
    from xai_sdk.sync import models as _models
    from xai_sdk.sync import sampler as _sampler
    from xai_sdk.sync import tokenizer as _tokenizer
    from xai_sdk.sync import video as _video

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

    _package = "xai_sdk.sync"

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
