"""``FakeServer``: an in-process ``grpc.aio`` server implementing every xAI service."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Collection, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Responses
from xai_fake.errors import FakeRpcError
from xai_fake.health import Health
from xai_fake.http_files import HttpFiles
from xai_fake.layers.auth import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, AuthPolicy
from xai_fake.layers.log import DEFAULT_REQUEST_LOG_SIZE
from xai_fake.methods import Method, services
from xai_fake.session import SESSION_HEADER, Session, Sessions

if TYPE_CHECKING:
    from xai_fake.cassette.layer import CassetteLayer
    from xai_fake.cassette.matchers import MatchOn
    from xai_fake.cassette.options import CassetteOptions
    from xai_fake.cassette.record_mode import RecordMode
    from xai_fake.cassette.redact import Redactor

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: A client stream that ends this close to its deadline was cut short by it.
_DEADLINE_MARGIN = 0.01


#: Calls that may wait for a handler at once. gRPC's core cancels arrivals beyond 1,000 (its
#: soft limit, 3,000 hard) waiting for the application, and the asyncio server accepts them one
#: by one, so a burst of a few thousand concurrent calls lost some as CANCELLED before any layer
#: (the request log included) saw them.
MAX_PENDING_CALLS = 20_000
#: The loopback address that reaches a server bound to every interface.
_LOOPBACK_FOR_WILDCARD = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}


class FakeServer(Session):
    """A fake xAI API on a local port.

    Use it from sync code (it then runs on a background thread with its own event
    loop) or from async code (it runs in the caller's loop)::

        with FakeServer(seed=1) as fake:
            os.environ.update(fake.env())
            ...

        async with FakeServer() as fake:
            ...

    Every call passes through the layers of :attr:`chain`, in the order of
    :data:`~xai_fake.chain.LAYER_ORDER`: 1 log (:attr:`requests`), 2 auth, 3 faults
    (:meth:`fault`), 4 scripts (:meth:`script`, :attr:`chat`), 5 cassette, 6 defaults
    (:attr:`defaults`).

    Cassettes: ``FakeServer(cassette=CassetteOptions("cassettes/chat.pb", ...))``, or the path
    alone with the options as keywords, replays recorded calls; with
    ``record_mode="once" | "new_episodes" | "all"`` the server is also a transparent proxy to
    ``upstream`` (default ``api.x.ai:443``) that records what it forwards, and writes the
    cassette (redacted, atomically) when it stops. The options are those of
    :class:`~xai_fake.cassette.options.CassetteOptions`; for one test on a shared server use
    :meth:`use_cassette`. ``tls=(certificate_chain_pem,
    private_key_pem)`` serves TLS instead of plaintext (e.g. to stand in for the real API).

    Keys separate tenants, as on the real API (:mod:`xai_fake.tenancy`): files, collections,
    batches, stored and deferred completions and video jobs belong to the team of the key that
    made them, and another team's key gets NOT_FOUND. The fake's own keys (``api_keys`` and
    ``management_keys``) are one team; ``teams={"team-b": ["key-b", "mgmt-b"]}`` makes others;
    any other accepted key is a team of its own. Time is :attr:`clock` (real time until a test
    freezes or advances it).

    :attr:`requests` keeps the newest ``request_log_size`` calls (10,000 by default; None keeps
    all) and counts the ones it forgot in ``requests.dropped``, so memory stays flat under load.

    Beside the xAI API, on the same port (each with a switch to turn it off):

    - ``reflection``: gRPC server reflection, v1 and v1alpha (:mod:`xai_fake.reflection`);
    - ``health``: ``grpc.health.v1``, reporting real readiness, scripted with :attr:`health`;
    - ``control``: the control API for tests in any language (:mod:`xai_fake.control`), gated by
      :attr:`control_token` (random unless given).

    :meth:`session` gives an isolated :class:`~xai_fake.session.Session` of the same server, for a
    test running in parallel with others: its calls carry ``x-xai-fake-session`` metadata.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        unix_socket: str | None = None,
        seed: int = 0,
        api_keys: Collection[str] | None = None,
        management_keys: Collection[str] = (DEFAULT_MANAGEMENT_KEY,),
        teams: Mapping[str, Collection[str]] | None = None,
        tls: tuple[bytes, bytes] | None = None,
        cassette: str | Path | CassetteOptions | None = None,
        record_mode: str | RecordMode = "none",
        upstream: str | None = None,
        management_upstream: str | None = None,
        upstream_root_certificates: bytes | None = None,
        upstream_tls: bool | None = None,
        match_on: MatchOn | None = None,
        ignore_fields: Sequence[str] = (),
        allow_playback_repeats: bool = False,
        honour_timing: bool = False,
        speed: float = 1.0,
        redactor: Redactor | None = None,
        fallback_to_defaults: bool = False,
        request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE,
        reflection: bool = True,
        health: bool = True,
        control: bool = True,
        control_token: str | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.unix_socket = unix_socket
        self.api_key = next(iter(api_keys), DEFAULT_API_KEY) if api_keys else DEFAULT_API_KEY
        self.management_key = next(iter(management_keys), DEFAULT_MANAGEMENT_KEY)
        #: Serves the URLs in answers, on the same host (a wildcard host: URLs name this machine's address).
        self.http_files = HttpFiles(host)
        policy = AuthPolicy(api_keys, tuple(management_keys), dict(teams or {}))
        super().__init__(
            None, None, seed=seed, auth=policy, request_log_size=request_log_size, http_files=self.http_files
        )

        def make_session(name: str) -> Session:
            return Session(
                self, name, seed=seed, auth=policy, request_log_size=request_log_size, http_files=self.http_files
            )

        #: The named sessions (:meth:`session`), made on first use.
        self.sessions = Sessions(make_session)
        #: ``grpc.health.v1``: ``fake.health.set("xai_api.Chat", "NOT_SERVING")``.
        self.health = Health(services())
        #: Which of reflection, health and the control API this server serves beside the xAI API.
        self.serves = {"reflection": reflection, "health": health, "control": control}
        #: The token the control API wants as ``x-xai-fake-control-token`` metadata.
        self.control_token = control_token if control_token is not None else secrets.token_urlsafe(24)
        self.port: int | None = None
        self._server: grpc.aio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        #: The event loop the gRPC server serves in (the caller's for ``async with``, else the thread's).
        self._serving_loop: asyncio.AbstractEventLoop | None = None
        self.tls = tls
        if cassette is not None:
            self._cassette_slot.use(
                self._cassette_layer(
                    cassette, record_mode=record_mode, upstream=upstream, management_upstream=management_upstream,
                    upstream_root_certificates=upstream_root_certificates, upstream_tls=upstream_tls,
                    match_on=match_on, ignore_fields=ignore_fields, allow_playback_repeats=allow_playback_repeats,
                    honour_timing=honour_timing, speed=speed, redactor=redactor,
                    fallback_to_defaults=fallback_to_defaults,
                )
            )  # fmt: skip
        self._pending: set[asyncio.Future[Any]] = set()

    # -- addresses -------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """``host:port`` to give a client on this machine, e.g. ``127.0.0.1:50123``.

        A server bound to every interface (``0.0.0.0``, ``::``) is reached here through loopback, so
        that ``env()`` and the CLI's export lines give a plaintext target the SDK treats as local.
        """
        if self.port is None:
            raise RuntimeError("the fake server is not running; use `with FakeServer() as fake:` or call start()")
        host = _LOOPBACK_FOR_WILDCARD.get(self.host, self.host)
        return f"{host}:{self.port}"

    @property
    def unix_address(self) -> str | None:
        """``unix:/path`` when a unix socket was requested."""
        return f"unix:{self.unix_socket}" if self.unix_socket else None

    @property
    def http_url(self) -> str:
        """Base URL of the HTTP server that serves the files linked from answers (images, videos)."""
        return self.http_files.base_url

    def env(self) -> dict[str, str]:
        """Environment variables that point xai_sdk (and subprocesses) at this server.

        With the control API on, ``XAI_FAKE_CONTROL_TOKEN`` is its token, for a process that scripts it.
        """
        env = {
            "XAI_API_HOST": self.address,
            "XAI_MANAGEMENT_API_HOST": self.address,
            "XAI_API_KEY": self.api_key,
            "XAI_MANAGEMENT_KEY": self.management_key,
        }
        if self.serves["control"]:
            env["XAI_FAKE_CONTROL_TOKEN"] = self.control_token
        return env

    def _check_blocking_client(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop runs in this thread: blocking calls are fine
        if running is self._serving_loop and self._server is not None:
            raise RuntimeError(
                "FakeServer.client() is a blocking xai_sdk.Client, but this server serves in the event loop "
                "running in this thread (it was started with `async with FakeServer()` or start_async()): every "
                "call would block the loop that must answer it, and hang until its deadline. In async code use "
                "`async with fake.async_client() as client:` and `await` its calls; for blocking code, start the "
                "server on its own thread with `with FakeServer() as fake:` (or fake.start())."
            )

    def _close_later(self, layer: CassetteLayer) -> None:
        """Close the layer's upstream channels in the server's loop."""
        if layer.recorder is None:
            return
        if self._loop is not None and self._thread is not None:
            asyncio.run_coroutine_threadsafe(layer.aclose(), self._loop).result(timeout=30)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the channels were never opened in one that still runs
        task = loop.create_task(layer.aclose())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- lifecycle -------------------------------------------------------------------------

    async def start_async(self) -> FakeServer:
        """Start serving in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the fake server is already running")
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
            ("grpc.server.max_pending_requests", MAX_PENDING_CALLS),
            ("grpc.server.max_pending_requests_hard_limit", MAX_PENDING_CALLS),
        ]
        server = grpc.aio.server(options=options)
        self._add_handlers(server)
        if self.tls is not None:
            chain, key = self.tls
            credentials = grpc.ssl_server_credentials([(key, chain)])
            port = server.add_secure_port(f"{self.host}:{self.requested_port}", credentials)
        else:
            port = server.add_insecure_port(f"{self.host}:{self.requested_port}")
        if port == 0:
            raise OSError(f"could not bind {self.host}:{self.requested_port}")
        if self.unix_socket:
            server.add_insecure_port(f"unix:{self.unix_socket}")
        await server.start()
        self._server, self.port = server, port
        self._serving_loop = asyncio.get_running_loop()
        # HTTP file server for the URLs in answers (generated images, videos).
        await self.http_files.start()
        self.defaults.state.publisher = self.http_files.publish
        if self.serves["health"]:
            await self.health.serving()
        return self

    async def stop_async(self, grace: float | None = 0.5) -> None:
        """Stop serving; calls still running after ``grace`` seconds are cancelled."""
        server, self._server = self._server, None
        if server is not None:
            await self.health.stopping()
            await server.stop(grace)
        self.port = None
        # The server's own cassette is written once no call can add to it any more.
        layer = self._cassette_slot.cassette
        try:
            if layer is not None and server is not None:
                try:
                    layer.save()  # a full disk raises here, after the previous file was left intact
                finally:
                    await layer.aclose()
        finally:
            # HTTP file server: stopped with the gRPC server, whatever the cassette's fate.
            self.defaults.state.publisher = None
            await self.http_files.stop()

    def start(self) -> FakeServer:
        """Start serving on a background thread with its own event loop."""
        if self._thread is not None:
            raise RuntimeError("the fake server is already running")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="xai-fake-server", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start_async(), loop).result(timeout=30)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
            raise
        self._loop, self._thread = loop, thread
        return self

    def stop(self, grace: float | None = 0.5) -> None:
        """Stop the background server started by :meth:`start`, and its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.stop_async(grace), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeServer:
        return await self.start_async()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop_async()

    # -- sessions --------------------------------------------------------------------------

    def session(self, name: str) -> Session:
        """The session ``name`` of this server, made on first use: its own scripts, faults, log and state.

        Calls that carry ``x-xai-fake-session: NAME`` metadata run in it; its :meth:`Session.client`
        and :meth:`Session.async_client` send that header, and :attr:`Session.metadata` gives the
        pair for other clients. Parallel tests sharing one server (threads, xdist workers, other
        languages) each use their own and never see each other's. :meth:`reset` forgets them all.
        """
        return self.sessions.get(name)

    def reset(self) -> None:
        """Forget scripts, faults, logged requests and stored state, and put the clock back to real time:
        a clean server for the next test. Every named session is forgotten, and health statuses a
        test scripted are undone."""
        super().reset()  # the server's own session; its files are all published files
        for session in self.sessions.clear():
            session._drop_loaded()  # writes a cassette it loaded; the rest goes with the session
        self.health.reset()

    # -- gRPC plumbing ---------------------------------------------------------------------

    def _add_handlers(self, server: grpc.aio.Server) -> None:
        """One generic handler for every method of every service, found by path in one dict lookup;
        then reflection, health and the control API, as switched on."""
        table = {method.path: self._handler(method) for methods in services().values() for method in methods}
        server.add_generic_rpc_handlers((_PathTable(table),))
        served = list(services())
        if self.serves["control"]:
            from xai_fake.control.service import CONTROL_SERVICE, serve_control

            serve_control(server, self)
            served.append(CONTROL_SERVICE)
        if self.serves["health"]:
            self.health.attach(server)
            served.append("grpc.health.v1.Health")
        if self.serves["reflection"]:
            from xai_fake.reflection import serve_reflection

            serve_reflection(server, served)

    def _handler(self, method: Method) -> grpc.RpcMethodHandler[Any, Any]:
        own, chain_of = self.chain, self.sessions.chain_of

        def chain(call: Call) -> Awaitable[Responses]:
            """The call's session's chain, run: the server's own unless the call names a session."""
            name = call.metadata.get(SESSION_HEADER)
            return (own if name is None else chain_of(name))(call)

        codec: dict[str, Any] = {
            "request_deserializer": method.request_type.FromString,
            "response_serializer": method.response_type.SerializeToString,
        }

        async def unary(requests: list[Message], context: grpc.aio.ServicerContext[Any, Any]) -> Message:
            try:
                return await chain(Call.received(method, requests, context))  # type: ignore[return-value]
            except FakeRpcError as error:
                await _abort(context, error)
                raise  # not reached: abort raises

        async def stream(
            requests: list[Message], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Message]:
            try:
                answer: Any = await chain(Call.received(method, requests, context))
                async for message in answer:
                    yield message
            except FakeRpcError as error:
                await _abort(context, error)

        if method.kind == "unary_unary":

            async def unary_unary(request: Message, context: grpc.aio.ServicerContext[Any, Any]) -> Message:
                return await unary([request], context)

            return grpc.unary_unary_rpc_method_handler(unary_unary, **codec)
        if method.kind == "unary_stream":

            async def unary_stream(
                request: Message, context: grpc.aio.ServicerContext[Any, Any]
            ) -> AsyncIterator[Message]:
                async for response in stream([request], context):
                    yield response

            return grpc.unary_stream_rpc_method_handler(unary_stream, **codec)
        if method.kind == "stream_unary":

            async def stream_unary(
                requests: AsyncIterator[Message], context: grpc.aio.ServicerContext[Any, Any]
            ) -> Message:
                return await unary(await _received(requests, context), context)

            return grpc.stream_unary_rpc_method_handler(stream_unary, **codec)

        async def stream_stream(
            requests: AsyncIterator[Message], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Message]:
            async for response in stream(await _received(requests, context), context):
                yield response

        return grpc.stream_stream_rpc_method_handler(stream_stream, **codec)


if TYPE_CHECKING:
    _GenericHandler = grpc.GenericRpcHandler[Any, Any]
else:
    _GenericHandler = grpc.GenericRpcHandler  # not subscriptable at run time


class _PathTable(_GenericHandler):
    """Finds a method's handler by its path (``/xai_api.Chat/GetCompletion``), or None (UNIMPLEMENTED)."""

    def __init__(self, table: dict[str, grpc.RpcMethodHandler[Any, Any]]) -> None:
        self._table = table

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        return self._table.get(handler_call_details.method)


async def _abort(context: grpc.aio.ServicerContext[Any, Any], error: FakeRpcError) -> None:
    """End the call with the error's status, details and trailing metadata."""
    if error.trailing_metadata:
        context.set_trailing_metadata(error.trailing_metadata)
    await context.abort(error.code, error.details)


async def _received(requests: AsyncIterator[Message], context: grpc.aio.ServicerContext[Any, Any]) -> list[Message]:
    """All messages of a client stream; a stream cut short by a deadline or a cancellation is not handled.

    When the client goes away (killed, say), grpc.aio ends the request iterator as if the client
    had finished sending, and cancels the handler only when the core's separate "call closed"
    event has reached the event loop, sometimes after the handler has already run on the half
    stream. One more read, past the end, is a round trip through the core's completion queue
    after that event: by its return a vanished client's cancellation is known, and the stream
    (half an upload, say) is dropped instead of being handled as a complete one. A stream that
    ends at its deadline is dropped too.
    """
    messages = [message async for message in requests]
    await context.read()  # one more trip through the core: see above
    remaining = context.time_remaining()
    if context.cancelled() or (remaining is not None and remaining < _DEADLINE_MARGIN):
        raise asyncio.CancelledError
    return messages
