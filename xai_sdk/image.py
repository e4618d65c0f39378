"""Image generation: request building, ``BaseImageResponse`` and the shared image client base.

``client.image.sample(prompt, model)`` returns an ``ImageResponse`` (see
``xai_sdk.sync.image`` and ``xai_sdk.aio.image``); ``client.image.prepare(...)``
builds a ``BatchRequest`` for ``client.batch.add``.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from collections.abc import Sequence

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk._storage import StorageOptions, storage_options_proto
from xai_sdk.cost import cost_usd_from_usage
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import batch_pb2, image_pb2, image_pb2_grpc, usage_pb2
from xai_sdk.types.image import ImageAspectRatio, ImageFormat, ImageQuality, ImageResolution
from xai_sdk.types.model import ImageGenerationModel

__all__ = [
    "BaseClient",
    "BaseImageResponse",
    "ImageAspectRatio",
    "ImageFormat",
    "ImageGenerationModel",
    "ImageQuality",
    "ImageResolution",
    "StorageOptions",
    "convert_image_aspect_ratio_to_pb",
    "convert_image_format_to_pb",
    "convert_image_quality_to_pb",
    "convert_image_resolution_to_pb",
]

_FORMATS: dict[str, image_pb2.ImageFormat] = {
    "base64": image_pb2.IMG_FORMAT_BASE64,
    "url": image_pb2.IMG_FORMAT_URL,
}
_ASPECT_RATIOS: dict[str, image_pb2.ImageAspectRatio] = {
    "1:1": image_pb2.IMG_ASPECT_RATIO_1_1,
    "3:4": image_pb2.IMG_ASPECT_RATIO_3_4,
    "4:3": image_pb2.IMG_ASPECT_RATIO_4_3,
    "9:16": image_pb2.IMG_ASPECT_RATIO_9_16,
    "16:9": image_pb2.IMG_ASPECT_RATIO_16_9,
    "2:3": image_pb2.IMG_ASPECT_RATIO_2_3,
    "3:2": image_pb2.IMG_ASPECT_RATIO_3_2,
    "9:19.5": image_pb2.IMG_ASPECT_RATIO_9_19_5,
    "19.5:9": image_pb2.IMG_ASPECT_RATIO_19_5_9,
    "9:20": image_pb2.IMG_ASPECT_RATIO_9_20,
    "20:9": image_pb2.IMG_ASPECT_RATIO_20_9,
    "1:2": image_pb2.IMG_ASPECT_RATIO_1_2,
    "2:1": image_pb2.IMG_ASPECT_RATIO_2_1,
}
_RESOLUTIONS: dict[str, image_pb2.ImageResolution] = {
    "1k": image_pb2.IMG_RESOLUTION_1K,
    "2k": image_pb2.IMG_RESOLUTION_2K,
}
_QUALITIES: dict[str, image_pb2.ImageQuality] = {
    "low": image_pb2.IMG_QUALITY_LOW,
    "medium": image_pb2.IMG_QUALITY_MEDIUM,
}


def _lookup(table: dict[str, int], value: str, what: str) -> int:
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"Invalid image {what} {value!r}; use one of {', '.join(map(repr, table))}") from None


def convert_image_format_to_pb(image_format: ImageFormat) -> image_pb2.ImageFormat:
    """``"url"`` or ``"base64"`` as its ``ImageFormat`` enum value."""
    return _lookup(_FORMATS, image_format, "format")  # type: ignore[arg-type, return-value]


def convert_image_aspect_ratio_to_pb(aspect_ratio: ImageAspectRatio) -> image_pb2.ImageAspectRatio:
    """An aspect ratio such as ``"16:9"`` as its ``ImageAspectRatio`` enum value."""
    return _lookup(_ASPECT_RATIOS, aspect_ratio, "aspect ratio")  # type: ignore[arg-type, return-value]


def convert_image_resolution_to_pb(resolution: ImageResolution) -> image_pb2.ImageResolution:
    """``"1k"`` or ``"2k"`` as its ``ImageResolution`` enum value."""
    return _lookup(_RESOLUTIONS, resolution, "resolution")  # type: ignore[arg-type, return-value]


def convert_image_quality_to_pb(quality: ImageQuality) -> image_pb2.ImageQuality:
    """``"low"`` or ``"medium"`` as its ``ImageQuality`` enum value."""
    return _lookup(_QUALITIES, quality, "quality")  # type: ignore[arg-type, return-value]


def _input_image(url: str | None = None, file_id: str | None = None) -> image_pb2.ImageUrlContent:
    if url is not None:
        return image_pb2.ImageUrlContent(image_url=url, detail=image_pb2.DETAIL_AUTO)
    return image_pb2.ImageUrlContent(file_id=file_id, detail=image_pb2.DETAIL_AUTO)


def _check_inputs(
    image_url: str | None,
    image_file_id: str | None,
    image_urls: Sequence[str] | None,
    image_file_ids: Sequence[str] | None,
) -> None:
    if image_url is not None and image_file_id is not None:
        raise ValueError("Only one of image_url or image_file_id can be set for a request; pass just one of them.")
    if (image_url is not None or image_file_id is not None) and (image_urls is not None or image_file_ids is not None):
        raise ValueError(
            "Only one of image_url/image_file_id or image_urls/image_file_ids can be set for a request: "
            "use image_urls/image_file_ids alone for several input images."
        )
    for name, values in (("image_urls", image_urls), ("image_file_ids", image_file_ids)):
        if isinstance(values, str):
            raise ValueError(f"{name} must be a list of strings, got a single string; wrap it in a list")


def build_request(
    prompt: str,
    model: ImageGenerationModel | str,
    *,
    n: int | None = None,
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
) -> image_pb2.GenerateImageRequest:
    """A ``GenerateImageRequest`` from keyword arguments; invalid combinations raise ``ValueError``.

    File ids come before URLs in ``images`` when both lists are given, so ``<IMAGE_N>``
    references in the prompt count file ids first.
    """
    _check_inputs(image_url, image_file_id, image_urls, image_file_ids)
    if n is not None and n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    request = image_pb2.GenerateImageRequest(
        prompt=prompt,
        model=model,
        user=user,
        n=1 if n is None else n,
        format=convert_image_format_to_pb(image_format or "url"),
    )
    if image_url is not None or image_file_id is not None:
        request.image.CopyFrom(_input_image(image_url, image_file_id))
    request.images.extend(_input_image(file_id=file_id) for file_id in image_file_ids or ())
    request.images.extend(_input_image(url=url) for url in image_urls or ())
    if aspect_ratio is not None:
        request.aspect_ratio = convert_image_aspect_ratio_to_pb(aspect_ratio)
    if resolution is not None:
        request.resolution = convert_image_resolution_to_pb(resolution)
    if quality is not None:
        request.quality = convert_image_quality_to_pb(quality)
    if storage_options is not None:
        request.storage_options.CopyFrom(storage_options_proto(storage_options))
    return request


class BaseClient:
    """``client.image``: the request building shared by the blocking and async clients."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = image_pb2_grpc.ImageStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)

    def prepare(
        self,
        prompt: str,
        model: ImageGenerationModel | str,
        *,
        batch_request_id: str | None = None,
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
    ) -> batch_pb2.BatchRequest:
        """A ``BatchRequest`` generating this image, for ``client.batch.add``; nothing is sent.

        ``batch_request_id`` names the result in the batch and must be unique within it.
        """
        request = build_request(
            prompt, model, image_url=image_url, image_file_id=image_file_id, image_urls=image_urls,
            image_file_ids=image_file_ids, user=user, image_format=image_format, aspect_ratio=aspect_ratio,
            resolution=resolution, quality=quality, storage_options=storage_options,
        )  # fmt: skip
        return batch_pb2.BatchRequest(image_request=request, batch_request_id=batch_request_id or "")


class BaseImageResponse(ProtoDecorator[image_pb2.ImageResponse]):
    """One generated image of an ``ImageResponse`` message, with its usage and storage outcome."""

    def __init__(self, proto: image_pb2.ImageResponse, index: int) -> None:
        super().__init__(proto)
        self._image = proto.images[index]

    @property
    def model(self) -> str:
        """The model that generated the image (its full name, not an alias)."""
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
    def prompt(self) -> str:
        """Always ``""``: the server no longer returns the rewritten prompt (deprecated)."""
        warnings.warn(
            "BaseImageResponse.prompt is deprecated: the server no longer returns it, so it is always ''",
            DeprecationWarning,
            stacklevel=2,
        )
        return ""

    @property
    def respect_moderation(self) -> bool:
        """False when the image was withheld by moderation."""
        return self._image.respect_moderation

    def _missing(self, what: str, reason: str) -> ValueError:
        if not self.respect_moderation:
            return ValueError(f"Image did not respect moderation rules; {what} is not available.")
        return ValueError(reason)

    @property
    def url(self) -> str:
        """Where the image can be downloaded; ``ValueError`` when it came inline or was moderated."""
        if not self._image.url:
            raise self._missing("URL", "Image was not returned via URL (request image_format='url').")
        return self._image.url

    @property
    def base64(self) -> str:
        """The image as a ``data:image/...;base64,`` URL; ``ValueError`` when it came by URL or was moderated."""
        if not self._image.base64:
            raise self._missing("base64", "Image was not returned via base64 (request image_format='base64').")
        return self._image.base64

    @property
    def file_output(self) -> image_pb2.FileOutput | None:
        """The stored file, when ``storage_options`` asked to keep the image."""
        return self._image.file_output if self._image.HasField("file_output") else None

    @property
    def storage_error(self) -> str | None:
        """Why storing the image failed, or ``None``."""
        return self._image.storage_error or None

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

    def _inline_or_url(self) -> bytes | str:
        """The decoded bytes of an inline image, else the URL to download; ``ValueError`` if neither."""
        if self._image.base64:
            return _decode_data_url(self._image.base64)
        if self._image.url:
            return self._image.url
        raise self._missing("the image", "Image was returned neither via URL nor via base64.")


def _decode_data_url(value: str) -> bytes:
    """The bytes of ``data:...;base64,PAYLOAD`` (or of a bare base64 payload)."""
    _, marker, payload = value.partition("base64,")
    try:
        return base64.b64decode(payload if marker else value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"the image's base64 payload cannot be decoded: {error}") from None
