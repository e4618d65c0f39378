"""Before a recording starts: can its cassette be written, and is no other recorder writing it?

:func:`check_writable` refuses, before the first call is proxied, a cassette path that is a
directory or a special file, whose parent is a file, or whose directory cannot be written
(read-only, no permission, full): it really writes (then removes) a small probe file in the
directory, or in the nearest existing one when directories are missing (the first write creates
them). :class:`CassetteLock` is the one-recorder-per-cassette rule: a
`filelock <https://py-filelock.readthedocs.io>`_ lock on ``<cassette>.lock`` held from the start
of the recording to its save; a second recorder of the same cassette is refused in one line
naming the holder (its PID and host). The lock file holds that name while the lock is held and
is removed at release, with the directories made for it if nothing else went in them. Both
raise :class:`~xai_fake.cassette.format.CassetteWriteError`.

A recording waits for the lock only inside :func:`waiting_for_lock` (the pytest plugin uses it,
so that xdist workers sharing a cassette take turns); everywhere else the second recorder is
refused at once.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from xai_fake.cassette.format import CassetteWriteError, write_error

#: The suffix added to a cassette's file name for its lock.
LOCK_SUFFIX = ".lock"

if TYPE_CHECKING:
    from filelock import BaseFileLock

_LOCK_WAIT: contextvars.ContextVar[float] = contextvars.ContextVar("xai_fake_cassette_lock_wait", default=0.0)


def lock_path(cassette: str | os.PathLike[str]) -> Path:
    """The lock file of ``cassette``: ``<cassette>.lock`` next to it."""
    path = Path(cassette)
    return path.with_name(path.name + LOCK_SUFFIX)


@contextlib.contextmanager
def waiting_for_lock(seconds: float) -> Iterator[None]:
    """Within the block, a recording waits up to ``seconds`` for another recorder of its cassette to finish."""
    token = _LOCK_WAIT.set(max(0.0, seconds))
    try:
        yield
    finally:
        _LOCK_WAIT.reset(token)


def check_writable(cassette: str | os.PathLike[str]) -> Path:
    """The directory where ``cassette`` (or its first missing directory) goes, once a file could be written in it.

    Creates nothing that stays: the probe file is removed, missing directories are left to the
    first write.

    Raises :class:`~xai_fake.cassette.format.CassetteWriteError` naming the path, the problem and the fix.
    """
    path = Path(cassette)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        raise CassetteWriteError(path, f"cannot record it: {_file_in_path(path)}") from None
    except OSError as exc:
        raise write_error(path, exc, what="cannot record it") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise CassetteWriteError(
            path, "cannot record it: it is a directory; give the path of a cassette file, e.g. DIR/name.pb"
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise CassetteWriteError(path, "cannot record it: it is not a regular file; give the path of a cassette file")
    directory = path.parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent  # the first one that exists gets the missing ones
    if not directory.is_dir():
        raise CassetteWriteError(path, f"cannot record it: {_file_in_path(path)}")
    try:
        descriptor, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=directory)
    except OSError as exc:
        raise write_error(path, exc, what=f"cannot write in its directory {directory}") from exc
    try:
        os.write(descriptor, b"probe")
        os.fsync(descriptor)
    except OSError as exc:
        raise write_error(path, exc, what=f"cannot write in its directory {directory}") from exc
    finally:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(probe)
    return directory


def _file_in_path(path: Path) -> str:
    """Which parent of ``path`` is a file, as a problem and a fix."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return f"its parent {parent} is a file, not a directory; choose another path, or move that file away"
    return "a part of its path is not a directory; choose another path"


class CassetteLock:
    """The lock that lets one recorder at a time write ``cassette`` (non-blocking unless :func:`waiting_for_lock`).

    ``acquire()`` raises :class:`~xai_fake.cassette.format.CassetteWriteError` naming the holder when
    another recorder (another process, or another recording in this one) has it; ``release()`` is
    idempotent.
    """

    def __init__(self, cassette: str | os.PathLike[str]) -> None:
        self.cassette = Path(cassette)
        self.path = lock_path(cassette)
        from filelock import FileLock  # imported on first use: ``import xai_fake`` stays fast

        self._lock: BaseFileLock = FileLock(self.path, timeout=0, thread_local=False)  # saved in the server thread
        self._created: list[Path] = []

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._lock.is_locked

    def acquire(self) -> None:
        """Take the lock (waiting only inside :func:`waiting_for_lock`), then write this process's name in it."""
        from filelock import Timeout

        waited = _LOCK_WAIT.get()
        try:
            for attempt in range(3):
                self._created = _make_directories(self.path.parent)
                try:
                    self._lock.acquire(timeout=waited)
                    break
                except FileNotFoundError:  # another recorder removed the directory it had made
                    if attempt == 2:
                        raise
        except Timeout:
            self._remove_directories()
            how = f" (waited {waited:g} s)" if waited else ""
            raise CassetteWriteError(
                self.cassette,
                f"another recorder is writing it{how}: {self.holder()} holds {self.path}; stop that recording "
                "first, or record to another cassette (if no recorder runs, delete the lock file)",
            ) from None
        except OSError as exc:
            self._remove_directories()
            raise write_error(self.cassette, exc, what=f"cannot create its lock file {self.path}") from exc
        with contextlib.suppress(OSError), open(self.path, "w", encoding="utf-8") as file:
            file.write(f"PID {os.getpid()} on {socket.gethostname()}\n")

    def busy(self) -> bool:
        """True if a recorder holds the lock now (tried without waiting, released at once)."""
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return True
        except OSError:
            return False
        self.release()
        return False

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it (``PID 1234 on host``), or ``another process``."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as file:
                name = " ".join(file.read(200).split())
        except OSError:
            name = ""
        return name or "another process"

    def release(self) -> None:
        """Remove the lock file while still holding it, then let go; nothing if not held."""
        if not self._lock.is_locked:
            return
        try:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        finally:
            self._lock.release(force=True)
            self._remove_directories()

    def _remove_directories(self) -> None:
        """Remove the directories :meth:`acquire` made, if nothing else went in them."""
        created, self._created = self._created, []
        for directory in created:
            try:
                directory.rmdir()
            except OSError:
                return


def _make_directories(directory: Path) -> list[Path]:
    """Create ``directory`` and its missing parents; the ones created, deepest first."""
    missing = []
    while not directory.exists() and directory != directory.parent:
        missing.append(directory)
        directory = directory.parent
    created = []
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            continue
        created.append(each)
    return created[::-1]
