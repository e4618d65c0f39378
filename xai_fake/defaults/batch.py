"""Defaults for ``xai_api.BatchMgmt``: batches whose requests finish one after another on the fake's clock.

A batch request is answered by the service implementation in use for its kind, the one a
direct call would reach: ``xai_api.Chat/GetCompletion`` for chat (so a batch result is what
Chat answers for the same request and seed, validation included), ``xai_api.Image/GenerateImage``
for images, and for videos ``xai_api.Video/GenerateVideo`` or ``ExtendVideo`` polled with
``GetDeferredVideo`` until the job ends. A user override of one of these services
(``Defaults.register``) therefore reaches batches too.

Lifecycle: a batch works through its requests in the order they were added, one every
:data:`SECONDS_PER_REQUEST` of the fake's clock (``fake.clock``); a video request then waits for
its video job (minutes, see :mod:`xai_fake.defaults.video`). docs.x.ai: "Most batch requests
complete within 24 hours" (https://docs.x.ai/developers/advanced-api-usage/batch-api). A request
whose time came is answered on the next read of its batch, as of that time. While the clock runs
in real time (``fake.clock.real``, the default) each ``GetBatch`` also finishes the next
:data:`REQUESTS_PER_POLL` pending requests, as fast as ever: a batch of ``k`` requests is done after
``ceil(k / 2)`` polls. Batches belong to the team of the key that made them.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import grpc
from google.protobuf import empty_pb2, timestamp_pb2
from google.protobuf.message import Message

from xai_fake.defaults.paging import page
from xai_fake.defaults.state import State
from xai_fake.errors import FakeRpcError, invalid_argument, not_found
from xai_sdk.proto import batch_pb2, deferred_pb2, video_pb2

logger = logging.getLogger("xai_fake")

#: Pending requests finished by each GetBatch poll while the clock runs in real time, in the order added.
REQUESTS_PER_POLL = 2
#: Seconds of the fake's clock each request of a batch takes, one after another.
SECONDS_PER_REQUEST = 60
BATCH_LIFETIME_SECONDS = 24 * 3600
_VIDEO_STARTS = {"video_request": "GenerateVideo", "video_extension_request": "ExtendVideo"}
#: Polls of ``GetDeferredVideo`` a batch waits for one video before failing it DEADLINE_EXCEEDED.
MAX_VIDEO_POLLS = 100
ENDPOINTS = {
    "completion_request": "/v1/chat/completions",
    "image_request": "/v1/images/generations",
    "video_request": "/v1/videos/generations",
    "video_extension_request": "/v1/videos/extensions",
}
Metadata = batch_pb2.BatchRequestMetadata


@dataclass
class BatchEntry:
    """One request of a batch, its metadata and, once processed, its result and cost."""

    request: batch_pb2.BatchRequest
    metadata: batch_pb2.BatchRequestMetadata
    result: batch_pb2.BatchResult | None = None
    cost: int = 0
    #: The clock time the batch gets to it (a video request then starts its job).
    ready_at: float = 0.0
    #: The video job of a video request, once started.
    video_request_id: str | None = None


@dataclass
class StoredBatch:
    """A batch: its proto (without the live counters) and its requests by ``batch_request_id``."""

    proto: batch_pb2.Batch
    entries: dict[str, BatchEntry] = field(default_factory=dict)
    #: The clock time the batch gets through the requests queued so far.
    busy_until: float = 0.0


@dataclass
class BatchState:
    """Every batch of the fake by ``batch_id``, in creation order."""

    batches: dict[str, StoredBatch] = field(default_factory=dict)


class BatchDefaults:
    """Batches of chat, image and video requests.

    Each ``GetBatch`` poll finishes up to :data:`REQUESTS_PER_POLL` pending requests, so a
    batch of ``k`` requests is done after ``ceil(k / 2)`` polls. A request the service would
    reject (unknown model, missing prompt, a message without a role, ...) ends as a failed
    result carrying that error; every other request succeeds with what the service answered.

    ``service(name)`` returns the implementation in use for a service by full name (e.g.
    ``"xai_api.Image"``): the registry's lookup, so that overrides reach batches.
    """

    SERVICE: ClassVar[str] = "xai_api.BatchMgmt"

    def __init__(self, state: State, service: Callable[[str], Any]) -> None:
        self.state = state
        self.service = service

    @property
    def _batches(self) -> dict[str, StoredBatch]:
        return self.state.of(BatchState).batches

    def _batch(self, batch_id: str, polled: bool = False) -> StoredBatch:
        """The batch, brought up to the clock's time (``polled``: by a GetBatch, a step in real time)."""
        if not batch_id:
            raise invalid_argument("batch_id is required: pass the id returned by CreateBatch")
        batch = self._batches.get(batch_id)
        if batch is None:
            raise not_found(f"batch {batch_id!r} does not exist; list your batches with ListBatches")
        self._advance(batch, polled)
        return batch

    def _advance(self, batch: StoredBatch, polled: bool) -> None:
        """Answer the pending requests whose time has come, in order; in real time a poll also
        finishes the next :data:`REQUESTS_PER_POLL`."""
        now, real = self.state.time(), self.state.clock.real
        steps = REQUESTS_PER_POLL if polled and real else 0
        for entry in list(batch.entries.values()):
            if entry.metadata.state != Metadata.STATE_PENDING:
                continue
            if entry.ready_at > now:
                if steps <= 0:
                    break  # the queue is in order: the later ones are not due either
                steps -= 1
            self._process(entry, now)

    def _snapshot(self, batch: StoredBatch) -> batch_pb2.Batch:
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
                calculation_time=self.state.now(),
            )
        )
        return proto

    # -- processing ------------------------------------------------------------------------

    def _call(self, service: str, method: str, request: Message) -> Any:
        """``service/method`` of the implementation in use, called as a direct call would be."""
        handler = getattr(self.service(service), method, None)
        if handler is None:
            raise FakeRpcError(
                grpc.StatusCode.UNIMPLEMENTED,
                f"xai_fake: {service}/{method} has no implementation, so batch requests that need it cannot run",
            )
        answer = handler(request, None)
        if inspect.isawaitable(answer):
            close = getattr(answer, "close", None)
            if close is not None:
                close()  # a coroutine never to be awaited: no "never awaited" warning
            raise FakeRpcError(
                grpc.StatusCode.UNIMPLEMENTED,
                f"xai_fake: {service}/{method} is async; batches call implementations synchronously",
            )
        return answer

    def _video(self, entry: BatchEntry, moment: float) -> batch_pb2.BatchResultData | None:
        """The video of a video request, made through the Video service: its job started as of
        ``moment`` (when the batch got to it), then polled; None while it still renders.

        In real time polls are what moves a job on, so it is polled until it ends (at most
        :data:`MAX_VIDEO_POLLS` times); otherwise the job ends when the clock gets there, and the
        request stays pending until then.
        """
        if entry.video_request_id is None:
            kind = str(entry.request.WhichOneof("request"))
            with self.state.as_of(moment):
                started = self._call("xai_api.Video", _VIDEO_STARTS[kind], getattr(entry.request, kind))
            entry.video_request_id = started.request_id
        poll = video_pb2.GetDeferredVideoRequest(request_id=entry.video_request_id)
        real = self.state.clock.real
        for _ in range(MAX_VIDEO_POLLS if real else 1):
            answer = self._call("xai_api.Video", "GetDeferredVideo", poll)
            if answer.status == deferred_pb2.DONE:
                return batch_pb2.BatchResultData(video_response=answer.response)
            if answer.status == deferred_pb2.FAILED:
                error = answer.response.error
                code = grpc.StatusCode.__members__.get(error.code, grpc.StatusCode.INTERNAL)
                raise FakeRpcError(code, error.message or "video generation failed")
            if answer.status == deferred_pb2.EXPIRED:
                raise FakeRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "the video request expired before it finished")
        if not real:
            return None
        raise FakeRpcError(
            grpc.StatusCode.DEADLINE_EXCEEDED, f"the video was still pending after {MAX_VIDEO_POLLS} polls"
        )

    def _answer(self, request: batch_pb2.BatchRequest) -> batch_pb2.BatchResultData:
        """The answer to a chat or image request (video requests go through :meth:`_video`)."""
        kind = request.WhichOneof("request")
        if kind == "completion_request":
            chat = self._call("xai_api.Chat", "GetCompletion", request.completion_request)
            return batch_pb2.BatchResultData(completion_response=chat)
        image = self._call("xai_api.Image", "GenerateImage", request.image_request)
        return batch_pb2.BatchResultData(image_response=image)

    def _process(self, entry: BatchEntry, now: float) -> None:
        """Answer a request whose time came (as of that time), or start or poll its video job."""
        request_id = entry.metadata.batch_request_id
        moment = min(now, entry.ready_at)
        try:
            if entry.request.WhichOneof("request") in _VIDEO_STARTS:
                found = self._video(entry, moment)
                if found is None:
                    return  # the video still renders: the request stays pending
                data, moment = found, now
            else:
                with self.state.as_of(moment):
                    data = self._answer(entry.request)
        except FakeRpcError as error:
            self._fail(entry, error.code, error.details)
        except Exception as error:  # an override's bug fails its request, not the poll
            logger.exception("batch request %s failed", request_id)
            self._fail(entry, grpc.StatusCode.INTERNAL, f"xai_fake: {type(error).__name__}: {error}")
        else:
            entry.result = batch_pb2.BatchResult(batch_request_id=request_id, response=data)
            entry.metadata.state = Metadata.STATE_SUCCEEDED
            usage = getattr(data, str(data.WhichOneof("response"))).usage
            entry.cost = usage.cost_in_usd_ticks
        entry.metadata.finish_time.CopyFrom(self.state.timestamp(moment))

    @staticmethod
    def _fail(entry: BatchEntry, code: grpc.StatusCode, details: str) -> None:
        entry.result = batch_pb2.BatchResult(batch_request_id=entry.metadata.batch_request_id)
        entry.result.error.code, entry.result.error.message = code.value[0], details
        entry.metadata.state = Metadata.STATE_FAILED

    # -- RPCs ------------------------------------------------------------------------------

    def CreateBatch(self, request: batch_pb2.CreateBatchRequest, context: object) -> batch_pb2.Batch:
        if not request.name:
            raise invalid_argument("name is required: give the batch a name to find it by")
        created = self.state.now()
        proto = batch_pb2.Batch(
            batch_id=self.state.new_id("batch"),
            name=request.name,
            create_time=created,
            expire_time=timestamp_pb2.Timestamp(seconds=created.seconds + BATCH_LIFETIME_SECONDS),
            create_api_key_id=self.state.tenant.key_id,
        )
        if request.input_file_id:
            proto.input_file_id = request.input_file_id
        batch = StoredBatch(proto)
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
        added: dict[str, BatchEntry] = {}
        now = self.state.time()
        busy_until = max(batch.busy_until, now)
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
                create_time=self.state.timestamp(now),
            )
            busy_until += SECONDS_PER_REQUEST
            added[request_id] = BatchEntry(stored, metadata, ready_at=busy_until)
        batch.entries.update(added)
        batch.busy_until = busy_until
        return empty_pb2.Empty()

    def GetBatch(self, request: batch_pb2.GetBatchRequest, context: object) -> batch_pb2.Batch:
        return self._snapshot(self._batch(request.batch_id, polled=True))

    def ListBatches(self, request: batch_pb2.ListBatchesRequest, context: object) -> batch_pb2.ListBatchesResponse:
        newest_first = list(reversed(self._batches.values()))
        found, token = page(newest_first, request.limit, request.pagination_token)
        for batch in found:
            self._advance(batch, polled=False)
        return batch_pb2.ListBatchesResponse(batches=[self._snapshot(b) for b in found], pagination_token=token)

    def CancelBatch(self, request: batch_pb2.CancelBatchRequest, context: object) -> batch_pb2.Batch:
        batch = self._batch(request.batch_id)
        if not batch.proto.HasField("cancel_time"):
            cancelled = self.state.now()
            batch.proto.cancel_time.CopyFrom(cancelled)
            for entry in batch.entries.values():
                if entry.metadata.state == Metadata.STATE_PENDING:
                    entry.metadata.state = Metadata.STATE_CANCELLED
                    entry.metadata.finish_time.CopyFrom(cancelled)
        return self._snapshot(batch)

    def ListBatchRequestMetadata(
        self, request: batch_pb2.ListBatchRequestMetadataRequest, context: object
    ) -> batch_pb2.ListBatchRequestMetadataResponse:
        batch = self._batch(request.batch_id)
        wanted = set(request.status)
        rows = [e.metadata for e in batch.entries.values() if not wanted or e.metadata.state in wanted]
        found, token = page(rows, request.limit, request.pagination_token)
        return batch_pb2.ListBatchRequestMetadataResponse(batch_request_metadata=found, pagination_token=token)

    def ListBatchResults(
        self, request: batch_pb2.ListBatchResultsRequest, context: object
    ) -> batch_pb2.ListBatchResultsResponse:
        batch = self._batch(request.batch_id)
        results = [e.result for e in batch.entries.values() if e.result is not None]
        found, token = page(results, request.limit, request.pagination_token)
        return batch_pb2.ListBatchResultsResponse(results=found, pagination_token=token)

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
