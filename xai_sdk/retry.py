"""Retry policies: how a client retries a failed call, as gRPC's own retry machinery does it.

``Client(retry=RetryPolicy(max_attempts=5, initial_backoff=0.1, max_backoff=1.0, multiplier=2.0,
retryable_codes=(grpc.StatusCode.UNAVAILABLE,)))`` becomes the channel's service config
(gRFC A6, https://github.com/grpc/proposal/blob/master/A6-client-retries.md), so retries run
inside gRPC: before retry *k* the client waits a random time up to
``min(initial_backoff * multiplier**(k-1), max_backoff)``, or exactly what the server asks for in
``grpc-retry-pushback-ms`` (a negative or malformed value there stops retrying). A call is retried
only while no response message has reached the application, and within its deadline.

The default, :data:`DEFAULT_RETRY`, is the official SDK's: 5 attempts on ``UNAVAILABLE``, backing
off from 0.1 s to 1 s. ``retry=None`` turns retries off. ``RESOURCE_EXHAUSTED`` (rate limits) is
not retried unless a policy names it; the server's pushback then paces the attempts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "retry_options"]

#: gRFC A6 treats a ``maxAttempts`` above 5 as 5; more are refused here rather than silently cut.
MAX_ATTEMPTS_LIMIT = 5


def _code(value: grpc.StatusCode | str) -> grpc.StatusCode:
    if isinstance(value, grpc.StatusCode):
        return value
    name = str(value).upper()
    try:
        return grpc.StatusCode[name]
    except KeyError:
        names = ", ".join(code.name for code in grpc.StatusCode)
        raise ValueError(f"retryable_codes: {value!r} is not a gRPC status code; use one of {names}") from None


def _seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 1e-9:
        raise ValueError(f"{name} must be a positive number of seconds (1 ns at least), got {value!r}")
    return float(value)


def _duration(seconds: float) -> str:
    """A protobuf JSON duration (``"0.1s"``), to the nanosecond."""
    text = f"{seconds:.9f}".rstrip("0").rstrip(".")
    return f"{text}s"


@dataclass(frozen=True)
class RetryPolicy:
    """How calls are retried; see the module docstring. Invalid values are a ValueError naming them."""

    #: Attempts in all, the first included: 2 to 5.
    max_attempts: int = 5
    #: Seconds: the ceiling of the first backoff.
    initial_backoff: float = 0.1
    #: Seconds: no backoff ceiling exceeds this.
    max_backoff: float = 1.0
    #: The ceiling grows by this factor from one retry to the next.
    multiplier: float = 2.0
    #: The status codes that are retried (``grpc.StatusCode`` values or their names).
    retryable_codes: tuple[grpc.StatusCode, ...] = field(default=(grpc.StatusCode.UNAVAILABLE,))

    def __post_init__(self) -> None:
        attempts = self.max_attempts
        if isinstance(attempts, bool) or not isinstance(attempts, int) or not 2 <= attempts <= MAX_ATTEMPTS_LIMIT:
            raise ValueError(
                f"max_attempts must be an int from 2 to {MAX_ATTEMPTS_LIMIT} (the first attempt included; gRPC "
                f"allows no more), got {attempts!r}; for no retries pass retry=None"
            )
        _seconds("initial_backoff", self.initial_backoff)
        _seconds("max_backoff", self.max_backoff)
        _seconds("multiplier", self.multiplier)
        codes: Any = self.retryable_codes
        if isinstance(codes, (str, grpc.StatusCode)) or not isinstance(codes, Iterable):
            codes = (codes,)
        resolved = tuple(dict.fromkeys(_code(code) for code in codes))
        if not resolved:
            raise ValueError("retryable_codes must name at least one status code; for no retries pass retry=None")
        if grpc.StatusCode.OK in resolved:
            raise ValueError("retryable_codes cannot hold OK: a call that succeeded is not retried")
        object.__setattr__(self, "retryable_codes", resolved)

    def method_config(self) -> dict[str, Any]:
        """The ``retryPolicy`` of gRPC's service config, for every method."""
        return {
            "name": [{}],
            "retryPolicy": {
                "maxAttempts": self.max_attempts,
                "initialBackoff": _duration(self.initial_backoff),
                "maxBackoff": _duration(self.max_backoff),
                "backoffMultiplier": self.multiplier,
                "retryableStatusCodes": [code.name for code in self.retryable_codes],
            },
        }

    def service_config(self) -> str:
        """The service config JSON that gives a channel this policy."""
        return json.dumps({"methodConfig": [self.method_config()]})

    def channel_options(self) -> list[tuple[str, Any]]:
        """The channel options that give a channel this policy."""
        return [("grpc.enable_retries", 1), ("grpc.service_config", self.service_config())]


#: The official SDK's policy: 5 attempts on UNAVAILABLE, backoff ceilings 0.1, 0.2, 0.4, 0.8 s (at most 1 s).
DEFAULT_RETRY = RetryPolicy()


def retry_options(
    retry: RetryPolicy | None, channel_options: Sequence[tuple[str, Any]] | None
) -> list[tuple[str, Any]] | None:
    """A client's channel options with ``retry`` applied: the policy's first, the user's after them.

    The default policy adds nothing (the channel defaults carry it), so that a user's own
    ``grpc.service_config`` option still wins as before. A policy given explicitly together with a
    ``grpc.service_config`` or ``grpc.enable_retries`` option is a ValueError: one would silently undo
    the other.
    """
    if retry is DEFAULT_RETRY:
        return list(channel_options) if channel_options is not None else None
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise TypeError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
    user = list(channel_options or ())
    clash = sorted({name for name, _ in user} & {"grpc.service_config", "grpc.enable_retries"})
    if clash:
        raise ValueError(f"retry= and channel_options' {clash[0]} both set the retry policy; pass one of them")
    own = retry.channel_options() if retry is not None else [("grpc.enable_retries", 0)]
    return own + user
