"""Telemetry of the non-chat services: spans recorded in memory through real gRPC against xai_fake.

Every instrumented method runs on the sync and the async client. The expected attribute keys are
those the official SDK 1.21.0 sets on the same calls against the fake (recorded with an
``InMemorySpanExporter``), plus ``server.address``/``server.port``, which this SDK reports on
every span from the host it really talks to.
"""

from __future__ import annotations

import datetime
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from xai_fake import FakeServer
from xai_sdk.image import build_request
from xai_sdk.proto import image_pb2, usage_pb2, video_pb2
from xai_sdk.telemetry._media import image_response_attributes, image_span, video_response_attributes, video_span
from xai_sdk.telemetry._services import call_span, collection_span, file_span
from xai_sdk.telemetry._spans import NO_SPAN
from xai_sdk.telemetry.config import DISABLE_SENSITIVE_ENV, DISABLE_TRACING_ENV

DRIVERS = ["sync", "aio"]
FAST = datetime.timedelta(milliseconds=5)
IMAGE_MODEL = "grok-imagine-image"
VIDEO_MODEL = "grok-imagine-video"
SERVER = frozenset({"server.address", "server.port"})

# -- what the official SDK sets (observed against the fake) ---------------------------------------

USAGE = frozenset(
    {
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.total_tokens",
        "gen_ai.usage.reasoning_tokens",
        "gen_ai.usage.cached_prompt_text_tokens",
        "gen_ai.usage.prompt_text_tokens",
        "gen_ai.usage.prompt_image_tokens",
        "gen_ai.usage.cost_in_usd_ticks",
    }
)
GENAI_IDENTITY = frozenset(
    {
        "gen_ai.operation.name",
        "gen_ai.provider.name",
        "gen_ai.output.type",
        "gen_ai.request.model",
    }
)
STORAGE = frozenset({"gen_ai.request.storage", "gen_ai.request.storage.filename"})
IMAGE_PRIVATE = GENAI_IDENTITY | {"gen_ai.response.model"}
IMAGE_REQUEST = GENAI_IDENTITY | {"gen_ai.prompt", "gen_ai.request.image.format", "gen_ai.request.image.count"}
IMAGE_RESPONSE = USAGE | {"gen_ai.response.model", "gen_ai.response.image.format"}
IMAGE_KEYS = (
    IMAGE_REQUEST | IMAGE_RESPONSE | {"gen_ai.response.0.image.respect_moderation", "gen_ai.response.0.image.url"}
)
IMAGE_FULL_KEYS = (
    IMAGE_REQUEST
    | IMAGE_RESPONSE
    | STORAGE
    | {
        "gen_ai.request.storage.expires_after",
        "gen_ai.request.storage.public_url",
        "gen_ai.request.image.aspect_ratio",
        "gen_ai.request.image.resolution",
        "gen_ai.request.image.quality",
        "user_id",
        "gen_ai.response.0.image.respect_moderation",
        "gen_ai.response.0.image.base64",
    }
)
IMAGE_BATCH_KEYS = IMAGE_KEYS | {"gen_ai.response.1.image.respect_moderation", "gen_ai.response.1.image.url"}
VIDEO_START_KEYS = GENAI_IDENTITY | {"gen_ai.prompt"}
VIDEO_RESULT = USAGE | {
    "gen_ai.response.model",
    "gen_ai.response.0.video.respect_moderation",
    "gen_ai.response.0.video.url",
    "gen_ai.response.0.video.duration",
}
VIDEO_GENERATE_KEYS = (
    VIDEO_START_KEYS
    | VIDEO_RESULT
    | STORAGE
    | {
        "gen_ai.request.video.duration",
        "gen_ai.request.video.aspect_ratio",
        "gen_ai.request.video.resolution",
        "gen_ai.request.video.generate_audio",
    }
)
VIDEO_EXTEND_KEYS = VIDEO_START_KEYS | VIDEO_RESULT | {"gen_ai.request.video.duration"}
OPERATION = frozenset({"operation.name", "provider.name"})
MODEL = frozenset({"gen_ai.request.model"})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    """One instrumented method: how to call it and what its span must carry."""

    id: str
    module: str
    span_name: str
    keys: frozenset[str]
    #: Keys left with XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES set (server.* aside).
    private_keys: frozenset[str]
    act: Callable[[Any, dict[str, Any]], Any]
    #: Attribute values the span must have, from the setup context and the call's result.
    values: Callable[[dict[str, Any], Any], dict[str, Any]]
    setup: tuple[str, ...] = field(default=())


async def settle(value: Any) -> Any:
    return (await value) if inspect.isawaitable(value) else value


async def prepare(client: Any, needs: tuple[str, ...]) -> dict[str, Any]:
    """What a case acts on: a file, a collection holding a document, a finished video."""
    context: dict[str, Any] = {}
    if "file" in needs:
        context["file"] = await settle(client.files.upload(b"scratch", filename="scratch.txt"))
    if "collection" in needs:
        context["collection"] = collection = await settle(client.collections.create("kb"))
        if "document" in needs:
            document = await settle(client.files.upload(b"some text", filename="kept.txt"))
            await settle(client.collections.add_existing_document(collection.collection_id, document.id))
            context["document"] = document
    if "video" in needs:
        context["video"] = await settle(client.video.generate("seed", VIDEO_MODEL, interval=FAST))
    return context


def image_values(result: Any, *, prompt: str, form: str, count: int) -> dict[str, Any]:
    results = result if isinstance(result, list) else [result]
    values: dict[str, Any] = {
        "gen_ai.operation.name": "generate_image",
        "gen_ai.provider.name": "xai",
        "gen_ai.output.type": "image",
        "gen_ai.request.model": IMAGE_MODEL,
        "gen_ai.prompt": prompt,
        "gen_ai.request.image.format": form,
        "gen_ai.request.image.count": count,
        "gen_ai.response.model": results[0].model,
        "gen_ai.response.image.format": form,
        "gen_ai.usage.input_tokens": results[0].usage.prompt_tokens,
        "gen_ai.usage.total_tokens": results[0].usage.total_tokens,
        "gen_ai.usage.cost_in_usd_ticks": results[0].usage.cost_in_usd_ticks,
    }
    for index, image in enumerate(results):
        values[f"gen_ai.response.{index}.image.respect_moderation"] = image.respect_moderation
        values[f"gen_ai.response.{index}.image.{form}"] = getattr(image, form)
    return values


def video_values(result: Any, operation: str, prompt: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "xai",
        "gen_ai.output.type": "video",
        "gen_ai.request.model": VIDEO_MODEL,
        "gen_ai.prompt": prompt,
    }
    if hasattr(result, "usage"):
        values |= {
            "gen_ai.response.model": result.model,
            "gen_ai.usage.total_tokens": result.usage.total_tokens,
            "gen_ai.response.0.video.url": result.url,
            "gen_ai.response.0.video.duration": result.duration,
            "gen_ai.response.0.video.respect_moderation": result.respect_moderation,
        }
    return values


def ids(context: dict[str, Any], *names: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "collection" in names:
        values["collection.id"] = context["collection"].collection_id
    if "document" in names:
        values["file.id"] = context["document"].id
    return values


def operation(name: str, **values: Any) -> dict[str, Any]:
    return {"operation.name": name, "provider.name": "xai", **values}


def models_case(method: str, name: str | None = None) -> Case:
    """``client.models.<method>()``, or ``(name)`` for the ``get_*`` methods that name a model."""
    arguments = () if name is None else (name,)
    return Case(
        f"models.{method}",
        "models",
        method if name is None else f"{method} {name}",
        NONE if name is None else MODEL,
        NONE if name is None else MODEL,
        lambda client, _: getattr(client.models, method)(*arguments),
        lambda _, __: {} if name is None else {"gen_ai.request.model": name},
    )


STORAGE_OPTIONS = {"filename": "out.png", "expires_after": 7200, "public_url": True}
CASES = [
    Case(
        "image.sample",
        "image",
        f"image.sample {IMAGE_MODEL}",
        IMAGE_KEYS,
        IMAGE_PRIVATE,
        lambda client, _: client.image.sample("a red fox", IMAGE_MODEL),
        lambda _, result: image_values(result, prompt="a red fox", form="url", count=1),
    ),
    Case(
        "image.sample-options",
        "image",
        f"image.sample {IMAGE_MODEL}",
        IMAGE_FULL_KEYS,
        IMAGE_PRIVATE,
        lambda client, _: client.image.sample(
            "a red fox",
            IMAGE_MODEL,
            image_format="base64",
            aspect_ratio="16:9",
            resolution="2k",
            quality="low",
            user="u-1",
            storage_options=STORAGE_OPTIONS,
        ),
        lambda _, result: (
            image_values(result, prompt="a red fox", form="base64", count=1)
            | {
                "gen_ai.request.image.aspect_ratio": "16:9",
                "gen_ai.request.image.resolution": "2k",
                "gen_ai.request.image.quality": "low",
                "user_id": "u-1",
                "gen_ai.request.storage": True,
                "gen_ai.request.storage.filename": "out.png",
                "gen_ai.request.storage.expires_after": 7200,
                "gen_ai.request.storage.public_url": True,
            }
        ),
    ),
    Case(
        "image.sample_batch",
        "image",
        f"image.sample_batch {IMAGE_MODEL}",
        IMAGE_BATCH_KEYS,
        IMAGE_PRIVATE,
        lambda client, _: client.image.sample_batch("two owls", IMAGE_MODEL, 2),
        lambda _, result: image_values(list(result), prompt="two owls", form="url", count=2),
    ),
    Case(
        "video.start",
        "video",
        f"video.start {VIDEO_MODEL}",
        VIDEO_START_KEYS,
        GENAI_IDENTITY,
        lambda client, _: client.video.start("a dog", VIDEO_MODEL),
        lambda _, result: video_values(result, "generate_video", "a dog"),
    ),
    Case(
        "video.generate",
        "video",
        f"video.generate {VIDEO_MODEL}",
        VIDEO_GENERATE_KEYS,
        GENAI_IDENTITY | {"gen_ai.response.model"},
        lambda client, _: client.video.generate(
            "a dog",
            VIDEO_MODEL,
            duration=5,
            aspect_ratio="16:9",
            resolution="720p",
            generate_audio=True,
            storage_options={"filename": "dog.mp4"},
            interval=FAST,
        ),
        lambda _, result: (
            video_values(result, "generate_video", "a dog")
            | {
                "gen_ai.request.video.duration": 5,
                "gen_ai.request.video.aspect_ratio": "16:9",
                "gen_ai.request.video.resolution": "720p",
                "gen_ai.request.video.generate_audio": True,
                "gen_ai.request.storage": True,
                "gen_ai.request.storage.filename": "dog.mp4",
            }
        ),
    ),
    Case(
        "video.extend_start",
        "video",
        f"video.extend_start {VIDEO_MODEL}",
        VIDEO_START_KEYS,
        GENAI_IDENTITY,
        lambda client, context: client.video.extend_start("more", VIDEO_MODEL, context["video"].url),
        lambda _, result: video_values(result, "extend_video", "more"),
        ("video",),
    ),
    Case(
        "video.extend",
        "video",
        f"video.extend {VIDEO_MODEL}",
        VIDEO_EXTEND_KEYS,
        GENAI_IDENTITY | {"gen_ai.response.model"},
        lambda client, context: client.video.extend(
            "more", VIDEO_MODEL, context["video"].url, duration=3, interval=FAST
        ),
        lambda _, result: video_values(result, "extend_video", "more") | {"gen_ai.request.video.duration": 3},
        ("video",),
    ),
    Case(
        "files.upload",
        "files",
        "file.upload",
        OPERATION | {"file.id", "file.name"},
        OPERATION,
        lambda client, _: client.files.upload(io.BytesIO(b"hello"), filename="notes.txt"),
        lambda _, result: operation("upload_file", **{"file.id": result.id, "file.name": "notes.txt"}),
    ),
    Case(
        "files.delete",
        "files",
        "file.delete",
        OPERATION | {"file.id"},
        OPERATION,
        lambda client, context: client.files.delete(context["file"].id),
        lambda context, _: operation("delete", **{"file.id": context["file"].id}),
        ("file",),
    ),
    Case(
        "collections.create",
        "collections",
        "collections.create_collection",
        OPERATION | {"collection.id", "collection.name"},
        OPERATION | {"collection.id"},
        lambda client, _: client.collections.create("kb", description="notes"),
        lambda _, result: operation(
            "create_collection", **{"collection.id": result.collection_id, "collection.name": "kb"}
        ),
    ),
    Case(
        "collections.update",
        "collections",
        "collections.update_collection",
        OPERATION | {"collection.id", "collection.name"},
        OPERATION | {"collection.id"},
        lambda client, context: client.collections.update(context["collection"].collection_id, name="kb2"),
        lambda context, _: operation("update_collection", **ids(context, "collection"), **{"collection.name": "kb2"}),
        ("collection",),
    ),
    Case(
        "collections.delete",
        "collections",
        "collections.delete_collection",
        OPERATION | {"collection.id"},
        OPERATION | {"collection.id"},
        lambda client, context: client.collections.delete(context["collection"].collection_id),
        lambda context, _: operation("delete_collection", **ids(context, "collection")),
        ("collection",),
    ),
    Case(
        "collections.upload_document",
        "collections",
        "collections.upload_document",
        OPERATION | {"file.id", "file.name"},
        OPERATION | {"file.id"},
        lambda client, context: client.collections.upload_document(
            context["collection"].collection_id, "doc.txt", b"Shipping takes two weeks."
        ),
        lambda _, result: operation(
            "upload_document", **{"file.id": result.file_metadata.file_id, "file.name": "doc.txt"}
        ),
        ("collection",),
    ),
    Case(
        "collections.add_existing_document",
        "collections",
        "collections.add_existing_document",
        OPERATION | {"collection.id", "file.id"},
        OPERATION | {"collection.id", "file.id"},
        lambda client, context: client.collections.add_existing_document(
            context["collection"].collection_id, context["file"].id
        ),
        lambda context, _: operation(
            "add_existing_document",
            **{"collection.id": context["collection"].collection_id, "file.id": context["file"].id},
        ),
        ("file", "collection"),
    ),
    Case(
        "collections.update_document",
        "collections",
        "collections.update_document",
        OPERATION | {"document.id", "document.name"},
        OPERATION | {"document.id"},
        lambda client, context: client.collections.update_document(
            context["collection"].collection_id, context["document"].id, name="renamed.txt"
        ),
        lambda context, _: operation(
            "update_document", **{"document.id": context["document"].id, "document.name": "renamed.txt"}
        ),
        ("collection", "document"),
    ),
    Case(
        "collections.reindex_document",
        "collections",
        "collections.reindex_document",
        OPERATION | {"collection.id", "file.id"},
        OPERATION | {"collection.id", "file.id"},
        lambda client, context: client.collections.reindex_document(
            context["collection"].collection_id, context["document"].id
        ),
        lambda context, _: operation("reindex_document", **ids(context, "collection", "document")),
        ("collection", "document"),
    ),
    Case(
        "collections.remove_document",
        "collections",
        "collections.remove_document",
        OPERATION | {"collection.id", "file.id"},
        OPERATION | {"collection.id", "file.id"},
        lambda client, context: client.collections.remove_document(
            context["collection"].collection_id, context["document"].id
        ),
        lambda context, _: operation("remove_document", **ids(context, "collection", "document")),
        ("collection", "document"),
    ),
    Case(
        "collections.generate_description",
        "collections",
        "collections.generate_collection_description",
        OPERATION | {"collection.id"},
        OPERATION | {"collection.id"},
        lambda client, context: client.collections.generate_description(context["collection"].collection_id),
        lambda context, _: operation("generate_collection_description", **ids(context, "collection")),
        ("collection", "document"),
    ),
    *(
        models_case(method)
        for method in ("list_language_models", "list_embedding_models", "list_image_generation_models")
    ),
    models_case("get_language_model", "grok-4"),
    models_case("get_embedding_model", "v1"),
    models_case("get_image_generation_model", IMAGE_MODEL),
    Case(
        "tokenize.tokenize_text",
        "tokenizer",
        "tokenize_text grok-4",
        MODEL,
        MODEL,
        lambda client, _: client.tokenize.tokenize_text("hello world", "grok-4"),
        lambda _, __: {"gen_ai.request.model": "grok-4"},
    ),
    Case(
        "auth.get_api_key_info",
        "auth",
        "get_api_key_info",
        NONE,
        NONE,
        lambda client, _: client.auth.get_api_key_info(),
        lambda _, __: {},
    ),
]


def open_client(fake: FakeServer, driver: str) -> Any:
    return fake.client() if driver == "sync" else fake.async_client()


async def close(client: Any) -> None:
    await settle(client.close())


def server_of(fake: FakeServer) -> dict[str, Any]:
    host, port = fake.address.rsplit(":", 1)
    return {"server.address": host, "server.port": int(port)}


async def run_case(fake: FakeServer, exporter: InMemorySpanExporter | None, driver: str, case: Case) -> tuple[Any, Any]:
    """Set up, clear the spans of the setup, then make the call; the context and the result."""
    client = open_client(fake, driver)
    try:
        context = await prepare(client, case.setup)
        if exporter is not None:
            exporter.clear()
        return context, await settle(case.act(client, context))
    finally:
        await close(client)


def only_span(exporter: InMemorySpanExporter) -> ReadableSpan:
    [span] = exporter.get_finished_spans()
    return span


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_span_matches_the_official_one(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str, case: Case
) -> None:
    context, result = await run_case(xai_fake_server, spans, driver, case)

    span = only_span(spans)
    assert span.name == case.span_name
    assert span.kind == SpanKind.CLIENT
    assert span.status.status_code == StatusCode.UNSET
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == f"xai_sdk.{driver}.{case.module}"
    attributes = dict(span.attributes or {})
    assert set(attributes) == case.keys | SERVER
    expected = case.values(context, result) | server_of(xai_fake_server)
    assert {key: attributes[key] for key in expected} == expected


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_sensitive_attributes_are_left_out(
    xai_fake_server: FakeServer,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
    driver: str,
    case: Case,
) -> None:
    monkeypatch.setenv(DISABLE_SENSITIVE_ENV, "true")
    await run_case(xai_fake_server, spans, driver, case)
    span = only_span(spans)
    assert span.name == case.span_name
    assert set(span.attributes or {}) == case.private_keys | SERVER


@pytest.mark.parametrize("driver", DRIVERS)
async def test_no_spans_when_tracing_is_disabled(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch, driver: str
) -> None:
    monkeypatch.setenv(DISABLE_TRACING_ENV, "1")
    for case in CASES:
        await run_case(xai_fake_server, None, driver, case)
    assert spans.get_finished_spans() == ()


@pytest.mark.parametrize("driver", DRIVERS)
async def test_no_provider_means_no_span_object(xai_fake_server: FakeServer, otel_globals: None, driver: str) -> None:
    request = build_request("a cat", IMAGE_MODEL)
    assert image_span("xai_sdk.sync.image", "sample", request, "localhost:1") is NO_SPAN
    assert video_span("xai_sdk.sync.video", "generate", video_pb2.GenerateVideoRequest(), None) is NO_SPAN
    assert file_span("xai_sdk.sync.files", "upload", None) is NO_SPAN
    assert collection_span("xai_sdk.sync.collections", "create_collection", None) is NO_SPAN
    assert call_span("xai_sdk.sync.models", "list_language_models", None) is NO_SPAN
    _, result = await run_case(xai_fake_server, None, driver, CASES[0])
    assert result.url


@pytest.mark.parametrize("driver", DRIVERS)
async def test_failed_call_marks_the_span(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str
) -> None:
    client = open_client(xai_fake_server, driver)
    try:
        with pytest.raises(grpc.RpcError):
            await settle(client.image.sample("a cat", "no-such-model"))
    finally:
        await close(client)
    span = only_span(spans)
    assert span.name == "image.sample no-such-model"
    assert span.status.status_code == StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]
    # Only what was known before the call: the request.
    assert set(span.attributes or {}) == IMAGE_REQUEST | SERVER


@pytest.mark.parametrize("driver", DRIVERS)
async def test_batch_upload_records_one_span_per_file(
    xai_fake_server: FakeServer, spans: InMemorySpanExporter, driver: str, tmp_path: Any
) -> None:
    paths = []
    for index in range(3):
        path = tmp_path / f"part{index}.txt"
        path.write_bytes(b"x" * (index + 1))
        paths.append(str(path))
    client = open_client(xai_fake_server, driver)
    try:
        results = await settle(client.files.batch_upload(paths))
    finally:
        await close(client)
    recorded = spans.get_finished_spans()
    assert [span.name for span in recorded] == ["file.upload"] * 3
    assert {(span.attributes or {})["file.id"] for span in recorded} == {file.id for file in results.values()}
    assert {(span.attributes or {})["file.name"] for span in recorded} == {"part0.txt", "part1.txt", "part2.txt"}


def test_stored_outputs_are_reported() -> None:
    stored = image_pb2.FileOutput(file_id="file-1", public_url="https://files/x", public_url_error="")
    request = build_request("a cat", IMAGE_MODEL, image_format="url")
    response = image_pb2.ImageResponse(
        model="grok-imagine-image-2",
        usage=usage_pb2.SamplingUsage(total_tokens=3),
        images=[
            image_pb2.GeneratedImage(url="https://img/1", respect_moderation=True, file_output=stored),
            image_pb2.GeneratedImage(respect_moderation=False, storage_error="quota exceeded"),
        ],
    )
    attributes = image_response_attributes(request, response)
    assert attributes["gen_ai.response.model"] == "grok-imagine-image-2"
    assert attributes["gen_ai.response.0.image.file_id"] == "file-1"
    assert attributes["gen_ai.response.0.image.public_url"] == "https://files/x"
    assert "gen_ai.response.0.image.public_url_error" not in attributes
    assert attributes["gen_ai.response.1.image.storage_error"] == "quota exceeded"
    assert "gen_ai.response.1.image.url" not in attributes
    assert "gen_ai.usage.cost_in_usd_ticks" not in attributes

    video = video_pb2.VideoResponse(
        video=video_pb2.GeneratedVideo(
            url="https://v/1", duration=4, file_output=image_pb2.FileOutput(file_id="file-2", public_url_error="no")
        )
    )
    attributes = video_response_attributes(video_pb2.GenerateVideoRequest(model=VIDEO_MODEL), video)
    assert attributes["gen_ai.response.model"] == VIDEO_MODEL  # the request's, as the response names none
    assert attributes["gen_ai.response.0.video.file_id"] == "file-2"
    assert attributes["gen_ai.response.0.video.public_url_error"] == "no"
    assert attributes["gen_ai.response.0.video.duration"] == 4
