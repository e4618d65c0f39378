"""Reading and writing cassette files: binary or text, versioned, sealed, validated, written atomically.

A cassette is a :class:`~xai_fake._proto.cassette_pb2.Cassette` message. Files ending in
``.txtpb``, ``.textproto`` or ``.txt`` hold protobuf text format, with request and response
bodies shown decoded; any other name holds the binary encoding. Both are lossless::

    from xai_fake.cassette import load, save

    cassette = load("cassettes/test_chat/test_hello.pb")
    save(cassette, "cassettes/test_chat/test_hello.txtpb")  # the same cassette, readable

**Integrity.** Every file written carries a checksum (field ``checksum``, encoded last): the
SHA-256 of the cassette's deterministic binary encoding without that field, so it covers
everything in the file (header, every interaction, the interaction count) and stays valid when
a cassette is converted between binary and text. :func:`load` verifies it: a changed byte is a
:class:`CassetteError`, never a different replay; so is a file cut anywhere (the checksum goes
with the cut). A text cassette stays hand-editable: once edited, it is sealed again with
``xai-fake cassette check --fix PATH`` (:func:`reseal`). Files of format 1, written before
checksums, still load, with a :class:`CassetteWarning` saying how to seal them.

:func:`load` also refuses what could not be replayed (:func:`validate`: an unknown method, a
body of another type than the method's, a unary call without exactly one request, or with
no response although it ended OK, or with two), what is not a regular file (a FIFO, a device,
a directory: refused before anything is read), files over :data:`MAX_BYTES` (see
:data:`MAX_BYTES_VARIABLE`) and messages nested deeper than :data:`MAX_DEPTH`. Every error is
a :class:`CassetteError` with one line naming the file, the reason and the fix. Older formats
are upgraded through :data:`MIGRATIONS`.

:func:`save` writes a temporary file in the same directory, syncs it and renames it over the
target, so a crash never leaves a half-written cassette. Credential-like metadata is redacted
on every write (see :mod:`xai_fake.credentials`).
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import re
import secrets
import stat
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, Union

from google.protobuf import any_pb2, descriptor_pool, message_factory, text_format, unknown_fields
from google.protobuf.message import DecodeError, Message

from xai_fake._proto import cassette_pb2
from xai_fake.cassette import _textwire
from xai_fake.credentials import leaks, redact_credentials
from xai_sdk.__about__ import __version__

if TYPE_CHECKING:
    from xai_fake.methods import Method

#: The format version this xai-devkit writes; files with a higher version are refused.
#: 1: the first format. 2: adds ``checksum``.
FORMAT_VERSION = 2

#: The first format version whose files are sealed with a checksum.
SEALED_SINCE = 2

#: File name suffixes that select protobuf text format (any other suffix means binary).
TEXT_SUFFIXES = frozenset({".txtpb", ".textproto", ".txt"})

#: How deep messages may nest in a cassette, counted from the cassette itself. Protobuf's own
#: binary parsers stop at 100 too; real cassettes nest about 15 deep (the deepest xAI message
#: is 9 levels). Not configurable: anything deeper is damage or an attack.
MAX_DEPTH = 100

#: The largest cassette file :func:`load` reads, in bytes (default 256 MiB); the environment
#: variable :data:`MAX_BYTES_VARIABLE` raises (or lowers) it.
MAX_BYTES = 256 * 1024 * 1024
MAX_BYTES_VARIABLE = "XAI_FAKE_CASSETTE_MAX_BYTES"

#: The checksum's algorithm, as its value starts (``"sha256:<64 hex digits>"``).
CHECKSUM_PREFIX = "sha256:"

#: ``MIGRATIONS[v]`` upgrades a cassette of format version ``v`` to version ``v + 1``.
#: :func:`load` verifies the checksum of the version a file was written with, then applies them
#: in turn up to :data:`FORMAT_VERSION` (and stamps each new version); the next :func:`save`
#: seals the result. A format change adds its migration here and bumps :data:`FORMAT_VERSION`.
MIGRATIONS: dict[int, Callable[[cassette_pb2.Cassette], cassette_pb2.Cassette]] = {}

PathLike = Union[str, "os.PathLike[str]"]

#: What a file's checksum says: sealed and matching; of a format before checksums; absent
#: (in a format that has them); present but not matching the content.
Seal = Literal["sealed", "unsealed", "missing", "mismatch"]

_TYPE_URL_PREFIX = "type.googleapis.com/"
_ANY = "google.protobuf.Any"
_TEXT_HEADER = (
    "# proto-file: protos/xai_fake/cassette/v1/cassette.proto\n"
    "# proto-message: xai_fake.cassette.v1.Cassette\n"
    "# An xai-fake cassette (recorded gRPC calls). Bodies are shown decoded; secrets are redacted.\n"
    "# Edited by hand? Seal it again with: xai-fake cassette check --fix PATH\n"
)
_FIX = "re-record it, or restore it from version control"
_MAX_STATUS_CODE = 16  # grpc.StatusCode.UNAUTHENTICATED
_OK = 0
_MAX_NANOS = 999_999_999
_MAX_SECONDS = 315_576_000_000  # the limit of google.protobuf.Duration
_CHECKSUM_NUMBER = cassette_pb2.Cassette.DESCRIPTOR.fields_by_name["checksum"].number
_CHECKSUM_TAG = _textwire.varint(_CHECKSUM_NUMBER << 3 | 2)
_CHECKSUM_LENGTH = len(CHECKSUM_PREFIX) + 64
#: The encoded checksum field as a sealed binary file ends with it: tag, length, value.
_CHECKSUM_FIELD_LENGTH = len(_CHECKSUM_TAG) + 1 + _CHECKSUM_LENGTH
_CHECKSUM_FIELD_START = _CHECKSUM_TAG + _textwire.varint(_CHECKSUM_LENGTH) + CHECKSUM_PREFIX.encode()
_CHECKSUM_VALUE_AT = len(_CHECKSUM_TAG) + 1


class CassetteError(ValueError):
    """A cassette file that cannot be used: one line naming the file, the reason and the fix."""

    def __init__(self, path: PathLike | None, reason: str) -> None:
        self.path = None if path is None else Path(path)
        self.reason = " ".join(reason.split("\n"))
        where = f"cassette {str(self.path)!r}: " if self.path is not None else "cassette: "
        super().__init__(where + self.reason)


class CassetteWriteError(CassetteError):
    """A cassette that cannot be written or recorded: one line naming it, the problem and the fix.

    Raised before a recording starts (:func:`xai_fake.cassette.writable.check_writable`, the
    lock), and instead of the :class:`OSError` of a failed save (:func:`write_error`): the
    previous file is then left as it was.
    """


#: What to do about an OSError while writing, by errno.
_WRITE_FIXES = {
    getattr(errno, "EDQUOT", errno.ENOSPC): "free some of your disk quota, or record elsewhere",
    errno.ENOSPC: "free some space on that file system, or record elsewhere",
    errno.EROFS: "the file system is mounted read-only: record to a writable place",
    errno.EACCES: "make the directory writable for this user, or record elsewhere",
    errno.EPERM: "make the directory writable for this user, or record elsewhere",
    errno.ENOTDIR: "a part of the path is a file, not a directory: choose another path",
    errno.EISDIR: "it is a directory: give the path of a cassette file, e.g. DIR/name.pb",
    errno.ENAMETOOLONG: "choose a shorter name",
}


def write_error(path: PathLike, exc: OSError, *, what: str = "cannot write it") -> CassetteWriteError:
    """``exc`` (raised while writing ``path``) as one line: the file, the system's reason, the fix."""
    reason = exc.strerror or str(exc)
    other = Path(os.fsdecode(exc.filename)) if isinstance(exc.filename, (str, bytes)) else None
    # A temporary file next to the target says nothing more than the target; a parent directory does.
    where = f" ({other})" if other is not None and other.parent != Path(path).parent else ""
    fix = _WRITE_FIXES.get(exc.errno or 0, "check the path and its permissions")
    return CassetteWriteError(path, f"{what}: {reason}{where}; {fix}")


class CassetteWarning(UserWarning):
    """A cassette that loads but deserves attention: one written before checksums, to be sealed."""


def is_text_path(path: PathLike) -> bool:
    """True if ``path`` names a text-format cassette (``.txtpb``, ``.textproto`` or ``.txt``)."""
    return Path(path).suffix.lower() in TEXT_SUFFIXES


@cache
def load_descriptors() -> None:
    """Import the xAI API's generated modules, so that bodies can be decoded by type name."""
    from xai_fake.methods import all_methods

    all_methods()


_CLASSES: dict[str, type[Message]] = {}


def _message_class(type_name: str) -> type[Message] | None:
    found = _CLASSES.get(type_name)
    if found is not None:
        return found
    load_descriptors()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError:
        return None  # not remembered: a module imported later may define it
    found = _CLASSES[type_name] = message_factory.GetMessageClass(descriptor)
    return found


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


def checksum_of(encoded: bytes | memoryview) -> str:
    """The checksum of a cassette whose deterministic encoding without ``checksum`` is ``encoded``."""
    return CHECKSUM_PREFIX + hashlib.sha256(encoded).hexdigest()


def _raw_any(message: Message, indent: int, as_one_line: bool) -> str | None:
    """``message_formatter`` printing every ``Any`` raw (``type_url`` and ``value``), on one line."""
    del indent, as_one_line
    if message.DESCRIPTOR.full_name != _ANY:
        return None
    return text_format.MessageToString(message, as_one_line=True, descriptor_pool=descriptor_pool.DescriptorPool())


def _text_safe(body: any_pb2.Any) -> bool:
    """True if text format holds this body exactly when expanded (known type, canonical bytes, no unknown fields).

    Any ``Any`` nested inside it would be printed raw; the round trip through text proves the rest.
    """
    cls = _message_class(body.TypeName()) if body.type_url.startswith(_TYPE_URL_PREFIX) else None
    if cls is None:
        return False
    try:
        decoded = cls.FromString(body.value)
        if _canonical(decoded) != body.value:
            return False
        again = text_format.Parse(text_format.MessageToString(decoded, message_formatter=_raw_any), cls())
    except (DecodeError, text_format.ParseError):
        return False
    return _canonical(again) == body.value


#: The indentation at which :func:`to_text` prints the fields of a body (cassette > interactions >
#: requests/responses > body): only there are ``Any`` messages expanded.
_BODY_INDENT = 6


def _format_any(message: Message, indent: int, as_one_line: bool) -> str | None:
    """``message_formatter`` for text output: expand a body only if the expansion is lossless.

    Bodies of an unknown type, with fields these protos do not know (which text format cannot
    hold), or with non-canonical bytes stay as raw ``type_url``/``value`` so text round-trips
    exactly. Each body is checked once, and an ``Any`` nested inside a body is printed raw, so
    printing is linear in the size of the cassette (checking nested ``Any`` messages at every
    level was exponential in their depth).
    """
    if message.DESCRIPTOR.full_name != _ANY:
        return None
    assert isinstance(message, any_pb2.Any)
    if indent == _BODY_INDENT and not as_one_line and _text_safe(message):
        return None  # the default printer expands it
    return _raw_any(message, indent, as_one_line)


def _prepared(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
    """A copy stamped with the current version, tool and count, credentials redacted, not yet sealed."""

    copy = cassette_pb2.Cassette()
    copy.CopyFrom(cassette)
    copy.format_version = FORMAT_VERSION
    copy.interaction_count = len(copy.interactions)
    copy.ClearField("checksum")
    if not copy.created_by:
        copy.created_by = f"xai-devkit {__version__}"
    for interaction in copy.interactions:
        redact_credentials(interaction)
    return copy


def to_text(cassette: cassette_pb2.Cassette) -> str:
    """The cassette in protobuf text format, bodies decoded, credentials redacted, sealed."""
    load_descriptors()
    prepared = _prepared(cassette)
    prepared.checksum = checksum_of(_canonical(prepared))
    return _TEXT_HEADER + text_format.MessageToString(prepared, message_formatter=_format_any)


def dumps(cassette: cassette_pb2.Cassette, *, text: bool = False) -> bytes:
    """Encode a cassette (binary, or text format if ``text``), credentials redacted, sealed with its checksum."""
    if text:
        return to_text(cassette).encode("utf-8")
    encoded = _canonical(_prepared(cassette))
    # The checksum field has the highest number, so the deterministic encoding ends with it.
    return encoded + _CHECKSUM_FIELD_START + checksum_of(encoded)[len(CHECKSUM_PREFIX) :].encode()


def loads(data: bytes, *, text: bool = False, path: PathLike | None = None) -> cassette_pb2.Cassette:
    """Decode, verify, migrate and validate a cassette; :class:`CassetteError` (naming ``path``) if it is unusable.

    A cassette of a format before checksums loads with a :class:`CassetteWarning`.
    """
    return _loads(data, text=text, path=path, stacklevel=3)


def _loads(data: bytes, *, text: bool, path: PathLike | None, stacklevel: int) -> cassette_pb2.Cassette:
    cassette, seal = _decode(data, text=text, path=path)
    problem = _seal_problem(seal, text=text, path=path)
    if problem is not None:
        raise CassetteError(path, problem)
    written = cassette.format_version
    cassette = _finish(cassette, seal, path, recount=False)
    if seal == "unsealed":
        warnings.warn(unsealed_warning(written, path), CassetteWarning, stacklevel=stacklevel)
    return cassette


def _decode(
    data: bytes, *, text: bool, path: PathLike | None, authoritative: bool = False
) -> tuple[cassette_pb2.Cassette, Seal]:
    """Parse and verify the checksum (not yet enforced); the cassette comes back without its checksum.

    ``authoritative``: the content of a text cassette whose checksum does not match comes from
    ``text_format`` (for ``check --fix``, which seals it), not from the fast path.
    """
    empty = not data.strip() if text else not data
    if empty:
        raise CassetteError(path, f"the file is empty (truncated?); {_FIX}")
    return _decode_text(data, path, authoritative=authoritative) if text else _decode_binary(data, path)


def _seal_of(cassette: cassette_pb2.Cassette, verified: bool) -> Seal:
    """Check ``cassette``'s checksum (unless ``verified`` already) and remove it from the message."""
    checksum = cassette.checksum
    if verified:
        seal: Seal = "sealed"
    elif not checksum:
        seal = "unsealed" if cassette.format_version < SEALED_SINCE else "missing"
    else:
        cassette.ClearField("checksum")
        seal = "sealed" if checksum_of(_canonical(cassette)) == checksum else "mismatch"
    cassette.ClearField("checksum")
    return seal


def _decode_binary(data: bytes, path: PathLike | None) -> tuple[cassette_pb2.Cassette, Seal]:
    # A file this tool wrote ends with its checksum field: hash the bytes before it as they are
    # (no re-encoding). Otherwise (another writer's field order, or damage) _seal_of re-encodes.
    end = len(data) - _CHECKSUM_FIELD_LENGTH
    verified = (
        end >= 0
        and data.startswith(_CHECKSUM_FIELD_START, end)
        and checksum_of(memoryview(data)[:end]).encode() == data[end + _CHECKSUM_VALUE_AT :]
    )
    try:
        cassette = cassette_pb2.Cassette.FromString(data)
    except DecodeError as exc:
        hint = " (if it is a text cassette, name it .txtpb)" if data.lstrip()[:1] in (b"#", b"f", b"c", b"i") else ""
        raise CassetteError(path, f"not a valid binary cassette: truncated or corrupt ({exc}){hint}; {_FIX}") from exc
    _check_version(cassette.format_version, path)
    return cassette, _seal_of(cassette, verified)


def _decode_text(data: bytes, path: PathLike | None, *, authoritative: bool) -> tuple[cassette_pb2.Cassette, Seal]:
    """Parse a text cassette; the fast path (see _textwire) decides only a match, or (unless
    ``authoritative``) a mismatch: a cassette is never taken from it without its checksum's say-so.
    Anything else goes through ``text_format``, which is also what ``check --fix`` seals."""
    load_descriptors()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CassetteError(path, f"not a valid text cassette: not UTF-8 ({exc}); {_FIX}") from exc
    try:
        fast = _textwire.to_wire(source, cassette_pb2.Cassette.DESCRIPTOR, MAX_DEPTH)
    except _textwire.TooDeep:
        raise _too_deep(path) from None
    if fast is not None:
        wire, at, checksum = fast
        try:
            cassette = cassette_pb2.Cassette.FromString(wire) if checksum else None
        except DecodeError:
            cassette = None  # e.g. a string the C parser refuses: text_format will say why
        if cassette is not None:
            _check_version(cassette.format_version, path)
            if checksum_of(memoryview(wire)[:at]) == checksum:
                return cassette, _seal_of(cassette, True)
            if not authoritative:  # a hand-made layout of the sealed content, or an edit
                _canonicalize_bodies(cassette)
                seal = _seal_of(cassette, False)
                if seal in ("sealed", "mismatch"):
                    return cassette, seal
    cassette = _parse_text(source, path)
    _check_version(cassette.format_version, path)
    return cassette, _seal_of(cassette, False)


def _too_deep(path: PathLike | None) -> CassetteError:
    return CassetteError(
        path, f"messages nest deeper than {MAX_DEPTH} levels (the limit; real cassettes nest about 15): "
        f"the file is damaged or hostile; {_FIX}",
    )  # fmt: skip


#: Tokens that matter for nesting in text format: strings and comments (skipped) and brackets.
_NESTING = re.compile(r""""(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|#[^\n]*|[{}<>]""")


def _check_nesting(source: str, path: PathLike | None) -> None:
    """Refuse text nesting deeper than MAX_DEPTH before the recursive text_format parser sees it."""
    depth = 0
    for token in _NESTING.findall(source):
        if token in ("{", "<"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path)
        elif token in ("}", ">"):
            depth -= 1


def _parse_text(source: str, path: PathLike | None) -> cassette_pb2.Cassette:
    _check_nesting(source, path)
    cassette = cassette_pb2.Cassette()
    try:
        with warnings.catch_warnings():
            # An invalid escape in a string ("\\ ", "\\q") is a DeprecationWarning of Python's decoder.
            warnings.simplefilter("error", DeprecationWarning)
            text_format.Parse(source, cassette)
    except text_format.ParseError as exc:
        _refuse_future_text(source, path)
        raise CassetteError(path, f"not a valid text cassette: {exc}; {_FIX}") from exc
    except DeprecationWarning as exc:
        found = re.search(r"invalid (?:octal )?escape sequence '[^']*'", str(exc))
        what = found.group(0) if found else "an invalid escape sequence"
        raise CassetteError(path, f"not a valid text cassette: a string has an {what}; {_FIX}") from exc
    except RecursionError:  # a safety net: _check_nesting keeps the depth far below Python's limit
        raise _too_deep(path) from None
    _canonicalize_bodies(cassette)
    return cassette


_VERSION_LINE = re.compile(r"^\s*format_version\s*:?\s*(\d+)", re.MULTILINE)


def _refuse_future_text(source: str, path: PathLike | None) -> None:
    """A text file of a newer format may not parse with today's schema: report its version instead."""
    if not any(int(number) > FORMAT_VERSION for number in _VERSION_LINE.findall(source)):
        return  # (a quick look first: the lenient parse below costs as much as the failed one)
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


def _from_format_1(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
    """Format 1 -> 2: nothing to convert; format 2 adds the checksum, which the next save writes."""
    return cassette


MIGRATIONS[1] = _from_format_1


def seal_problem(seal: Seal, path: PathLike, *, for_rewrite: bool = False) -> str | None:
    """The one-line reason a cassette's seal is refused; None if sealed, or of a format before checksums.

    ``for_rewrite``: for a command that rewrites and so seals the file (``check --fix``,
    ``redact``), which accepts an edited text cassette but never a damaged binary one.
    """
    return _seal_problem(seal, text=is_text_path(path), path=path, for_rewrite=for_rewrite)


def _seal_problem(seal: Seal, *, text: bool, path: PathLike | None, for_rewrite: bool = False) -> str | None:
    if seal in ("sealed", "unsealed") or (for_rewrite and text):
        return None
    fix = f"xai-fake cassette check --fix {_quoted(path)}"
    if seal == "missing":
        if text:
            return (
                "it has no checksum (the last line of a text cassette): it was cut short, or edited; "
                f"if you edited it, seal it again with: {fix}"
            )
        problem = f"it ends without its checksum (written last): the file was cut short; {_FIX}"
    elif text:
        return (
            "its checksum does not match its content: it was edited (or damaged) after it was written; "
            f"if the edit is yours, seal it again with: {fix}"
        )
    else:
        problem = (
            f"its checksum does not match its content: the file was changed or damaged after it was written; {_FIX}"
        )
    return problem + (" (only text cassettes are sealed again, after an edit)" if for_rewrite else "")


def _quoted(path: PathLike | None) -> str:
    import shlex

    return shlex.quote(str(path)) if path is not None else "PATH"


def unsealed_warning(version: int, path: PathLike | None) -> str:
    """The message of the :class:`CassetteWarning` for a cassette of a format before checksums."""
    where = f"cassette {str(path)!r}" if path is not None else "cassette"
    return (
        f"{where} has no checksum (format {version}, written before checksums), so a change to it "
        f"cannot be detected; seal it with: xai-fake cassette check --fix {_quoted(path)}"
    )


def _finish(
    cassette: cassette_pb2.Cassette, seal: Seal, path: PathLike | None, *, recount: bool
) -> cassette_pb2.Cassette:
    """Migrate and validate a decoded cassette, and check its interaction count (unless ``recount``)."""
    written = cassette.format_version
    cassette = _migrate(cassette, path)
    validate(cassette, path)
    _check_count(cassette, seal, written, path, recount=recount)
    return cassette


def _check_count(
    cassette: cassette_pb2.Cassette, seal: Seal, written: int, path: PathLike | None, *, recount: bool
) -> None:
    if seal == "unsealed" and not cassette.interactions:
        # Before checksums, nothing told an empty cassette from a file cut after its header.
        raise CassetteError(
            path,
            f"it holds no interactions and has no checksum (format {written}): it cannot be told from a file cut "
            "after its header; re-record it, or delete it",
        )
    if recount:
        cassette.interaction_count = len(cassette.interactions)
    elif cassette.interaction_count != len(cassette.interactions):
        # The count is encoded after the interactions: a cut between two of them shows here.
        raise CassetteError(
            path,
            f"it holds {len(cassette.interactions)} interaction(s) but was written with "
            f"{cassette.interaction_count}: the file was cut short; {_FIX}",
        )


# --- validation ------------------------------------------------------------------------------------------


def _no_unknown_fields(message: Message, where: str, path: PathLike | None) -> None:
    if len(unknown_fields.UnknownFieldSet(message)):
        raise CassetteError(path, f"{where} has fields this format does not define; the file is corrupt; {_FIX}")


def _check_duration(seconds: int, nanos: int, where: str, path: PathLike | None) -> None:
    if not (0 <= seconds <= _MAX_SECONDS and 0 <= nanos <= _MAX_NANOS):
        raise CassetteError(path, f"{where} is not a valid non-negative duration; the file is corrupt; {_FIX}")


def validate(cassette: cassette_pb2.Cassette, path: PathLike | None = None) -> None:
    """Check every part of a (current-version) cassette, and that it can be replayed.

    Raises :class:`CassetteError` naming the first problem. Replayable means: every method is
    one of the xAI API's (:func:`xai_fake.methods.all_methods`); every request body has the
    method's request type and every response body its response type; a method that takes one
    request has exactly one; a unary method that ended OK has exactly one response, and one that
    failed has at most one (a failure after the answer arrived, e.g. a cancelled call).
    """
    from xai_fake.methods import all_methods

    methods = all_methods()
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
        _check_replayable(interaction, where, methods, path)


_UNREPLAYABLE = "it cannot be replayed; re-record it, or fix it by hand in a text cassette"


def _check_replayable(
    interaction: cassette_pb2.Interaction, where: str, methods: dict[str, Method], path: PathLike | None
) -> None:
    name = interaction.method[1:]
    method = methods.get(name)
    if method is None:
        close = difflib.get_close_matches(name, list(methods), n=1)
        hint = f" (did you mean /{close[0]}?)" if close else ""
        raise CassetteError(
            path,
            f"{where}: method {interaction.method!r} is not an xAI API method known to xai-devkit {__version__}"
            f"{hint}; {_UNREPLAYABLE}, or upgrade xai-devkit",
        )
    for kind, messages, wanted in (
        ("request", interaction.requests, method.request_type),
        ("response", interaction.responses, method.response_type),
    ):
        expected = wanted.DESCRIPTOR.full_name
        url = _TYPE_URL_PREFIX + expected  # validate() has refused other prefixes already
        for index, recorded in enumerate(messages, start=1):
            if recorded.body.type_url != url:
                raise CassetteError(
                    path,
                    f"{where}, {kind} {index}: the body is a {recorded.body.TypeName()}, but {method.path} "
                    f"{'takes' if kind == 'request' else 'answers with'} {expected}; {_UNREPLAYABLE}",
                )
    requests, responses = len(interaction.requests), len(interaction.responses)
    if not method.client_streaming and requests != 1:
        raise CassetteError(
            path, f"{where}: {method.path} takes exactly one request, but {requests} are recorded; {_UNREPLAYABLE}"
        )
    if not method.server_streaming:
        if interaction.status_code == _OK and responses != 1:
            raise CassetteError(
                path,
                f"{where}: {method.path} is unary and ended OK, so it needs exactly one response, but {responses} "
                f"are recorded; {_UNREPLAYABLE}",
            )
        if responses > 1:
            raise CassetteError(
                path,
                f"{where}: {method.path} is unary, so it has at most one response, but {responses} are recorded; "
                f"{_UNREPLAYABLE}",
            )


# --- files -----------------------------------------------------------------------------------------------


def max_bytes() -> int:
    """The size limit :func:`load` applies: :data:`MAX_BYTES`, or the environment's :data:`MAX_BYTES_VARIABLE`."""
    value = os.environ.get(MAX_BYTES_VARIABLE, "").strip()
    if not value:
        return MAX_BYTES
    try:
        limit = int(value.replace("_", ""))
    except ValueError:
        limit = -1
    if limit <= 0:
        raise CassetteError(None, f"{MAX_BYTES_VARIABLE}={value!r} is not a size in bytes (a positive integer)")
    return limit


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size} bytes"


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
    ):  # fmt: skip
        if test(mode):
            return kind
    return "not a regular file"


def _refuse_special(path: PathLike, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise CassetteError(
            path, f"cannot read it: it is {_file_kind(mode)}, not a regular file; give the path of a cassette file"
        )


def _refuse_large(path: PathLike, size: int, limit: int) -> None:
    if size > limit:
        raise CassetteError(
            path,
            f"the file is {_mib(size)}, over the limit of {_mib(limit)} for a cassette; if it is genuine, "
            f"raise the limit with the environment variable {MAX_BYTES_VARIABLE}=<bytes>",
        )


def read_cassette_bytes(path: PathLike, *, limit: int | None = None) -> bytes:
    """The bytes of a cassette file: only a regular file, at most ``limit`` bytes (default :func:`max_bytes`).

    FIFOs, devices, sockets and directories are refused before anything is read: the path is
    checked first, and the file is opened without blocking (a FIFO would otherwise wait for a
    writer) and checked again on the open descriptor, so swapping the file in between does not help.
    """
    limit = max_bytes() if limit is None else limit
    try:
        _refuse_special(path, os.stat(path).st_mode)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise CassetteError(
            path, "no such file; check the path, or record it (record mode 'once', 'new_episodes' or 'all')"
        ) from exc
    except OSError as exc:
        raise CassetteError(path, f"cannot read it: {exc.strerror or exc}") from exc
    try:
        opened = os.fstat(descriptor)
        _refuse_special(path, opened.st_mode)
        _refuse_large(path, opened.st_size, limit)
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(limit + 1)  # a file growing while it is read stops here
    except OSError as exc:
        raise CassetteError(path, f"cannot read it: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)
    _refuse_large(path, len(data), limit)
    return data


def load(path: PathLike) -> cassette_pb2.Cassette:
    """Read a cassette (text format if the suffix says so, else binary), verified, migrated to the current version.

    Raises :class:`CassetteError` naming the file, the reason and the fix; warns with
    :class:`CassetteWarning` for a cassette of a format before checksums.
    """
    return _loads(read_cassette_bytes(path), text=is_text_path(path), path=path, stacklevel=3)


class Examined(NamedTuple):
    """What :func:`examine` found."""

    #: The cassette, migrated to the current format.
    cassette: cassette_pb2.Cassette
    #: What its checksum says.
    seal: Seal
    #: Its format version, as written.
    written_version: int
    #: The first reason it cannot be replayed (from :func:`validate`, or the interaction count), or None.
    problem: CassetteError | None


def examine(path: PathLike) -> Examined:
    """Read a cassette like :func:`load`, but report what its checksum says and what :func:`validate` finds.

    Raises :class:`CassetteError` for what leaves no cassette to look at (size, type of file,
    syntax, nesting, version, a failed migration). The interaction count is checked only if the
    checksum holds or the format has none (a hand edit may have added or removed interactions:
    the count is then recomputed).
    """
    cassette, seal = _decode(read_cassette_bytes(path), text=is_text_path(path), path=path, authoritative=True)
    written = cassette.format_version
    cassette = _migrate(cassette, path)
    problem = None
    try:
        validate(cassette, path)
        _check_count(cassette, seal, written, path, recount=seal in ("mismatch", "missing"))
    except CassetteError as exc:
        problem = exc
    return Examined(cassette, seal, written, problem)


def reseal(path: PathLike) -> Examined:
    """Seal a cassette again after a hand edit (``xai-fake cassette check --fix``); what :func:`examine` found.

    Rewrites the file (atomically, in the current format, credentials redacted, comments not
    kept) if it is a text cassette whose checksum is missing or does not match, a cassette of a
    format before checksums, or one holding an unredacted credential; leaves a sealed file
    alone. Refuses, with :class:`CassetteError`, a binary cassette whose checksum is missing or
    wrong (binary files are not edited by hand: that is damage), a cassette that cannot be
    replayed, and anything :func:`examine` refuses.
    """
    found = examine(path)
    problem = seal_problem(found.seal, path, for_rewrite=True)
    if problem is not None:
        raise CassetteError(path, problem)
    if found.problem is not None:
        raise found.problem
    if found.seal != "sealed" or any(leaks(interaction) for interaction in found.cassette.interactions):
        save(found.cassette, path)  # which redacts credentials
        examine(path)  # what was written reads back
    return found


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
