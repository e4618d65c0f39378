"""The fake's Documents search, through real gRPC and the generated stubs."""

from __future__ import annotations

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults.collections import CollectionsState
from xai_sdk.proto import (
    collections_pb2,
    collections_pb2_grpc,
    documents_pb2,
    documents_pb2_grpc,
    files_pb2,
    files_pb2_grpc,
    types_pb2,
)

Metadata = tuple[tuple[str, str], ...]

LIBRARY = {
    "refunds.txt": "Refund policy: customers may request a refund within 30 days of purchase.",
    "shipping.txt": "Shipping takes 5 days. Orders ship from our warehouse every weekday.",
    "privacy.txt": "We never sell personal data. Customers may request deletion of their data.",
}


def _upload(files: files_pb2_grpc.FilesStub, md: Metadata, name: str, text: str) -> str:
    chunks = [
        files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name=name)),
        files_pb2.UploadFileChunk(data=text.encode()),
    ]
    return str(files.UploadFile(iter(chunks), metadata=md).id)


@pytest.fixture
def library(channel: grpc.Channel, fake: FakeServer, md: Metadata, mgmt_md: Metadata) -> dict[str, str]:
    """A collection holding LIBRARY; yields ids by name, plus ``collection``."""
    files = files_pb2_grpc.FilesStub(channel)
    collections = collections_pb2_grpc.CollectionsStub(channel)
    collection_id = collections.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="help-center"), metadata=mgmt_md
    ).collection_id
    ids = {"collection": collection_id}
    for name, text in LIBRARY.items():
        ids[name] = _upload(files, md, name, text)
        collections.AddDocumentToCollection(
            collections_pb2.AddDocumentToCollectionRequest(collection_id=collection_id, file_id=ids[name]),
            metadata=mgmt_md,
        )
    return ids


@pytest.fixture
def stub(channel: grpc.Channel, fake: FakeServer) -> documents_pb2_grpc.DocumentsStub:
    """A Documents stub on a freshly reset fake."""
    return documents_pb2_grpc.DocumentsStub(channel)


def search(query: str, *collection_ids: str, **kwargs: int) -> documents_pb2.SearchRequest:
    return documents_pb2.SearchRequest(
        query=query, source=documents_pb2.DocumentsSource(collection_ids=collection_ids), **kwargs
    )


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("How do I get a refund?", "refunds.txt"),
        ("when do orders ship", "shipping.txt"),
        ("delete my data", "privacy.txt"),
    ],
)
def test_search_ranks_the_relevant_document_first(
    stub: documents_pb2_grpc.DocumentsStub, md: Metadata, library: dict[str, str], query: str, best: str
) -> None:
    response = stub.Search(search(query, library["collection"]), metadata=md)
    top = response.matches[0]
    assert top.file_id == library[best]
    assert top.chunk_content == LIBRARY[best]
    assert list(top.collection_ids) == [library["collection"]]
    assert top.chunk_id.startswith(library[best])
    scores = [m.score for m in response.matches]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] <= scores[0] <= 1
    assert stub.Search(search(query, library["collection"]), metadata=md) == response


async def test_search_async(aio_channel: grpc.aio.Channel, md: Metadata, library: dict[str, str]) -> None:
    stub = documents_pb2_grpc.DocumentsStub(aio_channel)
    response = await stub.Search(search("refund within 30 days", library["collection"]), metadata=md)
    assert response.matches[0].file_id == library["refunds.txt"]


def test_search_limits_and_chunks(
    stub: documents_pb2_grpc.DocumentsStub, channel: grpc.Channel, md: Metadata, mgmt_md: Metadata
) -> None:
    collections = collections_pb2_grpc.CollectionsStub(channel)
    config = types_pb2.ChunkConfiguration(
        chars_configuration=types_pb2.CharsConfiguration(max_chunk_size_chars=20, chunk_overlap_chars=0)
    )
    collection_id = collections.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="tiny", chunk_configuration=config), metadata=mgmt_md
    ).collection_id
    file_id = _upload(files_pb2_grpc.FilesStub(channel), md, "log.txt", "cat " * 100)
    collections.AddDocumentToCollection(
        collections_pb2.AddDocumentToCollectionRequest(collection_id=collection_id, file_id=file_id), metadata=mgmt_md
    )
    default = stub.Search(search("cat", collection_id), metadata=md)
    assert len(default.matches) == 10
    assert {len(m.chunk_content) for m in default.matches} <= {19, 20}
    assert len({m.chunk_id for m in default.matches}) == 10
    assert len(stub.Search(search("cat", collection_id, limit=3), metadata=md).matches) == 3
    assert list(stub.Search(search("dog", collection_id), metadata=md).matches) == []


def test_search_spans_collections(
    stub: documents_pb2_grpc.DocumentsStub, channel: grpc.Channel, md: Metadata, mgmt_md: Metadata,
    library: dict[str, str],
) -> None:  # fmt: skip
    collections = collections_pb2_grpc.CollectionsStub(channel)
    other = collections.CreateCollection(
        collections_pb2.CreateCollectionRequest(collection_name="copy"), metadata=mgmt_md
    ).collection_id
    collections.AddDocumentToCollection(
        collections_pb2.AddDocumentToCollectionRequest(collection_id=other, file_id=library["refunds.txt"]),
        metadata=mgmt_md,
    )
    response = stub.Search(search("refund", library["collection"], other), metadata=md)
    assert [(m.file_id, list(m.collection_ids)) for m in response.matches] == [
        (library["refunds.txt"], [library["collection"], other])
    ]


@pytest.mark.parametrize(
    ("request_", "code", "problem"),
    [
        (search("  ?! ", "c"), grpc.StatusCode.INVALID_ARGUMENT, "query must contain at least one word"),
        (search("refund"), grpc.StatusCode.INVALID_ARGUMENT, "source.collection_ids must name at least one"),
        (search("refund", "c", limit=0), grpc.StatusCode.INVALID_ARGUMENT, "limit must be positive"),
        (search("refund", "collection-404"), grpc.StatusCode.NOT_FOUND, "collection 'collection-404' not found"),
    ],
)
def test_bad_searches(
    stub: documents_pb2_grpc.DocumentsStub,
    md: Metadata,
    library: dict[str, str],
    request_: documents_pb2.SearchRequest,
    code: grpc.StatusCode,
    problem: str,
) -> None:
    if list(request_.source.collection_ids) == ["c"]:
        request_.source.collection_ids[0] = library["collection"]
    with pytest.raises(grpc.RpcError) as raised:
        stub.Search(request_, metadata=md)
    assert raised.value.code() == code
    assert problem in str(raised.value.details())


def test_reset_forgets_searchable_documents(
    stub: documents_pb2_grpc.DocumentsStub, md: Metadata, library: dict[str, str], fake: FakeServer
) -> None:
    assert stub.Search(search("refund", library["collection"]), metadata=md).matches
    fake.reset()
    with pytest.raises(grpc.RpcError) as raised:
        stub.Search(search("refund", library["collection"]), metadata=md)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_unknown_ranking_metric_is_an_invalid_argument(
    stub: documents_pb2_grpc.DocumentsStub, md: Metadata, library: dict[str, str]
) -> None:
    request_ = search("refund", library["collection"])
    request_.ranking_metric = 12  # type: ignore[assignment]
    with pytest.raises(grpc.RpcError) as raised:
        stub.Search(request_, metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == (
        "ranking_metric has no value 12; "
        "use one of RANKING_METRIC_UNKNOWN, RANKING_METRIC_L2_DISTANCE, RANKING_METRIC_COSINE_SIMILARITY"
    )


def test_search_reads_collections_through_their_typed_state(
    stub: documents_pb2_grpc.DocumentsStub, md: Metadata, library: dict[str, str], fake: FakeServer
) -> None:
    stored = fake.defaults.state.of(CollectionsState).collections[library["collection"]]
    del stored.documents[library["refunds.txt"]]
    response = stub.Search(search("refund policy", library["collection"]), metadata=md)
    assert library["refunds.txt"] not in {m.file_id for m in response.matches}
