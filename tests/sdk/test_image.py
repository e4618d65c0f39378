"""client.image through real gRPC against xai_fake; every scenario runs on the sync and the async client."""

from __future__ import annotations

import base64
import datetime
import inspect
import struct
from typing import Any

import httpx
import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk.image import BaseImageResponse, convert_image_format_to_pb
from xai_sdk.proto import image_pb2

MODEL = "grok-imagine-image"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, checking the signature and chunk layout."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_base64_image_decodes_to_a_png(client: Any, xai_fake_server: FakeServer) -> None:
    response = await settle(
        client.image.sample(
            "a lighthouse at dusk",
            MODEL,
            image_format="base64",
            aspect_ratio="16:9",
            resolution="1k",
            quality="low",
            user="u-1",
        )
    )
    assert response.base64.startswith("data:image/png;base64,")
    data = await settle(response.image)
    width, height = png_size(data)
    assert width > height
    assert data == base64.b64decode(response.base64.partition(",")[2])
    assert response.model == MODEL and response.respect_moderation
    assert response.usage.prompt_text_tokens > 0 and response.cost_usd is not None and response.cost_usd > 0
    with pytest.raises(ValueError, match="not returned via URL"):
        _ = response.url
    sent = last(xai_fake_server, "Image/GenerateImage")
    assert isinstance(sent, image_pb2.GenerateImageRequest)
    assert (sent.prompt, sent.model, sent.user, sent.n) == ("a lighthouse at dusk", MODEL, "u-1", 1)
    assert sent.format == image_pb2.IMG_FORMAT_BASE64
    assert (sent.aspect_ratio, sent.resolution, sent.quality) == (
        image_pb2.IMG_ASPECT_RATIO_16_9,
        image_pb2.IMG_RESOLUTION_1K,
        image_pb2.IMG_QUALITY_LOW,
    )


async def test_url_image_is_downloaded_over_http(client: Any, xai_fake_server: FakeServer) -> None:
    response = await settle(client.image.sample("a red fox", MODEL, aspect_ratio="9:16"))
    assert response.url.startswith(xai_fake_server.http_url + "/")
    width, height = png_size(await settle(response.image))
    assert height > width
    with pytest.raises(ValueError, match="not returned via base64"):
        _ = response.base64
    assert last(xai_fake_server, "Image/GenerateImage").format == image_pb2.IMG_FORMAT_URL


async def test_download_errors_surface_as_http_errors(client: Any, xai_fake_server: FakeServer) -> None:
    missing = image_pb2.ImageResponse(model=MODEL)
    missing.images.add(url=xai_fake_server.http_url + "/images/gone.png", respect_moderation=True)
    xai_fake_server.script("Image/GenerateImage").respond_once(missing)
    response = await settle(client.image.sample("anything", MODEL))
    with pytest.raises(httpx.HTTPStatusError) as info:
        await settle(response.image)
    assert info.value.response.status_code == 404


async def test_sample_batch_returns_n_distinct_images(client: Any, xai_fake_server: FakeServer) -> None:
    responses = await settle(client.image.sample_batch("three kites", MODEL, 3, image_format="base64"))
    assert len(responses) == 3
    images = [await settle(r.image) for r in responses]
    assert all(png_size(image) for image in images) and len(set(images)) == 3
    assert last(xai_fake_server, "Image/GenerateImage").n == 3


async def test_input_images_keep_file_ids_before_urls(client: Any, xai_fake_server: FakeServer) -> None:
    await settle(
        client.image.sample(
            "blend <IMAGE_0> and <IMAGE_1>",
            MODEL,
            image_urls=["https://example.com/a.png"],
            image_file_ids=["file-1"],
        )
    )
    sent = last(xai_fake_server, "Image/GenerateImage")
    assert [(i.file_id, i.image_url) for i in sent.images] == [("file-1", ""), ("", "https://example.com/a.png")]
    assert all(i.detail == image_pb2.DETAIL_AUTO for i in sent.images)
    await settle(client.image.sample("edit it", MODEL, image_file_id="file-2"))
    sent = last(xai_fake_server, "Image/GenerateImage")
    assert sent.image.file_id == "file-2" and not sent.images


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_url": "u", "image_file_id": "f"}, "Only one of image_url or image_file_id"),
        ({"image_url": "u", "image_urls": ["v"]}, "image_urls/image_file_ids"),
        ({"image_file_id": "f", "image_file_ids": ["g"]}, "image_urls/image_file_ids"),
        ({"image_urls": "https://example.com/a.png"}, "must be a list"),
        ({"image_format": "jpeg"}, "Invalid image format 'jpeg'"),
        ({"aspect_ratio": "5:4"}, "Invalid image aspect ratio '5:4'"),
        ({"resolution": "4k"}, "Invalid image resolution"),
        ({"quality": "high"}, "Invalid image quality"),
        ({"storage_options": {"name": "x.png"}}, "unknown keys"),
        ({"storage_options": {"filename": ""}}, "filename'\\] must be a non-empty string"),
        ({"storage_options": {"filename": "x.png", "public_url": "yes"}}, "public_url"),
        ({"storage_options": {"filename": "x.png", "expires_after": 1.5}}, "number of seconds"),
    ],
)
async def test_invalid_arguments_raise_before_sending(
    client: Any, xai_fake_server: FakeServer, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await settle(client.image.sample("p", MODEL, **kwargs))
    with pytest.raises(ValueError, match=message):
        client.image.prepare("p", MODEL, **kwargs)
    assert xai_fake_server.requests.count("Image/GenerateImage") == 0


async def test_storage_options_and_file_output(client: Any, xai_fake_server: FakeServer) -> None:
    stored = image_pb2.ImageResponse(model=MODEL)
    image = stored.images.add(url="https://example.com/i.png", respect_moderation=True)
    image.file_output.file_id = "file-9"
    image.file_output.public_url = "https://files.example.com/i.png"
    failed = image_pb2.ImageResponse(model=MODEL)
    failed.images.add(url="https://example.com/j.png", respect_moderation=True, storage_error="quota exceeded")
    failed.images[0].file_output.public_url_error = "public URLs are disabled"
    # One call each, then the defaults (a sequence's last answer would repeat).
    xai_fake_server.script("Image/GenerateImage").respond(stored, times=1).respond(failed, times=1)

    options = {"filename": "out.png", "expires_after": datetime.timedelta(hours=2), "public_url": {"expires_after": 60}}
    response = await settle(client.image.sample("p", MODEL, storage_options=options))
    sent = last(xai_fake_server, "Image/GenerateImage").storage_options
    assert (sent.filename, sent.expires_after, sent.public_url.expires_after) == ("out.png", 7200, 60)
    assert response.file_output.file_id == "file-9" and response.public_url == "https://files.example.com/i.png"
    assert response.storage_error is None and response.public_url_error is None

    proto_options = image_pb2.StorageOptions(filename="raw.png")
    response = await settle(client.image.sample("p", MODEL, storage_options=proto_options))
    assert last(xai_fake_server, "Image/GenerateImage").storage_options == proto_options
    assert response.storage_error == "quota exceeded" and response.public_url_error == "public URLs are disabled"
    assert response.public_url is None

    await settle(client.image.sample("p", MODEL, storage_options={"filename": "p.png", "public_url": True}))
    sent = last(xai_fake_server, "Image/GenerateImage").storage_options
    assert sent.HasField("public_url") and not sent.public_url.HasField("expires_after")
    no_storage = await settle(client.image.sample("p", MODEL))
    assert no_storage.file_output is None and no_storage.public_url is None


async def test_moderated_image_explains_why_it_is_missing(client: Any, xai_fake_server: FakeServer) -> None:
    moderated = image_pb2.ImageResponse(model=MODEL)
    moderated.images.add(respect_moderation=False)
    xai_fake_server.script("Image/GenerateImage").respond_once(moderated)
    response = await settle(client.image.sample("p", MODEL))
    assert not response.respect_moderation
    for attribute in ("url", "base64"):
        with pytest.raises(ValueError, match="did not respect moderation"):
            getattr(response, attribute)
    with pytest.raises(ValueError, match="did not respect moderation"):
        await settle(response.image)


def test_prepare_builds_a_batch_request(xai_client: xai_sdk.Client, xai_async_client: xai_sdk.AsyncClient) -> None:
    for client in (xai_client, xai_async_client):
        prepared = client.image.prepare("a moon", MODEL, batch_request_id="moon-1", image_format="base64")
        assert prepared.batch_request_id == "moon-1"
        assert prepared.image_request.prompt == "a moon" and prepared.image_request.format == 1
        assert client.image.prepare("a moon", MODEL).batch_request_id == ""


def test_response_helpers() -> None:
    proto = image_pb2.ImageResponse(model=MODEL)
    proto.images.add(base64="data:image/png;base64,!!!", respect_moderation=True)
    response = BaseImageResponse(proto, 0)
    assert response.cost_usd is None
    with pytest.raises(ValueError, match="cannot be decoded"):
        response._inline_or_url()
    with pytest.warns(DeprecationWarning, match="prompt"):
        assert response.prompt == ""
    assert convert_image_format_to_pb("url") == image_pb2.IMG_FORMAT_URL
