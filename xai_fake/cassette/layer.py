"""The cassette layer of the fake's chain (:mod:`xai_fake.chain`): a cassette, replayed and/or recorded.

Built by ``FakeServer(cassette=...)`` and ``fake.use_cassette(...)`` from a
:class:`~xai_fake.cassette.options.CassetteOptions`; scripted answers win over it, and in
replay a miss is an error unless ``fallback_to_defaults``.

A layer that records cannot lose its recording quietly. Before the first call is proxied it
checks that the cassette can be written (:func:`~xai_fake.cassette.writable.check_writable`)
and takes its lock (:class:`~xai_fake.cassette.writable.CassetteLock`: a second recorder of the
same cassette is refused), refusing with a
:class:`~xai_fake.cassette.format.CassetteWriteError` in one line. Every interaction is
journaled as its call ends (:mod:`xai_fake.cassette.journal`), so a killed recorder loses at most
the call in flight; :meth:`CassetteLayer.save` writes the cassette atomically, then removes the
journal and releases the lock. A journal left behind by a killed recorder is folded into the
cassette first by a ``new_episodes`` recording (which would keep those interactions anyway; the
log says so in one line, and :attr:`CassetteLayer.recovered` tells what was done); the other
record modes, which would drop them at save, refuse to start until ``xai-fake cassette check
--recover PATH`` has folded it (or the journal was deleted). An empty journal is just removed.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import grpc

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import CassetteError, CassetteWriteError, load, new_cassette, save, write_error
from xai_fake.cassette.journal import Journal, Recovered, journal_path, read_journal, recover
from xai_fake.cassette.options import CassetteOptions
from xai_fake.cassette.player import Miss, Player
from xai_fake.cassette.record_mode import RecordMode
from xai_fake.cassette.recorder import ProxyFailure, Recorder
from xai_fake.cassette.writable import CassetteLock, check_writable
from xai_fake.chain import Call, Responses
from xai_fake.errors import FakeRpcError

_logger = logging.getLogger("xai_fake.cassette")


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
        #: What the start of this recording recovered from a journal a killed recorder left behind, if anything.
        self.recovered: Recovered | None = None
        self._lock: CassetteLock | None = None
        self._journal: Journal | None = None
        self.recorder: Recorder | None = None
        records = self.record_mode.records(self.path)
        if records:
            self._begin_recording()
        try:
            self._open(chosen, records)
        except BaseException:
            self._end_recording(keep_journal=False)
            raise
        self.saved = False
        #: True once :meth:`save` removed the file (``rewrite`` with nothing recorded).
        self.removed = False

    @property
    def recorded_interactions(self) -> int:
        """Interactions the cassette file held when it was opened (0 for a new recording)."""
        return len(self._existing.interactions) if self._existing is not None else 0

    def _open(self, chosen: CassetteOptions, records: bool) -> None:
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
        if records:
            self.recorder = Recorder(
                chosen.upstream,
                chosen.management_upstream,
                upstream_root_certificates=chosen.upstream_root_certificates,
                upstream_tls=chosen.upstream_tls,
                redactor=chosen.redactor,
            )
            if self._journal is not None:
                self.recorder.on_kept = self._journal.append

    def _begin_recording(self) -> None:
        """Check the cassette can be written, take its lock, deal with a journal left behind, start the journal."""
        check_writable(self.path)
        lock = CassetteLock(self.path)
        lock.acquire()
        self._lock = lock
        try:
            self._left_behind()
            self._journal = Journal(self.path)
        except BaseException:
            self._end_recording(keep_journal=True)
            raise

    def _left_behind(self) -> None:
        """Fold (``new_episodes``) or refuse (other modes) a journal a killed recorder left; remove an empty one."""
        journal = journal_path(self.path)
        if not os.path.lexists(journal):
            return
        found = len(read_journal(journal).interactions)
        if self.record_mode is RecordMode.NEW_EPISODES or not found:
            self.recovered = recover(self.path)
            if found:
                _logger.warning("xai-fake: %s", self.recovered.explain() if self.recovered else journal)
            return
        raise CassetteError(
            self.path,
            f"a recording of it was interrupted: {journal} holds {found} interaction(s) that are not in the cassette, "
            f"and record mode {self.record_mode.value!r} would drop them; keep them with: xai-fake cassette check "
            f"--recover {self.path} (then record again), or delete {journal} to discard them",
        )

    def _end_recording(self, *, keep_journal: bool) -> None:
        """Stop journaling (the journal is removed unless kept and not empty), then release the lock."""
        journal, self._journal = self._journal, None
        if journal is not None:
            if self.recorder is not None:
                self.recorder.on_kept = None
            if keep_journal and journal.count:
                journal.close()
            else:
                journal.remove()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

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

        Then the journal is removed and the lock released. A file that cannot be written (a full
        disk, no permission) raises :class:`~xai_fake.cassette.format.CassetteWriteError` in one
        line naming it; the previous file is left intact, and so is the journal, to be recovered
        with ``xai-fake cassette check --recover PATH`` once the problem is fixed.
        """
        try:
            written = self._save()
        except OSError as exc:
            kept = self._journal is not None and self._journal.failed is None and self._journal.count > 0
            self._end_recording(keep_journal=True)
            error = write_error(self.path, exc)
            note = (
                f"; the recording is kept in {journal_path(self.path)}: once fixed, fold it in with: "
                f"xai-fake cassette check --recover {self.path}"
                if kept
                else ""
            )
            left = "the previous file is intact" if self.path.exists() else "nothing was written"
            raise CassetteWriteError(self.path, f"{error.reason}; {left}{note}") from exc
        except BaseException:
            self._end_recording(keep_journal=True)
            raise
        self._end_recording(keep_journal=False)
        return written

    def _save(self) -> bool:
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

    def release(self) -> None:
        """End the recording without saving: the lock is released, a journal with interactions kept (to recover)."""
        self._end_recording(keep_journal=True)

    async def aclose(self) -> None:
        """Close the upstream channels (in the server's event loop); :meth:`release` if :meth:`save` did not run."""
        self.release()
        if self.recorder is not None:
            await self.recorder.aclose()
