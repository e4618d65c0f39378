"""Tenants: whose files, collections, batches and chats a call reaches.

On the real API every key belongs to a team and resources belong to the team: the official
SDK lists "all batches for the team", and a collection made with a team's management key holds
files uploaded with the team's API keys and is searched with them
(https://docs.x.ai/developers/collections-api). The fake does the same with one rule:

- a *tenant* is a team; the defaults' typed state is kept per team (``State.of``), so another
  team's ids are simply not there: NOT_FOUND, and absent from lists;
- the fake's own keys (``fake.api_key``, any ``api_keys`` given, and the ``management_keys``)
  belong to one default team, :data:`DEFAULT_TEAM`, as one account's keys do;
- ``teams={"team-b": ["key-b", "mgmt-b"]}`` puts keys in teams of their own;
- any other key the fake accepts (any bearer token, unless ``api_keys`` is given) is a team of
  its own, named after a hash of the key.

The auth layer decides the tenant once per distinct key (:mod:`xai_fake.layers.auth`), puts it on
the :class:`~xai_fake.chain.Call` and binds it for the rest of the call (:func:`bind`), where the
state reads it (:func:`current`). No key is kept in clear: a tenant holds the team, a hash of the
key and the key redacted as the real API shows it. While auth is off (a cassette records),
calls run as :data:`DEFAULT_TENANT`; so does code outside any call (a test reading the state).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["DEFAULT_TEAM", "DEFAULT_TENANT", "Tenant", "acting_as", "bind", "current", "key_id", "team_of_key"]

#: The team of the fake's own keys (and of calls made while auth is off).
DEFAULT_TEAM = "team-xai-fake"


@dataclass(frozen=True)
class Tenant:
    """Who a call acts for: the team whose state it reaches, and its key, never in clear."""

    #: The team: the defaults' typed state is partitioned by it.
    team: str
    #: A stable id of the key (a hash), e.g. for ``ApiKey.api_key_id`` and ``Batch.create_api_key_id``.
    key_id: str
    #: The key as the real API shows it, ``xai...abcd`` (``****`` for short keys).
    redacted_key: str = "****"

    @classmethod
    def of_key(cls, key: str, team: str | None = None) -> Tenant:
        """The tenant of ``key``: in ``team``, or in a team of its own derived from the key."""
        redacted = f"{key[:3]}...{key[-4:]}" if len(key) > 8 else "****"
        return cls(team if team is not None else team_of_key(key), key_id(key), redacted)


#: The tenant of calls made while auth is off, and of code outside any call.
DEFAULT_TENANT = Tenant(DEFAULT_TEAM, "key-none")


def _digest(key: str, person: bytes) -> str:
    return hashlib.blake2b(key.encode(), digest_size=8, person=person).hexdigest()


def key_id(key: str) -> str:
    """A stable id of an API or management key that does not reveal it, e.g. ``key-1f3a...``."""
    return "key-" + _digest(key, b"xai-fake-key")


def team_of_key(key: str) -> str:
    """The team of a key that belongs to no configured team: a team of its own, ``team-<hash>``."""
    return "team-" + _digest(key, b"xai-fake-team")


_CURRENT: ContextVar[Tenant] = ContextVar("xai_fake_tenant", default=DEFAULT_TENANT)

#: ``current()``: the tenant of the call in progress (:data:`DEFAULT_TENANT` outside any call).
#: The context variable's own getter, as the state reads it on every ``State.of``.
current = _CURRENT.get


def bind(tenant: Tenant) -> None:
    """Make ``tenant`` the tenant of the rest of the call in progress.

    gRPC runs each call in its own task, so this reaches the layers and handlers after the
    caller, the call's response stream included, and no other call.
    """
    _CURRENT.set(tenant)


@contextmanager
def acting_as(tenant: Tenant) -> Iterator[Tenant]:
    """Act as ``tenant`` for a ``with`` block, e.g. to read another team's state in a test."""
    token = _CURRENT.set(tenant)
    try:
        yield tenant
    finally:
        _CURRENT.reset(token)
