"""``client.collections``: everything about collections and document search that does no I/O.

Collections are managed over the management API (a management key is required); search and
the upload of a document's bytes go over the regular API. Request building, validation and
the upload-then-wait-for-indexing flow live here once; :mod:`xai_sdk.sync.collections` and
:mod:`xai_sdk.aio.collections` only make the calls.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict

import grpc

from xai_sdk._channel import CallSettings
from xai_sdk._flow import Call, Flow, Sleep
from xai_sdk.files import prepare_upload
from xai_sdk.poll_timer import PollTimer
from xai_sdk.proto import (
    collections_pb2,
    collections_pb2_grpc,
    documents_pb2,
    documents_pb2_grpc,
    files_pb2_grpc,
    shared_pb2,
    types_pb2,
)

__all__ = [
    "DEFAULT_INDEXING_POLL_INTERVAL",
    "DEFAULT_INDEXING_TIMEOUT",
    "BaseClient",
    "BytesConfiguration",
    "CharsConfiguration",
    "ChunkConfiguration",
    "CollectionSortBy",
    "DocumentRetrievalMode",
    "DocumentSortBy",
    "FieldDefinition",
    "FieldDefinitionAdd",
    "FieldDefinitionDelete",
    "FieldDefinitionUpdate",
    "HNSWMetric",
    "Order",
    "TokensConfiguration",
]

Order: TypeAlias = Literal["asc", "desc"]
CollectionSortBy: TypeAlias = Literal["name", "age"]
DocumentSortBy: TypeAlias = Literal["name", "age", "size"]
HNSWMetric: TypeAlias = Literal["cosine", "euclidean", "inner_product"]
DocumentRetrievalMode: TypeAlias = Literal["hybrid", "semantic", "keyword"]
RetrievalMode: TypeAlias = (
    DocumentRetrievalMode
    | documents_pb2.HybridRetrieval
    | documents_pb2.SemanticRetrieval
    | documents_pb2.KeywordRetrieval
)

DEFAULT_INDEXING_POLL_INTERVAL = datetime.timedelta(seconds=10)
DEFAULT_INDEXING_TIMEOUT = datetime.timedelta(minutes=2)


class _FieldDefinitionBase(TypedDict):
    key: str
    required: bool
    inject_into_chunk: bool
    unique: bool


class FieldDefinition(_FieldDefinitionBase, total=False):
    """A metadata field documents of a collection can carry.

    ``key`` names it; ``required`` rejects documents without it; ``inject_into_chunk`` prepends
    its value to every chunk (better retrieval); ``unique`` rejects duplicate values;
    ``description`` (optional) explains it.
    """

    description: str


class FieldDefinitionAdd(TypedDict):
    """Add ``field_definition`` to a collection (``operation="add"``)."""

    field_definition: FieldDefinition
    operation: Literal["add"]


class FieldDefinitionDelete(TypedDict):
    """Remove the field ``key`` from a collection and all its documents (``operation="delete"``)."""

    key: str
    operation: Literal["delete"]


FieldDefinitionUpdate: TypeAlias = FieldDefinitionAdd | FieldDefinitionDelete


class CharsConfiguration(TypedDict):
    """Chunks of at most ``max_chunk_size_chars`` characters, overlapping by ``chunk_overlap_chars``."""

    max_chunk_size_chars: int
    chunk_overlap_chars: int


class TokensConfiguration(TypedDict):
    """Chunks of at most ``max_chunk_size_tokens`` tokens, overlapping by ``chunk_overlap_tokens``.

    Tokens are those of the tokenizer ``encoding_name``.
    """

    max_chunk_size_tokens: int
    chunk_overlap_tokens: int
    encoding_name: str


class BytesConfiguration(TypedDict):
    """Chunks of at most ``max_chunk_size_bytes`` bytes, overlapping by ``chunk_overlap_bytes``."""

    max_chunk_size_bytes: int
    chunk_overlap_bytes: int


class ChunkConfiguration(TypedDict, total=False):
    """How documents are cut into chunks: exactly one of the three ``*_configuration`` keys."""

    chars_configuration: CharsConfiguration
    tokens_configuration: TokensConfiguration
    bytes_configuration: BytesConfiguration
    strip_whitespace: bool
    inject_name_into_chunks: bool


# -- validation of the dict forms ------------------------------------------------------------


def _check_dict(value: Any, what: str, required: Mapping[str, type], optional: Mapping[str, type] = {}) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a dict with keys {sorted(required)}, got {value!r}")
    missing = [key for key in required if key not in value]
    unknown = [key for key in value if key not in required and key not in optional]
    if missing or unknown:
        problems = ([f"missing {missing}"] if missing else []) + ([f"unknown {unknown}"] if unknown else [])
        raise ValueError(f"{what}: {' and '.join(problems)} keys; expected {sorted(required)} (+ {sorted(optional)})")
    for key, item in value.items():
        expected = required.get(key) or optional[key]
        if expected is not Mapping and (not isinstance(item, expected) or (expected is int and isinstance(item, bool))):
            raise ValueError(f"{what}[{key!r}] must be {expected.__name__}, got {item!r}")


_STRATEGIES: dict[str, tuple[str, dict[str, type]]] = {
    "chars_configuration": ("chars", {"max_chunk_size_chars": int, "chunk_overlap_chars": int}),
    "tokens_configuration": (
        "tokens",
        {"max_chunk_size_tokens": int, "chunk_overlap_tokens": int, "encoding_name": str},
    ),
    "bytes_configuration": ("bytes", {"max_chunk_size_bytes": int, "chunk_overlap_bytes": int}),
}


def chunk_configuration_to_pb(
    config: ChunkConfiguration | types_pb2.ChunkConfiguration,
) -> types_pb2.ChunkConfiguration:
    """A validated ``ChunkConfiguration`` proto: exactly one strategy, a positive size, ``0 <= overlap < size``."""
    if isinstance(config, types_pb2.ChunkConfiguration):
        return config
    _check_dict(
        config,
        "chunk_configuration",
        {},
        {**dict.fromkeys(_STRATEGIES, Mapping), "strip_whitespace": bool, "inject_name_into_chunks": bool},
    )
    chosen = [key for key in _STRATEGIES if config.get(key)]
    if len(chosen) != 1:
        problem = "no chunking strategy" if not chosen else f"several chunking strategies ({', '.join(chosen)})"
        raise ValueError(
            f"chunk_configuration has {problem}; set exactly one of 'chars_configuration', 'tokens_configuration' "
            "or 'bytes_configuration', e.g. {'chars_configuration': {'max_chunk_size_chars': 1000, "
            "'chunk_overlap_chars': 200}}"
        )
    strategy = chosen[0]
    unit, keys = _STRATEGIES[strategy]
    settings: Any = config[strategy]  # type: ignore[literal-required]
    _check_dict(settings, strategy, keys)
    size, overlap = settings[f"max_chunk_size_{unit}"], settings[f"chunk_overlap_{unit}"]
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(
            f"{strategy} needs max_chunk_size_{unit} > 0 and 0 <= chunk_overlap_{unit} < max_chunk_size_{unit}; "
            f"got size {size} and overlap {overlap}"
        )
    return types_pb2.ChunkConfiguration(**config)


def field_definition_to_pb(
    definition: FieldDefinition | collections_pb2.FieldDefinition,
) -> collections_pb2.FieldDefinition:
    """A ``FieldDefinition`` proto from the dict form (checked) or the proto itself."""
    if isinstance(definition, collections_pb2.FieldDefinition):
        return definition
    required = {"key": str, "required": bool, "inject_into_chunk": bool, "unique": bool}
    _check_dict(definition, "field definition", required, {"description": str})
    return collections_pb2.FieldDefinition(**definition)


def field_definition_update_to_pb(
    update: FieldDefinitionUpdate | collections_pb2.FieldDefinitionUpdate,
) -> collections_pb2.FieldDefinitionUpdate:
    """A ``FieldDefinitionUpdate`` proto from ``{"operation": "add"|"delete", ...}`` or the proto itself."""
    if isinstance(update, collections_pb2.FieldDefinitionUpdate):
        return update
    operation = update.get("operation") if isinstance(update, Mapping) else None
    if operation == "add":
        _check_dict(update, "field definition update", {"field_definition": Mapping, "operation": str})
        add: Any = update
        return collections_pb2.FieldDefinitionUpdate(
            field_definition=field_definition_to_pb(add["field_definition"]),
            operation=collections_pb2.FIELD_DEFINITION_ADD,
        )
    if operation == "delete":
        _check_dict(update, "field definition update", {"key": str, "operation": str})
        delete: Any = update
        return collections_pb2.FieldDefinitionUpdate(
            field_definition=collections_pb2.FieldDefinition(key=delete["key"]),
            operation=collections_pb2.FIELD_DEFINITION_DELETE,
        )
    raise ValueError(
        f"Unknown field definition operation: {operation!r}. Expected 'add' ({{'operation': 'add', "
        "'field_definition': {...}}) or 'delete' ({'operation': 'delete', 'key': ...})."
    )


# -- enums by name ---------------------------------------------------------------------------

_ORDERS = {"asc": shared_pb2.ORDERING_ASCENDING, "desc": shared_pb2.ORDERING_DESCENDING}
_COLLECTION_SORT = {"name": collections_pb2.COLLECTIONS_SORT_BY_NAME, "age": collections_pb2.COLLECTIONS_SORT_BY_AGE}
_DOCUMENT_SORT = {
    "name": collections_pb2.DOCUMENTS_SORT_BY_NAME,
    "age": collections_pb2.DOCUMENTS_SORT_BY_AGE,
    "size": collections_pb2.DOCUMENTS_SORT_BY_SIZE,
}
_METRICS = {
    "cosine": types_pb2.HNSW_METRIC_COSINE,
    "euclidean": types_pb2.HNSW_METRIC_EUCLIDEAN,
    "inner_product": types_pb2.HNSW_METRIC_INNER_PRODUCT,
}
_RETRIEVAL: dict[str, tuple[str, type[Any]]] = {
    "hybrid": ("hybrid_retrieval", documents_pb2.HybridRetrieval),
    "semantic": ("semantic_retrieval", documents_pb2.SemanticRetrieval),
    "keyword": ("keyword_retrieval", documents_pb2.KeywordRetrieval),
}


def _enum(what: str, value: Any, names: Mapping[str, int]) -> int | None:
    if value is None or not isinstance(value, str):
        return value  # unset, or already the proto enum value
    if value not in names:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, names))}, got {value!r}")
    return names[value]


# -- requests --------------------------------------------------------------------------------


def create_request(
    name: str,
    *,
    model_name: str | None,
    chunk_configuration: ChunkConfiguration | types_pb2.ChunkConfiguration | None,
    metric_space: HNSWMetric | types_pb2.HNSWMetric | None,
    field_definitions: Sequence[FieldDefinition | collections_pb2.FieldDefinition] | None,
    description: str | None,
) -> collections_pb2.CreateCollectionRequest:
    """The request of ``collections.create``."""
    return collections_pb2.CreateCollectionRequest(
        collection_name=name,
        index_configuration=types_pb2.IndexConfiguration(model_name=model_name) if model_name else None,
        chunk_configuration=(
            chunk_configuration_to_pb(chunk_configuration) if chunk_configuration is not None else None
        ),
        metric_space=_enum("metric_space", metric_space, _METRICS),  # type: ignore[arg-type]
        field_definitions=[field_definition_to_pb(d) for d in field_definitions or ()],
        collection_description=description,
    )


def list_request(
    limit: int | None,
    order: Order | shared_pb2.Ordering | None,
    sort_by: CollectionSortBy | collections_pb2.CollectionsSortBy | None,
    filter: str | None,
    pagination_token: str | None,
) -> collections_pb2.ListCollectionsRequest:
    """The request of ``collections.list``."""
    return collections_pb2.ListCollectionsRequest(
        limit=limit,
        order=_enum("order", order, _ORDERS),  # type: ignore[arg-type]
        sort_by=_enum("sort_by", sort_by, _COLLECTION_SORT),  # type: ignore[arg-type]
        filter=filter,
        pagination_token=pagination_token,
    )


def update_request(
    collection_id: str,
    name: str | None,
    chunk_configuration: ChunkConfiguration | types_pb2.ChunkConfiguration | None,
    field_definitions: Sequence[FieldDefinitionUpdate | collections_pb2.FieldDefinitionUpdate] | None,
    description: str | None,
) -> collections_pb2.UpdateCollectionRequest:
    """The request of ``collections.update``; at least one change is required."""
    if name is None and chunk_configuration is None and field_definitions is None and description is None:
        raise ValueError(
            "Nothing to update: pass at least one of name, chunk_configuration, field_definitions or description"
        )
    return collections_pb2.UpdateCollectionRequest(
        collection_id=collection_id,
        collection_name=name,
        chunk_configuration=(
            chunk_configuration_to_pb(chunk_configuration) if chunk_configuration is not None else None
        ),
        field_definition_updates=[field_definition_update_to_pb(u) for u in field_definitions or ()],
        collection_description=description,
    )


def list_documents_request(
    collection_id: str,
    *,
    limit: int | None,
    order: Order | shared_pb2.Ordering | None,
    sort_by: DocumentSortBy | collections_pb2.DocumentsSortBy | None,
    pagination_token: str | None,
    filter: str | None,
) -> collections_pb2.ListDocumentsRequest:
    """The request of ``collections.list_documents``."""
    return collections_pb2.ListDocumentsRequest(
        collection_id=collection_id,
        limit=limit,
        order=_enum("order", order, _ORDERS),  # type: ignore[arg-type]
        sort_by=_enum("sort_by", sort_by, _DOCUMENT_SORT),  # type: ignore[arg-type]
        pagination_token=pagination_token,
        filter=filter,
    )


def search_request(
    query: str,
    collection_ids: Sequence[str],
    limit: int | None,
    instructions: str | None,
    retrieval_mode: RetrievalMode | None,
) -> documents_pb2.SearchRequest:
    """The request of ``collections.search``."""
    if isinstance(collection_ids, str):
        raise ValueError(f"collection_ids must be a list of ids, e.g. [{collection_ids!r}], not a string")
    request = documents_pb2.SearchRequest(
        query=query,
        source=documents_pb2.DocumentsSource(collection_ids=collection_ids),
        limit=limit,
        instructions=instructions,
    )
    if retrieval_mode is None:
        return request
    for field, message_class in _RETRIEVAL.values():
        if isinstance(retrieval_mode, message_class):
            getattr(request, field).CopyFrom(retrieval_mode)
            return request
    if not isinstance(retrieval_mode, str) or retrieval_mode not in _RETRIEVAL:
        raise ValueError(
            f"Unsupported retrieval_mode {retrieval_mode!r}: use 'hybrid', 'semantic' or 'keyword', "
            "or a documents_pb2.HybridRetrieval/SemanticRetrieval/KeywordRetrieval message"
        )
    field, message_class = _RETRIEVAL[retrieval_mode]
    getattr(request, field).CopyFrom(message_class())
    return request


# -- the client ------------------------------------------------------------------------------

_WORKING = frozenset(
    {
        collections_pb2.DOCUMENT_STATUS_PROCESSING,
        collections_pb2.DOCUMENT_STATUS_CHUNKED,
        collections_pb2.DOCUMENT_STATUS_EMBEDDING,
        collections_pb2.DOCUMENT_STATUS_WRITING,
    }
)


class BaseClient:
    """What the blocking and asyncio ``client.collections`` share: stubs, call settings and flows."""

    def __init__(
        self,
        api_channel: grpc.Channel | grpc.aio.Channel,
        api_calls: CallSettings,
        management_channel: grpc.Channel | grpc.aio.Channel | None,
        management_calls: CallSettings | None,
    ) -> None:
        self._documents_stub = documents_pb2_grpc.DocumentsStub(api_channel)
        self._files_stub = files_pb2_grpc.FilesStub(api_channel)
        self._api_calls = api_calls
        self._management = (
            (collections_pb2_grpc.CollectionsStub(management_channel), management_calls)
            if management_channel is not None and management_calls is not None
            else None
        )

    def _collections(self, timeout: float | None) -> tuple[Any, dict[str, Any]]:
        """The Collections stub and the keyword arguments of a management call."""
        if self._management is None:
            raise ValueError(
                "client.collections needs a management API key: pass management_api_key=... to the client "
                "or set XAI_MANAGEMENT_KEY (create one in the xAI console). Only collections.search works without it."
            )
        stub, calls = self._management
        return stub, calls.kwargs(timeout)

    @property
    def _management_target(self) -> str | None:
        """The management host collection changes go to (reported on telemetry spans)."""
        return self._management[1].target if self._management is not None else None

    def _upload_document_flow(
        self,
        collection_id: str,
        *,
        name: str,
        data: bytes,
        fields: Mapping[str, str] | None,
        wait_for_indexing: bool,
        poll_interval: datetime.timedelta | None,
        timeout: datetime.timedelta | None,
        call_timeout: float | None,
    ) -> Flow[collections_pb2.DocumentMetadata]:
        """Upload ``data`` as a file, add it to the collection, and optionally wait until it is indexed."""
        stub, kwargs = self._collections(call_timeout)  # before uploading: fail fast without a management key
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValueError(f"data must be the document's bytes, got {type(data).__name__}; e.g. text.encode()")
        upload = prepare_upload(data, filename=name)
        file = yield Call(self._files_stub.UploadFile, upload.messages(), self._api_calls.kwargs(call_timeout))
        add = collections_pb2.AddDocumentToCollectionRequest(
            collection_id=collection_id, file_id=file.id, fields=fields
        )
        yield Call(stub.AddDocumentToCollection, add, kwargs)
        get = collections_pb2.GetDocumentMetadataRequest(file_id=file.id, collection_id=collection_id)
        if not wait_for_indexing:
            return (yield Call(stub.GetDocumentMetadata, get, kwargs))  # type: ignore[no-any-return]
        timer = PollTimer(
            timeout or DEFAULT_INDEXING_TIMEOUT,
            poll_interval or DEFAULT_INDEXING_POLL_INTERVAL,
            context=f"waiting for document {file.id} to be indexed in collection {collection_id}",
        )
        while True:
            document = yield Call(stub.GetDocumentMetadata, get, kwargs)
            if document.status == collections_pb2.DOCUMENT_STATUS_PROCESSED:
                return document  # type: ignore[no-any-return]
            if document.status == collections_pb2.DOCUMENT_STATUS_FAILED:
                raise ValueError(f"Document indexing failed: {document.error_message}")
            if document.status not in _WORKING:
                warnings.warn(
                    f"Unknown document status {document.status} while waiting for indexing; polling on",
                    RuntimeWarning,
                    stacklevel=4,
                )
            yield Sleep(timer.sleep_interval_or_raise())
