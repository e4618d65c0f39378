"""The fake's tokenizer: deterministic, lossless, and used for all usage counts."""

from __future__ import annotations

import re
import zlib

_TOKEN = re.compile(r"\s*[A-Za-z]+|\s*\d{1,3}|\s*[^\sA-Za-z\d]|\s+", re.S)
VOCABULARY_SIZE = 131_072
#: Counts of texts up to this many characters are remembered (prompts repeat: every turn
#: of a conversation resends the earlier messages, and tests resend the same prompts).
CACHED_TEXT_LENGTH = 1024
CACHED_TEXTS = 8192

_counts: dict[str, int] = {}


def split(text: str) -> list[str]:
    """Tokens of ``text``; ``"".join(split(text)) == text`` always holds."""
    return _TOKEN.findall(text)


def token_id(token: str) -> int:
    """A stable id for a token string."""
    return zlib.crc32(token.encode()) % VOCABULARY_SIZE


def count(text: str) -> int:
    """Number of tokens in ``text``."""
    found = _counts.get(text)
    if found is None:
        found = len(_TOKEN.findall(text))
        if len(text) <= CACHED_TEXT_LENGTH:
            if len(_counts) >= CACHED_TEXTS:
                _counts.clear()
            _counts[text] = found
    return found
