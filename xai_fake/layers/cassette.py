"""Layer 5, cassette: the slot where the cassette in use plugs in.

Replays recorded calls, or records them by forwarding to the upstream (the cassette
machinery is :mod:`xai_fake.cassette`). While the cassette in the slot records, the slot
switches the auth layer's key check off, so the upstream judges the key; a replay miss is an
error unless the cassette falls back to the defaults layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from xai_fake.chain import Call, Next, Responses

if TYPE_CHECKING:
    from xai_fake.cassette.layer import CassetteLayer


class AuthSwitch(Protocol):
    """What the slot needs of the auth layer."""

    def switch_off(self, owner: object) -> None:
        """Stop checking keys."""
        ...

    def switch_on(self, owner: object) -> None:
        """Check keys again."""
        ...


class CassetteSlot:
    """Layer 5: answers from the cassette in use, if any."""

    name: ClassVar[str] = "cassette"

    def __init__(self, auth: AuthSwitch) -> None:
        self._auth = auth
        self._cassette: CassetteLayer | None = None

    @property
    def cassette(self) -> CassetteLayer | None:
        """The cassette in use, or None."""
        return self._cassette

    def use(self, cassette: CassetteLayer | None) -> CassetteLayer | None:
        """Put ``cassette`` in the slot (None empties it); returns the one it replaces."""
        previous, self._cassette = self._cassette, cassette
        if cassette is not None and cassette.recording:
            self._auth.switch_off(self)
        else:
            self._auth.switch_on(self)
        return previous

    async def handle(self, call: Call, rest: Next) -> Responses:
        """The cassette's answer, or the rest of the chain's when it has none."""
        cassette = self._cassette
        if cassette is None:
            return await rest(call)
        answer = await cassette.answer(call)
        if answer is None:
            return await rest(call)
        return answer
