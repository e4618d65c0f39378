"""Deferred video jobs through real gRPC: PENDING then DONE, FAILED or EXPIRED."""

from __future__ import annotations

import struct
import urllib.request

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults.video import PENDING_POLLS, VideoDefaults, VideoPlans, VideoState
from xai_sdk.proto import deferred_pb2, image_pb2, video_pb2, video_pb2_grpc

Metadata = tuple[tuple[str, str], ...]
MODEL = "grok-imagine-video"
GENERATE = video_pb2.GenerateVideoRequest(model=MODEL, prompt="waves on a beach")
EXTEND = video_pb2.ExtendVideoRequest(
    model=MODEL,
    prompt="the tide comes in",
    video=video_pb2.VideoUrlContent(url="https://example.com/v.mp4"),
    duration=4,
)


def videos(fake: FakeServer) -> VideoDefaults:
    service = fake.defaults.services["xai_api.Video"]
    assert isinstance(service, VideoDefaults)
    return service


def start(stub: video_pb2_grpc.VideoStub, request: object, md: Metadata) -> str:
    if isinstance(request, video_pb2.ExtendVideoRequest):
        return stub.ExtendVideo(request, metadata=md).request_id  # type: ignore[no-any-return]
    return stub.GenerateVideo(request, metadata=md).request_id  # type: ignore[no-any-return]


def poll(stub: video_pb2_grpc.VideoStub, request_id: str, md: Metadata) -> video_pb2.GetDeferredVideoResponse:
    request = video_pb2.GetDeferredVideoRequest(request_id=request_id)
    return stub.GetDeferredVideo(request, metadata=md)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("request_", "duration"), [(GENERATE, 6), (EXTEND, 4)], ids=["generate", "extend"])
def test_pending_then_done_with_a_downloadable_video(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, request_: object, duration: int
) -> None:
    stub = video_pb2_grpc.VideoStub(channel)
    request_id = start(stub, request_, md)
    pending = [poll(stub, request_id, md) for _ in range(PENDING_POLLS)]
    assert [p.status for p in pending] == [deferred_pb2.PENDING] * PENDING_POLLS
    assert [p.response.progress for p in pending] == sorted({p.response.progress for p in pending})
    done = poll(stub, request_id, md)
    assert done.status == deferred_pb2.DONE
    assert done.response.progress == 100
    assert done.response.video.duration == duration
    assert done.response.usage.cost_in_usd_ticks == duration * 500_000_000
    with urllib.request.urlopen(done.response.video.url, timeout=5) as download:
        data = download.read()
        assert download.headers["Content-Type"] == "video/mp4"
    (size,) = struct.unpack(">I", data[:4])
    assert data[4:8] == b"ftyp"
    assert data[size + 4 : size + 8] == b"mdat"
    assert poll(stub, request_id, md) == done  # later polls repeat the same answer


def test_scripted_failure_and_expiry_apply_to_next_jobs_in_order(
    fake: FakeServer, channel: grpc.Channel, md: Metadata
) -> None:
    stub = video_pb2_grpc.VideoStub(channel)
    videos(fake).fail_next("CONTENT_MODERATED", "the prompt was rejected by moderation")
    videos(fake).expire_next()
    failed, expired, fine = (start(stub, request, md) for request in (GENERATE, EXTEND, GENERATE))
    for request_id in (failed, expired, fine):
        for _ in range(PENDING_POLLS):
            assert poll(stub, request_id, md).status == deferred_pb2.PENDING
    answer = poll(stub, failed, md)
    assert answer.status == deferred_pb2.FAILED
    assert answer.response.error == video_pb2.VideoError(
        code="CONTENT_MODERATED", message="the prompt was rejected by moderation"
    )
    assert poll(stub, expired, md).status == deferred_pb2.EXPIRED
    assert not poll(stub, expired, md).HasField("response")
    assert poll(stub, fine, md).status == deferred_pb2.DONE


def test_reset_forgets_planned_outcomes_and_jobs(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    stub = video_pb2_grpc.VideoStub(channel)
    old = start(stub, GENERATE, md)
    videos(fake).fail_next("X", "y")
    fake.reset()
    with pytest.raises(grpc.RpcError) as info:
        poll(stub, old, md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    request_id = start(stub, GENERATE, md)
    statuses = [poll(stub, request_id, md).status for _ in range(PENDING_POLLS + 1)]
    assert statuses[-1] == deferred_pb2.DONE


@pytest.mark.parametrize(
    ("call", "request_", "code", "message"),
    [
        ("GetDeferredVideo", video_pb2.GetDeferredVideoRequest(request_id="nope"), grpc.StatusCode.NOT_FOUND,
         "video request 'nope' does not exist"),
        ("GetDeferredVideo", video_pb2.GetDeferredVideoRequest(), grpc.StatusCode.INVALID_ARGUMENT,
         "request_id is required"),
        ("GenerateVideo", video_pb2.GenerateVideoRequest(model="veo", prompt="x"), grpc.StatusCode.NOT_FOUND,
         "video model 'veo' does not exist"),
        ("GenerateVideo", video_pb2.GenerateVideoRequest(prompt="x"), grpc.StatusCode.INVALID_ARGUMENT,
         "model is required"),
        ("GenerateVideo", video_pb2.GenerateVideoRequest(model=MODEL), grpc.StatusCode.INVALID_ARGUMENT,
         "prompt is required"),
        ("GenerateVideo", video_pb2.GenerateVideoRequest(model=MODEL, prompt="x", duration=16),
         grpc.StatusCode.INVALID_ARGUMENT, "duration must be between 1 and 15 seconds, got 16"),
        ("ExtendVideo", video_pb2.ExtendVideoRequest(model=MODEL, prompt="x"), grpc.StatusCode.INVALID_ARGUMENT,
         "video is required"),
        ("ExtendVideo", video_pb2.ExtendVideoRequest(model=MODEL, prompt="x", duration=11,
         video=video_pb2.VideoUrlContent(file_id="file-1")), grpc.StatusCode.INVALID_ARGUMENT,
         "duration must be between 1 and 10 seconds, got 11"),
    ],
)  # fmt: skip
def test_invalid_requests_are_rejected(
    fake: FakeServer,
    channel: grpc.Channel,
    md: Metadata,
    call: str,
    request_: object,
    code: grpc.StatusCode,
    message: str,
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        getattr(video_pb2_grpc.VideoStub(channel), call)(request_, metadata=md)
    assert info.value.code() == code  # type: ignore[attr-defined]
    assert message in info.value.details()  # type: ignore[attr-defined]


async def test_video_polling_async(fake: FakeServer, aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    stub = video_pb2_grpc.VideoStub(aio_channel)
    videos(fake).fail_next("INTERNAL", "renderer crashed")
    failed = (await stub.GenerateVideo(GENERATE, metadata=md)).request_id
    done = (await stub.GenerateVideo(GENERATE, metadata=md)).request_id
    for request_id, final in ((failed, deferred_pb2.FAILED), (done, deferred_pb2.DONE)):
        statuses = []
        for _ in range(PENDING_POLLS + 1):
            answer = await stub.GetDeferredVideo(video_pb2.GetDeferredVideoRequest(request_id=request_id), metadata=md)
            statuses.append(answer.status)
        assert statuses == [deferred_pb2.PENDING] * PENDING_POLLS + [final]
    assert answer.response.video.url.startswith(fake.http_url)


def test_reset_forgets_the_typed_video_state(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    stub = video_pb2_grpc.VideoStub(channel)
    request_id = start(stub, GENERATE, md)
    videos(fake).expire_next()
    state, plans = fake.defaults.state.of(VideoState), fake.defaults.state.of(VideoPlans)
    assert list(state.jobs) == [request_id]
    assert [status for status, _ in plans.plans] == [deferred_pb2.EXPIRED]
    fake.reset()
    fresh, fresh_plans = fake.defaults.state.of(VideoState), fake.defaults.state.of(VideoPlans)
    assert fresh is not state and fresh_plans is not plans
    assert (fresh.jobs, fresh_plans.plans) == ({}, [])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"aspect_ratio": 99}, "aspect_ratio has no value 99; use one of "
         "VIDEO_ASPECT_RATIO_UNSPECIFIED, VIDEO_ASPECT_RATIO_1_1, VIDEO_ASPECT_RATIO_16_9, VIDEO_ASPECT_RATIO_9_16, "
         "VIDEO_ASPECT_RATIO_4_3, VIDEO_ASPECT_RATIO_3_4, VIDEO_ASPECT_RATIO_3_2, VIDEO_ASPECT_RATIO_2_3"),
        ({"resolution": -1}, "resolution has no value -1; use one of "
         "VIDEO_RESOLUTION_UNSPECIFIED, VIDEO_RESOLUTION_480P, VIDEO_RESOLUTION_720P, VIDEO_RESOLUTION_1080P"),
        ({"image": image_pb2.ImageUrlContent(image_url="https://example.com/a.png", detail=8)},  # type: ignore[arg-type]
         "image.detail has no value 8; use one of DETAIL_INVALID, DETAIL_AUTO, "
         "DETAIL_LOW, DETAIL_HIGH"),
    ],
)  # fmt: skip
def test_unknown_enum_values_are_invalid_arguments(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, fields: dict[str, object], message: str
) -> None:
    request = video_pb2.GenerateVideoRequest(model=MODEL, prompt="x", **fields)  # type: ignore[arg-type]
    with pytest.raises(grpc.RpcError) as info:
        video_pb2_grpc.VideoStub(channel).GenerateVideo(request, metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert info.value.details() == message  # type: ignore[attr-defined]
    assert fake.defaults.state.of(VideoState).jobs == {}
