"""The journal of a recording: each interaction on disk as its call ends, so that a kill loses at most one call.

While a cassette records, each interaction the recorder keeps (redacted, credentials removed:
what the cassette would hold) is appended to ``<cassette>.journal`` and fsynced before the
client sees the end of the call. At save the cassette is written atomically, then the journal is
removed. A journal that is still there when no recorder runs (see
:class:`~xai_fake.cassette.writable.CassetteLock`) is what a killed recorder left behind:
:func:`recover` folds it into the cassette (the interactions already in the cassette are kept,
the journal's are appended, as ``new_episodes`` would save them), atomically, then removes it.
``xai-fake cassette check --recover PATH`` does that, and so does the next ``new_episodes``
recording of the cassette; other record modes refuse to start until it is done (they would drop
the cassette's interactions at save), naming the command.

File format: the line ``xai-fake journal 1`` then records of a 4-byte big-endian length, the
4-byte big-endian CRC-32 of the payload, and the payload, a serialized
:class:`~xai_fake._proto.cassette_pb2.Interaction`. A last record cut short (the kill landed in
the middle of a write) is ignored; damage before it is a
:class:`~xai_fake.cassette.format.CassetteError`. The journal obeys the cassette size limit
(:func:`~xai_fake.cassette.format.max_bytes`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from google.protobuf.message import DecodeError

from xai_fake._proto import cassette_pb2
from xai_fake.cassette.format import (
    CassetteError,
    load,
    max_bytes,
    new_cassette,
    read_cassette_bytes,
    save,
    write_error,
)
from xai_fake.cassette.format import _sync_directory as sync_directory
from xai_fake.credentials import redact_credentials

#: The suffix added to a cassette's file name for its journal.
JOURNAL_SUFFIX = ".journal"
#: The first line of every journal.
MAGIC = b"xai-fake journal 1\n"

_RECORD_HEADER = struct.Struct(">II")  # payload length, CRC-32 of the payload
_logger = logging.getLogger("xai_fake.cassette")


def journal_path(cassette: str | os.PathLike[str]) -> Path:
    """The journal of ``cassette``: ``<cassette>.journal`` next to it."""
    path = Path(cassette)
    return path.with_name(path.name + JOURNAL_SUFFIX)


def encode_record(interaction: cassette_pb2.Interaction) -> bytes:
    """One journal record: length, CRC-32, then the serialized interaction."""
    payload = interaction.SerializeToString(deterministic=True)
    return _RECORD_HEADER.pack(len(payload), zlib.crc32(payload)) + payload


@dataclass(frozen=True)
class JournalContents:
    """What :func:`read_journal` found."""

    #: The whole records, in the order their calls ended.
    interactions: list[cassette_pb2.Interaction]
    #: Bytes of a last record cut short by a kill (0 if the journal ends cleanly), ignored.
    torn_bytes: int


def read_journal(path: str | os.PathLike[str]) -> JournalContents:
    """The interactions of the journal at ``path``; :class:`CassetteError` naming it if it is damaged.

    A last record cut short (also a header cut short) is left out and counted in ``torn_bytes``.
    """
    data = read_cassette_bytes(path, limit=max_bytes())
    if len(data) < len(MAGIC):
        if MAGIC.startswith(data):
            return JournalContents([], len(data))
        raise _damaged(path, "it does not start like a journal")
    if not data.startswith(MAGIC):
        raise _damaged(path, "it does not start like a journal")
    interactions: list[cassette_pb2.Interaction] = []
    offset, size = len(MAGIC), len(data)
    while offset < size:
        if size - offset < _RECORD_HEADER.size:
            return JournalContents(interactions, size - offset)
        length, crc = _RECORD_HEADER.unpack_from(data, offset)
        start, end = offset + _RECORD_HEADER.size, offset + _RECORD_HEADER.size + length
        if end > size:
            return JournalContents(interactions, size - offset)
        payload = data[start:end]
        interaction = _decoded(payload) if zlib.crc32(payload) == crc else None
        if interaction is None:
            if end == size:  # the last record: a write the kill cut short (sectors written out of order)
                return JournalContents(interactions, size - offset)
            raise _damaged(path, f"record {len(interactions) + 1} (at byte {offset}) fails its CRC-32")
        interactions.append(interaction)
        offset = end
    return JournalContents(interactions, 0)


def _decoded(payload: bytes) -> cassette_pb2.Interaction | None:
    try:
        return cassette_pb2.Interaction.FromString(payload)
    except DecodeError:
        return None


def _damaged(path: str | os.PathLike[str], reason: str) -> CassetteError:
    return CassetteError(
        path, f"the recording journal is damaged: {reason}; nothing was recovered from it (delete it to discard it)"
    )


class Journal:
    """The journal one recording appends to (see the module), created (with its directory) by the first :meth:`append`.

    :meth:`append` never raises: when the journal cannot be written (a full disk, say), the error
    is kept in :attr:`failed`, logged once, and journaling stops; the recording goes on in memory
    and the save reports its own error.
    """

    def __init__(self, cassette: str | os.PathLike[str]) -> None:
        self.cassette = Path(cassette)
        self.path = journal_path(cassette)
        #: The error that stopped journaling, if any.
        self.failed: OSError | None = None
        #: Interactions written (and fsynced) so far.
        self.count = 0
        self._file: BinaryIO | None = None
        self._closed = False
        self._lock = threading.Lock()

    def append(self, interaction: cassette_pb2.Interaction) -> None:
        """Write ``interaction`` (credentials redacted, like every cassette write) and fsync it."""
        copy = cassette_pb2.Interaction()
        copy.CopyFrom(interaction)
        redact_credentials(copy)
        record = encode_record(copy)
        with self._lock:
            if self._closed:
                return
            try:
                file = self._file if self._file is not None else self._create()
                file.write(record)
                self._sync(file)
            except OSError as exc:
                self.failed = exc
                self._close_quietly()
                _logger.warning(
                    "xai-fake: cannot write the recording journal %s (%s); the recording of %s goes on in "
                    "memory only, so a crash now would lose it",
                    self.path,
                    exc.strerror or exc,
                    self.cassette,
                )
                return
            self.count += 1

    def _create(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self._file = open(self.path, "wb")  # noqa: SIM115 - kept open for the whole recording
        file.write(MAGIC)
        self._sync(file)
        sync_directory(self.path.parent)
        return file

    @staticmethod
    def _sync(file: BinaryIO) -> None:
        file.flush()
        os.fsync(file.fileno())

    def close(self) -> None:
        """Stop journaling (the file stays)."""
        with self._lock:
            self._close_quietly()

    def _close_quietly(self) -> None:
        self._closed = True
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()

    def remove(self) -> None:
        """Stop journaling and delete the journal (the cassette holds everything now)."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@dataclass(frozen=True)
class Recovered:
    """What :func:`recover` did."""

    cassette: Path
    journal: Path
    #: Interactions of the journal appended to the cassette.
    added: int
    #: Interactions the cassette held before.
    kept: int
    #: Bytes of a last record cut short, ignored.
    torn_bytes: int
    #: The journal was in the cassette already (its removal had been interrupted): nothing appended.
    already_folded: bool = False

    def explain(self) -> str:
        """One line for the user."""
        torn = f" (a last record cut short, {self.torn_bytes} bytes, was ignored)" if self.torn_bytes else ""
        if self.already_folded:
            return f"removed the recording journal {self.journal}, already folded into {self.cassette}"
        if not self.added:
            return f"removed the empty recording journal {self.journal}{torn}"
        return (
            f"recovered {self.added} interaction(s) of an interrupted recording from {self.journal} into "
            f"{self.cassette} ({self.kept} already there kept){torn}"
        )


def recover(cassette: str | os.PathLike[str]) -> Recovered | None:
    """Fold the journal left behind by a killed recorder into ``cassette``; None if there is no journal.

    The cassette's interactions are kept and the journal's appended; the cassette is written
    atomically, then the journal removed (a journal already folded, if the removal was
    interrupted, is not appended twice). The caller holds the cassette's lock (no recorder may be
    writing the journal). Raises :class:`CassetteError` for a damaged journal or cassette (left
    as they are), :class:`~xai_fake.cassette.format.CassetteWriteError` if the cassette cannot
    be written.
    """
    path = Path(cassette)
    journal = journal_path(path)
    if not os.path.lexists(journal):
        return None
    found = read_journal(journal)
    existing = load(path) if path.exists() else None
    kept = list(existing.interactions) if existing is not None else []
    added = found.interactions
    already = bool(added) and _already_folded(kept, added)
    if added and not already:
        try:
            save(new_cassette(kept + added), path)
        except OSError as exc:
            raise write_error(path, exc, what="cannot write the recovered recording") from exc
    with contextlib.suppress(FileNotFoundError):
        journal.unlink()
    return Recovered(path, journal, 0 if already else len(added), len(kept), found.torn_bytes, already)


def _already_folded(kept: list[cassette_pb2.Interaction], added: list[cassette_pb2.Interaction]) -> bool:
    if len(added) > len(kept):
        return False
    tail = kept[len(kept) - len(added) :]
    encoded = [interaction.SerializeToString(deterministic=True) for interaction in added]
    return [interaction.SerializeToString(deterministic=True) for interaction in tail] == encoded
