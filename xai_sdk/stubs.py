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

import importlib
from typing import TYPE_CHECKING, Any

import grpc

from xai_sdk._channel import CallSettings
from xai_sdk._services import SERVICES, by_stub

if TYPE_CHECKING:
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


def _no_management_key(stub: str) -> str:
    return (
        f"The {stub} stub needs a management API key: pass management_api_key=... to the client "
        "or set XAI_MANAGEMENT_KEY."
    )


class Stubs:
    """One stub per xAI service, created on first use; :meth:`kwargs` gives what every call must carry.

    The attributes are those of :data:`xai_sdk._services.SERVICES`; the stubs of management
    services (``collections``) use the management channel and :meth:`management_kwargs`.
    """

    # Created on first use from the service table (see _stub); declared here for type checkers.
    if TYPE_CHECKING:
        #: ``xai_api.Auth``: ``get_api_key_info``.
        auth: auth_pb2_grpc.AuthStub
        #: ``xai_api.BatchMgmt``: batches of requests.
        batch: batch_pb2_grpc.BatchMgmtStub
        #: ``xai_api.Chat``: completions, deferred and stored completions.
        chat: chat_pb2_grpc.ChatStub
        #: ``collections.Collections`` on the management channel; call it with :meth:`management_kwargs`.
        collections: collections_pb2_grpc.CollectionsStub
        #: ``xai_api.Documents``: search over collections.
        documents: documents_pb2_grpc.DocumentsStub
        #: ``xai_api.Embedder``: embeddings.
        embedder: embed_pb2_grpc.EmbedderStub
        #: ``xai_api.Files``: upload, list, download and delete files.
        files: files_pb2_grpc.FilesStub
        #: ``xai_api.Image``: image generation.
        image: image_pb2_grpc.ImageStub
        #: ``xai_api.Models``: the model catalogue.
        models: models_pb2_grpc.ModelsStub
        #: ``xai_api.Sample``: raw text completion.
        sample: sample_pb2_grpc.SampleStub
        #: ``xai_api.Tokenize``: tokenization.
        tokenize: tokenize_pb2_grpc.TokenizeStub
        #: ``xai_api.Video``: video generation.
        video: video_pb2_grpc.VideoStub

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
        """The same for a call of a management stub (:attr:`collections`), with the management key."""
        if self._management_calls is None:
            raise ValueError(_no_management_key("collections"))
        return self._management_calls.kwargs(timeout)

    def _stub(self, name: str) -> Any:
        """Create the stub ``name`` of the service table on first use, and keep it."""
        service = by_stub(name)
        if service is None or "_channel" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        channel = self._management_channel if service.management else self._channel
        if channel is None:
            raise ValueError(_no_management_key(name))
        module = importlib.import_module(f"xai_sdk.proto.{service.stem}_pb2_grpc")
        stub = getattr(module, service.stub_class)(channel)
        self.__dict__[name] = stub
        return stub

    # Only at run time: for type checkers the stubs are the attributes declared above, and no others.
    if not TYPE_CHECKING:
        __getattr__ = _stub

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {service.stub for service in SERVICES})
