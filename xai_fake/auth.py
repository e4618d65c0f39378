"""Layer 1: bearer-token checks, like the real API's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import grpc

from xai_fake.errors import FakeRpcError
from xai_fake.methods import MANAGEMENT_SERVICES

DEFAULT_API_KEY = "xai-fake-api-key"
DEFAULT_MANAGEMENT_KEY = "xai-fake-management-key"


@dataclass(frozen=True)
class AuthPolicy:
    """Which bearer tokens the fake accepts.

    ``api_keys=None`` accepts any non-empty token on the API services. Management
    services (Collections) accept only ``management_keys``.
    """

    api_keys: Collection[str] | None = None
    management_keys: Collection[str] = (DEFAULT_MANAGEMENT_KEY,)

    def check(self, service: str, metadata: dict[str, str]) -> str:
        """Return the token, or raise UNAUTHENTICATED. Never echoes the token."""
        header = metadata.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise FakeRpcError(
                grpc.StatusCode.UNAUTHENTICATED,
                "missing or empty bearer token: send metadata ('authorization', 'Bearer <key>')",
            )
        if service in MANAGEMENT_SERVICES:
            if token not in self.management_keys:
                raise FakeRpcError(
                    grpc.StatusCode.UNAUTHENTICATED,
                    f"{service} needs a management key; pass management_api_key (the fake's is in fake.env())",
                )
        elif self.api_keys is not None and token not in self.api_keys:
            raise FakeRpcError(grpc.StatusCode.UNAUTHENTICATED, "the API key is not valid for this server")
        return token
