"""The cassette layer of the fake's chain (:mod:`xai_fake.chain`): a cassette, replayed and/or recorded.

Built by ``FakeServer(cassette=...)`` and ``fake.use_cassette(...)`` from a
:class:`~xai_fake.cassette.options.CassetteOptions`; scripted answers win over it, and in
replay a miss is an error unless ``fallback_to_defaults``.
"""

from __future__ import annotations

import os
from typing import Any

import grpc

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import load, new_cassette, save
from xai_fake.cassette.options import CassetteOptions
from xai_fake.cassette.player import Miss, Player
from xai_fake.cassette.record_mode import RecordMode
from xai_fake.cassette.recorder import ProxyFailure, Recorder
from xai_fake.chain import Call, Responses
from xai_fake.errors import FakeRpcError


class CassetteLayer:
    """One cassette in use: the player of its recorded calls and, when recording, the proxy.

    ``CassetteLayer(CassetteOptions(...))``, or as a shorthand ``CassetteLayer(path, **options)``
    with the keywords of :class:`~xai_fake.cassette.options.CassetteOptions` (``record_mode``,
    ``upstream``, ``match_on``, ``ignore_fields``, ...). Keywords given with a
    :class:`CassetteOptions` replace its values.
    """

    def __init__(self, path: CassetteOptions | str | os.PathLike[str], **options: Any) -> None:
        if isinstance(path, CassetteOptions):
            self.options = path.replace(**options) if options else path
        else:
            self.options = CassetteOptions(path, **options)
        chosen = self.options
        self.path = chosen.path
        self.record_mode = chosen.record_mode
        self.fallback_to_defaults = chosen.fallback_to_defaults
        self._existing = load(self.path) if self.record_mode.replays(self.path) and self.path.exists() else None
        played = self._existing if self._existing is not None else cassette_pb2.Cassette()
        self.player = Player(
            played,
            self.path,
            matcher=chosen.matcher(),
            allow_playback_repeats=chosen.allow_playback_repeats,
            honour_timing=chosen.honour_timing,
            speed=chosen.speed,
        )
        self.recorder: Recorder | None = None
        if self.record_mode.records(self.path):
            self.recorder = Recorder(
                chosen.upstream,
                chosen.management_upstream,
                upstream_root_certificates=chosen.upstream_root_certificates,
                upstream_tls=chosen.upstream_tls,
                redactor=chosen.redactor,
            )
        self.saved = False
        #: True once :meth:`save` removed the file (``rewrite`` with nothing recorded).
        self.removed = False

    @property
    def recording(self) -> bool:
        """True when calls that miss go upstream (and the server then skips its own key check)."""
        return self.recorder is not None

    @property
    def misses(self) -> list[Miss]:
        """Replay misses so far, each with the closest recorded request and the diff."""
        return list(self.player.misses)

    @property
    def proxy_failures(self) -> list[ProxyFailure]:
        """Calls that never reached the upstream while recording; while any exists, :meth:`save` writes nothing."""
        return self.recorder.failures if self.recorder is not None else []

    def unplayed(self) -> list[cassette_pb2.Interaction]:
        """Recorded interactions that no call played (for the "all played" check)."""
        return self.player.unplayed()

    async def answer(self, call: Call) -> Responses | None:
        """The cassette's answer to ``call``, or None to let the fake's defaults answer.

        * A recorded interaction matches: its replay (see :meth:`Player.answer
          <xai_fake.cassette.player.Player.answer>`): the response message for a unary method, an
          async iterator of messages for a server stream; recorded metadata is sent through
          ``call.context``, a recorded error is raised as :class:`~xai_fake.errors.FakeRpcError`.
        * No match, and recording: the upstream's answer, recorded (see :meth:`Recorder.proxy
          <xai_fake.cassette.recorder.Recorder.proxy>`).
        * No match in replay: the miss is kept in :attr:`misses`; None with
          ``fallback_to_defaults``, else FAILED_PRECONDITION naming the closest recorded request.

        ``call.metadata`` is the live metadata the ``"metadata"`` and custom matchers compare.
        """
        method = call.method
        player = self.player
        interaction = player.find(method, call.requests, call.metadata)
        if interaction is not None:
            return await player.answer(interaction, method, call.context)
        if self.recorder is not None:
            return await self.recorder.proxy(call)
        miss = player.miss(method, call.requests, call.metadata)
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
        """Write the cassette atomically if anything was recorded; True if written.

        Nothing is written, and the existing file is left as it was, when a call could not
        reach the upstream (:attr:`proxy_failures`): a recording with holes would replay an
        outage of the recording machine. In ``rewrite`` mode a run that recorded nothing
        removes the file, so that it holds exactly what the last recording saw.
        """
        if self.recorder is None or self.proxy_failures:
            return False
        if not self.recorder.interactions:
            if self.record_mode is RecordMode.REWRITE and self.path.exists():
                self.path.unlink()
                self.removed = True
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        save(self.cassette(), self.path)
        self.saved = True
        return True

    async def aclose(self) -> None:
        """Close the upstream channels (in the server's event loop)."""
        if self.recorder is not None:
            await self.recorder.aclose()
