"""``xai_sdk.Client``: the blocking client."""

from __future__ import annotations

from types import TracebackType

import grpc

from xai_sdk._channel import ChannelSpec, ClientConfig
from xai_sdk.client import BaseClient
from xai_sdk.sync._subclients import SubClients

__all__ = ["Client"]


def open_channel(spec: ChannelSpec) -> grpc.Channel:
    """A blocking channel for ``spec``."""
    if spec.mode == "secure":
        return grpc.secure_channel(spec.target, grpc.ssl_channel_credentials(), options=spec.options)
    return grpc.insecure_channel(spec.target, options=spec.options)


class Client(BaseClient, SubClients):
    """A blocking client for the xAI API. See :class:`xai_sdk.client.BaseClient` for the arguments.

    Use it as a context manager, or call :meth:`close`, to release its channels.
    """

    _package = "xai_sdk.sync"

    def _init(self, config: ClientConfig) -> None:
        self._api_channel = open_channel(config.api)
        self._management_channel = open_channel(config.management) if config.management else None

    def close(self) -> None:
        """Close the client's channels."""
        if self._management_channel is not None:
            self._management_channel.close()
        self._api_channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
