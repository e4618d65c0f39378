"""Async video calls. Everything else lives once in :mod:`xai_sdk.video`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from xai_sdk._flow import run_async
from xai_sdk.proto import deferred_pb2, image_pb2, video_pb2
from xai_sdk.telemetry._media import video_span
from xai_sdk.video import (
    BaseClient,
    Keyframe,
    ReferenceAudio,
    StorageOptions,
    VideoAspectRatio,
    VideoGenerationError,
    VideoGenerationModel,
    VideoResolution,
    VideoResponse,
    build_extend_request,
    build_generate_request,
)

__all__ = ["BaseClient", "Client", "VideoGenerationError", "VideoResponse"]


class Client(BaseClient):
    """``client.video`` of the async client."""

    async def start(
        self,
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
        timeout: float | None = None,
    ) -> deferred_pb2.StartDeferredResponse:
        """Start generating a video; poll its ``request_id`` with :meth:`get`."""
        request = build_generate_request(
            prompt, model, image_url=image_url, image_file_id=image_file_id, last_frame_url=last_frame_url,
            last_frame_file_id=last_frame_file_id, keyframes=keyframes, video_url=video_url,
            video_file_id=video_file_id, duration=duration, aspect_ratio=aspect_ratio, resolution=resolution,
            reference_image_urls=reference_image_urls, reference_image_file_ids=reference_image_file_ids,
            reference_audios=reference_audios, generate_audio=generate_audio, storage_options=storage_options,
        )  # fmt: skip
        with video_span(__name__, "start", request, self._calls.target):
            return await self._stub.GenerateVideo(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    async def get(self, request_id: str, *, timeout: float | None = None) -> video_pb2.GetDeferredVideoResponse:
        """The status of a started video job, with the video once it is DONE."""
        request = video_pb2.GetDeferredVideoRequest(request_id=request_id)
        return await self._stub.GetDeferredVideo(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    async def generate(
        self,
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
        timeout: datetime.timedelta | None = None,
        interval: datetime.timedelta | None = None,
        call_timeout: float | None = None,
    ) -> VideoResponse:
        """Generate a video and wait for it, polling every ``interval`` until ``timeout`` (10 minutes).

        ``VideoGenerationError`` if the job fails, ``RuntimeError`` if it expires, ``TimeoutError``
        when ``timeout`` passes; ``call_timeout`` bounds each single call in seconds.
        """
        request = build_generate_request(
            prompt, model, image_url=image_url, image_file_id=image_file_id, last_frame_url=last_frame_url,
            last_frame_file_id=last_frame_file_id, keyframes=keyframes, video_url=video_url,
            video_file_id=video_file_id, duration=duration, aspect_ratio=aspect_ratio, resolution=resolution,
            reference_image_urls=reference_image_urls, reference_image_file_ids=reference_image_file_ids,
            reference_audios=reference_audios, generate_audio=generate_audio, storage_options=storage_options,
        )  # fmt: skip
        flow = self._wait_flow(
            self._stub.GenerateVideo, request, timeout=timeout, interval=interval, call_timeout=call_timeout,
            what="video",
        )  # fmt: skip
        with video_span(__name__, "generate", request, self._calls.target) as s:
            return s.done(await run_async(flow))

    async def extend_start(
        self,
        prompt: str,
        model: VideoGenerationModel | str,
        video_url: str | None = None,
        *,
        video_file_id: str | None = None,
        duration: int | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
        timeout: float | None = None,
    ) -> deferred_pb2.StartDeferredResponse:
        """Start extending a video; poll its ``request_id`` with :meth:`get`."""
        request = build_extend_request(
            prompt, model, video_url=video_url, video_file_id=video_file_id, duration=duration,
            storage_options=storage_options,
        )  # fmt: skip
        with video_span(__name__, "extend_start", request, self._calls.target):
            return await self._stub.ExtendVideo(request, **self._calls.kwargs(timeout))  # type: ignore[no-any-return]

    async def extend(
        self,
        prompt: str,
        model: VideoGenerationModel | str,
        video_url: str | None = None,
        *,
        video_file_id: str | None = None,
        duration: int | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
        timeout: datetime.timedelta | None = None,
        interval: datetime.timedelta | None = None,
        call_timeout: float | None = None,
    ) -> VideoResponse:
        """Extend a video and wait for the result; errors and timing as for :meth:`generate`."""
        request = build_extend_request(
            prompt, model, video_url=video_url, video_file_id=video_file_id, duration=duration,
            storage_options=storage_options,
        )  # fmt: skip
        flow = self._wait_flow(
            self._stub.ExtendVideo, request, timeout=timeout, interval=interval, call_timeout=call_timeout,
            what="video extension",
        )  # fmt: skip
        with video_span(__name__, "extend", request, self._calls.target) as s:
            return s.done(await run_async(flow))
