"""Layer 2, auth: bearer-token checks, like the real API's; keys separate tenants.

The layer decides, once per distinct key, which tenant (team) a call acts for
(:mod:`xai_fake.tenancy`), puts it on the call (``call.tenant``) and binds it for the layers and
handlers after it, so that the defaults' state is kept per team and nothing reads the key again.
The cassette layer switches the check off while it records (the upstream then judges the key);
calls then act for the default tenant.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import grpc

from xai_fake.chain import Call, Next, Responses
from xai_fake.errors import FakeRpcError
from xai_fake.methods import MANAGEMENT_SERVICES
from xai_fake.tenancy import DEFAULT_TEAM, DEFAULT_TENANT, Tenant, bind

DEFAULT_API_KEY = "xai-fake-api-key"
DEFAULT_MANAGEMENT_KEY = "xai-fake-management-key"
#: Distinct authorization headers whose tenant the layer remembers (a client sends the same one each call).
_TENANTS_REMEMBERED = 256


@dataclass(frozen=True)
class AuthPolicy:
    """Which bearer tokens the fake accepts, and which team each belongs to.

    ``api_keys=None`` accepts any non-empty token on the API services. Management
    services (Collections) accept only ``management_keys``.

    Teams (:mod:`xai_fake.tenancy`): the fake's own keys (``api_keys``, or
    :data:`DEFAULT_API_KEY` when any token is accepted, and ``management_keys``) belong to
    :data:`~xai_fake.tenancy.DEFAULT_TEAM`; ``teams`` maps team ids to the keys they hold
    instead (a key names who it is, not whether it is accepted: list it in ``api_keys`` or
    ``management_keys`` too where those restrict); any other accepted token is a team of its own.
    """

    api_keys: Collection[str] | None = None
    management_keys: Collection[str] = (DEFAULT_MANAGEMENT_KEY,)
    teams: Mapping[str, Collection[str]] = field(default_factory=dict)
    #: The team of each key named above (derived from the fields).
    _team_of: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        team_of = self._team_of
        for team, keys in self.teams.items():
            if not isinstance(team, str) or not team.strip():
                raise ValueError(f"team ids must be non-empty strings, got {team!r}")
            if isinstance(keys, str):
                raise TypeError(f"teams[{team!r}] must be a collection of keys, not one string")
            for key in keys:
                if key in team_of and team_of[key] != team:
                    raise ValueError(f"a key can belong to one team only; one key is in {team_of[key]!r} and {team!r}")
                team_of[key] = team
        own = (DEFAULT_API_KEY,) if self.api_keys is None else tuple(self.api_keys)
        for key in (*own, *self.management_keys):
            team_of.setdefault(key, DEFAULT_TEAM)

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

    def tenant(self, token: str) -> Tenant:
        """The tenant a call with this (accepted) key acts for."""
        return Tenant.of_key(token, self._team_of.get(token))


class AuthLayer:
    """Layer 2: UNAUTHENTICATED for calls without an accepted key, unless switched off."""

    name: ClassVar[str] = "auth"

    def __init__(self, policy: AuthPolicy) -> None:
        self._off: set[object] = set()
        self.policy = policy

    @property
    def policy(self) -> AuthPolicy:
        """The keys accepted and their teams; setting it forgets the tenants decided so far."""
        return self._policy

    @policy.setter
    def policy(self, policy: AuthPolicy) -> None:
        self._policy = policy
        # The tenant of each authorization header seen, for API and for management services.
        self._tenants: tuple[dict[str, Tenant], dict[str, Tenant]] = ({}, {})

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

    def tenant_of(self, call: Call) -> Tenant:
        """The tenant of the call's key; UNAUTHENTICATED if the key is not accepted.

        Decided once per distinct authorization header (and kind of service), like ``Call.received``
        reads metadata once per distinct set: a client sends the same key call after call.
        """
        service = call.method.service
        known = self._tenants[service in MANAGEMENT_SERVICES]
        header = call.metadata.get("authorization", "")
        found = known.get(header)
        if found is None:
            found = self._policy.tenant(self._policy.check(service, call.metadata))
            if len(known) >= _TENANTS_REMEMBERED:
                known.clear()
            known[header] = found
        return found

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Check the call's key, set the tenant it acts for, then pass it on."""
        tenant = DEFAULT_TENANT if self._off else self.tenant_of(call)
        call.tenant = tenant
        bind(tenant)
        return await rest(call)
