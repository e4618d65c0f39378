"""Hooks of the pytest plugin, and what they receive.

Implement :func:`pytest_xai_fake_configure` in a ``conftest.py`` to register matchers and
redactors for the session's cassettes (like pytest-recording's ``pytest_recording_configure``)::

    def same_model(recorded, live):
        return recorded.requests[0].model == live.requests[0].model

    def pytest_xai_fake_configure(config, registry):
        registry.register_matcher("same_model", same_model)
        registry.add_redactor(redact_fields=["xai_api.GetCompletionsRequest.user"])

It runs once per test process (per pytest-xdist worker), after collection, before any test;
every conftest that implements it is called. What it registers lasts for the session: the
matchers are removed again when the session ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from xai_fake.cassette.matchers import MatchFunction, register_matcher, unregister_matcher
from xai_fake.cassette.redact import Redactor

if TYPE_CHECKING:
    import pytest

    from xai_fake._proto import cassette_pb2

__all__ = ["CassetteRegistry", "combine_redactors", "pytest_xai_fake_configure"]


def pytest_xai_fake_configure(config: pytest.Config, registry: CassetteRegistry) -> None:
    """Register matchers (``match_on`` names) and redactors for every cassette of the session."""


class CassetteRegistry:
    """What :func:`pytest_xai_fake_configure` registers: named matchers and redactors for all cassettes."""

    def __init__(self) -> None:
        self._matchers: list[str] = []
        self._redactors: list[Redactor] = []

    def register_matcher(self, name: str, function: MatchFunction, *, replace: bool = False) -> None:
        """Make ``function`` usable as ``match_on=[..., name]``; see :func:`xai_fake.register_matcher`."""
        register_matcher(name, function, replace=replace)
        self._matchers.append(name)

    def add_redactor(self, redactor: Redactor | None = None, **rules: Any) -> Redactor:
        """Apply ``redactor`` (or ``Redactor(**rules)``) to every interaction recorded in the session.

        It adds to a cassette's own ``redactor`` option: all the rules apply, hooks in order.
        """
        if redactor is None:
            redactor = Redactor(**rules)
        elif rules:
            raise TypeError("pass a Redactor or its keyword rules, not both")
        if not isinstance(redactor, Redactor):
            raise TypeError(f"add_redactor() takes a xai_fake.cassette.Redactor, got {type(redactor).__name__}")
        self._redactors.append(redactor)
        return redactor

    @property
    def redactors(self) -> list[Redactor]:
        """The redactors added so far, in order."""
        return list(self._redactors)

    def close(self) -> None:
        """Unregister the matchers registered through this registry."""
        while self._matchers:
            name = self._matchers.pop()
            with contextlib.suppress(KeyError):  # already removed by the user
                unregister_matcher(name)


def combine_redactors(redactors: Iterable[Redactor | None]) -> Redactor | None:
    """One redactor applying all of ``redactors`` (their rules together, their hooks in order); None if none."""
    chosen = [redactor for redactor in redactors if redactor is not None]
    if not chosen:
        return None
    if len(chosen) == 1:
        return chosen[0]
    hooks = [redactor.before_record for redactor in chosen if redactor.before_record is not None]

    def before_record(interaction: cassette_pb2.Interaction) -> cassette_pb2.Interaction | None:
        result: cassette_pb2.Interaction | None = interaction
        for hook in hooks:
            if result is None:
                return None
            result = hook(result)
        return result

    return Redactor(
        redact_metadata=[key for redactor in chosen for key in redactor.redact_metadata],
        drop_metadata=[key for redactor in chosen for key in redactor.drop_metadata],
        redact_fields=[path for redactor in chosen for path in redactor.redact_fields],
        drop_fields=[path for redactor in chosen for path in redactor.drop_fields],
        before_record=before_record if hooks else None,
    )
