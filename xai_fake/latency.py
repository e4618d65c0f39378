"""Latency that looks like a model: time to first token, tokens per second, seeded jitter.

A :class:`Latency` is a pace, not a layer: the faults layer (layer 3, :mod:`xai_fake.layers.faults`)
asks it how long to wait and does the waiting, within the client's deadline. Create one with
:meth:`xai_fake.FakeServer.latency`; it is off unless a test asks for it, so tests stay fast.

- A stream's first message comes ``ttft`` seconds after the answer was made; each later message
  comes ``tokens / tokens_per_second`` seconds after the one before, ``tokens`` being the text
  tokens the message carries (for chat chunks, the delta's content, reasoning and tool-call
  arguments, counted by the fake's tokenizer). Messages without text come without a pause.
- A unary answer comes after the whole generation time: ``ttft`` plus its completion and
  reasoning tokens (from ``usage``) over ``tokens_per_second``.
- ``jitter`` stretches or shrinks every pause by a factor drawn uniformly from
  ``[1 - jitter, 1 + jitter]``, from a generator seeded by ``seed``: the same calls in the same
  order wait the same pauses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from xai_fake.methods import resolve_method, resolve_service


@dataclass
class Latency:
    """The pace of a model's answers, for the calls of one scope.

    Scope as for faults: ``method`` (``Chat/GetCompletionChunk``), ``service`` (``Chat``), or
    neither for every call. ``tokens_per_second=None`` paces nothing after the first token.
    """

    ttft: float = 0.0
    tokens_per_second: float | None = None
    jitter: float = 0.0
    seed: int = 0
    method: str | None = None
    service: str | None = None
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.method is not None:
            self.method = resolve_method(self.method).full_name
        if self.service is not None:
            self.service = resolve_service(self.service)
        if self.method and self.service:
            raise ValueError("a latency is scoped to a method or to a service, not both")
        if not self.ttft >= 0:
            raise ValueError(f"ttft must be >= 0 seconds, got {self.ttft!r}")
        if self.tokens_per_second is not None and not self.tokens_per_second > 0:
            raise ValueError(f"tokens_per_second must be > 0 (or None for no pacing), got {self.tokens_per_second!r}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter must be between 0 and 1 (a fraction of each pause), got {self.jitter!r}")
        self._rng = random.Random(self.seed)

    def applies_to(self, method: str, service: str) -> bool:
        """True if the latency's scope covers this call."""
        return (self.method is None or self.method == method) and (self.service is None or self.service == service)

    def first_message(self) -> float:
        """Seconds before a stream's first message: the time to first token."""
        return self._jittered(self.ttft)

    def next_message(self, message: Message) -> float:
        """Seconds before a later message of a stream: its tokens at ``tokens_per_second``."""
        if self.tokens_per_second is None:
            return 0.0
        return self._jittered(streamed_tokens(message) / self.tokens_per_second)

    def unary(self, message: Message) -> float:
        """Seconds before a unary answer: the time to first token plus the generation of its tokens."""
        seconds = self.ttft
        if self.tokens_per_second is not None:
            seconds += generated_tokens(message) / self.tokens_per_second
        return self._jittered(seconds)

    def _jittered(self, seconds: float) -> float:
        if not seconds or not self.jitter:
            return seconds
        return seconds * self._rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)


def streamed_tokens(message: Message) -> int:
    """Text tokens in one streamed message: a chat chunk's deltas; 0 for messages without them."""
    outputs: Any = getattr(message, "outputs", None)
    if not outputs:
        return 0
    from xai_fake.defaults.tokens import count  # the tokenizer the usage counts come from

    tokens = 0
    for output in outputs:
        delta = getattr(output, "delta", None)
        if delta is None:
            continue
        tokens += count(delta.content) + count(delta.reasoning_content)
        for tool_call in delta.tool_calls:
            tokens += count(tool_call.function.name) + count(tool_call.function.arguments)
    return tokens


def generated_tokens(message: Message) -> int:
    """Tokens a unary answer took to generate: its ``usage``'s completion and reasoning tokens, else 0."""
    usage: Any = getattr(message, "usage", None)
    if usage is None:
        return 0
    return int(getattr(usage, "completion_tokens", 0)) + int(getattr(usage, "reasoning_tokens", 0))
