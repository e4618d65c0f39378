"""The one secrets rule: which metadata and header values are credentials, and what they become.

Every place that shows or stores what a client sent uses this module: the request log
(``fake.requests``), the cassette redactor and writer, the HTTP (vcrpy) cassette filter and
``xai-fake cassette check``. A key is a credential when it is one of :data:`CREDENTIAL_KEYS`,
or contains one of :data:`CREDENTIAL_KEY_PARTS` (so ``x-goog-api-key``, ``x-session-token``,
``x-credential`` and ``x-secret`` are covered too); a value is one when it starts with an
HTTP auth scheme (``Bearer ...``, ``Basic ...``), whatever its key. The rule errs on the side
of hiding: ``x-ratelimit-remaining-tokens`` is hidden as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from xai_fake._proto import cassette_pb2

#: What a redacted value becomes (bytes values: its UTF-8 encoding).
REDACTED = "<redacted>"

#: Keys whose values are always credentials (compared lower-case).
CREDENTIAL_KEYS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"})

#: A key containing any of these (lower-case) is a credential too.
CREDENTIAL_KEY_PARTS = ("key", "token", "secret", "password", "passwd", "auth", "credential", "cookie")

#: Values starting with one of these (lower-case) are credentials under any key.
CREDENTIAL_VALUE_PREFIXES = ("bearer ", "basic ", "digest ", "negotiate ", "xai-")


@lru_cache(maxsize=1024)
def is_credential_key(key: str) -> bool:
    """True if a metadata or header key carries a credential."""
    lowered = key.lower()
    return lowered in CREDENTIAL_KEYS or any(part in lowered for part in CREDENTIAL_KEY_PARTS)


def is_credential_value(value: str | bytes) -> bool:
    """True if a value looks like a credential whatever its key (``Bearer ...``, an ``xai-`` key)."""
    head = value[:16].lower() if isinstance(value, str) else value[:16].decode("latin-1").lower()
    return head.startswith(CREDENTIAL_VALUE_PREFIXES)


def is_credential(key: str, value: str | bytes) -> bool:
    """The rule for one ``(key, value)`` pair."""
    return is_credential_key(key) or is_credential_value(value)


#: The rule's answers for recent short pairs: a client sends the same metadata call after call.
_cached_rule = lru_cache(maxsize=2048)(is_credential)
_CACHED_VALUE_LENGTH = 256  # longer values are judged afresh, so the cache stays small


def _hide(key: str, value: Any) -> bool:
    if len(value) <= _CACHED_VALUE_LENGTH:
        return _cached_rule(key, value)
    return is_credential(key, value)


def redact_mapping(pairs: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``pairs`` with every credential value replaced by :data:`REDACTED`."""
    return {key: (REDACTED if _hide(key, value) else value) for key, value in pairs.items()}


def redact_headers(headers: Any) -> None:
    """Redact, in place, a mutable mapping of HTTP headers (values may be strings or lists of strings)."""
    for key in list(headers):
        value = headers[key]
        values = value if isinstance(value, list) else [value]
        if is_credential_key(key) or any(is_credential_value(str(item)) for item in values):
            headers[key] = [REDACTED] * len(values) if isinstance(value, list) else REDACTED


def redact_entry(entry: cassette_pb2.Metadatum) -> None:
    """Replace, in place, the value of one cassette metadata entry with the redaction marker."""
    if entry.WhichOneof("value") == "binary" or entry.key.lower().endswith("-bin"):
        entry.binary = REDACTED.encode()
    else:
        entry.text = REDACTED


def _entry_value(entry: cassette_pb2.Metadatum) -> str | bytes:
    return entry.binary if entry.WhichOneof("value") == "binary" else entry.text


def is_redacted(entry: cassette_pb2.Metadatum) -> bool:
    """True if a cassette metadata entry holds the redaction marker."""
    value = _entry_value(entry)
    return value in (REDACTED, REDACTED.encode())


def entries(interaction: cassette_pb2.Interaction) -> Iterable[cassette_pb2.Metadatum]:
    """Every metadata entry of an interaction: request, initial and trailing."""
    return (*interaction.request_metadata, *interaction.initial_metadata, *interaction.trailing_metadata)


def leaks(interaction: cassette_pb2.Interaction) -> list[str]:
    """Keys of the credential entries of ``interaction`` that are not redacted."""
    return [
        entry.key
        for entry in entries(interaction)
        if is_credential(entry.key, _entry_value(entry)) and not is_redacted(entry)
    ]


def redact_credentials(interaction: cassette_pb2.Interaction) -> None:
    """Replace, in place, the value of every credential entry of ``interaction`` with :data:`REDACTED`."""
    for entry in entries(interaction):
        if is_credential(entry.key, _entry_value(entry)):
            redact_entry(entry)
