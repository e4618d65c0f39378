"""A session: one isolated fake, with its own request log, faults, scripts, cassette and state.

A :class:`~xai_fake.server.FakeServer` is the session of every call that names none; each
call that carries ``x-xai-fake-session: NAME`` metadata runs in the named session instead
(:meth:`FakeServer.session <xai_fake.server.FakeServer.session>`), made on its first use. A named
session has the chain of :data:`~xai_fake.chain.LAYER_ORDER` over layers of its own: its calls
show only in its :attr:`~Session.requests`, only its scripts and faults answer them, and the
files, collections, batches and chats they store live in its own typed state (so do its clock
and its seeded ids). Tests running in parallel, in any language, can so share one server.
What sessions share is the server: its port, keys, HTTP file server and health.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import grpc

from xai_fake.chain import Chain
from xai_fake.chat_scripts import ChatScripts
from xai_fake.clock import Clock
from xai_fake.defaults import Defaults
from xai_fake.errors import FakeRpcError, MetadataLike
from xai_fake.latency import Latency
from xai_fake.layers.auth import AuthLayer, AuthPolicy
from xai_fake.layers.cassette import CassetteSlot
from xai_fake.layers.defaults import DefaultsLayer
from xai_fake.layers.faults import Fault, FaultLayer, Faults
from xai_fake.layers.log import LogLayer, RequestLog
from xai_fake.layers.scripts import Script, ScriptLayer, Scripts

if TYPE_CHECKING:
    import xai_sdk
    from xai_fake.cassette.layer import CassetteLayer
    from xai_fake.cassette.options import CassetteOptions
    from xai_fake.http_files import HttpFiles
    from xai_fake.server import FakeServer

__all__ = ["MAX_SESSIONS", "SESSION_HEADER", "Session", "Sessions", "check_session_name"]

#: The metadata key that puts a call in a named session.
SESSION_HEADER = "x-xai-fake-session"
_NAME = re.compile(r"[\x21-\x7e]{1,128}")


def check_session_name(name: str) -> str:
    """``name`` if it can name a session (1 to 128 printable ASCII characters, no spaces), else ValueError."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"a session name is 1 to 128 printable ASCII characters without spaces (gRPC metadata), got {name!r}"
        )
    return name


class Session:
    """One isolated fake: a request log, faults, scripts, a cassette slot and typed state, chained.

    Do not make one: ``fake.session("worker-1")`` gives the named session of a server (and the
    server itself is the session of calls that name none). Calls chain as on the server:
    ``fake.session("a").chat.reply("Hi")``, ``.fault(...)``, ``.requests``, ``.client()``.
    """

    def __init__(
        self,
        server: FakeServer | None,
        name: str | None,
        *,
        seed: int,
        auth: AuthPolicy,
        request_log_size: int | None,
        http_files: HttpFiles,
    ) -> None:
        #: The server this session lives on.
        self.server: FakeServer = server if server is not None else self  # type: ignore[assignment]
        #: The session's name (None: the server's own session, of calls that name none).
        self.name = name
        #: The seed of the default answers: the same seed, the same answers.
        self.seed = seed
        #: Every call of this session (:class:`~xai_fake.layers.log.RequestLog`).
        self.requests = RequestLog(request_log_size)
        #: The injected faults, the third layer; ``fault()`` adds one, ``faults.clear()`` drops them all.
        self.faults = Faults()
        #: The seeded default answers and the typed state behind them, the last layer.
        self.defaults = Defaults(seed)
        #: The scripted answers, the fourth layer; ``script()`` and ``chat`` add to them.
        self.scripts = Scripts(completer=self.defaults)
        auth_layer = AuthLayer(auth)
        self._cassette_slot = CassetteSlot(auth_layer)
        self._loaded: CassetteLayer | None = None  # a cassette load_cassette() put in, dropped by reset()
        #: The layers every call of this session passes through (see :mod:`xai_fake.chain`).
        self.chain = Chain(
            [
                LogLayer(self.requests),
                auth_layer,
                FaultLayer(self.faults),
                ScriptLayer(self.scripts),
                self._cassette_slot,
                DefaultsLayer(self.defaults.handler),
            ]
        )
        self._http_files = http_files
        #: Where this session's files are published on the HTTP file server ("" for the server's own).
        self._file_prefix = "" if name is None else f"/sessions/{quote(name, safe='')}"
        if name is not None:
            self.defaults.state.publisher = self._publish

    def _publish(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        return self._http_files.publish(self._file_prefix + path, data, content_type)

    def __repr__(self) -> str:
        return f"<xai_fake Session {self.name!r}: {len(self.requests)} call(s)>"

    # -- clients ---------------------------------------------------------------------------

    def client(self, **kwargs: Any) -> xai_sdk.Client:
        """An :class:`xai_sdk.Client` pointed at this server, with its keys; ``kwargs`` go to the client.

        A blocking client cannot talk to a server that serves in the caller's own running event
        loop (``async with FakeServer()``): each call would block the loop that has to answer
        it, until the deadline. That raises RuntimeError at once; use :meth:`async_client`.
        """
        from xai_sdk.sync.client import Client

        self.server._check_blocking_client()
        return Client(**self._client_arguments(kwargs))

    def async_client(self, **kwargs: Any) -> xai_sdk.AsyncClient:
        """An :class:`xai_sdk.AsyncClient` pointed at this server; create it inside the event loop that uses it."""
        from xai_sdk.aio.client import Client

        return Client(**self._client_arguments(kwargs))

    def _client_arguments(self, overrides: dict[str, Any]) -> dict[str, Any]:
        server = self.server
        arguments: dict[str, Any] = {
            "api_key": server.api_key,
            "management_api_key": server.management_key,
            "api_host": server.address,
            "management_api_host": server.address,
        }
        arguments.update(overrides)
        if self.name is not None:  # a named session's client names it on every call
            arguments["metadata"] = ((SESSION_HEADER, self.name), *(arguments.get("metadata") or ()))
        return arguments

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata that puts a call in this session (none for the server's own), for other clients."""
        return () if self.name is None else ((SESSION_HEADER, self.name),)

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
                self.server._close_later(layer)

    def load_cassette(self, cassette: str | Path | CassetteOptions, **options: Any) -> CassetteLayer:
        """Replay (or record) a cassette from now until :meth:`reset`, e.g. for a test in another language.

        The control API's ``LoadCassette`` calls it. The options are those of :meth:`use_cassette`;
        :meth:`reset` writes what was recorded and puts the previous cassette back.
        """
        self._drop_loaded()
        layer = self._cassette_layer(cassette, **options)
        self._cassette_slot.use(layer)
        self._loaded = layer
        return layer

    def _drop_loaded(self) -> None:
        layer, self._loaded = self._loaded, None
        if layer is None:
            return
        if self._cassette_slot.cassette is layer:
            self._cassette_slot.use(None)
        try:
            layer.save()
        finally:
            self.server._close_later(layer)

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
        a clean session for the next test. A cassette :meth:`load_cassette` put in is written and dropped."""
        self.scripts.clear()
        self.faults.clear()
        self.requests.clear()
        self.defaults.reset()
        self._http_files.clear(self._file_prefix)
        self._drop_loaded()


#: Named sessions a server keeps at once; one more is refused (RESOURCE_EXHAUSTED) until a reset.
MAX_SESSIONS = 1_000


class Sessions:
    """The named sessions of one server, made on first use (by a call's header or ``fake.session()``)."""

    def __init__(self, make: Callable[[str], Session], limit: int = MAX_SESSIONS) -> None:
        self._make = make
        self._limit = limit
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def get(self, name: str) -> Session:
        """The session named ``name``, made if new (ValueError for a bad name, OverflowError past the limit)."""
        found = self._sessions.get(name)
        if found is not None:
            return found
        check_session_name(name)
        with self._lock:
            found = self._sessions.get(name)
            if found is None:
                if len(self._sessions) >= self._limit:
                    raise OverflowError(
                        f"this server already has {self._limit} sessions; reset it (fake.reset(), or the control "
                        "API's Reset without a session) to forget them"
                    )
                found = self._sessions[name] = self._make(name)
            return found

    def chain_of(self, name: str) -> Chain:
        """The chain of the session a call names; a bad name or one past the limit fails the call."""
        found = self._sessions.get(name)
        if found is not None:
            return found.chain
        try:
            return self.get(name).chain
        except ValueError as error:
            raise FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, f"xai_fake: {SESSION_HEADER}: {error}") from None
        except OverflowError as error:
            raise FakeRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, f"xai_fake: {error}") from None

    def __iter__(self) -> Iterator[Session]:
        with self._lock:
            return iter(list(self._sessions.values()))

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, name: object) -> bool:
        return name in self._sessions

    def clear(self) -> list[Session]:
        """Forget every session; the ones forgotten (to reset, e.g. to write their loaded cassettes)."""
        with self._lock:
            dropped = list(self._sessions.values())
            self._sessions.clear()
        return dropped
