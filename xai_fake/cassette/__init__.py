"""Record and replay: cassettes of gRPC interactions with the xAI API.

* :mod:`xai_fake.cassette.format`: the file format (binary or text, versioned, sealed with a checksum,
  validated as replayable, atomic writes).
* :mod:`xai_fake.cassette.redact`: what never reaches a file (credentials; your metadata keys,
  body fields and hook).
* :mod:`xai_fake.cassette.record_mode`: ``none | once | new_episodes | all``.
* :mod:`xai_fake.cassette.matchers`: which recorded call answers a live one (``match_on``, a
  registry of named matchers, :func:`register_matcher`), and the diff of a miss.
* :mod:`xai_fake.cassette.options`: :class:`CassetteOptions`, everything a cassette is opened with.
* :mod:`xai_fake.cassette.player` / :mod:`xai_fake.cassette.recorder`: replay, and the recording proxy.
* :mod:`xai_fake.cassette.layer`: both together, as the fake's cassette layer (``FakeServer(cassette=...)``).
"""

from xai_fake.cassette.format import (
    FORMAT_VERSION,
    MAX_BYTES,
    MAX_BYTES_VARIABLE,
    MAX_DEPTH,
    MIGRATIONS,
    TEXT_SUFFIXES,
    CassetteError,
    CassetteWarning,
    dumps,
    examine,
    is_text_path,
    load,
    loads,
    new_cassette,
    pack,
    reseal,
    save,
    to_text,
    unpack,
    validate,
)
from xai_fake.cassette.layer import CassetteLayer
from xai_fake.cassette.matchers import (
    BUILTIN_MATCHERS,
    CallView,
    RequestMatcher,
    diff_messages,
    register_matcher,
    registered_matchers,
    unregister_matcher,
)
from xai_fake.cassette.options import CassetteOptions
from xai_fake.cassette.player import Miss, Player
from xai_fake.cassette.record_mode import RecordMode
from xai_fake.cassette.recorder import DEFAULT_MANAGEMENT_UPSTREAM, DEFAULT_UPSTREAM, Recorder
from xai_fake.cassette.redact import (
    CREDENTIAL_KEYS,
    DEFAULT_REDACTOR,
    REDACTED,
    BeforeRecord,
    Redactor,
    is_credential_key,
    redact_credentials,
)

__all__ = [
    "BUILTIN_MATCHERS",
    "CREDENTIAL_KEYS",
    "DEFAULT_MANAGEMENT_UPSTREAM",
    "DEFAULT_REDACTOR",
    "DEFAULT_UPSTREAM",
    "FORMAT_VERSION",
    "MAX_BYTES",
    "MAX_BYTES_VARIABLE",
    "MAX_DEPTH",
    "MIGRATIONS",
    "REDACTED",
    "TEXT_SUFFIXES",
    "BeforeRecord",
    "CallView",
    "CassetteError",
    "CassetteLayer",
    "CassetteOptions",
    "CassetteWarning",
    "Miss",
    "Player",
    "RecordMode",
    "Recorder",
    "Redactor",
    "RequestMatcher",
    "diff_messages",
    "dumps",
    "examine",
    "is_credential_key",
    "is_text_path",
    "load",
    "loads",
    "new_cassette",
    "pack",
    "redact_credentials",
    "register_matcher",
    "registered_matchers",
    "reseal",
    "save",
    "to_text",
    "unpack",
    "unregister_matcher",
    "validate",
]
