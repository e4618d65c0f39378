"""The fake's tokenizer: deterministic, lossless, and used for all usage counts."""

from __future__ import annotations

import re
import zlib

_TOKEN = re.compile(r"\s*[A-Za-z]+|\s*\d{1,3}|\s*[^\sA-Za-z\d]|\s+", re.S)
VOCABULARY_SIZE = 131_072


def split(text: str) -> list[str]:
    """Tokens of ``text``; ``"".join(split(text)) == text`` always holds."""
    return _TOKEN.findall(text)


def token_id(token: str) -> int:
    """A stable id for a token string."""
    return zlib.crc32(token.encode()) % VOCABULARY_SIZE


def count(text: str) -> int:
    """Number of tokens in ``text``."""
    return len(split(text))
