"""Blocking image calls. Everything else lives once in :mod:`xai_sdk.image`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk._download import fetch
from xai_sdk.image import (
    BaseClient,
    BaseImageResponse,
    ImageAspectRatio,
    ImageFormat,
    ImageGenerationModel,
    ImageQuality,
    ImageResolution,
    StorageOptions,
    build_request,
)
from xai_sdk.proto import image_pb2
from xai_sdk.telemetry._media import image_span

__all__ = ["BaseClient", "BaseImageResponse", "Client", "ImageResponse"]


class ImageResponse(BaseImageResponse):
    """A generated image; ``image`` gives its bytes."""

    @property
    def image(self) -> bytes:
        """The image's bytes: decoded when inline, else downloaded from its URL (needs httpx)."""
        source = self._inline_or_url()
        return source if isinstance(source, bytes) else fetch(source)


class Client(BaseClient):
    """``client.image`` of the blocking client."""

    def sample(
        self,
        prompt: str,
        model: ImageGenerationModel | str,
        *,
        image_url: str | None = None,
        image_file_id: str | None = None,
        image_urls: Sequence[str] | None = None,
        image_file_ids: Sequence[str] | None = None,
        user: str | None = None,
        image_format: ImageFormat | None = None,
        aspect_ratio: ImageAspectRatio | None = None,
        resolution: ImageResolution | None = None,
        quality: ImageQuality | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
        timeout: float | None = None,
    ) -> ImageResponse:
        """Generate one image from ``prompt`` (optionally editing input images)."""
        request = build_request(
            prompt, model, image_url=image_url, image_file_id=image_file_id, image_urls=image_urls,
            image_file_ids=image_file_ids, user=user, image_format=image_format, aspect_ratio=aspect_ratio,
            resolution=resolution, quality=quality, storage_options=storage_options,
        )  # fmt: skip
        with image_span(__name__, "sample", request, self._calls.target) as s:
            return ImageResponse(s.done(self._stub.GenerateImage(request, **self._calls.kwargs(timeout))), 0)

    def sample_batch(
        self,
        prompt: str,
        model: ImageGenerationModel | str,
        n: int,
        *,
        image_url: str | None = None,
        image_file_id: str | None = None,
        image_urls: Sequence[str] | None = None,
        image_file_ids: Sequence[str] | None = None,
        user: str | None = None,
        image_format: ImageFormat | None = None,
        aspect_ratio: ImageAspectRatio | None = None,
        resolution: ImageResolution | None = None,
        quality: ImageQuality | None = None,
        storage_options: StorageOptions | image_pb2.StorageOptions | None = None,
        timeout: float | None = None,
    ) -> Sequence[ImageResponse]:
        """Generate ``n`` images from ``prompt`` in one request."""
        request = build_request(
            prompt, model, n=n, image_url=image_url, image_file_id=image_file_id, image_urls=image_urls,
            image_file_ids=image_file_ids, user=user, image_format=image_format, aspect_ratio=aspect_ratio,
            resolution=resolution, quality=quality, storage_options=storage_options,
        )  # fmt: skip
        with image_span(__name__, "sample_batch", request, self._calls.target) as s:
            proto = s.done(self._stub.GenerateImage(request, **self._calls.kwargs(timeout)))
        return [ImageResponse(proto, index) for index in range(len(proto.images))]
