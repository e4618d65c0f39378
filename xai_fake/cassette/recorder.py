"""Record: a transparent proxy to the real API that writes down every call.

For each call that reaches the cassette layer, the recorder opens the same method on
an upstream channel (``api.x.ai:443`` with TLS by default; plaintext for loopback and
unix upstreams; the management service ``collections.Collections`` has its own
upstream), forwards the client's metadata (so its key) minus hop-by-hop headers,
passes the response messages through as they come, copies the initial and trailing
metadata and the final status back (an error after a partial stream included), and
keeps the interaction, redacted, with the time of every message.

The recorder knows the keys it forwards: the credential values of every call's metadata
(:attr:`Recorder.secrets`, by the one secrets rule) are scrubbed from each interaction as it
ends, with the credential query parameters of signed URLs, wherever they appear: bodies,
metadata values, status details (:func:`~xai_fake.cassette.redact.scrub`). A key a user pasted
into a prompt is thus not written either.

What fails inside the proxy itself is never kept as if the API had answered: a call that
could not reach the upstream (name resolution, connection, TLS handshake) is answered with
``UNAVAILABLE`` saying so, and listed in :attr:`Recorder.failures` instead of the recorded
interactions; the cassette layer then writes nothing (see
:meth:`~xai_fake.cassette.layer.CassetteLayer.save`). :func:`proxy_failure` recognises such
interactions in cassettes written by older versions (``xai-fake cassette check`` flags them).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import pack
from xai_fake.cassette.player import sendable
from xai_fake.cassette.redact import Redactor, scrub
from xai_fake.chain import Call, Responses
from xai_fake.credentials import Secrets
from xai_fake.errors import FakeRpcError
from xai_fake.methods import MANAGEMENT_SERVICES, Method
from xai_sdk._channel import is_local
from xai_sdk._target import SCHEMES

DEFAULT_UPSTREAM = "api.x.ai:443"
#: Environment variables holding keys the recorder scrubs from the start (before a call sends them).
ENVIRONMENT_KEYS = ("XAI_API_KEY", "XAI_MANAGEMENT_KEY")
DEFAULT_MANAGEMENT_UPSTREAM = "management-api.x.ai:443"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

#: Words of the status details gRPC's own client writes when it never reached the server
#: (name resolution, connection, TLS handshake), in the spellings of grpcio 1.5x to 1.8x.
TRANSPORT_FAILURE_MARKERS = (
    "errors resolving",
    "dns resolution failed",
    "name resolution failure",
    "hostname lookup error",
    "address lookup failed",
    "domain name not found",
    "could not resolve",
    "empty address list",
    "failed to connect to all addresses",
    "connections to all backends failing",
    "failed to connect to remote host",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "ssl handshake failed",
    "handshake failed",
)
_NOT_REACHED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


_HOST_NAME = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$"
)
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.%A-Za-z]+)\](?::([^:]*))?$")


def check_upstream(value: str) -> str:
    """``value`` if it is a usable upstream ``host:port``, else ValueError saying what is wrong.

    ``host`` is a DNS name or an IP address (``[v6]:port`` bracketed), and the port, when
    given, a number from 1 to 65535. Targets with a gRPC resolver scheme (``dns:``, ``ipv4:``,
    ``unix:``, ...) are left to gRPC. Makes no DNS lookup.
    """
    text = value.strip() if isinstance(value, str) else ""
    example = "write host:port, e.g. api.x.ai:443 or 127.0.0.1:50051"
    if not text:
        raise ValueError(f"upstream {value!r} is empty; {example}")
    if "://" in text:
        raise ValueError(f"upstream {value!r} has a URL scheme; {example}")
    scheme = text.partition(":")[0].lower()
    if scheme in SCHEMES and ":" in text:
        return text  # a gRPC target URI: gRPC parses it
    bracketed = _BRACKETED.match(text)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
        if not _is_ip(host):
            raise ValueError(f"upstream {value!r}: [{host}] is not an IPv6 address; {example}")
    elif text.count(":") > 1:
        host, port = text, None
        if not _is_ip(host):
            raise ValueError(f"upstream {value!r} is not host:port (bracket an IPv6 address: [::1]:443); {example}")
    else:
        host, _, port = text.partition(":")
        if ":" not in text:
            port = None
        if not (_HOST_NAME.match(host) or _is_ip(host)):
            raise ValueError(f"upstream {value!r}: {host!r} is not a host name or IP address; {example}")
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"upstream {value!r}: {port!r} is not a port number (1 to 65535); {example}")
    return text


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def transport_failure(code: grpc.StatusCode, details: str) -> bool:
    """True if ``code`` and ``details`` are what gRPC's client says when the server was never reached."""
    lowered = details.lower()
    return code is grpc.StatusCode.UNAVAILABLE and any(marker in lowered for marker in TRANSPORT_FAILURE_MARKERS)


def proxy_failure(interaction: cassette_pb2.Interaction) -> str | None:
    """Why ``interaction`` is a failure of the recording proxy, not an answer of the API; None if it is not.

    Older versions recorded calls that never reached the upstream (an unreachable host, a DNS
    error) as ``UNAVAILABLE`` interactions: no response, no metadata from the server, and the
    details gRPC's client writes (see :data:`TRANSPORT_FAILURE_MARKERS`). Replaying them replays
    an outage that happened on the recording machine.
    """
    if interaction.responses or interaction.initial_metadata or interaction.trailing_metadata:
        return None
    try:
        code = next(c for c in grpc.StatusCode if c.value[0] == interaction.status_code)
    except StopIteration:
        return None
    if not transport_failure(code, interaction.status_details):
        return None
    return f"{code.name}: {interaction.status_details}"


@dataclass(frozen=True)
class ProxyFailure:
    """A call the recording proxy could not forward: the upstream was never reached."""

    method: str  # "/xai_api.Chat/GetCompletion"
    target: str  # the upstream "host:port"
    code: grpc.StatusCode
    details: str  # what gRPC's client said

    def explain(self) -> str:
        """One line: which call, which upstream, what happened."""
        return f"{self.method} could not reach the upstream {self.target}: {self.code.name}: {self.details}"


def metadata_entries(pairs: Iterable[Any] | None) -> list[cassette_pb2.Metadatum]:
    """gRPC metadata pairs as cassette entries (bytes values in ``binary``)."""
    entries = []
    for key, value in pairs or ():
        if isinstance(value, bytes):
            entries.append(cassette_pb2.Metadatum(key=key, binary=value))
        else:
            entries.append(cassette_pb2.Metadatum(key=key, text=str(value)))
    return entries


def _forwardable(pairs: Iterable[Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple((key, value) for key, value in pairs or () if sendable(key))


def _duration(seconds: float) -> Any:
    from google.protobuf import duration_pb2

    duration = duration_pb2.Duration()
    duration.FromNanoseconds(max(0, int(seconds * 1e9)))
    return duration


class _Recording:
    """One call on its way through the proxy: the interaction being written down."""

    def __init__(self, method: Method, secrets: Secrets) -> None:
        self.start = time.monotonic()
        self.secrets = secrets
        self.interaction = cassette_pb2.Interaction(method=method.path)
        self.code, self.details = grpc.StatusCode.OK, ""
        self.initial_seen = False
        #: The upstream was never reached: nothing of this call is kept.
        self.not_reached: ProxyFailure | None = None

    async def initial(self, upstream: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        initial = await upstream.initial_metadata()
        self.interaction.initial_metadata.extend(metadata_entries(initial))
        self.initial_seen = True
        if _forwardable(initial):
            await context.send_initial_metadata(_forwardable(initial))

    def response(self, response: Message) -> None:
        self.interaction.responses.append(pack(response, time.monotonic() - self.start))

    async def trailing(self, upstream: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        trailing = await upstream.trailing_metadata()
        self.interaction.trailing_metadata.extend(metadata_entries(trailing))
        if _forwardable(trailing):
            context.set_trailing_metadata(_forwardable(trailing))

    def failed(self, error: grpc.aio.AioRpcError) -> FakeRpcError:
        """Note the upstream's error; what to raise to the client."""
        self.code, self.details = error.code(), error.details() or ""
        if not self.initial_seen:
            self.interaction.initial_metadata.extend(metadata_entries(error.initial_metadata()))
        self.interaction.trailing_metadata.extend(metadata_entries(error.trailing_metadata()))
        return FakeRpcError(self.code, self.details, trailing_metadata=_forwardable(error.trailing_metadata()))

    def cancelled(self, upstream: Any) -> None:
        self.code, self.details = grpc.StatusCode.CANCELLED, "cancelled by the client"
        upstream.cancel()

    def finish(self) -> cassette_pb2.Interaction:
        """The interaction as the call ended, with every known secret scrubbed (nothing is kept before this)."""
        self.interaction.status_code = self.code.value[0]
        self.interaction.status_details = self.details
        self.interaction.duration.CopyFrom(_duration(time.monotonic() - self.start))
        scrub(self.interaction, self.secrets)
        return self.interaction


class Recorder:
    """Proxies calls to the upstream API and keeps them as cassette interactions.

    Args:
        upstream: ``host:port`` of the API (default ``api.x.ai:443``).
        management_upstream: ``host:port`` for ``collections.Collections`` (default
            ``management-api.x.ai:443``).
        upstream_root_certificates: PEM root certificates for a TLS upstream with a private CA
            (giving them also turns TLS on for a loopback upstream).
        upstream_tls: force TLS on (True) or off (False); default: TLS unless the upstream is local.
        redactor: applied to every interaction before it is kept; default :class:`Redactor()`.

    Attributes:
        secrets: the credential values of the metadata forwarded so far, with the keys of the
            environment (:data:`ENVIRONMENT_KEYS`) and any added, scrubbed from every interaction.
    """

    def __init__(
        self,
        upstream: str | None = None,
        management_upstream: str | None = None,
        *,
        upstream_root_certificates: bytes | None = None,
        upstream_tls: bool | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.upstream = upstream or DEFAULT_UPSTREAM
        self.management_upstream = management_upstream or (
            upstream if upstream and is_local(upstream) else DEFAULT_MANAGEMENT_UPSTREAM
        )
        self.root_certificates = upstream_root_certificates
        self.upstream_tls = upstream_tls
        self.redactor = redactor if redactor is not None else Redactor()
        self.secrets = Secrets(value for value in map(os.environ.get, ENVIRONMENT_KEYS) if value)
        self._scrubbed_with = 0  # len(self.secrets) when every kept interaction was last scrubbed
        self._lock = threading.Lock()
        self._interactions: list[cassette_pb2.Interaction] = []
        self._failures: list[ProxyFailure] = []
        self._channels: dict[str, grpc.aio.Channel] = {}
        #: Called with each interaction kept, as its call ends (the cassette layer's journal).
        self.on_kept: Callable[[cassette_pb2.Interaction], None] | None = None

    @property
    def interactions(self) -> list[cassette_pb2.Interaction]:
        """The recorded (redacted) interactions so far, in the order the calls ended.

        Scrubbed again first if keys were learned since some of them were kept (a management
        key first sent after an answer that held it), so that what is written holds none.
        """
        with self._lock:
            kept = list(self._interactions)
            learned = len(self.secrets)
            if learned != self._scrubbed_with:
                for interaction in kept:
                    scrub(interaction, self.secrets)
                self._scrubbed_with = learned
        return kept

    @property
    def failures(self) -> list[ProxyFailure]:
        """Calls that never reached the upstream (not recorded), in order."""
        with self._lock:
            return list(self._failures)

    @property
    def targets(self) -> frozenset[str]:
        """The upstream targets this recorder may open channels to."""
        return frozenset({self.upstream, self.management_upstream})

    def target(self, method: Method) -> str:
        """The upstream ``host:port`` that serves ``method``."""
        return self.management_upstream if method.service in MANAGEMENT_SERVICES else self.upstream

    def _channel(self, target: str) -> grpc.aio.Channel:
        channel = self._channels.get(target)
        if channel is None:
            options = [
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.enable_retries", 0),
            ]
            tls = self.upstream_tls
            if tls is None:
                tls = self.root_certificates is not None or not is_local(target)
            if tls:
                credentials = grpc.ssl_channel_credentials(root_certificates=self.root_certificates)
                channel = grpc.aio.secure_channel(target, credentials, options=options)
            else:
                channel = grpc.aio.insecure_channel(target, options=options)
            self._channels[target] = channel
        return channel

    async def aclose(self) -> None:
        """Close the upstream channels."""
        channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            await channel.close(None)

    async def proxy(self, call: Call) -> Responses:
        """Forward ``call`` upstream and record it; the upstream's answer, as :data:`~xai_fake.chain.Responses`.

        For a unary method: the response message (the whole call has happened). For a
        server-streaming method: an async iterator that opens the upstream call when first
        iterated and passes the messages through as they come. The upstream's initial and
        trailing metadata are copied back through ``call.context``; its error status is raised
        as :class:`~xai_fake.errors.FakeRpcError`. The interaction is kept when the call ends.
        """
        if call.method.server_streaming:
            return self._stream(call)
        return await self._unary(call)

    def _open(self, call: Call) -> tuple[_Recording, Any]:
        method, context = call.method, call.context
        invocation = [(key, value) for key, value in context.invocation_metadata() or ()]
        self.secrets.learn(invocation)
        recording = _Recording(method, self.secrets)
        recording.interaction.requests.extend(pack(request, 0.0) for request in call.requests)
        recording.interaction.request_metadata.extend(metadata_entries(invocation))
        upstream = self._call(method, list(call.requests), _forwardable(invocation), context.time_remaining())
        return recording, upstream

    async def _unary(self, call: Call) -> Message:
        recording, upstream = self._open(call)
        try:
            await recording.initial(upstream, call.context)
            response: Message = await upstream
            recording.response(response)
            await recording.trailing(upstream, call.context)
            return response
        except grpc.aio.AioRpcError as error:
            raise self._failed(recording, call.method, error) from None
        except asyncio.CancelledError:
            recording.cancelled(upstream)
            raise
        finally:
            self._keep(recording)

    async def _stream(self, call: Call) -> AsyncIterator[Message]:
        recording, upstream = self._open(call)
        try:
            await recording.initial(upstream, call.context)
            async for response in upstream:
                recording.response(response)
                yield response
            await recording.trailing(upstream, call.context)
        except grpc.aio.AioRpcError as error:
            raise self._failed(recording, call.method, error) from None
        except (asyncio.CancelledError, GeneratorExit):
            recording.cancelled(upstream)
            raise
        finally:
            self._keep(recording)

    def _call(self, method: Method, requests: list[Message], metadata: Any, remaining: float | None) -> Any:
        """Open ``method`` upstream with the client's requests, metadata and remaining deadline."""
        channel: Any = self._channel(self.target(method))
        serializer, deserializer = method.request_type.SerializeToString, method.response_type.FromString
        multicallable = getattr(channel, method.kind)(
            method.path, request_serializer=serializer, response_deserializer=deserializer
        )
        timeout = remaining if remaining is not None and remaining < 1e8 else None
        argument: Any = iter(requests) if method.client_streaming else requests[0]
        return multicallable(argument, metadata=metadata, timeout=timeout)

    def _failed(self, recording: _Recording, method: Method, error: grpc.aio.AioRpcError) -> FakeRpcError:
        """What to raise to the client for an upstream error: the API's, or the proxy's own failure."""
        target = self.target(method)
        if not self._reached(recording, target, error):
            failure = ProxyFailure(method.path, target, error.code(), error.details() or "")
            recording.not_reached = failure
            with self._lock:
                self._failures.append(failure)
            return FakeRpcError(
                grpc.StatusCode.UNAVAILABLE,
                f"xai-fake recording proxy: could not reach the upstream {target} ({failure.code.name}: "
                f"{failure.details}); nothing was recorded for this call",
            )
        return recording.failed(error)

    def _reached(self, recording: _Recording, target: str, error: grpc.aio.AioRpcError) -> bool:
        """False if ``error`` was made by gRPC's client here because the upstream was never reached.

        That is UNAVAILABLE or DEADLINE_EXCEEDED with no response headers, while the channel is
        not connected (or with the details gRPC writes for a failed resolution or connection).
        """
        if error.code() not in _NOT_REACHED or recording.interaction.initial_metadata or error.initial_metadata():
            return True  # response headers came: the upstream answered
        channel = self._channels.get(target)
        connected = channel is not None and channel.get_state() is grpc.ChannelConnectivity.READY
        return connected and not transport_failure(error.code(), error.details() or "")

    def _keep(self, recording: _Recording) -> None:
        if recording.not_reached is not None:
            return
        kept = self.redactor.apply(recording.finish())
        if kept is not None:
            with self._lock:
                self._interactions.append(kept)
            if self.on_kept is not None:
                self.on_kept(kept)
