"""Defaults for ``xai_api.Models``: a realistic model catalogue, with prices, modalities and capabilities.

The language models are one declarative table, :data:`LANGUAGE_SPECS`: per model its name and
aliases, prices, context window and the :class:`~xai_fake.defaults.capabilities.Capabilities`
of its family (which parameters it accepts, whether it reasons and how hard, its inputs, its
tools). Every fact carries the docs.x.ai page it comes from in a comment; a fact docs.x.ai does
not state is marked ``guess``. The protos the Models service serves (:data:`LANGUAGE_MODELS`)
and the chat validation (:func:`xai_fake.defaults.capabilities.check`) are both derived from
the table, so a change to a model is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf import empty_pb2, timestamp_pb2

from xai_fake.defaults.capabilities import (
    GROK_2_VISION,
    GROK_3,
    GROK_3_MINI,
    GROK_4,
    GROK_4_3,
    GROK_4_5,
    GROK_4_20_NON_REASONING,
    GROK_4_20_REASONING,
    GROK_4_FAST_NON_REASONING,
    GROK_4_FAST_REASONING,
    GROK_CODE,
    MULTI_AGENT,
    Capabilities,
)
from xai_fake.errors import not_found
from xai_sdk.proto import models_pb2

TEXT, IMAGE, EMBEDDING = models_pb2.TEXT, models_pb2.IMAGE, models_pb2.EMBEDDING
_CREATED = timestamp_pb2.Timestamp(seconds=1_735_689_600)  # 2025-01-01

# Prices are in 1e-10 USD ticks per token (per image for image models), as in the API:
# $1 per million tokens is 10_000 ticks a token. (prompt, cached prompt, completion).
# https://docs.x.ai/developers/pricing: grok-4.3 and grok-4.20: $1.25 / $0.20 / $2.50;
# grok-4-1-fast: $0.20 / $0.05 / $0.50 (also grok-4-fast: https://docs.x.ai/docs/models).
_GROK_4_20 = (12_500, 2_000, 25_000)
_FAST = (2_000, 500, 5_000)
# https://docs.x.ai/docs/models (grok-4-0709, grok-3): $3 / $0.75 / $15; grok-3-mini: $0.30 / $0.075 / $0.50.
_FLAGSHIP = (30_000, 7_500, 150_000)
_MINI = (3_000, 750, 5_000)


@dataclass(frozen=True)
class LanguageSpec:
    """One language model of the catalogue: what the Models service says of it and what chat accepts."""

    name: str
    aliases: tuple[str, ...]
    #: (prompt, cached prompt, completion) prices in ticks per token.
    prices: tuple[int, int, int]
    #: The context window: the longest prompt (history included) the model accepts, in tokens.
    context: int
    capabilities: Capabilities

    def proto(self) -> models_pb2.LanguageModel:
        """The ``LanguageModel`` the Models service returns for this model."""
        prompt, cached, completion = self.prices
        vision = self.capabilities.vision
        return models_pb2.LanguageModel(
            name=self.name, aliases=list(self.aliases), version="1.0.0",
            input_modalities=[TEXT, IMAGE] if vision else [TEXT], output_modalities=[TEXT],
            prompt_text_token_price=prompt, prompt_image_token_price=prompt if vision else 0,
            cached_prompt_token_price=cached, completion_text_token_price=completion,
            search_price=250_000_000, created=_CREATED, max_prompt_length=self.context,
            system_fingerprint=f"fp_fake_{self.name.replace('-', '').replace('.', '')}",
        )  # fmt: skip


# Names and aliases follow the model names the official SDK 1.21.0 knows. Context windows:
# https://docs.x.ai/docs/models (grok-4-0709 and grok-code-fast-1 256,000; grok-4-fast 2,000,000;
# grok-3, grok-3-mini 131,072; grok-2-vision-1212 32,768) and https://docs.x.ai/developers/pricing
# (grok-4.3 1M; grok-4.20 and grok-4-1-fast 2M). grok-4.5, grok-4.6 and grok-build-0.1: guess.
LANGUAGE_SPECS = (
    LanguageSpec("grok-4", ("grok-4-latest", "grok-4-0709"), _FLAGSHIP, 256_000, GROK_4),
    LanguageSpec(
        "grok-4-1-fast-reasoning", ("grok-4-1-fast", "grok-4-1-fast-reasoning-latest"), _FAST, 2_000_000,
        GROK_4_FAST_REASONING,
    ),
    LanguageSpec(
        "grok-4-1-fast-non-reasoning", ("grok-4-1-fast-non-reasoning-latest",), _FAST, 2_000_000,
        GROK_4_FAST_NON_REASONING,
    ),
    LanguageSpec(
        "grok-4-fast-reasoning", ("grok-4-fast", "grok-4-fast-reasoning-latest"), _FAST, 2_000_000,
        GROK_4_FAST_REASONING,
    ),
    LanguageSpec(
        "grok-4-fast-non-reasoning", ("grok-4-fast-non-reasoning-latest",), _FAST, 2_000_000,
        GROK_4_FAST_NON_REASONING,
    ),
    LanguageSpec(
        "grok-4.20-0309-reasoning", ("grok-4.20", "grok-4.20-0309", "grok-4.20-reasoning-latest"), _GROK_4_20,
        2_000_000, GROK_4_20_REASONING,
    ),
    LanguageSpec(
        "grok-4.20-0309-non-reasoning", ("grok-4.20-non-reasoning", "grok-4.20-non-reasoning-latest"), _GROK_4_20,
        2_000_000, GROK_4_20_NON_REASONING,
    ),
    LanguageSpec(
        "grok-4.20-multi-agent-0309", ("grok-4.20-multi-agent", "grok-4.20-multi-agent-latest"), _GROK_4_20,
        2_000_000, MULTI_AGENT,
    ),
    LanguageSpec("grok-4.3", ("grok-4.3-latest",), _GROK_4_20, 1_000_000, GROK_4_3),
    LanguageSpec("grok-4.5", ("grok-4.5-latest",), _FLAGSHIP, 2_000_000, GROK_4_5),  # prices: guess
    LanguageSpec("grok-4.6", (), _FLAGSHIP, 2_000_000, GROK_4_5),  # prices and family: guess
    LanguageSpec("grok-code-fast-1", (), _FAST, 256_000, GROK_CODE),
    LanguageSpec("grok-build-0.1", (), _FAST, 256_000, GROK_CODE),  # prices and family: guess
    LanguageSpec("grok-3", ("grok-3-latest",), _FLAGSHIP, 131_072, GROK_3),
    LanguageSpec("grok-3-fast", ("grok-3-fast-latest",), _FLAGSHIP, 131_072, GROK_3),
    LanguageSpec("grok-3-mini", ("grok-3-mini-latest",), _MINI, 131_072, GROK_3_MINI),
    LanguageSpec("grok-3-mini-fast", ("grok-3-mini-fast-latest",), _MINI, 131_072, GROK_3_MINI),
    LanguageSpec(
        "grok-2-vision-1212", ("grok-2-vision", "grok-2-vision-latest"), (20_000, 0, 100_000), 32_768, GROK_2_VISION
    ),
)  # fmt: skip

LANGUAGE_MODELS = [spec.proto() for spec in LANGUAGE_SPECS]

#: The spec of each language model by name and by alias.
_SPECS = {name: spec for spec in LANGUAGE_SPECS for name in (spec.name, *spec.aliases)}

#: Models that think before answering (reasoning content and tokens) unless told otherwise.
REASONING_MODELS = frozenset(spec.name for spec in LANGUAGE_SPECS if spec.capabilities.reasoning)

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
    # https://docs.x.ai/developers/pricing: grok-imagine-image $0.02 an image.
    models_pb2.ImageGenerationModel(
        name="grok-imagine-image", aliases=["grok-imagine"], version="1.0.0",
        input_modalities=[TEXT, IMAGE], output_modalities=[IMAGE], image_price=200_000_000,
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
    """The catalogue's ``LanguageModel`` with this name or alias; NOT_FOUND naming the known ones."""
    return find(LANGUAGE_MODELS, name, "language")  # type: ignore[no-any-return]


def language_spec(name: str) -> LanguageSpec:
    """The :class:`LanguageSpec` with this name or alias; NOT_FOUND naming the known ones."""
    spec = _SPECS.get(name)
    if spec is None:
        language_model(name)  # raises NOT_FOUND with the known names
        raise AssertionError(name)  # pragma: no cover - the catalogue and _SPECS hold the same names
    return spec


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
        return language_model(request.name)

    def GetEmbeddingModel(self, request: models_pb2.GetModelRequest, context: object) -> models_pb2.EmbeddingModel:
        return find(EMBEDDING_MODELS, request.name, "embedding")  # type: ignore[no-any-return]

    def GetImageGenerationModel(
        self, request: models_pb2.GetModelRequest, context: object
    ) -> models_pb2.ImageGenerationModel:
        return find(IMAGE_MODELS, request.name, "image generation")  # type: ignore[no-any-return]
