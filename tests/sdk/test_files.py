"""client.files through real gRPC against xai_fake; every scenario runs on the sync and the async client."""

from __future__ import annotations

import datetime
import inspect
import io
import time
from pathlib import Path
from typing import Any

import grpc
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk import files
from xai_sdk.files import _CHUNK_SIZE, StorageOptions, progress_reporter
from xai_sdk.proto import files_pb2

MIB = 1 << 20
BIG = bytes(range(256)) * (7 * MIB // 256) + b"tail"  # 7 MiB + 4 bytes: three data messages


async def settle(value: Any) -> Any:
    """The value of a sync call, or of an async call once awaited."""
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def client(
    request: pytest.FixtureRequest, xai_client: xai_sdk.Client, xai_async_client: xai_sdk.AsyncClient
) -> xai_sdk.Client | xai_sdk.AsyncClient:
    """The blocking client, then the async one."""
    return xai_client if request.param == "sync" else xai_async_client


def sent_messages(fake: FakeServer) -> list[files_pb2.UploadFileChunk]:
    return fake.requests.of("Files/UploadFile")[-1].requests  # type: ignore[return-value]


class Bar:
    """A tqdm-like progress bar."""

    def __init__(self) -> None:
        self.n = 0
        self.steps: list[int] = []

    def update(self, n: int = 1) -> None:
        self.n += n
        self.steps.append(n)


# -- upload and download ---------------------------------------------------------------------


@pytest.mark.parametrize("source", ["path", "pathlib", "bytes", "bytearray", "file", "named file"])
async def test_every_input_round_trips_its_bytes_in_3_mib_messages(
    client: Any, xai_fake_server: FakeServer, tmp_path: Path, source: str
) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(BIG)
    with path.open("rb") as handle:
        file, kwargs = {
            "path": (str(path), {}),
            "pathlib": (path, {}),
            "bytes": (BIG, {"filename": "big.bin"}),
            "bytearray": (bytearray(BIG), {"filename": "big.bin"}),
            "file": (io.BytesIO(BIG), {"filename": "big.bin"}),
            "named file": (handle, {}),
        }[source]
        uploaded = await settle(client.files.upload(file, **kwargs))
    assert (uploaded.filename, uploaded.size) == ("big.bin", len(BIG))
    assert await settle(client.files.content(uploaded.id)) == BIG
    messages = sent_messages(xai_fake_server)
    assert messages[0].WhichOneof("chunk") == "init" and messages[0].init.name == "big.bin"
    assert [len(m.data) for m in messages[1:]] == [_CHUNK_SIZE, _CHUNK_SIZE, len(BIG) - 2 * _CHUNK_SIZE]


async def test_small_and_empty_uploads_and_expiry(client: Any, xai_fake_server: FakeServer) -> None:
    small = await settle(client.files.upload(b"hello", filename="a.txt", expires_after=datetime.timedelta(hours=1)))
    assert sent_messages(xai_fake_server)[0].init.expires_after == 3600
    assert small.expires_at.seconds - small.created_at.seconds == 3600
    empty = await settle(client.files.upload(b"", filename="empty.txt", expires_after=60))
    assert [m.WhichOneof("chunk") for m in sent_messages(xai_fake_server)] == ["init"]
    assert empty.size == 0 and await settle(client.files.content(empty.id)) == b""
    assert (await settle(client.files.get(small.id))).filename == "a.txt"


@pytest.mark.parametrize("form", ["sent_total", "chunk", "bound_update", "bar", "stream_total"])
async def test_progress_callbacks_get_the_right_values(client: Any, form: str) -> None:
    calls: list[tuple[Any, ...]] = []
    bar = Bar()
    on_progress: Any = {
        "sent_total": lambda sent, total: calls.append((sent, total)),
        "chunk": lambda n: calls.append((n,)),
        "bound_update": bar.update,
        "bar": bar,
        "stream_total": lambda sent, total: calls.append((sent, total)),
    }[form]
    source: Any = NoSeek(BIG) if form == "stream_total" else BIG
    await settle(client.files.upload(source, filename="big.bin", on_progress=on_progress))
    sizes = [_CHUNK_SIZE, _CHUNK_SIZE, len(BIG) - 2 * _CHUNK_SIZE]
    if form == "sent_total":
        assert calls == [(_CHUNK_SIZE, len(BIG)), (2 * _CHUNK_SIZE, len(BIG)), (len(BIG), len(BIG))]
    elif form == "stream_total":  # the size of a stream is unknown
        assert calls == [(_CHUNK_SIZE, None), (2 * _CHUNK_SIZE, None), (len(BIG), None)]
    elif form == "chunk":
        assert calls == [(size,) for size in sizes]
    else:
        assert (bar.steps, bar.n) == (sizes, len(BIG))


class NoSeek(io.RawIOBase):
    """A readable stream that cannot tell its size."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        raise OSError("not seekable")


def test_progress_forms_are_told_apart_by_signature() -> None:
    calls: list[Any] = []

    def two(sent: int, total: int | None = None) -> None:
        calls.append(("two", sent, total))

    def one(n: int) -> None:
        calls.append(("one", n))

    def raises_type_error(sent: int, total: int | None) -> None:
        raise TypeError("a bug in the callback")

    progress_reporter(two)(3, 10, 20)
    progress_reporter(one)(3, 10, 20)
    assert calls == [("two", 10, 20), ("one", 3)]
    with pytest.raises(TypeError, match="a bug in the callback"):  # not silently retried with one argument
        progress_reporter(raises_type_error)(3, 10, 20)
    with pytest.raises(ValueError, match="on_progress must be"):
        progress_reporter(42)  # type: ignore[arg-type]


async def test_async_progress_runs_in_the_event_loop(xai_async_client: xai_sdk.AsyncClient, tmp_path: Path) -> None:
    import asyncio
    import threading

    path = tmp_path / "big.bin"
    path.write_bytes(BIG)
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    uploaded = await xai_async_client.files.upload(path, on_progress=lambda n: threads.add(threading.get_ident()))
    assert threads == {loop_thread} and uploaded.size == len(BIG)
    assert asyncio.get_running_loop().is_running()


# -- argument errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "kwargs", "message"),
    [
        ("/no/such/file.pdf", {}, "File not found: '/no/such/file.pdf' does not exist"),
        (b"data", {}, "filename is required when uploading bytes"),
        (io.BytesIO(b"data"), {}, "filename is required for a file object without a .name"),
        (12345, {}, "cannot upload a int"),
        (b"data", {"filename": "a", "expires_after": 0}, "expires_after must be positive"),
        (b"data", {"filename": "a", "on_progress": "bar"}, "on_progress must be"),
    ],
)
async def test_bad_upload_arguments_raise_before_any_call(
    client: Any, xai_fake_server: FakeServer, file: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        await settle(client.files.upload(file, **kwargs))
    if isinstance(file, str):
        assert isinstance(info.value, FileNotFoundError)  # what the official SDK raises, too
    assert xai_fake_server.requests.count("Files/UploadFile") == 0


async def test_a_directory_is_not_a_file(client: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is a directory"):
        await settle(client.files.upload(tmp_path))


# -- listing, metadata, deletion, public URLs ------------------------------------------------


async def test_list_orders_sorts_pages_and_filters(client: Any, xai_fake_server: FakeServer) -> None:
    for name, size in [("b.txt", 30), ("a.txt", 10), ("c.pdf", 20)]:
        await settle(client.files.upload(b"x" * size, filename=name))
    names = lambda page: [f.filename for f in page.data]  # noqa: E731
    assert names(await settle(client.files.list(sort_by="filename"))) == ["a.txt", "b.txt", "c.pdf"]
    assert names(await settle(client.files.list(sort_by="size", order="desc"))) == ["b.txt", "c.pdf", "a.txt"]
    first = await settle(client.files.list(limit=2, sort_by="filename"))
    second = await settle(client.files.list(limit=2, sort_by="filename", pagination_token=first.pagination_token))
    assert (names(first), names(second), second.HasField("pagination_token")) == (["a.txt", "b.txt"], ["c.pdf"], False)
    assert names(await settle(client.files.list(filter="size_bytes >= 20", sort_by="filename"))) == ["b.txt", "c.pdf"]
    sent: Any = xai_fake_server.requests.last("Files/ListFiles")
    assert (sent.filter, sent.sort_by) == ("size_bytes >= 20", files_pb2.FILES_SORT_BY_FILENAME)
    with pytest.raises(ValueError, match="order must be one of 'asc', 'desc'"):
        await settle(client.files.list(order="up"))


async def test_delete_then_every_read_is_not_found(client: Any) -> None:
    file = await settle(client.files.upload(b"bye", filename="bye.txt"))
    deleted = await settle(client.files.delete(file.id))
    assert (deleted.id, deleted.deleted) == (file.id, True)
    for read in (client.files.get, client.files.content, client.files.delete):
        with pytest.raises(grpc.RpcError) as info:
            await settle(read(file.id))
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_public_url_lifecycle(client: Any) -> None:
    file = await settle(client.files.upload(b"%PDF-1.4", filename="doc.pdf"))
    created = await settle(client.files.create_public_url(file.id, expires_after=datetime.timedelta(minutes=5)))
    assert created.public_url.endswith(file.id) and created.HasField("expires_at")
    assert (await settle(client.files.get(file.id))).public_url == created.public_url
    revoked = await settle(client.files.revoke_public_url(file.id))
    assert (revoked.revoked, revoked.public_url) == (True, created.public_url)
    assert (await settle(client.files.revoke_public_url(file.id))).revoked is False


# -- batch upload ----------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 50])
async def test_batch_upload_reports_every_file_and_keeps_failures(client: Any, tmp_path: Path, batch_size: int) -> None:
    paths = []
    contents = {}
    for index in range(4):
        path = tmp_path / f"doc{index}.txt"
        path.write_bytes(f"document {index}".encode())
        paths.append(str(path))
        contents[str(path)] = f"document {index}".encode()
    buffer = io.BytesIO(b"from memory")
    buffer.name = "memory.txt"
    files: list[Any] = [*paths[:2], str(tmp_path / "missing.txt"), buffer, *paths[2:]]
    seen: list[tuple[int, Any, Any]] = []
    results = await settle(
        client.files.batch_upload(files, batch_size=batch_size, on_file_complete=lambda *args: seen.append(args))
    )
    assert sorted(results) == list(range(len(files)))
    assert isinstance(results[2], FileNotFoundError)
    for index, result in results.items():
        if index != 2:
            assert await settle(client.files.content(result.id)) == (
                b"from memory" if index == 3 else contents[files[index]]
            )
    assert sorted(index for index, _, _ in seen) == list(range(len(files)))
    assert all(file is files[index] and result is results[index] for index, file, result in seen)


@pytest.mark.parametrize(
    ("files", "kwargs", "message"),
    [
        ([], {}, "files is empty"),
        (["a.txt"], {"batch_size": 0}, "batch_size .* must be at least 1"),
        ([b"raw"], {}, r"files\[0\] is bytes"),
    ],
)
async def test_bad_batch_arguments(client: Any, files: list[Any], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await settle(client.files.batch_upload(files, **kwargs))


# -- auth and deadlines reach the client stream ----------------------------------------------

KEY = "right-key-0000000000"


@pytest.mark.parametrize("insecure", [False, True], ids=["local", "insecure"])
def test_upload_carries_the_key_and_honours_deadlines(insecure: bool) -> None:
    with FakeServer(api_keys={KEY}) as fake:
        with fake.client(use_insecure_channel=insecure) as client:
            assert client.files.upload(BIG, filename="big.bin").size == len(BIG)
            assert fake.requests.of("Files/UploadFile")[-1].metadata["authorization"] == "<redacted>"
            fake.fault(delay=5.0, method="Files/UploadFile")
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as info:
                client.files.upload(b"slow", filename="slow.txt", timeout=0.3)
            assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - started < 2
        with fake.client(api_key="wrong-key", use_insecure_channel=insecure) as client:
            with pytest.raises(grpc.RpcError) as info:
                client.files.upload(b"x", filename="x.txt")
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("insecure", [False, True], ids=["local", "insecure"])
async def test_async_upload_carries_the_key_and_honours_deadlines(insecure: bool) -> None:
    async with FakeServer(api_keys={KEY}) as fake:
        async with fake.async_client(use_insecure_channel=insecure, timeout=0.3) as client:
            assert (await client.files.upload(b"fast", filename="fast.txt")).size == 4
            fake.fault(delay=5.0, method="Files/UploadFile")
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await client.files.upload(b"slow", filename="slow.txt")  # the client's timeout applies
            assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - started < 2
        async with fake.async_client(api_key="wrong-key", use_insecure_channel=insecure) as client:
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await client.files.upload(b"x", filename="x.txt")
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_storage_options_are_reexported_under_the_official_names() -> None:
    options: StorageOptions = {"filename": "cat.png", "public_url": True}
    assert options["filename"] == "cat.png"
    assert {"BatchUploadCallback", "ProgressBarLike", "ProgressCallback", "PublicUrlOptions"} <= set(dir(files))


@pytest.mark.parametrize("failure", ["callback", "text file"])
async def test_a_failing_source_or_callback_raises_its_own_error(client: Any, tmp_path: Path, failure: str) -> None:
    def broken(sent: int, total: int) -> None:
        raise RuntimeError("bug in my progress bar")

    path = tmp_path / "notes.txt"
    path.write_text("plain text")
    with path.open() as text_handle:  # opened without "b": read() returns str
        file, kwargs, error, message = {
            "callback": (b"data", {"filename": "a.txt", "on_progress": broken}, RuntimeError, "bug in my progress bar"),
            "text file": (text_handle, {}, ValueError, "open it in 'rb' mode"),
        }[failure]
        with pytest.raises(error, match=message):
            await settle(client.files.upload(file, **kwargs))
