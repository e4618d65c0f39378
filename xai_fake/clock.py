"""The fake's clock: real time until a test freezes, moves or advances it.

Every lifecycle of the fake (deferred chats, video jobs, batches, document indexing, file and
stored-completion expiry) and every timestamp it answers with (``created``, ``created_at``,
``create_time``, ...) reads one :class:`Clock`, ``fake.clock``, through the defaults' state.
No service handler reads the wall clock itself (``tests/fake/test_architecture.py`` checks it).

::

    fake.clock.freeze()                  # time stands still, now or at=...
    job = client.video.start("waves", "grok-imagine-video")
    fake.clock.advance(10 * 60)          # ten minutes pass at once (seconds or a timedelta)
    assert client.video.get(job.request_id).status == deferred_pb2.DONE
    fake.clock.reset()                   # real time again; fake.reset() does it too

    with fake.clock.freeze(at=datetime(2030, 1, 1, tzinfo=timezone.utc)):
        ...                              # frozen inside the block, real time after it

The names follow time-machine and freezegun: ``freeze`` (freezegun's ``freeze_time``, time-machine's
``travel(..., tick=False)``), ``advance`` (time-machine's ``shift``, freezegun's ``tick``), ``move_to``
(both). A clock that was moved or advanced without being frozen keeps running from where it was put
(time-machine's ``tick=True``).

While the clock runs in real time (:attr:`Clock.real`: no test has touched it since the last
reset) the lifecycles also take one step per poll, so that tests which never touch the clock stay
as fast as they always were; see :attr:`Clock.real`.
"""

from __future__ import annotations

import datetime
import math
import time
from types import TracebackType

__all__ = ["Clock"]

_UTC = datetime.timezone.utc


def _seconds(when: float | datetime.datetime) -> float:
    if isinstance(when, datetime.datetime):
        return (when if when.tzinfo is not None else when.replace(tzinfo=_UTC)).timestamp()
    if isinstance(when, bool) or not isinstance(when, (int, float)) or not math.isfinite(when):
        raise ValueError(f"a time is a POSIX timestamp in seconds or a datetime, got {when!r}")
    return float(when)


class Clock:
    """The time of one fake server: real time by default, frozen or moved on request.

    Thread-safe in the way tests need: a test thread may freeze or advance the clock while the
    server's thread reads it; every reading sees one consistent setting.
    """

    def __init__(self) -> None:
        # (frozen at, offset from the wall clock): (None, 0.0) is real time. One tuple, swapped
        # whole, so that a reader on the server's thread never sees half a change.
        self._setting: tuple[float | None, float] = (None, 0.0)

    # -- reading ---------------------------------------------------------------------------

    def time(self) -> float:
        """The current time as a POSIX timestamp in seconds, like :func:`time.time`."""
        frozen, offset = self._setting
        return frozen if frozen is not None else time.time() + offset

    def now(self) -> datetime.datetime:
        """The current time as an aware UTC datetime, like ``datetime.now(timezone.utc)``."""
        return datetime.datetime.fromtimestamp(self.time(), _UTC)

    @property
    def frozen(self) -> bool:
        """True while time stands still (after :meth:`freeze`, until :meth:`reset`)."""
        return self._setting[0] is not None

    @property
    def real(self) -> bool:
        """True while the clock is real time, untouched since it was made or last :meth:`reset`.

        The fake's lifecycles go by this clock's time. In real time they also advance one step
        per poll (a video job is DONE on its third poll, a deferred chat on its second, a batch
        finishes two requests per ``GetBatch``, a document is indexed on its second read), so a
        test that never touches the clock does not wait for minutes of real time. Once a test
        freezes, moves or advances the clock, only time counts: a job stays PENDING until the
        clock reaches its time.
        """
        return self._setting == (None, 0.0)

    # -- control ---------------------------------------------------------------------------

    def freeze(self, at: float | datetime.datetime | None = None) -> Clock:
        """Stop time at ``at`` (a POSIX timestamp or a datetime; naive means UTC), by default now.

        Returns the clock, which is also a context manager that goes back to real time on exit::

            with fake.clock.freeze():
                ...
        """
        self._setting = (self.time() if at is None else _seconds(at), 0.0)
        return self

    def advance(self, seconds: float | datetime.timedelta) -> None:
        """Let ``seconds`` (or a timedelta) pass at once; the clock stays frozen if it was.

        On a running clock this shifts it forward and keeps it running. Time only moves forward
        this way (ValueError for a negative span); use :meth:`move_to` to go back.
        """
        span = seconds.total_seconds() if isinstance(seconds, datetime.timedelta) else seconds
        if isinstance(span, bool) or not isinstance(span, (int, float)) or not math.isfinite(span) or span < 0:
            raise ValueError(f"advance() takes a non-negative number of seconds or a timedelta, got {seconds!r}")
        frozen, offset = self._setting
        self._setting = (frozen + span, 0.0) if frozen is not None else (None, offset + span)

    def move_to(self, when: float | datetime.datetime) -> None:
        """Jump to ``when`` (a POSIX timestamp or a datetime; naive means UTC), forward or back.

        A frozen clock stays frozen there; a running clock runs on from there.
        """
        target = _seconds(when)
        if self._setting[0] is not None:
            self._setting = (target, 0.0)
        else:
            self._setting = (None, target - time.time())

    def reset(self) -> None:
        """Back to real time (``fake.reset()`` does this too)."""
        self._setting = (None, 0.0)

    def __enter__(self) -> Clock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.reset()

    def __repr__(self) -> str:
        frozen, offset = self._setting
        if frozen is not None:
            return f"Clock(frozen at {datetime.datetime.fromtimestamp(frozen, _UTC).isoformat()})"
        return "Clock(real time)" if offset == 0.0 else f"Clock(running, {offset:+.3f} s from real time)"
