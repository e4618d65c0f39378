"""The fake's Collections service, through real gRPC and the generated stubs."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xai_fake import FakeServer
from xai_fake.defaults.collections import CollectionsState
from xai_fake.defaults.files import FilesState
from xai_sdk.proto import collections_pb2, collections_pb2_grpc, files_pb2, files_pb2_grpc, shared_pb2, types_pb2

Metadata = tuple[tuple[str, str], ...]
PROCESSING, PROCESSED = collections_pb2.DOCUMENT_STATUS_PROCESSING, collections_pb2.DOCUMENT_STATUS_PROCESSED


@dataclass
class Api:
    """Stubs on a freshly reset fake, with the right key for each service."""

    files: files_pb2_grpc.FilesStub
    collections: collections_pb2_grpc.CollectionsStub
    md: Metadata
    mgmt_md: Metadata

    def upload(self, name: str, data: bytes) -> str:
        init = files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name=name))
        uploaded = self.files.UploadFile(iter([init, files_pb2.UploadFileChunk(data=data)]), metadata=self.md)
        return str(uploaded.id)

    def create(self, name: str, **kwargs: object) -> collections_pb2.CollectionMetadata:
        request = collections_pb2.CreateCollectionRequest(collection_name=name, **kwargs)  # type: ignore[arg-type]
        created: collections_pb2.CollectionMetadata = self.collections.CreateCollection(request, metadata=self.mgmt_md)
        return created

    def add(self, collection_id: str, name: str, data: bytes, **fields: str) -> str:
        file_id = self.upload(name, data)
        request = collections_pb2.AddDocumentToCollectionRequest(
            collection_id=collection_id, file_id=file_id, fields=fields
        )
        self.collections.AddDocumentToCollection(request, metadata=self.mgmt_md)
        return file_id

    def document(self, collection_id: str, file_id: str) -> collections_pb2.DocumentMetadata:
        request = collections_pb2.GetDocumentMetadataRequest(collection_id=collection_id, file_id=file_id)
        document: collections_pb2.DocumentMetadata = self.collections.GetDocumentMetadata(
            request, metadata=self.mgmt_md
        )
        return document


@pytest.fixture
def api(channel: grpc.Channel, fake: FakeServer, md: Metadata, mgmt_md: Metadata) -> Api:
    return Api(files_pb2_grpc.FilesStub(channel), collections_pb2_grpc.CollectionsStub(channel), md, mgmt_md)


def chars(size: int, overlap: int) -> types_pb2.ChunkConfiguration:
    return types_pb2.ChunkConfiguration(
        chars_configuration=types_pb2.CharsConfiguration(max_chunk_size_chars=size, chunk_overlap_chars=overlap)
    )


def test_collection_crud(api: Api) -> None:
    created = api.create("manuals", collection_description="how-tos", chunk_configuration=chars(100, 10))
    assert created.collection_id.startswith("collection-")
    assert (created.collection_name, created.collection_description) == ("manuals", "how-tos")
    assert created.chunk_configuration == chars(100, 10)
    assert created.index_configuration.model_name

    api.add(created.collection_id, "a.txt", b"12345")
    read = api.collections.GetCollectionMetadata(
        collections_pb2.GetCollectionMetadataRequest(collection_id=created.collection_id), metadata=api.mgmt_md
    )
    assert (read.documents_count, read.total_file_size) == (1, 5)

    updated = api.collections.UpdateCollection(
        collections_pb2.UpdateCollectionRequest(
            collection_id=created.collection_id, collection_name="guides", chunk_configuration=chars(50, 0)
        ),
        metadata=api.mgmt_md,
    )
    assert (updated.collection_name, updated.collection_description) == ("guides", "how-tos")
    assert updated.chunk_configuration == chars(50, 0)

    api.collections.DeleteCollection(
        collections_pb2.DeleteCollectionRequest(collection_id=created.collection_id), metadata=api.mgmt_md
    )
    with pytest.raises(grpc.RpcError) as raised:
        api.collections.GetCollectionMetadata(
            collections_pb2.GetCollectionMetadataRequest(collection_id=created.collection_id), metadata=api.mgmt_md
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert f"collection {created.collection_id!r} not found" in str(raised.value.details())


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        (collections_pb2.COLLECTIONS_SORT_BY_NAME, shared_pb2.ORDERING_ASCENDING, ["alpha", "beta", "gamma"]),
        (collections_pb2.COLLECTIONS_SORT_BY_NAME, shared_pb2.ORDERING_DESCENDING, ["gamma", "beta", "alpha"]),
        (collections_pb2.COLLECTIONS_SORT_BY_AGE, shared_pb2.ORDERING_ASCENDING, ["beta", "gamma", "alpha"]),
        (collections_pb2.COLLECTIONS_SORT_BY_AGE, shared_pb2.ORDERING_DESCENDING, ["alpha", "gamma", "beta"]),
    ],
)
def test_list_collections_sorts_and_pages(api: Api, sort_by: int, order: int, expected: list[str]) -> None:
    for name in ("beta", "gamma", "alpha"):
        api.create(name)
    request = collections_pb2.ListCollectionsRequest(limit=2, sort_by=sort_by, order=order)  # type: ignore[arg-type]
    first = api.collections.ListCollections(request, metadata=api.mgmt_md)
    assert first.HasField("pagination_token")
    request.pagination_token = first.pagination_token
    second = api.collections.ListCollections(request, metadata=api.mgmt_md)
    assert not second.HasField("pagination_token")
    assert [c.collection_name for c in [*first.collections, *second.collections]] == expected


def test_list_collections_filters(api: Api) -> None:
    big = api.create("SEC filings")
    api.create("SEC drafts")
    api.add(big.collection_id, "10k.txt", b"annual report")
    request = collections_pb2.ListCollectionsRequest(filter='collection_name:"sec" AND documents_count:>0')
    listed = api.collections.ListCollections(request, metadata=api.mgmt_md)
    assert [c.collection_id for c in listed.collections] == [big.collection_id]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (chars(100, 100), "chunk_overlap_chars must be at least 0 and smaller than max_chunk_size_chars (100)"),
        (chars(100, -1), "chunk_overlap_chars must be at least 0"),
        (chars(0, 0), "max_chunk_size_chars must be positive"),
        (
            types_pb2.ChunkConfiguration(
                tokens_configuration=types_pb2.TokensConfiguration(max_chunk_size_tokens=8, chunk_overlap_tokens=9)
            ),
            "chunk_overlap_tokens must be at least 0 and smaller than max_chunk_size_tokens (8)",
        ),
        (types_pb2.ChunkConfiguration(strip_whitespace=True), "must set chars_configuration"),
    ],
)
@pytest.mark.parametrize("rpc", ["create", "update"])
def test_bad_chunk_configurations_are_invalid(
    api: Api, rpc: str, config: types_pb2.ChunkConfiguration, problem: str
) -> None:
    request: collections_pb2.CreateCollectionRequest | collections_pb2.UpdateCollectionRequest
    if rpc == "create":
        call, request = api.collections.CreateCollection, collections_pb2.CreateCollectionRequest(collection_name="b")
    else:
        call, request = (
            api.collections.UpdateCollection,
            collections_pb2.UpdateCollectionRequest(collection_id=api.create("good").collection_id),
        )
    request.chunk_configuration.CopyFrom(config)
    with pytest.raises(grpc.RpcError) as raised:
        call(request, metadata=api.mgmt_md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert problem in str(raised.value.details())


def test_create_needs_a_name(api: Api) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        api.create(" ")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "collection_name is required" in str(raised.value.details())


def test_collections_need_the_management_key(api: Api) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        api.collections.ListCollections(collections_pb2.ListCollectionsRequest(), metadata=api.md)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_document_is_processing_then_processed(api: Api) -> None:
    collection_id = api.create("docs", chunk_configuration=chars(10, 2)).collection_id
    file_id = api.add(collection_id, "notes.txt", b"abcdefghijklmnopqrstuvwxyz", topic="letters")

    first = api.document(collection_id, file_id)
    assert first.status == PROCESSING
    assert not first.HasField("chunk_count")
    second = api.document(collection_id, file_id)
    assert second.status == PROCESSED
    assert (second.chunk_count, second.chunks_processed_count) == (3, 3)
    assert second.last_indexed_at.seconds > 0
    assert (second.file_metadata.file_id, second.file_metadata.name) == (file_id, "notes.txt")
    assert (second.file_metadata.size_bytes, second.file_metadata.content_type) == (26, "text/plain")
    assert dict(second.fields) == {"topic": "letters"}

    api.collections.ReIndexDocument(
        collections_pb2.ReIndexDocumentRequest(collection_id=collection_id, file_id=file_id), metadata=api.mgmt_md
    )
    assert [api.document(collection_id, file_id).status for _ in range(3)] == [PROCESSING, PROCESSED, PROCESSED]


def test_documents_index_at_once_with_no_indexing_time(api: Api, fake: FakeServer) -> None:
    collections = fake.defaults.services["collections.Collections"]
    collections.indexing_seconds = 0
    try:
        collection_id = api.create("docs", chunk_configuration=chars(10, 2)).collection_id
        file_id = api.add(collection_id, "notes.txt", b"abcdefghijklmnopqrstuvwxyz")
        first = api.document(collection_id, file_id)
        assert (first.status, first.chunk_count) == (PROCESSED, 3)
        api.collections.ReIndexDocument(
            collections_pb2.ReIndexDocumentRequest(collection_id=collection_id, file_id=file_id), metadata=api.mgmt_md
        )
        assert api.document(collection_id, file_id).status == PROCESSED
    finally:
        collections.indexing_seconds = 30.0


async def test_document_lifecycle_async(aio_channel: grpc.aio.Channel, md: Metadata, mgmt_md: Metadata) -> None:
    files = files_pb2_grpc.FilesStub(aio_channel)
    stub = collections_pb2_grpc.CollectionsStub(aio_channel)
    chunks = [
        files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="async.md")),
        files_pb2.UploadFileChunk(data=b"# async"),
    ]
    uploaded = await files.UploadFile(iter(chunks), metadata=md)
    created = await stub.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="a"), metadata=mgmt_md
    )
    await stub.AddDocumentToCollection(
        collections_pb2.AddDocumentToCollectionRequest(collection_id=created.collection_id, file_id=uploaded.id),
        metadata=mgmt_md,
    )
    request = collections_pb2.GetDocumentMetadataRequest(collection_id=created.collection_id, file_id=uploaded.id)
    statuses = [(await stub.GetDocumentMetadata(request, metadata=mgmt_md)).status for _ in range(2)]
    assert statuses == [PROCESSING, PROCESSED]


def test_list_and_batch_get_documents(api: Api) -> None:
    collection_id = api.create("docs").collection_id
    ids = {name: api.add(collection_id, name, b"x" * size) for name, size in [("b.txt", 3), ("a.txt", 9), ("c.txt", 1)]}

    request = collections_pb2.ListDocumentsRequest(
        collection_id=collection_id, limit=2, sort_by=collections_pb2.DOCUMENTS_SORT_BY_SIZE
    )
    first = api.collections.ListDocuments(request, metadata=api.mgmt_md)
    request.pagination_token = first.pagination_token
    second = api.collections.ListDocuments(request, metadata=api.mgmt_md)
    listed = [*first.documents, *second.documents]
    assert [d.file_metadata.name for d in listed] == ["c.txt", "b.txt", "a.txt"]
    assert {d.status for d in listed} == {PROCESSING}
    assert not second.HasField("pagination_token")

    by_name = collections_pb2.ListDocumentsRequest(collection_id=collection_id, name="a.")
    assert [
        d.file_metadata.file_id for d in api.collections.ListDocuments(by_name, metadata=api.mgmt_md).documents
    ] == [ids["a.txt"]]

    batch = api.collections.BatchGetDocuments(
        collections_pb2.BatchGetDocumentsRequest(collection_id=collection_id, file_ids=[ids["c.txt"], ids["a.txt"]]),
        metadata=api.mgmt_md,
    )
    assert [(d.file_metadata.file_id, d.status) for d in batch.documents] == [
        (ids["c.txt"], PROCESSED),
        (ids["a.txt"], PROCESSED),
    ]


def test_update_and_remove_document(api: Api) -> None:
    collection_id = api.create("docs").collection_id
    file_id = api.add(collection_id, "old.txt", b"old text", lang="en")
    api.document(collection_id, file_id)

    updated = api.collections.UpdateDocument(
        collections_pb2.UpdateDocumentRequest(
            collection_id=collection_id, file_id=file_id, name="new.md", data=b"brand new text", fields={"v": "2"}
        ),
        metadata=api.mgmt_md,
    )
    assert (updated.file_metadata.name, updated.file_metadata.size_bytes) == ("new.md", 14)
    assert dict(updated.fields) == {"lang": "en", "v": "2"}
    assert updated.status == PROCESSING  # new content is indexed again
    assert api.document(collection_id, file_id).status == PROCESSED

    api.collections.RemoveDocumentFromCollection(
        collections_pb2.RemoveDocumentFromCollectionRequest(collection_id=collection_id, file_id=file_id),
        metadata=api.mgmt_md,
    )
    with pytest.raises(grpc.RpcError) as raised:
        api.document(collection_id, file_id)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert f"document {file_id!r} is not in collection {collection_id!r}" in str(raised.value.details())


def test_field_definitions_are_enforced(api: Api) -> None:
    isbn = collections_pb2.FieldDefinition(key="isbn", required=True, unique=True)
    collection_id = api.create("books", field_definitions=[isbn]).collection_id
    api.add(collection_id, "one.txt", b"1", isbn="111")
    for fields, code, problem in [
        ({}, grpc.StatusCode.INVALID_ARGUMENT, "field 'isbn' is required"),
        ({"isbn": "111"}, grpc.StatusCode.ALREADY_EXISTS, "field 'isbn' must be unique"),
    ]:
        with pytest.raises(grpc.RpcError) as raised:
            api.add(collection_id, "two.txt", b"2", **fields)
        assert raised.value.code() == code
        assert problem in str(raised.value.details())


@pytest.mark.parametrize(
    ("method", "request_", "missing"),
    [
        ("GetCollectionMetadata", collections_pb2.GetCollectionMetadataRequest(collection_id="nope"), "'nope'"),
        ("DeleteCollection", collections_pb2.DeleteCollectionRequest(collection_id="nope"), "'nope'"),
        ("UpdateCollection", collections_pb2.UpdateCollectionRequest(collection_id="nope"), "'nope'"),
        ("ListDocuments", collections_pb2.ListDocumentsRequest(collection_id="nope"), "'nope'"),
        (
            "GenerateCollectionDescription",
            collections_pb2.GenerateCollectionDescriptionRequest(collection_id="nope"),
            "'nope'",
        ),
        ("AddDocumentToCollection", collections_pb2.AddDocumentToCollectionRequest(file_id="f-x"), "file 'f-x'"),
        ("GetDocumentMetadata", collections_pb2.GetDocumentMetadataRequest(file_id="f-x"), "document 'f-x'"),
        ("BatchGetDocuments", collections_pb2.BatchGetDocumentsRequest(file_ids=["f-x"]), "document 'f-x'"),
        ("ReIndexDocument", collections_pb2.ReIndexDocumentRequest(file_id="f-x"), "document 'f-x'"),
        ("UpdateDocument", collections_pb2.UpdateDocumentRequest(file_id="f-x"), "document 'f-x'"),
        (
            "RemoveDocumentFromCollection",
            collections_pb2.RemoveDocumentFromCollectionRequest(file_id="f-x"),
            "document 'f-x'",
        ),
    ],
)
def test_unknown_ids_are_not_found(api: Api, method: str, request_: object, missing: str) -> None:
    if not getattr(request_, "collection_id"):  # noqa: B009
        request_.collection_id = api.create("real").collection_id  # type: ignore[attr-defined]
    with pytest.raises(grpc.RpcError) as raised:
        getattr(api.collections, method)(request_, metadata=api.mgmt_md)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert missing in str(raised.value.details())


def test_adding_twice_is_already_exists(api: Api) -> None:
    collection_id = api.create("docs").collection_id
    file_id = api.add(collection_id, "a.txt", b"a")
    with pytest.raises(grpc.RpcError) as raised:
        api.collections.AddDocumentToCollection(
            collections_pb2.AddDocumentToCollectionRequest(collection_id=collection_id, file_id=file_id),
            metadata=api.mgmt_md,
        )
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_generate_description_names_the_topics(api: Api) -> None:
    collection_id = api.create("pets").collection_id
    request = collections_pb2.GenerateCollectionDescriptionRequest(collection_id=collection_id)
    assert api.collections.GenerateCollectionDescription(request, metadata=api.mgmt_md).collection_description == ""
    api.add(collection_id, "cats.txt", b"Cats purr. Cats sleep. The cats and dogs.")
    api.add(collection_id, "dogs.txt", b"Dogs bark at the mailman.")
    description = api.collections.GenerateCollectionDescription(request, metadata=api.mgmt_md)
    assert description.collection_description == "2 documents about cats, dogs, bark, mailman, purr."


def test_reset_empties_collections(api: Api, fake: FakeServer) -> None:
    collection_id = api.create("temp").collection_id
    file_id = api.add(collection_id, "t.txt", b"t")
    state = fake.defaults.state
    assert list(state.of(FilesState).files) == [file_id]
    assert list(state.of(CollectionsState).collections) == [collection_id]
    assert list(state.of(CollectionsState).collections[collection_id].documents) == [file_id]
    fake.reset()
    assert fake.defaults.state.kept == {}
    assert (state.of(FilesState).files, state.of(CollectionsState).collections) == ({}, {})
    listed = api.collections.ListCollections(collections_pb2.ListCollectionsRequest(), metadata=api.mgmt_md)
    assert list(listed.collections) == []


def test_update_collection_adds_and_deletes_field_definitions(api: Api) -> None:
    collection_id = api.create("books").collection_id
    file_id = api.add(collection_id, "b.txt", b"b", isbn="9", shelf="3")
    add = collections_pb2.FieldDefinitionUpdate(field_definition=collections_pb2.FieldDefinition(key="isbn"))
    updated = api.collections.UpdateCollection(
        collections_pb2.UpdateCollectionRequest(collection_id=collection_id, field_definition_updates=[add]),
        metadata=api.mgmt_md,
    )
    assert [d.key for d in updated.field_definitions] == ["isbn"]
    delete = collections_pb2.FieldDefinitionUpdate(
        field_definition=collections_pb2.FieldDefinition(key="isbn"), operation=collections_pb2.FIELD_DEFINITION_DELETE
    )
    request = collections_pb2.UpdateCollectionRequest(collection_id=collection_id, field_definition_updates=[delete])
    assert list(api.collections.UpdateCollection(request, metadata=api.mgmt_md).field_definitions) == []
    assert dict(api.document(collection_id, file_id).fields) == {"shelf": "3"}
    with pytest.raises(grpc.RpcError) as raised:
        api.collections.UpdateCollection(request, metadata=api.mgmt_md)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no field definition 'isbn' to delete" in str(raised.value.details())


# -- one paginator, one enum check -------------------------------------------------------------

PAGING = settings(
    derandomize=True, max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ORDERS = st.sampled_from(list(shared_pb2.Ordering.values()))


def walk(call: object, request: object, md: Metadata, items: str) -> list[list[str]]:
    """The ids of every page of a listing, following the pagination tokens to the end."""
    pages: list[list[str]] = []
    while True:
        response = call(request, metadata=md)  # type: ignore[operator]
        listed = getattr(response, items)
        pages.append([x.collection_id if items == "collections" else x.file_metadata.file_id for x in listed])
        if not response.HasField("pagination_token"):
            return pages
        request.pagination_token = response.pagination_token  # type: ignore[attr-defined]
        assert len(pages) < 100, "the pagination tokens never end"


def check_pages(pages: list[list[str]], everything: list[str], limit: int) -> None:
    assert [i for p in pages for i in p] == everything  # nothing lost, repeated or out of order
    assert all(len(p) == limit for p in pages[:-1])
    assert len(pages) == max(1, -(-len(everything) // limit))


@PAGING
@given(
    count=st.integers(0, 8),
    limit=st.integers(1, 10),
    sort_by=st.sampled_from(list(collections_pb2.CollectionsSortBy.values())),
    order=ORDERS,
)
def test_list_collections_walks_every_collection_once(
    api: Api, fake: FakeServer, count: int, limit: int, sort_by: int, order: int
) -> None:
    fake.reset()
    for i in range(count):
        api.create(f"c{(i * 5) % 3}-{i}")
    request = collections_pb2.ListCollectionsRequest(sort_by=sort_by, order=order)  # type: ignore[arg-type]
    everything = [c.collection_id for c in api.collections.ListCollections(request, metadata=api.mgmt_md).collections]
    assert len(everything) == count
    request.limit = limit
    check_pages(walk(api.collections.ListCollections, request, api.mgmt_md, "collections"), everything, limit)


@PAGING
@given(
    count=st.integers(0, 8),
    limit=st.integers(1, 10),
    sort_by=st.sampled_from(list(collections_pb2.DocumentsSortBy.values())),
    order=ORDERS,
)
def test_list_documents_walks_every_document_once(
    api: Api, fake: FakeServer, count: int, limit: int, sort_by: int, order: int
) -> None:
    fake.reset()
    collection_id = api.create("docs").collection_id
    for i in range(count):
        api.add(collection_id, f"d{(i * 5) % 3}-{i}.txt", b"x" * ((i * 7) % 4))
    request = collections_pb2.ListDocumentsRequest(
        collection_id=collection_id,
        sort_by=sort_by,  # type: ignore[arg-type]
        order=order,  # type: ignore[arg-type]
    )
    listed = api.collections.ListDocuments(request, metadata=api.mgmt_md).documents
    everything = [d.file_metadata.file_id for d in listed]
    assert len(everything) == count
    request.limit = limit
    check_pages(walk(api.collections.ListDocuments, request, api.mgmt_md, "documents"), everything, limit)


def _fails(call: object, request: object, md: Metadata) -> str:
    with pytest.raises(grpc.RpcError) as raised:
        call(request, metadata=md)  # type: ignore[operator]
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return str(raised.value.details())


@pytest.mark.parametrize("listing", ["collections", "documents"])
@pytest.mark.parametrize(
    ("fields", "fix"),
    [
        ({"pagination_token": "nonsense"}, "pass the pagination_token of the previous page"),
        ({"limit": -1}, "limit must not be negative, got -1; limit must be between 1 and 1000"),
        ({"limit": 1001}, "limit must be between 1 and 1000 (0 for the default, 100), got 1001"),
    ],
)
def test_bad_tokens_and_limits_name_the_fix(api: Api, listing: str, fields: dict[str, object], fix: str) -> None:
    collection_id = api.create("docs").collection_id
    api.add(collection_id, "a.txt", b"a")
    request: collections_pb2.ListCollectionsRequest | collections_pb2.ListDocumentsRequest
    if listing == "collections":
        call, request = api.collections.ListCollections, collections_pb2.ListCollectionsRequest(**fields)  # type: ignore[arg-type]
    else:
        call = api.collections.ListDocuments
        request = collections_pb2.ListDocumentsRequest(collection_id=collection_id, **fields)  # type: ignore[arg-type]
    assert fix in _fails(call, request, api.mgmt_md)


def test_page_tokens_belong_to_their_listing(api: Api) -> None:
    first, second = (api.create(name).collection_id for name in ("first", "second"))
    for collection_id in (first, second):
        for name in ("a.txt", "b.txt"):
            api.add(collection_id, name, b"x")
    collections_token = api.collections.ListCollections(
        collections_pb2.ListCollectionsRequest(limit=1), metadata=api.mgmt_md
    ).pagination_token
    documents_token = api.collections.ListDocuments(
        collections_pb2.ListDocumentsRequest(collection_id=first, limit=1), metadata=api.mgmt_md
    ).pagination_token
    assert collections_token
    assert documents_token

    wrong_listing = collections_pb2.ListDocumentsRequest(collection_id=first, pagination_token=collections_token)
    assert f"is not a {first} documents token" in _fails(api.collections.ListDocuments, wrong_listing, api.mgmt_md)
    wrong_collection = collections_pb2.ListDocumentsRequest(collection_id=second, pagination_token=documents_token)
    details = _fails(api.collections.ListDocuments, wrong_collection, api.mgmt_md)
    assert f"is not a {second} documents token" in details
    wrong_kind = collections_pb2.ListCollectionsRequest(pagination_token=documents_token)
    assert "is not a collections token" in _fails(api.collections.ListCollections, wrong_kind, api.mgmt_md)


@pytest.mark.parametrize(
    ("rpc", "fields", "message"),
    [
        (
            "ListCollections",
            {"sort_by": 5},
            "sort_by has no value 5; use one of COLLECTIONS_SORT_BY_NAME, COLLECTIONS_SORT_BY_AGE",
        ),
        (
            "ListCollections",
            {"order": 9},
            "order has no value 9; use one of ORDERING_UNKNOWN, ORDERING_ASCENDING, ORDERING_DESCENDING",
        ),
        (
            "ListDocuments",
            {"sort_by": -3},
            "sort_by has no value -3; use one of DOCUMENTS_SORT_BY_NAME, DOCUMENTS_SORT_BY_SIZE, DOCUMENTS_SORT_BY_AGE",
        ),
        (
            "ListDocuments",
            {"order": -1},
            "order has no value -1; use one of ORDERING_UNKNOWN, ORDERING_ASCENDING, ORDERING_DESCENDING",
        ),
        (
            "CreateCollection",
            {"collection_name": "x", "metric_space": 42},
            "metric_space has no value 42; use one of HNSW_METRIC_UNKNOWN, "
            "HNSW_METRIC_COSINE, HNSW_METRIC_EUCLIDEAN, HNSW_METRIC_INNER_PRODUCT",
        ),
    ],
)
def test_unknown_enum_values_are_invalid_arguments(api: Api, rpc: str, fields: dict[str, object], message: str) -> None:
    request_type = getattr(collections_pb2, f"{rpc}Request")
    if rpc == "ListDocuments":
        fields = {"collection_id": api.create("docs").collection_id, **fields}
    assert _fails(getattr(api.collections, rpc), request_type(**fields), api.mgmt_md) == message


def test_unknown_field_definition_operation_changes_nothing(api: Api) -> None:
    collection_id = api.create("books").collection_id
    add = collections_pb2.FieldDefinitionUpdate(field_definition=collections_pb2.FieldDefinition(key="isbn"))
    bad = collections_pb2.FieldDefinitionUpdate(
        field_definition=collections_pb2.FieldDefinition(key="shelf"),
        operation=7,  # type: ignore[arg-type]
    )
    request = collections_pb2.UpdateCollectionRequest(
        collection_id=collection_id, collection_name="renamed", field_definition_updates=[add, bad]
    )
    details = _fails(api.collections.UpdateCollection, request, api.mgmt_md)
    assert details == (
        "field_definition_updates[1].operation has no value 7; use one of FIELD_DEFINITION_ADD, FIELD_DEFINITION_DELETE"
    )
    read = api.collections.GetCollectionMetadata(
        collections_pb2.GetCollectionMetadataRequest(collection_id=collection_id), metadata=api.mgmt_md
    )
    assert (read.collection_name, list(read.field_definitions)) == ("books", [])
