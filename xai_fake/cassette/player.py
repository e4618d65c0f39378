"""Replay: answer live calls from the recorded interactions of a cassette.

Each interaction plays once, the first unplayed match in recording order
(``allow_playback_repeats=True`` lets played ones answer again: the last match then answers).
A unary call gets the recorded response message; a server stream replays chunk for chunk,
with the recorded pauses when ``honour_timing`` is on (divided by ``speed``). Either way the
recorded initial and trailing metadata are sent, and the call ends with the recorded status
(a mid-stream error included). A miss is kept in :attr:`Player.misses`, with the closest
recorded request and a field-level diff.

Recorded requests are decoded (and keyed) when the player is built; recorded responses are
decoded once, the first time their interaction answers, and reused.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import unpack
from xai_fake.cassette.matchers import CallView, Prepared, RequestMatcher
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method, all_methods

MAX_DIFF_LINES = 20

_OK = grpc.StatusCode.OK.value[0]


@dataclass
class Miss:
    """A live call that no recorded interaction answered."""

    method: str  # "/xai_api.Chat/GetCompletion"
    requests: list[Message]
    closest: cassette_pb2.Interaction | None
    diff: list[str]
    cassette: str
    #: True if the closest interaction had already been played (and repeats are off): the reason it did not answer.
    played: bool = True

    def explain(self) -> str:
        """A readable report: what was called, what was closest, and what differs."""
        lines = [f"no recorded interaction in {self.cassette} matches {self.method}"]
        if self.closest is None:
            lines.append("the cassette holds no interaction to compare with")
        else:
            lines.append(f"closest recorded request ({self.closest.method}), differences (recorded -> live):")
            nothing = "it was already played" if self.played else "a custom matcher refused it"
            shown = self.diff[:MAX_DIFF_LINES] or [f"(none in the compared fields: {nothing})"]
            lines.extend(f"  {line}" for line in shown)
            if len(self.diff) > MAX_DIFF_LINES:
                lines.append(f"  ... and {len(self.diff) - MAX_DIFF_LINES} more")
        lines.append(
            "fix: record it (record_mode='new_episodes' or 'all', or --xai-record-mode), "
            "relax matching (ignore_fields=[...], match_on=...), or allow_playback_repeats=True"
        )
        return "\n".join(lines)


class _Replay:
    """What one interaction answers with, decoded once."""

    __slots__ = ("code", "details", "end_pause", "initial", "messages", "pauses", "trailing")

    def __init__(self, interaction: cassette_pb2.Interaction, timing: bool, speed: float) -> None:
        self.messages = tuple(unpack(recorded) for recorded in interaction.responses)
        self.initial = metadata_pairs(interaction.initial_metadata)
        self.trailing = metadata_pairs(interaction.trailing_metadata)
        self.code = None if interaction.status_code == _OK else status_code(interaction.status_code)
        self.details = interaction.status_details
        self.pauses: tuple[float, ...] | None = None
        self.end_pause = 0.0
        if timing:
            last = _seconds(interaction.requests[-1].offset) if interaction.requests else 0.0
            pauses = []
            for recorded in interaction.responses:
                at = _seconds(recorded.offset)
                pauses.append(max(0.0, at - last) / speed)
                last = max(last, at)
            self.pauses = tuple(pauses)
            if self.code is not None and interaction.HasField("duration"):
                self.end_pause = max(0.0, _seconds(interaction.duration) - last) / speed

    def error(self) -> FakeRpcError:
        assert self.code is not None
        return FakeRpcError(self.code, self.details, trailing_metadata=self.trailing)


class _Entry:
    """One recorded interaction, decoded for matching, and its play count."""

    __slots__ = ("fits", "index", "interaction", "path", "played", "prepared", "replay", "requests")

    def __init__(self, interaction: cassette_pb2.Interaction, index: int, matcher: RequestMatcher) -> None:
        self.interaction = interaction
        self.index = index
        self.path = interaction.method
        self.requests = [unpack(r) for r in interaction.requests]
        self.played = 0
        self.replay: _Replay | None = None
        #: Live method path -> whether this interaction's responses can answer that method.
        self.fits: dict[str, bool] = {}
        known = all_methods().get(self.path.lstrip("/"))
        streaming = known.client_streaming if known is not None else len(self.requests) != 1
        view = CallView(self.path, self.requests, recorded_metadata(interaction), client_streaming=streaming)
        self.prepared = matcher.prepare(view)

    def fits_method(self, method: Method) -> bool:
        """True if the recorded responses can answer ``method`` (same response type; one at most if unary)."""
        if self.path == method.path:
            return True
        fits = self.fits.get(method.path)
        if fits is None:
            wanted = method.response_type.DESCRIPTOR.full_name
            responses = self.interaction.responses
            fits = all(r.body.TypeName() == wanted for r in responses) and (
                method.server_streaming or len(responses) <= 1
            )
            self.fits[method.path] = fits
        return fits


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
            _Entry(interaction, index, self.matcher) for index, interaction in enumerate(cassette.interactions)
        ]
        self._by_interaction = {id(entry.interaction): entry for entry in self._entries}
        # Calls are looked up by key rather than compared with every entry (1,000-call cassettes).
        self._by_key: dict[Any, list[_Entry]] | None = None
        if self.matcher.indexable:
            self._by_key = {}
            for entry in self._entries:
                self._by_key.setdefault(entry.prepared.key, []).append(entry)
        # Entries in a bucket need a second look only when metadata values or other methods are involved.
        self._bucket_is_match = self.matcher.matches_method and not self.matcher.matches_metadata

    def __len__(self) -> int:
        return len(self._entries)

    def unplayed(self) -> list[cassette_pb2.Interaction]:
        """Recorded interactions that no call has played yet."""
        with self._lock:
            return [e.interaction for e in self._entries if not e.played]

    def _live(self, method: Method, requests: Sequence[Message], metadata: Mapping[str, str] | None) -> Prepared:
        view = CallView(method.full_name, requests, metadata, client_streaming=method.client_streaming)
        return self.matcher.prepare(view)

    def find(
        self, method: Method, requests: Sequence[Message], metadata: Mapping[str, str] | None = None
    ) -> cassette_pb2.Interaction | None:
        """Take the interaction that answers this call (marking it played), or None.

        ``metadata`` is the live call's request metadata (for the ``"metadata"`` matcher and
        custom matchers), keys lower-case.
        """
        matcher = self.matcher
        by_key = self._by_key
        if by_key is not None:
            key, comparable = matcher.lookup(method.full_name, requests, metadata)
        with self._lock:
            matches: list[_Entry] | None = None
            if by_key is not None:
                bucket = by_key.get(key)
                if bucket:
                    if self._bucket_is_match:
                        matches = bucket
                    else:
                        agree = matcher.agree_metadata
                        matches = [e for e in bucket if e.fits_method(method) and agree(e.prepared, comparable)]
            if not matches:  # no index, or a miss (or a match only proto equality sees, e.g. -0.0 vs 0.0)
                live = self._live(method, requests, metadata)
                match = matcher.match_prepared
                matches = [e for e in self._entries if e.fits_method(method) and match(e.prepared, live)]
            entry = None
            for candidate in matches:
                if not candidate.played:
                    entry = candidate
                    break
            if entry is None:
                if not self.allow_playback_repeats or not matches:
                    return None
                entry = matches[-1]
            entry.played += 1
            return entry.interaction

    def miss(self, method: Method, requests: Sequence[Message], metadata: Mapping[str, str] | None = None) -> Miss:
        """Record a miss and return it, with the closest recorded interaction and the diff."""
        closest, diff, played = self._closest(method, requests, metadata)
        miss = Miss(method.path, list(requests), closest, diff, self.path, played and not self.allow_playback_repeats)
        with self._lock:
            self.misses.append(miss)
        return miss

    def closest(
        self, method: Method, requests: Sequence[Message], metadata: Mapping[str, str] | None = None
    ) -> tuple[cassette_pb2.Interaction | None, list[str]]:
        """The recorded interaction closest to this call, and the differences from it.

        Same-method interactions come first (unplayed before played), then the fewest differences.
        """
        closest, diff, _ = self._closest(method, requests, metadata)
        return closest, diff

    def _closest(
        self, method: Method, requests: Sequence[Message], metadata: Mapping[str, str] | None
    ) -> tuple[cassette_pb2.Interaction | None, list[str], bool]:
        live = CallView(method.full_name, requests, metadata, client_streaming=method.client_streaming)
        with self._lock:
            entries = [(entry, entry.played) for entry in self._entries]
        best: tuple[tuple[int, int, int], _Entry, list[str], bool] | None = None
        for entry, played in entries:
            diff = self.matcher.explain(entry.prepared.view, live)
            if not self.matcher.matches_method and not entry.fits_method(method):
                diff.append(f"responses: the recorded ones cannot answer {method.full_name} (another type or kind)")
            score = (0 if entry.path == method.path else 1, 1 if played else 0, len(diff))
            if best is None or score < best[0]:
                best = (score, entry, diff, bool(played))
        if best is None:
            return None, [], False
        return best[1].interaction, best[2], best[3]

    async def answer(
        self,
        interaction: cassette_pb2.Interaction,
        method: Method | None = None,
        context: grpc.aio.ServicerContext[Any, Any] | None = None,
    ) -> Message | AsyncIterator[Message]:
        """The recorded answer to a call of ``method`` (default: the recorded method).

        Sends the recorded initial metadata through ``context`` (if given) before answering. For a
        unary method: the recorded response message, after the recorded trailing metadata is set;
        a recorded error status is raised as :class:`~xai_fake.errors.FakeRpcError`. For a
        server-streaming method: an async iterator of the recorded messages, pausing before each
        when ``honour_timing`` is on, that ends by setting the trailing metadata or raising the
        recorded error. The messages are shared between replays: do not modify them.
        """
        entry = self._by_interaction.get(id(interaction))
        replay = entry.replay if entry is not None else None
        if replay is None:
            replay = _Replay(interaction, self.honour_timing, self.speed)
            if entry is not None:
                entry.replay = replay
        if method is None:
            method = all_methods()[interaction.method.lstrip("/")]
        if context is not None and replay.initial:
            await context.send_initial_metadata(replay.initial)
        if method.server_streaming:
            return self._stream(replay, context)
        if replay.pauses:
            await asyncio.sleep(replay.pauses[0])
        if replay.code is not None:
            if replay.end_pause:
                await asyncio.sleep(replay.end_pause)
            raise replay.error()
        if not replay.messages:
            raise FakeRpcError(
                grpc.StatusCode.INTERNAL,
                f"xai_fake: the recorded {interaction.method} interaction in {self.path} has status OK but no "
                "response; the cassette is damaged: re-record it",
            )
        if context is not None and replay.trailing:
            context.set_trailing_metadata(replay.trailing)
        return replay.messages[0]

    @staticmethod
    async def _stream(replay: _Replay, context: grpc.aio.ServicerContext[Any, Any] | None) -> AsyncIterator[Message]:
        pauses = replay.pauses
        for index, message in enumerate(replay.messages):
            if pauses is not None and pauses[index]:
                await asyncio.sleep(pauses[index])
            yield message
        if replay.code is not None:
            if replay.end_pause:
                await asyncio.sleep(replay.end_pause)
            raise replay.error()
        if context is not None and replay.trailing:
            context.set_trailing_metadata(replay.trailing)


def recorded_metadata(interaction: cassette_pb2.Interaction) -> dict[str, str]:
    """The recorded request metadata as a dict, keys lower-case, binary values decoded as Latin-1."""
    metadata: dict[str, str] = {}
    for entry in interaction.request_metadata:
        if entry.WhichOneof("value") == "binary":
            metadata[entry.key.lower()] = entry.binary.decode("latin-1")
        else:
            metadata[entry.key.lower()] = entry.text
    return metadata


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
