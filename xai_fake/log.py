"""The request log: every call the fake received, for assertions in tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import grpc
from google.protobuf.message import Message

from xai_fake.methods import resolve_method


@dataclass
class LoggedCall:
    """One call as the fake saw it."""

    method: str  # "xai_api.Chat/GetCompletion"
    requests: list[Message]
    metadata: dict[str, str]
    code: grpc.StatusCode = grpc.StatusCode.OK
    details: str = ""
    responses: int = 0  # messages sent back
    #: Seconds the client allowed the call (its deadline, as the server saw it), None without one.
    time_remaining: float | None = None
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
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
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
