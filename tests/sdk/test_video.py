"""client.video through real gRPC against xai_fake; every scenario runs on the sync and the async client."""

from __future__ import annotations

import datetime
import inspect
from typing import Any

import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk._download import fetch_async
from xai_sdk.proto import deferred_pb2, image_pb2, video_pb2
from xai_sdk.video import VideoGenerationError, VideoResponse

MODEL = "grok-imagine-video"
FAST = {"interval": datetime.timedelta(milliseconds=2)}
POLL = "Video/GetDeferredVideo"


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


def video(status: int, **response: Any) -> video_pb2.GetDeferredVideoResponse:
    answer = video_pb2.GetDeferredVideoResponse(status=status)  # type: ignore[arg-type]
    if response:
        answer.response.CopyFrom(video_pb2.VideoResponse(**response))
    return answer


async def test_generate_polls_until_done(client: Any, xai_fake_server: FakeServer) -> None:
    response = await settle(client.video.generate("a dog surfing", MODEL, duration=4, **FAST))
    assert isinstance(response, VideoResponse)
    assert response.model == MODEL and response.duration == 4 and response.respect_moderation
    assert response.cost_usd == pytest.approx(0.2) and response.usage.prompt_tokens > 0
    assert response.file_output is None and response.storage_error is None and response.public_url is None
    assert xai_fake_server.requests.count("Video/GenerateVideo") == 1
    assert xai_fake_server.requests.count(POLL) == 3  # PENDING, PENDING, DONE
    body = await fetch_async(response.url)
    assert body[4:8] == b"ftyp"


async def test_extend_polls_until_done(client: Any, xai_fake_server: FakeServer) -> None:
    response = await settle(
        client.video.extend("it keeps going", MODEL, "https://example.com/v.mp4", duration=3, **FAST)
    )
    assert response.duration == 3
    sent = last(xai_fake_server, "Video/ExtendVideo")
    assert (sent.video.url, sent.duration) == ("https://example.com/v.mp4", 3)
    await settle(client.video.extend("more", MODEL, video_file_id="file-v", **FAST))
    assert last(xai_fake_server, "Video/ExtendVideo").video.file_id == "file-v"


@pytest.mark.parametrize("method", ["generate", "extend"])
async def test_expired_job_raises_runtime_error(client: Any, xai_fake_server: FakeServer, method: str) -> None:
    xai_fake_server.defaults.services["xai_api.Video"].expire_next()
    with pytest.raises(RuntimeError, match="expired"):
        await settle(getattr(client.video, method)("p", MODEL, video_url="https://example.com/v.mp4", **FAST))


@pytest.mark.parametrize("method", ["generate", "extend"])
async def test_failed_job_raises_video_generation_error(client: Any, xai_fake_server: FakeServer, method: str) -> None:
    xai_fake_server.defaults.services["xai_api.Video"].fail_next("CONTENT_POLICY", "the prompt was refused")
    with pytest.raises(VideoGenerationError, match=r"\[CONTENT_POLICY\]: the prompt was refused") as info:
        await settle(getattr(client.video, method)("p", MODEL, video_url="https://example.com/v.mp4", **FAST))
    assert (info.value.code, info.value.message) == ("CONTENT_POLICY", "the prompt was refused")


async def test_failed_job_without_details(client: Any, xai_fake_server: FakeServer) -> None:
    xai_fake_server.script(POLL).respond_once(video(deferred_pb2.FAILED))
    with pytest.raises(VideoGenerationError) as info:
        await settle(client.video.generate("p", MODEL, **FAST))
    assert info.value.code == "UNKNOWN"


async def test_done_without_response_raises(client: Any, xai_fake_server: FakeServer) -> None:
    xai_fake_server.script(POLL).respond_once(video(deferred_pb2.DONE))
    with pytest.raises(RuntimeError, match="no response"):
        await settle(client.video.generate("p", MODEL, **FAST))


async def test_timeout_raises_with_the_request_id(client: Any, xai_fake_server: FakeServer) -> None:
    xai_fake_server.script(POLL).respond(video(deferred_pb2.PENDING))
    with pytest.raises(TimeoutError, match=r"timed out.*video request video-request-\d+"):
        await settle(client.video.generate("p", MODEL, timeout=datetime.timedelta(milliseconds=300), **FAST))
    assert xai_fake_server.requests.count(POLL) >= 2


async def test_unknown_status_warns_and_keeps_polling(client: Any, xai_fake_server: FakeServer) -> None:
    xai_fake_server.script(POLL).respond_once(video(7))
    with pytest.warns(RuntimeWarning, match="Unknown status 7"):
        response = await settle(client.video.generate("p", MODEL, **FAST))
    assert response.url


async def test_start_and_get_by_hand(client: Any, xai_fake_server: FakeServer) -> None:
    started = await settle(client.video.start("a cat", MODEL, duration=2))
    statuses = [(await settle(client.video.get(started.request_id))).status for _ in range(3)]
    assert statuses == [deferred_pb2.PENDING, deferred_pb2.PENDING, deferred_pb2.DONE]
    extension = await settle(client.video.extend_start("on", MODEL, "https://example.com/v.mp4", timeout=5.0))
    assert extension.request_id != started.request_id
    assert last(xai_fake_server, "Video/ExtendVideo").video.url == "https://example.com/v.mp4"


async def test_every_generate_parameter_reaches_the_wire(client: Any, xai_fake_server: FakeServer) -> None:
    await settle(
        client.video.start(
            "four seasons",
            "grok-imagine-video-1.5",
            image_url="https://example.com/winter.png",
            last_frame_file_id="file-autumn",
            keyframes=[
                {"image_url": " https://example.com/spring.png ", "timestamp": 3},
                {"image_file_id": "file-s", "timestamp": 6.5},
            ],
            duration=9,
            aspect_ratio="16:9",
            resolution="720p",
            reference_image_urls=["https://example.com/r.png"],
            reference_image_file_ids=["file-r"],
            reference_audios=[{"voice_id": " ara "}],
            generate_audio=False,
            storage_options={"filename": "seasons.mp4", "expires_after": 3600},
        )
    )
    sent = last(xai_fake_server, "Video/GenerateVideo")
    assert isinstance(sent, video_pb2.GenerateVideoRequest)
    assert sent.image.image_url == "https://example.com/winter.png" and sent.last_frame.file_id == "file-autumn"
    assert [(k.image.image_url, k.image.file_id, k.timestamp_s) for k in sent.keyframes] == [
        ("https://example.com/spring.png", "", 3.0),
        ("", "file-s", 6.5),
    ]
    assert (sent.duration, sent.aspect_ratio, sent.resolution) == (
        9,
        video_pb2.VIDEO_ASPECT_RATIO_16_9,
        video_pb2.VIDEO_RESOLUTION_720P,
    )
    assert [(r.file_id, r.image_url) for r in sent.reference_images] == [
        ("file-r", ""),
        ("", "https://example.com/r.png"),
    ]
    assert [a.voice_id for a in sent.reference_audios] == ["ara"]
    assert sent.HasField("generate_audio") and not sent.generate_audio
    assert (sent.storage_options.filename, sent.storage_options.expires_after) == ("seasons.mp4", 3600)
    await settle(client.video.start("plain", MODEL, video_file_id="file-v", last_frame_url="https://e.com/l.png"))
    sent = last(xai_fake_server, "Video/GenerateVideo")
    assert sent.video.file_id == "file-v" and sent.last_frame.image_url == "https://e.com/l.png"
    assert not sent.HasField("duration") and not sent.HasField("generate_audio") and not sent.HasField("image")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_url": "u", "image_file_id": "f"}, "Only one of image_url or image_file_id"),
        ({"video_url": "u", "video_file_id": "f"}, "Only one of video_url or video_file_id"),
        ({"last_frame_url": "u", "last_frame_file_id": "f"}, "Only one of last_frame_url or last_frame_file_id"),
        ({"keyframes": [{"image_url": "u", "image_file_id": "f", "timestamp": 1}]}, r"keyframes\[0\] must have"),
        ({"keyframes": [{"image_url": "u"}]}, r"keyframes\[0\] must have"),
        ({"keyframes": [{"image_url": "  ", "timestamp": 1}]}, "non-empty string"),
        ({"keyframes": [{"image_url": "u", "timestamp": "1s"}]}, "number of seconds"),
        ({"keyframes": {"image_url": "u", "timestamp": 1}}, "must be a list"),
        ({"reference_audios": [{"voice_id": ""}]}, "non-empty string"),
        ({"reference_audios": [{"voice": "ara"}]}, "just a 'voice_id'"),
        ({"reference_image_urls": "https://example.com/r.png"}, "must be a list"),
        ({"aspect_ratio": "21:9"}, "Invalid video aspect ratio '21:9'"),
        ({"resolution": "4k"}, "Invalid video resolution '4k'"),
        ({"storage_options": {"filename": "v.mp4", "public_url": {"ttl": 5}}}, "unknown keys"),
    ],
)
async def test_invalid_arguments_raise_before_sending(
    client: Any, xai_fake_server: FakeServer, kwargs: dict[str, Any], message: str
) -> None:
    for method in (client.video.start, client.video.generate, client.video.prepare):
        with pytest.raises(ValueError, match=message):
            await settle(method("p", MODEL, **kwargs))
    assert xai_fake_server.requests.count("Video/GenerateVideo") == 0


async def test_extend_needs_exactly_one_video(client: Any) -> None:
    for method in (client.video.extend, client.video.extend_start, client.video.prepare_extension):
        with pytest.raises(ValueError, match="One of video_url or video_file_id must be set"):
            await settle(method("p", MODEL))
        with pytest.raises(ValueError, match="Only one of video_url or video_file_id"):
            await settle(method("p", MODEL, "https://example.com/v.mp4", video_file_id="f"))


def test_prepare_builds_batch_requests(xai_client: xai_sdk.Client, xai_async_client: xai_sdk.AsyncClient) -> None:
    for client in (xai_client, xai_async_client):
        prepared = client.video.prepare("p", MODEL, batch_request_id="v1", duration=5)
        assert (prepared.batch_request_id, prepared.video_request.duration) == ("v1", 5)
        extension = client.video.prepare_extension("p", MODEL, "https://example.com/v.mp4", batch_request_id="x1")
        assert extension.video_extension_request.video.url == "https://example.com/v.mp4"
        assert extension.batch_request_id == "x1"


def test_video_response_reports_moderation_and_storage() -> None:
    moderated = VideoResponse(video_pb2.VideoResponse(video=video_pb2.GeneratedVideo(respect_moderation=False)))
    with pytest.raises(ValueError, match="did not respect moderation"):
        _ = moderated.url
    missing = VideoResponse(video_pb2.VideoResponse(video=video_pb2.GeneratedVideo(respect_moderation=True)))
    with pytest.raises(ValueError, match="URL missing"):
        _ = missing.url
    stored = video_pb2.GeneratedVideo(
        url="u",
        storage_error="disk full",
        file_output=image_pb2.FileOutput(file_id="f", public_url="https://p", public_url_error="e"),
    )
    response = VideoResponse(video_pb2.VideoResponse(video=stored))
    assert (response.storage_error, response.public_url, response.public_url_error) == ("disk full", "https://p", "e")
    assert response.file_output is not None and response.file_output.file_id == "f"
    assert response.cost_usd is None


def test_official_validator_names_stay_importable() -> None:
    from xai_sdk import video

    assert video.KeyframeValidator.validate_python({"image_url": "u", "timestamp": 1.0})["image_url"] == "u"
    with pytest.raises(AttributeError):
        _ = video.NoSuchName  # type: ignore[attr-defined]
