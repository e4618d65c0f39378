"""Video generation: request building, ``VideoResponse``, the polling flow and the shared client base.

``client.video.generate(prompt, model)`` starts a job and polls it until the video is
ready (see ``xai_sdk.sync.video`` and ``xai_sdk.aio.video``); ``start``/``get`` do the
two steps by hand, ``extend`` continues an existing video.
"""

from __future__ import annotations

import datetime
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk._flow import Call, Flow, Sleep
from xai_sdk._storage import StorageOptions, storage_options_proto
from xai_sdk.cost import cost_usd_from_usage
from xai_sdk.meta import ProtoDecorator
from xai_sdk.poll_timer import PollTimer
from xai_sdk.proto import batch_pb2, deferred_pb2, image_pb2, usage_pb2, video_pb2, video_pb2_grpc
from xai_sdk.types.model import VideoGenerationModel
from xai_sdk.types.video import (
    Keyframe,
    ReferenceAudio,
    VideoAspectRatio,
    VideoAspectRatioMap,
    VideoResolution,
    VideoResolutionMap,
)

__all__ = [
    "DEFAULT_VIDEO_POLL_INTERVAL",
    "DEFAULT_VIDEO_TIMEOUT",
    "BaseClient",
    "Keyframe",
    "ReferenceAudio",
    "StorageOptions",
    "VideoAspectRatio",
    "VideoAspectRatioMap",
    "VideoGenerationError",
    "VideoGenerationModel",
    "VideoResolution",
    "VideoResolutionMap",
    "VideoResponse",
    "convert_video_aspect_ratio_to_pb",
    "convert_video_resolution_to_pb",
]

DEFAULT_VIDEO_POLL_INTERVAL = datetime.timedelta(seconds=1)
DEFAULT_VIDEO_TIMEOUT = datetime.timedelta(minutes=10)


class VideoGenerationError(Exception):
    """A video job ended with status FAILED; ``code`` and ``message`` are the server's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"Video generation failed [{code}]: {message}")
        self.code = code
        self.message = message


def convert_video_aspect_ratio_to_pb(aspect_ratio: VideoAspectRatio) -> video_pb2.VideoAspectRatio:
    """An aspect ratio such as ``"16:9"`` as its ``VideoAspectRatio`` enum value."""
    try:
        return VideoAspectRatioMap[aspect_ratio]
    except (KeyError, TypeError):
        allowed = ", ".join(map(repr, VideoAspectRatioMap))
        raise ValueError(f"Invalid video aspect ratio {aspect_ratio!r}; use one of {allowed}") from None


def convert_video_resolution_to_pb(resolution: VideoResolution) -> video_pb2.VideoResolution:
    """``"480p"``, ``"720p"`` or ``"1080p"`` as its ``VideoResolution`` enum value."""
    try:
        return VideoResolutionMap[resolution]
    except (KeyError, TypeError):
        allowed = ", ".join(map(repr, VideoResolutionMap))
        raise ValueError(f"Invalid video resolution {resolution!r}; use one of {allowed}") from None


# -- request building ----------------------------------------------------------------------------


def _image(url: str | None = None, file_id: str | None = None) -> image_pb2.ImageUrlContent:
    if url is not None:
        return image_pb2.ImageUrlContent(image_url=url, detail=image_pb2.DETAIL_AUTO)
    return image_pb2.ImageUrlContent(file_id=file_id, detail=image_pb2.DETAIL_AUTO)


def _video(url: str | None, file_id: str | None) -> video_pb2.VideoUrlContent:
    return video_pb2.VideoUrlContent(url=url) if url is not None else video_pb2.VideoUrlContent(file_id=file_id)


def _one_of(first: tuple[str, object], second: tuple[str, object]) -> None:
    if first[1] is not None and second[1] is not None:
        raise ValueError(f"Only one of {first[0]} or {second[0]} can be set for a request; pass just one of them.")


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}[{key!r}] must be a non-empty string, got {value!r}")
    return value.strip()


def _keyframe(entry: Keyframe, index: int) -> video_pb2.VideoKeyframe:
    """One ``keyframes`` entry on the wire; the server checks the timestamp against the duration."""
    where = f"keyframes[{index}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a dict such as {{'image_url': ..., 'timestamp': 2.0}}, got {entry!r}")
    sources = [key for key in ("image_url", "image_file_id") if key in entry]
    unknown = sorted(set(entry) - {"image_url", "image_file_id", "timestamp"})
    if len(sources) != 1 or unknown or "timestamp" not in entry:
        raise ValueError(
            f"{where} must have a 'timestamp' and exactly one of 'image_url' or 'image_file_id' "
            f"(and no other keys), got keys {sorted(entry)}"
        )
    timestamp = entry["timestamp"]
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)) or not math.isfinite(timestamp):
        raise ValueError(f"{where}['timestamp'] must be a number of seconds, got {timestamp!r}")
    source = _text(entry, sources[0], where)
    image = _image(url=source) if sources[0] == "image_url" else _image(file_id=source)
    return video_pb2.VideoKeyframe(image=image, timestamp_s=float(timestamp))


def _reference_audio(entry: ReferenceAudio, index: int) -> video_pb2.AudioUrlContent:
    where = f"reference_audios[{index}]"
    if not isinstance(entry, Mapping) or set(entry) != {"voice_id"}:
        raise ValueError(f"{where} must be a dict with just a 'voice_id', such as {{'voice_id': 'ara'}}, got {entry!r}")
    return video_pb2.AudioUrlContent(voice_id=_text(entry, "voice_id", where))


def _sequence(value: Sequence[Any] | None, name: str) -> Sequence[Any]:
    if isinstance(value, (str, Mapping)):
        raise ValueError(f"{name} must be a list, got a single {type(value).__name__}; wrap it in a list")
    return value or ()


def build_generate_request(
    prompt: str,
    model: VideoGenerationModel | str,
    *,
    image_url: str | None = None,
    image_file_id: str | None = None,
    last_frame_url: str | None = None,
    last_frame_file_id: str | None = None,
    keyframes: Sequence[Keyframe] | None = None,
    video_url: str | None = None,
    video_file_id: str | None = None,
    duration: int | None = None,
    aspect_ratio: VideoAspectRatio | None = None,
    resolution: VideoResolution | None = None,
    reference_image_urls: Sequence[str] | None = None,
    reference_image_file_ids: Sequence[str] | None = None,
    reference_audios: Sequence[ReferenceAudio] | None = None,
    generate_audio: bool | None = None,
    storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
) -> video_pb2.GenerateVideoRequest:
    """A ``GenerateVideoRequest`` from keyword arguments; invalid inputs raise ``ValueError``.

    Reference file ids come before reference URLs when both are given.
    """
    _one_of(("image_url", image_url), ("image_file_id", image_file_id))
    _one_of(("video_url", video_url), ("video_file_id", video_file_id))
    _one_of(("last_frame_url", last_frame_url), ("last_frame_file_id", last_frame_file_id))
    request = video_pb2.GenerateVideoRequest(prompt=prompt, model=model)
    if image_url is not None or image_file_id is not None:
        request.image.CopyFrom(_image(image_url, image_file_id))
    if last_frame_url is not None or last_frame_file_id is not None:
        request.last_frame.CopyFrom(_image(last_frame_url, last_frame_file_id))
    request.keyframes.extend(_keyframe(entry, i) for i, entry in enumerate(_sequence(keyframes, "keyframes")))
    if video_url is not None or video_file_id is not None:
        request.video.CopyFrom(_video(video_url, video_file_id))
    if duration is not None:
        request.duration = duration
    if aspect_ratio is not None:
        request.aspect_ratio = convert_video_aspect_ratio_to_pb(aspect_ratio)
    if resolution is not None:
        request.resolution = convert_video_resolution_to_pb(resolution)
    file_ids = _sequence(reference_image_file_ids, "reference_image_file_ids")
    request.reference_images.extend(_image(file_id=file_id) for file_id in file_ids)
    request.reference_images.extend(_image(url=url) for url in _sequence(reference_image_urls, "reference_image_urls"))
    audios = _sequence(reference_audios, "reference_audios")
    request.reference_audios.extend(_reference_audio(entry, i) for i, entry in enumerate(audios))
    if generate_audio is not None:
        request.generate_audio = generate_audio
    if storage_options is not None:
        request.storage_options.CopyFrom(storage_options_proto(storage_options))
    return request


def build_extend_request(
    prompt: str,
    model: VideoGenerationModel | str,
    *,
    video_url: str | None = None,
    video_file_id: str | None = None,
    duration: int | None = None,
    storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
) -> video_pb2.ExtendVideoRequest:
    """An ``ExtendVideoRequest``: exactly one of ``video_url`` and ``video_file_id`` names the video."""
    _one_of(("video_url", video_url), ("video_file_id", video_file_id))
    if video_url is None and video_file_id is None:
        raise ValueError("One of video_url or video_file_id must be set for a request: name the video to extend.")
    request = video_pb2.ExtendVideoRequest(prompt=prompt, model=model, video=_video(video_url, video_file_id))
    if duration is not None:
        request.duration = duration
    if storage_options is not None:
        request.storage_options.CopyFrom(storage_options_proto(storage_options))
    return request


# -- responses -----------------------------------------------------------------------------------


class VideoResponse(ProtoDecorator[video_pb2.VideoResponse]):
    """A generated video: its URL, duration, usage and storage outcome."""

    def __init__(self, proto: video_pb2.VideoResponse) -> None:
        super().__init__(proto)
        self._video = proto.video

    @property
    def model(self) -> str:
        """The model that generated the video (its full name, not an alias)."""
        return self._proto.model

    @property
    def usage(self) -> usage_pb2.SamplingUsage:
        """Token usage of the request."""
        return self._proto.usage

    @property
    def cost_usd(self) -> float | None:
        """The request's cost in USD, or ``None`` when the server did not report it."""
        return cost_usd_from_usage(self._proto.usage)

    @property
    def respect_moderation(self) -> bool:
        """False when the video was withheld by moderation."""
        return self._video.respect_moderation

    @property
    def url(self) -> str:
        """Where the video can be downloaded (valid for 24 hours); ``ValueError`` when missing."""
        if not self._video.url:
            if not self.respect_moderation:
                raise ValueError("Video did not respect moderation rules; URL is not available.")
            raise ValueError("Video URL missing from response.")
        return self._video.url

    @property
    def duration(self) -> int:
        """Length of the video in seconds."""
        return self._video.duration

    @property
    def file_output(self) -> image_pb2.FileOutput | None:
        """The stored file, when ``storage_options`` asked to keep the video."""
        return self._video.file_output if self._video.HasField("file_output") else None

    @property
    def storage_error(self) -> str | None:
        """Why storing the video failed, or ``None``."""
        return self._video.storage_error or None

    @property
    def public_url(self) -> str | None:
        """The public URL of the stored file, or ``None``."""
        output = self.file_output
        return output.public_url or None if output is not None else None

    @property
    def public_url_error(self) -> str | None:
        """Why creating the public URL failed, or ``None``."""
        output = self.file_output
        return output.public_url_error or None if output is not None else None


class BaseClient:
    """``client.video``: the request building shared by the blocking and async clients."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = video_pb2_grpc.VideoStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)

    def _wait_flow(
        self,
        start: Callable[..., Any],
        request: video_pb2.GenerateVideoRequest | video_pb2.ExtendVideoRequest,
        *,
        timeout: datetime.timedelta | None,
        interval: datetime.timedelta | None,
        call_timeout: float | None,
        what: str,
    ) -> Flow[VideoResponse]:
        """Start a video job with ``start`` and poll it until DONE; EXPIRED, FAILED and the timeout raise."""
        kwargs = self._calls.kwargs(call_timeout)
        started = yield Call(start, request, kwargs)
        timer = PollTimer(
            timeout or DEFAULT_VIDEO_TIMEOUT,
            interval or DEFAULT_VIDEO_POLL_INTERVAL,
            context=f"waiting for {what} request {started.request_id}",
        )
        poll = video_pb2.GetDeferredVideoRequest(request_id=started.request_id)
        while True:
            result = yield Call(self._stub.GetDeferredVideo, poll, kwargs)
            if result.status == deferred_pb2.DONE:
                if not result.HasField("response"):
                    raise RuntimeError(f"{what} request {started.request_id} is DONE but carries no response.")
                return VideoResponse(result.response)
            if result.status == deferred_pb2.EXPIRED:
                raise RuntimeError(f"Deferred request expired: {what} request {started.request_id}.")
            if result.status == deferred_pb2.FAILED:
                if result.response.HasField("error"):
                    raise VideoGenerationError(result.response.error.code, result.response.error.message)
                raise VideoGenerationError("UNKNOWN", f"{what} request {started.request_id} failed without details.")
            if result.status != deferred_pb2.PENDING:
                warnings.warn(
                    f"Unknown status {result.status} while {what} request {started.request_id} runs; polling on",
                    RuntimeWarning,
                    stacklevel=4,
                )
            yield Sleep(timer.sleep_interval_or_raise())

    def prepare(
        self,
        prompt: str,
        model: VideoGenerationModel | str,
        *,
        batch_request_id: str | None = None,
        image_url: str | None = None,
        image_file_id: str | None = None,
        last_frame_url: str | None = None,
        last_frame_file_id: str | None = None,
        keyframes: Sequence[Keyframe] | None = None,
        video_url: str | None = None,
        video_file_id: str | None = None,
        duration: int | None = None,
        aspect_ratio: VideoAspectRatio | None = None,
        resolution: VideoResolution | None = None,
        reference_image_urls: Sequence[str] | None = None,
        reference_image_file_ids: Sequence[str] | None = None,
        reference_audios: Sequence[ReferenceAudio] | None = None,
        generate_audio: bool | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
    ) -> batch_pb2.BatchRequest:
        """A ``BatchRequest`` generating this video, for ``client.batch.add``; nothing is sent."""
        request = build_generate_request(
            prompt, model, image_url=image_url, image_file_id=image_file_id, last_frame_url=last_frame_url,
            last_frame_file_id=last_frame_file_id, keyframes=keyframes, video_url=video_url,
            video_file_id=video_file_id, duration=duration, aspect_ratio=aspect_ratio, resolution=resolution,
            reference_image_urls=reference_image_urls, reference_image_file_ids=reference_image_file_ids,
            reference_audios=reference_audios, generate_audio=generate_audio, storage_options=storage_options,
        )  # fmt: skip
        return batch_pb2.BatchRequest(video_request=request, batch_request_id=batch_request_id or "")

    def prepare_extension(
        self,
        prompt: str,
        model: VideoGenerationModel | str,
        video_url: str | None = None,
        *,
        video_file_id: str | None = None,
        batch_request_id: str | None = None,
        duration: int | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
    ) -> batch_pb2.BatchRequest:
        """A ``BatchRequest`` extending a video, for ``client.batch.add``; nothing is sent."""
        request = build_extend_request(
            prompt, model, video_url=video_url, video_file_id=video_file_id, duration=duration,
            storage_options=storage_options,
        )  # fmt: skip
        return batch_pb2.BatchRequest(video_extension_request=request, batch_request_id=batch_request_id or "")


def __getattr__(name: str) -> Any:
    # The official module exposes the pydantic validators; build them only when asked for.
    if name in ("KeyframeValidator", "ReferenceAudioValidator"):
        from xai_sdk.types import video as video_types

        return getattr(video_types, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
