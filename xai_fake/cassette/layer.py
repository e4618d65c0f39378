"""Layer 4 of the fake's pipeline: a cassette, replayed and/or recorded.

Built by ``FakeServer(cassette=...)`` and ``fake.use_cassette(...)``; scripted answers
(layer 3) win over it, and in replay a miss is an error unless ``fallback_to_defaults``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import load, new_cassette, save
from xai_fake.cassette.matchers import MatchOn, RequestMatcher
from xai_fake.cassette.player import Miss, Player
from xai_fake.cassette.record_mode import RecordMode
from xai_fake.cassette.recorder import Recorder
from xai_fake.cassette.redact import Redactor
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method


class CassetteLayer:
    """One cassette in use: the player of its recorded calls and, when recording, the proxy.

    Args:
        path: the cassette file (``.pb`` binary; ``.txtpb`` text format).
        record_mode: ``none`` (default), ``once``, ``new_episodes`` or ``all``; see
            :class:`~xai_fake.cassette.record_mode.RecordMode`.
        upstream, management_upstream, upstream_root_certificates, upstream_tls, redactor:
            see :class:`~xai_fake.cassette.recorder.Recorder` (used only when recording).
        match_on, ignore_fields: see :class:`~xai_fake.cassette.matchers.RequestMatcher`.
        allow_playback_repeats, honour_timing, speed: see :class:`~xai_fake.cassette.player.Player`.
        fallback_to_defaults: answer a replay miss with the fake's default behaviour instead
            of an error.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        record_mode: str | RecordMode = RecordMode.NONE,
        upstream: str | None = None,
        management_upstream: str | None = None,
        upstream_root_certificates: bytes | None = None,
        upstream_tls: bool | None = None,
        redactor: Redactor | None = None,
        match_on: MatchOn | None = None,
        ignore_fields: Sequence[str] = (),
        allow_playback_repeats: bool = False,
        honour_timing: bool = False,
        speed: float = 1.0,
        fallback_to_defaults: bool = False,
    ) -> None:
        self.path = Path(path)
        self.record_mode = RecordMode.parse(record_mode)
        self.fallback_to_defaults = fallback_to_defaults
        self._existing = load(self.path) if self.record_mode.replays(self.path) and self.path.exists() else None
        played = self._existing if self._existing is not None else cassette_pb2.Cassette()
        self.player = Player(
            played,
            self.path,
            matcher=RequestMatcher(match_on, ignore_fields),
            allow_playback_repeats=allow_playback_repeats,
            honour_timing=honour_timing,
            speed=speed,
        )
        self.recorder: Recorder | None = None
        if self.record_mode.records(self.path):
            self.recorder = Recorder(
                upstream,
                management_upstream,
                upstream_root_certificates=upstream_root_certificates,
                upstream_tls=upstream_tls,
                redactor=redactor,
            )
        self.saved = False

    @property
    def recording(self) -> bool:
        """True when calls that miss go upstream (and the server then skips its own key check)."""
        return self.recorder is not None

    @property
    def misses(self) -> list[Miss]:
        """Replay misses so far, each with the closest recorded request and the diff."""
        return list(self.player.misses)

    def unplayed(self) -> list[cassette_pb2.Interaction]:
        """Recorded interactions that no call played (for the "all played" check)."""
        return self.player.unplayed()

    def answer(
        self, method: Method, requests: Sequence[Message], context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any | None:
        """The answer for one call: replayed, proxied, None (fall through to defaults), or a miss error."""
        interaction = self.player.find(method, requests)
        if interaction is not None:
            return self.player.answer(interaction, context)
        if self.recorder is not None:
            return self.recorder.proxy(method, requests, context)
        miss = self.player.miss(method, requests)
        if self.fallback_to_defaults:
            return None
        hint = "" if self.path.exists() else f" (the file {self.path} does not exist: record it first)"
        raise FakeRpcError(grpc.StatusCode.FAILED_PRECONDITION, f"xai_fake cassette miss{hint}: {miss.explain()}")

    def cassette(self) -> cassette_pb2.Cassette:
        """What :meth:`save` writes: kept interactions (new_episodes) plus the recorded ones."""
        result = new_cassette()
        if self._existing is not None and self.record_mode is RecordMode.NEW_EPISODES:
            result.interactions.extend(self._existing.interactions)
        if self.recorder is not None:
            result.interactions.extend(self.recorder.interactions)
        return result

    def save(self) -> bool:
        """Write the cassette atomically if anything was recorded; True if written."""
        if self.recorder is None or not self.recorder.interactions:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        save(self.cassette(), self.path)
        self.saved = True
        return True

    async def aclose(self) -> None:
        """Close the upstream channels (in the server's event loop)."""
        if self.recorder is not None:
            await self.recorder.aclose()
