"""Shared state, time and seeded randomness for the default behaviours.

Answers are deterministic per request: the generator for a call is seeded from the
server seed and the request's bytes, so the same request always gets the same
answer, whatever ran before it. Ids come from a counter, so they stay unique.

Time is :attr:`State.clock` (``fake.clock``, :mod:`xai_fake.clock`): the handlers read it, never
the wall clock. Typed state is kept per tenant (team, :mod:`xai_fake.tenancy`): ``state.of(kind)``
is the instance of the tenant of the call in progress, so one team never sees another's ids.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from xai_fake import tenancy
from xai_fake.clock import Clock

S = TypeVar("S")

#: The key of typed state all tenants share (a kind whose class sets ``SHARED = True``).
_SHARED = ""
_current = tenancy.current
#: The time work being caught up on happened at (see :meth:`State.as_of`), or None: the clock's.
_AS_OF: ContextVar[float | None] = ContextVar("xai_fake_as_of", default=None)


class Forgets(Protocol):
    """Typed state that can forget one of its records by id (see :meth:`State.forget_at`)."""

    def forget(self, ident: str) -> None:
        """Drop the record ``ident`` if it is still there."""
        ...


class State:
    """Everything the default behaviours remember between calls. ``reset()`` forgets it all."""

    def __init__(self, seed: int = 0, clock: Clock | None = None) -> None:
        self.seed = seed
        #: The fake's one clock (``fake.clock``): every lifecycle and timestamp reads it.
        self.clock = Clock() if clock is None else clock
        self._ids = itertools.count(1)
        self._faker: Any = None
        self._typed: dict[tuple[str, type[Any]], Any] = {}
        self._shared: dict[type[Any], bool] = {}
        # (time, order, team, kind, id): records to forget once the clock reaches the time, soonest first.
        self._deadlines: list[tuple[float, int, str, type[Any], str]] = []
        self._order = itertools.count()
        #: Set by the FakeServer while its HTTP file server runs; see :meth:`publish`.
        self.publisher: Callable[[str, bytes, str], str] | None = None

    def reset(self) -> None:
        """Forget every tenant's typed state and every pending expiry; the clock goes back to real time."""
        self._ids = itertools.count(1)
        self._typed.clear()
        self._deadlines.clear()
        self.clock.reset()

    # -- time ------------------------------------------------------------------------------

    def time(self) -> float:
        """The current time of the fake, in POSIX seconds: the clock's (see :meth:`as_of`)."""
        caught_up = _AS_OF.get()
        return self.clock.time() if caught_up is None else caught_up

    def now(self) -> timestamp_pb2.Timestamp:
        """:meth:`time` as a protobuf Timestamp (whole seconds, as the API returns)."""
        return timestamp_pb2.Timestamp(seconds=int(self.time()))

    @contextmanager
    def as_of(self, moment: float) -> Iterator[None]:
        """Inside the block, :meth:`time` is ``moment``: for work the fake catches up on.

        A batch request whose time came while nobody asked is answered when the batch is next
        read, as of the time it finished: its timestamps, and the video job it starts, date from
        then, so what a test sees depends on the clock alone, not on when it polled.
        """
        token = _AS_OF.set(moment)
        try:
            yield
        finally:
            _AS_OF.reset(token)

    def timestamp(self, seconds: float) -> timestamp_pb2.Timestamp:
        """A protobuf Timestamp of a clock time (whole seconds, as the API returns)."""
        return timestamp_pb2.Timestamp(seconds=int(seconds))

    def forget_at(self, at: float, kind: type[Forgets], ident: str) -> None:
        """Once the clock reaches ``at``, the current tenant's ``kind`` forgets ``ident``.

        The record goes on the first :meth:`of` after that time (of any kind), before anything
        reads it: an expired file or stored completion is then NOT_FOUND everywhere, in lists too.
        """
        team = _SHARED if self._is_shared(kind) else tenancy.current().team
        heapq.heappush(self._deadlines, (at, next(self._order), team, kind, ident))

    def _expire(self, now: float) -> None:
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, team, kind, ident = heapq.heappop(deadlines)
            found = self._typed.get((team, kind))
            if found is not None:
                found.forget(ident)

    # -- typed state -----------------------------------------------------------------------

    @property
    def tenant(self) -> tenancy.Tenant:
        """The tenant (team) the call in progress acts for (the default tenant outside any call)."""
        return tenancy.current()

    @property
    def kept(self) -> dict[type[Any], Any]:
        """The typed state the current tenant sees, by class (empty after :meth:`reset`)."""
        team = tenancy.current().team
        return {kind: found for (owner, kind), found in self._typed.items() if owner in (team, _SHARED)}

    def _is_shared(self, kind: type[Any]) -> bool:
        shared = self._shared.get(kind)
        if shared is None:
            shared = self._shared[kind] = getattr(kind, "SHARED", False) is True
        return shared

    def of(self, kind: type[S]) -> S:
        """The state of one service for the current tenant: an instance of ``kind`` (a dataclass with
        defaults), made on first use.

        Each service keeps its typed state in a class of its own (``FilesState``, ``BatchState``,
        ...), one instance per tenant (team), unless the class sets ``SHARED = True`` (test-side
        settings, not tenant data); :meth:`reset` forgets every one of them. Records whose time is
        up (:meth:`forget_at`) are gone before the instance is handed out.
        """
        deadlines = self._deadlines
        if deadlines and deadlines[0][0] <= self.clock.time():
            self._expire(self.clock.time())  # the clock's time, not as_of's: expiry never runs backwards
        shared = self._shared.get(kind)
        if shared is None:
            shared = self._is_shared(kind)
        key = (_SHARED, kind) if shared else (_current().team, kind)
        found = self._typed.get(key)
        if found is None:
            found = self._typed[key] = kind()
        return found

    def publish(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` over the fake's HTTP file server at ``path``; returns its URL."""
        if self.publisher is None:
            raise RuntimeError("no HTTP file server: start the FakeServer before answering with URLs")
        return self.publisher(path, data, content_type)

    def new_id(self, prefix: str) -> str:
        """A unique, readable id such as ``file-000001``."""
        return f"{prefix}-{next(self._ids):06d}"

    def new_uuid(self) -> str:
        """A unique UUID4-shaped id, deterministic for a given seed and call order."""
        digest = bytearray(hashlib.blake2b(f"{self.seed}:{next(self._ids)}".encode(), digest_size=16).digest())
        digest[6] = (digest[6] & 0x0F) | 0x40  # version 4
        digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
        text = digest.hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def rng(self, *parts: Message | str | bytes | int) -> random.Random:
        """A generator seeded from the server seed and the given request(s) or labels."""
        digest = hashlib.blake2b(str(self.seed).encode(), digest_size=8)
        for part in parts:
            if isinstance(part, Message):
                digest.update(part.SerializeToString(deterministic=True))
            elif isinstance(part, bytes):
                digest.update(part)
            else:
                digest.update(str(part).encode())
            digest.update(b"\x00")
        return random.Random(int.from_bytes(digest.digest(), "big"))

    def faker(self, rng: random.Random) -> Any:
        """A Faker instance re-seeded from ``rng`` (faker is imported on first use)."""
        if self._faker is None:
            try:
                from faker import Faker
            except ImportError:
                raise ImportError("xai_fake needs faker for generated text: pip install 'xai-devkit[fake]'") from None

            self._faker = Faker("en_US")
        self._faker.seed_instance(rng.getrandbits(32))
        return self._faker
