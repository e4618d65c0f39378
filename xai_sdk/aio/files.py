"""Asyncio ``client.files`` calls. Everything else lives once in :mod:`xai_sdk.files`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import BinaryIO, TypeVar

import grpc

from xai_sdk._streams import cancel_on_exit
from xai_sdk.files import (
    BaseClient,
    BatchResults,
    BatchUploadCallback,
    Expiry,
    FileInput,
    Order,
    ProgressCallback,
    SortBy,
    Upload,
    expires_after_seconds,
    list_request,
    prepare_upload,
)
from xai_sdk.proto import files_pb2
from xai_sdk.telemetry._services import file_span

__all__ = ["Client"]

T = TypeVar("T")


class Client(BaseClient):
    """``client.files`` of the asyncio client: upload, list, download and delete files."""

    async def upload(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        on_progress: ProgressCallback = None,
        expires_after: Expiry | None = None,
        timeout: float | None = None,
    ) -> files_pb2.File:
        """Upload a file, streaming it in 3 MiB pieces; files are read in a worker thread.

        Arguments as for :meth:`xai_sdk.sync.files.Client.upload`; ``on_progress`` runs in the event loop.
        """
        upload = prepare_upload(file, filename=filename, on_progress=on_progress, expires_after=expires_after)
        with file_span(__name__, "upload", self._calls.target) as s:
            try:
                response: files_pb2.File = await self._stub.UploadFile(_messages(upload), **self._calls.kwargs(timeout))
            except (grpc.aio.AioRpcError, asyncio.CancelledError):  # grpc.aio cancels the call when the stream fails
                upload.raise_source_error()
                raise
            return s.done(response)

    async def batch_upload(
        self,
        files: Sequence[str | BinaryIO],
        *,
        batch_size: int = 50,
        on_file_complete: BatchUploadCallback | None = None,
        timeout: float | None = None,
    ) -> dict[int, files_pb2.File | BaseException]:
        """Upload several paths or file objects, at most ``batch_size`` at a time, as tasks.

        A failed upload does not stop the others: the result maps each input's index to its
        ``File`` or to the exception it raised; ``on_file_complete(index, file, result)`` is
        called as each upload finishes.
        """
        batch = BatchResults.start(files, batch_size, on_file_complete)
        slots = asyncio.Semaphore(batch_size)

        async def one(index: int, file: str | BinaryIO) -> None:
            async with slots:
                try:
                    result: files_pb2.File | BaseException = await self.upload(file, timeout=timeout)
                except Exception as error:
                    result = error
            batch.record(index, result)

        await asyncio.gather(*(one(index, file) for index, file in enumerate(files)))
        return batch.results

    async def list(
        self,
        *,
        limit: int | None = None,
        order: Order | None = None,
        sort_by: SortBy | None = None,
        pagination_token: str | None = None,
        filter: str | None = None,
        timeout: float | None = None,
    ) -> files_pb2.ListFilesResponse:
        """One page of files; pass the response's ``pagination_token`` back for the next."""
        request = list_request(limit, order, sort_by, pagination_token, filter)
        response: files_pb2.ListFilesResponse = await self._stub.ListFiles(request, **self._calls.kwargs(timeout))
        return response

    async def get(self, file_id: str, *, timeout: float | None = None) -> files_pb2.File:
        """A file's metadata."""
        request = files_pb2.RetrieveFileRequest(file_id=file_id)
        response: files_pb2.File = await self._stub.RetrieveFile(request, **self._calls.kwargs(timeout))
        return response

    async def content(self, file_id: str, *, timeout: float | None = None) -> bytes:
        """A file's bytes, downloaded as a stream and joined."""
        request = files_pb2.RetrieveFileContentRequest(file_id=file_id)
        with cancel_on_exit(self._stub.RetrieveFileContent(request, **self._calls.kwargs(timeout))) as stream:
            return b"".join([chunk.data async for chunk in stream])

    async def delete(self, file_id: str, *, timeout: float | None = None) -> files_pb2.DeleteFileResponse:
        """Delete a file."""
        request = files_pb2.DeleteFileRequest(file_id=file_id)
        with file_span(__name__, "delete", self._calls.target) as s:
            return s.done(await self._stub.DeleteFile(request, **self._calls.kwargs(timeout)))  # type: ignore[no-any-return]

    async def create_public_url(
        self, file_id: str, *, expires_after: Expiry | None = None, timeout: float | None = None
    ) -> files_pb2.CreatePublicUrlResponse:
        """A URL anyone can open without a key (images, videos and PDFs only)."""
        request = files_pb2.CreatePublicUrlRequest(file_id=file_id, expires_after=expires_after_seconds(expires_after))
        response: files_pb2.CreatePublicUrlResponse = await self._stub.CreatePublicUrl(
            request, **self._calls.kwargs(timeout)
        )
        return response

    async def revoke_public_url(
        self, file_id: str, *, timeout: float | None = None
    ) -> files_pb2.RevokePublicUrlResponse:
        """Stop a file's public URL from working; ``revoked`` is False if it had none."""
        request = files_pb2.RevokePublicUrlRequest(file_id=file_id)
        response: files_pb2.RevokePublicUrlResponse = await self._stub.RevokePublicUrl(
            request, **self._calls.kwargs(timeout)
        )
        return response


async def _messages(upload: Upload) -> AsyncIterator[files_pb2.UploadFileChunk]:
    """The upload's messages; pieces of a file are read in a worker thread, progress runs in the loop."""
    with upload.capturing():
        yield upload.first()
        async for piece in _in_thread(upload.pieces) if upload.blocking else _plain(upload.pieces):
            yield upload.message(piece)
            upload.sent(piece)


async def _in_thread(iterator: Iterator[T]) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    end = object()
    while (item := await loop.run_in_executor(None, next, iterator, end)) is not end:
        yield item  # type: ignore[misc]


async def _plain(iterator: Iterator[T]) -> AsyncIterator[T]:
    for item in iterator:
        yield item
