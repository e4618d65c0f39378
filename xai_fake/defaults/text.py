"""Seeded text generation honouring ``max_tokens`` and ``stop``, shared by Chat and Sample."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xai_fake.defaults import tokens
from xai_fake.defaults.state import State
from xai_sdk.proto import sample_pb2

DEFAULT_MAX_TOKENS = 64


@dataclass(frozen=True)
class Generated:
    text: str
    finish_reason: int  # sample_pb2.FinishReason
    tokens: int


def generate(
    state: State, rng: random.Random, *, max_tokens: int | None = None, stop: list[str] | tuple[str, ...] = ()
) -> Generated:
    """Faker sentences, cut at the first stop sequence or at ``max_tokens`` tokens."""
    faker = state.faker(rng)
    text = " ".join(faker.sentences(nb=rng.randint(2, 5)))
    for sequence in stop:
        if sequence and sequence in text:
            text = text[: text.index(sequence)]
            return Generated(text, sample_pb2.REASON_STOP, tokens.count(text))
    parts = tokens.split(text)
    limit = max_tokens if max_tokens else DEFAULT_MAX_TOKENS
    if len(parts) > limit:
        text = "".join(parts[:limit])
        return Generated(text, sample_pb2.REASON_MAX_LEN, limit)
    return Generated(text, sample_pb2.REASON_STOP, len(parts))
