"""Defaults for ``xai_api.Image``: small, real PNG images, inline (base64) or behind a URL."""

from __future__ import annotations

import base64
from typing import ClassVar

from xai_fake.defaults import tokens
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.models import IMAGE, IMAGE_MODELS, find
from xai_fake.defaults.png import dimensions, make_png
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument
from xai_sdk.proto import image_pb2, models_pb2, usage_pb2

MAX_IMAGES = 10
IMAGE_INPUT_TOKENS = 256

#: Width and height ratio of each aspect ratio; unset and AUTO give squares.
ASPECT_RATIOS: dict[int, tuple[float, float]] = {
    image_pb2.IMG_ASPECT_RATIO_1_1: (1, 1),
    image_pb2.IMG_ASPECT_RATIO_3_4: (3, 4),
    image_pb2.IMG_ASPECT_RATIO_4_3: (4, 3),
    image_pb2.IMG_ASPECT_RATIO_9_16: (9, 16),
    image_pb2.IMG_ASPECT_RATIO_16_9: (16, 9),
    image_pb2.IMG_ASPECT_RATIO_2_3: (2, 3),
    image_pb2.IMG_ASPECT_RATIO_3_2: (3, 2),
    image_pb2.IMG_ASPECT_RATIO_9_19_5: (9, 19.5),
    image_pb2.IMG_ASPECT_RATIO_19_5_9: (19.5, 9),
    image_pb2.IMG_ASPECT_RATIO_9_20: (9, 20),
    image_pb2.IMG_ASPECT_RATIO_20_9: (20, 9),
    image_pb2.IMG_ASPECT_RATIO_1_2: (1, 2),
    image_pb2.IMG_ASPECT_RATIO_2_1: (2, 1),
}


def image_model(name: str) -> models_pb2.ImageGenerationModel:
    """The image model with this name or alias; INVALID_ARGUMENT if empty, NOT_FOUND if unknown."""
    if not name:
        raise invalid_argument(f"model is required, e.g. model={IMAGE_MODELS[-1].name!r}")
    return find(IMAGE_MODELS, name, "image generation")  # type: ignore[no-any-return]


class ImageDefaults:
    """Generates ``n`` seeded gradient PNGs per request, sized by the requested aspect ratio.

    ``IMG_FORMAT_BASE64`` answers with ``data:image/png;base64,...`` in ``base64``;
    ``IMG_FORMAT_URL`` (and an unset format, the API's default) publishes the bytes on
    the fake's HTTP file server and answers with their ``url``.
    """

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Image"

    def __init__(self, state: State) -> None:
        self.state = state

    def GenerateImage(self, request: image_pb2.GenerateImageRequest, context: object) -> image_pb2.ImageResponse:
        model = image_model(request.model)
        if not request.prompt:
            raise invalid_argument("prompt is required: describe the image to generate")
        if len(request.prompt) > model.max_prompt_length:
            raise invalid_argument(
                f"prompt is {len(request.prompt)} characters; {model.name} accepts at most {model.max_prompt_length}"
            )
        n = request.n if request.HasField("n") else 1
        if not 1 <= n <= MAX_IMAGES:
            raise invalid_argument(f"n must be between 1 and {MAX_IMAGES}, got {n}")
        check_enum("format", request.format, image_pb2.ImageFormat)
        check_enum("quality", request.quality, image_pb2.ImageQuality)
        check_enum("aspect_ratio", request.aspect_ratio, image_pb2.ImageAspectRatio)
        check_enum("resolution", request.resolution, image_pb2.ImageResolution)
        if request.HasField("image"):
            check_enum("image.detail", request.image.detail, image_pb2.ImageDetail)
        for index, source in enumerate(request.images):
            check_enum(f"images[{index}].detail", source.detail, image_pb2.ImageDetail)
        inputs = len(request.images) + (1 if request.HasField("image") else 0)
        if inputs and IMAGE not in model.input_modalities:
            raise invalid_argument(f"{model.name} does not accept input images; use an image editing model instead")
        ratio = ASPECT_RATIOS.get(request.aspect_ratio, (1, 1))
        width, height = dimensions(*ratio)
        response = image_pb2.ImageResponse(model=model.name)
        for index in range(n):
            data = make_png(self.state.rng("image", request, index), width, height)
            image = response.images.add(respect_moderation=True)
            if request.format == image_pb2.IMG_FORMAT_BASE64:
                image.base64 = "data:image/png;base64," + base64.b64encode(data).decode()
            else:
                image.url = self.state.publish(f"/images/{self.state.new_id('img')}.png", data, "image/png")
        text, images = tokens.count(request.prompt), IMAGE_INPUT_TOKENS * inputs
        response.usage.CopyFrom(
            usage_pb2.SamplingUsage(
                prompt_tokens=text + images,
                prompt_text_tokens=text,
                prompt_image_tokens=images,
                total_tokens=text + images,
                cost_in_usd_ticks=model.image_price * n,
            )
        )
        return response
