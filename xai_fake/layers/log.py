"""Layer 1, log: the request log, every call the fake received, for assertions in tests.

The log is the outermost layer, so it sees every attempt (retries included) and the status
the client saw. Its metadata is redacted by the one secrets rule (:mod:`xai_fake.credentials`):
a test can assert what was sent without a key ever showing in ``fake.requests`` or its repr.
An unexpected exception in a lower layer ends the call as INTERNAL, naming the method and error.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Next, Responses
from xai_fake.errors import FakeRpcError
from xai_fake.methods import resolve_method

logger = logging.getLogger("xai_fake")


@dataclass(slots=True)
class LoggedCall:
    """One call as the fake saw it."""

    method: str  # "xai_api.Chat/GetCompletion"
    requests: list[Message]
    #: The invocation metadata, credentials redacted.
    metadata: dict[str, str]
    code: grpc.StatusCode = grpc.StatusCode.OK
    details: str = ""
    responses: int = 0  # messages sent back
    #: Seconds the client allowed the call (its deadline, as the server saw it), None without one.
    time_remaining: float | None = None
    #: When the call arrived (``time.monotonic()``), to measure the spacing of retries.
    arrived: float = 0.0
    finished: bool = field(default=False, repr=False)

    @property
    def request(self) -> Message:
        """The (first) request message; for client streams see ``requests``."""
        return self.requests[0]


class RequestLog:
    """Thread-safe list of :class:`LoggedCall`, newest last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[LoggedCall] = []

    def append(self, call: LoggedCall) -> None:
        """Add a call."""
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()

    @property
    def calls(self) -> list[LoggedCall]:
        """A snapshot of all calls."""
        with self._lock:
            return list(self._calls)

    def __iter__(self) -> Iterator[LoggedCall]:
        return iter(self.calls)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def __repr__(self) -> str:
        return f"RequestLog({self.calls!r})"

    def of(self, method: str) -> list[LoggedCall]:
        """Calls of one method (any spelling accepted by :func:`~xai_fake.methods.resolve_method`)."""
        full_name = resolve_method(method).full_name
        return [c for c in self.calls if c.method == full_name]

    def requests(self, method: str) -> list[Message]:
        """The request messages of one method, in order (all messages of client streams)."""
        return [r for c in self.of(method) for r in c.requests]

    def last(self, method: str) -> Message:
        """The most recent request of a method; AssertionError if there was none."""
        calls = self.of(method)
        if not calls:
            raise AssertionError(f"no call of {method} was made; calls so far: {self.counts() or 'none'}")
        return calls[-1].requests[-1]

    def count(self, method: str | None = None) -> int:
        """Number of calls, of one method or in all."""
        return len(self.of(method)) if method else len(self)

    def counts(self) -> dict[str, int]:
        """Number of calls per method."""
        result: dict[str, int] = {}
        for call in self.calls:
            result[call.method] = result.get(call.method, 0) + 1
        return result


class LogLayer:
    """Layer 1: writes every call to a :class:`RequestLog`, with the status it ended with."""

    name: ClassVar[str] = "log"

    def __init__(self, log: RequestLog) -> None:
        self.log = log

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Log ``call``, run the rest of the chain, and record how it ended."""
        entry = LoggedCall(
            call.method.full_name,
            call.requests,
            dict(call.shown_metadata),
            time_remaining=call.context.time_remaining(),
            arrived=time.monotonic(),
        )
        self.log.append(entry)
        try:
            answer = await rest(call)
        except BaseException as error:
            raise _ended(entry, call, error) from None
        if isinstance(answer, Message):
            entry.responses = 1
            entry.finished = True
            return answer
        return self._watch(entry, call, answer)

    async def _watch(self, entry: LoggedCall, call: Call, stream: AsyncIterator[Message]) -> AsyncIterator[Message]:
        try:
            async for message in stream:
                yield message
                entry.responses += 1
        except BaseException as error:
            raise _ended(entry, call, error) from None
        finally:
            entry.finished = True


def _ended(entry: LoggedCall, call: Call, error: BaseException) -> BaseException:
    """Record how a call failed; the exception to raise (unexpected errors become INTERNAL)."""
    entry.finished = True
    if isinstance(error, FakeRpcError):
        entry.code, entry.details = error.code, error.details
        return error
    if isinstance(error, (asyncio.CancelledError, grpc.aio.AbortError, GeneratorExit)):
        if entry.code == grpc.StatusCode.OK:
            entry.code = grpc.StatusCode.CANCELLED
        return error
    if not isinstance(error, Exception):
        return error
    details = f"xai_fake: {call.method.full_name} failed: {type(error).__name__}: {error}"
    logger.error("unexpected error in %s", call.method.full_name, exc_info=error)
    entry.code, entry.details = grpc.StatusCode.INTERNAL, details
    return FakeRpcError(grpc.StatusCode.INTERNAL, details)
