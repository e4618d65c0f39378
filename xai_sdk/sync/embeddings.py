"""Blocking ``client.embeddings`` calls; everything else lives in :mod:`xai_sdk.embeddings`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk.embeddings import BaseClient, EmbeddingResponse, EmbedInput, EncodingFormat, embed_request

__all__ = ["Client"]


class Client(BaseClient):
    """Embeds texts and images."""

    def embed(
        self,
        inputs: EmbedInput | Sequence[EmbedInput],
        model: str,
        *,
        encoding_format: EncodingFormat = "float",
        user: str | None = None,
        timeout: float | None = None,
    ) -> EmbeddingResponse:
        """Embed ``inputs`` (strings, ``embeddings.text(...)`` or ``embeddings.image(url)``) with ``model``."""
        request = embed_request(inputs, model, encoding_format=encoding_format, user=user)
        return EmbeddingResponse(self._stub.Embed(request, **self._calls.kwargs(timeout)))
