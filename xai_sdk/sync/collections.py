"""Blocking ``client.collections`` calls. Everything else lives once in :mod:`xai_sdk.collections`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from xai_sdk._flow import run_sync
from xai_sdk.collections import (
    BaseClient,
    ChunkConfiguration,
    CollectionSortBy,
    DocumentSortBy,
    FieldDefinition,
    FieldDefinitionUpdate,
    HNSWMetric,
    Order,
    RetrievalMode,
    create_request,
    list_documents_request,
    list_request,
    search_request,
    update_request,
)
from xai_sdk.proto import collections_pb2, documents_pb2, shared_pb2, types_pb2
from xai_sdk.telemetry._services import collection_span

__all__ = ["Client"]


class Client(BaseClient):
    """``client.collections`` of the blocking client: document collections and search over them.

    Everything except :meth:`search` needs the client's management API key.
    """

    def create(  # noqa: PLR0917 - the official positional signature
        self,
        name: str,
        model_name: str | None = None,
        chunk_configuration: ChunkConfiguration | types_pb2.ChunkConfiguration | None = None,
        metric_space: HNSWMetric | types_pb2.HNSWMetric | None = None,
        field_definitions: Sequence[FieldDefinition] | Sequence[collections_pb2.FieldDefinition] | None = None,
        description: str | None = None,
        *,
        timeout: float | None = None,
    ) -> collections_pb2.CollectionMetadata:
        """Create a collection.

        Args:
            name: The collection's name.
            model_name: Embedding model; the server's default if unset.
            chunk_configuration: How documents are chunked, e.g.
                ``{"chars_configuration": {"max_chunk_size_chars": 1000, "chunk_overlap_chars": 200}}``.
            metric_space: ``"cosine"``, ``"euclidean"`` or ``"inner_product"``.
            field_definitions: Metadata fields of documents, e.g.
                ``[{"key": "author", "required": True, "inject_into_chunk": True, "unique": False}]``.
            description: A description of the collection.
            timeout: Seconds for the call.
        """
        request = create_request(
            name,
            model_name=model_name,
            chunk_configuration=chunk_configuration,
            metric_space=metric_space,
            field_definitions=field_definitions,
            description=description,
        )
        stub, kwargs = self._collections(timeout)
        with collection_span(__name__, "create_collection", self._management_target) as s:
            return s.done(stub.CreateCollection(request, **kwargs))  # type: ignore[no-any-return]

    def list(
        self,
        limit: int | None = None,
        order: Order | shared_pb2.Ordering | None = None,
        sort_by: CollectionSortBy | collections_pb2.CollectionsSortBy | None = None,
        filter: str | None = None,
        pagination_token: str | None = None,
        *,
        timeout: float | None = None,
    ) -> collections_pb2.ListCollectionsResponse:
        """One page of collections, e.g. ``filter='collection_name:"SEC" AND documents_count:>10'``."""
        request = list_request(limit, order, sort_by, filter, pagination_token)
        stub, kwargs = self._collections(timeout)
        response: collections_pb2.ListCollectionsResponse = stub.ListCollections(request, **kwargs)
        return response

    def get(self, collection_id: str, *, timeout: float | None = None) -> collections_pb2.CollectionMetadata:
        """A collection's metadata."""
        request = collections_pb2.GetCollectionMetadataRequest(collection_id=collection_id)
        stub, kwargs = self._collections(timeout)
        response: collections_pb2.CollectionMetadata = stub.GetCollectionMetadata(request, **kwargs)
        return response

    def update(
        self,
        collection_id: str,
        name: str | None = None,
        chunk_configuration: ChunkConfiguration | types_pb2.ChunkConfiguration | None = None,
        field_definitions: Sequence[FieldDefinitionUpdate | collections_pb2.FieldDefinitionUpdate] | None = None,
        description: str | None = None,
        *,
        timeout: float | None = None,
    ) -> collections_pb2.CollectionMetadata:
        """Change a collection's name, chunking, field definitions or description.

        ``field_definitions`` are changes: ``{"operation": "add", "field_definition": {...}}`` or
        ``{"operation": "delete", "key": "author"}`` (which also drops the field from every document).
        """
        request = update_request(collection_id, name, chunk_configuration, field_definitions, description)
        stub, kwargs = self._collections(timeout)
        with collection_span(__name__, "update_collection", self._management_target) as s:
            return s.done(stub.UpdateCollection(request, **kwargs))  # type: ignore[no-any-return]

    def delete(self, collection_id: str, *, timeout: float | None = None) -> None:
        """Delete a collection."""
        request = collections_pb2.DeleteCollectionRequest(collection_id=collection_id)
        stub, kwargs = self._collections(timeout)
        with collection_span(__name__, "delete_collection", self._management_target, collection_id=collection_id):
            stub.DeleteCollection(request, **kwargs)

    def search(
        self,
        query: str,
        collection_ids: Sequence[str],
        limit: int | None = None,
        *,
        instructions: str | None = None,
        retrieval_mode: RetrievalMode | None = None,
        timeout: float | None = None,
    ) -> documents_pb2.SearchResponse:
        """The chunks of the collections' documents that best match ``query``, best first.

        ``retrieval_mode``: ``"hybrid"`` (server default), ``"semantic"`` or ``"keyword"``. Needs only the API key.
        """
        request = search_request(query, collection_ids, limit, instructions, retrieval_mode)
        response: documents_pb2.SearchResponse = self._documents_stub.Search(request, **self._api_calls.kwargs(timeout))
        return response

    def upload_document(
        self,
        collection_id: str,
        name: str,
        data: bytes,
        fields: dict[str, str] | None = None,
        *,
        wait_for_indexing: bool = False,
        poll_interval: datetime.timedelta | None = None,
        timeout: datetime.timedelta | None = None,
        call_timeout: float | None = None,
    ) -> collections_pb2.DocumentMetadata:
        """Upload ``data`` as a file named ``name`` and add it to the collection.

        With ``wait_for_indexing``, poll every ``poll_interval`` (10 s) until the document is
        PROCESSED, for at most ``timeout`` (2 minutes; then ``TimeoutError``); a FAILED document
        raises ``ValueError``. ``call_timeout`` bounds each call in seconds.
        """
        flow = self._upload_document_flow(
            collection_id,
            name=name,
            data=data,
            fields=fields,
            wait_for_indexing=wait_for_indexing,
            poll_interval=poll_interval,
            timeout=timeout,
            call_timeout=call_timeout,
        )
        with collection_span(__name__, "upload_document", self._api_calls.target) as s:
            return s.done(run_sync(flow))

    def add_existing_document(
        self, collection_id: str, file_id: str, fields: dict[str, str] | None = None, *, timeout: float | None = None
    ) -> None:
        """Add an uploaded file to the collection."""
        request = collections_pb2.AddDocumentToCollectionRequest(
            collection_id=collection_id, file_id=file_id, fields=fields
        )
        stub, kwargs = self._collections(timeout)
        with collection_span(
            __name__, "add_existing_document", self._management_target, collection_id=collection_id, file_id=file_id
        ):
            stub.AddDocumentToCollection(request, **kwargs)

    def list_documents(  # noqa: PLR0917 - the official positional signature
        self,
        collection_id: str,
        limit: int | None = None,
        order: Order | shared_pb2.Ordering | None = None,
        sort_by: DocumentSortBy | collections_pb2.DocumentsSortBy | None = None,
        pagination_token: str | None = None,
        filter: str | None = None,
        *,
        timeout: float | None = None,
    ) -> collections_pb2.ListDocumentsResponse:
        """One page of the collection's documents, e.g. ``filter='status:DOCUMENT_STATUS_PROCESSED'``."""
        request = list_documents_request(
            collection_id, limit=limit, order=order, sort_by=sort_by, pagination_token=pagination_token, filter=filter
        )
        stub, kwargs = self._collections(timeout)
        response: collections_pb2.ListDocumentsResponse = stub.ListDocuments(request, **kwargs)
        return response

    def get_document(
        self, file_id: str, collection_id: str, *, timeout: float | None = None
    ) -> collections_pb2.DocumentMetadata:
        """A document's metadata, including its indexing status."""
        request = collections_pb2.GetDocumentMetadataRequest(file_id=file_id, collection_id=collection_id)
        stub, kwargs = self._collections(timeout)
        response: collections_pb2.DocumentMetadata = stub.GetDocumentMetadata(request, **kwargs)
        return response

    def batch_get_documents(
        self, collection_id: str, file_ids: Sequence[str], *, timeout: float | None = None
    ) -> collections_pb2.BatchGetDocumentsResponse:
        """The metadata of several documents at once."""
        request = collections_pb2.BatchGetDocumentsRequest(collection_id=collection_id, file_ids=file_ids)
        stub, kwargs = self._collections(timeout)
        response: collections_pb2.BatchGetDocumentsResponse = stub.BatchGetDocuments(request, **kwargs)
        return response

    def remove_document(self, collection_id: str, file_id: str, *, timeout: float | None = None) -> None:
        """Take a document out of the collection (the file itself stays)."""
        request = collections_pb2.RemoveDocumentFromCollectionRequest(collection_id=collection_id, file_id=file_id)
        stub, kwargs = self._collections(timeout)
        with collection_span(
            __name__, "remove_document", self._management_target, collection_id=collection_id, file_id=file_id
        ):
            stub.RemoveDocumentFromCollection(request, **kwargs)

    def update_document(  # noqa: PLR0917 - the official positional signature
        self,
        collection_id: str,
        file_id: str,
        name: str | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
        fields: dict[str, str] | None = None,
        *,
        timeout: float | None = None,
    ) -> collections_pb2.DocumentMetadata:
        """Change a document's name, content, content type or fields; new content is re-indexed."""
        request = collections_pb2.UpdateDocumentRequest(
            collection_id=collection_id, file_id=file_id, name=name, data=data, content_type=content_type, fields=fields
        )
        stub, kwargs = self._collections(timeout)
        with collection_span(__name__, "update_document", self._management_target) as s:
            return s.done(stub.UpdateDocument(request, **kwargs))  # type: ignore[no-any-return]

    def reindex_document(self, collection_id: str, file_id: str, *, timeout: float | None = None) -> None:
        """Index a document again, e.g. after changing the collection's chunk configuration."""
        request = collections_pb2.ReIndexDocumentRequest(collection_id=collection_id, file_id=file_id)
        stub, kwargs = self._collections(timeout)
        with collection_span(
            __name__, "reindex_document", self._management_target, collection_id=collection_id, file_id=file_id
        ):
            stub.ReIndexDocument(request, **kwargs)

    def generate_description(self, collection_id: str, *, timeout: float | None = None) -> str:
        """A description of the collection written from its documents ('' if there is nothing to describe)."""
        request = collections_pb2.GenerateCollectionDescriptionRequest(collection_id=collection_id)
        stub, kwargs = self._collections(timeout)
        with collection_span(
            __name__, "generate_collection_description", self._management_target, collection_id=collection_id
        ):
            return str(stub.GenerateCollectionDescription(request, **kwargs).collection_description)
