"""Defaults for ``collections.Collections``: collections of documents made from uploaded files.

Collections live in the service's typed state, ``state.of(CollectionsState).collections``, as
:class:`StoredCollection`; other services read them with :func:`find_collection` or
:func:`lookup`. They belong to the team of the management key that made them (the team whose API
keys upload the files and search the collection); another team gets NOT_FOUND.

A document copies its file's bytes when added, and is indexed on the fake's clock: it is
PROCESSING until :data:`INDEXING_SECONDS` after it was added (or re-indexed, or its content
changed), PROCESSED from then on. While the clock runs in real time (``fake.clock.real``) a read
also counts as that wait, as before: the first read reports PROCESSING, later reads PROCESSED.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import grpc
from google.protobuf import empty_pb2

from xai_fake.defaults import tokens
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.files import find_file, matches, timestamp_value
from xai_fake.defaults.models import EMBEDDING_MODELS
from xai_fake.defaults.paging import page
from xai_fake.defaults.state import State
from xai_fake.errors import FakeRpcError, invalid_argument, not_found
from xai_sdk.proto import collections_pb2, shared_pb2, types_pb2

PROCESSING, PROCESSED = collections_pb2.DOCUMENT_STATUS_PROCESSING, collections_pb2.DOCUMENT_STATUS_PROCESSED
#: Seconds of the fake's clock a document takes to index. docs.x.ai gives no figure; the official
#: SDK's ``upload_document(wait_for_indexing=True)`` polls for it, so it is not instant.
INDEXING_SECONDS = 30.0
DEFAULT_CHUNKS = types_pb2.ChunkConfiguration(
    chars_configuration=types_pb2.CharsConfiguration(max_chunk_size_chars=1000, chunk_overlap_chars=200)
)
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "with",
    }
)


@dataclass
class StoredDocument:
    """A document of a collection: its metadata, its text, and when its indexing ends."""

    meta: collections_pb2.DocumentMetadata
    data: bytes
    #: The clock time its (re-)indexing ends.
    indexed_at: float = 0.0
    #: Whether it was read in real time since indexing started (a read then stands for the wait).
    read_since_indexing: bool = False

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class StoredCollection:
    """A collection's metadata and its documents by file id."""

    meta: collections_pb2.CollectionMetadata
    documents: dict[str, StoredDocument] = field(default_factory=dict)

    def metadata(self) -> collections_pb2.CollectionMetadata:
        meta = collections_pb2.CollectionMetadata()
        meta.CopyFrom(self.meta)
        meta.documents_count = len(self.documents)
        meta.total_file_size = sum(len(d.data) for d in self.documents.values())
        return meta


@dataclass
class CollectionsState:
    """What the Collections service remembers: the collections by id, in creation order."""

    collections: dict[str, StoredCollection] = field(default_factory=dict)


def lookup(state: State, collection_id: str) -> StoredCollection | None:
    """The collection with this id, or None when there is none (for services that tolerate unknown ids)."""
    return state.of(CollectionsState).collections.get(collection_id)


def find_collection(state: State, collection_id: str) -> StoredCollection:
    """The collection with this id, or NOT_FOUND naming it."""
    stored = lookup(state, collection_id)
    if stored is None:
        raise not_found(
            f"collection {collection_id!r} not found; create it with CreateCollection or list ids with ListCollections"
        )
    return stored


def chunk_text(text: str, config: types_pb2.ChunkConfiguration, name: str = "") -> list[str]:
    """Cut ``text`` into overlapping chunks as ``config`` says (characters, tokens or bytes)."""
    kind = config.WhichOneof("config")
    if kind == "tokens_configuration":
        size, overlap = (
            config.tokens_configuration.max_chunk_size_tokens,
            config.tokens_configuration.chunk_overlap_tokens,
        )
        units: list[Any] = tokens.split(text)
    elif kind == "bytes_configuration":
        size, overlap = config.bytes_configuration.max_chunk_size_bytes, config.bytes_configuration.chunk_overlap_bytes
        units = list(text.encode())
    else:
        chars = config.chars_configuration if kind else DEFAULT_CHUNKS.chars_configuration
        size, overlap = chars.max_chunk_size_chars, chars.chunk_overlap_chars
        units = list(text)
    join: Callable[[list[Any]], str] = (
        (lambda part: bytes(part).decode("utf-8", errors="ignore")) if kind == "bytes_configuration" else "".join
    )
    chunks = [join(units[start : start + size]) for start in range(0, max(len(units) - overlap, 1), size - overlap)]
    chunks = [c.strip() for c in chunks] if config.strip_whitespace else chunks
    chunks = [c for c in chunks if c.strip()]
    return [f"{name}\n{c}" for c in chunks] if config.inject_name_into_chunks and name else chunks


def _validate_chunks(config: types_pb2.ChunkConfiguration) -> None:
    kind = config.WhichOneof("config")
    if kind is None:
        raise invalid_argument(
            "chunk_configuration must set chars_configuration, tokens_configuration or bytes_configuration"
        )
    unit = kind.split("_")[0]
    settings = getattr(config, kind)
    size, overlap = getattr(settings, f"max_chunk_size_{unit}"), getattr(settings, f"chunk_overlap_{unit}")
    if size <= 0:
        raise invalid_argument(f"max_chunk_size_{unit} must be positive, got {size}")
    if not 0 <= overlap < size:
        raise invalid_argument(
            f"chunk_overlap_{unit} must be at least 0 and smaller than max_chunk_size_{unit} ({size}), got {overlap}"
        )


def _sorted_page(
    items: list[Any], key: Callable[[Any], Any], request: Any, listing: str
) -> tuple[Sequence[Any], str | None]:
    check_enum("order", request.order, shared_pb2.Ordering)
    if request.HasField("filter") and request.filter.strip():
        items = [item for item in items if matches(request.filter, _fields_of(item))]
    items.sort(key=key, reverse=request.order == shared_pb2.ORDERING_DESCENDING)
    return page(items, request.limit, request.pagination_token, listing=listing)


def _fields_of(item: StoredCollection | StoredDocument) -> Callable[[str], Any]:
    if isinstance(item, StoredCollection):
        meta = item.metadata()
        values: dict[str, Any] = {
            "collection_id": meta.collection_id, "collection_name": meta.collection_name,
            "name": meta.collection_name, "created_at": timestamp_value(meta.created_at),
            "documents_count": meta.documents_count,
        }  # fmt: skip
        return values.__getitem__
    file = item.meta.file_metadata
    values = {
        "file_id": file.file_id, "name": file.name, "size_bytes": file.size_bytes, "content_type": file.content_type,
        "created_at": timestamp_value(file.created_at), "status": collections_pb2.DocumentStatus.Name(item.meta.status),
    }  # fmt: skip
    values.update({f"fields.{key}": value for key, value in item.meta.fields.items()})
    return lambda name: values.get(name) if name.startswith("fields.") else values[name]


class CollectionsDefaults:
    """Collections and their documents, in memory."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "collections.Collections"

    def __init__(self, state: State) -> None:
        self.state = state
        #: Seconds of the fake's clock a document takes to index (:data:`INDEXING_SECONDS`); 0 makes
        #: documents PROCESSED at once, for suites that poll with the official 10 s interval.
        self.indexing_seconds = INDEXING_SECONDS

    # -- collections -------------------------------------------------------------------------

    def CreateCollection(
        self, request: collections_pb2.CreateCollectionRequest, context: object
    ) -> collections_pb2.CollectionMetadata:
        if not request.collection_name.strip():
            raise invalid_argument("collection_name is required, e.g. collection_name='support-articles'")
        chunks = request.chunk_configuration if request.HasField("chunk_configuration") else DEFAULT_CHUNKS
        _validate_chunks(chunks)
        check_enum("metric_space", request.metric_space, types_pb2.HNSWMetric)
        keys = [d.key for d in request.field_definitions]
        if len(set(keys)) != len(keys) or "" in keys:
            raise invalid_argument(f"field_definitions need distinct, non-empty keys; got {keys}")
        meta = collections_pb2.CollectionMetadata(
            collection_id=self.state.new_id("collection"),
            collection_name=request.collection_name,
            created_at=self.state.now(),
            index_configuration=request.index_configuration
            if request.HasField("index_configuration")
            else {"model_name": EMBEDDING_MODELS[0].name},
            chunk_configuration=chunks,
            field_definitions=request.field_definitions,
        )
        if request.HasField("collection_description"):
            meta.collection_description = request.collection_description
        self.state.of(CollectionsState).collections[meta.collection_id] = StoredCollection(meta)
        return meta

    def ListCollections(
        self, request: collections_pb2.ListCollectionsRequest, context: object
    ) -> collections_pb2.ListCollectionsResponse:
        sort_by = check_enum("sort_by", request.sort_by, collections_pb2.CollectionsSortBy)
        keys: dict[int, Callable[[StoredCollection], Any]] = {
            collections_pb2.COLLECTIONS_SORT_BY_NAME: lambda c: (c.meta.collection_name, c.meta.collection_id),
            collections_pb2.COLLECTIONS_SORT_BY_AGE: lambda c: (c.meta.created_at.seconds, c.meta.collection_id),
        }
        collections = list(self.state.of(CollectionsState).collections.values())
        listed, token = _sorted_page(collections, keys[sort_by], request, "collections")
        response = collections_pb2.ListCollectionsResponse(collections=[c.metadata() for c in listed])
        if token:
            response.pagination_token = token
        return response

    def GetCollectionMetadata(
        self, request: collections_pb2.GetCollectionMetadataRequest, context: object
    ) -> collections_pb2.CollectionMetadata:
        return find_collection(self.state, request.collection_id).metadata()

    def UpdateCollection(
        self, request: collections_pb2.UpdateCollectionRequest, context: object
    ) -> collections_pb2.CollectionMetadata:
        stored = find_collection(self.state, request.collection_id)
        for index, update in enumerate(request.field_definition_updates):
            operation = f"field_definition_updates[{index}].operation"
            check_enum(operation, update.operation, collections_pb2.FieldDefinitionOperation)
        meta = stored.meta
        if request.HasField("collection_name"):
            if not request.collection_name.strip():
                raise invalid_argument("collection_name must not be empty; leave it unset to keep the name")
            meta.collection_name = request.collection_name
        if request.HasField("chunk_configuration"):
            _validate_chunks(request.chunk_configuration)
            meta.chunk_configuration.CopyFrom(request.chunk_configuration)
        if request.HasField("collection_description"):
            meta.collection_description = request.collection_description
        definitions = {d.key: d for d in meta.field_definitions}
        for update in request.field_definition_updates:
            key = update.field_definition.key
            if update.operation == collections_pb2.FIELD_DEFINITION_DELETE:
                if definitions.pop(key, None) is None:
                    raise not_found(f"collection {meta.collection_id!r} has no field definition {key!r} to delete")
                for document in stored.documents.values():
                    document.meta.fields.pop(key, None)
            elif key in definitions or not key:
                raise invalid_argument(f"cannot add field definition {key!r}: the key is empty or already defined")
            else:
                definitions[key] = update.field_definition
        del meta.field_definitions[:]
        meta.field_definitions.extend(definitions.values())
        return stored.metadata()

    def DeleteCollection(self, request: collections_pb2.DeleteCollectionRequest, context: object) -> empty_pb2.Empty:
        find_collection(self.state, request.collection_id)
        del self.state.of(CollectionsState).collections[request.collection_id]
        return empty_pb2.Empty()

    def GenerateCollectionDescription(
        self, request: collections_pb2.GenerateCollectionDescriptionRequest, context: object
    ) -> collections_pb2.GenerateCollectionDescriptionResponse:
        stored = find_collection(self.state, request.collection_id)
        words = Counter(
            word
            for document in stored.documents.values()
            for word in re.findall(r"[a-z]{3,}", document.text.lower())
            if word not in _STOPWORDS
        )
        if not words:
            return collections_pb2.GenerateCollectionDescriptionResponse()
        topics = ", ".join(word for word, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        count = len(stored.documents)
        return collections_pb2.GenerateCollectionDescriptionResponse(
            collection_description=f"{count} document{'s' * (count != 1)} about {topics}."
        )

    # -- documents ---------------------------------------------------------------------------

    def AddDocumentToCollection(
        self, request: collections_pb2.AddDocumentToCollectionRequest, context: object
    ) -> empty_pb2.Empty:
        stored = find_collection(self.state, request.collection_id)
        file = find_file(self.state, request.file_id)
        if request.file_id in stored.documents:
            raise FakeRpcError(
                grpc.StatusCode.ALREADY_EXISTS,
                f"file {request.file_id!r} is already in collection {request.collection_id!r}; use UpdateDocument",
            )
        self._check_fields(stored, dict(request.fields), request.file_id)
        meta = collections_pb2.DocumentMetadata(
            file_metadata=collections_pb2.FileMetadata(
                file_id=file.meta.id, name=file.meta.filename, size_bytes=len(file.data),
                content_type=file.content_type, created_at=file.meta.created_at, upload_status="UPLOAD_STATUS_COMPLETE",
            ),
            fields=request.fields,
            status=PROCESSING,
        )  # fmt: skip
        stored.documents[request.file_id] = StoredDocument(meta, file.data, self.state.time() + self.indexing_seconds)
        return empty_pb2.Empty()

    def ListDocuments(
        self, request: collections_pb2.ListDocumentsRequest, context: object
    ) -> collections_pb2.ListDocumentsResponse:
        stored = find_collection(self.state, request.collection_id)
        documents = list(stored.documents.values())
        if request.HasField("name"):
            documents = [d for d in documents if request.name.lower() in d.meta.file_metadata.name.lower()]
        keys: dict[int, Callable[[StoredDocument], Any]] = {
            collections_pb2.DOCUMENTS_SORT_BY_NAME: lambda d: (d.meta.file_metadata.name, d.meta.file_metadata.file_id),
            collections_pb2.DOCUMENTS_SORT_BY_SIZE: lambda d: (len(d.data), d.meta.file_metadata.file_id),
            collections_pb2.DOCUMENTS_SORT_BY_AGE: lambda d: (
                d.meta.file_metadata.created_at.seconds,
                d.meta.file_metadata.file_id,
            ),
        }
        sort_by = check_enum("sort_by", request.sort_by, collections_pb2.DocumentsSortBy)
        listed, token = _sorted_page(documents, keys[sort_by], request, f"{stored.meta.collection_id} documents")
        response = collections_pb2.ListDocumentsResponse(documents=self._read(stored, listed))
        if token:
            response.pagination_token = token
        return response

    def GetDocumentMetadata(
        self, request: collections_pb2.GetDocumentMetadataRequest, context: object
    ) -> collections_pb2.DocumentMetadata:
        stored = find_collection(self.state, request.collection_id)
        return self._read(stored, [self._document(stored, request.file_id)])[0]

    def BatchGetDocuments(
        self, request: collections_pb2.BatchGetDocumentsRequest, context: object
    ) -> collections_pb2.BatchGetDocumentsResponse:
        stored = find_collection(self.state, request.collection_id)
        documents = [self._document(stored, file_id) for file_id in request.file_ids]
        return collections_pb2.BatchGetDocumentsResponse(documents=self._read(stored, documents))

    def RemoveDocumentFromCollection(
        self, request: collections_pb2.RemoveDocumentFromCollectionRequest, context: object
    ) -> empty_pb2.Empty:
        stored = find_collection(self.state, request.collection_id)
        self._document(stored, request.file_id)
        del stored.documents[request.file_id]
        return empty_pb2.Empty()

    def UpdateDocument(
        self, request: collections_pb2.UpdateDocumentRequest, context: object
    ) -> collections_pb2.DocumentMetadata:
        stored = find_collection(self.state, request.collection_id)
        document = self._document(stored, request.file_id)
        file = document.meta.file_metadata
        if request.HasField("name"):
            if not request.name.strip():
                raise invalid_argument("name must not be empty; leave it unset to keep the name")
            file.name = request.name
        if request.HasField("content_type"):
            file.content_type = request.content_type
        if request.fields:
            merged = {**document.meta.fields, **request.fields}
            self._check_fields(stored, merged, request.file_id)
            document.meta.fields.update(request.fields)
        if request.HasField("data"):
            document.data, file.size_bytes = request.data, len(request.data)
            self._reindex(document, self.state.time() + self.indexing_seconds)
        return self._read(stored, [document])[0]

    def ReIndexDocument(self, request: collections_pb2.ReIndexDocumentRequest, context: object) -> empty_pb2.Empty:
        stored = find_collection(self.state, request.collection_id)
        self._reindex(self._document(stored, request.file_id), self.state.time() + self.indexing_seconds)
        return empty_pb2.Empty()

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _document(stored: StoredCollection, file_id: str) -> StoredDocument:
        document = stored.documents.get(file_id)
        if document is None:
            raise not_found(
                f"document {file_id!r} is not in collection {stored.meta.collection_id!r}; "
                "add it with AddDocumentToCollection or list ids with ListDocuments"
            )
        return document

    @staticmethod
    def _reindex(document: StoredDocument, done_at: float) -> None:
        document.indexed_at, document.read_since_indexing = done_at, False
        document.meta.status = PROCESSING
        document.meta.ClearField("chunk_count")
        document.meta.ClearField("chunks_processed_count")

    def _read(
        self, stored: StoredCollection, documents: Iterable[StoredDocument]
    ) -> list[collections_pb2.DocumentMetadata]:
        """Metadata as a reader sees it: PROCESSING until the clock reaches ``indexed_at``, then PROCESSED.

        In real time a read stands for the wait: the first read after indexing starts is
        PROCESSING, the next ones PROCESSED.
        """
        now, real = self.state.time(), self.state.clock.real
        answers = []
        for document in documents:
            meta = document.meta
            if meta.status != PROCESSED:
                done = now >= document.indexed_at or (real and document.read_since_indexing)
                document.read_since_indexing = document.read_since_indexing or real
                if not done:
                    meta.status = PROCESSING
                else:
                    count = len(chunk_text(document.text, stored.meta.chunk_configuration, meta.file_metadata.name))
                    meta.status, meta.chunk_count, meta.chunks_processed_count = PROCESSED, count, count
                    meta.last_indexed_at.CopyFrom(self.state.timestamp(min(now, document.indexed_at)))
            answer = collections_pb2.DocumentMetadata()
            answer.CopyFrom(meta)
            answers.append(answer)
        return answers

    @staticmethod
    def _check_fields(stored: StoredCollection, fields: dict[str, str], file_id: str) -> None:
        for definition in stored.meta.field_definitions:
            value = fields.get(definition.key)
            if definition.required and value is None:
                raise invalid_argument(
                    f"field {definition.key!r} is required by collection {stored.meta.collection_id!r}; "
                    f"pass fields={{{definition.key!r}: ...}}"
                )
            if definition.unique and value is not None:
                for other_id, other in stored.documents.items():
                    if other_id != file_id and other.meta.fields.get(definition.key) == value:
                        raise FakeRpcError(
                            grpc.StatusCode.ALREADY_EXISTS,
                            f"field {definition.key!r} must be unique; document {other_id!r} already has {value!r}",
                        )
