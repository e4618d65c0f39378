"""``client.tokenize``: how a model splits text into tokens.

``tokenize_text`` returns the ``tokenize_pb2.Token`` messages unchanged, as the official
SDK does; each has ``token_id``, ``string_token`` and ``token_bytes``.
"""

from __future__ import annotations

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.proto import tokenize_pb2, tokenize_pb2_grpc

__all__ = ["BaseClient", "tokenize_request"]


def tokenize_request(text: str, model: str) -> tokenize_pb2.TokenizeTextRequest:
    """The request that tokenizes ``text`` with ``model``'s tokenizer."""
    return tokenize_pb2.TokenizeTextRequest(text=text, model=model)


class BaseClient:
    """What the blocking and asyncio ``client.tokenize`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = tokenize_pb2_grpc.TokenizeStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
