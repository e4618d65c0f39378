"""Layer 6, defaults: the answer of each service's handler when nothing above answered.

The handlers live in :mod:`xai_fake.defaults`, one module per service over typed state;
this layer only finds the handler of the called method, hands it the call's tenant (through
:func:`xai_fake.tenancy.bind`, where the state reads it: each team's files, collections, batches
and chats are its own) and normalises what the handler returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from xai_fake.chain import Call, Next, Responses
from xai_fake.methods import Method
from xai_fake.replies import resolve, to_responses
from xai_fake.tenancy import bind

#: Finds the handler ``(request, context) -> answer`` of a method.
Lookup = Callable[[Method], Callable[[Any, Any], Any]]


class DefaultsLayer:
    """Layer 6: runs the default handler of the called method."""

    name: ClassVar[str] = "defaults"

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    async def handle(self, call: Call, rest: Next) -> Responses:
        """The handler's answer (the last layer: it never passes the call on)."""
        bind(call.tenant)  # the auth layer bound it already; this keeps a chain without one right
        value = await resolve(self.lookup(call.method)(call.request, call.context))
        return await to_responses(call.method, value)
