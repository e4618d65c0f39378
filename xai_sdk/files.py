"""``client.files``: everything about the Files service that does no I/O.

Upload sources (a path, bytes, a binary file object) become one stream of
``UploadFileChunk`` messages: an ``init`` message naming the file, then the bytes in
3 MiB pieces, with an optional progress report after each piece. The blocking and
asyncio clients in :mod:`xai_sdk.sync.files` and :mod:`xai_sdk.aio.files` only send it.
"""

from __future__ import annotations

import contextlib
import datetime
import inspect
import io
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, Protocol, TypeAlias, Union

import grpc

from xai_sdk._channel import CallSettings
from xai_sdk._storage import PublicUrlInput, PublicUrlOptions, StorageOptions
from xai_sdk.proto import files_pb2, files_pb2_grpc

__all__ = [
    "BaseClient",
    "BatchUploadCallback",
    "Order",
    "ProgressBarLike",
    "ProgressCallback",
    "PublicUrlInput",
    "PublicUrlOptions",
    "SortBy",
    "StorageOptions",
]

#: Size of the data part of each upload message: 3 MiB.
_CHUNK_SIZE = 3 << 20

Order: TypeAlias = Literal["asc", "desc"]
SortBy: TypeAlias = Literal["created_at", "filename", "size"]
#: What ``upload`` accepts: a path, raw bytes, or a binary file object.
FileInput: TypeAlias = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO]
Expiry: TypeAlias = datetime.timedelta | int


class ProgressBarLike(Protocol):
    """Anything with tqdm's ``update(n)``: told how many more bytes were sent."""

    def update(self, n: int) -> Any:
        """Advance by ``n`` bytes."""


#: ``on_progress`` of ``upload``: ``f(sent_so_far, total)``, ``f(chunk_bytes)`` or a tqdm-like object.
ProgressCallback: TypeAlias = Callable[[int, int], None] | Callable[[int], None] | ProgressBarLike | None
#: ``on_file_complete`` of ``batch_upload``: ``f(index, file, File or exception)``.
BatchUploadCallback: TypeAlias = Callable[[int, "str | BinaryIO", "files_pb2.File | BaseException"], None]


class FileNotFound(FileNotFoundError, ValueError):
    """``upload`` was given a path that does not exist (both a ``FileNotFoundError`` and a ``ValueError``)."""


def expires_after_seconds(expires_after: Expiry | None, what: str = "expires_after") -> int | None:
    """Whole seconds of a ``timedelta`` or ``int`` expiry; ``None`` stays ``None``."""
    if expires_after is None:
        return None
    if isinstance(expires_after, datetime.timedelta):
        seconds = int(expires_after.total_seconds())
    elif isinstance(expires_after, int) and not isinstance(expires_after, bool):
        seconds = expires_after
    else:
        raise ValueError(f"{what} must be a datetime.timedelta or a number of seconds, got {expires_after!r}")
    if seconds <= 0:
        raise ValueError(f"{what} must be positive, got {expires_after!r}; leave it unset for no expiry")
    return seconds


# -- progress ------------------------------------------------------------------------------


def progress_reporter(on_progress: ProgressCallback) -> Callable[[int, int, int | None], None]:
    """``report(chunk_bytes, sent_so_far, total)`` for any accepted ``on_progress`` form.

    An object with ``update`` gets ``update(chunk_bytes)``. A callable that accepts two
    positional arguments gets ``(sent_so_far, total)`` (``total`` is ``None`` for a stream of
    unknown size); one that accepts a single argument gets ``(chunk_bytes)``.
    """
    if on_progress is None:
        return lambda chunk, sent, total: None
    update = getattr(on_progress, "update", None)
    if callable(update):
        return lambda chunk, sent, total: update(chunk)
    if not callable(on_progress):
        raise ValueError(
            f"on_progress must be a callable f(sent, total) or f(chunk_bytes), or have update(n); got {on_progress!r}"
        )
    callback: Callable[..., Any] = on_progress
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):  # some builtins have no signature: try both forms like the official SDK
        return _trying_both_forms(callback)
    try:
        signature.bind(0, 0)
    except TypeError:
        return lambda chunk, sent, total: callback(chunk)
    return lambda chunk, sent, total: callback(sent, total)


def _trying_both_forms(callback: Callable[..., Any]) -> Callable[[int, int, int | None], None]:
    def report(chunk: int, sent: int, total: int | None) -> None:
        try:
            callback(sent, total)
        except TypeError:
            callback(chunk)

    return report


# -- upload sources ------------------------------------------------------------------------


@dataclass
class Upload:
    """One upload: its ``init`` message, the pieces of data to send, and the progress accounting.

    ``blocking`` says whether reading the pieces touches a file (the asyncio client then reads
    them in a worker thread). Send :meth:`first` and then, for each piece, :meth:`message`,
    calling :meth:`sent` once the message is handed over.
    """

    filename: str
    expires_after: int | None
    pieces: Iterator[bytes]
    total: int | None
    report: Callable[[int, int, int | None], None]
    blocking: bool
    done: int = 0
    error: Exception | None = None

    def first(self) -> files_pb2.UploadFileChunk:
        """The ``init`` message that names the file."""
        return files_pb2.UploadFileChunk(
            init=files_pb2.UploadFileInit(name=self.filename, expires_after=self.expires_after)
        )

    @staticmethod
    def message(piece: bytes) -> files_pb2.UploadFileChunk:
        """The message carrying one piece of data."""
        return files_pb2.UploadFileChunk(data=piece)

    def sent(self, piece: bytes) -> None:
        """Count a piece as sent and report progress."""
        self.done += len(piece)
        self.report(len(piece), self.done, self.total)

    @contextlib.contextmanager
    def capturing(self) -> Iterator[None]:
        """Remember an error of the source or of ``on_progress``: gRPC would replace it with its own."""
        try:
            yield
        except Exception as error:
            self.error = error
            raise

    def raise_source_error(self) -> None:
        """Raise the error that broke the upload's message stream, if there was one."""
        if self.error is not None:
            raise self.error

    def messages(self) -> Iterator[files_pb2.UploadFileChunk]:
        """All messages of the upload, reading the pieces as they are needed."""
        with self.capturing():
            yield self.first()
            for piece in self.pieces:
                yield self.message(piece)
                self.sent(piece)


def prepare_upload(
    file: FileInput,
    *,
    filename: str | None = None,
    on_progress: ProgressCallback = None,
    expires_after: Expiry | None = None,
) -> Upload:
    """Check the arguments of ``upload`` now (not when the first message is sent), and plan the upload."""
    report = progress_reporter(on_progress)
    seconds = expires_after_seconds(expires_after)
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if not os.path.isfile(path):
            problem = "is a directory" if os.path.isdir(path) else "does not exist"
            raise FileNotFound(2, f"File not found: {path!r} {problem}; pass the path of a file to upload", path)
        name = filename or os.path.basename(path)
        return Upload(name, seconds, _read_path(path), os.path.getsize(path), report, blocking=True)
    if isinstance(file, bytes | bytearray | memoryview):
        if not filename:
            raise ValueError("filename is required when uploading bytes, e.g. upload(data, filename='notes.txt')")
        data = bytes(file)
        pieces = (data[start : start + _CHUNK_SIZE] for start in range(0, len(data), _CHUNK_SIZE))
        return Upload(filename, seconds, pieces, len(data), report, blocking=False)
    if callable(getattr(file, "read", None)):
        name = filename or _name_of(file)
        return Upload(name, seconds, _read_object(file), _remaining(file), report, blocking=True)
    raise ValueError(
        f"cannot upload a {type(file).__name__}: pass a path, bytes (with filename=...) or a file opened in 'rb' mode"
    )


def _name_of(file: BinaryIO) -> str:
    name = getattr(file, "name", None)
    if isinstance(name, str) and name:
        return os.path.basename(name)
    raise ValueError("filename is required for a file object without a .name, e.g. upload(buffer, filename='a.pdf')")


def _remaining(file: BinaryIO) -> int | None:
    """Bytes left to read in a seekable file object; ``None`` for a stream."""
    try:
        position = file.tell()
        end = file.seek(0, io.SEEK_END)
        file.seek(position)
    except (OSError, AttributeError, ValueError):
        return None
    return max(end - position, 0)


def _read_path(path: str) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from _read_object(handle)


def _read_object(file: BinaryIO) -> Iterator[bytes]:
    while piece := file.read(_CHUNK_SIZE):
        if not isinstance(piece, bytes | bytearray):
            raise ValueError(f"the file object returned {type(piece).__name__}, not bytes; open it in 'rb' mode")
        yield bytes(piece)


# -- requests ------------------------------------------------------------------------------

_ORDERS = {"asc": files_pb2.ASCENDING, "desc": files_pb2.DESCENDING}
_SORT_BY = {
    "created_at": files_pb2.FILES_SORT_BY_CREATED_AT,
    "filename": files_pb2.FILES_SORT_BY_FILENAME,
    "size": files_pb2.FILES_SORT_BY_SIZE,
}


def list_request(
    limit: int | None, order: Order | None, sort_by: SortBy | None, pagination_token: str | None, filter: str | None
) -> files_pb2.ListFilesRequest:
    """The ``ListFilesRequest`` for ``files.list``."""
    request = files_pb2.ListFilesRequest()
    if limit is not None:
        request.limit = limit
    if order is not None:
        request.order = _enum("order", order, _ORDERS)
    if sort_by is not None:
        request.sort_by = _enum("sort_by", sort_by, _SORT_BY)
    if pagination_token is not None:
        request.pagination_token = pagination_token
    if filter:
        request.filter = filter
    return request


def _enum(what: str, value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"{what} must be one of {', '.join(map(repr, names))}, got {value!r}")
        return names[value]
    return value  # already the proto enum value


# -- batch upload --------------------------------------------------------------------------


@dataclass
class BatchResults:
    """Results of ``batch_upload`` by input index, reporting each one as it arrives."""

    files: Sequence[str | BinaryIO]
    on_file_complete: BatchUploadCallback | None
    results: dict[int, files_pb2.File | BaseException] = field(default_factory=dict)

    @classmethod
    def start(
        cls, files: Sequence[str | BinaryIO], batch_size: int, on_file_complete: BatchUploadCallback | None
    ) -> BatchResults:
        """Check the arguments of ``batch_upload``."""
        if len(files) == 0:
            raise ValueError("files is empty: pass at least one path or file object to batch_upload")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"batch_size is the number of concurrent uploads and must be at least 1, got {batch_size!r}"
            )
        for index, file in enumerate(files):
            if isinstance(file, bytes | bytearray):
                raise ValueError(
                    f"files[{index}] is bytes; batch_upload takes paths or file objects: wrap bytes in io.BytesIO "
                    "and set its .name, or use upload(data, filename=...)"
                )
        return cls(files, on_file_complete)

    def record(self, index: int, result: files_pb2.File | BaseException) -> None:
        """Keep one file's result and tell the callback."""
        self.results[index] = result
        if self.on_file_complete is not None:
            self.on_file_complete(index, self.files[index], result)


class BaseClient:
    """What the blocking and asyncio ``client.files`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings) -> None:
        self._stub = files_pb2_grpc.FilesStub(channel)
        self._calls = calls
