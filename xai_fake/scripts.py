"""Layer 3: per-test scripted answers, per method.

A script is a queue of steps. Each step answers one call (or several, or every
call) with one of:

- a response message (for a streaming method: one chunk);
- a list of messages (the chunks of a stream), or a :class:`Stream` with delays;
- a callable ``(request, context)`` returning any of these, sync or async; for
  client-streaming methods ``request`` is the list of request messages;
- an :class:`Error`, a :class:`grpc.StatusCode`, or a raised :class:`FakeRpcError`.

When the queue is empty, calls fall through to the cassette and default layers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import grpc
from google.protobuf.message import Message

from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method, resolve_method


@dataclass(frozen=True)
class Error:
    """A scripted failure: the call ends with this status."""

    code: grpc.StatusCode
    details: str = ""

    def to_exception(self) -> FakeRpcError:
        return FakeRpcError(self.code, self.details or f"scripted {self.code.name}")


@dataclass(frozen=True)
class Stream:
    """Scripted stream chunks, with an optional pause before each chunk and an optional final error."""

    chunks: Sequence[Message]
    delay: float | Sequence[float] = 0.0
    error: Error | None = None

    def delay_before(self, index: int) -> float:
        if isinstance(self.delay, (int, float)):
            return float(self.delay)
        return float(self.delay[index]) if index < len(self.delay) else 0.0


Answer = Union[Message, Sequence[Message], Stream, Error, grpc.StatusCode, Callable[..., Any]]  # noqa: UP007


@dataclass
class Budget:
    """How many calls a step may still answer; one budget can be shared by steps of several methods."""

    remaining: int | None  # None: forever

    def spent(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


@dataclass
class _Step:
    answer: Answer
    budget: Budget


class Script:
    """The scripted answers of one method. Obtain it with ``fake.script(method)``; calls chain."""

    def __init__(self, method: Method) -> None:
        self.method = method
        self._lock = threading.Lock()
        self._steps: list[_Step] = []

    def _add(self, answer: Answer, times: int | None) -> Script:
        return self.add(answer, new_budget(times))

    def add(self, answer: Answer, budget: Budget) -> Script:
        """Queue ``answer`` for as many calls as ``budget`` allows (shared budgets span methods)."""
        _check_answer(self.method, answer)
        with self._lock:
            self._steps.append(_Step(answer, budget))
        return self

    def respond(self, answer: Answer, *, times: int | None = None) -> Script:
        """Answer the next ``times`` calls (every call if None) with ``answer``."""
        return self._add(answer, times)

    def respond_once(self, answer: Answer) -> Script:
        """Answer the next call with ``answer``."""
        return self._add(answer, 1)

    def respond_with(self, function: Callable[..., Any], *, times: int | None = None) -> Script:
        """Answer by calling ``function(request, context)``."""
        if not callable(function):
            raise TypeError(f"respond_with() needs a callable, got {type(function).__name__}")
        return self._add(function, times)

    def sequence(self, answers: Sequence[Answer]) -> Script:
        """Answer the next calls with these answers, one each, in order."""
        for answer in answers:
            self._add(answer, 1)
        return self

    def fail(self, code: grpc.StatusCode, details: str = "", *, times: int | None = 1) -> Script:
        """Fail the next ``times`` calls with ``code``."""
        return self._add(Error(code, details), times)

    def clear(self) -> None:
        with self._lock:
            self._steps.clear()

    @property
    def pending(self) -> int:
        """Steps not yet consumed (a forever step counts as one)."""
        with self._lock:
            return len(self._steps)

    def take(self) -> Answer | None:
        """Consume the answer for one call, or None to fall through."""
        with self._lock:
            while self._steps and self._steps[0].budget.spent():
                self._steps.pop(0)
            if not self._steps:
                return None
            step = self._steps[0]
            if step.budget.remaining is not None:
                step.budget.remaining -= 1
            return step.answer


def new_budget(times: int | None) -> Budget:
    """A budget of ``times`` calls (None: every call), validated."""
    if times is not None and times < 1:
        raise ValueError(f"times must be >= 1 (or None for every call), got {times}")
    return Budget(times)


def _check_answer(method: Method, answer: Answer) -> None:
    if isinstance(answer, (Error, grpc.StatusCode, Stream)) or callable(answer):
        messages: Sequence[Any] = answer.chunks if isinstance(answer, Stream) else []
    elif isinstance(answer, Message):
        messages = [answer]
    elif isinstance(answer, (list, tuple)):
        if not method.server_streaming:
            raise ValueError(
                f"{method.full_name} answers with one message, not a list; use sequence() for several calls"
            )
        messages = answer
    else:
        raise TypeError(f"cannot answer {method.full_name} with {type(answer).__name__}; see xai_fake.scripts")
    for message in messages:
        if not isinstance(message, method.response_type):
            raise TypeError(
                f"{method.full_name} answers with {method.response_type.DESCRIPTOR.full_name}, "
                f"not {type(message).__name__}"
            )


class Scripts:
    """All scripts of a server, created on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, Script] = {}

    def get(self, method: str | Method) -> Script:
        resolved = method if isinstance(method, Method) else resolve_method(method)
        with self._lock:
            script = self._scripts.get(resolved.full_name)
            if script is None:
                script = self._scripts[resolved.full_name] = Script(resolved)
            return script

    def take(self, method: str) -> Answer | None:
        script = self._scripts.get(method)
        return script.take() if script is not None else None

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
