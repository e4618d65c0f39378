"""Errors raised by the fake's layers, and configuration errors raised to test authors.

The retry hints a failure may carry live here once, for faults and scripted errors alike:
:func:`retry_hints` builds the trailing metadata of ``grpc-retry-pushback-ms`` (gRPC's retry
design, A6) and of a ``google.rpc.RetryInfo`` detail in ``grpc-status-details-bin``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import grpc

#: Metadata as gRPC takes it: ``(key, value)`` pairs, bytes values for ``-bin`` keys.
Metadata = tuple[tuple[str, str | bytes], ...]
#: What test authors may pass as metadata: a mapping or ``(key, value)`` pairs.
MetadataLike = Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]]

#: The trailer gRPC's retry policy reads a server's pushback from (gRFC A6, "Pushback").
PUSHBACK_KEY = "grpc-retry-pushback-ms"
#: The trailer carrying a serialized ``google.rpc.Status`` with error details.
STATUS_DETAILS_KEY = "grpc-status-details-bin"
_KEY = re.compile(r"[0-9a-z_.-]+")
_INT32 = (-(2**31), 2**31 - 1)


class FakeRpcError(Exception):
    """Ends the current call with a gRPC status, as the real API would.

    Raise it from a scripted callable or a default behaviour; the server turns it
    into the status seen by the client, with ``trailing_metadata`` as its trailers.
    """

    def __init__(
        self, code: grpc.StatusCode, details: str = "", trailing_metadata: Iterable[tuple[str, str | bytes]] = ()
    ) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.trailing_metadata: Metadata = tuple(trailing_metadata)


def invalid_argument(details: str) -> FakeRpcError:
    """An INVALID_ARGUMENT error, the real API's answer to a malformed request."""
    return FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, details)


def not_found(details: str) -> FakeRpcError:
    """A NOT_FOUND error."""
    return FakeRpcError(grpc.StatusCode.NOT_FOUND, details)


def metadata_of(pairs: MetadataLike | None) -> Metadata:
    """``pairs`` as checked gRPC metadata; ValueError naming the bad entry.

    Keys are lower case (``[0-9a-z_.-]``); keys ending in ``-bin`` take bytes, the others ASCII text.
    """
    if not pairs:
        return ()
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    checked: list[tuple[str, str | bytes]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise ValueError(f"metadata entries are (key, value) pairs, got {item!r}")
        key, value = item
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"metadata key {key!r} must be lower case letters, digits, '-', '_' or '.'")
        if key.endswith("-bin"):
            if not isinstance(value, bytes):
                raise ValueError(f"metadata key {key!r} ends in -bin, so its value must be bytes, got {value!r}")
        elif not isinstance(value, str) or not value.isascii():
            raise ValueError(f"metadata {key!r} takes ASCII text (or name it {key}-bin for bytes), got {value!r}")
        checked.append((key, value))
    return tuple(checked)


def check_hints(pushback_ms: int | None, retry_info: float | None) -> None:
    """ValueError if a pushback or a RetryInfo delay is out of range."""
    if pushback_ms is not None and (
        not isinstance(pushback_ms, int) or isinstance(pushback_ms, bool) or not _INT32[0] <= pushback_ms <= _INT32[1]
    ):
        raise ValueError(f"pushback_ms must be a 32-bit integer of milliseconds, got {pushback_ms!r}")
    if retry_info is not None and not retry_info >= 0:
        raise ValueError(f"retry_info must be a delay in seconds >= 0, got {retry_info!r}")


def retry_hints(
    code: grpc.StatusCode, details: str, pushback_ms: int | None = None, retry_info: float | None = None
) -> Metadata:
    """The trailing metadata of a failure's retry hints (none when both are None).

    - ``pushback_ms``: ``grpc-retry-pushback-ms``, which gRPC's own retry policy honours for a
      status it retries (it waits exactly that long; a negative value means "do not retry").
    - ``retry_info`` (seconds): a ``google.rpc.Status`` of ``code`` and ``details`` holding a
      ``google.rpc.RetryInfo`` with that ``retry_delay``, serialized into ``grpc-status-details-bin``
      as ``grpcio-status``'s ``rpc_status.to_status`` does; clients decode it with
      ``rpc_status.from_call`` or ``google.rpc.status_pb2.Status.FromString``.
    """
    hints: list[tuple[str, str | bytes]] = []
    if pushback_ms is not None:
        hints.append((PUSHBACK_KEY, str(pushback_ms)))
    if retry_info is not None:
        hints.append((STATUS_DETAILS_KEY, _retry_info_status(code, details, retry_info)))
    return tuple(hints)


def _retry_info_status(code: grpc.StatusCode, details: str, seconds: float) -> bytes:
    # googleapis-common-protos is a dependency of the SDK; imported here, on first use only.
    from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

    info = error_details_pb2.RetryInfo()
    info.retry_delay.FromNanoseconds(round(seconds * 1e9))
    status = status_pb2.Status(code=code.value[0], message=details)
    status.details.add().Pack(info)
    return bytes(status.SerializeToString())
