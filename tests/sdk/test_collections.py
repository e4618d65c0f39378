"""client.collections through real gRPC against xai_fake; every scenario runs on the sync and the async client."""

from __future__ import annotations

import datetime
import inspect
from typing import Any

import grpc
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk.proto import collections_pb2, documents_pb2, shared_pb2, types_pb2

FAST = {"poll_interval": datetime.timedelta(milliseconds=2)}
CHARS = {"chars_configuration": {"max_chunk_size_chars": 200, "chunk_overlap_chars": 20}}
AUTHOR = {"key": "author", "required": False, "inject_into_chunk": True, "unique": False}


async def settle(value: Any) -> Any:
    """The value of a sync call, or of an async call once awaited."""
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def client(
    request: pytest.FixtureRequest, xai_client: xai_sdk.Client, xai_async_client: xai_sdk.AsyncClient
) -> xai_sdk.Client | xai_sdk.AsyncClient:
    """The blocking client, then the async one."""
    return xai_client if request.param == "sync" else xai_async_client


async def test_collection_lifecycle(client: Any, xai_fake_server: FakeServer) -> None:
    created = await settle(
        client.collections.create(
            "research",
            model_name="grok-embedding-small",
            chunk_configuration=CHARS,
            metric_space="cosine",
            field_definitions=[AUTHOR],
            description="Papers",
        )
    )
    sent: Any = xai_fake_server.requests.last("Collections/CreateCollection")
    assert sent.metric_space == types_pb2.HNSW_METRIC_COSINE
    assert sent.index_configuration.model_name == "grok-embedding-small"
    assert sent.chunk_configuration.chars_configuration.max_chunk_size_chars == 200
    assert (created.collection_name, created.collection_description) == ("research", "Papers")
    assert [d.key for d in created.field_definitions] == ["author"]
    other = await settle(client.collections.create("archive"))

    fetched = await settle(client.collections.get(created.collection_id))
    assert fetched.collection_id == created.collection_id
    names = lambda page: [c.collection_name for c in page.collections]  # noqa: E731
    assert names(await settle(client.collections.list(sort_by="name", order="desc"))) == ["research", "archive"]
    listed: Any = xai_fake_server.requests.last("Collections/ListCollections")
    assert listed.order == shared_pb2.ORDERING_DESCENDING
    assert names(await settle(client.collections.list(filter='collection_name:"archi"'))) == ["archive"]
    first = await settle(client.collections.list(limit=1, sort_by="name"))
    second = await settle(client.collections.list(limit=1, sort_by="name", pagination_token=first.pagination_token))
    assert names(first) + names(second) == ["archive", "research"]

    updated = await settle(
        client.collections.update(
            created.collection_id,
            name="papers",
            description="All papers",
            chunk_configuration={"tokens_configuration": {
                "max_chunk_size_tokens": 50, "chunk_overlap_tokens": 5, "encoding_name": "cl100k_base",
            }},
            field_definitions=[
                {"operation": "delete", "key": "author"},
                {"operation": "add", "field_definition": {**AUTHOR, "key": "year", "description": "Year"}},
            ],
        )
    )  # fmt: skip
    assert (updated.collection_name, updated.collection_description) == ("papers", "All papers")
    assert [d.key for d in updated.field_definitions] == ["year"]
    assert updated.chunk_configuration.WhichOneof("config") == "tokens_configuration"

    assert await settle(client.collections.delete(other.collection_id)) is None
    with pytest.raises(grpc.RpcError) as info:
        await settle(client.collections.get(other.collection_id))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_documents_go_from_processing_to_processed(client: Any, xai_fake_server: FakeServer) -> None:
    collection = await settle(client.collections.create("docs", field_definitions=[AUTHOR]))
    cid = collection.collection_id
    waited = await settle(
        client.collections.upload_document(
            cid,
            "refunds.txt",
            b"Refunds are paid within thirty days.",
            {"author": "ann"},
            wait_for_indexing=True,
            **FAST,
        )
    )
    assert waited.status == collections_pb2.DOCUMENT_STATUS_PROCESSED
    assert (waited.file_metadata.name, dict(waited.fields)) == ("refunds.txt", {"author": "ann"})
    assert xai_fake_server.requests.count("Collections/GetDocumentMetadata") == 2  # PROCESSING, then PROCESSED
    uploaded: Any = xai_fake_server.requests.last("Files/UploadFile")
    assert uploaded.data == b"Refunds are paid within thirty days."

    fresh = await settle(client.collections.upload_document(cid, "new.txt", b"Brand new text."))
    assert fresh.status == collections_pb2.DOCUMENT_STATUS_PROCESSING

    existing = await settle(client.files.upload(b"Shipping takes two weeks.", filename="shipping.txt"))
    assert await settle(client.collections.add_existing_document(cid, existing.id, {"author": "bob"})) is None
    listed = await settle(client.collections.list_documents(cid, sort_by="name", order="asc"))
    assert [d.file_metadata.name for d in listed.documents] == ["new.txt", "refunds.txt", "shipping.txt"]
    only_bob = await settle(client.collections.list_documents(cid, filter='fields.author:"bob"'))
    assert [d.file_metadata.file_id for d in only_bob.documents] == [existing.id]

    batch = await settle(client.collections.batch_get_documents(cid, [waited.file_metadata.file_id, existing.id]))
    assert [d.file_metadata.file_id for d in batch.documents] == [waited.file_metadata.file_id, existing.id]
    assert (await settle(client.collections.get_document(existing.id, cid))).status == (
        collections_pb2.DOCUMENT_STATUS_PROCESSED
    )

    changed = await settle(
        client.collections.update_document(cid, existing.id, name="shipping-v2.txt", data=b"Shipping is free.")
    )
    assert (changed.file_metadata.name, changed.file_metadata.size_bytes) == ("shipping-v2.txt", 17)
    assert changed.status == collections_pb2.DOCUMENT_STATUS_PROCESSING  # new content is indexed again
    assert await settle(client.collections.reindex_document(cid, existing.id)) is None
    assert (await settle(client.collections.get_document(existing.id, cid))).status == (
        collections_pb2.DOCUMENT_STATUS_PROCESSING
    )
    description = await settle(client.collections.generate_description(cid))
    assert description.startswith("3 documents about")
    assert await settle(client.collections.remove_document(cid, existing.id)) is None
    with pytest.raises(grpc.RpcError) as info:
        await settle(client.collections.get_document(existing.id, cid))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    empty = await settle(client.collections.create("empty"))
    assert await settle(client.collections.generate_description(empty.collection_id)) == ""


async def test_search_ranks_best_first_and_sends_its_options(client: Any, xai_fake_server: FakeServer) -> None:
    first = await settle(client.collections.create("one"))
    second = await settle(client.collections.create("two"))
    for collection, name, text in [
        (first, "cats.txt", "Cats sleep most of the day."),
        (second, "both.txt", "Cats and dogs sleep a lot of the day."),
        (second, "cars.txt", "Cars need fuel."),
    ]:
        await settle(client.collections.upload_document(collection.collection_id, name, text.encode()))
    ids = [first.collection_id, second.collection_id]
    found = await settle(client.collections.search("dogs sleep", ids, 5, instructions="prefer pets"))
    scores = [match.score for match in found.matches]
    assert len(found.matches) == 2 and scores == sorted(scores, reverse=True)
    assert "dogs" in found.matches[0].chunk_content
    assert list(found.matches[0].collection_ids) == [second.collection_id]
    sent: Any = xai_fake_server.requests.last("Documents/Search")
    assert (list(sent.source.collection_ids), sent.limit, sent.instructions) == (ids, 5, "prefer pets")
    for mode, field in [("keyword", "keyword_retrieval"), (documents_pb2.SemanticRetrieval(), "semantic_retrieval")]:
        await settle(client.collections.search("cats", ids, retrieval_mode=mode))
        assert xai_fake_server.requests.last("Documents/Search").WhichOneof("retrieval_mode") == field
    assert len((await settle(client.collections.search("cats", ids, 1))).matches) == 1


async def test_indexing_failure_and_timeout(client: Any, xai_fake_server: FakeServer) -> None:
    cid = (await settle(client.collections.create("c"))).collection_id
    script = xai_fake_server.script("Collections/GetDocumentMetadata")
    script.respond(
        collections_pb2.DocumentMetadata(status=collections_pb2.DOCUMENT_STATUS_FAILED, error_message="bad PDF"),
        times=1,
    )
    with pytest.raises(ValueError, match="Document indexing failed: bad PDF"):
        await settle(client.collections.upload_document(cid, "a.pdf", b"x", wait_for_indexing=True, **FAST))
    script.respond(collections_pb2.DocumentMetadata(status=collections_pb2.DOCUMENT_STATUS_EMBEDDING))
    with pytest.raises(TimeoutError, match="to be indexed"):
        await settle(
            client.collections.upload_document(
                cid, "b.txt", b"x", wait_for_indexing=True, timeout=datetime.timedelta(milliseconds=20), **FAST
            )
        )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.create("x", chunk_configuration={}), "no chunking strategy"),
        (lambda c: c.create("x", chunk_configuration={**CHARS, "bytes_configuration": {
            "max_chunk_size_bytes": 9, "chunk_overlap_bytes": 1}}), "several chunking strategies"),
        (lambda c: c.create("x", chunk_configuration={"chars_configuration": {
            "max_chunk_size_chars": 10, "chunk_overlap_chars": 10}}), "0 <= chunk_overlap_chars < max_chunk_size"),
        (lambda c: c.create("x", chunk_configuration={"chars_configuration": {"max_chunk_size_chars": 10}}),
         r"missing \['chunk_overlap_chars'\]"),
        (lambda c: c.create("x", chunk_configuration={"chars_configuration": {
            "max_chunk_size_chars": "10", "chunk_overlap_chars": 1}}), "must be int"),
        (lambda c: c.create("x", chunk_configuration={**CHARS, "strip": True}), r"unknown \['strip'\]"),
        (lambda c: c.create("x", metric_space="manhattan"), "metric_space must be one of"),
        (lambda c: c.create("x", field_definitions=[{"key": "a"}]), "field definition: missing"),
        (lambda c: c.update("id"), "Nothing to update"),
        (lambda c: c.update("id", field_definitions=[{"operation": "rename"}]), "Unknown field definition operation"),
        (lambda c: c.list(sort_by="size"), "sort_by must be one of 'name', 'age'"),
        (lambda c: c.search("q", ["id"], retrieval_mode="fuzzy"), "Unsupported retrieval_mode 'fuzzy'"),
        (lambda c: c.search("q", "id"), "collection_ids must be a list"),
        (lambda c: c.upload_document("id", "a.txt", "text"), "data must be the document's bytes"),
    ],
)  # fmt: skip
async def test_bad_arguments_raise_value_errors_before_any_call(
    client: Any, xai_fake_server: FakeServer, call: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await settle(call(client.collections))
    assert xai_fake_server.requests.count() == 0


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_without_a_management_key_only_search_works(
    xai_fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.delenv("XAI_MANAGEMENT_KEY")
    factory = xai_fake_server.client if kind == "sync" else xai_fake_server.async_client
    client: Any = factory(management_api_key=None)
    try:
        calls = [
            lambda c: c.create("x"), lambda c: c.list(), lambda c: c.get("id"), lambda c: c.delete("id"),
            lambda c: c.upload_document("id", "a.txt", b"x"), lambda c: c.list_documents("id"),
            lambda c: c.generate_description("id"),
        ]  # fmt: skip
        for call in calls:
            with pytest.raises(ValueError, match="needs a management API key"):
                await settle(call(client.collections))
        assert xai_fake_server.requests.count("Files/UploadFile") == 0  # upload_document failed before uploading
        with pytest.raises(grpc.RpcError) as info:  # search needs only the API key; this collection is unknown
            await settle(client.collections.search("q", ["missing"]))
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await settle(client.close())


async def test_management_calls_carry_the_management_key_and_timeouts(xai_fake_server: FakeServer) -> None:
    async with xai_fake_server.async_client(management_api_key="not-the-key") as client:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await client.collections.create("x")
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with xai_fake_server.client() as blocking:
        xai_fake_server.fault(delay=5.0, service="Collections")
        with pytest.raises(grpc.RpcError) as late:
            blocking.collections.list(timeout=0.2)
        assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        with pytest.raises(grpc.RpcError) as late:
            blocking.collections.upload_document("c", "a.txt", b"x", call_timeout=0.2)
        assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
