"""Blocking ``client.files`` calls. Everything else lives once in :mod:`xai_sdk.files`."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import BinaryIO

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
    expires_after_seconds,
    list_request,
    prepare_upload,
)
from xai_sdk.proto import files_pb2
from xai_sdk.telemetry._services import file_span

__all__ = ["Client"]


class Client(BaseClient):
    """``client.files`` of the blocking client: upload, list, download and delete files."""

    def upload(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        on_progress: ProgressCallback = None,
        expires_after: Expiry | None = None,
        timeout: float | None = None,
    ) -> files_pb2.File:
        """Upload a file, streaming it in 3 MiB pieces.

        Args:
            file: A path, bytes (then ``filename`` is required) or a file opened in ``"rb"`` mode
                (named after its ``.name`` unless ``filename`` is given).
            filename: The stored file's name.
            on_progress: Told after each piece: ``f(sent_so_far, total)``, ``f(piece_bytes)``, or an
                object with ``update(n)`` such as a tqdm bar.
            expires_after: Delete the file this long after the upload (``timedelta`` or seconds).
            timeout: Seconds for the whole upload; the client's timeout by default.

        Raises:
            ValueError: for a missing path (also a ``FileNotFoundError``), bytes without a filename,
                or an unsupported input.
        """
        upload = prepare_upload(file, filename=filename, on_progress=on_progress, expires_after=expires_after)
        with file_span(__name__, "upload", self._calls.target) as s:
            try:
                response: files_pb2.File = self._stub.UploadFile(upload.messages(), **self._calls.kwargs(timeout))
            except grpc.RpcError:
                upload.raise_source_error()
                raise
            return s.done(response)

    def batch_upload(
        self,
        files: Sequence[str | BinaryIO],
        *,
        batch_size: int = 50,
        on_file_complete: BatchUploadCallback | None = None,
        timeout: float | None = None,
    ) -> dict[int, files_pb2.File | BaseException]:
        """Upload several paths or file objects, ``batch_size`` at a time on worker threads.

        A failed upload does not stop the others: the result maps each input's index to its
        ``File`` or to the exception it raised. ``on_file_complete(index, file, result)`` is
        called in this thread as each upload finishes.
        """
        batch = BatchResults.start(files, batch_size, on_file_complete)
        with ThreadPoolExecutor(max_workers=min(batch_size, len(files)), thread_name_prefix="xai-upload") as pool:
            futures = {pool.submit(self.upload, file, timeout=timeout): index for index, file in enumerate(files)}
            for future in as_completed(futures):
                batch.record(futures[future], _outcome(future))
        return batch.results

    def list(
        self,
        *,
        limit: int | None = None,
        order: Order | None = None,
        sort_by: SortBy | None = None,
        pagination_token: str | None = None,
        filter: str | None = None,
        timeout: float | None = None,
    ) -> files_pb2.ListFilesResponse:
        """One page of files; pass the response's ``pagination_token`` back for the next.

        ``filter`` narrows the list, e.g. ``'size_bytes > 1048576 AND name != "a.txt"'``.
        """
        request = list_request(limit, order, sort_by, pagination_token, filter)
        response: files_pb2.ListFilesResponse = self._stub.ListFiles(request, **self._calls.kwargs(timeout))
        return response

    def get(self, file_id: str, *, timeout: float | None = None) -> files_pb2.File:
        """A file's metadata."""
        request = files_pb2.RetrieveFileRequest(file_id=file_id)
        response: files_pb2.File = self._stub.RetrieveFile(request, **self._calls.kwargs(timeout))
        return response

    def content(self, file_id: str, *, timeout: float | None = None) -> bytes:
        """A file's bytes, downloaded as a stream and joined."""
        request = files_pb2.RetrieveFileContentRequest(file_id=file_id)
        with cancel_on_exit(self._stub.RetrieveFileContent(request, **self._calls.kwargs(timeout))) as stream:
            return b"".join(chunk.data for chunk in stream)

    def delete(self, file_id: str, *, timeout: float | None = None) -> files_pb2.DeleteFileResponse:
        """Delete a file."""
        request = files_pb2.DeleteFileRequest(file_id=file_id)
        with file_span(__name__, "delete", self._calls.target) as s:
            return s.done(self._stub.DeleteFile(request, **self._calls.kwargs(timeout)))  # type: ignore[no-any-return]

    def create_public_url(
        self, file_id: str, *, expires_after: Expiry | None = None, timeout: float | None = None
    ) -> files_pb2.CreatePublicUrlResponse:
        """A URL anyone can open without a key (images, videos and PDFs only).

        Without ``expires_after`` the URL lives as long as the file; calling again returns the
        same URL with the new expiry.
        """
        request = files_pb2.CreatePublicUrlRequest(file_id=file_id, expires_after=expires_after_seconds(expires_after))
        response: files_pb2.CreatePublicUrlResponse = self._stub.CreatePublicUrl(request, **self._calls.kwargs(timeout))
        return response

    def revoke_public_url(self, file_id: str, *, timeout: float | None = None) -> files_pb2.RevokePublicUrlResponse:
        """Stop a file's public URL from working; ``revoked`` is False if it had none."""
        request = files_pb2.RevokePublicUrlRequest(file_id=file_id)
        response: files_pb2.RevokePublicUrlResponse = self._stub.RevokePublicUrl(request, **self._calls.kwargs(timeout))
        return response


def _outcome(future: Future[files_pb2.File]) -> files_pb2.File | BaseException:
    error = future.exception()
    return future.result() if error is None else error
