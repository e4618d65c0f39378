"""Blocking ``client.models`` calls; requests and the stub live in :mod:`xai_sdk.models`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk.models import EMPTY, BaseClient, model_request
from xai_sdk.proto import models_pb2
from xai_sdk.telemetry._services import call_span

__all__ = ["Client"]


class Client(BaseClient):
    """The models the client's API key gives access to."""

    def list_language_models(self, *, timeout: float | None = None) -> Sequence[models_pb2.LanguageModel]:
        """Every language model available to the API key."""
        with call_span(__name__, "list_language_models", self._calls.target):
            response: models_pb2.ListLanguageModelsResponse = self._stub.ListLanguageModels(
                EMPTY, **self._calls.kwargs(timeout)
            )
        return response.models

    def get_language_model(self, name: str, *, timeout: float | None = None) -> models_pb2.LanguageModel:
        """One language model by name or alias; ``grpc.StatusCode.NOT_FOUND`` if there is none."""
        with call_span(__name__, "get_language_model", self._calls.target, name):
            model: models_pb2.LanguageModel = self._stub.GetLanguageModel(
                model_request(name), **self._calls.kwargs(timeout)
            )
        return model

    def list_embedding_models(self, *, timeout: float | None = None) -> Sequence[models_pb2.EmbeddingModel]:
        """Every embedding model available to the API key."""
        with call_span(__name__, "list_embedding_models", self._calls.target):
            response: models_pb2.ListEmbeddingModelsResponse = self._stub.ListEmbeddingModels(
                EMPTY, **self._calls.kwargs(timeout)
            )
        return response.models

    def get_embedding_model(self, name: str, *, timeout: float | None = None) -> models_pb2.EmbeddingModel:
        """One embedding model by name or alias; ``grpc.StatusCode.NOT_FOUND`` if there is none."""
        with call_span(__name__, "get_embedding_model", self._calls.target, name):
            model: models_pb2.EmbeddingModel = self._stub.GetEmbeddingModel(
                model_request(name), **self._calls.kwargs(timeout)
            )
        return model

    def list_image_generation_models(
        self, *, timeout: float | None = None
    ) -> Sequence[models_pb2.ImageGenerationModel]:
        """Every image generation model available to the API key."""
        with call_span(__name__, "list_image_generation_models", self._calls.target):
            response: models_pb2.ListImageGenerationModelsResponse = self._stub.ListImageGenerationModels(
                EMPTY, **self._calls.kwargs(timeout)
            )
        return response.models

    def get_image_generation_model(self, name: str, *, timeout: float | None = None) -> models_pb2.ImageGenerationModel:
        """One image generation model by name or alias; ``grpc.StatusCode.NOT_FOUND`` if there is none."""
        with call_span(__name__, "get_image_generation_model", self._calls.target, name):
            model: models_pb2.ImageGenerationModel = self._stub.GetImageGenerationModel(
                model_request(name), **self._calls.kwargs(timeout)
            )
        return model
