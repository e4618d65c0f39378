"""Shared state and seeded randomness for the default behaviours.

Answers are deterministic per request: the generator for a call is seeded from the
server seed and the request's bytes, so the same request always gets the same
answer, whatever ran before it. Ids come from a counter, so they stay unique.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

S = TypeVar("S")


class State:
    """Everything the default behaviours remember between calls. ``reset()`` forgets it all."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._ids = itertools.count(1)
        self._faker: Any = None
        self._typed: dict[type[Any], Any] = {}
        #: Set by the FakeServer while its HTTP file server runs; see :meth:`publish`.
        self.publisher: Callable[[str, bytes, str], str] | None = None

    def reset(self) -> None:
        self._ids = itertools.count(1)
        self._typed.clear()

    @property
    def kept(self) -> dict[type[Any], Any]:
        """The typed state of every service that has any, by class (empty after :meth:`reset`)."""
        return dict(self._typed)

    def of(self, kind: type[S]) -> S:
        """The state of one service: an instance of ``kind`` (a dataclass with defaults), made on first use.

        Each service keeps its typed state in a class of its own (``FilesState``, ``BatchState``,
        ...); :meth:`reset` forgets every one of them.
        """
        found = self._typed.get(kind)
        if found is None:
            found = self._typed[kind] = kind()
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


def now() -> timestamp_pb2.Timestamp:
    """The current time as a protobuf Timestamp (whole seconds, as the API returns)."""
    return timestamp_pb2.Timestamp(seconds=int(time.time()))
