"""``client.stubs``: the generated gRPC stubs, bound to the client's channels.

For RPCs (or request fields) no wrapper covers, call the stub directly and pass
:meth:`Stubs.kwargs` so the call carries the client's key, metadata and deadline::

    from xai_sdk.proto import sample_pb2

    request = sample_pb2.SampleTextRequest(prompt=["Hello"], model="grok-3-mini")
    response = client.stubs.sample.SampleText(request, **client.stubs.kwargs())

With an ``AsyncClient`` the stubs are asyncio stubs: ``await`` unary calls and use
``async for`` over streams. ``collections`` needs the management key.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import grpc

from xai_sdk._channel import CallSettings
from xai_sdk.proto import (
    auth_pb2_grpc,
    batch_pb2_grpc,
    chat_pb2_grpc,
    collections_pb2_grpc,
    documents_pb2_grpc,
    embed_pb2_grpc,
    files_pb2_grpc,
    image_pb2_grpc,
    models_pb2_grpc,
    sample_pb2_grpc,
    tokenize_pb2_grpc,
    video_pb2_grpc,
)

__all__ = ["Stubs"]

Channel = grpc.Channel | grpc.aio.Channel

_NO_MANAGEMENT_KEY = (
    "The collections stub needs a management API key: pass management_api_key=... to the client "
    "or set XAI_MANAGEMENT_KEY."
)


class Stubs:
    """One stub per xAI service, created on first use; :meth:`kwargs` gives what every call must carry."""

    def __init__(
        self,
        channel: Channel,
        calls: CallSettings,
        management_channel: Channel | None = None,
        management_calls: CallSettings | None = None,
    ) -> None:
        self._channel = channel
        self._calls = calls
        self._management_channel = management_channel
        self._management_calls = management_calls

    def kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        """``metadata=`` (key, SDK identity, the client's extra pairs) and ``timeout=`` for an API call."""
        return self._calls.kwargs(timeout)

    def management_kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        """The same for a call of the :attr:`collections` stub (management key)."""
        if self._management_calls is None:
            raise ValueError(_NO_MANAGEMENT_KEY)
        return self._management_calls.kwargs(timeout)

    @cached_property
    def auth(self) -> auth_pb2_grpc.AuthStub:
        """``xai_api.Auth``: ``get_api_key_info``."""
        return auth_pb2_grpc.AuthStub(self._channel)

    @cached_property
    def batch(self) -> batch_pb2_grpc.BatchMgmtStub:
        """``xai_api.BatchMgmt``: batches of requests."""
        return batch_pb2_grpc.BatchMgmtStub(self._channel)

    @cached_property
    def chat(self) -> chat_pb2_grpc.ChatStub:
        """``xai_api.Chat``: completions, deferred and stored completions."""
        return chat_pb2_grpc.ChatStub(self._channel)

    @cached_property
    def collections(self) -> collections_pb2_grpc.CollectionsStub:
        """``xai_api.Collections`` on the management channel; call it with :meth:`management_kwargs`."""
        if self._management_channel is None:
            raise ValueError(_NO_MANAGEMENT_KEY)
        return collections_pb2_grpc.CollectionsStub(self._management_channel)

    @cached_property
    def documents(self) -> documents_pb2_grpc.DocumentsStub:
        """``xai_api.Documents``: search over collections."""
        return documents_pb2_grpc.DocumentsStub(self._channel)

    @cached_property
    def embedder(self) -> embed_pb2_grpc.EmbedderStub:
        """``xai_api.Embedder``: embeddings."""
        return embed_pb2_grpc.EmbedderStub(self._channel)

    @cached_property
    def files(self) -> files_pb2_grpc.FilesStub:
        """``xai_api.Files``: upload, list, download and delete files."""
        return files_pb2_grpc.FilesStub(self._channel)

    @cached_property
    def image(self) -> image_pb2_grpc.ImageStub:
        """``xai_api.Image``: image generation."""
        return image_pb2_grpc.ImageStub(self._channel)

    @cached_property
    def models(self) -> models_pb2_grpc.ModelsStub:
        """``xai_api.Models``: the model catalogue."""
        return models_pb2_grpc.ModelsStub(self._channel)

    @cached_property
    def sample(self) -> sample_pb2_grpc.SampleStub:
        """``xai_api.Sample``: raw text completion."""
        return sample_pb2_grpc.SampleStub(self._channel)

    @cached_property
    def tokenize(self) -> tokenize_pb2_grpc.TokenizeStub:
        """``xai_api.Tokenize``: tokenization."""
        return tokenize_pb2_grpc.TokenizeStub(self._channel)

    @cached_property
    def video(self) -> video_pb2_grpc.VideoStub:
        """``xai_api.Video``: video generation."""
        return video_pb2_grpc.VideoStub(self._channel)
