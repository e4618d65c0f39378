"""Blocking ``client.tokenize`` calls; the request and the stub live in :mod:`xai_sdk.tokenizer`."""

from __future__ import annotations

from collections.abc import Sequence

from xai_sdk.proto import tokenize_pb2
from xai_sdk.telemetry._services import call_span
from xai_sdk.tokenizer import BaseClient, tokenize_request

__all__ = ["Client"]


class Client(BaseClient):
    """Tokenizes text the way a model does."""

    def tokenize_text(self, text: str, model: str, *, timeout: float | None = None) -> Sequence[tokenize_pb2.Token]:
        """The tokens ``model`` splits ``text`` into, in order."""
        with call_span(__name__, "tokenize_text", self._calls.target, model):
            response: tokenize_pb2.TokenizeTextResponse = self._stub.TokenizeText(
                tokenize_request(text, model), **self._calls.kwargs(timeout)
            )
        return response.tokens
