"""A/B timing: alternate two variants over several rounds and compare medians.

Standard library only, so that it also runs under another interpreter (the official
SDK's virtualenv). Every round times ``calls`` runs of A and of B back to back, in
alternating order (AB, BA, AB, ...), so slow drift of a noisy machine hits both alike.
The reported ratio is the median of the per-round ratios A/B.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    """Median seconds per run of A and of B, and the median of the per-round ratios A/B."""

    a: float
    b: float
    ratio: float
    rounds: int

    def as_dict(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b, "ratio": self.ratio, "rounds": float(self.rounds)}


def summarize(a_times: list[float], b_times: list[float]) -> Comparison:
    """Medians of paired per-round times."""
    ratios = [a / b for a, b in zip(a_times, b_times, strict=True)]
    return Comparison(statistics.median(a_times), statistics.median(b_times), statistics.median(ratios), len(ratios))


def _time_sync(function: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def alternate(
    a: Callable[[], object], b: Callable[[], object], *, rounds: int, calls: int, warmup: int = 3
) -> Comparison:
    """Time ``calls`` runs of ``a`` and of ``b`` per round, alternating which goes first."""
    for _ in range(warmup):
        a()
        b()
    a_times: list[float] = []
    b_times: list[float] = []
    for round_index in range(rounds):
        if round_index % 2:
            b_times.append(_time_sync(b, calls))
            a_times.append(_time_sync(a, calls))
        else:
            a_times.append(_time_sync(a, calls))
            b_times.append(_time_sync(b, calls))
    return summarize(a_times, b_times)


async def _time_async(function: Callable[[], Awaitable[object]], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await function()
    return (time.perf_counter() - start) / calls


async def alternate_async(
    a: Callable[[], Awaitable[object]],
    b: Callable[[], Awaitable[object]],
    *,
    rounds: int,
    calls: int,
    warmup: int = 3,
) -> Comparison:
    """:func:`alternate` for coroutine functions, awaited one after the other in the running loop."""
    for _ in range(warmup):
        await a()
        await b()
    a_times: list[float] = []
    b_times: list[float] = []
    for round_index in range(rounds):
        if round_index % 2:
            b_times.append(await _time_async(b, calls))
            a_times.append(await _time_async(a, calls))
        else:
            a_times.append(await _time_async(a, calls))
            b_times.append(await _time_async(b, calls))
    return summarize(a_times, b_times)
