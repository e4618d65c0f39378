"""Seeded text generation honouring ``max_tokens`` and ``stop``, shared by Chat and Sample.

The text has the shape of ``Faker.sentences()`` (2 to 5 sentences of about six words from
faker's English lorem word list) but is drawn straight from the request's generator, in one
draw of random bytes, and built token by token: the fake's tokenizer splits every word (with
its leading space) and every period into one token each, so the length in tokens and the
cut at ``max_tokens`` need no tokenizing. No faker instance is re-seeded per call.
"""

from __future__ import annotations

import array
import random
import sys
from collections.abc import Sequence
from typing import NamedTuple

from xai_fake.defaults import tokens
from xai_fake.defaults.state import State
from xai_sdk.proto import sample_pb2

DEFAULT_MAX_TOKENS = 64
#: Words per sentence before the 60% to 140% variation, as faker's ``sentence()``.
SENTENCE_WORDS = 6
MIN_SENTENCES, MAX_SENTENCES = 2, 5
#: Words of a sentence by draw: 60% to 140% of SENTENCE_WORDS, at least one (faker's ``randomize_nb_elements``).
_LENGTHS = tuple(max(1, SENTENCE_WORDS * percent // 100) for percent in range(60, 141))
_MAX_WORDS = _LENGTHS[-1]
#: 16-bit draws per text: the sentence count, one length per sentence, then the words.
_DRAWS = 1 + MAX_SENTENCES + MAX_SENTENCES * _MAX_WORDS


class Generated(NamedTuple):
    """Generated text, why it ended, and its length in the fake's tokens."""

    text: str
    finish_reason: int  # sample_pb2.FinishReason
    tokens: int


class _Vocabulary:
    """faker's English lorem words, as the tokens they are in a sentence (faker is imported on first use)."""

    def __init__(self) -> None:
        try:
            from faker.providers.lorem.en_US import Provider
        except ImportError:
            raise ImportError("xai_fake needs faker for generated text: pip install 'xai-devkit[fake]'") from None
        # Only ASCII letters: each word is then exactly one token of the fake's tokenizer.
        self.words = tuple(w for w in Provider.word_list if w.isascii() and w.isalpha())
        self.spaced = tuple(" " + w for w in self.words)
        self.capitals = tuple(w[0].upper() + w[1:] for w in self.words)
        self.spaced_capitals = tuple(" " + w for w in self.capitals)


_vocabulary: _Vocabulary | None = None


def _vocab() -> _Vocabulary:
    global _vocabulary  # noqa: PLW0603 - loaded once, on first use
    if _vocabulary is None:
        _vocabulary = _Vocabulary()
    return _vocabulary


def words() -> tuple[str, ...]:
    """The word list generated text is made of."""
    return _vocab().words


def some_words(rng: random.Random, count: int) -> list[str]:
    """``count`` words drawn from ``rng`` (repeats allowed)."""
    return rng.choices(_vocab().words, k=count)


def _draws(rng: random.Random) -> Sequence[int]:
    """:data:`_DRAWS` 16-bit numbers from ``rng``, little-endian on every platform."""
    raw = rng.randbytes(2 * _DRAWS)
    if sys.byteorder == "little":
        return memoryview(raw).cast("H")
    numbers = array.array("H", raw)
    numbers.byteswap()
    return numbers


def _tokens(rng: random.Random) -> list[str]:
    """The tokens of 2 to 5 sentences: capitalised first word, spaced words, a period each."""
    vocab = _vocabulary or _vocab()
    size, spaced = len(vocab.words), vocab.spaced
    draws = _draws(rng)
    out: list[str] = []
    append, extend = out.append, out.extend
    firsts, at = vocab.capitals, 1 + MAX_SENTENCES
    for draw in draws[1 : 1 + MIN_SENTENCES + draws[0] % (MAX_SENTENCES - MIN_SENTENCES + 1)]:
        length = _LENGTHS[draw % len(_LENGTHS)]
        append(firsts[draws[at] % size])
        firsts = vocab.spaced_capitals
        extend([spaced[word % size] for word in draws[at + 1 : at + length]])
        append(".")
        at += length
    return out


def thought(rng: random.Random, count: int) -> str:
    """Sentences from ``rng`` of exactly ``count`` tokens (the last one cut short if need be)."""
    if count <= 0:
        return ""
    parts = _tokens(rng)
    while len(parts) < count:
        more = _tokens(rng)
        more[0] = " " + more[0]  # still one token: a spaced word
        parts += more
    return "".join(parts[:count])


def generate(
    state: State | None, rng: random.Random, *, max_tokens: int | None = None, stop: list[str] | tuple[str, ...] = ()
) -> Generated:
    """Sentences from ``rng``, cut at the first stop sequence or at ``max_tokens`` tokens.

    ``state`` is not used (the text depends on ``rng`` alone); it stays for the callers.
    """
    parts = _tokens(rng)
    if stop:
        text = "".join(parts)
        for sequence in stop:
            if sequence and sequence in text:
                text = text[: text.index(sequence)]
                return Generated(text, sample_pb2.REASON_STOP, tokens.count(text))
    limit = max_tokens if max_tokens else DEFAULT_MAX_TOKENS
    if len(parts) > limit:
        return Generated("".join(parts[:limit]), sample_pb2.REASON_MAX_LEN, limit)
    return Generated("".join(parts), sample_pb2.REASON_STOP, len(parts))
