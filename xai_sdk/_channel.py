"""Channel construction: targets, credentials, default options, retry policy, per-call metadata.

Everything here is shared by the sync and async clients; only the final
``grpc.*_channel`` / ``grpc.aio.*_channel`` call differs between them.

Authentication is sent as explicit call metadata on every call rather than through
call credentials or interceptors: it then reaches all four call kinds (client
streaming included) in secure, local and insecure mode alike, and costs nothing
per call beyond passing a prebuilt tuple. (Call credentials cost a hop to a gRPC
thread and back on every call: about 1.3 ms on a loopback channel, twice the call.)

The key's value in that tuple is a :class:`SecretValue`: a ``str`` that gRPC sends as it
is, but whose ``repr`` hides it, so that tracebacks with captured locals
(``pytest -l``, ``traceback.TracebackException(capture_locals=True)``), debuggers'
variable views and ``repr(client.stubs.kwargs())`` show ``'Bearer <redacted>'``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from xai_sdk import _fork
from xai_sdk.__about__ import __version__
from xai_sdk.retry import DEFAULT_RETRY

DEFAULT_API_HOST = "api.x.ai"
DEFAULT_MANAGEMENT_API_HOST = "management-api.x.ai"
USER_AGENT = f"XaiSdk/{__version__}"
DEFAULT_TIMEOUT_SECONDS = 27 * 60.0
_MIB = 1 << 20

#: The official SDK's retry policy (:data:`xai_sdk.retry.DEFAULT_RETRY`): 5 attempts on UNAVAILABLE.
DEFAULT_SERVICE_CONFIG = DEFAULT_RETRY.service_config()

DEFAULT_CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.max_send_message_length", 20 * _MIB),
    ("grpc.max_receive_message_length", 20 * _MIB),
    ("grpc.enable_retries", 1),
    ("grpc.service_config", DEFAULT_SERVICE_CONFIG),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.primary_user_agent", USER_AGENT),
)

Mode = Literal["secure", "local", "insecure"]


def merge_options(user: Sequence[tuple[str, Any]] | None) -> list[tuple[str, Any]]:
    """Defaults, minus those the user sets, then the user's options."""
    user = list(user or ())
    names = {name for name, _ in user}
    return [option for option in DEFAULT_CHANNEL_OPTIONS if option[0] not in names] + user


def is_local(target: str) -> bool:
    """True when ``target`` is on this machine, so that a plaintext channel is safe.

    That is a ``unix:``/``unix-abstract:`` socket, ``localhost``, ``127.0.0.0/8`` or ``::1``, in any
    of gRPC's spellings (``[::1]:port``, ``dns:///localhost:port``, ``ipv4:127.0.0.1:port``...);
    :func:`xai_sdk._target.parse_target` holds the rules.
    """
    from xai_sdk._target import parse_target  # on first use: `from xai_sdk import Client` stays light

    return parse_target(target).is_local


def channel_mode(target: str, use_insecure_channel: bool) -> Mode:
    """Plaintext when asked, or for local targets (the emulator convention); TLS otherwise."""
    if use_insecure_channel:
        return "insecure"
    return "local" if is_local(target) else "secure"


class SecretValue(str):
    """A metadata value gRPC sends as it is, whose ``repr`` does not show it.

    Only ``repr`` (what tracebacks' captured locals, ``pytest -l``, debuggers and containers'
    reprs use) is hidden: ``str()``, ``print`` and f-strings give the value itself, as gRPC needs.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        scheme, _, rest = self.partition(" ")
        return "'Bearer <redacted>'" if scheme == "Bearer" and rest else "'<redacted>'"


def call_metadata(api_key: str, metadata: Sequence[tuple[str, str]] | None) -> tuple[tuple[str, str], ...]:
    """The metadata sent with every call: the key (a :class:`SecretValue`), the SDK's identity and the user's pairs."""
    return (
        ("authorization", SecretValue(f"Bearer {api_key}")),
        ("xai-sdk-version", f"python/{__version__}"),
        ("xai-sdk-language", f"python/{sys.version_info.major}.{sys.version_info.minor}"),
        *(metadata or ()),
    )


@dataclass(frozen=True)
class ChannelSpec:
    """Everything needed to open one channel, sync or async."""

    target: str
    mode: Mode
    options: tuple[tuple[str, Any], ...]

    @classmethod
    def build(cls, target: str, use_insecure_channel: bool, options: Sequence[tuple[str, Any]] | None) -> ChannelSpec:
        return cls(target, channel_mode(target, use_insecure_channel), tuple(merge_options(options)))


@dataclass(frozen=True)
class CallSettings:
    """What every call of one channel carries: metadata and the default timeout."""

    metadata: tuple[tuple[str, str], ...]
    timeout: float
    #: The channel's ``host[:port]`` (or ``unix:`` path), reported on telemetry spans; None if unknown.
    target: str | None = None
    #: The fork generation the client was made in (:mod:`xai_sdk._fork`): its channels are that process's.
    generation: int = field(default_factory=_fork.generation)

    def kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        """``metadata=`` and ``timeout=`` for a stub call; ``timeout`` overrides the client's.

        In a child made by ``fork()`` after the client, :class:`~xai_sdk._fork.ForkedClientError`.
        """
        if self.generation != _fork._generation:
            _fork.check(self.generation)
        return {"metadata": self.metadata, "timeout": self.timeout if timeout is None else timeout}


@dataclass(frozen=True)
class ClientConfig:
    """The resolved settings of a client: keys, targets, options and timeouts."""

    api: ChannelSpec
    api_calls: CallSettings
    management: ChannelSpec | None
    management_calls: CallSettings | None


def resolve(
    api_key: str | None,
    management_api_key: str | None,
    *,
    api_host: str | None,
    management_api_host: str | None,
    metadata: Sequence[tuple[str, str]] | None,
    channel_options: Sequence[tuple[str, Any]] | None,
    timeout: float | None,
    use_insecure_channel: bool,
) -> ClientConfig:
    """Apply arguments, environment and defaults, and validate them."""
    api_key = api_key or os.getenv("XAI_API_KEY")
    if not api_key:
        raise ValueError(
            "Trying to read the xAI API key from the XAI_API_KEY environment variable but it doesn't exist. "
            "Pass api_key=... or set XAI_API_KEY."
        )
    management_api_key = management_api_key or os.getenv("XAI_MANAGEMENT_KEY")
    api_target = api_host or os.getenv("XAI_API_HOST") or DEFAULT_API_HOST
    management_target = management_api_host or os.getenv("XAI_MANAGEMENT_API_HOST") or DEFAULT_MANAGEMENT_API_HOST
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    seconds = float(timeout) if timeout else DEFAULT_TIMEOUT_SECONDS
    for pair in metadata or ():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise ValueError(f"metadata must be (key, value) pairs of strings, got {pair!r}")
    management = None
    management_calls = None
    if management_api_key:
        management = ChannelSpec.build(management_target, use_insecure_channel, channel_options)
        management_calls = CallSettings(call_metadata(management_api_key, metadata), seconds, management.target)
    return ClientConfig(
        api=ChannelSpec.build(api_target, use_insecure_channel, channel_options),
        api_calls=CallSettings(call_metadata(api_key, metadata), seconds, api_target),
        management=management,
        management_calls=management_calls,
    )
