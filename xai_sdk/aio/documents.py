"""Asyncio ``client.documents`` calls; the request is built by :func:`xai_sdk.collections.search_request`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk.documents import BaseClient, RetrievalMode, search_request
from xai_sdk.proto import documents_pb2

__all__ = ["Client"]


class Client(BaseClient):
    """Searches the documents of collections."""

    async def search(
        self,
        query: str,
        collection_ids: Sequence[str],
        limit: int | None = None,
        *,
        instructions: str | None = None,
        retrieval_mode: RetrievalMode | None = None,
        timeout: float | None = None,
    ) -> documents_pb2.SearchResponse:
        """The chunks of the collections' documents that best match ``query``, best first."""
        request = search_request(query, collection_ids, limit, instructions, retrieval_mode)
        response: documents_pb2.SearchResponse = await self._stub.Search(request, **self._calls.kwargs(timeout))
        return response
