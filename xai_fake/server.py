"""``FakeServer``: an in-process ``grpc.aio`` server implementing every xAI service."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Chain
from xai_fake.chat_scripts import ChatScripts
from xai_fake.clock import Clock
from xai_fake.defaults import Defaults
from xai_fake.errors import FakeRpcError, MetadataLike
from xai_fake.http_files import HttpFiles
from xai_fake.latency import Latency
from xai_fake.layers.auth import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, AuthLayer, AuthPolicy
from xai_fake.layers.cassette import CassetteSlot
from xai_fake.layers.defaults import DefaultsLayer
from xai_fake.layers.faults import Fault, FaultLayer, Faults
from xai_fake.layers.log import DEFAULT_REQUEST_LOG_SIZE, LogLayer, RequestLog
from xai_fake.layers.scripts import Script, ScriptLayer, Scripts
from xai_fake.methods import Method, services

if TYPE_CHECKING:
    import xai_sdk
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


class FakeServer:
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
    ) -> None:
        self.host = host
        self.requested_port = port
        self.unix_socket = unix_socket
        self.seed = seed
        self.requests = RequestLog(request_log_size)
        self.faults = Faults()
        self.defaults = Defaults(seed)
        self.scripts = Scripts(completer=self.defaults)
        self.api_key = next(iter(api_keys), DEFAULT_API_KEY) if api_keys else DEFAULT_API_KEY
        self.management_key = next(iter(management_keys), DEFAULT_MANAGEMENT_KEY)
        auth = AuthLayer(AuthPolicy(api_keys, tuple(management_keys), dict(teams or {})))
        self._cassette_slot = CassetteSlot(auth)
        #: The layers every call passes through (see :mod:`xai_fake.chain`).
        self.chain = Chain(
            [
                LogLayer(self.requests),
                auth,
                FaultLayer(self.faults),
                ScriptLayer(self.scripts),
                self._cassette_slot,
                DefaultsLayer(self.defaults.handler),
            ]
        )
        self.port: int | None = None
        self._server: grpc.aio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        #: The event loop the gRPC server serves in (the caller's for ``async with``, else the thread's).
        self._serving_loop: asyncio.AbstractEventLoop | None = None
        #: Serves the URLs in answers, on the same host (a wildcard host: URLs name this machine's address).
        self.http_files = HttpFiles(host)
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
        """Environment variables that point xai_sdk (and subprocesses) at this server."""
        return {
            "XAI_API_HOST": self.address,
            "XAI_MANAGEMENT_API_HOST": self.address,
            "XAI_API_KEY": self.api_key,
            "XAI_MANAGEMENT_KEY": self.management_key,
        }

    def client(self, **kwargs: Any) -> xai_sdk.Client:
        """An :class:`xai_sdk.Client` pointed at this server, with its keys; ``kwargs`` go to the client.

        A blocking client cannot talk to a server that serves in the caller's own running event
        loop (``async with FakeServer()``): each call would block the loop that has to answer
        it, until the deadline. That raises RuntimeError at once; use :meth:`async_client`.
        """
        from xai_sdk.sync.client import Client

        self._check_blocking_client()
        return Client(**self._client_arguments(kwargs))

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

    def async_client(self, **kwargs: Any) -> xai_sdk.AsyncClient:
        """An :class:`xai_sdk.AsyncClient` pointed at this server; create it inside the event loop that uses it."""
        from xai_sdk.aio.client import Client

        return Client(**self._client_arguments(kwargs))

    def _client_arguments(self, overrides: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "api_key": self.api_key,
            "management_api_key": self.management_key,
            "api_host": self.address,
            "management_api_host": self.address,
        }
        arguments.update(overrides)
        return arguments

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
        return self

    async def stop_async(self, grace: float | None = 0.5) -> None:
        """Stop serving; calls still running after ``grace`` seconds are cancelled."""
        server, self._server = self._server, None
        if server is not None:
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

    # -- cassettes -------------------------------------------------------------------------

    @property
    def cassette(self) -> CassetteLayer | None:
        """The cassette in use (from the constructor or :meth:`use_cassette`), or None."""
        return self._cassette_slot.cassette

    @staticmethod
    def _cassette_layer(cassette: str | Path | CassetteOptions, **options: Any) -> CassetteLayer:
        from xai_fake.cassette.layer import CassetteLayer
        from xai_fake.cassette.options import CassetteOptions

        if isinstance(cassette, CassetteOptions):
            defaults = {field.name: field.default for field in dataclasses.fields(CassetteOptions)}
            given = {name: value for name, value in options.items() if value != defaults.get(name)}
            if given:
                raise TypeError(
                    f"pass the cassette options either in CassetteOptions or as keywords, not both: {sorted(given)}"
                )
            return CassetteLayer(cassette)
        return CassetteLayer(CassetteOptions(cassette, **options))

    @contextlib.contextmanager
    def use_cassette(self, cassette: str | Path | CassetteOptions, **options: Any) -> Iterator[CassetteLayer]:
        """Use a cassette for the duration of a ``with`` block, e.g. for one test.

        ``cassette`` is a :class:`~xai_fake.cassette.options.CassetteOptions`, or a path with the
        options as keywords (``record_mode``, ``upstream``, ``match_on``, ``ignore_fields``, ...).
        On exit the cassette is written if anything was recorded, and the previous one comes back.
        """
        layer = self._cassette_layer(cassette, **options)
        previous = self._cassette_slot.use(layer)
        try:
            yield layer
        finally:
            self._cassette_slot.use(previous)
            try:
                layer.save()
            finally:
                self._close_later(layer)

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

    # -- time ------------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The fake's one clock: real time by default; ``freeze()``, ``advance(seconds)``, ``move_to()``,
        ``reset()``. Every lifecycle (deferred chats, video jobs, batches, document indexing, file
        and stored-completion expiry) and every timestamp follows it; :meth:`reset` makes it real again.
        """
        return self.defaults.state.clock

    # -- scripting -------------------------------------------------------------------------

    @property
    def chat(self) -> ChatScripts:
        """Typed chat shortcuts: ``fake.chat.reply("Hi")``, ``.tool_call(...)``, ``.stream([...])``, ..."""
        return ChatScripts(self.scripts)

    def script(self, method: str) -> Script:
        """The script of one method, e.g. ``fake.script("Chat/GetCompletion").respond(...)``."""
        return self.scripts.get(method)

    def fault(
        self,
        code: grpc.StatusCode | None = None,
        details: str = "",
        *,
        method: str | None = None,
        service: str | None = None,
        times: int | None = None,
        after_chunks: int | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
        pushback_ms: int | None = None,
        retry_info: float | None = None,
        trailing_metadata: MetadataLike = (),
        probability: float = 1.0,
        seed: int = 0,
    ) -> Fault:
        """Inject a fault; see :class:`~xai_fake.layers.faults.Fault` for the fields.

        ``fake.fault(grpc.StatusCode.UNAVAILABLE, times=2, method="Chat/GetCompletion")``
        fails the next two calls of that method; ``fake.fault(delay=2.0)`` delays every call.

        Where it fires, ``after_chunks``, decides whether the client may retry it:

        - ``after_chunks=None`` (the default): **before the response**. The call fails (after
          ``delay``) before the rest of the chain runs and before any response header or
          message: nothing is committed, and the client's gRPC retry policy retries it if
          ``code`` is retryable for it (the SDK retries ``UNAVAILABLE``, up to 5 attempts).
        - ``after_chunks=N`` with N >= 1, on a server stream: **after N messages**. The answer is
          made, N messages go out, then ``code``. The first message committed the call: gRPC
          never retries it, whatever its policy says.
        - ``after_chunks=0``, or any ``after_chunks`` on a unary method: **after the answer was
          made, before anything was sent**. The work is done (a file stored, a chat answered),
          the client sees a failure with nothing committed and may retry it as in the first
          case: the way to test that a retry does not repeat work the server already did.

        Retry hints and trailers, sent with the failure's status:

        - ``pushback_ms``: ``grpc-retry-pushback-ms`` (gRFC A6). For a status the client retries,
          gRPC waits exactly that many milliseconds before the next attempt (then resets its
          backoff); a negative value tells it not to retry. For other statuses the caller can
          read it from ``error.trailing_metadata()``: that is how a ``RESOURCE_EXHAUSTED``
          carries a retry delay, e.g. ``fake.fault(RESOURCE_EXHAUSTED, pushback_ms=1500)``.
        - ``retry_info`` (seconds), opt-in: a ``google.rpc.RetryInfo`` with that ``retry_delay``,
          in a ``google.rpc.Status`` serialized into ``grpc-status-details-bin`` (what
          ``grpcio-status``'s ``rpc_status.from_call`` decodes). Not observed from xAI: we have no
          evidence that xAI sends error details; use it to test code that reads them.
        - ``trailing_metadata``: any other trailers (a mapping or pairs; bytes for ``-bin`` keys).
          A rule without ``code`` adds them to the successful answer.

        ``delay`` and ``chunk_delay`` end at the client's deadline, with ``DEADLINE_EXCEEDED``.
        For a model's pace (time to first token, tokens per second) see :meth:`latency`.
        """
        return self.faults.add(
            Fault(
                method=method, service=service, code=code, details=details, times=times, delay=delay,
                chunk_delay=chunk_delay, after_chunks=after_chunks, probability=probability, seed=seed,
                pushback_ms=pushback_ms, retry_info=retry_info, trailing_metadata=trailing_metadata,
            )
        )  # fmt: skip

    def chaos(
        self,
        probability: float,
        *,
        seed: int = 0,
        code: grpc.StatusCode = grpc.StatusCode.INTERNAL,
        method: str | None = None,
        service: str | None = None,
        after_chunks: int | None = None,
        pushback_ms: int | None = None,
    ) -> Fault:
        """Fail calls at random with ``code``, reproducibly for a given ``seed``.

        ``fake.chaos(0.1, seed=7)`` fails about one call in ten with ``INTERNAL``, which the
        code under test sees: the SDK does not retry it. With ``code=grpc.StatusCode.UNAVAILABLE``
        each failure is one attempt that gRPC retries (the SDK retries ``UNAVAILABLE`` up to 5
        times), so the code under test almost never sees one (0.1 ** 5 of its calls) and the
        log shows the retries: use it to test that retries absorb flaky attempts.

        Before the response by default, or ``after_chunks=N`` messages into a stream (committed,
        never retried); ``pushback_ms`` as for :meth:`fault`.
        """
        return self.fault(
            code, "chaos", method=method, service=service, probability=probability, seed=seed,
            after_chunks=after_chunks, pushback_ms=pushback_ms,
        )  # fmt: skip

    def latency(
        self,
        ttft: float = 0.0,
        tokens_per_second: float | None = None,
        *,
        jitter: float = 0.0,
        seed: int | None = None,
        method: str | None = None,
        service: str | None = None,
    ) -> Latency:
        """Answer at a model's pace: ``fake.latency(ttft=0.3, tokens_per_second=80, jitter=0.1)``.

        A stream's first message waits ``ttft`` seconds (time to first token), each later one
        its tokens over ``tokens_per_second``; a unary answer waits its whole generation time,
        ``ttft`` plus its completion and reasoning tokens over ``tokens_per_second``. ``jitter``
        scales each pause by a factor in ``[1 - jitter, 1 + jitter]``, drawn from a generator
        seeded by ``seed`` (default: the server's seed). See :class:`~xai_fake.latency.Latency`.

        Off by default. The latest latency whose scope (``method``, ``service``, or every call)
        covers a call paces it, on top of any fault's delays; :meth:`reset` removes it. The pace
        honours the client's deadline: a stream stops sending when the deadline passes, and the
        call ends with ``DEADLINE_EXCEEDED`` (so the log shows it), which lets a test exercise a
        per-call timeout or a watchdog for a stalled stream.
        """
        return self.faults.add(
            Latency(
                ttft=ttft, tokens_per_second=tokens_per_second, jitter=jitter,
                seed=self.seed if seed is None else seed, method=method, service=service,
            )
        )  # fmt: skip

    def reset(self) -> None:
        """Forget scripts, faults, logged requests and stored state, and put the clock back to real time:
        a clean server for the next test."""
        self.scripts.clear()
        self.faults.clear()
        self.requests.clear()
        self.defaults.reset()
        self.http_files.clear()

    # -- gRPC plumbing ---------------------------------------------------------------------

    def _add_handlers(self, server: grpc.aio.Server) -> None:
        """One generic handler for every method of every service, found by path in one dict lookup."""
        table = {method.path: self._handler(method) for methods in services().values() for method in methods}
        server.add_generic_rpc_handlers((_PathTable(table),))

    def _handler(self, method: Method) -> grpc.RpcMethodHandler[Any, Any]:
        chain = self.chain
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
