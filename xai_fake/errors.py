"""Errors raised by the fake's layers, and configuration errors raised to test authors."""

from __future__ import annotations

import grpc


class FakeRpcError(Exception):
    """Ends the current call with a gRPC status, as the real API would.

    Raise it from a scripted callable or a default behaviour; the server turns it
    into the status seen by the client.
    """

    def __init__(self, code: grpc.StatusCode, details: str = "", trailing_metadata: tuple[tuple[str, str], ...] = ()):
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def invalid_argument(details: str) -> FakeRpcError:
    """An INVALID_ARGUMENT error, the real API's answer to a malformed request."""
    return FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, details)


def not_found(details: str) -> FakeRpcError:
    """A NOT_FOUND error."""
    return FakeRpcError(grpc.StatusCode.NOT_FOUND, details)
