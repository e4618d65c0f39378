"""Multi-step calls (polling, deferred results) written once and driven sync or async.

A *flow* is a generator that yields effects, :class:`Call` or :class:`Sleep`, and
receives each call's result; its return value is the flow's result. ``run_sync``
and ``run_async`` are the only places where the two worlds differ, in the spirit
of httpx's auth flows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """Invoke ``method(request, **kwargs)`` on a stub and send back its result."""

    method: Callable[..., Any]
    request: Any
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before going on."""

    seconds: float


Flow = Generator["Call | Sleep", Any, T]


def run_sync(flow: Flow[T]) -> T:
    """Drive a flow with blocking calls."""
    result: Any = None
    try:
        while True:
            effect = flow.send(result)
            if isinstance(effect, Call):
                result = effect.method(effect.request, **effect.kwargs)
            else:
                time.sleep(effect.seconds)
                result = None
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def run_async(flow: Flow[T]) -> T:
    """Drive a flow with awaited calls."""
    result: Any = None
    try:
        while True:
            effect = flow.send(result)
            if isinstance(effect, Call):
                result = await effect.method(effect.request, **effect.kwargs)
            else:
                await asyncio.sleep(effect.seconds)
                result = None
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
