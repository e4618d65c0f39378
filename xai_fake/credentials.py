"""The one secrets rule: which metadata and header values are credentials, and what they become.

Every place that shows or stores what a client sent uses this module: the request log
(``fake.requests``), the cassette redactor and writer, the HTTP (vcrpy) cassette filter and
``xai-fake cassette check``. A key is a credential when it is one of :data:`CREDENTIAL_KEYS`,
or contains one of :data:`CREDENTIAL_KEY_PARTS` (so ``x-goog-api-key``, ``x-session-token``,
``x-credential`` and ``x-secret`` are covered too); a value is one when it starts with an
HTTP auth scheme (``Bearer ...``, ``Basic ...``), whatever its key. The rule errs on the side
of hiding: ``x-ratelimit-remaining-tokens`` is hidden as well.

The same rule, applied to URLs: a query parameter is a credential when it is one of
:data:`CREDENTIAL_QUERY_PARAMS`, starts with one of :data:`CREDENTIAL_QUERY_PREFIXES` (the
``X-Amz-*`` and ``X-Goog-*`` parameters of presigned S3 and GCS URLs), or is a credential key
(``key``, ``access_token``, ``api_key``...); :func:`redact_query` hides the values of such
parameters (and the password of ``user:password@`` URLs) wherever a URL appears in a text.
:class:`Secrets` holds the credential values a recorder has seen (the keys it forwards) and
scrubs every occurrence of them, with :func:`redact_query`, from what is recorded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

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


# -- URLs: signed-URL query parameters --------------------------------------------------------

#: Query parameters whose values are credentials (compared lower-case), besides every credential key.
CREDENTIAL_QUERY_PARAMS = frozenset({"token", "signature", "sig", "key", "access_token", "api_key", "policy"})

#: A query parameter starting with one of these (lower-case) is a credential too: presigned S3 and GCS URLs.
CREDENTIAL_QUERY_PREFIXES = ("x-amz-", "x-goog-")


@lru_cache(maxsize=1024)
def is_credential_param(name: str) -> bool:
    """True if the URL query parameter ``name`` (percent-encoded or not) carries a credential."""
    lowered = unquote(name).lower()
    if lowered in CREDENTIAL_QUERY_PARAMS or lowered.startswith(CREDENTIAL_QUERY_PREFIXES):
        return True
    return is_credential_key(lowered)


# ``?name=value`` or ``&name=value`` (also JSON's ``\u0026`` for ``&``), the value up to the next separator.
_QUERY_PAIR = re.compile(r"([?&]|\\u0026)([A-Za-z0-9_.~%+-]+)=([^&#\s\"'<>\\)\]}]*)")
# ``scheme://user:password@host``: the password.
_USERINFO = re.compile(r"(://[^/\s:@]+:)([^/\s@]+)@")
#: What a text must contain for :func:`redact_query` to have anything to do (bytes, for whole messages).
QUERY_HINT = re.compile(rb"(?:[?&]|\\u0026)[A-Za-z0-9_.~%+-]+=|://[^/\s:@]+:[^/\s@]+@")


def _query_pair(match: re.Match[str]) -> str:
    separator, name, value = match.groups()
    if not value or value == REDACTED or not is_credential_param(name):
        return match.group(0)
    return f"{separator}{name}={REDACTED}"


def redact_query(text: str) -> str:
    """``text`` with the value of every credential query parameter (and URL password) replaced by :data:`REDACTED`.

    Works on a URL or on any text holding URLs (a JSON body, a message), so that
    ``https://cdn.example/i.png?X-Amz-Signature=abc&w=2`` becomes
    ``https://cdn.example/i.png?X-Amz-Signature=<redacted>&w=2``. Redacting twice changes nothing.
    """
    if "=" in text:
        text = _QUERY_PAIR.sub(_query_pair, text)
    if "@" in text and "://" in text:
        text = _USERINFO.sub(lambda match: f"{match.group(1)}{REDACTED}@", text)
    return text


# -- the credential values a recorder has seen ------------------------------------------------

#: Shorter values are not scrubbed from bodies (they would hit ordinary words); metadata still hides them.
MIN_SECRET_LENGTH = 8

_SCHEMES = tuple(prefix for prefix in CREDENTIAL_VALUE_PREFIXES if prefix.endswith(" "))


def credential_values(pairs: Iterable[tuple[str, Any]] | None) -> set[str]:
    """The credential values in metadata or header ``pairs``: each whole value and, after an auth scheme, its token.

    ``("authorization", "Bearer xai-abc")`` gives ``{"Bearer xai-abc", "xai-abc"}``; ``-bin`` values
    count when they are UTF-8. Which pairs are credentials is :func:`is_credential`'s rule.
    """
    found: set[str] = set()
    for key, raw in pairs or ():
        try:
            value = raw.decode() if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError:
            continue
        if not is_credential(key, value):
            continue
        found.add(value.strip())
        scheme = value[:16].lower()
        for prefix in _SCHEMES:
            if scheme.startswith(prefix):
                found.add(value[len(prefix) :].strip())
    return {value for value in found if len(value) >= MIN_SECRET_LENGTH and value != REDACTED}


class Secrets:
    """Credential values to scrub from recordings: the keys a recording proxy forwards, and the like.

    :meth:`scrub_text` and :meth:`scrub_bytes` replace every occurrence of them with
    :data:`REDACTED` (and apply :func:`redact_query`); :meth:`mask_bytes` overwrites them with
    as many ``*`` (for encoded data whose length must not change). Values shorter than
    :data:`MIN_SECRET_LENGTH` are ignored. Safe to share between threads; its repr never shows a value.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()
        self._texts: tuple[str, ...] = ()  # longest first: a secret holding another goes whole
        self._encoded: tuple[bytes, ...] = ()
        self.update(values)

    def __repr__(self) -> str:
        return f"<Secrets: {len(self._values)} values, hidden>"

    def __len__(self) -> int:
        return len(self._values)

    def add(self, value: str) -> None:
        """Scrub ``value`` from now on (if it is long enough)."""
        self.update((value,))

    def update(self, values: Iterable[str]) -> None:
        """Scrub each of ``values`` from now on (those long enough)."""
        new = {value for value in values if len(value) >= MIN_SECRET_LENGTH and value != REDACTED}
        with self._lock:
            if new <= self._values:
                return
            self._values = self._values | new
            self._texts = tuple(sorted(self._values, key=len, reverse=True))
            self._encoded = tuple(text.encode() for text in self._texts)

    def learn(self, pairs: Iterable[tuple[str, Any]] | None) -> None:
        """Scrub from now on the credential values of metadata or header ``pairs`` (see :func:`credential_values`)."""
        found = credential_values(pairs)
        if found and not found <= self._values:
            self.update(found)

    def __contains__(self, text: object) -> bool:
        """True if ``text`` (a str or bytes) holds one of the values."""
        if isinstance(text, bytes):
            return any(encoded in text for encoded in self._encoded)
        return isinstance(text, str) and any(value in text for value in self._texts)

    def scrub_text(self, text: str) -> str:
        """``text`` with every value and every credential query parameter replaced by :data:`REDACTED`."""
        for value in self._texts:
            if value in text:
                text = text.replace(value, REDACTED)
        return redact_query(text)

    def scrub_bytes(self, data: bytes) -> bytes:
        """``data`` with the UTF-8 of each value replaced by :data:`REDACTED` (and URL credentials, if it is text)."""
        for encoded in self._encoded:
            if encoded in data:
                data = data.replace(encoded, REDACTED.encode())
        if QUERY_HINT.search(data) is None:
            return data
        try:
            text = data.decode()
        except UnicodeDecodeError:
            return data  # binary (an image): its bytes are not rewritten for URLs
        return redact_query(text).encode()

    def mask_bytes(self, data: bytes) -> bytes:
        """``data`` with every value's UTF-8 encoding overwritten by as many ``*``: the length stays the same."""
        for encoded in self._encoded:
            if encoded in data:
                data = data.replace(encoded, b"*" * len(encoded))
        return data

    def worth_scrubbing(self, data: bytes) -> bool:
        """True if encoded ``data`` may hold something to scrub: a value, or a URL with parameters."""
        return data in self or QUERY_HINT.search(data) is not None
