"""Batches through real gRPC: lifecycle, results, cancellation, pagination and errors."""

from __future__ import annotations

import grpc
import pytest

from xai_fake import FakeServer
from xai_sdk.proto import batch_pb2, batch_pb2_grpc, chat_pb2, image_pb2, video_pb2

Metadata = tuple[tuple[str, str], ...]
State = batch_pb2.BatchRequestMetadata


def chat(text: str, model: str = "grok-3-mini", request_id: str | None = None) -> batch_pb2.BatchRequest:
    message = chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])
    request = chat_pb2.GetCompletionsRequest(model=model, messages=[message])
    return batch_pb2.BatchRequest(batch_request_id=request_id, completion_request=request)


@pytest.fixture
def stub(fake: FakeServer, channel: grpc.Channel) -> batch_pb2_grpc.BatchMgmtStub:
    """A BatchMgmt stub on a freshly reset fake."""
    return batch_pb2_grpc.BatchMgmtStub(channel)


def new_batch(stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata, *requests: batch_pb2.BatchRequest) -> str:
    batch_id: str = stub.CreateBatch(batch_pb2.CreateBatchRequest(name="nightly"), metadata=md).batch_id
    if requests:
        stub.AddBatchRequests(
            batch_pb2.AddBatchRequestsRequest(batch_id=batch_id, batch_requests=requests), metadata=md
        )
    return batch_id


def counters(batch: batch_pb2.Batch) -> tuple[int, int, int, int, int]:
    s = batch.state
    return s.num_requests, s.num_pending, s.num_success, s.num_error, s.num_cancelled


def test_batch_runs_to_completion_with_succeeded_and_failed_results(
    fake: FakeServer, stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata
) -> None:
    image = image_pb2.GenerateImageRequest(
        model="grok-imagine-image", prompt="a fox", format=image_pb2.IMG_FORMAT_BASE64
    )
    video = video_pb2.GenerateVideoRequest(model="grok-imagine-video", prompt="a fox runs", duration=3)
    batch_id = new_batch(
        stub, md,
        chat("hello", request_id="greeting"), chat("hi", model="grok-nope", request_id="bad-model"),
        batch_pb2.BatchRequest(batch_request_id="picture", image_request=image),
        batch_pb2.BatchRequest(batch_request_id="clip", video_request=video),
        chat("bye", request_id="farewell"),
    )  # fmt: skip
    created = stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)
    assert created.name == "nightly"
    assert created.expire_time.seconds - created.create_time.seconds == 24 * 3600
    polls = [counters(created)] + [
        counters(stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)) for _ in range(3)
    ]
    assert polls == [(5, 3, 1, 1, 0), (5, 1, 3, 1, 0), (5, 0, 4, 1, 0), (5, 0, 4, 1, 0)]

    results = stub.ListBatchResults(batch_pb2.ListBatchResultsRequest(batch_id=batch_id), metadata=md)
    by_id = {r.batch_request_id: r for r in results.results}
    assert list(by_id) == ["greeting", "bad-model", "picture", "clip", "farewell"]
    assert not results.HasField("pagination_token")
    greeting = by_id["greeting"].response.completion_response
    assert greeting.model == "grok-3-mini"
    assert greeting.outputs[0].message.role == chat_pb2.ROLE_ASSISTANT
    assert greeting.outputs[0].message.content
    assert greeting.usage.completion_tokens > 0
    assert by_id["bad-model"].error.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert "'grok-nope' does not exist" in by_id["bad-model"].error.message
    assert by_id["picture"].response.image_response.images[0].base64.startswith("data:image/png;base64,")
    assert by_id["clip"].response.video_response.video.url.startswith(fake.http_url)

    single = stub.GetBatchRequestResult(
        batch_pb2.GetBatchRequestResultRequest(batch_id=batch_id, batch_request_id="farewell"), metadata=md
    )
    assert single.result == by_id["farewell"]
    assert single.request.completion_request.messages[0].content[0].text == "bye"

    batch = stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)
    costs = {c.endpoint: c for c in batch.cost_breakdown.endpoint_costs}
    assert costs["/v1/chat/completions"].request_count == 2
    assert batch.cost_breakdown.total_cost_usd_ticks == sum(c.cost_usd_ticks for c in costs.values()) > 0


def test_cancel_stops_pending_requests(stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata) -> None:
    batch_id = new_batch(stub, md, *(chat(f"q{i}", request_id=f"q{i}") for i in range(5)))
    stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)
    cancelled = stub.CancelBatch(batch_pb2.CancelBatchRequest(batch_id=batch_id), metadata=md)
    assert cancelled.HasField("cancel_time")
    assert counters(cancelled) == (5, 0, 2, 0, 3)
    assert counters(stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)) == (5, 0, 2, 0, 3)
    metadata = stub.ListBatchRequestMetadata(
        batch_pb2.ListBatchRequestMetadataRequest(batch_id=batch_id, status=[State.STATE_CANCELLED]), metadata=md
    )
    assert [m.batch_request_id for m in metadata.batch_request_metadata] == ["q2", "q3", "q4"]
    assert all(m.HasField("finish_time") for m in metadata.batch_request_metadata)
    with pytest.raises(grpc.RpcError) as info:
        stub.AddBatchRequests(
            batch_pb2.AddBatchRequestsRequest(batch_id=batch_id, batch_requests=[chat("x")]), metadata=md
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
    assert "was cancelled" in info.value.details()  # type: ignore[attr-defined]
    with pytest.raises(grpc.RpcError) as info:
        stub.GetBatchRequestResult(
            batch_pb2.GetBatchRequestResultRequest(batch_id=batch_id, batch_request_id="q3"), metadata=md
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]


def test_list_batches_pages_newest_first(stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata) -> None:
    created = [new_batch(stub, md) for _ in range(5)]
    pages, token = [], None
    while True:
        page = stub.ListBatches(batch_pb2.ListBatchesRequest(limit=2, pagination_token=token), metadata=md)
        pages.append([b.batch_id for b in page.batches])
        if not page.HasField("pagination_token"):
            break
        token = page.pagination_token
    assert pages == [created[4:2:-1], created[2:0:-1], created[:1]]


@pytest.mark.parametrize(
    ("call", "make_request"),
    [
        ("ListBatchResults", batch_pb2.ListBatchResultsRequest),
        ("ListBatchRequestMetadata", batch_pb2.ListBatchRequestMetadataRequest),
    ],
)
def test_per_batch_listings_page(
    stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata, call: str, make_request: type[batch_pb2.ListBatchResultsRequest]
) -> None:
    batch_id = new_batch(stub, md, *(chat(f"q{i}", request_id=f"q{i}") for i in range(5)))
    for _ in range(3):
        stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md)
    seen, token = [], None
    while True:
        page = getattr(stub, call)(make_request(batch_id=batch_id, limit=2, pagination_token=token), metadata=md)
        rows = page.results if call == "ListBatchResults" else page.batch_request_metadata
        assert len(rows) <= 2
        seen += [row.batch_request_id for row in rows]
        if not page.HasField("pagination_token"):
            break
        token = page.pagination_token
    assert seen == [f"q{i}" for i in range(5)]


@pytest.mark.parametrize(
    ("call", "request_", "code", "message"),
    [
        ("GetBatch", batch_pb2.GetBatchRequest(batch_id="batch-404"), grpc.StatusCode.NOT_FOUND,
         "batch 'batch-404' does not exist"),
        ("GetBatch", batch_pb2.GetBatchRequest(), grpc.StatusCode.INVALID_ARGUMENT, "batch_id is required"),
        ("CreateBatch", batch_pb2.CreateBatchRequest(), grpc.StatusCode.INVALID_ARGUMENT, "name is required"),
        ("ListBatches", batch_pb2.ListBatchesRequest(pagination_token="garbage"), grpc.StatusCode.INVALID_ARGUMENT,
         "pagination_token 'garbage' is not valid"),
        ("ListBatches", batch_pb2.ListBatchesRequest(limit=-1), grpc.StatusCode.INVALID_ARGUMENT,
         "limit must be between 1 and 1000"),
        ("CancelBatch", batch_pb2.CancelBatchRequest(batch_id="batch-404"), grpc.StatusCode.NOT_FOUND,
         "does not exist"),
    ],
)  # fmt: skip
def test_invalid_requests_are_rejected(
    stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata, call: str, request_: object, code: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        getattr(stub, call)(request_, metadata=md)
    assert info.value.code() == code  # type: ignore[attr-defined]
    assert message in info.value.details()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([], "batch_requests must hold at least one request"),
        ([batch_pb2.BatchRequest()], "batch_requests[0] is empty"),
        ([chat("a", request_id="same"), chat("b", request_id="same")], "batch_request_id 'same' is already used"),
    ],
)
def test_invalid_additions_are_rejected_whole(
    stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata, requests: list[batch_pb2.BatchRequest], message: str
) -> None:
    batch_id = new_batch(stub, md)
    with pytest.raises(grpc.RpcError) as info:
        stub.AddBatchRequests(
            batch_pb2.AddBatchRequestsRequest(batch_id=batch_id, batch_requests=requests), metadata=md
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert message in info.value.details()  # type: ignore[attr-defined]
    assert counters(stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md))[0] == 0


async def test_batch_lifecycle_async(fake: FakeServer, aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    stub = batch_pb2_grpc.BatchMgmtStub(aio_channel)
    batch = await stub.CreateBatch(batch_pb2.CreateBatchRequest(name="async"), metadata=md)
    await stub.AddBatchRequests(
        batch_pb2.AddBatchRequestsRequest(batch_id=batch.batch_id, batch_requests=[chat("a"), chat("b"), chat("c")]),
        metadata=md,
    )
    listing = await stub.ListBatchRequestMetadata(
        batch_pb2.ListBatchRequestMetadataRequest(batch_id=batch.batch_id), metadata=md
    )
    first = batch_pb2.GetBatchRequestResultRequest(
        batch_id=batch.batch_id, batch_request_id=listing.batch_request_metadata[0].batch_request_id
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetBatchRequestResult(first, metadata=md)
    assert "still pending" in (info.value.details() or "")
    pending: list[int] = []
    while (not pending or pending[-1]) and len(pending) < 5:
        polled = await stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch.batch_id), metadata=md)
        pending.append(polled.state.num_pending)
    assert pending == [1, 0]
    results = await stub.ListBatchResults(batch_pb2.ListBatchResultsRequest(batch_id=batch.batch_id), metadata=md)
    assert [r.WhichOneof("result") for r in results.results] == ["response"] * 3
