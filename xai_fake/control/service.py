"""The control API's servicer: each RPC is one call of the Python API of a session or server.

The rules live in the Python API (:class:`~xai_fake.session.Session`, :class:`~xai_fake.health.Health`);
this module only turns control messages into those calls, and their errors into statuses:
a bad argument is INVALID_ARGUMENT naming the field, a missing file NOT_FOUND.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import math
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from xai_fake.control._proto import control_pb2 as pb
from xai_fake.control._proto import control_pb2_grpc
from xai_fake.layers.scripts import new_budget
from xai_fake.methods import Method, resolve_method
from xai_fake.replies import Error, Stream
from xai_fake.session import SESSION_HEADER

if TYPE_CHECKING:
    from xai_fake.cassette.layer import CassetteLayer
    from xai_fake.layers.log import LoggedCall
    from xai_fake.server import FakeServer
    from xai_fake.session import Session

__all__ = ["CONTROL_SERVICE", "CONTROL_TOKEN_HEADER", "serve_control"]

CONTROL_SERVICE = "xai_fake.control.v1.Control"
#: The metadata key that carries the control token.
CONTROL_TOKEN_HEADER = "x-xai-fake-control-token"
#: The longest a ListRequests call waits for calls to arrive.
MAX_WAIT_SECONDS = 60.0

_Request = TypeVar("_Request", bound=Message)
_Response = TypeVar("_Response", bound=Message)
_Context = grpc.aio.ServicerContext[Any, Any]


class ControlError(Exception):
    """A control call that cannot be done: its status and a message naming the field and the fix."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code, self.details = code, details


def serve_control(server: grpc.aio.Server, fake: FakeServer) -> None:
    """Serve the control API of ``fake`` on ``server``."""
    control_pb2_grpc.add_ControlServicer_to_server(ControlServicer(fake), server)


def _controlled(
    method: Callable[[ControlServicer, _Request, Session], Awaitable[_Response]],
) -> Callable[[ControlServicer, _Request, _Context], Awaitable[_Response]]:
    """Check the control token, find the call's session, run ``method``, and map errors to statuses."""

    @functools.wraps(method)
    async def run(self: ControlServicer, request: _Request, context: _Context) -> _Response:
        metadata = {key: value for key, value in context.invocation_metadata() or () if isinstance(value, str)}
        token = metadata.get(CONTROL_TOKEN_HEADER)
        if token is None or not hmac.compare_digest(token.encode(), self._fake.control_token.encode()):
            given = "a wrong" if token is not None else "no"
            await context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                f"xai_fake control API: {given} control token; send the token `xai-fake serve` printed "
                f"(FakeServer.control_token) as {CONTROL_TOKEN_HEADER} metadata",
            )
        try:
            name = metadata.get(SESSION_HEADER)
            session: Session = self._fake if name is None else self._fake.session(name)
            return await method(self, request, session)
        except ControlError as error:
            await context.abort(error.code, f"xai_fake control API: {error.details}")
        except FileNotFoundError as error:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"xai_fake control API: {error}")
        except (ValueError, TypeError, OverflowError, json_format.ParseError) as error:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"xai_fake control API: {error}")
        except OSError as error:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"xai_fake control API: {error}")
        raise AssertionError("abort() raises")  # pragma: no cover

    return run


def _code(name: str, field: str) -> grpc.StatusCode:
    try:
        code = grpc.StatusCode[name.upper()]
    except KeyError:
        names = ", ".join(code.name for code in grpc.StatusCode if code is not grpc.StatusCode.OK)
        raise ValueError(f"{field}: {name!r} is not a gRPC status; use one of {names}") from None
    if code is grpc.StatusCode.OK:
        raise ValueError(f"{field}: OK is not a failure; leave the failure out to answer")
    return code


def _failure(failure: pb.Failure, field: str) -> Error:
    if not failure.code:
        raise ValueError(f"{field}.code: a failure needs a status, e.g. 'UNAVAILABLE'")
    return Error(
        _code(failure.code, f"{field}.code"),
        failure.details,
        pushback_ms=failure.pushback_ms if failure.HasField("pushback_ms") else None,
        retry_info=_retry_info(failure, f"{field}.retry_info_seconds"),
        trailing_metadata=_trailers(failure.trailing_metadata, f"{field}.trailing_metadata"),
    )


def _retry_info(message: pb.Failure | pb.AddFaultRequest, field: str) -> float | None:
    return _seconds(message.retry_info_seconds, field) if message.HasField("retry_info_seconds") else None


def _trailers(trailers: Mapping[str, str], field: str) -> tuple[tuple[str, str], ...]:
    for key in trailers:
        if key.endswith("-bin"):
            raise ValueError(f"{field}[{key!r}]: binary trailers cannot be given as text; use a key without -bin")
    return tuple(sorted(trailers.items()))


def _message(text: str, method: Method, field: str) -> Message:
    try:
        return json_format.Parse(text, method.response_type())
    except json_format.ParseError as error:
        raise ValueError(f"{field}: not the JSON of a {method.response_type.DESCRIPTOR.full_name} ({error})") from None


def _times(message: Message) -> int | None:
    return message.times if message.HasField("times") else None  # type: ignore[attr-defined]


def _seconds(value: float, field: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{field}: a number of seconds, 0 or more, got {value}")
    return value


def _logged(call: LoggedCall) -> pb.LoggedCall:
    return pb.LoggedCall(
        method=call.method,
        requests_json=[json_format.MessageToJson(request, indent=None) for request in call.requests],
        metadata=call.metadata,
        code=call.code.name if call.finished else "",
        details=call.details,
        responses=call.responses,
    )


def _load(session: Session, request: pb.LoadCassetteRequest) -> CassetteLayer:
    path = Path(request.path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no cassette file at {request.path!r} (on the server's file system)")
    return session.load_cassette(
        path, allow_playback_repeats=request.allow_playback_repeats, fallback_to_defaults=request.fallback_to_defaults
    )


class ControlServicer(control_pb2_grpc.ControlServicer):
    """``xai_fake.control.v1.Control`` over one :class:`~xai_fake.server.FakeServer`."""

    def __init__(self, fake: FakeServer) -> None:
        self._fake = fake

    @_controlled
    async def Script(self, request: pb.ScriptRequest, session: Session) -> pb.ScriptResponse:
        """Queue the steps on the method's script."""
        method = resolve_method(request.method)
        script = session.script(method.full_name)
        if not request.steps:
            raise ValueError("steps: give at least one step (response_json, stream or fail)")
        for index, step in enumerate(request.steps):
            field = f"steps[{index}]"
            kind = step.WhichOneof("answer")
            answer: Any
            if kind == "response_json":
                answer = _message(step.response_json, method, f"{field}.response_json")
            elif kind == "stream":
                if not method.server_streaming:
                    raise ValueError(f"{field}.stream: {method.full_name} answers with one message; use response_json")
                chunks = [
                    _message(chunk, method, f"{field}.stream.chunks_json[{number}]")
                    for number, chunk in enumerate(step.stream.chunks_json)
                ]
                delay = _seconds(step.stream.chunk_delay_seconds, f"{field}.stream.chunk_delay_seconds")
                then = (
                    _failure(step.stream.then_fail, f"{field}.stream.then_fail")
                    if step.stream.HasField("then_fail")
                    else None
                )
                answer = Stream(chunks, delay=delay, error=then)
            elif kind == "fail":
                answer = _failure(step.fail, f"{field}.fail")
            else:
                raise ValueError(f"{field}: set one of response_json, stream or fail")
            times = _times(step)
            script.add(answer, new_budget(1 if kind == "fail" and times is None else times))
        return pb.ScriptResponse(pending=script.pending)

    @_controlled
    async def ScriptChat(self, request: pb.ScriptChatRequest, session: Session) -> pb.ScriptResponse:
        """A chat shortcut: ``fake.chat.reply``, ``tool_call``, ``structured``, ``stream``, ``near_miss``, ``error``."""
        chat, times, kind = session.chat, _times(request), request.WhichOneof("answer")
        if kind == "reply":
            chat.reply(request.reply, reasoning=request.reasoning, times=times)
        elif kind == "tool_call":
            call = request.tool_call
            if not call.name:
                raise ValueError("tool_call.name: the function's name is required")
            chat.tool_call(call.name, call.arguments_json or "{}", call_id=call.call_id or "call_0", times=times)
        elif kind == "structured_json":
            try:
                value = json.loads(request.structured_json)
            except json.JSONDecodeError as error:
                raise ValueError(f"structured_json: not JSON ({error})") from None
            chat.structured(value, times=times)
        elif kind == "stream":
            delay = _seconds(request.stream.delay_seconds, "stream.delay_seconds")
            chat.stream(list(request.stream.chunks), delay=delay, times=times)
        elif kind == "near_miss":
            chat.near_miss(request.near_miss, times=1 if times is None else times)
        elif kind == "error":
            failure = _failure(request.error, "error")
            chat.error(failure.code, failure.details, times=1 if times is None else times)
        else:
            raise ValueError("set one of reply, tool_call, structured_json, stream, near_miss or error")
        return pb.ScriptResponse(pending=session.script("xai_api.Chat/GetCompletion").pending)

    @_controlled
    async def AddFault(self, request: pb.AddFaultRequest, session: Session) -> pb.AddFaultResponse:
        """``fake.fault(...)``; with ``probability``, chaos."""
        session.fault(
            _code(request.code, "code") if request.code else None,
            request.details,
            method=request.method or None,
            service=request.service or None,
            times=_times(request),
            after_chunks=request.after_chunks if request.HasField("after_chunks") else None,
            delay=_seconds(request.delay_seconds, "delay_seconds"),
            chunk_delay=_seconds(request.chunk_delay_seconds, "chunk_delay_seconds"),
            pushback_ms=request.pushback_ms if request.HasField("pushback_ms") else None,
            retry_info=_retry_info(request, "retry_info_seconds"),
            trailing_metadata=_trailers(request.trailing_metadata, "trailing_metadata"),
            probability=request.probability if request.HasField("probability") else 1.0,
            seed=request.seed,
        )
        return pb.AddFaultResponse()

    @_controlled
    async def ListRequests(self, request: pb.ListRequestsRequest, session: Session) -> pb.ListRequestsResponse:
        """The request log, after waiting for ``wait_for`` calls if asked."""
        method = resolve_method(request.method).full_name if request.method else None
        log = session.requests
        if request.wait_for:
            timeout = min(_seconds(request.timeout_seconds, "timeout_seconds") or 5.0, MAX_WAIT_SECONDS)
            try:
                await asyncio.to_thread(log.wait, method, request.wait_for, timeout)
            except AssertionError as error:
                raise ControlError(grpc.StatusCode.DEADLINE_EXCEEDED, str(error)) from None
        calls = log.of(method) if method is not None else log.calls
        return pb.ListRequestsResponse(calls=[_logged(call) for call in calls], dropped=log.dropped)

    @_controlled
    async def ClearRequests(self, request: pb.ClearRequestsRequest, session: Session) -> pb.ClearRequestsResponse:
        """Forget the request log."""
        session.requests.clear()
        return pb.ClearRequestsResponse()

    @_controlled
    async def LoadCassette(self, request: pb.LoadCassetteRequest, session: Session) -> pb.LoadCassetteResponse:
        """Replay a cassette until the next reset."""
        if not request.path:
            raise ValueError("path: the cassette file to replay, on the server's file system")
        layer = await asyncio.to_thread(_load, session, request)  # reads the file: not in the event loop
        return pb.LoadCassetteResponse(interactions=layer.recorded_interactions)

    @_controlled
    async def Clock(self, request: pb.ClockRequest, session: Session) -> pb.ClockResponse:
        """Move the session's clock as asked; its time now."""
        clock, action = session.clock, request.WhichOneof("action")
        if action == "advance_seconds":
            clock.advance(request.advance_seconds)
        elif action == "freeze":
            clock.freeze()
        elif action == "move_to":
            clock.move_to(request.move_to)
        elif action == "real":
            clock.reset()
        return pb.ClockResponse(now=clock.time(), frozen=clock.frozen)

    @_controlled
    async def SetHealth(self, request: pb.SetHealthRequest, session: Session) -> pb.SetHealthResponse:
        """What grpc.health.v1 answers for a service (health is the server's, whatever the session)."""
        self._fake.health.set(request.service, request.status)
        return pb.SetHealthResponse()

    @_controlled
    async def Reset(self, request: pb.ResetRequest, session: Session) -> pb.ResetResponse:
        """Reset the session (without a session header: the whole server)."""
        session.reset()
        return pb.ResetResponse()
