"""The xAI gRPC services: one row each, the single list the SDK, the fake and the scripts derive from.

A row says where a service lives and how the SDK exposes it:

* its proto module (``xai_sdk.proto.<stem>_pb2`` and ``<stem>_pb2_grpc``), full name and stub class;
* its attribute on ``client.stubs``, and on the clients with the facade module behind it
  (``xai_sdk.sync.<module>``, ``xai_sdk.aio.<module>``, the I/O-free core ``xai_sdk.<module>``);
* whether it is served on the management host with the management key;
* whether its blocking facade is generated from the asyncio one by ``scripts/unasync.py``.

Derived from it: ``SUBCLIENTS`` and sub-client creation (:mod:`xai_sdk.client`), the stubs of
:class:`xai_sdk.stubs.Stubs`, the lazy modules of :mod:`xai_sdk.proto`, the module list of
``scripts/unasync.py`` and the method table of :mod:`xai_fake.methods`. What static typing needs
spelled out (the ``TYPE_CHECKING`` annotations of both clients and of ``Stubs``) is written from
it by ``scripts/gen_service_types.py``, and checked against it by ``tests/test_service_table.py``.

This module imports nothing but :mod:`dataclasses`: it is read on the client's import path.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MESSAGE_STEMS", "PROTO_STEMS", "SERVICES", "Service", "by_client", "by_stub"]


@dataclass(frozen=True)
class Service:
    """One gRPC service of the xAI API and where the SDK exposes it."""

    #: Stem of the generated modules: ``chat`` for ``xai_sdk.proto.chat_pb2`` / ``chat_pb2_grpc``.
    stem: str
    #: Full name in the descriptors (and the gRPC path): ``xai_api.Chat``, ``collections.Collections``.
    name: str
    #: Class of ``<stem>_pb2_grpc`` that calls it: ``ChatStub``.
    stub_class: str
    #: Attribute of ``client.stubs`` holding that stub.
    stub: str
    #: Attribute of ``Client``/``AsyncClient`` (``None``: reachable through ``client.stubs`` only).
    client: str | None = None
    #: Module of ``xai_sdk.sync`` and ``xai_sdk.aio`` defining the sub-client's ``Client``; its core is
    #: ``xai_sdk.<module>``.
    module: str | None = None
    #: Served on the management host with the management key; its sub-client also gets the API channel.
    management: bool = False
    #: ``xai_sdk/sync/<module>.py`` is generated from ``xai_sdk/aio/<module>.py`` by ``scripts/unasync.py``.
    generated_sync: bool = True
    #: What the service does, in a few words: the doc comment of its stub attribute.
    doc: str = ""

    def __post_init__(self) -> None:
        if (self.client is None) != (self.module is None):
            raise ValueError(f"service {self.name}: give both client= and module=, or neither")


#: Every service, by stem. Adding one: a row here, then see ``tests/test_service_table.py``.
SERVICES: tuple[Service, ...] = (
    #       stem, full name, stub class, stubs attribute, client attribute, facade module
    Service("auth", "xai_api.Auth", "AuthStub", "auth", "auth", "auth", doc="``get_api_key_info``."),
    Service("batch", "xai_api.BatchMgmt", "BatchMgmtStub", "batch", "batch", "batch", doc="batches of requests."),
    Service("chat", "xai_api.Chat", "ChatStub", "chat", "chat", "chat",
            doc="completions, deferred and stored completions."),
    Service("collections", "collections.Collections", "CollectionsStub", "collections", "collections", "collections",
            management=True,
            doc="on the management channel; call it with :meth:`Stubs.management_kwargs`."),
    Service("documents", "xai_api.Documents", "DocumentsStub", "documents", "documents", "documents",
            doc="search over collections."),
    Service("embed", "xai_api.Embedder", "EmbedderStub", "embedder", "embeddings", "embeddings", doc="embeddings."),
    # Blocking and asyncio uploads differ in kind (threads, tasks): both facades are written by hand.
    Service("files", "xai_api.Files", "FilesStub", "files", "files", "files", generated_sync=False,
            doc="upload, list, download and delete files."),
    Service("image", "xai_api.Image", "ImageStub", "image", "image", "image", doc="image generation."),
    Service("models", "xai_api.Models", "ModelsStub", "models", "models", "models", doc="the model catalogue."),
    Service("sample", "xai_api.Sample", "SampleStub", "sample", "sampler", "sampler", doc="raw text completion."),
    Service("tokenize", "xai_api.Tokenize", "TokenizeStub", "tokenize", "tokenize", "tokenizer", doc="tokenization."),
    Service("video", "xai_api.Video", "VideoStub", "video", "video", "video", doc="video generation."),
)  # fmt: skip

#: Generated proto modules that define messages only (no service).
MESSAGE_STEMS = ("deferred", "shared", "types", "usage")

#: Every stem of ``xai_sdk.proto``: the services' and :data:`MESSAGE_STEMS`.
PROTO_STEMS = tuple(sorted({service.stem for service in SERVICES} | set(MESSAGE_STEMS)))

_BY_CLIENT = {service.client: service for service in SERVICES if service.client is not None}
_BY_STUB = {service.stub: service for service in SERVICES}


def by_client(attribute: str) -> Service | None:
    """The service behind ``client.<attribute>``, or None."""
    return _BY_CLIENT.get(attribute)


def by_stub(attribute: str) -> Service | None:
    """The service behind ``client.stubs.<attribute>``, or None."""
    return _BY_STUB.get(attribute)
