"""client.batch through real gRPC against xai_fake; every scenario runs on the sync and the async client."""

from __future__ import annotations

import inspect
from typing import Any

import grpc
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk.batch import BatchResult, ListBatchResultsResponse
from xai_sdk.chat import user
from xai_sdk.proto import batch_pb2

Metadata = batch_pb2.BatchRequestMetadata


def last(fake: FakeServer, method: str) -> Any:
    """The last request ``method`` received, typed loosely for attribute access."""
    return fake.requests.last(method)


async def settle(value: Any) -> Any:
    """The value of a sync call, or of an async call once awaited."""
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def client(
    request: pytest.FixtureRequest, xai_client: xai_sdk.Client, xai_async_client: xai_sdk.AsyncClient
) -> xai_sdk.Client | xai_sdk.AsyncClient:
    """The blocking client, then the async one."""
    return xai_client if request.param == "sync" else xai_async_client


async def wait_done(client: Any, batch_id: str) -> batch_pb2.Batch:
    for _ in range(50):
        batch: batch_pb2.Batch = await settle(client.batch.get(batch_id))
        if batch.state.num_pending == 0:
            return batch
    raise AssertionError("the batch never finished")


def chats(client: Any, count: int, prefix: str = "chat") -> list[Any]:
    return [
        client.chat.create("grok-4", messages=[user(f"question {i}")], batch_request_id=f"{prefix}-{i}")
        for i in range(count)
    ]


async def test_lifecycle_to_completion(client: Any, xai_fake_server: FakeServer) -> None:
    batch = await settle(client.batch.create("nightly", timeout=10.0))
    assert batch.name == "nightly" and batch.batch_id
    requests = [
        *chats(client, 2),
        client.image.prepare("a moon", "grok-imagine-image", batch_request_id="image-0", image_format="base64"),
        client.video.prepare("a wave", "grok-imagine-video", batch_request_id="video-0", duration=2),
        client.video.prepare_extension(
            "more", "grok-imagine-video", "https://example.com/v.mp4", batch_request_id="x-0"
        ),
        client.image.prepare("broken", "no-such-model", batch_request_id="bad-0"),
    ]
    assert await settle(client.batch.add(batch.batch_id, requests)) is None
    sent = last(xai_fake_server, "BatchMgmt/AddBatchRequests")
    assert sent.batch_requests[0].completion_request == requests[0].proto
    assert [r.batch_request_id for r in sent.batch_requests][:2] == ["chat-0", "chat-1"]

    done = await wait_done(client, batch.batch_id)
    assert (done.state.num_requests, done.state.num_success, done.state.num_error) == (6, 5, 1)
    assert done.cost_breakdown.total_cost_usd_ticks > 0

    results = await settle(client.batch.list_batch_results(batch.batch_id))
    assert isinstance(results, ListBatchResultsResponse) and results.pagination_token is None
    by_id = {r.batch_request_id: r for r in results.results}
    assert sorted(by_id) == ["bad-0", "chat-0", "chat-1", "image-0", "video-0", "x-0"]
    assert {r.batch_request_id for r in results.succeeded} == set(by_id) - {"bad-0"}
    [failed] = results.failed
    assert failed.has_error and not failed.is_success and "no-such-model" in (failed.error_message or "")
    assert by_id["chat-0"].response.content and by_id["chat-0"].error_message is None
    assert by_id["image-0"].image_response.base64.startswith("data:image/png;base64,")
    assert by_id["video-0"].video_response.duration == 2 and by_id["x-0"].video_response.url

    metadata = await settle(client.batch.list_batch_requests(batch.batch_id))
    states = {m.batch_request_id: m.state for m in metadata.batch_request_metadata}
    assert states["bad-0"] == Metadata.STATE_FAILED and states["chat-1"] == Metadata.STATE_SUCCEEDED


async def test_cancel_keeps_finished_results(client: Any) -> None:
    batch = await settle(client.batch.create("to-cancel"))
    await settle(client.batch.add(batch.batch_id, chats(client, 5)))
    first = await settle(client.batch.get(batch.batch_id))  # finishes two requests
    assert first.state.num_pending == 3
    cancelled = await settle(client.batch.cancel(batch.batch_id))
    assert cancelled.HasField("cancel_time")
    assert (cancelled.state.num_success, cancelled.state.num_cancelled, cancelled.state.num_pending) == (2, 3, 0)
    results = await settle(client.batch.list_batch_results(batch.batch_id))
    assert len(results.results) == 2
    with pytest.raises(grpc.RpcError) as info:
        await settle(client.batch.add(batch.batch_id, chats(client, 1, "late")))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_pagination(client: Any) -> None:
    batch = await settle(client.batch.create("paged"))
    await settle(client.batch.add(batch.batch_id, chats(client, 5)))
    await wait_done(client, batch.batch_id)

    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await settle(client.batch.list_batch_results(batch.batch_id, limit=2, pagination_token=token))
        seen += [r.batch_request_id for r in page.results]
        pages += 1
        token = page.pagination_token
        if token is None:
            break
    assert pages == 3 and seen == [f"chat-{i}" for i in range(5)]

    first = await settle(client.batch.list_batch_requests(batch.batch_id, limit=3))
    rest = await settle(client.batch.list_batch_requests(batch.batch_id, 3, first.pagination_token))
    assert len(first.batch_request_metadata) == 3 and len(rest.batch_request_metadata) == 2
    assert not rest.pagination_token

    other = await settle(client.batch.create("second"))
    listed = await settle(client.batch.list(limit=1))
    assert [b.batch_id for b in listed.batches] == [other.batch_id] and listed.pagination_token
    older = await settle(client.batch.list(limit=1, pagination_token=listed.pagination_token))
    assert [b.batch_id for b in older.batches] == [batch.batch_id]


async def test_add_assigns_ids_and_rejects_other_types(client: Any, xai_fake_server: FakeServer) -> None:
    batch = await settle(client.batch.create("ids", input_file_id="file-in"))
    assert batch.input_file_id == "file-in"
    await settle(client.batch.add(batch.batch_id, [client.chat.create("grok-4", messages=[user("no id")])]))
    sent = last(xai_fake_server, "BatchMgmt/AddBatchRequests")
    assert sent.batch_requests[0].batch_request_id == ""
    metadata = await settle(client.batch.list_batch_requests(batch.batch_id))
    assert metadata.batch_request_metadata[0].batch_request_id  # chosen by the server
    with pytest.raises(ValueError, match=r"batch_requests\[1\] is a str"):
        await settle(client.batch.add(batch.batch_id, [*chats(client, 1), "hello"]))
    with pytest.raises(ValueError, match="wrap it in a list"):
        await settle(client.batch.add(batch.batch_id, client.image.prepare("p", "grok-imagine-image")))
    with pytest.raises(grpc.RpcError) as info:
        await settle(client.batch.get("batch-missing"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_batch_result_of_an_empty_page() -> None:
    page = ListBatchResultsResponse(batch_pb2.ListBatchResultsResponse())
    assert (page.results, page.succeeded, page.failed, page.pagination_token) == ([], [], [], None)
    result = BatchResult(batch_pb2.BatchResult(batch_request_id="r"))
    assert result.is_success and result.error_message is None and result.response.content == ""
