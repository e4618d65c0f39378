"""Defaults for ``xai_api.Files``: an in-memory file store, plus the filter helpers other services share.

Stored files live in the service's typed state, ``state.of(FilesState).files``, as
:class:`StoredFile` (metadata and bytes); other services read them with :func:`find_file`
(Collections adds a document from a file id). Like all typed state they belong to the team of
the key that uploaded them: another team's key gets NOT_FOUND, and does not see them listed.

Files are kept until deleted, or until the clock (``fake.clock``) reaches ``expires_at`` when the
upload set ``expires_after``; the file is then gone (NOT_FOUND, no longer listed), as docs.x.ai says:
"Files default to permanent storage until you delete them. To have the platform automatically
delete a file after a fixed window, set expires_after at upload time"
(https://docs.x.ai/developers/files/managing-files).
"""

from __future__ import annotations

import datetime
import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn

from google.protobuf import timestamp_pb2

from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.paging import page
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument, not_found
from xai_sdk.proto import files_pb2

CHUNK_BYTES = 1 << 20
PUBLIC_URL_BASE = "https://files.fake.x.ai"


@dataclass
class StoredFile:
    """A file's metadata and its bytes."""

    meta: files_pb2.File
    data: bytes

    @property
    def content_type(self) -> str:
        """The MIME type guessed from the file's name (``application/octet-stream`` when unknown)."""
        return mimetypes.guess_type(self.meta.filename)[0] or "application/octet-stream"


@dataclass
class FilesState:
    """What the Files service remembers: the stored files by id, in upload order."""

    files: dict[str, StoredFile] = field(default_factory=dict)

    def forget(self, ident: str) -> None:
        """Drop a file whose ``expires_at`` has come (see ``State.forget_at``)."""
        self.files.pop(ident, None)


# -- filter expressions ----------------------------------------------------------------------

_FILTER_TOKEN = re.compile(
    r'\s*("(?:[^"\\]|\\.)*"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?|>=|<=|!=|[:=><!()]|[^\s()=!<>:"]+)'
)
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}  # fmt: skip


def matches(expression: str, value_of: Callable[[str], Any]) -> bool:
    """Whether a record passes a filter such as ``size_bytes > 10 AND NOT name = "a.txt"``.

    Comparisons are ``field op value`` (``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``; ``null`` for
    unset) or the ``field:value`` style (``name:"part"`` is a substring match, ``count:>3``,
    ``status:!X``), joined with ``AND``, ``OR``, ``NOT`` and parentheses. ``value_of(field)``
    returns the record's value, or raises ``KeyError`` for an unknown field.
    """
    tokens, position = [], 0
    while expression[position:].strip():
        found = _FILTER_TOKEN.match(expression, position)
        if found is None:
            raise invalid_argument(f"cannot parse filter {expression!r} at {expression[position:]!r}; quote strings")
        tokens.append(found.group(1))
        position = found.end()
    parser = _FilterParser(tokens, value_of, expression)
    result = parser.any_of()
    if parser.position != len(tokens):
        parser.fail(f"unexpected {tokens[parser.position]!r}")
    return result


class _FilterParser:
    def __init__(self, tokens: list[str], value_of: Callable[[str], Any], expression: str) -> None:
        self.tokens, self.value_of, self.expression, self.position = tokens, value_of, expression, 0

    def fail(self, problem: str) -> NoReturn:
        example = "e.g. 'size_bytes > 1024 AND name != null'"
        raise invalid_argument(f"invalid filter {self.expression!r}: {problem}; {example}")

    def peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        if not token:
            self.fail("it ends too early")
        self.position += 1
        return token

    def any_of(self) -> bool:
        result = self.all_of()
        while self.peek().upper() == "OR":
            self.take()
            result = self.all_of() or result
        return result

    def all_of(self) -> bool:
        result = self.negation()
        while self.peek().upper() == "AND":
            self.take()
            result = self.negation() and result
        return result

    def negation(self) -> bool:
        token = self.take()
        if token.upper() == "NOT":
            return not self.negation()
        if token == "(":
            result = self.any_of()
            if self.take() != ")":
                self.fail("missing ')'")
            return result
        return self.comparison(token)

    def comparison(self, field: str) -> bool:
        try:
            actual = self.value_of(field)
        except KeyError:
            self.fail(f"unknown field {field!r}")
        operator = self.take()
        substring = operator == ":" and self.peek() not in _COMPARISONS and self.peek() != "!"
        if operator == ":":
            operator = "=" if substring else self.take()
            operator = "!=" if operator == "!" else operator
        if operator not in _COMPARISONS:
            self.fail(f"expected an operator after {field!r}, got {operator!r}")
        raw = self.take()
        if raw.lower() == "null":
            return (actual is None) == (operator == "=")
        expected = _literal(raw, actual, self)
        if actual is None:
            return False
        if substring and isinstance(actual, str):
            return expected.lower() in actual.lower()
        return _COMPARISONS[operator](actual, expected)


def _literal(raw: str, like: Any, parser: _FilterParser) -> Any:
    text = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
    try:
        if isinstance(like, bool):
            return text.lower() == "true"
        if isinstance(like, int):
            return int(text)
        if isinstance(like, datetime.datetime):
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parser.fail(f"{raw} is not a valid {type(like).__name__}")
    return text


def timestamp_value(stamp: timestamp_pb2.Timestamp, present: bool = True) -> datetime.datetime | None:
    """A Timestamp as an aware datetime for filters, or ``None`` when unset."""
    return stamp.ToDatetime(tzinfo=datetime.timezone.utc) if present else None


# -- the service -----------------------------------------------------------------------------


def find_file(state: State, file_id: str) -> StoredFile:
    """The stored file with this id, or NOT_FOUND naming it."""
    stored = state.of(FilesState).files.get(file_id)
    if stored is None:
        raise not_found(f"file {file_id!r} not found; upload it with UploadFile or list ids with ListFiles")
    return stored


def _later(state: State, seconds: int, what: str) -> timestamp_pb2.Timestamp:
    if seconds <= 0:
        raise invalid_argument(f"{what} must be a positive number of seconds, got {seconds}")
    moment = state.now().seconds + seconds
    if moment > _LAST_TIMESTAMP:
        raise invalid_argument(f"{what} is too far in the future: {seconds} seconds ends after the year 9999")
    return timestamp_pb2.Timestamp(seconds=moment)


#: 9999-12-31T23:59:59Z, the last second a protobuf Timestamp can hold.
_LAST_TIMESTAMP = 253_402_300_799


class FilesDefaults:
    """Stores uploaded files in memory; lists, downloads, deletes and publishes them."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Files"

    def __init__(self, state: State) -> None:
        self.state = state

    def UploadFile(self, request: list[files_pb2.UploadFileChunk], context: object) -> files_pb2.File:
        if not request or request[0].WhichOneof("chunk") != "init":
            raise invalid_argument("the first UploadFileChunk must carry `init` (the file's name), then send `data`")
        init = request[0].init
        if not init.name:
            raise invalid_argument("init.name is required: name the file, e.g. init=UploadFileInit(name='notes.txt')")
        for index, chunk in enumerate(request[1:], start=1):
            if chunk.WhichOneof("chunk") != "data":
                raise invalid_argument(f"message {index} of the upload must carry `data`; only the first carries init")
        data = b"".join(chunk.data for chunk in request[1:])
        meta = files_pb2.File(
            id=self.state.new_id("file"), filename=init.name, size=len(data), created_at=self.state.now()
        )
        if init.HasField("expires_after"):
            meta.expires_at.CopyFrom(_later(self.state, init.expires_after, "init.expires_after"))
            self.state.forget_at(meta.expires_at.seconds, FilesState, meta.id)
        self.state.of(FilesState).files[meta.id] = StoredFile(meta, data)
        return meta

    def ListFiles(self, request: files_pb2.ListFilesRequest, context: object) -> files_pb2.ListFilesResponse:
        sort_by = check_enum("sort_by", request.sort_by, files_pb2.FilesSortBy)
        check_enum("order", request.order, files_pb2.Ordering)
        stored = list(self.state.of(FilesState).files.values())
        if request.HasField("filter") and request.filter.strip():
            stored = [f for f in stored if matches(request.filter, _file_fields(f))]
        keys: dict[int, Callable[[StoredFile], Any]] = {
            files_pb2.FILES_SORT_BY_CREATED_AT: lambda f: (f.meta.created_at.seconds, f.meta.id),
            files_pb2.FILES_SORT_BY_FILENAME: lambda f: (f.meta.filename, f.meta.id),
            files_pb2.FILES_SORT_BY_SIZE: lambda f: (f.meta.size, f.meta.id),
        }
        stored.sort(key=keys[sort_by], reverse=request.order == files_pb2.DESCENDING)
        listed, token = page(stored, request.limit, request.pagination_token, listing="files")
        response = files_pb2.ListFilesResponse(data=[f.meta for f in listed])
        if token:
            response.pagination_token = token
        return response

    def RetrieveFile(self, request: files_pb2.RetrieveFileRequest, context: object) -> files_pb2.File:
        return find_file(self.state, request.file_id).meta

    def DeleteFile(self, request: files_pb2.DeleteFileRequest, context: object) -> files_pb2.DeleteFileResponse:
        find_file(self.state, request.file_id)
        del self.state.of(FilesState).files[request.file_id]
        return files_pb2.DeleteFileResponse(id=request.file_id, deleted=True)

    def RetrieveFileContent(
        self, request: files_pb2.RetrieveFileContentRequest, context: object
    ) -> Iterator[files_pb2.FileContentChunk]:
        check_enum("format", request.format, files_pb2.DownloadFormat)
        data = find_file(self.state, request.file_id).data
        for start in range(0, len(data), CHUNK_BYTES):
            yield files_pb2.FileContentChunk(data=data[start : start + CHUNK_BYTES])

    def CreatePublicUrl(
        self, request: files_pb2.CreatePublicUrlRequest, context: object
    ) -> files_pb2.CreatePublicUrlResponse:
        meta = find_file(self.state, request.file_id).meta
        meta.public_url = f"{PUBLIC_URL_BASE}/{meta.id}"
        response = files_pb2.CreatePublicUrlResponse(public_url=meta.public_url)
        meta.ClearField("public_url_expires_at")
        if request.HasField("expires_after"):
            meta.public_url_expires_at.CopyFrom(_later(self.state, request.expires_after, "expires_after"))
            response.expires_at.CopyFrom(meta.public_url_expires_at)
        return response

    def RevokePublicUrl(
        self, request: files_pb2.RevokePublicUrlRequest, context: object
    ) -> files_pb2.RevokePublicUrlResponse:
        meta = find_file(self.state, request.file_id).meta
        response = files_pb2.RevokePublicUrlResponse(file_id=meta.id, revoked=meta.HasField("public_url"))
        if meta.HasField("public_url"):
            response.public_url = meta.public_url
        meta.ClearField("public_url")
        meta.ClearField("public_url_expires_at")
        return response


def _file_fields(stored: StoredFile) -> Callable[[str], Any]:
    meta = stored.meta
    values: dict[str, Any] = {
        "file_id": meta.id,
        "name": meta.filename,
        "file_name": meta.filename,
        "size_bytes": meta.size,
        "content_type": stored.content_type,
        "created_at": timestamp_value(meta.created_at),
        "expires_at": timestamp_value(meta.expires_at, meta.HasField("expires_at")),
        "upload_status": "UPLOAD_STATUS_COMPLETE",
        "user_defined_id": None,
        "public_url": meta.public_url if meta.HasField("public_url") else None,
        "public_url_expires_at": timestamp_value(meta.public_url_expires_at, meta.HasField("public_url_expires_at")),
    }
    return values.__getitem__
