"""Layer 1, log: the request log, every call the fake received, for assertions in tests.

The log is the outermost layer, so it sees every attempt that reaches the fake's handlers
(retries by the client's retry policy and by hand included) with its arrival and end times, and
the status the client saw; :meth:`RequestLog.assert_retried` checks the count and the spacing of
attempts. gRPC's transparent retries of attempts that never reached a handler (a refused stream,
a connection that dropped first) are invisible to it, as they are to any server application.
Its metadata is redacted by the one secrets rule (:mod:`xai_fake.credentials`):
a test can assert what was sent without a key ever showing in ``fake.requests`` or its repr.
An unexpected exception in a lower layer ends the call as INTERNAL, naming the method and error.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from time import monotonic
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
    #: When the fake ended the call (``time.monotonic()``), None while it runs.
    ended: float | None = field(default=None, repr=False)
    #: Set last, once ``code``, ``details``, ``responses`` and ``ended`` are final.
    finished: bool = field(default=False, repr=False)
    #: The log holding this call, woken when it finishes (for :meth:`RequestLog.wait`).
    _log: RequestLog | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def request(self) -> Message:
        """The (first) request message; for client streams see ``requests``."""
        return self.requests[0]

    @property
    def previous_attempts(self) -> int:
        """Attempts gRPC's retry policy made before this one (its ``grpc-previous-rpc-attempts``), else 0."""
        value = self.metadata.get("grpc-previous-rpc-attempts", "0")
        return int(value) if value.isdigit() else 0

    def _finish(self, code: grpc.StatusCode | None = None, details: str = "") -> None:
        if code is not None:
            self.code, self.details = code, details
        self.ended = monotonic()
        self.finished = True
        if self._log is not None and self._log._waiters:  # read after ``finished`` is set: see RequestLog.wait
            self._log._wake()


#: Calls a :class:`RequestLog` keeps by default; older ones are forgotten and counted in ``dropped``.
DEFAULT_REQUEST_LOG_SIZE = 10_000


class RequestLog:
    """Thread-safe log of :class:`LoggedCall`, newest last, holding at most ``max_size`` calls.

    The log is bounded so that a long-running fake (``xai-fake serve``) or a load test holds
    flat memory: once ``max_size`` calls are held, each new call pushes out the oldest one and
    :attr:`dropped` counts it. :meth:`count` and :meth:`counts` count every call since the last
    :meth:`clear`, dropped ones included; :attr:`calls`, :meth:`of`, :meth:`requests`,
    :meth:`last` and ``len()`` see the calls still held. ``max_size=None`` keeps every call.
    """

    def __init__(self, max_size: int | None = DEFAULT_REQUEST_LOG_SIZE) -> None:
        if max_size is not None and max_size < 1:
            raise ValueError(f"max_size must be a positive number of calls or None (no limit), got {max_size!r}")
        self._lock = threading.Lock()
        self._finished = threading.Condition(self._lock)
        self._waiters = 0
        self._calls: deque[LoggedCall] = deque(maxlen=max_size)
        self._totals: dict[str, int] = {}
        self._dropped = 0

    @property
    def max_size(self) -> int | None:
        """The most calls held at once (None: no limit)."""
        return self._calls.maxlen

    @property
    def dropped(self) -> int:
        """Calls forgotten since the last :meth:`clear` because the log was full."""
        return self._dropped

    def append(self, call: LoggedCall) -> None:
        """Add a call (the oldest is forgotten if the log is full)."""
        call._log = self
        with self._lock:
            calls = self._calls
            if len(calls) == calls.maxlen:
                self._dropped += 1
            calls.append(call)
            totals = self._totals
            totals[call.method] = totals.get(call.method, 0) + 1

    def _wake(self) -> None:
        with self._finished:
            self._finished.notify_all()

    def wait(self, method: str | None = None, count: int = 1, timeout: float = 5.0) -> list[LoggedCall]:
        """Block until ``count`` calls (of ``method``, or of any) have finished; those finished calls.

        For tests whose client gave up before the fake did (a deadline, a cancel): the log's
        ``code`` is only final once the fake has ended the call. Woken by each call's end, not
        polled. Call it from another thread than the server's event loop (the fake of a sync
        test serves on its own thread). AssertionError naming what was logged after ``timeout``.
        """
        full_name = resolve_method(method).full_name if method else None

        def done() -> list[LoggedCall]:
            return [c for c in self._calls if c.finished and (full_name is None or c.method == full_name)]

        deadline = monotonic() + timeout
        with self._finished:
            # Counted before ``finished`` is read, so a call ending now either sees a waiter or is seen finished.
            self._waiters += 1
            try:
                while len(found := done()) < count:
                    left = deadline - monotonic()
                    if left <= 0:
                        raise AssertionError(
                            f"{len(found)} of {count} call(s) of {method or 'any method'} finished within "
                            f"{timeout} s; logged: {list(self._calls)!r}"
                        )
                    self._finished.wait(left)
            finally:
                self._waiters -= 1
        return found

    def clear(self) -> None:
        """Forget every call, and reset :attr:`dropped` and the counts."""
        with self._lock:
            self._calls.clear()
            self._totals.clear()
            self._dropped = 0

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
        dropped = f"dropped={self._dropped}, " if self._dropped else ""
        return f"RequestLog({dropped}{self.calls!r})"

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
        """Number of calls since the last :meth:`clear`, of one method or in all (dropped ones included)."""
        with self._lock:
            if method is None:
                return sum(self._totals.values())
            return self._totals.get(resolve_method(method).full_name, 0)

    def counts(self) -> dict[str, int]:
        """Number of calls per method since the last :meth:`clear` (dropped ones included)."""
        with self._lock:
            return dict(self._totals)

    def assert_retried(self, method: str, attempts: int, backoff: tuple[float, float] | None = None) -> list[float]:
        """Assert that ``method`` was attempted ``attempts`` times, spaced by a backoff in ``backoff``.

        Every logged call of ``method`` (since the last reset) counts as one attempt of one
        logical call, whoever retried it: gRPC's retry policy or code that calls again by hand.
        ``backoff=(low, high)`` bounds each gap between consecutive attempts, in seconds: the
        gap before attempt k+1 is from the moment the fake ended attempt k (sent its status, so
        about when the client learnt that it failed) to the arrival of attempt k+1, and every
        gap must lie within ``[low, high]``. A client that did not back off shows gaps near 0;
        one that waited too long shows a gap above ``high``. (grpcio's core waits
        ``min(initial * multiplier**(k-1), max)`` +/- 20% before retry k, or exactly the
        server's ``grpc-retry-pushback-ms``; gRFC A6 allows anything in ``random(0, ceiling)``,
        so pick ``low`` for the shortest wait you require.) ``backoff=None`` checks the count alone.

        Returns the gaps, in seconds. AssertionError names the method, the attempt and the gap
        that failed, what was expected, and every attempt with its status and timing.
        """
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        if backoff is not None and not 0 <= backoff[0] <= backoff[1]:
            raise ValueError(f"backoff must be (low, high) seconds with 0 <= low <= high, got {backoff!r}")
        full_name = resolve_method(method).full_name
        calls = self.of(full_name)
        if len(calls) != attempts:
            raise AssertionError(
                f"expected {attempts} attempt(s) of {full_name}, the fake saw {len(calls)}"
                f"{_attempt_table(calls)}; calls so far: {self.counts() or 'none'}"
            )
        gaps: list[float] = []
        for number, (earlier, later) in enumerate(itertools.pairwise(calls), start=2):
            if earlier.ended is None:
                raise AssertionError(
                    f"{full_name}: attempt {number - 1} had not ended when attempt {number} arrived"
                    f"{_attempt_table(calls)}"
                )
            gap = later.arrived - earlier.ended
            gaps.append(gap)
            if backoff is not None and not backoff[0] <= gap <= backoff[1]:
                verdict = "the client did not back off long enough" if gap < backoff[0] else "it waited too long"
                raise AssertionError(
                    f"{full_name}: attempt {number} arrived {gap:.3f} s after attempt {number - 1} ended; "
                    f"expected a backoff within [{backoff[0]:g}, {backoff[1]:g}] s ({verdict})"
                    f"{_attempt_table(calls)}"
                )
        return gaps


def _attempt_table(calls: list[LoggedCall]) -> str:
    """The attempts, one a line: number, status, arrival and end relative to the first arrival."""
    if not calls:
        return ""
    start = calls[0].arrived
    lines = []
    for number, call in enumerate(calls, start=1):
        ended = "running" if call.ended is None else f"ended +{call.ended - start:.3f} s"
        retry = f", grpc-previous-rpc-attempts={call.previous_attempts}" if call.previous_attempts else ""
        lines.append(f"\n  attempt {number}: {call.code.name}, arrived +{call.arrived - start:.3f} s, {ended}{retry}")
    return ":" + "".join(lines)


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
            arrived=monotonic(),
        )
        self.log.append(entry)
        try:
            answer = await rest(call)
        except BaseException as error:
            raise _ended(entry, call, error) from None
        if isinstance(answer, Message):
            entry.responses = 1
            entry._finish()
            return answer
        return self._watch(entry, call, answer)

    async def _watch(self, entry: LoggedCall, call: Call, stream: AsyncIterator[Message]) -> AsyncIterator[Message]:
        try:
            async for message in stream:
                yield message
                entry.responses += 1
        except BaseException as error:
            raise _ended(entry, call, error) from None
        if not entry.finished:
            entry._finish()


def _deadline_margin(allowed: float | None) -> float:
    """How close to its deadline (as the fake sees it) a cancelled call counts as ended by the deadline.

    The client's deadline passes before the fake's: the fake's runs from when the request arrived,
    so it is later by the request's trip and queueing (tens of ms on a busy machine). A call
    cancelled within a quarter of the time it was allowed, at most 0.1 s, of the fake's deadline
    is taken to have hit the client's.
    """
    return 0.1 if allowed is None else min(0.1, allowed / 4)


def _ended(entry: LoggedCall, call: Call, error: BaseException) -> BaseException:
    """Record how a call failed; the exception to raise (unexpected errors become INTERNAL).

    The entry is marked finished only once its code is set: another thread (a sync test) polls it.
    """
    if isinstance(error, FakeRpcError):
        entry._finish(error.code, error.details)
        return error
    if isinstance(error, (asyncio.CancelledError, grpc.aio.AbortError, GeneratorExit)):
        if entry.code == grpc.StatusCode.OK:
            # gRPC cancels a handler when the client goes away, also when its deadline passed.
            remaining = call.context.time_remaining()
            if remaining is not None and remaining < _deadline_margin(entry.time_remaining):
                entry._finish(grpc.StatusCode.DEADLINE_EXCEEDED, "the client's deadline passed")
            else:
                entry._finish(grpc.StatusCode.CANCELLED)
        else:
            entry._finish()
        return error
    if not isinstance(error, Exception):
        entry._finish()
        return error
    details = f"xai_fake: {call.method.full_name} failed: {type(error).__name__}: {error}"
    logger.error("unexpected error in %s", call.method.full_name, exc_info=error)
    entry._finish(grpc.StatusCode.INTERNAL, details)
    return FakeRpcError(grpc.StatusCode.INTERNAL, details)
