"""Strings: ``pattern`` (through rstr), ``format``, name hints and words, fitted to min/maxLength.

Regex generation uses ``rstr`` rather than ``exrex``: ``rstr.Rstr`` takes a ``random.Random``
instance, so each request's seeded generator drives it (exrex draws from the global ``random``
module: not seedable per request, not thread-safe), it ships type hints, and it only bounds
repeats by a module constant, which :class:`_Xeger` narrows per call to meet ``maxLength``.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

from xai_fake.schema.errors import NotYetSupported, Unsatisfiable
from xai_fake.schema.formats import FORMATS, format_value
from xai_fake.schema.realism import string_for_name

__all__ = ["string_value"]

_FILLER = "abcdefghijklmnopqrstuvwxyz"


class _SortedChoices:
    """``random.Random`` whose ``choice`` over characters sorts them first.

    rstr builds negated classes (``[^a]``) from a ``set``, whose order changes with the process's
    hash seed; sorting keeps the same seed giving the same bytes in every process.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def choice(self, seq: Any) -> Any:
        if seq and all(isinstance(item, str) for item in seq):
            seq = sorted(seq)
        return self._rng.choice(seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rng, name)


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=1)
def _xeger_class() -> Any:
    import rstr  # type: ignore[import-not-found,unused-ignore]  # imported on first use: ``import xai_fake`` stays fast

    class _Xeger(rstr.Rstr):  # type: ignore[misc,unused-ignore]
        limit = 8
        #: Whether a lookahead ``(?=X)`` adds nothing (rstr writes ``X`` out, which is right only
        #: when the rest of the string starts with it). Lookarounds are checked, not generated:
        #: negative ones always add nothing, lookbehinds write their text out.
        skip_lookahead = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._cases = {**self._cases, "assert": self._handle_assert}

        def _handle_assert(self, value: Any) -> str:
            direction, subpattern = value
            if direction == 1 and self.skip_lookahead:
                return ""
            return "".join(str(self._handle_state(state)) for state in subpattern)

        def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
            # Unbounded repeats (* + {n,}) would run to rstr's 100; keep them short and realistic.
            end = max(start_range, min(end_range, self.limit))
            return str(super()._handle_repeat(start_range, end, value))

    return _Xeger


def _xeger(pattern: str, rng: random.Random, limit: int, skip_lookahead: bool = False) -> str:
    generator = _xeger_class()(_SortedChoices(rng))
    generator.limit = limit
    generator.skip_lookahead = skip_lookahead
    return str(generator.xeger(pattern))


def _lookaround(pattern: str) -> bool:
    return any(opening in pattern for opening in ("(?=", "(?!", "(?<=", "(?<!"))


def _fit(text: str, low: int, high: int) -> str:
    if len(text) > high:
        cut = text[:high]
        text = cut.rsplit(" ", 1)[0] if " " in cut and len(cut.rsplit(" ", 1)[0]) >= low else cut
    while len(text) < low:
        text += _FILLER[len(text) % len(_FILLER)]
    return text


def _matches(text: str, patterns: list[str], low: int, high: int) -> bool:
    return low <= len(text) <= high and all(_compiled(p).search(text) for p in patterns)


def _valid_patterns(patterns: list[str], path: str) -> bool:
    """True, or :class:`Unsatisfiable` naming the first pattern Python's ``re`` cannot read."""
    for pattern in patterns:
        try:
            _compiled(pattern)
        except re.error as error:
            raise Unsatisfiable(
                f"pattern {pattern!r} is not a regular expression xai_fake can read: {error}", path
            ) from None
    return True


def _from_patterns(patterns: list[str], low: int, high: int, rng: random.Random, path: str) -> str:
    _valid_patterns(patterns, path)
    first = patterns[0]
    ahead = "(?=" in first
    for attempt in range(40):
        limit = max(1, min(high, 8 + attempt * 4)) if high < 10**6 else 8 + attempt * 4
        try:
            text = _xeger(first, rng, limit, skip_lookahead=ahead and attempt % 2 == 1)
        except Exception as error:  # rstr cannot walk a few constructs (lookarounds, some backreferences)
            raise NotYetSupported(f"pattern {first!r} cannot be generated ({error!r})", path) from None
        joined = text + "".join(_xeger(other, rng, limit) for other in patterns[1:])
        for candidate in (text, _fit(text, low, high), text[-high:] if high else "", joined, _fit(joined, low, high)):
            if _matches(candidate, patterns, low, high):
                return candidate
        if len(text) < low:  # an unanchored pattern allows padding before or after
            pad = _FILLER * (low // len(_FILLER) + 1)
            for candidate in (text + pad[: low - len(text)], pad[: low - len(text)] + text):
                if _matches(candidate, patterns, low, high):
                    return candidate
    how = " (lookarounds are checked on generated strings, not generated)" if any(map(_lookaround, patterns)) else ""
    raise NotYetSupported(f"found no string for pattern {first!r} with length {low}..{high}{how}", path)


def string_value(schema: dict[str, Any], rng: random.Random, words: list[str], name: str | None, path: str) -> str:
    """A string for ``schema`` (its pattern, format, length bounds), realistic for a property ``name``."""
    low = int(schema.get("minLength", 0))
    high = int(schema.get("maxLength", 10**9))
    if low > high:
        raise Unsatisfiable(f"minLength {low} > maxLength {high}", path)
    patterns = [p for p in [schema.get("pattern"), *schema.get("x-fake-patterns", [])] if isinstance(p, str)]
    if patterns:
        for _ in range(3 if schema.get("format") in FORMATS else 0):  # a value of the format that fits the pattern
            formatted = format_value(schema["format"], rng)
            if formatted is not None and _valid_patterns(patterns, path) and _matches(formatted, patterns, low, high):
                return formatted
        return _from_patterns(patterns, low, high, rng, path)
    formatted = format_value(schema.get("format"), rng)
    if formatted is not None:
        if low <= len(formatted) <= high:
            return formatted
        if schema.get("format") not in ("uri", "url", "iri", "email", "idn-email", "hostname", "idn-hostname"):
            raise NotYetSupported(f"format {schema['format']!r} with length {low}..{high}", path)
        short = {"email": "a@b.co", "idn-email": "a@b.co", "hostname": "a.co", "idn-hostname": "a.co"}.get(
            schema["format"], "https://a.co"
        )
        if len(short) > high:
            raise Unsatisfiable(f"maxLength {high} is too short for format {schema['format']!r}", path)
        return _fit(short, low, high) if low <= len(short) else short.replace("a", "a" * (low - len(short) + 1), 1)
    hinted = string_for_name(name, rng)
    if hinted is not None and low <= len(hinted) <= high:
        return hinted
    picked = rng.sample(words, k=min(len(words), rng.randint(1, 3))) if words else ["text"]
    text = " ".join(picked)
    while len(text) < low and words:
        text += " " + rng.choice(words)
    return _fit(text, low, high)
