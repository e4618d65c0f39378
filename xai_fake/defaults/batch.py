"""Defaults for ``xai_api.BatchMgmt``: batches that progress with each GetBatch poll."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import grpc
from google.protobuf import empty_pb2, timestamp_pb2

from xai_fake.defaults import tokens
from xai_fake.defaults.image import ImageDefaults
from xai_fake.defaults.models import language_model
from xai_fake.defaults.state import State, now
from xai_fake.defaults.text import generate
from xai_fake.defaults.video import check_extend, check_generate, render
from xai_fake.errors import FakeRpcError, invalid_argument, not_found
from xai_sdk.proto import batch_pb2, chat_pb2, usage_pb2

#: Pending requests finished by each GetBatch poll, in the order they were added.
REQUESTS_PER_POLL = 2
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
BATCH_LIFETIME_SECONDS = 24 * 3600
ENDPOINTS = {
    "completion_request": "/v1/chat/completions",
    "image_request": "/v1/images/generations",
    "video_request": "/v1/videos/generations",
    "video_extension_request": "/v1/videos/extensions",
}
Metadata = batch_pb2.BatchRequestMetadata
T = TypeVar("T")


@dataclass
class _Entry:
    request: batch_pb2.BatchRequest
    metadata: batch_pb2.BatchRequestMetadata
    result: batch_pb2.BatchResult | None = None
    cost: int = 0


@dataclass
class _Batch:
    proto: batch_pb2.Batch
    entries: dict[str, _Entry] = field(default_factory=dict)


def _page(items: Sequence[T], limit: int, token: str | None) -> tuple[Sequence[T], str | None]:
    """One page of ``items`` and the token of the next page (None on the last page)."""
    if not 0 <= limit <= MAX_PAGE_SIZE:
        raise invalid_argument(f"limit must be between 1 and {MAX_PAGE_SIZE} (0 for the default), got {limit}")
    size = limit or DEFAULT_PAGE_SIZE
    start = 0
    if token:
        try:
            label, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            start = int(offset)
            if label != "offset" or start < 0:
                raise ValueError(token)
        except (ValueError, binascii.Error):
            raise invalid_argument(
                f"pagination_token {token!r} is not valid; pass the pagination_token of the previous page"
            ) from None
    end = start + size
    following = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], following


class BatchDefaults:
    """Batches of chat, image and video requests.

    Each ``GetBatch`` poll finishes up to :data:`REQUESTS_PER_POLL` pending requests, so a
    batch of ``k`` requests is done after ``ceil(k / 2)`` polls. A request the real API
    would reject (unknown model, missing prompt, ...) ends as a failed result carrying
    that error; every other request succeeds.
    """

    def __init__(self, state: State) -> None:
        self.state = state
        self.images = ImageDefaults(state)

    @property
    def _batches(self) -> dict[str, _Batch]:
        return self.state.store("batches")

    def _batch(self, batch_id: str) -> _Batch:
        if not batch_id:
            raise invalid_argument("batch_id is required: pass the id returned by CreateBatch")
        batch = self._batches.get(batch_id)
        if batch is None:
            raise not_found(f"batch {batch_id!r} does not exist; list your batches with ListBatches")
        return batch

    def _snapshot(self, batch: _Batch) -> batch_pb2.Batch:
        proto = batch_pb2.Batch()
        proto.CopyFrom(batch.proto)
        counts = dict.fromkeys(Metadata.State.values(), 0)
        costs: dict[str, tuple[int, int]] = {}
        for entry in batch.entries.values():
            counts[entry.metadata.state] += 1
            if entry.metadata.state == Metadata.STATE_SUCCEEDED:
                cost, n = costs.get(entry.metadata.endpoint, (0, 0))
                costs[entry.metadata.endpoint] = (cost + entry.cost, n + 1)
        proto.state.CopyFrom(
            batch_pb2.BatchState(
                num_requests=len(batch.entries),
                num_pending=counts[Metadata.STATE_PENDING],
                num_success=counts[Metadata.STATE_SUCCEEDED],
                num_error=counts[Metadata.STATE_FAILED],
                num_cancelled=counts[Metadata.STATE_CANCELLED],
            )
        )
        proto.cost_breakdown.CopyFrom(
            batch_pb2.BatchCostBreakdown(
                total_cost_usd_ticks=sum(cost for cost, _ in costs.values()),
                endpoint_costs=[
                    batch_pb2.EndpointCost(endpoint=endpoint, cost_usd_ticks=cost, request_count=n)
                    for endpoint, (cost, n) in sorted(costs.items())
                ],
                calculation_time=now(),
            )
        )
        return proto

    # -- processing ------------------------------------------------------------------------

    def _chat(self, request: chat_pb2.GetCompletionsRequest) -> chat_pb2.GetChatCompletionResponse:
        model = language_model(request.model)
        if not request.messages:
            raise invalid_argument("messages must hold at least one message")
        if request.HasField("max_tokens") and request.max_tokens < 1:
            raise invalid_argument(f"max_tokens must be positive, got {request.max_tokens}")
        out = generate(self.state, self.state.rng("batch-chat", request), max_tokens=request.max_tokens or None)
        prompt = sum(tokens.count(c.text) for m in request.messages for c in m.content)
        cost = prompt * model.prompt_text_token_price + out.tokens * model.completion_text_token_price
        return chat_pb2.GetChatCompletionResponse(
            id=self.state.new_id("chatcmpl"),
            outputs=[
                chat_pb2.CompletionOutput(
                    index=0,
                    finish_reason=out.finish_reason,  # type: ignore[arg-type]
                    message=chat_pb2.CompletionMessage(content=out.text, role=chat_pb2.ROLE_ASSISTANT),
                )
            ],
            created=now(),
            model=model.name,
            system_fingerprint=model.system_fingerprint,
            usage=usage_pb2.SamplingUsage(
                prompt_tokens=prompt,
                prompt_text_tokens=prompt,
                completion_tokens=out.tokens,
                total_tokens=prompt + out.tokens,
                cost_in_usd_ticks=cost,
            ),
        )

    def _answer(self, request: batch_pb2.BatchRequest) -> batch_pb2.BatchResultData:
        kind = request.WhichOneof("request")
        if kind == "completion_request":
            return batch_pb2.BatchResultData(completion_response=self._chat(request.completion_request))
        if kind == "image_request":
            image = self.images.GenerateImage(request.image_request, None)
            return batch_pb2.BatchResultData(image_response=image)
        if kind == "video_request":
            video = render(self.state, request.video_request, *check_generate(request.video_request))
            return batch_pb2.BatchResultData(video_response=video)
        extension = request.video_extension_request
        return batch_pb2.BatchResultData(video_response=render(self.state, extension, *check_extend(extension)))

    def _process(self, entry: _Entry) -> None:
        request_id = entry.metadata.batch_request_id
        try:
            data = self._answer(entry.request)
        except FakeRpcError as error:
            entry.result = batch_pb2.BatchResult(batch_request_id=request_id)
            entry.result.error.code, entry.result.error.message = error.code.value[0], error.details
            entry.metadata.state = Metadata.STATE_FAILED
        else:
            entry.result = batch_pb2.BatchResult(batch_request_id=request_id, response=data)
            entry.metadata.state = Metadata.STATE_SUCCEEDED
            usage = getattr(data, str(data.WhichOneof("response"))).usage
            entry.cost = usage.cost_in_usd_ticks
        entry.metadata.finish_time.CopyFrom(now())

    # -- RPCs ------------------------------------------------------------------------------

    def CreateBatch(self, request: batch_pb2.CreateBatchRequest, context: object) -> batch_pb2.Batch:
        if not request.name:
            raise invalid_argument("name is required: give the batch a name to find it by")
        created = now()
        proto = batch_pb2.Batch(
            batch_id=self.state.new_id("batch"),
            name=request.name,
            create_time=created,
            expire_time=timestamp_pb2.Timestamp(seconds=created.seconds + BATCH_LIFETIME_SECONDS),
            create_api_key_id="api-key-xai-fake",
        )
        if request.input_file_id:
            proto.input_file_id = request.input_file_id
        batch = _Batch(proto)
        self._batches[proto.batch_id] = batch
        return self._snapshot(batch)

    def AddBatchRequests(self, request: batch_pb2.AddBatchRequestsRequest, context: object) -> empty_pb2.Empty:
        batch = self._batch(request.batch_id)
        if batch.proto.HasField("cancel_time"):
            raise FakeRpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"batch {request.batch_id!r} was cancelled and accepts no more requests; create a new batch",
            )
        if not request.batch_requests:
            raise invalid_argument("batch_requests must hold at least one request")
        added: dict[str, _Entry] = {}
        for index, item in enumerate(request.batch_requests):
            kind = item.WhichOneof("request")
            if kind is None:
                raise invalid_argument(f"batch_requests[{index}] is empty: set one of {', '.join(ENDPOINTS)}")
            request_id = item.batch_request_id or self.state.new_id("batch-request")
            if request_id in batch.entries or request_id in added:
                raise invalid_argument(
                    f"batch_requests[{index}]: batch_request_id {request_id!r} is already used in this batch"
                )
            stored = batch_pb2.BatchRequest()
            stored.CopyFrom(item)
            stored.batch_request_id = request_id
            metadata = Metadata(
                batch_request_id=request_id,
                endpoint=ENDPOINTS[kind],
                model=getattr(item, kind).model,
                state=Metadata.STATE_PENDING,
                create_time=now(),
            )
            added[request_id] = _Entry(stored, metadata)
        batch.entries.update(added)
        return empty_pb2.Empty()

    def GetBatch(self, request: batch_pb2.GetBatchRequest, context: object) -> batch_pb2.Batch:
        batch = self._batch(request.batch_id)
        pending = [e for e in batch.entries.values() if e.metadata.state == Metadata.STATE_PENDING]
        for entry in pending[:REQUESTS_PER_POLL]:
            self._process(entry)
        return self._snapshot(batch)

    def ListBatches(self, request: batch_pb2.ListBatchesRequest, context: object) -> batch_pb2.ListBatchesResponse:
        newest_first = list(reversed(self._batches.values()))
        page, token = _page(newest_first, request.limit, request.pagination_token)
        return batch_pb2.ListBatchesResponse(batches=[self._snapshot(b) for b in page], pagination_token=token)

    def CancelBatch(self, request: batch_pb2.CancelBatchRequest, context: object) -> batch_pb2.Batch:
        batch = self._batch(request.batch_id)
        if not batch.proto.HasField("cancel_time"):
            batch.proto.cancel_time.CopyFrom(now())
            for entry in batch.entries.values():
                if entry.metadata.state == Metadata.STATE_PENDING:
                    entry.metadata.state = Metadata.STATE_CANCELLED
                    entry.metadata.finish_time.CopyFrom(now())
        return self._snapshot(batch)

    def ListBatchRequestMetadata(
        self, request: batch_pb2.ListBatchRequestMetadataRequest, context: object
    ) -> batch_pb2.ListBatchRequestMetadataResponse:
        batch = self._batch(request.batch_id)
        wanted = set(request.status)
        rows = [e.metadata for e in batch.entries.values() if not wanted or e.metadata.state in wanted]
        page, token = _page(rows, request.limit, request.pagination_token)
        return batch_pb2.ListBatchRequestMetadataResponse(batch_request_metadata=page, pagination_token=token)

    def ListBatchResults(
        self, request: batch_pb2.ListBatchResultsRequest, context: object
    ) -> batch_pb2.ListBatchResultsResponse:
        batch = self._batch(request.batch_id)
        results = [e.result for e in batch.entries.values() if e.result is not None]
        page, token = _page(results, request.limit, request.pagination_token)
        return batch_pb2.ListBatchResultsResponse(results=page, pagination_token=token)

    def GetBatchRequestResult(
        self, request: batch_pb2.GetBatchRequestResultRequest, context: object
    ) -> batch_pb2.GetBatchRequestResultResponse:
        batch = self._batch(request.batch_id)
        entry = batch.entries.get(request.batch_request_id)
        if entry is None:
            raise not_found(
                f"batch {request.batch_id!r} has no request {request.batch_request_id!r}; "
                "list its requests with ListBatchRequestMetadata"
            )
        if entry.result is None:
            what = f"request {request.batch_request_id!r} of batch {request.batch_id!r}"
            raise FakeRpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"{what} was cancelled with its batch and has no result"
                if entry.metadata.state == Metadata.STATE_CANCELLED
                else f"{what} is still pending; poll GetBatch until num_pending is 0",
            )
        return batch_pb2.GetBatchRequestResultResponse(request=entry.request, result=entry.result)
