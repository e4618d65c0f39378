"""Layer 2, auth: bearer-token checks, like the real API's.

The cassette layer switches the check off while it records (the upstream then judges the key).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

import grpc

from xai_fake.chain import Call, Next, Responses
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


class AuthLayer:
    """Layer 2: UNAUTHENTICATED for calls without an accepted key, unless switched off."""

    name: ClassVar[str] = "auth"

    def __init__(self, policy: AuthPolicy) -> None:
        self.policy = policy
        self._off: set[object] = set()

    def switch_off(self, owner: object) -> None:
        """Stop checking keys until ``owner`` calls :meth:`switch_on` (the recording cassette does)."""
        self._off.add(owner)

    def switch_on(self, owner: object) -> None:
        """Check keys again, once no owner keeps the check off."""
        self._off.discard(owner)

    @property
    def checking(self) -> bool:
        """True while keys are checked."""
        return not self._off

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Check the call's key, then pass it on."""
        if not self._off:
            self.policy.check(call.method.service, call.metadata)
        return await rest(call)
