"""Defaults for ``xai_api.Models``: a realistic model catalogue, with prices and modalities."""

from __future__ import annotations

from google.protobuf import empty_pb2, timestamp_pb2

from xai_fake.errors import not_found
from xai_sdk.proto import models_pb2

TEXT, IMAGE, EMBEDDING = models_pb2.TEXT, models_pb2.IMAGE, models_pb2.EMBEDDING
_CREATED = timestamp_pb2.Timestamp(seconds=1_735_689_600)  # 2025-01-01

# Prices are in 1e-10 USD per token (per image for image models), as in the API.
LANGUAGE_MODELS = [
    models_pb2.LanguageModel(
        name="grok-4", aliases=["grok-4-latest", "grok-4-0709"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[TEXT],
        prompt_text_token_price=30_000, prompt_image_token_price=30_000, cached_prompt_token_price=7_500,
        completion_text_token_price=150_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=256_000, system_fingerprint="fp_fake_grok4",
    ),
    models_pb2.LanguageModel(
        name="grok-4-fast-reasoning", aliases=["grok-4-fast"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[TEXT],
        prompt_text_token_price=2_000, prompt_image_token_price=2_000, cached_prompt_token_price=500,
        completion_text_token_price=5_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=2_000_000, system_fingerprint="fp_fake_grok4fast",
    ),
    models_pb2.LanguageModel(
        name="grok-4.20", aliases=["grok-4.20-latest"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[TEXT],
        prompt_text_token_price=20_000, prompt_image_token_price=20_000, cached_prompt_token_price=5_000,
        completion_text_token_price=60_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=2_000_000, system_fingerprint="fp_fake_grok420",
    ),
    models_pb2.LanguageModel(
        name="grok-4.5", aliases=["grok-4.5-latest"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[TEXT],
        prompt_text_token_price=20_000, prompt_image_token_price=20_000, cached_prompt_token_price=5_000,
        completion_text_token_price=60_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=2_000_000, system_fingerprint="fp_fake_grok45",
    ),
    models_pb2.LanguageModel(
        name="grok-3", aliases=["grok-3-latest"], version="1.0.0",
        input_modalities=[TEXT], output_modalities=[TEXT],
        prompt_text_token_price=30_000, cached_prompt_token_price=7_500,
        completion_text_token_price=150_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=131_072, system_fingerprint="fp_fake_grok3",
    ),
    models_pb2.LanguageModel(
        name="grok-3-mini", aliases=["grok-3-mini-latest"], version="1.0.0",
        input_modalities=[TEXT], output_modalities=[TEXT],
        prompt_text_token_price=3_000, cached_prompt_token_price=750,
        completion_text_token_price=5_000, search_price=250_000_000, created=_CREATED,
        max_prompt_length=131_072, system_fingerprint="fp_fake_grok3mini",
    ),
    models_pb2.LanguageModel(
        name="grok-2-vision-1212", aliases=["grok-2-vision", "grok-2-vision-latest"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[TEXT],
        prompt_text_token_price=20_000, prompt_image_token_price=20_000,
        completion_text_token_price=100_000, created=_CREATED,
        max_prompt_length=32_768, system_fingerprint="fp_fake_grok2v",
    ),
]  # fmt: skip

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

VIDEO_MODELS = ["grok-imagine-video"]


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
