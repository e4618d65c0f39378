"""Integers and numbers: bounds (inclusive, exclusive, either side only), ``multipleOf``, name hints."""

from __future__ import annotations

import functools
import math
import random
from fractions import Fraction
from typing import Any

from xai_fake.schema.errors import NotYetSupported, Unsatisfiable
from xai_fake.schema.merge import fraction
from xai_fake.schema.realism import number_range

__all__ = ["number_value"]

_SPAN = 100


def _bounds(schema: dict[str, Any]) -> tuple[Fraction | None, bool, Fraction | None, bool]:
    low: Fraction | None = None
    high: Fraction | None = None
    low_open = high_open = False
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
        low, low_open = fraction(minimum), ex_min is True  # draft-04: exclusiveMinimum is a flag
    if isinstance(ex_min, (int, float)) and not isinstance(ex_min, bool) and (low is None or fraction(ex_min) >= low):
        low, low_open = fraction(ex_min), True
    if isinstance(maximum, (int, float)) and not isinstance(maximum, bool):
        high, high_open = fraction(maximum), ex_max is True
    if isinstance(ex_max, (int, float)) and not isinstance(ex_max, bool) and (high is None or fraction(ex_max) <= high):
        high, high_open = fraction(ex_max), True
    return low, low_open, high, high_open


def _describe(low: Fraction | None, low_open: bool, high: Fraction | None, high_open: bool) -> str:
    left = f"{'exclusiveMinimum' if low_open else 'minimum'} {_text(low)}"
    right = f"{'exclusiveMaximum' if high_open else 'maximum'} {_text(high)}"
    return f"{left} {'>=' if low_open or high_open else '>'} {right}"


def _text(value: Fraction | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if value.denominator == 1 else repr(float(value))


def _float_multiple(value: float, step: Any) -> bool:
    """jsonschema's own ``multipleOf`` test, so a value it would reject is never sent."""
    if isinstance(step, float):
        quotient = value / step
        try:
            return int(quotient) == quotient
        except OverflowError:
            return False
    return not value % step


def _number(value: Fraction | None) -> int | float | None:
    """``value`` as the JSON number it came from (``fraction`` of a float is its shortest decimal text)."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def number_value(schema: dict[str, Any], rng: random.Random, integer: bool, name: str | None, path: str) -> int | float:
    """A number for ``schema``; an integer if ``integer``, realistic for a property ``name``."""
    keywords = {key: schema[key] for key in _KEYS if key in schema}
    try:  # typed: 1, 1.0 and True are three different bounds
        plan = _planned(tuple((key, value, type(value)) for key, value in keywords.items()), integer, name, path)
    except TypeError:  # a bound that does not hash (not a number): worked out without the cache
        plan = _plan(keywords, integer, name, path)
    if plan[0] == "step":
        _, first, last, step, step_raw = plan
        if step == 1:
            return int(rng.randint(first, last))
        for _ in range(20):
            value = rng.randint(first, last) * step
            if integer or value.denominator == 1:
                return int(value)
            as_float = float(value)
            if _float_multiple(as_float, step_raw):
                return as_float
        raise NotYetSupported(f"found no float multiple of {step_raw} that jsonschema accepts", path)
    _, lo, span, decimals, low, low_open, high, high_open, middle = plan
    for places in (decimals, 4, 8, 12):
        drawn = float(round(lo + span * rng.random(), places))
        # compared as jsonschema compares: the drawn float with the schema's own numbers
        if (low is None or drawn > low or (drawn == low and not low_open)) and (
            high is None or drawn < high or (drawn == high and not high_open)
        ):
            return drawn
    if middle is not None:
        return float(middle)
    raise Unsatisfiable(_describe(*_bounds(schema)), path)


_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


@functools.lru_cache(maxsize=2048)
def _planned(
    keywords: tuple[tuple[str, Any, type], ...], integer: bool, name: str | None, path: str
) -> tuple[Any, ...]:
    return _plan({key: value for key, value, _type in keywords}, integer, name, path)


def _plan(schema: dict[str, Any], integer: bool, name: str | None, path: str) -> tuple[Any, ...]:
    """How to draw a number for the number keywords of ``schema`` (not random, so worked out once per keywords).

    ``("step", first, last, step, multipleOf)``: ``randint(first, last) * step``; or
    ``("float", lo, span, decimals, low, low_open, high, high_open, middle)``: ``lo + span * random()``
    rounded to ``decimals`` (then finer) while it falls outside the bounds, else ``middle``.
    """
    low, low_open, high, high_open = _bounds(schema)
    if low is not None and high is not None and (low > high or (low == high and (low_open or high_open))):
        raise Unsatisfiable(_describe(low, low_open, high, high_open), path)
    hint = number_range(name)
    step_raw = schema.get("multipleOf")
    step = fraction(step_raw) if isinstance(step_raw, (int, float)) and not isinstance(step_raw, bool) else None
    if step is not None and step <= 0:
        raise Unsatisfiable(f"multipleOf {step_raw} is not positive", path)
    if integer:
        step = Fraction(1) if step is None else Fraction(math.lcm(step.numerator, 1), math.gcd(step.denominator, 1))
    # A realistic window inside the bounds: the name's hint if it fits, else a span next to the bound(s).
    lo, hi = low, high
    if hint is not None:
        h_lo, h_hi = Fraction(hint[0]), Fraction(hint[1])
        if (lo is None or h_hi >= lo) and (hi is None or h_lo <= hi):
            lo = h_lo if lo is None or h_lo > lo else lo
            hi = h_hi if hi is None or h_hi < hi else hi
    if lo is None and hi is None:
        lo, hi = Fraction(0 if integer else 1), Fraction(_SPAN)
    elif lo is None:
        assert hi is not None
        lo = hi - _SPAN if hi > _SPAN or hi <= 0 else Fraction(0)
    elif hi is None:
        hi = lo + _SPAN if lo >= 0 or lo < -_SPAN else Fraction(_SPAN)
    open_lo = low_open and lo == low
    open_hi = high_open and hi == high
    if step is not None:
        first = math.ceil(lo / step) + (1 if open_lo and (lo / step).denominator == 1 else 0)
        last = math.floor(hi / step) - (1 if open_hi and (hi / step).denominator == 1 else 0)
        if first > last:
            what = f"multipleOf {step_raw}" if step_raw is not None else "an integer"
            raise Unsatisfiable(f"{what} has no value between {_text(lo)} and {_text(hi)}", path)
        return ("step", first, last, step, step_raw)
    decimals = hint[2] if hint is not None else 2
    middle_value = (lo + hi) / 2
    fits = (low is None or middle_value > low) and (high is None or middle_value < high)
    return (
        "float", float(lo), float(hi - lo), decimals,
        _number(low), low_open, _number(high), high_open, float(middle_value) if fits else None,
    )  # fmt: skip
