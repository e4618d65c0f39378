"""Image and video spans: names and OpenTelemetry GenAI attributes, computed from requests and responses.

``client.image.<operation>`` on model ``m`` is the span ``"image.<operation> m"`` (``sample``,
``sample_batch``) and ``client.video.<operation>`` the span ``"video.<operation> m"`` (``start``,
``generate``, ``extend_start``, ``extend``), on the tracer named after the facade module. The
attributes are the official SDK's, except that:

* every span reports ``server.address`` and ``server.port`` of the host the client really talks
  to (the official SDK reports none on image spans and a fixed ``api.x.ai`` on video spans);
* ``gen_ai.response.model`` is the model named in the response (the request's when the response
  names none), as the GenAI conventions define it.

With sensitive attributes off, a span keeps the operation, provider, output type, models and server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xai_sdk.proto import image_pb2, usage_pb2, video_pb2
from xai_sdk.telemetry._spans import NO_SPAN, AttributeValue, Span, _RecordedSpan, server_attributes, tracer_for
from xai_sdk.telemetry.config import should_disable_sensitive_attributes

__all__ = [
    "image_request_attributes",
    "image_response_attributes",
    "image_span",
    "video_request_attributes",
    "video_response_attributes",
    "video_span",
]

Attributes = dict[str, AttributeValue]
VideoRequest = video_pb2.GenerateVideoRequest | video_pb2.ExtendVideoRequest

_USAGE = (
    ("gen_ai.usage.input_tokens", "prompt_tokens"),
    ("gen_ai.usage.output_tokens", "completion_tokens"),
    ("gen_ai.usage.total_tokens", "total_tokens"),
    ("gen_ai.usage.reasoning_tokens", "reasoning_tokens"),
    ("gen_ai.usage.cached_prompt_text_tokens", "cached_prompt_text_tokens"),
    ("gen_ai.usage.prompt_text_tokens", "prompt_text_tokens"),
    ("gen_ai.usage.prompt_image_tokens", "prompt_image_tokens"),
)
# Operations whose span waits for the generated video, and so records it.
_VIDEO_RESULTS = frozenset({"generate", "extend"})


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    return str(enum.Name(value)).removeprefix(prefix).lower()


def _identity(operation: str, output: str, model: str, target: str | None) -> Attributes:
    return {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "xai",
        "gen_ai.output.type": output,
        "gen_ai.request.model": model,
        **server_attributes(target),
    }


def _storage(attributes: Attributes, options: image_pb2.StorageOptions) -> None:
    attributes["gen_ai.request.storage"] = True
    if options.filename:
        attributes["gen_ai.request.storage.filename"] = options.filename
    if options.expires_after:
        attributes["gen_ai.request.storage.expires_after"] = options.expires_after
    if options.HasField("public_url"):
        attributes["gen_ai.request.storage.public_url"] = True


def _usage(attributes: Attributes, usage: usage_pb2.SamplingUsage) -> None:
    for key, field in _USAGE:
        attributes[key] = getattr(usage, field)
    if usage.HasField("cost_in_usd_ticks"):
        attributes["gen_ai.usage.cost_in_usd_ticks"] = usage.cost_in_usd_ticks


def _stored(attributes: Attributes, prefix: str, output: image_pb2.FileOutput | None, storage_error: str) -> None:
    if output is not None:
        if output.file_id:
            attributes[f"{prefix}.file_id"] = output.file_id
        if output.public_url:
            attributes[f"{prefix}.public_url"] = output.public_url
        if output.public_url_error:
            attributes[f"{prefix}.public_url_error"] = output.public_url_error
    if storage_error:
        attributes[f"{prefix}.storage_error"] = storage_error


# -- image ---------------------------------------------------------------------------------------


def image_span(scope: str, operation: str, request: image_pb2.GenerateImageRequest, target: str | None) -> Span:
    """The span of ``client.image.<operation>``; ``done()`` takes the ``ImageResponse`` proto."""
    tracer = tracer_for(scope)  # first, so that an unrecorded call builds nothing
    if tracer is None:
        return NO_SPAN
    return _RecordedSpan(
        tracer,
        f"image.{operation} {request.model}",
        lambda: image_request_attributes(request, target),
        lambda proto: image_response_attributes(request, proto),
        True,
    )


def image_request_attributes(request: image_pb2.GenerateImageRequest, target: str | None) -> Attributes:
    """Attributes known when an image request starts."""
    attributes = _identity("generate_image", "image", request.model, target)
    if should_disable_sensitive_attributes():
        return attributes
    attributes["gen_ai.request.image.format"] = _enum_name(image_pb2.ImageFormat, request.format, "IMG_FORMAT_")
    attributes["gen_ai.prompt"] = request.prompt
    if request.HasField("storage_options"):
        _storage(attributes, request.storage_options)
    if request.HasField("n"):
        attributes["gen_ai.request.image.count"] = request.n
    if request.HasField("aspect_ratio"):
        ratio = image_pb2.ImageAspectRatio.Name(request.aspect_ratio).removeprefix("IMG_ASPECT_RATIO_")
        attributes["gen_ai.request.image.aspect_ratio"] = (
            "auto" if ratio == "AUTO" else ratio.replace("19_5", "19.5").replace("_", ":")
        )
    if request.HasField("resolution"):
        attributes["gen_ai.request.image.resolution"] = _enum_name(
            image_pb2.ImageResolution, request.resolution, "IMG_RESOLUTION_"
        )
    if request.HasField("quality"):
        attributes["gen_ai.request.image.quality"] = _enum_name(image_pb2.ImageQuality, request.quality, "IMG_QUALITY_")
    if request.user:
        attributes["user_id"] = request.user
    return attributes


def image_response_attributes(request: image_pb2.GenerateImageRequest, response: image_pb2.ImageResponse) -> Attributes:
    """Attributes of the generated images: usage, then URL or data, moderation and storage per image."""
    attributes: Attributes = {"gen_ai.response.model": response.model or request.model}
    if should_disable_sensitive_attributes():
        return attributes
    _usage(attributes, response.usage)
    attributes["gen_ai.response.image.format"] = _enum_name(image_pb2.ImageFormat, request.format, "IMG_FORMAT_")
    for index, image in enumerate(response.images):
        prefix = f"gen_ai.response.{index}.image"
        attributes[f"{prefix}.respect_moderation"] = image.respect_moderation
        if request.format == image_pb2.IMG_FORMAT_URL and image.url:
            attributes[f"{prefix}.url"] = image.url
        elif request.format == image_pb2.IMG_FORMAT_BASE64 and image.base64:
            attributes[f"{prefix}.base64"] = image.base64
        _stored(attributes, prefix, image.file_output if image.HasField("file_output") else None, image.storage_error)
    return attributes


# -- video ---------------------------------------------------------------------------------------


def video_span(scope: str, operation: str, request: VideoRequest, target: str | None) -> Span:
    """The span of ``client.video.<operation>``; for ``generate``/``extend``, ``done()`` takes the VideoResponse."""
    tracer = tracer_for(scope)
    if tracer is None:
        return NO_SPAN
    result: Callable[[Any], Attributes] | None = None
    if operation in _VIDEO_RESULTS:
        result = lambda response: video_response_attributes(request, response.proto)  # noqa: E731
    return _RecordedSpan(
        tracer, f"video.{operation} {request.model}", lambda: video_request_attributes(request, target), result, True
    )


def video_request_attributes(request: VideoRequest, target: str | None) -> Attributes:
    """Attributes known when a video generation or extension starts."""
    extend = isinstance(request, video_pb2.ExtendVideoRequest)
    attributes = _identity("extend_video" if extend else "generate_video", "video", request.model, target)
    if should_disable_sensitive_attributes():
        return attributes
    attributes["gen_ai.prompt"] = request.prompt
    if request.HasField("storage_options"):
        _storage(attributes, request.storage_options)
    if request.HasField("duration"):
        attributes["gen_ai.request.video.duration"] = request.duration
    if isinstance(request, video_pb2.GenerateVideoRequest):
        if request.HasField("aspect_ratio"):
            ratio = video_pb2.VideoAspectRatio.Name(request.aspect_ratio).removeprefix("VIDEO_ASPECT_RATIO_")
            attributes["gen_ai.request.video.aspect_ratio"] = ratio.replace("_", ":")
        if request.HasField("resolution"):
            attributes["gen_ai.request.video.resolution"] = _enum_name(
                video_pb2.VideoResolution, request.resolution, "VIDEO_RESOLUTION_"
            )
        if request.HasField("generate_audio"):
            attributes["gen_ai.request.video.generate_audio"] = request.generate_audio
    return attributes


def video_response_attributes(request: VideoRequest, response: video_pb2.VideoResponse) -> Attributes:
    """Attributes of the generated video: usage, URL, duration, moderation and storage."""
    attributes: Attributes = {"gen_ai.response.model": response.model or request.model}
    if should_disable_sensitive_attributes():
        return attributes
    _usage(attributes, response.usage)
    video = response.video
    prefix = "gen_ai.response.0.video"
    attributes[f"{prefix}.respect_moderation"] = video.respect_moderation
    if video.url:
        attributes[f"{prefix}.url"] = video.url
    attributes[f"{prefix}.duration"] = video.duration
    _stored(attributes, prefix, video.file_output if video.HasField("file_output") else None, video.storage_error)
    return attributes
