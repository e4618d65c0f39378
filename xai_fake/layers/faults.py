"""Layer 3, faults: injected statuses, fail-N-times, latency, mid-stream failures, chaos.

The layer consults the rules once per call and wraps the rest of the chain's answer: a delay
and a status before anything else runs (retryable: nothing was committed), or a chunk delay
and a failure after N messages around the downstream stream (committed: the answer was made).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import ClassVar

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Next, Responses
from xai_fake.errors import FakeRpcError
from xai_fake.methods import resolve_method, resolve_service


@dataclass
class Fault:
    """One fault rule. Build them with :meth:`xai_fake.FakeServer.fault` and ``chaos``.

    Scope: ``method`` (``xai_api.Chat/GetCompletion``), ``service`` (``xai_api.Chat``),
    or neither for every call. A rule with ``times`` fires that many times, then
    retires; ``times=None`` fires forever. ``probability`` < 1 fires at random, drawn
    from a generator seeded by ``seed``.
    """

    method: str | None = None
    service: str | None = None
    code: grpc.StatusCode | None = None
    details: str = ""
    times: int | None = None
    delay: float = 0.0  # seconds before the first response message
    chunk_delay: float = 0.0  # seconds before each streamed message
    after_chunks: int | None = None  # fail (with ``code``) after this many streamed messages
    probability: float = 1.0
    seed: int = 0
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)

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
        if self.code == grpc.StatusCode.OK:
            raise ValueError("a fault's code cannot be OK; leave code=None for latency-only faults")
        self._rng = random.Random(self.seed)

    def applies_to(self, method: str, service: str) -> bool:
        """True if the rule's scope covers this call."""
        return (self.method is None or self.method == method) and (self.service is None or self.service == service)

    def exhausted(self) -> bool:
        """True once a rule with ``times`` has fired that often."""
        return self.times is not None and self.fired >= self.times


@dataclass(frozen=True)
class Plan:
    """What the fault layer decided for one call."""

    code: grpc.StatusCode | None = None  # fail before any response
    details: str = ""
    delay: float = 0.0
    chunk_delay: float = 0.0
    fail_after: int | None = None  # fail after this many responses ...
    fail_code: grpc.StatusCode | None = None  # ... with this status
    fail_details: str = ""


NO_FAULT = Plan()


class Faults:
    """The active fault rules, consulted once per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Add a rule; returns it."""
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[Fault]:
        """A snapshot of the rules."""
        with self._lock:
            return list(self._rules)

    def plan(self, method: str, service: str) -> Plan:
        """Consume the rules that fire for this call and merge them into a plan."""
        if not self._rules:
            return NO_FAULT
        code = fail_code = None
        details = fail_details = ""
        delay = chunk_delay = 0.0
        fail_after = None
        fired = False
        with self._lock:
            for rule in self._rules:
                if rule.exhausted() or not rule.applies_to(method, service):
                    continue
                if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                fired = True
                delay += rule.delay
                chunk_delay += rule.chunk_delay
                if rule.after_chunks is not None and fail_after is None:
                    fail_after, fail_code, fail_details = rule.after_chunks, rule.code, rule.details
                elif rule.code is not None and code is None:
                    code, details = rule.code, rule.details
        if not fired:
            return NO_FAULT
        return Plan(code, details, delay, chunk_delay, fail_after, fail_code, fail_details)


class FaultLayer:
    """Layer 3: applies the :class:`Faults` that fire for a call."""

    name: ClassVar[str] = "faults"

    def __init__(self, faults: Faults) -> None:
        self.faults = faults

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Fail or delay the call, or wrap the stream the rest of the chain answers with."""
        plan = self.faults.plan(call.method.full_name, call.method.service)
        if plan is NO_FAULT:
            return await rest(call)
        if plan.delay:
            await asyncio.sleep(plan.delay)
        if plan.code is not None:
            raise FakeRpcError(plan.code, plan.details or f"injected {plan.code.name} (xai_fake fault)")
        answer = await rest(call)
        if not isinstance(answer, Message):
            return _wrapped(answer, plan)
        if plan.fail_code is not None:
            sent = 0 if plan.fail_after == 0 else 1
            raise _failure(plan, sent)
        if plan.chunk_delay:
            await asyncio.sleep(plan.chunk_delay)
        return answer


def _failure(plan: Plan, sent: int) -> FakeRpcError:
    code = plan.fail_code or grpc.StatusCode.UNKNOWN
    return FakeRpcError(code, plan.fail_details or f"injected {code.name} after {sent} message(s)")


async def _wrapped(stream: AsyncIterator[Message], plan: Plan) -> AsyncIterator[Message]:
    sent = 0
    try:
        async for message in stream:
            if plan.fail_after is not None and sent >= plan.fail_after:
                break
            if plan.chunk_delay:
                await asyncio.sleep(plan.chunk_delay)
            yield message
            sent += 1
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    if plan.fail_code is not None:
        raise _failure(plan, sent)
