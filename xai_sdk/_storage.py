"""``storage_options``: keep a generated image or video in the Files API.

The shapes are plain ``TypedDict`` classes and are checked by hand, so that using
them needs no pydantic. ``xai_sdk.files`` re-exports them under the official names.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypedDict, Union

from xai_sdk.proto import image_pb2

__all__ = ["PublicUrlInput", "PublicUrlOptions", "StorageOptions", "storage_options_proto"]


class PublicUrlOptions(TypedDict, total=False):
    """How long the public URL of a stored file lives.

    ``expires_after`` (seconds or ``timedelta``) is independent of the file's own expiry;
    without it the URL lives as long as the file.
    """

    expires_after: datetime.timedelta | int


#: ``True`` for a public URL with default lifetime, or :class:`PublicUrlOptions`.
PublicUrlInput = Union[bool, PublicUrlOptions]  # noqa: UP007 - a runtime alias must work on Python 3.10


class _StorageOptionsRequired(TypedDict):
    filename: str


class StorageOptions(_StorageOptionsRequired, total=False):
    """Where and how long to keep a generated asset in the Files API.

    ``filename`` is required. ``expires_after`` (seconds or ``timedelta``) deletes the file
    after that time. ``public_url`` also creates a shareable URL: ``True``, or
    ``{"expires_after": seconds}`` for a URL that expires on its own schedule.
    """

    expires_after: datetime.timedelta | int
    public_url: PublicUrlInput


_STORAGE_KEYS = {"filename", "expires_after", "public_url"}


def _seconds(value: object, where: str) -> int:
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"{where} must be a number of seconds (int) or a datetime.timedelta, got {value!r}")


def _unknown_keys(options: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"{where} has unknown keys {unknown}; allowed keys are {sorted(known)}")


def storage_options_proto(options: StorageOptions | image_pb2.StorageOptions) -> image_pb2.StorageOptions:
    """The wire form of ``storage_options``; a ``StorageOptions`` message passes through unchanged."""
    if isinstance(options, image_pb2.StorageOptions):
        return options
    if not isinstance(options, Mapping):
        raise ValueError(
            f"storage_options must be a dict such as {{'filename': 'out.png'}}, got {type(options).__name__}"
        )
    _unknown_keys(options, _STORAGE_KEYS, "storage_options")
    filename = options.get("filename")
    if not isinstance(filename, str) or not filename:
        raise ValueError(f"storage_options['filename'] must be a non-empty string, got {filename!r}")
    proto = image_pb2.StorageOptions(filename=filename)
    if options.get("expires_after") is not None:
        proto.expires_after = _seconds(options["expires_after"], "storage_options['expires_after']")
    public_url = options.get("public_url")
    if public_url is True:
        proto.public_url.SetInParent()
    elif isinstance(public_url, Mapping):
        _unknown_keys(public_url, {"expires_after"}, "storage_options['public_url']")
        proto.public_url.SetInParent()
        if public_url.get("expires_after") is not None:
            where = "storage_options['public_url']['expires_after']"
            proto.public_url.expires_after = _seconds(public_url["expires_after"], where)
    elif public_url not in (None, False):
        raise ValueError(
            f"storage_options['public_url'] must be True, False or {{'expires_after': seconds}}, got {public_url!r}"
        )
    return proto
