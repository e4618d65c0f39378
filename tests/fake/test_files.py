"""The fake's Files service, through real gRPC and the generated stubs."""

from __future__ import annotations

import random
from collections.abc import Iterator

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xai_fake import FakeServer
from xai_fake.defaults.files import FilesState
from xai_sdk.proto import collections_pb2, collections_pb2_grpc, files_pb2, files_pb2_grpc

Metadata = tuple[tuple[str, str], ...]
MIB = 1 << 20


def chunks(name: str, data: bytes, size: int = MIB) -> Iterator[files_pb2.UploadFileChunk]:
    """An upload as a client sends it: the init, then the bytes in pieces of ``size``."""
    yield files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name=name))
    for start in range(0, len(data), size):
        yield files_pb2.UploadFileChunk(data=data[start : start + size])


def payload(size: int) -> bytes:
    """Non-repeating bytes, so a misplaced chunk cannot go unnoticed."""
    return random.Random(size).randbytes(size)


@pytest.fixture
def stub(channel: grpc.Channel, fake: FakeServer) -> files_pb2_grpc.FilesStub:
    """A Files stub on a freshly reset fake."""
    return files_pb2_grpc.FilesStub(channel)


def upload(stub: files_pb2_grpc.FilesStub, md: Metadata, name: str, data: bytes) -> files_pb2.File:
    response: files_pb2.File = stub.UploadFile(chunks(name, data), metadata=md)
    return response


@pytest.mark.parametrize(("size", "pieces"), [(0, 0), (11, 1), (2 * MIB + 5, 3)])
def test_upload_and_download_round_trip_the_bytes(
    stub: files_pb2_grpc.FilesStub, md: Metadata, size: int, pieces: int
) -> None:
    data = payload(size)
    uploaded = upload(stub, md, "blob.bin", data)
    assert (uploaded.filename, uploaded.size) == ("blob.bin", size)
    assert uploaded.id.startswith("file-")
    assert uploaded.created_at.seconds > 0

    received = list(stub.RetrieveFileContent(files_pb2.RetrieveFileContentRequest(file_id=uploaded.id), metadata=md))
    assert len(received) == pieces
    assert all(len(chunk.data) <= MIB for chunk in received)
    assert b"".join(chunk.data for chunk in received) == data
    assert stub.RetrieveFile(files_pb2.RetrieveFileRequest(file_id=uploaded.id), metadata=md) == uploaded


async def test_upload_and_download_async(aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    stub = files_pb2_grpc.FilesStub(aio_channel)
    data = payload(MIB + 3)
    uploaded = await stub.UploadFile(chunks("async.bin", data, size=300_000), metadata=md)
    assert uploaded.size == len(data)
    call = stub.RetrieveFileContent(files_pb2.RetrieveFileContentRequest(file_id=uploaded.id), metadata=md)
    received = [chunk.data async for chunk in call]
    assert [len(piece) for piece in received] == [MIB, 3]
    assert b"".join(received) == data


@pytest.mark.parametrize(
    ("messages", "problem"),
    [
        ([], "first UploadFileChunk must carry `init`"),
        ([files_pb2.UploadFileChunk(data=b"abc")], "first UploadFileChunk must carry `init`"),
        ([files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit())], "init.name is required"),
        (
            [files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="a"))] * 2,
            "message 1 of the upload must carry `data`",
        ),
        (
            [files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="a", expires_after=-5))],
            "expires_after must be a positive number",
        ),
    ],
)
def test_malformed_uploads_are_invalid_arguments(
    stub: files_pb2_grpc.FilesStub,
    md: Metadata,
    fake: FakeServer,
    messages: list[files_pb2.UploadFileChunk],
    problem: str,
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.UploadFile(iter(messages), metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert problem in str(raised.value.details())
    assert fake.defaults.state.of(FilesState).files == {}


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        (None, files_pb2.ASCENDING, ["b.txt", "c.txt", "a.txt"]),
        (files_pb2.FILES_SORT_BY_CREATED_AT, files_pb2.DESCENDING, ["a.txt", "c.txt", "b.txt"]),
        (files_pb2.FILES_SORT_BY_FILENAME, files_pb2.ASCENDING, ["a.txt", "b.txt", "c.txt"]),
        (files_pb2.FILES_SORT_BY_FILENAME, files_pb2.DESCENDING, ["c.txt", "b.txt", "a.txt"]),
        (files_pb2.FILES_SORT_BY_SIZE, files_pb2.ASCENDING, ["c.txt", "a.txt", "b.txt"]),
        (files_pb2.FILES_SORT_BY_SIZE, files_pb2.DESCENDING, ["b.txt", "a.txt", "c.txt"]),
    ],
)
def test_list_sorts(
    stub: files_pb2_grpc.FilesStub, md: Metadata, sort_by: int | None, order: int, expected: list[str]
) -> None:
    for name, size in [("b.txt", 30), ("c.txt", 10), ("a.txt", 20)]:
        upload(stub, md, name, b"x" * size)
    request = files_pb2.ListFilesRequest(order=order, sort_by=sort_by)  # type: ignore[arg-type]
    listed = stub.ListFiles(request, metadata=md)
    assert [f.filename for f in listed.data] == expected
    assert not listed.HasField("pagination_token")


def test_list_pages_through_every_file_once(stub: files_pb2_grpc.FilesStub, md: Metadata) -> None:
    ids = [upload(stub, md, f"f{i}.txt", b"%d" % i).id for i in range(5)]
    pages: list[list[str]] = []
    request = files_pb2.ListFilesRequest(limit=2)
    while True:
        response = stub.ListFiles(request, metadata=md)
        pages.append([f.id for f in response.data])
        if not response.HasField("pagination_token"):
            break
        request.pagination_token = response.pagination_token
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name = "report.pdf"', ["report.pdf"]),
        ("size_bytes > 10", ["big.txt", "report.pdf"]),
        ('content_type = "text/plain" AND NOT size_bytes >= 100', ["small.txt"]),
        ('name = "small.txt" OR size_bytes <= 50', ["report.pdf", "small.txt"]),
        ("public_url != null", ["big.txt"]),
        ("expires_at = null", ["big.txt", "report.pdf", "small.txt"]),
    ],
)
def test_list_filters(stub: files_pb2_grpc.FilesStub, md: Metadata, expression: str, expected: list[str]) -> None:
    ids = {
        name: upload(stub, md, name, b"y" * size).id
        for name, size in [("small.txt", 5), ("big.txt", 200), ("report.pdf", 50)]
    }
    for name in ("big.txt", "report.pdf"):
        stub.CreatePublicUrl(files_pb2.CreatePublicUrlRequest(file_id=ids[name]), metadata=md)
    stub.RevokePublicUrl(files_pb2.RevokePublicUrlRequest(file_id=ids["report.pdf"]), metadata=md)
    request = files_pb2.ListFilesRequest(filter=expression, sort_by=files_pb2.FILES_SORT_BY_FILENAME)
    assert [f.filename for f in stub.ListFiles(request, metadata=md).data] == expected


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        (files_pb2.ListFilesRequest(filter="colour = 1"), "unknown field 'colour'"),
        (files_pb2.ListFilesRequest(filter="size_bytes >"), "it ends too early"),
        (files_pb2.ListFilesRequest(pagination_token="nonsense"), "is not a files token"),
        (files_pb2.ListFilesRequest(limit=-1), "limit must not be negative"),
    ],
)
def test_list_rejects_bad_requests(
    stub: files_pb2_grpc.FilesStub, md: Metadata, request_: files_pb2.ListFilesRequest, problem: str
) -> None:
    upload(stub, md, "one.txt", b"1")
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListFiles(request_, metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert problem in str(raised.value.details())


@pytest.mark.parametrize(
    ("method", "request_"),
    [
        ("RetrieveFile", files_pb2.RetrieveFileRequest(file_id="file-missing")),
        ("DeleteFile", files_pb2.DeleteFileRequest(file_id="file-missing")),
        ("CreatePublicUrl", files_pb2.CreatePublicUrlRequest(file_id="file-missing")),
        ("RevokePublicUrl", files_pb2.RevokePublicUrlRequest(file_id="file-missing")),
    ],
)
def test_unknown_ids_are_not_found(stub: files_pb2_grpc.FilesStub, md: Metadata, method: str, request_: object) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        getattr(stub, method)(request_, metadata=md)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "file 'file-missing' not found" in str(raised.value.details())


def test_download_of_unknown_id_is_not_found(stub: files_pb2_grpc.FilesStub, md: Metadata) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.RetrieveFileContent(files_pb2.RetrieveFileContentRequest(file_id="file-gone"), metadata=md))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "'file-gone'" in str(raised.value.details())


def test_delete_removes_the_file(stub: files_pb2_grpc.FilesStub, md: Metadata) -> None:
    kept, doomed = upload(stub, md, "kept.txt", b"k"), upload(stub, md, "doomed.txt", b"d")
    deleted = stub.DeleteFile(files_pb2.DeleteFileRequest(file_id=doomed.id), metadata=md)
    assert (deleted.id, deleted.deleted) == (doomed.id, True)
    assert [f.id for f in stub.ListFiles(files_pb2.ListFilesRequest(), metadata=md).data] == [kept.id]
    with pytest.raises(grpc.RpcError) as raised:
        stub.RetrieveFile(files_pb2.RetrieveFileRequest(file_id=doomed.id), metadata=md)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_public_url_is_created_and_revoked(stub: files_pb2_grpc.FilesStub, md: Metadata) -> None:
    uploaded = upload(stub, md, "share.txt", b"hello")
    created = stub.CreatePublicUrl(
        files_pb2.CreatePublicUrlRequest(file_id=uploaded.id, expires_after=3600), metadata=md
    )
    assert created.public_url == f"https://files.fake.x.ai/{uploaded.id}"
    assert created.expires_at.seconds >= uploaded.created_at.seconds + 3600
    seen = stub.RetrieveFile(files_pb2.RetrieveFileRequest(file_id=uploaded.id), metadata=md)
    assert (seen.public_url, seen.public_url_expires_at) == (created.public_url, created.expires_at)

    revoked = stub.RevokePublicUrl(files_pb2.RevokePublicUrlRequest(file_id=uploaded.id), metadata=md)
    assert (revoked.file_id, revoked.revoked, revoked.public_url) == (uploaded.id, True, created.public_url)
    after = stub.RetrieveFile(files_pb2.RetrieveFileRequest(file_id=uploaded.id), metadata=md)
    assert not after.HasField("public_url")
    assert not after.HasField("public_url_expires_at")
    again = stub.RevokePublicUrl(files_pb2.RevokePublicUrlRequest(file_id=uploaded.id), metadata=md)
    assert (again.revoked, again.HasField("public_url")) == (False, False)


def test_reset_empties_the_store(stub: files_pb2_grpc.FilesStub, md: Metadata, fake: FakeServer) -> None:
    uploaded = upload(stub, md, "temp.txt", b"temporary")
    before = fake.defaults.state.of(FilesState)
    assert before.files[uploaded.id].data == b"temporary"
    fake.reset()
    assert fake.defaults.state.kept == {}
    assert fake.defaults.state.of(FilesState) is not before
    assert fake.defaults.state.of(FilesState).files == {}
    assert list(stub.ListFiles(files_pb2.ListFilesRequest(), metadata=md).data) == []


# -- one paginator, one enum check -------------------------------------------------------------

PAGING = settings(
    derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def walk(stub: files_pb2_grpc.FilesStub, md: Metadata, request: files_pb2.ListFilesRequest) -> list[list[str]]:
    """The ids of every page of a listing, following the pagination tokens to the end."""
    pages: list[list[str]] = []
    while True:
        response = stub.ListFiles(request, metadata=md)
        pages.append([f.id for f in response.data])
        if not response.HasField("pagination_token"):
            return pages
        request.pagination_token = response.pagination_token
        assert len(pages) < 100, "the pagination tokens never end"


@PAGING
@given(
    count=st.integers(0, 9),
    limit=st.integers(1, 11),
    sort_by=st.sampled_from(list(files_pb2.FilesSortBy.values())),
    order=st.sampled_from(list(files_pb2.Ordering.values())),
)
def test_list_pages_walk_every_file_once_for_any_page_size(
    stub: files_pb2_grpc.FilesStub, md: Metadata, fake: FakeServer, count: int, limit: int, sort_by: int, order: int
) -> None:
    fake.reset()
    for i in range(count):
        upload(stub, md, f"{(i * 7) % 5}-{i}.txt", b"x" * ((i * 3) % 4))
    request = files_pb2.ListFilesRequest(sort_by=sort_by, order=order)  # type: ignore[arg-type]
    everything = [f.id for f in stub.ListFiles(request, metadata=md).data]
    assert len(everything) == count
    request.limit = limit
    pages = walk(stub, md, request)
    assert [i for p in pages for i in p] == everything  # no file lost, repeated or out of order
    assert all(len(p) == limit for p in pages[:-1])
    assert 0 < len(pages[-1]) <= limit or count == 0
    assert len(pages) == max(1, -(-count // limit))


@pytest.mark.parametrize(
    ("request_", "fix"),
    [
        (files_pb2.ListFilesRequest(pagination_token="nonsense"), "pass the pagination_token of the previous page"),
        (files_pb2.ListFilesRequest(pagination_token="!!!"), "pass the pagination_token of the previous page"),
        (files_pb2.ListFilesRequest(limit=-1), "limit must be between 1 and 1000 (0 for the default, 100)"),
        (files_pb2.ListFilesRequest(limit=1001), "limit must be between 1 and 1000 (0 for the default, 100), got 1001"),
    ],
)
def test_list_bad_tokens_and_limits_name_the_fix(
    stub: files_pb2_grpc.FilesStub, md: Metadata, request_: files_pb2.ListFilesRequest, fix: str
) -> None:
    for i in range(3):
        upload(stub, md, f"{i}.txt", b"1")
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListFiles(request_, metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fix in str(raised.value.details())


def test_list_tokens_are_for_files_only(
    stub: files_pb2_grpc.FilesStub, channel: grpc.Channel, md: Metadata, mgmt_md: Metadata
) -> None:
    collections = collections_pb2_grpc.CollectionsStub(channel)
    for name in ("a", "b"):
        collections.CreateCollection(collections_pb2.CreateCollectionRequest(collection_name=name), metadata=mgmt_md)
    token = collections.ListCollections(collections_pb2.ListCollectionsRequest(limit=1), metadata=mgmt_md)
    assert token.pagination_token
    for i in range(3):
        upload(stub, md, f"{i}.txt", b"1")
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListFiles(files_pb2.ListFilesRequest(limit=1, pagination_token=token.pagination_token), metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "is not a files token; pass the pagination_token of the previous page" in str(raised.value.details())


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            files_pb2.ListFilesRequest(sort_by=99),  # type: ignore[arg-type]
            "sort_by has no value 99; use one of FILES_SORT_BY_CREATED_AT, FILES_SORT_BY_FILENAME, FILES_SORT_BY_SIZE",
        ),
        (
            files_pb2.ListFilesRequest(order=-2),  # type: ignore[arg-type]
            "order has no value -2; use one of ASCENDING, DESCENDING",
        ),
    ],
)
def test_unknown_enum_values_are_invalid_arguments(
    stub: files_pb2_grpc.FilesStub, md: Metadata, request_: files_pb2.ListFilesRequest, message: str
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListFiles(request_, metadata=md)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == message


def test_unknown_download_format_is_an_invalid_argument(stub: files_pb2_grpc.FilesStub, md: Metadata) -> None:
    uploaded = upload(stub, md, "a.txt", b"a")
    request = files_pb2.RetrieveFileContentRequest(file_id=uploaded.id, format=7)  # type: ignore[arg-type]
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.RetrieveFileContent(request, metadata=md))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert str(raised.value.details()).startswith("format has no value 7; use one of ")
