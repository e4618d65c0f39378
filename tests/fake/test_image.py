"""Image generation through real gRPC: decodable PNGs, inline or served over HTTP."""

from __future__ import annotations

import base64
import struct
import urllib.request
import zlib

import grpc
import pytest

from xai_fake import FakeServer
from xai_sdk.proto import image_pb2, image_pb2_grpc

Metadata = tuple[tuple[str, str], ...]
MODEL = "grok-imagine-image"


def decode_png(data: bytes) -> tuple[int, int]:
    """Check the PNG's structure and pixel data; returns ``(width, height)``."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        offset += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 2)
    pixels = zlib.decompress(chunks[1][1])
    assert len(pixels) == height * (width * 3 + 1)
    assert all(pixels[row * (width * 3 + 1)] == 0 for row in range(height))
    return width, height


def generate(channel: grpc.Channel, md: Metadata, **fields: object) -> image_pb2.ImageResponse:
    fields.setdefault("model", MODEL)
    fields.setdefault("prompt", "a lighthouse at dusk")
    return image_pb2_grpc.ImageStub(channel).GenerateImage(image_pb2.GenerateImageRequest(**fields), metadata=md)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("aspect_ratio", "size"),
    [
        (None, (64, 64)),
        (image_pb2.IMG_ASPECT_RATIO_AUTO, (64, 64)),
        (image_pb2.IMG_ASPECT_RATIO_16_9, (64, 36)),
        (image_pb2.IMG_ASPECT_RATIO_9_16, (36, 64)),
        (image_pb2.IMG_ASPECT_RATIO_2_1, (64, 32)),
    ],
)
def test_base64_images_are_data_urls_of_real_pngs(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, aspect_ratio: int | None, size: tuple[int, int]
) -> None:
    extra = {} if aspect_ratio is None else {"aspect_ratio": aspect_ratio}
    response = generate(channel, md, format=image_pb2.IMG_FORMAT_BASE64, **extra)
    (image,) = response.images
    assert image.WhichOneof("image") == "base64"
    prefix, _, encoded = image.base64.partition("base64,")
    assert prefix == "data:image/png;"
    assert decode_png(base64.b64decode(encoded)) == size
    assert image.respect_moderation


def test_url_images_download_over_http(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    response = generate(channel, md, format=image_pb2.IMG_FORMAT_URL, n=3)
    urls = [image.url for image in response.images]
    assert len(set(urls)) == 3
    for url in urls:
        assert url.startswith(fake.http_url + "/images/")
        with urllib.request.urlopen(url, timeout=5) as download:
            data = download.read()
            assert download.headers["Content-Type"] == "image/png"
        assert data == fake.http_files.files[url.removeprefix(fake.http_url)][0]
        assert decode_png(data) == (64, 64)


def test_usage_model_and_determinism(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    first = generate(channel, md, model="grok-imagine", n=2, format=image_pb2.IMG_FORMAT_BASE64)
    again = generate(channel, md, model="grok-imagine", n=2, format=image_pb2.IMG_FORMAT_BASE64)
    assert first.model == "grok-imagine-image"
    assert first.usage.cost_in_usd_ticks == 2 * 200_000_000  # $0.02 an image (https://docs.x.ai/developers/pricing)
    assert first.usage.prompt_text_tokens > 0
    assert [i.base64 for i in first.images] == [i.base64 for i in again.images]
    assert first.images[0].base64 != first.images[1].base64


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"prompt": ""}, grpc.StatusCode.INVALID_ARGUMENT, "prompt is required"),
        ({"model": ""}, grpc.StatusCode.INVALID_ARGUMENT, "model is required"),
        ({"model": "grok-nope"}, grpc.StatusCode.NOT_FOUND, "image generation model 'grok-nope' does not exist"),
        ({"n": 0}, grpc.StatusCode.INVALID_ARGUMENT, "n must be between 1 and 10, got 0"),
        ({"n": 11}, grpc.StatusCode.INVALID_ARGUMENT, "n must be between 1 and 10, got 11"),
        (
            {"model": "grok-2-image", "image": image_pb2.ImageUrlContent(image_url="https://example.com/a.png")},
            grpc.StatusCode.INVALID_ARGUMENT,
            "grok-2-image-1212 does not accept input images",
        ),
    ],
)
def test_invalid_requests_are_rejected(
    fake: FakeServer,
    channel: grpc.Channel,
    md: Metadata,
    fields: dict[str, object],
    code: grpc.StatusCode,
    message: str,
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        generate(channel, md, **fields)
    assert info.value.code() == code  # type: ignore[attr-defined]
    assert message in info.value.details()  # type: ignore[attr-defined]


async def test_generate_image_async(fake: FakeServer, aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    stub = image_pb2_grpc.ImageStub(aio_channel)
    request = image_pb2.GenerateImageRequest(
        model=MODEL, prompt="a cat", format=image_pb2.IMG_FORMAT_BASE64, aspect_ratio=image_pb2.IMG_ASPECT_RATIO_3_4
    )
    response = await stub.GenerateImage(request, metadata=md)
    assert decode_png(base64.b64decode(response.images[0].base64.partition("base64,")[2])) == (48, 64)
    assert fake.requests.last("xai_api.Image/GenerateImage") == request


def _detail(value: int) -> image_pb2.ImageUrlContent:
    return image_pb2.ImageUrlContent(image_url="https://example.com/a.png", detail=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"format": 7}, "format has no value 7; use one of IMG_FORMAT_INVALID, "
         "IMG_FORMAT_BASE64, IMG_FORMAT_URL"),
        ({"quality": 9}, "quality has no value 9; use one of IMG_QUALITY_INVALID, "
         "IMG_QUALITY_LOW, IMG_QUALITY_MEDIUM, IMG_QUALITY_HIGH"),
        ({"resolution": -4}, "resolution has no value -4; use one of "
         "IMG_RESOLUTION_INVALID, IMG_RESOLUTION_1K, IMG_RESOLUTION_2K"),
        ({"image": _detail(5)}, "image.detail has no value 5; use one of "
         "DETAIL_INVALID, DETAIL_AUTO, DETAIL_LOW, DETAIL_HIGH"),
        ({"images": [_detail(1), _detail(6)]}, "images[1].detail has no value 6; "
         "use one of DETAIL_INVALID, DETAIL_AUTO, DETAIL_LOW, DETAIL_HIGH"),
    ],
)  # fmt: skip
def test_unknown_enum_values_are_invalid_arguments(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        generate(channel, md, **fields)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert info.value.details() == message  # type: ignore[attr-defined]


def test_unknown_aspect_ratio_is_refused_not_drawn_square(
    fake: FakeServer, channel: grpc.Channel, md: Metadata
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        generate(channel, md, aspect_ratio=42)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert info.value.details().startswith(  # type: ignore[attr-defined]
        "aspect_ratio has no value 42; use one of IMG_ASPECT_RATIO_INVALID, "
    )
