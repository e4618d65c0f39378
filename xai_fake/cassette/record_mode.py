"""Record modes, as in vcrpy: when a cassette is replayed, recorded, or both."""

from __future__ import annotations

import enum
from pathlib import Path


class RecordMode(str, enum.Enum):
    """What a cassette does with calls.

    - ``none``: replay only; never touch the network (the default under pytest).
    - ``once``: record when the cassette file does not exist yet, else replay only.
    - ``new_episodes``: replay calls that match, record the others and add them.
    - ``all``: always record, ignoring (and then replacing) the existing file; a run that
      records nothing leaves the file alone.
    - ``rewrite`` (pytest-recording's): record from scratch, like ``all``, but the file ends up
      holding exactly this run's calls: a run that records nothing removes it. The old file is
      replaced only once the recording succeeded (never after an upstream failure).
    """

    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"
    REWRITE = "rewrite"

    @classmethod
    def parse(cls, value: str | RecordMode) -> RecordMode:
        """The mode named ``value``; ValueError listing the valid names otherwise (no guessing)."""
        if isinstance(value, RecordMode):
            return value
        if isinstance(value, str):
            for mode in cls:
                if mode.value == value:
                    return mode
        valid = ", ".join(mode.value for mode in cls)
        raise ValueError(f"unknown record mode {value!r}; use one of: {valid}")

    def records(self, path: Path) -> bool:
        """True if calls that miss the cassette at ``path`` go to the upstream and are recorded."""
        if self is RecordMode.ONCE:
            return not path.exists()
        return self in (RecordMode.NEW_EPISODES, RecordMode.ALL, RecordMode.REWRITE)

    @property
    def vcr_mode(self) -> str:
        """The vcrpy record mode for the HTTP side of a cassette (vcrpy has no ``rewrite``)."""
        return "all" if self is RecordMode.REWRITE else self.value

    def replays(self, path: Path) -> bool:
        """True if the existing cassette at ``path`` is loaded and replayed."""
        if self in (RecordMode.ALL, RecordMode.REWRITE):
            return False
        if self is RecordMode.ONCE:
            return path.exists()
        return True
