"""Reading and writing cassette files: binary or text, versioned, validated, written atomically.

A cassette is a :class:`~xai_fake._proto.cassette_pb2.Cassette` message. Files ending in
``.txtpb``, ``.textproto`` or ``.txt`` hold protobuf text format, with request and response
bodies shown decoded; any other name holds the binary encoding. Both are lossless::

    from xai_fake.cassette import load, save

    cassette = load("cassettes/test_chat/test_hello.pb")
    save(cassette, "cassettes/test_chat/test_hello.txtpb")  # the same cassette, readable

:func:`load` raises :class:`CassetteError` for a missing, empty, truncated, corrupt or
future-version file, and upgrades older versions through :data:`MIGRATIONS`. :func:`save`
writes a temporary file in the same directory, syncs it and renames it over the target, so a
crash never leaves a half-written cassette. Credential-like metadata is redacted on every
write (see :mod:`xai_fake.credentials`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Union

from google.protobuf import any_pb2, descriptor_pool, message_factory, text_format, unknown_fields
from google.protobuf.message import DecodeError, Message

from xai_fake._proto import cassette_pb2
from xai_fake.credentials import redact_credentials
from xai_sdk.__about__ import __version__

#: The format version this xai-devkit writes; files with a higher version are refused.
FORMAT_VERSION = 1

#: File name suffixes that select protobuf text format (any other suffix means binary).
TEXT_SUFFIXES = frozenset({".txtpb", ".textproto", ".txt"})

#: ``MIGRATIONS[v]`` upgrades a cassette of format version ``v`` to version ``v + 1``.
#: :func:`load` applies them in turn up to :data:`FORMAT_VERSION` (and stamps each new version).
MIGRATIONS: dict[int, Callable[[cassette_pb2.Cassette], cassette_pb2.Cassette]] = {}

PathLike = Union[str, "os.PathLike[str]"]

_TYPE_URL_PREFIX = "type.googleapis.com/"
_ANY = "google.protobuf.Any"
_TEXT_HEADER = (
    "# proto-file: protos/xai_fake/cassette/v1/cassette.proto\n"
    "# proto-message: xai_fake.cassette.v1.Cassette\n"
    "# An xai-fake cassette (recorded gRPC calls). Bodies are shown decoded; secrets are redacted.\n"
)
_FIX = "re-record it, or restore it from version control"
_MAX_STATUS_CODE = 16  # grpc.StatusCode.UNAUTHENTICATED
_MAX_NANOS = 999_999_999
_MAX_SECONDS = 315_576_000_000  # the limit of google.protobuf.Duration


class CassetteError(ValueError):
    """A cassette file that cannot be used: names the file, the reason and the fix."""

    def __init__(self, path: PathLike | None, reason: str) -> None:
        self.path = None if path is None else Path(path)
        self.reason = reason
        super().__init__(f"cassette {str(self.path)!r}: {reason}" if self.path is not None else f"cassette: {reason}")


def is_text_path(path: PathLike) -> bool:
    """True if ``path`` names a text-format cassette (``.txtpb``, ``.textproto`` or ``.txt``)."""
    return Path(path).suffix.lower() in TEXT_SUFFIXES


@cache
def load_descriptors() -> None:
    """Import the xAI API's generated modules, so that bodies can be decoded by type name."""
    from xai_fake.methods import all_methods

    all_methods()


def _message_class(type_name: str) -> type[Message] | None:
    load_descriptors()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError:
        return None
    return message_factory.GetMessageClass(descriptor)


def new_cassette(interactions: list[cassette_pb2.Interaction] | None = None) -> cassette_pb2.Cassette:
    """An empty (or pre-filled) cassette of the current format, stamped with this tool and the time."""
    cassette = cassette_pb2.Cassette(format_version=FORMAT_VERSION, created_by=f"xai-devkit {__version__}")
    cassette.recorded_at.GetCurrentTime()
    cassette.interactions.extend(interactions or [])
    return cassette


def pack(message: Message, offset_seconds: float = 0.0) -> cassette_pb2.RecordedMessage:
    """A request or response message as stored in a cassette, sent ``offset_seconds`` after the call began."""
    if offset_seconds < 0:
        raise ValueError(f"offset_seconds must be >= 0, got {offset_seconds}")
    recorded = cassette_pb2.RecordedMessage()
    recorded.body.Pack(message, deterministic=True)
    recorded.offset.FromNanoseconds(round(offset_seconds * 1e9))
    return recorded


def unpack(recorded: cassette_pb2.RecordedMessage | any_pb2.Any) -> Message:
    """The message stored in a :class:`RecordedMessage` (or a bare ``Any``), as its generated class.

    Raises :class:`CassetteError` if the type is unknown to this xai-devkit or the bytes do not parse.
    """
    body = recorded.body if isinstance(recorded, cassette_pb2.RecordedMessage) else recorded
    return _unpack_any(body, None)


def _unpack_any(body: any_pb2.Any, path: PathLike | None) -> Message:
    if not body.type_url.startswith(_TYPE_URL_PREFIX):
        raise CassetteError(path, f"a body has type URL {body.type_url!r}, not {_TYPE_URL_PREFIX}<type>; {_FIX}")
    cls = _message_class(body.TypeName())
    if cls is None:
        raise CassetteError(
            path,
            f"a body has message type {body.TypeName()!r}, unknown to xai-devkit {__version__}; "
            "upgrade xai-devkit or re-record the cassette",
        )
    message = cls()
    try:
        message.ParseFromString(body.value)
    except DecodeError as exc:
        raise CassetteError(
            path, f"a {body.TypeName()} body does not parse ({exc}); the file is corrupt; {_FIX}"
        ) from exc
    return message


# --- encoding --------------------------------------------------------------------------------------------


def _canonical(message: Message) -> bytes:
    return message.SerializeToString(deterministic=True)


def _text_safe(body: any_pb2.Any) -> Message | None:
    """The decoded body if text format holds it exactly (known type, no unknown fields), else None."""
    cls = _message_class(body.TypeName()) if body.type_url.startswith(_TYPE_URL_PREFIX) else None
    if cls is None:
        return None
    try:
        decoded = cls.FromString(body.value)
        again = text_format.Parse(text_format.MessageToString(decoded, message_formatter=_format_any), cls())
    except (DecodeError, text_format.ParseError):
        return None
    return decoded if _canonical(decoded) == _canonical(again) else None


def _format_any(message: Message, indent: int, as_one_line: bool) -> str | None:
    """``message_formatter`` for text output: expand an ``Any`` only if the expansion is lossless.

    Bodies of an unknown type, with fields these protos do not know (which text format cannot
    hold), or with non-canonical bytes stay as raw ``type_url``/``value`` so text round-trips exactly.
    """
    del indent, as_one_line
    if message.DESCRIPTOR.full_name != _ANY:
        return None
    assert isinstance(message, any_pb2.Any)
    decoded = _text_safe(message)
    if decoded is not None and _canonical(decoded) == message.value:
        return None  # the default printer expands it
    return text_format.MessageToString(message, as_one_line=True, descriptor_pool=descriptor_pool.DescriptorPool())


def _prepared(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
    """A copy stamped with the current version and tool, credentials redacted."""

    copy = cassette_pb2.Cassette()
    copy.CopyFrom(cassette)
    copy.format_version = FORMAT_VERSION
    copy.interaction_count = len(copy.interactions)
    if not copy.created_by:
        copy.created_by = f"xai-devkit {__version__}"
    for interaction in copy.interactions:
        redact_credentials(interaction)
    return copy


def to_text(cassette: cassette_pb2.Cassette) -> str:
    """The cassette in protobuf text format, bodies decoded, credentials redacted."""
    load_descriptors()
    body = text_format.MessageToString(_prepared(cassette), message_formatter=_format_any)
    return _TEXT_HEADER + body


def dumps(cassette: cassette_pb2.Cassette, *, text: bool = False) -> bytes:
    """Encode a cassette (binary, or text format if ``text``), credentials redacted."""
    if text:
        return to_text(cassette).encode("utf-8")
    return _canonical(_prepared(cassette))


def loads(data: bytes, *, text: bool = False, path: PathLike | None = None) -> cassette_pb2.Cassette:
    """Decode, migrate and validate a cassette; :class:`CassetteError` (naming ``path``) if it is unusable."""
    empty = not data.strip() if text else not data
    if empty:
        raise CassetteError(path, f"the file is empty (truncated?); {_FIX}")
    cassette = _parse_text(data, path) if text else _parse_binary(data, path)
    written = cassette.format_version
    cassette = _migrate(cassette, path)
    validate(cassette, path)
    if written == FORMAT_VERSION and cassette.interaction_count != len(cassette.interactions):
        # The count is encoded after the interactions: a cut between two of them shows here.
        raise CassetteError(
            path,
            f"it holds {len(cassette.interactions)} interaction(s) but was written with "
            f"{cassette.interaction_count}: the file was cut short; {_FIX}",
        )
    return cassette


def _parse_binary(data: bytes, path: PathLike | None) -> cassette_pb2.Cassette:
    try:
        return cassette_pb2.Cassette.FromString(data)
    except DecodeError as exc:
        hint = " (if it is a text cassette, name it .txtpb)" if data.lstrip()[:1] in (b"#", b"f", b"c", b"i") else ""
        raise CassetteError(path, f"not a valid binary cassette: truncated or corrupt ({exc}){hint}; {_FIX}") from exc


def _parse_text(data: bytes, path: PathLike | None) -> cassette_pb2.Cassette:
    load_descriptors()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CassetteError(path, f"not a valid text cassette: not UTF-8 ({exc}); {_FIX}") from exc
    cassette = cassette_pb2.Cassette()
    try:
        text_format.Parse(source, cassette)
    except text_format.ParseError as exc:
        _refuse_future_text(source, path)
        raise CassetteError(path, f"not a valid text cassette: {exc}; {_FIX}") from exc
    else:
        _canonicalize_bodies(cassette)
    return cassette


def _refuse_future_text(source: str, path: PathLike | None) -> None:
    """A text file of a newer format may not parse with today's schema: report its version instead."""
    lenient = cassette_pb2.Cassette()
    with contextlib.suppress(text_format.ParseError):
        text_format.Parse(source, lenient, allow_unknown_field=True, allow_unknown_extension=True)
        _check_version(lenient.format_version, path)


def _canonicalize_bodies(cassette: cassette_pb2.Cassette) -> None:
    """Re-encode expanded bodies parsed from text deterministically, so text -> binary is byte-stable.

    Raw bodies (kept raw because text could not hold them: an unknown type, or fields these
    protos do not know) are left exactly as they are. This runs on every text load, so it
    decodes each body once and does not re-check the text form (that is done on writing).
    """
    for interaction in cassette.interactions:
        for recorded in (*interaction.requests, *interaction.responses):
            body = recorded.body
            cls = _message_class(body.TypeName()) if body.type_url.startswith(_TYPE_URL_PREFIX) else None
            if cls is None:
                continue
            try:
                decoded = cls.FromString(body.value)
            except DecodeError:
                continue
            if not len(unknown_fields.UnknownFieldSet(decoded)):
                body.value = _canonical(decoded)


def _check_version(version: int, path: PathLike | None) -> None:
    if version > FORMAT_VERSION:
        raise CassetteError(
            path,
            f"format version {version} is newer than this xai-devkit {__version__} reads (up to {FORMAT_VERSION}); "
            "upgrade xai-devkit",
        )


def _migrate(cassette: cassette_pb2.Cassette, path: PathLike | None) -> cassette_pb2.Cassette:
    version = cassette.format_version
    _check_version(version, path)
    while version < FORMAT_VERSION:
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise CassetteError(
                path, f"format version {version} is not supported (no migration to {version + 1}); re-record it"
            )
        try:
            cassette = migration(cassette)
        except Exception as exc:
            raise CassetteError(path, f"migration from format version {version} failed: {exc!r}") from exc
        version += 1
        cassette.format_version = version
    return cassette


# --- validation ------------------------------------------------------------------------------------------


def _no_unknown_fields(message: Message, where: str, path: PathLike | None) -> None:
    if len(unknown_fields.UnknownFieldSet(message)):
        raise CassetteError(path, f"{where} has fields this format does not define; the file is corrupt; {_FIX}")


def _check_duration(seconds: int, nanos: int, where: str, path: PathLike | None) -> None:
    if not (0 <= seconds <= _MAX_SECONDS and 0 <= nanos <= _MAX_NANOS):
        raise CassetteError(path, f"{where} is not a valid non-negative duration; the file is corrupt; {_FIX}")


def validate(cassette: cassette_pb2.Cassette, path: PathLike | None = None) -> None:
    """Check every part of a (current-version) cassette; :class:`CassetteError` names the first problem."""
    _no_unknown_fields(cassette, "the cassette", path)
    if cassette.HasField("recorded_at"):
        _no_unknown_fields(cassette.recorded_at, "recorded_at", path)
        if not 0 <= cassette.recorded_at.nanos <= _MAX_NANOS:
            raise CassetteError(path, f"recorded_at is not a valid timestamp; the file is corrupt; {_FIX}")
    for number, interaction in enumerate(cassette.interactions, start=1):
        where = f"interaction {number}"
        _no_unknown_fields(interaction, where, path)
        parts = interaction.method.split("/")
        if len(parts) != 3 or parts[0] or not parts[1] or not parts[2]:
            raise CassetteError(
                path, f"{where}: method {interaction.method!r} is not a gRPC path like '/xai_api.Chat/GetCompletion'"
            )
        if not 0 <= interaction.status_code <= _MAX_STATUS_CODE:
            raise CassetteError(path, f"{where}: status code {interaction.status_code} is not a gRPC status code")
        _no_unknown_fields(interaction.duration, f"{where}: duration", path)
        _check_duration(interaction.duration.seconds, interaction.duration.nanos, f"{where}: duration", path)
        for kind, messages in (("request", interaction.requests), ("response", interaction.responses)):
            for index, recorded in enumerate(messages, start=1):
                at = f"{where}, {kind} {index}"
                _no_unknown_fields(recorded, at, path)
                _no_unknown_fields(recorded.body, at, path)
                _no_unknown_fields(recorded.offset, f"{at}: offset", path)
                _check_duration(recorded.offset.seconds, recorded.offset.nanos, f"{at}: offset", path)
                try:
                    _unpack_any(recorded.body, path)
                except CassetteError as exc:
                    raise CassetteError(path, f"{at}: {exc.reason}") from exc
        for kind, metadata in (
            ("request metadata", interaction.request_metadata),
            ("initial metadata", interaction.initial_metadata),
            ("trailing metadata", interaction.trailing_metadata),
        ):
            for entry in metadata:
                _no_unknown_fields(entry, f"{where}: {kind}", path)
                if not entry.key or entry.WhichOneof("value") is None:
                    raise CassetteError(path, f"{where}: {kind} has an entry without key or value; {_FIX}")


# --- files -----------------------------------------------------------------------------------------------


def load(path: PathLike) -> cassette_pb2.Cassette:
    """Read a cassette (text format if the suffix says so, else binary), migrated to the current version.

    Raises :class:`CassetteError` naming the file, the reason and the fix.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise CassetteError(
            path, "no such file; check the path, or record it (record mode 'once', 'new_episodes' or 'all')"
        ) from exc
    except OSError as exc:
        raise CassetteError(path, f"cannot read it: {exc.strerror or exc}") from exc
    return loads(data, text=is_text_path(path), path=path)


def save(cassette: cassette_pb2.Cassette, path: PathLike) -> Path:
    """Write a cassette atomically (text format if the suffix says so, else binary); return the path.

    Creates missing parent directories. The bytes go to a temporary file in the same directory,
    which is flushed, fsynced and renamed over ``path``: readers and crashes see either the old
    file or the new one, never a mix. The caller's message is not modified.
    """
    target = Path(path)
    data = dumps(cassette, text=is_text_path(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return target


def atomic_write(path: PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file + fsync + rename); keeps an existing file's mode."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
