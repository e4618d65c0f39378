"""Replay: answer live calls from the recorded interactions of a cassette.

Each interaction plays once, the first unplayed match in recording order
(``allow_playback_repeats=True`` lets played ones answer again). Streams replay chunk
for chunk, with their recorded final status (a mid-stream error included), and with
the recorded pauses when ``honour_timing`` is on (divided by ``speed``). A miss
raises a FAILED_PRECONDITION error naming the method, the cassette file and the
closest recorded request with a field-level diff, and is kept in :attr:`Player.misses`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import unpack
from xai_fake.cassette.matchers import RequestMatcher
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method

MAX_DIFF_LINES = 20


@dataclass
class Miss:
    """A live call that no recorded interaction answered."""

    method: str  # "/xai_api.Chat/GetCompletion"
    requests: list[Message]
    closest: cassette_pb2.Interaction | None
    diff: list[str]
    cassette: str

    def explain(self) -> str:
        """A readable report: what was called, what was closest, and what differs."""
        lines = [f"no recorded interaction in {self.cassette} matches {self.method}"]
        if self.closest is None:
            lines.append("the cassette holds no interaction to compare with")
        else:
            lines.append(f"closest recorded request ({self.closest.method}), differences (recorded -> live):")
            shown = self.diff[:MAX_DIFF_LINES] or ["(none in the compared fields: it was already played)"]
            lines.extend(f"  {line}" for line in shown)
            if len(self.diff) > MAX_DIFF_LINES:
                lines.append(f"  ... and {len(self.diff) - MAX_DIFF_LINES} more")
        lines.append(
            "fix: record it (record_mode='new_episodes' or 'all', or --xai-record-mode), "
            "relax matching (ignore_fields=[...], match_on=...), or allow_playback_repeats=True"
        )
        return "\n".join(lines)


@dataclass
class _Entry:
    interaction: cassette_pb2.Interaction
    requests: list[Message]
    played: int = 0
    index: int = field(default=0)


class Player:
    """Answers calls from ``cassette`` (loaded from ``path``, used in messages only)."""

    def __init__(
        self,
        cassette: cassette_pb2.Cassette,
        path: str | Path,
        *,
        matcher: RequestMatcher | None = None,
        allow_playback_repeats: bool = False,
        honour_timing: bool = False,
        speed: float = 1.0,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0 (2.0 replays twice as fast), got {speed!r}")
        self.path = str(path)
        self.matcher = matcher or RequestMatcher()
        self.allow_playback_repeats = allow_playback_repeats
        self.honour_timing = honour_timing
        self.speed = float(speed)
        self.misses: list[Miss] = []
        self._lock = threading.Lock()
        self._entries = [
            _Entry(interaction, [unpack(r) for r in interaction.requests], index=index)
            for index, interaction in enumerate(cassette.interactions)
        ]
        # Calls are looked up by key rather than compared with every entry (1,000-call cassettes).
        self._by_key: dict[bytes, list[_Entry]] = {}
        if self.matcher.indexable:
            for entry in self._entries:
                self._by_key.setdefault(self.matcher.key(entry.interaction.method, entry.requests), []).append(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def unplayed(self) -> list[cassette_pb2.Interaction]:
        """Recorded interactions that no call has played yet."""
        with self._lock:
            return [e.interaction for e in self._entries if not e.played]

    def find(self, method: Method, requests: Sequence[Message]) -> cassette_pb2.Interaction | None:
        """Take the interaction that answers this call (marking it played), or None."""
        with self._lock:
            matches = self._by_key.get(self.matcher.key(method.path, requests)) if self._by_key else None
            if not matches:  # no index, or a miss (or a match only proto equality sees, e.g. -0.0 vs 0.0)
                matches = [
                    e
                    for e in self._entries
                    if e.interaction.method == method.path
                    and self.matcher.matches(method.full_name, e.requests, requests, streaming=method.client_streaming)
                ]
            entry = next((e for e in matches if not e.played), None)
            if entry is None and self.allow_playback_repeats and matches:
                entry = matches[-1]
            if entry is None:
                return None
            entry.played += 1
            return entry.interaction

    def miss(self, method: Method, requests: Sequence[Message]) -> Miss:
        """Record a miss and return it, with the closest recorded interaction and the diff."""
        closest, diff = self.closest(method, requests)
        miss = Miss(method.path, list(requests), closest, diff, self.path)
        with self._lock:
            self.misses.append(miss)
        return miss

    def closest(self, method: Method, requests: Sequence[Message]) -> tuple[cassette_pb2.Interaction | None, list[str]]:
        """The recorded interaction closest to this call, and the field-level diff to it.

        Same-method interactions come first (unplayed before played), then the fewest differences.
        """
        with self._lock:
            entries = list(self._entries)
        best: tuple[tuple[int, int, int], _Entry, list[str]] | None = None
        for entry in entries:
            same = entry.interaction.method == method.path
            if same and _same_types(entry.requests, requests):
                diff = self.matcher.diff(entry.requests, requests)
            else:
                diff = [f"method: {entry.interaction.method} -> {method.path}"]
            score = (0 if same else 1, 1 if entry.played else 0, len(diff))
            if best is None or score < best[0]:
                best = (score, entry, diff)
        if best is None:
            return None, []
        return best[1].interaction, best[2]

    def answer(
        self, interaction: cassette_pb2.Interaction, context: grpc.aio.ServicerContext[Any, Any] | None = None
    ) -> AsyncIterator[tuple[Message, float]]:
        """The recorded answer as ``(message, pause)`` pairs, ending with the recorded status.

        With ``context``, the recorded initial and trailing metadata are sent too.
        """
        return self._play(interaction, context)

    async def _play(
        self, interaction: cassette_pb2.Interaction, context: grpc.aio.ServicerContext[Any, Any] | None
    ) -> AsyncIterator[tuple[Message, float]]:
        initial = metadata_pairs(interaction.initial_metadata)
        if context is not None and initial:
            await context.send_initial_metadata(initial)
        last = _seconds(interaction.requests[-1].offset) if interaction.requests else 0.0
        for recorded in interaction.responses:
            at = _seconds(recorded.offset)
            pause = max(0.0, at - last) / self.speed if self.honour_timing else 0.0
            last = max(last, at)
            yield unpack(recorded), pause
        if interaction.status_code != grpc.StatusCode.OK.value[0]:
            if self.honour_timing and interaction.HasField("duration"):
                await asyncio.sleep(max(0.0, _seconds(interaction.duration) - last) / self.speed)
            raise FakeRpcError(
                status_code(interaction.status_code),
                interaction.status_details,
                trailing_metadata=metadata_pairs(interaction.trailing_metadata),
            )
        trailing = metadata_pairs(interaction.trailing_metadata)
        if context is not None and trailing:
            context.set_trailing_metadata(trailing)


def _same_types(recorded: Sequence[Message], live: Sequence[Message]) -> bool:
    return all(type(a) is type(b) for a, b in zip(recorded, live, strict=False))


def _seconds(duration: Any) -> float:
    return float(duration.seconds) + float(duration.nanos) / 1e9


def status_code(number: int) -> grpc.StatusCode:
    """The :class:`grpc.StatusCode` with this number (UNKNOWN for numbers gRPC does not define)."""
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    return grpc.StatusCode.UNKNOWN


#: Metadata the transport sets itself; never replayed or forwarded.
RESERVED_METADATA = frozenset(
    {"content-type", "user-agent", "te", "host", "connection", "keep-alive", "transfer-encoding", "upgrade",
     "proxy-connection", "accept-encoding", "content-length"}
)  # fmt: skip


def sendable(key: str) -> bool:
    """False for pseudo-headers, ``grpc-*`` and hop-by-hop headers, which gRPC manages itself."""
    key = key.lower()
    return not key.startswith((":", "grpc-")) and key not in RESERVED_METADATA


def metadata_pairs(entries: Sequence[cassette_pb2.Metadatum]) -> tuple[tuple[str, Any], ...]:
    """Recorded metadata as gRPC ``(key, value)`` pairs, without reserved keys."""
    pairs: list[tuple[str, Any]] = []
    for entry in entries:
        if not sendable(entry.key):
            continue
        value: Any = entry.binary if entry.WhichOneof("value") == "binary" else entry.text
        pairs.append((entry.key, value))
    return tuple(pairs)
