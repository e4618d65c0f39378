"""``client.auth``: facts about the API key the client was created with.

``get_api_key_info`` returns the ``auth_pb2.ApiKey`` message unchanged, as the official
SDK does: redacted key, owner and team ids, ACLs, timestamps and blocked/disabled flags.
"""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk.proto import auth_pb2_grpc

__all__ = ["EMPTY", "BaseClient"]

#: The request of ``get_api_key_info``: the key itself travels as call metadata.
EMPTY = empty_pb2.Empty()


class BaseClient:
    """What the blocking and asyncio ``client.auth`` share: the stub and the call settings."""

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = auth_pb2_grpc.AuthStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)
