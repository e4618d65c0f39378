"""Everything a cassette is opened with, in one validated, immutable object.

::

    options = CassetteOptions("cassettes/chat.pb", record_mode="once", ignore_fields=["seed"])
    FakeServer(cassette=options)
    fake.use_cassette(options.replace(path="cassettes/other.pb"))

Every value is checked when the object is made, so a typo fails where it is written, not at
the first call: the record mode is parsed, matcher names are looked up, field paths are
resolved, ``speed`` must be a finite number above 0, and flags must be booleans.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xai_fake.cassette.matchers import MatchFunction, MatchOn, RequestMatcher
from xai_fake.cassette.record_mode import RecordMode
from xai_fake.cassette.redact import Redactor

_FLAGS = ("allow_playback_repeats", "honour_timing", "fallback_to_defaults")


@dataclass(frozen=True)
class CassetteOptions:
    """How one cassette is replayed and recorded.

    Attributes:
        path: the cassette file (``.pb`` binary; ``.txtpb`` text format).
        record_mode: ``none`` (default: replay only), ``once``, ``new_episodes`` or ``all``
            (see :class:`~xai_fake.cassette.record_mode.RecordMode`); a string is parsed.
        upstream: ``host:port`` of the API recorded from (default ``api.x.ai:443``).
        management_upstream: ``host:port`` for ``collections.Collections`` (default
            ``management-api.x.ai:443``, or ``upstream`` when it is local).
        upstream_root_certificates: PEM root certificates (bytes) for a TLS upstream with a private CA.
        upstream_tls: force TLS on (True) or off (False); default: TLS unless the upstream is local.
        match_on: matcher names and/or functions (see :mod:`xai_fake.cassette.matchers`); kept as a
            tuple, or None for the default ``("method", "request")``.
        ignore_fields: request fields left out of the ``"request"`` comparison.
        allow_playback_repeats: let played interactions answer again.
        honour_timing: replay the recorded pauses, divided by ``speed``.
        speed: how much faster than recorded to replay (``2.0``: twice as fast); > 0.
        redactor: what else to remove before recording (credentials always are); its dropped
            metadata keys are also left out of the ``"metadata"`` matcher.
        fallback_to_defaults: answer a replay miss with the fake's default behaviour instead of an error.
    """

    path: Path
    _: dataclasses.KW_ONLY
    record_mode: RecordMode = RecordMode.NONE
    upstream: str | None = None
    management_upstream: str | None = None
    upstream_root_certificates: bytes | None = None
    upstream_tls: bool | None = None
    match_on: tuple[str | MatchFunction, ...] | None = None
    ignore_fields: tuple[str, ...] = ()
    allow_playback_repeats: bool = False
    honour_timing: bool = False
    speed: float = 1.0
    redactor: Redactor | None = None
    fallback_to_defaults: bool = False

    if TYPE_CHECKING:  # what the constructor accepts; __post_init__ stores the normalised forms above

        def __init__(
            self,
            path: str | os.PathLike[str],
            *,
            record_mode: str | RecordMode = RecordMode.NONE,
            upstream: str | None = None,
            management_upstream: str | None = None,
            upstream_root_certificates: bytes | None = None,
            upstream_tls: bool | None = None,
            match_on: MatchOn | None = None,
            ignore_fields: Any = (),
            allow_playback_repeats: bool = False,
            honour_timing: bool = False,
            speed: float = 1.0,
            redactor: Redactor | None = None,
            fallback_to_defaults: bool = False,
        ) -> None: ...

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        path: Any = self.path
        if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise TypeError(f"path must be a non-empty str or pathlib.Path, got {path!r}")
        set_(self, "path", Path(path))
        set_(self, "record_mode", RecordMode.parse(self.record_mode))
        for name in ("upstream", "management_upstream"):
            value: Any = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"{name} must be 'host:port' or None, got {value!r}")
            if "://" in value:
                raise ValueError(f"{name} is 'host:port' without a scheme (e.g. 'api.x.ai:443'), got {value!r}")
        certificates: Any = self.upstream_root_certificates
        if certificates is not None and not isinstance(certificates, bytes):
            hint = " (encode the PEM text: pem.encode())" if isinstance(certificates, str) else ""
            kind = type(certificates).__name__
            raise TypeError(f"upstream_root_certificates must be PEM bytes or None, got {kind}{hint}")
        if self.upstream_tls is not None and not isinstance(self.upstream_tls, bool):
            raise TypeError(f"upstream_tls must be True, False or None, got {self.upstream_tls!r}")
        for name in _FLAGS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False, got {value!r}")
        speed: Any = self.speed
        if isinstance(speed, bool) or not isinstance(speed, (int, float)):
            raise TypeError(f"speed must be a number, got {speed!r}")
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be > 0 and finite (2.0 replays twice as fast), got {speed!r}")
        set_(self, "speed", float(speed))
        if self.redactor is not None and not isinstance(self.redactor, Redactor):
            kind = type(self.redactor).__name__
            raise TypeError(f"redactor must be a xai_fake.cassette.Redactor or None, got {kind}")
        match_on: Any = self.match_on
        if match_on is not None:
            match_on = (match_on,) if isinstance(match_on, str) or callable(match_on) else tuple(match_on)
            set_(self, "match_on", match_on)
        ignore_fields: Any = self.ignore_fields
        if isinstance(ignore_fields, str):
            raise TypeError(f"ignore_fields must be a list of field paths, not the string {ignore_fields!r}")
        set_(self, "ignore_fields", tuple(ignore_fields))
        self.matcher()  # unknown matcher names and bad field paths fail here

    def matcher(self) -> RequestMatcher:
        """The :class:`~xai_fake.cassette.matchers.RequestMatcher` these options describe."""
        dropped = self.redactor.drop_metadata if self.redactor is not None else frozenset()
        return RequestMatcher(self.match_on, self.ignore_fields, ignore_metadata=dropped)

    def replace(self, **changes: Any) -> CassetteOptions:
        """A copy with ``changes`` applied (and validated), e.g. ``options.replace(record_mode="all")``."""
        names = [field.name for field in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TypeError(f"unknown cassette option(s) {', '.join(unknown)}; the options are: {', '.join(names)}")
        return dataclasses.replace(self, **changes)
