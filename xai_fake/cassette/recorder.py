"""Record: a transparent proxy to the real API that writes down every call.

For each call that reaches the cassette layer, the recorder opens the same method on
an upstream channel (``api.x.ai:443`` with TLS by default; plaintext for loopback and
unix upstreams; the management service ``collections.Collections`` has its own
upstream), forwards the client's metadata (so its key) minus hop-by-hop headers,
passes the response messages through as they come, copies the initial and trailing
metadata and the final status back (an error after a partial stream included), and
keeps the interaction, redacted, with the time of every message.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import pack
from xai_fake.cassette.player import sendable
from xai_fake.cassette.redact import Redactor
from xai_fake.chain import Call, Responses
from xai_fake.errors import FakeRpcError
from xai_fake.methods import MANAGEMENT_SERVICES, Method
from xai_sdk._channel import is_local

DEFAULT_UPSTREAM = "api.x.ai:443"
DEFAULT_MANAGEMENT_UPSTREAM = "management-api.x.ai:443"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


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

    def __init__(self, method: Method) -> None:
        self.start = time.monotonic()
        self.interaction = cassette_pb2.Interaction(method=method.path)
        self.code, self.details = grpc.StatusCode.OK, ""
        self.initial_seen = False

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
        self.interaction.status_code = self.code.value[0]
        self.interaction.status_details = self.details
        self.interaction.duration.CopyFrom(_duration(time.monotonic() - self.start))
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
        self._lock = threading.Lock()
        self._interactions: list[cassette_pb2.Interaction] = []
        self._channels: dict[str, grpc.aio.Channel] = {}

    @property
    def interactions(self) -> list[cassette_pb2.Interaction]:
        """The recorded (redacted) interactions so far, in the order the calls ended."""
        with self._lock:
            return list(self._interactions)

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
        recording = _Recording(method)
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
            raise recording.failed(error) from None
        except asyncio.CancelledError:
            recording.cancelled(upstream)
            raise
        finally:
            self._keep(recording.finish())

    async def _stream(self, call: Call) -> AsyncIterator[Message]:
        recording, upstream = self._open(call)
        try:
            await recording.initial(upstream, call.context)
            async for response in upstream:
                recording.response(response)
                yield response
            await recording.trailing(upstream, call.context)
        except grpc.aio.AioRpcError as error:
            raise recording.failed(error) from None
        except (asyncio.CancelledError, GeneratorExit):
            recording.cancelled(upstream)
            raise
        finally:
            self._keep(recording.finish())

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

    def _keep(self, interaction: cassette_pb2.Interaction) -> None:
        kept = self.redactor.apply(interaction)
        if kept is not None:
            with self._lock:
                self._interactions.append(kept)
