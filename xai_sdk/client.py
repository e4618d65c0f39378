"""``BaseClient``: what the sync and async clients share: settings, keys, hosts and channels."""

from __future__ import annotations

import abc
import importlib
from typing import Any, ClassVar

import grpc

from xai_sdk._channel import (
    DEFAULT_API_HOST,
    DEFAULT_MANAGEMENT_API_HOST,
    USER_AGENT,
    ChannelSpec,
    ClientConfig,
    call_metadata,
    resolve,
)
from xai_sdk._services import SERVICES, by_client
from xai_sdk.retry import DEFAULT_RETRY, RetryPolicy, retry_options

__all__ = ["DEFAULT_API_HOST", "DEFAULT_MANAGEMENT_API_HOST", "USER_AGENT", "BaseClient", "create_channel_credentials"]


class BaseClient(abc.ABC):
    """Settings shared by :class:`xai_sdk.Client` and :class:`xai_sdk.AsyncClient`.

    Args:
        api_key: The API key; read from ``XAI_API_KEY`` when not given.
        management_api_key: The management key (collections); read from ``XAI_MANAGEMENT_KEY``.
        api_host: ``host[:port]`` of the API; ``XAI_API_HOST`` or ``api.x.ai``. Loopback hosts
            and ``unix:`` targets get a plaintext channel, which is how to reach ``xai-fake``.
        management_api_host: Same, for the management API (``XAI_MANAGEMENT_API_HOST``).
        metadata: Extra ``(key, value)`` pairs sent with every call.
        channel_options: gRPC channel options; they replace defaults of the same name.
        timeout: Default deadline of every call in seconds (27 minutes if not given); every
            method also takes ``timeout=`` for one call.
        use_insecure_channel: Use a plaintext channel whatever the host.
        retry: How failed calls are retried (:class:`xai_sdk.retry.RetryPolicy`); the default is the
            official SDK's (5 attempts on ``UNAVAILABLE``), ``None`` turns retries off.
    """

    def __init__(
        self,
        api_key: str | None = None,
        management_api_key: str | None = None,
        *,
        api_host: str | None = None,
        management_api_host: str | None = None,
        metadata: tuple[tuple[str, str], ...] | None = None,
        channel_options: list[tuple[str, Any]] | None = None,
        timeout: float | None = None,
        use_insecure_channel: bool = False,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        channel_options = retry_options(retry, channel_options)
        self._config = resolve(
            api_key,
            management_api_key,
            api_host=api_host,
            management_api_host=management_api_host,
            metadata=metadata,
            channel_options=channel_options,
            timeout=timeout,
            use_insecure_channel=use_insecure_channel,
        )
        self._init(self._config)

    #: The facade package whose modules hold the sub-clients (``xai_sdk.sync`` or ``xai_sdk.aio``).
    _package: ClassVar[str]

    @abc.abstractmethod
    def _init(self, config: ClientConfig) -> None:
        """Open the channels (``self._api_channel``, ``self._management_channel``)."""

    def __getattr__(self, name: str) -> Any:
        """Create a sub-client on first use, so a client (and its import) costs only what it uses."""
        service = by_client(name)
        if (service is None and name != "stubs") or name.startswith("_") or "_config" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        config: ClientConfig = self.__dict__["_config"]
        api = (self.__dict__["_api_channel"], config.api_calls)
        management = (self.__dict__["_management_channel"], config.management_calls)
        if service is None:
            from xai_sdk.stubs import Stubs

            client: Any = Stubs(*api, *management)
        else:
            module = importlib.import_module(f"{self._package}.{service.module}")
            client = module.Client(*api, *management) if service.management else module.Client(*api)
        setattr(self, name, client)
        return client

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(SUBCLIENTS))

    @staticmethod
    def _credentials(spec: ChannelSpec) -> grpc.ChannelCredentials | None:
        return grpc.ssl_channel_credentials() if spec.mode == "secure" else None


#: Sub-client attribute -> module of the facade package that defines its ``Client`` (from :data:`SERVICES`).
SUBCLIENTS = dict(sorted([("stubs", "stubs")] + [(s.client, s.module) for s in SERVICES if s.client and s.module]))


def create_channel_credentials(
    api_key: str, api_host: str, metadata: tuple[tuple[str, str], ...] | None
) -> grpc.ChannelCredentials:
    """TLS (or local) channel credentials carrying the key on every call.

    Kept for code that builds its own channels; the clients themselves send the key as
    call metadata, which also works on plaintext channels. Local targets (see
    :func:`xai_sdk._channel.is_local`) get gRPC's local credentials, for unix sockets or
    loopback TCP as the target says; any other target gets TLS.
    """
    from xai_sdk._target import parse_target

    if not api_key:
        raise ValueError("Empty xAI API key provided.")
    plugin = _KeyPlugin(call_metadata(api_key, metadata))
    target = parse_target(api_host)
    if target.is_unix:
        channel = grpc.local_channel_credentials(grpc.LocalConnectionType.UDS)
    elif target.is_local:
        channel = grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    else:
        channel = grpc.ssl_channel_credentials()
    return grpc.composite_channel_credentials(channel, grpc.metadata_call_credentials(plugin))


class _KeyPlugin(grpc.AuthMetadataPlugin):
    """Adds fixed metadata (the key first) to every call."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._pairs = pairs

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        callback(self._pairs, None)
