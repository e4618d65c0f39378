"""Batches through real gRPC: lifecycle, results, cancellation, pagination and errors."""

from __future__ import annotations

import json
from typing import Any

import grpc
import jsonschema
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from xai_fake import FakeServer
from xai_fake.defaults import tokens
from xai_fake.defaults.capabilities import accepted_efforts
from xai_fake.defaults.models import LANGUAGE_MODELS, language_spec
from xai_sdk.proto import (
    batch_pb2,
    batch_pb2_grpc,
    chat_pb2,
    chat_pb2_grpc,
    image_pb2,
    image_pb2_grpc,
    usage_pb2,
    video_pb2,
)

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


# -- batch answers are the services' answers --------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "population": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "required": ["city", "population", "tags"],
}


def completion(text: str = "Tell me about Mars", **fields: Any) -> chat_pb2.GetCompletionsRequest:
    message = chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])
    return chat_pb2.GetCompletionsRequest(model=fields.pop("model", "grok-4"), messages=[message], **fields)


def json_schema_format() -> chat_pb2.ResponseFormat:
    return chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(SCHEMA))


def comparable(response: chat_pb2.GetChatCompletionResponse) -> chat_pb2.GetChatCompletionResponse:
    """The response without what differs between two answers to the same request: id and time."""
    copy = chat_pb2.GetChatCompletionResponse()
    copy.CopyFrom(response)
    copy.ClearField("id")
    copy.ClearField("created")
    return copy


def run_batch(
    stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata, *requests: batch_pb2.BatchRequest
) -> dict[str, batch_pb2.BatchResult]:
    """Results by batch_request_id of a batch of ``requests``, polled until none is pending."""
    batch_id = new_batch(stub, md, *requests)
    for _ in range(len(requests)):
        if not stub.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch_id), metadata=md).state.num_pending:
            break
    results = stub.ListBatchResults(batch_pb2.ListBatchResultsRequest(batch_id=batch_id), metadata=md).results
    assert len(results) == len(requests)
    return {result.batch_request_id: result for result in results}


def assert_same_answer(
    direct: chat_pb2.GetChatCompletionResponse, batched: chat_pb2.GetChatCompletionResponse, text: str
) -> None:
    assert comparable(batched) == comparable(direct)
    assert batched.usage.prompt_tokens == direct.usage.prompt_tokens == tokens.count(text) + 3
    assert batched.usage.completion_tokens == direct.usage.completion_tokens > 0
    assert [o.message.content for o in batched.outputs] == [o.message.content for o in direct.outputs]


@pytest.mark.parametrize("structured", [False, True], ids=["text", "json_schema"])
def test_a_batched_chat_gets_the_direct_answer(
    stub: batch_pb2_grpc.BatchMgmtStub, channel: grpc.Channel, md: Metadata, structured: bool
) -> None:
    fields = {"response_format": json_schema_format()} if structured else {}
    request = completion("Describe a city", n=2, max_tokens=40, **fields)
    direct = chat_pb2_grpc.ChatStub(channel).GetCompletion(request, metadata=md)
    results = run_batch(stub, md, batch_pb2.BatchRequest(batch_request_id="same", completion_request=request))
    assert results["same"].WhichOneof("result") == "response"
    batched = results["same"].response.completion_response
    assert_same_answer(direct, batched, "Describe a city")
    if structured:
        for output in [*direct.outputs, *batched.outputs]:
            jsonschema.validate(json.loads(output.message.content), SCHEMA)


async def test_a_batched_chat_gets_the_direct_answer_async(aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    chat_stub = chat_pb2_grpc.ChatStub(aio_channel)
    batches = batch_pb2_grpc.BatchMgmtStub(aio_channel)
    plain, structured = completion("Hello there"), completion("Hello there", response_format=json_schema_format())
    direct = [await chat_stub.GetCompletion(plain, metadata=md), await chat_stub.GetCompletion(structured, metadata=md)]
    batch = await batches.CreateBatch(batch_pb2.CreateBatchRequest(name="async-equal"), metadata=md)
    items = [
        batch_pb2.BatchRequest(batch_request_id="plain", completion_request=plain),
        batch_pb2.BatchRequest(batch_request_id="structured", completion_request=structured),
    ]
    await batches.AddBatchRequests(
        batch_pb2.AddBatchRequestsRequest(batch_id=batch.batch_id, batch_requests=items), metadata=md
    )
    polled = await batches.GetBatch(batch_pb2.GetBatchRequest(batch_id=batch.batch_id), metadata=md)
    assert (polled.state.num_pending, polled.state.num_success) == (0, 2)
    listed = await batches.ListBatchResults(batch_pb2.ListBatchResultsRequest(batch_id=batch.batch_id), metadata=md)
    by_id = {r.batch_request_id: r.response.completion_response for r in listed.results}
    assert list(by_id) == ["plain", "structured"]
    assert_same_answer(direct[0], by_id["plain"], "Hello there")
    assert_same_answer(direct[1], by_id["structured"], "Hello there")
    jsonschema.validate(json.loads(by_id["structured"].outputs[0].message.content), SCHEMA)
    costs = {c.endpoint: c.cost_usd_ticks for c in polled.cost_breakdown.endpoint_costs}
    assert costs["/v1/chat/completions"] == sum(d.usage.cost_in_usd_ticks for d in direct)


def test_a_batched_chat_is_validated_as_chat_validates_it(
    stub: batch_pb2_grpc.BatchMgmtStub, channel: grpc.Channel, md: Metadata
) -> None:
    roleless = chat_pb2.GetCompletionsRequest(
        model="grok-3-mini", messages=[chat_pb2.Message(content=[chat_pb2.Content(text="no role")])]
    )
    with pytest.raises(grpc.RpcError) as info:
        chat_pb2_grpc.ChatStub(channel).GetCompletion(roleless, metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    results = run_batch(
        stub, md, batch_pb2.BatchRequest(batch_request_id="roleless", completion_request=roleless), chat("fine")
    )
    error = results["roleless"].error
    assert (error.code, error.message) == (
        grpc.StatusCode.INVALID_ARGUMENT.value[0],
        info.value.details(),  # type: ignore[attr-defined]
    )
    assert "messages[0] has no role" in error.message
    assert sum(r.WhichOneof("result") == "response" for r in results.values()) == 1


class FixedImages:
    """An Image service override: one fixed image, whatever the request."""

    def GenerateImage(self, request: image_pb2.GenerateImageRequest, context: object) -> image_pb2.ImageResponse:
        return image_pb2.ImageResponse(
            model="override-image",
            images=[image_pb2.GeneratedImage(base64="data:image/png;base64,AAAA")],
            usage=usage_pb2.SamplingUsage(cost_in_usd_ticks=123),
        )


def test_an_image_service_override_reaches_batches(
    fake: FakeServer, stub: batch_pb2_grpc.BatchMgmtStub, channel: grpc.Channel, md: Metadata
) -> None:
    original = fake.defaults.service("xai_api.Image")
    fake.defaults.register("xai_api.Image", FixedImages())
    try:
        image = image_pb2.GenerateImageRequest(model="grok-imagine-image", prompt="a fox")
        direct = image_pb2_grpc.ImageStub(channel).GenerateImage(image, metadata=md)
        results = run_batch(stub, md, batch_pb2.BatchRequest(batch_request_id="picture", image_request=image))
    finally:
        fake.defaults.register("xai_api.Image", original)
    batched = results["picture"].response.image_response
    assert batched == direct
    assert batched.model == "override-image"


def test_a_batched_video_goes_through_the_video_service(
    fake: FakeServer, stub: batch_pb2_grpc.BatchMgmtStub, md: Metadata
) -> None:
    fake.defaults.service("xai_api.Video").fail_next("RESOURCE_EXHAUSTED", "no capacity left")
    video = video_pb2.GenerateVideoRequest(model="grok-imagine-video", prompt="a fox runs", duration=2)
    extension = video_pb2.ExtendVideoRequest(
        model="grok-imagine-video", prompt="and jumps", video=video_pb2.VideoUrlContent(url="https://example.com/v.mp4")
    )
    results = run_batch(
        stub, md,
        batch_pb2.BatchRequest(batch_request_id="failed", video_request=video),
        batch_pb2.BatchRequest(batch_request_id="made", video_request=video),
        batch_pb2.BatchRequest(batch_request_id="extended", video_extension_request=extension),
    )  # fmt: skip
    error = results["failed"].error
    assert (error.code, error.message) == (grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], "no capacity left")
    made = results["made"].response.video_response
    assert made.video.url.startswith(fake.http_url)
    assert (made.video.duration, made.progress) == (2, 100)
    assert results["extended"].response.video_response.video.url.startswith(fake.http_url)


MODELS = sorted({name for model in LANGUAGE_MODELS for name in (model.name, *model.aliases)})
ROLES = [chat_pb2.ROLE_USER, chat_pb2.ROLE_SYSTEM, chat_pb2.ROLE_ASSISTANT]
FORMATS = {
    "none": None,
    "text": chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_TEXT),
    "json_object": chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_OBJECT),
    "json_schema": json_schema_format(),
}


@st.composite
def chat_requests(draw: st.DrawFn) -> chat_pb2.GetCompletionsRequest:
    """Valid chat requests: a catalogue model, 1-4 messages ending with the user's, n, max_tokens, a format."""
    texts = draw(st.lists(st.text(max_size=60), min_size=1, max_size=4))
    roles = [draw(st.sampled_from(ROLES)) for _ in texts[:-1]] + [chat_pb2.ROLE_USER]
    request = chat_pb2.GetCompletionsRequest(
        model=draw(st.sampled_from(MODELS)),
        messages=[
            chat_pb2.Message(role=role, content=[chat_pb2.Content(text=text)])
            for role, text in zip(roles, texts, strict=True)
        ],
    )
    n = draw(st.one_of(st.none(), st.integers(1, 3)))
    if n is not None:
        request.n = n
    max_tokens = draw(st.one_of(st.none(), st.integers(1, 100)))
    if max_tokens is not None:
        request.max_tokens = max_tokens
    fmt = FORMATS[draw(st.sampled_from(sorted(FORMATS)))]
    if fmt is not None:
        request.response_format.CopyFrom(fmt)
    efforts = accepted_efforts(language_spec(request.model).capabilities)  # most models take none
    if efforts and draw(st.booleans()):
        request.reasoning_effort = draw(st.sampled_from(efforts))  # type: ignore[assignment,unused-ignore]
    return request


@seed(7_2026)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=chat_requests())
def test_any_valid_chat_request_gets_the_same_answer_directly_and_in_a_batch(
    stub: batch_pb2_grpc.BatchMgmtStub, channel: grpc.Channel, md: Metadata, request: chat_pb2.GetCompletionsRequest
) -> None:
    direct = chat_pb2_grpc.ChatStub(channel).GetCompletion(request, metadata=md)
    results = run_batch(stub, md, batch_pb2.BatchRequest(batch_request_id="r", completion_request=request))
    assert results["r"].WhichOneof("result") == "response", results["r"].error.message
    batched = results["r"].response.completion_response
    assert comparable(batched) == comparable(direct)
    if request.response_format.format_type == chat_pb2.FORMAT_TYPE_JSON_SCHEMA:
        for output in batched.outputs:
            jsonschema.validate(json.loads(output.message.content), SCHEMA)
