"""Defaults for ``xai_api.Models``: a realistic model catalogue, with prices and modalities."""

from __future__ import annotations

from typing import ClassVar

from google.protobuf import empty_pb2, timestamp_pb2

from xai_fake.errors import not_found
from xai_sdk.proto import models_pb2

TEXT, IMAGE, EMBEDDING = models_pb2.TEXT, models_pb2.IMAGE, models_pb2.EMBEDDING
_CREATED = timestamp_pb2.Timestamp(seconds=1_735_689_600)  # 2025-01-01


# Prices are in 1e-10 USD per token (per image for image models), as in the API.
def _language(
    name: str, aliases: list[str], prices: tuple[int, int, int], context: int, *, vision: bool = True
) -> models_pb2.LanguageModel:
    prompt, cached, completion = prices
    return models_pb2.LanguageModel(
        name=name, aliases=aliases, version="1.0.0",
        input_modalities=[TEXT, IMAGE] if vision else [TEXT], output_modalities=[TEXT],
        prompt_text_token_price=prompt, prompt_image_token_price=prompt if vision else 0,
        cached_prompt_token_price=cached, completion_text_token_price=completion,
        search_price=250_000_000, created=_CREATED, max_prompt_length=context,
        system_fingerprint=f"fp_fake_{name.replace('-', '').replace('.', '')}",
    )  # fmt: skip


_FLAGSHIP, _FAST, _MINI = (30_000, 7_500, 150_000), (2_000, 500, 5_000), (3_000, 750, 5_000)

# Names and aliases follow the model names the official SDK 1.21.0 knows.
LANGUAGE_MODELS = [
    _language("grok-4", ["grok-4-latest", "grok-4-0709"], _FLAGSHIP, 256_000),
    _language("grok-4-1-fast-reasoning", ["grok-4-1-fast", "grok-4-1-fast-reasoning-latest"], _FAST, 2_000_000),
    _language("grok-4-1-fast-non-reasoning", ["grok-4-1-fast-non-reasoning-latest"], _FAST, 2_000_000),
    _language("grok-4-fast-reasoning", ["grok-4-fast", "grok-4-fast-reasoning-latest"], _FAST, 2_000_000),
    _language("grok-4-fast-non-reasoning", ["grok-4-fast-non-reasoning-latest"], _FAST, 2_000_000),
    _language(
        "grok-4.20-0309-reasoning", ["grok-4.20", "grok-4.20-0309", "grok-4.20-reasoning-latest"], _FLAGSHIP, 2_000_000
    ),
    _language(
        "grok-4.20-0309-non-reasoning",
        ["grok-4.20-non-reasoning", "grok-4.20-non-reasoning-latest"],
        _FLAGSHIP,
        2_000_000,
    ),
    _language(
        "grok-4.20-multi-agent-0309", ["grok-4.20-multi-agent", "grok-4.20-multi-agent-latest"], _FLAGSHIP, 2_000_000
    ),
    _language("grok-4.3", ["grok-4.3-latest"], _FLAGSHIP, 2_000_000),
    _language("grok-4.5", ["grok-4.5-latest"], _FLAGSHIP, 2_000_000),
    _language("grok-4.6", [], _FLAGSHIP, 2_000_000),
    _language("grok-code-fast-1", [], _FAST, 256_000, vision=False),
    _language("grok-build-0.1", [], _FAST, 256_000, vision=False),
    _language("grok-3", ["grok-3-latest"], _FLAGSHIP, 131_072, vision=False),
    _language("grok-3-fast", ["grok-3-fast-latest"], _FLAGSHIP, 131_072, vision=False),
    _language("grok-3-mini", ["grok-3-mini-latest"], _MINI, 131_072, vision=False),
    _language("grok-3-mini-fast", ["grok-3-mini-fast-latest"], _MINI, 131_072, vision=False),
    _language("grok-2-vision-1212", ["grok-2-vision", "grok-2-vision-latest"], (20_000, 0, 100_000), 32_768),
]

#: Models that think before answering (reasoning content and tokens) unless told otherwise.
REASONING_MODELS = frozenset(
    {"grok-4", "grok-4-1-fast-reasoning", "grok-4-fast-reasoning", "grok-4.20-0309-reasoning",
     "grok-4.20-multi-agent-0309", "grok-4.3", "grok-4.5", "grok-4.6", "grok-code-fast-1", "grok-build-0.1",
     "grok-3-mini", "grok-3-mini-fast"}
)  # fmt: skip

EMBEDDING_MODELS = [
    models_pb2.EmbeddingModel(
        name="v1", aliases=["embedding-v1"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[EMBEDDING],
        prompt_text_token_price=1_000, prompt_image_token_price=1_000, created=_CREATED,
        system_fingerprint="fp_fake_embed",
    ),
]  # fmt: skip

IMAGE_MODELS = [
    models_pb2.ImageGenerationModel(
        name="grok-2-image-1212", aliases=["grok-2-image", "grok-2-image-latest"], version="1.0.0",
        input_modalities=[TEXT], output_modalities=[IMAGE], image_price=700_000_000,
        created=_CREATED, max_prompt_length=1_024, system_fingerprint="fp_fake_image",
    ),
    models_pb2.ImageGenerationModel(
        name="grok-imagine-image", aliases=["grok-imagine"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[IMAGE], image_price=500_000_000,
        created=_CREATED, max_prompt_length=4_096, system_fingerprint="fp_fake_imagine",
    ),
]  # fmt: skip

VIDEO_MODELS = ["grok-imagine-video", "grok-imagine-video-1.5"]


def find(models: list, name: str, kind: str):  # type: ignore[no-untyped-def, type-arg]
    """The model with this name or alias, or NOT_FOUND naming the known ones."""
    for model in models:
        if name == model.name or name in model.aliases:
            return model
    known = ", ".join(m.name for m in models)
    raise not_found(f"{kind} model {name!r} does not exist or you do not have access to it; known: {known}")


def language_model(name: str) -> models_pb2.LanguageModel:
    return find(LANGUAGE_MODELS, name, "language")  # type: ignore[no-any-return]


class ModelsDefaults:
    """Serves the catalogue above."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Models"

    def ListLanguageModels(self, request: empty_pb2.Empty, context: object) -> models_pb2.ListLanguageModelsResponse:
        return models_pb2.ListLanguageModelsResponse(models=LANGUAGE_MODELS)

    def ListEmbeddingModels(self, request: empty_pb2.Empty, context: object) -> models_pb2.ListEmbeddingModelsResponse:
        return models_pb2.ListEmbeddingModelsResponse(models=EMBEDDING_MODELS)

    def ListImageGenerationModels(
        self, request: empty_pb2.Empty, context: object
    ) -> models_pb2.ListImageGenerationModelsResponse:
        return models_pb2.ListImageGenerationModelsResponse(models=IMAGE_MODELS)

    def GetLanguageModel(self, request: models_pb2.GetModelRequest, context: object) -> models_pb2.LanguageModel:
        return find(LANGUAGE_MODELS, request.name, "language")  # type: ignore[no-any-return]

    def GetEmbeddingModel(self, request: models_pb2.GetModelRequest, context: object) -> models_pb2.EmbeddingModel:
        return find(EMBEDDING_MODELS, request.name, "embedding")  # type: ignore[no-any-return]

    def GetImageGenerationModel(
        self, request: models_pb2.GetModelRequest, context: object
    ) -> models_pb2.ImageGenerationModel:
        return find(IMAGE_MODELS, request.name, "image generation")  # type: ignore[no-any-return]
