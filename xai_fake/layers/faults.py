"""Layer 3, faults: injected statuses, retry hints, latency, mid-stream failures, chaos.

The layer consults its rules once per call (:meth:`Faults.plan`) and wraps the rest of the
chain's answer. Where a fault fires decides whether a client may retry it (gRPC's retry
design, gRFC A6, "When Retries are Valid"):

- **before the response** (``after_chunks=None``, the default): after its ``delay``, the call
  fails before the rest of the chain runs and before any response header is sent. The client
  sees a Trailers-Only failure, nothing of the call is committed, and the client's retry policy
  retries it if the status is in its ``retryableStatusCodes`` (the SDK's: ``UNAVAILABLE``),
  waiting ``grpc-retry-pushback-ms`` when the fault sets ``pushback_ms``.
- **after N messages** (``after_chunks=N``, N >= 1, server streams): the rest of the chain
  answers, N messages go out, then the status. The first message committed the call: gRPC
  never retries it, whatever the status and the policy.
- **after the answer was made, before it was sent** (``after_chunks=0``, and any
  ``after_chunks`` on a unary method): the rest of the chain ran (a file was stored, a chat
  answered) but nothing reached the client, which sees a Trailers-Only failure it may retry as
  above: the case that shows whether a retry repeats work the server already did.

(Response headers alone do not commit a call reliably: gRPC core may still retry when the status
arrives in the same read as the headers. So the fake sends no headers before a failure.)

A :class:`~xai_fake.latency.Latency` paces answers like a model (time to first token, tokens
per second). Every pause of this layer (``delay``, ``chunk_delay``, latency) honours the
client's deadline: a pause that would outlast it ends at the deadline, and the call ends there
with ``DEADLINE_EXCEEDED`` (sending nothing more), so the log records what the client saw.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Next, Responses
from xai_fake.errors import FakeRpcError, Metadata, MetadataLike, check_hints, metadata_of, retry_hints
from xai_fake.latency import Latency
from xai_fake.methods import resolve_method, resolve_service


@dataclass
class Fault:
    """One fault rule. Build them with :meth:`xai_fake.FakeServer.fault` and ``chaos``.

    Scope: ``method`` (``xai_api.Chat/GetCompletion``), ``service`` (``xai_api.Chat``),
    or neither for every call. A rule with ``times`` fires that many times, then
    retires; ``times=None`` fires forever. ``probability`` < 1 fires at random, drawn
    from a generator seeded by ``seed``.

    Where it fires: ``after_chunks=None`` before the response (retryable), ``after_chunks=N``
    after N >= 1 streamed messages (committed, never retried), ``after_chunks=0`` after the
    answer was made but before anything was sent (retryable); see :mod:`xai_fake.layers.faults`.
    ``pushback_ms``, ``retry_info`` and ``trailing_metadata`` go with the failure's status
    (``trailing_metadata`` also with a successful answer of a latency-only rule).
    """

    method: str | None = None
    service: str | None = None
    code: grpc.StatusCode | None = None
    details: str = ""
    times: int | None = None
    delay: float = 0.0  # seconds before the first response message
    chunk_delay: float = 0.0  # seconds before each streamed message
    after_chunks: int | None = None  # None: fail before the response; N >= 1: after N messages (committed)
    probability: float = 1.0
    seed: int = 0
    pushback_ms: int | None = None  # trailing grpc-retry-pushback-ms
    retry_info: float | None = None  # seconds, as a google.rpc.RetryInfo in grpc-status-details-bin
    trailing_metadata: MetadataLike = ()
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _trailing: Metadata = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.method is not None:
            self.method = resolve_method(self.method).full_name
        if self.service is not None:
            self.service = resolve_service(self.service)
        if self.method and self.service:
            raise ValueError("a fault is scoped to a method or to a service, not both")
        if self.times is not None and self.times < 0:
            raise ValueError(f"times must be >= 0, got {self.times}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {self.probability}")
        if min(self.delay, self.chunk_delay) < 0:
            raise ValueError("delays must be >= 0 seconds")
        if self.after_chunks is not None and self.code is None:
            raise ValueError("after_chunks needs a status code to fail with, e.g. code=grpc.StatusCode.UNAVAILABLE")
        if self.after_chunks is not None and self.after_chunks < 0:
            raise ValueError(f"after_chunks must be >= 0 messages, got {self.after_chunks}")
        if self.code == grpc.StatusCode.OK:
            raise ValueError("a fault's code cannot be OK; leave code=None for latency-only faults")
        check_hints(self.pushback_ms, self.retry_info)
        if (self.pushback_ms is not None or self.retry_info is not None) and self.code is None:
            raise ValueError("pushback_ms and retry_info are hints of a failure: give the fault a status code")
        self._trailing = self.trailing_metadata = metadata_of(self.trailing_metadata)
        self._rng = random.Random(self.seed)

    def applies_to(self, method: str, service: str) -> bool:
        """True if the rule's scope covers this call."""
        return (self.method is None or self.method == method) and (self.service is None or self.service == service)

    def exhausted(self) -> bool:
        """True once a rule with ``times`` has fired that often."""
        return self.times is not None and self.fired >= self.times

    def _failure(self, trailing: Metadata) -> _Failure:
        assert self.code is not None  # callers check
        return _Failure(self.code, self.details, trailing, self.pushback_ms, self.retry_info)


@dataclass(frozen=True)
class _Failure:
    """The status a call ends with, and its trailers."""

    code: grpc.StatusCode
    details: str
    trailing: Metadata = ()
    pushback_ms: int | None = None
    retry_info: float | None = None

    def error(self, default_details: str) -> FakeRpcError:
        details = self.details or default_details
        hints = retry_hints(self.code, details, self.pushback_ms, self.retry_info)
        return FakeRpcError(self.code, details, (*self.trailing, *hints))


@dataclass(frozen=True)
class Plan:
    """What the fault layer decided for one call."""

    before: _Failure | None = None  # fail before any response (retryable)
    delay: float = 0.0
    chunk_delay: float = 0.0
    fail_after: int | None = None  # fail after this many responses (committed if >= 1) ...
    after: _Failure | None = None  # ... with this status
    trailing: Metadata = ()  # trailers of a successful answer
    latency: Latency | None = None


NO_FAULT = Plan()

_Rule = TypeVar("_Rule", Fault, Latency)


class Faults:
    """The active fault rules and latencies, consulted once per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._latencies: list[Latency] = []
        self._active = False  # any rule or latency: one test per call while there is none

    def add(self, rule: _Rule) -> _Rule:
        """Add a fault rule or a latency; returns it. The latest latency covering a call paces it."""
        with self._lock:
            if isinstance(rule, Latency):
                self._latencies.append(rule)
            else:
                self._rules.append(rule)
            self._active = True
        return rule

    def remove(self, rule: Fault | Latency) -> None:
        """Retire one rule or latency (no error if it is already gone)."""
        with self._lock:
            self._rules = [kept for kept in self._rules if kept is not rule]
            self._latencies = [kept for kept in self._latencies if kept is not rule]
            self._active = bool(self._rules or self._latencies)

    def clear(self) -> None:
        """Remove every rule and latency."""
        with self._lock:
            self._rules.clear()
            self._latencies.clear()
            self._active = False

    @property
    def rules(self) -> list[Fault]:
        """A snapshot of the rules."""
        with self._lock:
            return list(self._rules)

    @property
    def latencies(self) -> list[Latency]:
        """A snapshot of the latencies."""
        with self._lock:
            return list(self._latencies)

    def plan(self, method: str, service: str) -> Plan:
        """Consume the rules that fire for this call and merge them into a plan."""
        if not self._active:
            return NO_FAULT
        before = after = None
        delay = chunk_delay = 0.0
        fail_after = None
        trailing: Metadata = ()
        fired: list[Fault] = []
        latency = None
        with self._lock:
            for rule in self._rules:
                if rule.exhausted() or not rule.applies_to(method, service):
                    continue
                if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                fired.append(rule)
                trailing += rule._trailing
            for candidate in reversed(self._latencies):
                if candidate.applies_to(method, service):
                    latency = candidate
                    break
        for rule in fired:
            delay += rule.delay
            chunk_delay += rule.chunk_delay
            if rule.after_chunks is not None and after is None:
                fail_after, after = rule.after_chunks, rule._failure(trailing)
            elif rule.code is not None and rule.after_chunks is None and before is None:
                before = rule._failure(trailing)
        if not fired and latency is None:
            return NO_FAULT
        return Plan(before, delay, chunk_delay, fail_after, after, trailing, latency)


class FaultLayer:
    """Layer 3: applies the :class:`Faults` that fire for a call, and their latency."""

    name: ClassVar[str] = "faults"

    def __init__(self, faults: Faults) -> None:
        self.faults = faults

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Fail or delay the call, or wrap the stream the rest of the chain answers with."""
        plan = self.faults.plan(call.method.full_name, call.method.service)
        if plan is NO_FAULT:
            return await rest(call)
        if plan.delay:
            await _pause(call, plan.delay, 0)
        if plan.before is not None:
            raise plan.before.error(f"injected {plan.before.code.name} (xai_fake fault)")
        answer = await rest(call)
        if not isinstance(answer, Message):
            return _wrapped(call, answer, plan)
        pause = plan.chunk_delay + (plan.latency.unary(answer) if plan.latency is not None else 0.0)
        if pause:
            await _pause(call, pause, 0)
        if plan.after is not None:  # the answer was made, and is not sent
            raise plan.after.error(f"injected {plan.after.code.name} after 0 message(s)")
        _add_trailing(call, plan.trailing)
        return answer


async def _pause(call: Call, seconds: float, sent: int) -> None:
    """Sleep ``seconds``; if the client's deadline comes first, sleep until it and end the call there."""
    remaining = call.context.time_remaining()
    if remaining is not None and seconds >= remaining:
        await asyncio.sleep(max(remaining, 0.0))
        raise FakeRpcError(
            grpc.StatusCode.DEADLINE_EXCEEDED, f"xai_fake: the client's deadline passed after {sent} message(s)"
        )
    await asyncio.sleep(seconds)


def _add_trailing(call: Call, trailing: Metadata) -> None:
    """Add ``trailing`` to the trailers the rest of the chain set (a cassette's, say)."""
    if trailing:
        call.context.set_trailing_metadata((*(call.context.trailing_metadata() or ()), *trailing))


async def _wrapped(call: Call, stream: AsyncIterator[Message], plan: Plan) -> AsyncIterator[Message]:
    sent = 0
    latency = plan.latency
    try:
        async for message in stream:
            if plan.fail_after is not None and sent >= plan.fail_after:
                break
            pause = plan.chunk_delay
            if latency is not None:
                pause += latency.first_message() if sent == 0 else latency.next_message(message)
            if pause:
                await _pause(call, pause, sent)
            yield message
            sent += 1
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    if plan.after is not None:
        raise plan.after.error(f"injected {plan.after.code.name} after {sent} message(s)")
    _add_trailing(call, plan.trailing)
