"""``client.models``: the language, embedding and image generation models the API key can use.

The calls return the generated protobuf messages (``models_pb2.LanguageModel``, ...)
unchanged, as the official SDK does. Prices are in units of 1e-10 USD per token
(per image for image generation models).
"""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.proto import models_pb2, models_pb2_grpc

__all__ = ["EMPTY", "BaseClient", "model_request"]

#: The request of every ``List*Models`` call.
EMPTY = empty_pb2.Empty()


def model_request(name: str) -> models_pb2.GetModelRequest:
    """The request of the ``Get*Model`` calls; ``name`` may also be one of the model's aliases."""
    return models_pb2.GetModelRequest(name=name)


class BaseClient:
    """What the blocking and asyncio ``client.models`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = models_pb2_grpc.ModelsStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
