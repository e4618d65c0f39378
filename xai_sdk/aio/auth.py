"""Asyncio ``client.auth`` calls; the stub lives in :mod:`xai_sdk.auth`."""

from __future__ import annotations

from xai_sdk.auth import EMPTY, BaseClient
from xai_sdk.proto import auth_pb2
from xai_sdk.telemetry._services import call_span

__all__ = ["Client"]


class Client(BaseClient):
    """Information about the client's API key."""

    async def get_api_key_info(self, *, timeout: float | None = None) -> auth_pb2.ApiKey:
        """The API key's metadata: redacted key, ids, ACLs, timestamps and blocked/disabled flags."""
        with call_span(__name__, "get_api_key_info", self._calls.target):
            key: auth_pb2.ApiKey = await self._stub.get_api_key_info(EMPTY, **self._calls.kwargs(timeout))
        return key
