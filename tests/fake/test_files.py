"""The fake's Files service, through real gRPC and the generated stubs."""

from __future__ import annotations

import random
from collections.abc import Iterator

import grpc
import pytest

from xai_fake import FakeServer
from xai_sdk.proto import files_pb2, files_pb2_grpc

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
    assert fake.defaults.state.store("files") == {}


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
    assert fake.defaults.state.store("files")[uploaded.id].data == b"temporary"
    fake.reset()
    assert fake.defaults.state.stores == {}
    assert list(stub.ListFiles(files_pb2.ListFilesRequest(), metadata=md).data) == []
