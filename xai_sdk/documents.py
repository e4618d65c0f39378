"""``client.documents``: search the documents of collections (the ``Documents`` service).

``client.documents.search`` takes the arguments of ``client.collections.search`` and returns
the same ``documents_pb2.SearchResponse``; both build their request with
:func:`xai_sdk.collections.search_request`. Unlike ``client.collections``, it is a
sub-client of its own, so code that only searches needs nothing else.
"""

from __future__ import annotations

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.collections import DocumentRetrievalMode, RetrievalMode, search_request
from xai_sdk.proto import documents_pb2_grpc

__all__ = ["BaseClient", "DocumentRetrievalMode", "RetrievalMode", "search_request"]


class BaseClient:
    """What the blocking and asyncio ``client.documents`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = documents_pb2_grpc.DocumentsStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
