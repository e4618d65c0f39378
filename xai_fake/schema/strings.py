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
import string
import threading
from collections.abc import Iterator
from itertools import chain
from typing import Any

from xai_fake.schema.errors import NotYetSupported, Unsatisfiable
from xai_fake.schema.formats import FORMATS, format_value
from xai_fake.schema.realism import string_for_name

__all__ = ["string_value"]

_FILLER = "abcdefghijklmnopqrstuvwxyz"
#: ``re`` parser opcodes, and categories, -> rstr's names for them (apart: both are ints, equal ones clash).
_OPCODES: dict[Any, str] = {}
_CATEGORIES: dict[Any, str] = {}
#: The characters of each character class of the cached parses: id(class) -> (class, characters).
_CLASSES: dict[int, tuple[Any, list[str]]] = {}


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=1)
def _xeger_class() -> Any:
    import rstr  # type: ignore[import-not-found,unused-ignore]  # imported on first use: ``import xai_fake`` stays fast
    from rstr.xeger import STAR_PLUS_LIMIT  # type: ignore[import-not-found,unused-ignore]

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

        def _handle_in(self, value: Any) -> Any:
            return self._random.choice(self._class(value))

        def _class(self, value: Any) -> list[str]:
            # rstr's ``_handle_in``, with a class's characters listed once per parsed class (``value``:
            # a list the cached parse keeps alive), not per character drawn. rstr builds a negated class
            # (``[^a]``) from a set, whose order changes with the process's hash seed: sorted, the
            # same seed gives the same bytes in every process.
            known = _CLASSES.get(id(value))
            if known is None or known[0] is not value:
                candidates = list(chain(*(self._handle_state(item) for item in value)))
                if candidates[0] is False:
                    candidates = sorted(set(string.printable).difference(candidates[1:]))
                if len(_CLASSES) > 4096:  # parses dropped from their cache stay alive in here
                    _CLASSES.clear()
                known = _CLASSES[id(value)] = (value, candidates)
            return known[1]

        def _handle_state(self, state: Any) -> Any:
            opcode, value = state  # rstr's own, with the opcode's name looked up once per opcode
            name = _OPCODES.get(opcode) or _OPCODES.setdefault(opcode, opcode.name.lower())
            if name == "category":
                value = _CATEGORIES.get(value) or _CATEGORIES.setdefault(value, value.name.lower())
            return self._cases[name](value)

        def xeger(self, string_or_regex: Any) -> str:
            # rstr parses the pattern on every call; the parse is the same each time, so it is kept.
            self._cache.clear()  # group texts of a call that raised
            result = str(self._build_string(_parsed(string_or_regex)))
            self._cache.clear()
            return result

        def _build_string(self, parsed: Any) -> str:
            handle = self._handle_state  # rstr's own, in one comprehension
            return "".join([handle(state) for state in parsed])

        def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
            # Unbounded repeats (* + {n,}) would run to rstr's 100; keep them short and realistic.
            # Otherwise rstr's own, in comprehensions.
            end = min(max(start_range, min(end_range, self.limit)), STAR_PLUS_LIMIT)
            times = self._random.randint(start_range, end)
            if len(value) == 1 and _OPCODES.get(value[0][0]) == "in":  # one class repeated: the same draws, directly
                characters, choice = self._class(value[0][1]), self._random.choice
                return "".join([choice(characters) for _ in range(times)])
            handle = self._handle_state
            return "".join(["".join([handle(state) for state in value]) for _ in range(times)])

    return _Xeger


@functools.lru_cache(maxsize=512)
def _parsed(pattern: str) -> Any:
    """rstr's input for ``pattern``: the standard library's parse of it (read only by the generator)."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python < 3.11
        import sre_parse  # type: ignore[no-redef,unused-ignore]
    return _plain(sre_parse.parse(pattern))


def _plain(node: Any) -> Any:
    """A parse with its ``SubPattern`` objects as lists (the same states; a list iterates without ``__getitem__``)."""
    if isinstance(node, (list, tuple)) or type(node).__name__ == "SubPattern":
        items = [_plain(item) for item in node]
        return tuple(items) if isinstance(node, tuple) else items
    return node


_local = threading.local()


def _xeger(pattern: str, rng: random.Random, limit: int, skip_lookahead: bool = False) -> str:
    generator = getattr(_local, "xeger", None)  # one per thread, its random source set per call
    if generator is None:
        generator = _local.xeger = _xeger_class()(random.Random(0))
    generator._random = rng
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


def _candidates(
    text: str, patterns: list[str], bounds: tuple[int, int], rng: random.Random, limit: int
) -> Iterator[str]:
    """Strings to try for ``patterns`` from ``text`` (made for the first): as is, fitted, joined to the others'."""
    low, high = bounds
    yield text
    yield _fit(text, low, high)
    yield text[-high:] if high else ""
    if len(patterns) > 1:
        joined = text + "".join(_xeger(other, rng, limit) for other in patterns[1:])
        yield joined
        yield _fit(joined, low, high)


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
        for candidate in _candidates(text, patterns, (low, high), rng, limit):
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
