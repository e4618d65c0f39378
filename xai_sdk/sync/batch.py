"""Blocking batch calls. Everything else lives once in :mod:`xai_sdk.batch`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk._chat.base import BaseChat
from xai_sdk.batch import BaseClient, ListBatchResultsResponse, add_request, create_request
from xai_sdk.proto import batch_pb2

__all__ = ["BaseClient", "Client", "ListBatchResultsResponse"]


class Client(BaseClient):
    """``client.batch`` of the blocking client."""

    def create(
        self, batch_name: str, *, input_file_id: str | None = None, timeout: float | None = None
    ) -> batch_pb2.Batch:
        """Create an empty batch (or one fed from an uploaded JSONL file ``input_file_id``)."""
        request = create_request(batch_name, input_file_id)
        return self._stub.CreateBatch(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    def add(
        self,
        batch_id: str,
        batch_requests: Sequence[batch_pb2.BatchRequest | BaseChat],
        *,
        timeout: float | None = None,
    ) -> None:
        """Add requests: ``BatchRequest`` messages, or chats created with a ``batch_request_id``."""
        self._stub.AddBatchRequests(add_request(batch_id, batch_requests), **self._calls.kwargs(timeout))

    def get(self, batch_id: str, *, timeout: float | None = None) -> batch_pb2.Batch:
        """The batch with its current ``state`` counts and costs."""
        request = batch_pb2.GetBatchRequest(batch_id=batch_id)
        return self._stub.GetBatch(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    def cancel(self, batch_id: str, *, timeout: float | None = None) -> batch_pb2.Batch:
        """Cancel the batch's pending requests; finished results are kept."""
        request = batch_pb2.CancelBatchRequest(batch_id=batch_id)
        return self._stub.CancelBatch(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    def list(
        self, limit: int | None = None, pagination_token: str | None = None, *, timeout: float | None = None
    ) -> batch_pb2.ListBatchesResponse:
        """One page of your batches, newest first; pass its ``pagination_token`` for the next."""
        request = batch_pb2.ListBatchesRequest(limit=limit, pagination_token=pagination_token)
        return self._stub.ListBatches(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    def list_batch_requests(
        self,
        batch_id: str,
        limit: int | None = None,
        pagination_token: str | None = None,
        *,
        timeout: float | None = None,
    ) -> batch_pb2.ListBatchRequestMetadataResponse:
        """One page of the batch's requests with their state (pending, succeeded, ...)."""
        request = batch_pb2.ListBatchRequestMetadataRequest(
            batch_id=batch_id, limit=limit, pagination_token=pagination_token
        )
        return self._stub.ListBatchRequestMetadata(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    def list_batch_results(
        self,
        batch_id: str,
        limit: int | None = None,
        pagination_token: str | None = None,
        *,
        timeout: float | None = None,
    ) -> ListBatchResultsResponse:
        """One page of the batch's finished results; see ``succeeded``, ``failed`` and ``pagination_token``."""
        request = batch_pb2.ListBatchResultsRequest(batch_id=batch_id, limit=limit, pagination_token=pagination_token)
        return ListBatchResultsResponse(self._stub.ListBatchResults(request, **self._calls.kwargs(timeout)))
