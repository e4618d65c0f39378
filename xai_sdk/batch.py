"""Batches: request conversion, result views and the shared batch client base.

Build requests with ``client.chat.create(..., batch_request_id=...)``,
``client.image.prepare(...)`` or ``client.video.prepare(...)``, add them with
``client.batch.add(batch_id, requests)``, poll ``client.batch.get`` until
``state.num_pending`` is 0 and read ``client.batch.list_batch_results``.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk._chat.base import BaseChat
from xai_sdk._chat.response import Response
from xai_sdk.image import BaseImageResponse
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import batch_pb2, batch_pb2_grpc
from xai_sdk.video import VideoResponse

__all__ = ["BaseClient", "BatchResult", "ListBatchResultsResponse"]


class BatchResult(ProtoDecorator[batch_pb2.BatchResult]):
    """The outcome of one request of a batch: a response, or an error."""

    @property
    def batch_request_id(self) -> str:
        """The request's id within its batch: the one it was added with, or one the server chose."""
        return self._proto.batch_request_id

    @property
    def response(self) -> Response:
        """The chat completion, for a request built with ``client.chat.create``."""
        return Response(self._proto.response.completion_response, 0)

    @property
    def image_response(self) -> BaseImageResponse:
        """The (first) generated image, for a request built with ``client.image.prepare``."""
        return BaseImageResponse(self._proto.response.image_response, 0)

    @property
    def video_response(self) -> VideoResponse:
        """The generated video, for a request built with ``client.video.prepare`` or ``prepare_extension``."""
        return VideoResponse(self._proto.response.video_response)

    @property
    def has_error(self) -> bool:
        """True when the request failed."""
        return bool(self._proto.error.code != 0)

    @property
    def is_success(self) -> bool:
        """True when the request succeeded."""
        return bool(self._proto.error.code == 0)

    @property
    def error_message(self) -> str | None:
        """The error message of a failed request, else ``None``."""
        return self._proto.error.message if self.has_error else None


class ListBatchResultsResponse(ProtoDecorator[batch_pb2.ListBatchResultsResponse]):
    """One page of a batch's results, with views of the successes and the failures."""

    @property
    def results(self) -> Sequence[BatchResult]:
        """Every result of the page."""
        return [BatchResult(result) for result in self._proto.results]

    @property
    def succeeded(self) -> Sequence[BatchResult]:
        """The successful results of the page."""
        return [result for result in self.results if result.is_success]

    @property
    def failed(self) -> Sequence[BatchResult]:
        """The failed results of the page."""
        return [result for result in self.results if result.has_error]

    @property
    def pagination_token(self) -> str | None:
        """Pass it to ``list_batch_results`` for the next page; ``None`` on the last page."""
        return self._proto.pagination_token or None


def as_batch_request(item: batch_pb2.BatchRequest | BaseChat, index: int) -> batch_pb2.BatchRequest:
    """A ``BatchRequest`` as is, or a chat's request with its ``batch_request_id``."""
    if isinstance(item, batch_pb2.BatchRequest):
        return item
    if isinstance(item, BaseChat):
        return batch_pb2.BatchRequest(completion_request=item.proto, batch_request_id=item._batch_request_id or "")
    raise ValueError(
        f"batch_requests[{index}] is a {type(item).__name__}; add BatchRequest messages (client.image.prepare, "
        "client.video.prepare, ...) or chats from client.chat.create(..., batch_request_id=...)"
    )


def add_request(
    batch_id: str, batch_requests: Sequence[batch_pb2.BatchRequest | BaseChat]
) -> batch_pb2.AddBatchRequestsRequest:
    """The ``AddBatchRequestsRequest`` adding ``batch_requests`` to ``batch_id``."""
    if isinstance(batch_requests, (batch_pb2.BatchRequest, BaseChat)):
        raise ValueError("batch_requests must be a list of requests, got a single request; wrap it in a list")
    items = [as_batch_request(item, index) for index, item in enumerate(batch_requests)]
    return batch_pb2.AddBatchRequestsRequest(batch_id=batch_id, batch_requests=items)


def create_request(batch_name: str, input_file_id: str | None) -> batch_pb2.CreateBatchRequest:
    """The ``CreateBatchRequest`` for a batch named ``batch_name``, optionally fed from a JSONL file."""
    request = batch_pb2.CreateBatchRequest(name=batch_name)
    if input_file_id is not None:
        request.input_file_id = input_file_id
    return request


class BaseClient:
    """``client.batch``: the stub and call settings shared by the blocking and async clients."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = batch_pb2_grpc.BatchMgmtStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
