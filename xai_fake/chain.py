"""The chain of layers every call passes through, declared once.

::

    client ──► grpc.aio handler ──► Chain
                 1 log       every call and attempt, credentials redacted, the status the client saw
                 2 auth      UNAUTHENTICATED like the real API (off while a cassette records)
                 3 faults    delay, status, chunk delay, failure after N messages, chaos
                 4 scripts   per-test answers: values, sequences, callables, errors
                 5 cassette  replay, or record through the upstream
                 6 defaults  per-service handlers over typed state

Each layer is an object with a ``name`` and one entry point, ``await layer.handle(call, rest)``:
it answers the call itself, or awaits ``rest(call)`` (the layers after it) and returns, wraps
or replaces what they answered. The :class:`Chain` knows no layer's internals: it only checks
that the layers it is given come in :data:`LAYER_ORDER` and links them.

An answer (:data:`Responses`) is either one response message (unary methods) or an async
iterator of response messages (server streams); pauses between messages happen inside the
iterator. Errors are raised as :class:`~xai_fake.errors.FakeRpcError`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any, ClassVar, Protocol, Union

import grpc
from google.protobuf.message import Message

from xai_fake.credentials import redact_mapping
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method
from xai_fake.tenancy import DEFAULT_TENANT, Tenant

#: The order of the layers, outermost first. The numbering in docstrings and the README follows it.
LAYER_ORDER = ("log", "auth", "faults", "scripts", "cassette", "defaults")

#: What a layer answers with: one message (unary) or the messages of a stream.
Responses = Union[Message, AsyncIterator[Message]]  # noqa: UP007


class Call:
    """One call on its way through the chain."""

    __slots__ = ("context", "metadata", "method", "requests", "shown_metadata", "tenant")

    def __init__(
        self,
        method: Method,
        requests: list[Message],
        context: grpc.aio.ServicerContext[Any, Any],
        metadata: dict[str, str],
        shown_metadata: dict[str, str] | None = None,
        *,
        tenant: Tenant = DEFAULT_TENANT,
    ) -> None:
        #: The method called.
        self.method = method
        #: The request messages (one, except for client streams).
        self.requests = requests
        #: The gRPC servicer context (deadline, metadata to send back, cancellation).
        self.context = context
        #: The invocation metadata, keys lower-case, values as text. Credentials in clear: never log it.
        #: Shared between calls that sent the same metadata: read it, do not change it.
        self.metadata = metadata
        #: The same with every credential redacted (:mod:`xai_fake.credentials`): what may be shown.
        self.shown_metadata = redact_mapping(metadata) if shown_metadata is None else shown_metadata
        #: Whose state the call reaches (:mod:`xai_fake.tenancy`): set once by the auth layer from the
        #: bearer token, so that nothing after it reads the key again. Never holds the key in clear.
        self.tenant = tenant

    @classmethod
    def received(cls, method: Method, requests: list[Message], context: grpc.aio.ServicerContext[Any, Any]) -> Call:
        """The call gRPC handed to a handler, its metadata read once per distinct set of pairs."""
        metadata, shown = _read_metadata(context.invocation_metadata() or ())
        return cls(method, requests, context, metadata, shown)

    @property
    def request(self) -> Any:
        """What handlers receive: the request message, or the list of messages of a client stream."""
        return self.requests if self.method.client_streaming else self.requests[0]

    def __repr__(self) -> str:
        return f"Call({self.method.full_name}, {len(self.requests)} request(s))"


_SEEN: OrderedDict[Any, tuple[dict[str, str], dict[str, str]]] = OrderedDict()
_SEEN_LIMIT = 256  # distinct metadata sets remembered (a client sends the same ones call after call)


def _read_metadata(pairs: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(metadata as text, the same redacted) for gRPC's invocation metadata."""
    try:
        found = _SEEN.get(pairs)
    except TypeError:  # unhashable: not remembered
        found = None
        pairs = tuple(pairs)
    if found is not None:
        return found
    metadata: dict[str, str] = {}
    for key, value in pairs:
        metadata[key] = value if isinstance(value, str) else value.decode("latin-1")
    found = (metadata, redact_mapping(metadata))
    if sum(len(key) + len(value) for key, value in metadata.items()) <= 4096:
        _SEEN[pairs] = found
        if len(_SEEN) > _SEEN_LIMIT:
            _SEEN.popitem(last=False)
    return found


#: The rest of the chain, as a layer sees it.
Next = Callable[[Call], Awaitable[Responses]]


class Layer(Protocol):
    """A step of the chain."""

    #: One of :data:`LAYER_ORDER`.
    name: ClassVar[str]

    async def handle(self, call: Call, rest: Next) -> Responses:
        """Answer ``call``, or pass it on with ``await rest(call)``."""
        ...


async def _end(call: Call) -> Responses:
    raise FakeRpcError(
        grpc.StatusCode.UNIMPLEMENTED,
        f"xai_fake: no layer answered {call.method.full_name}; script it with fake.script({call.method.full_name!r})",
    )


def _link(layer: Layer, rest: Next) -> Next:
    handle = layer.handle

    def step(call: Call) -> Awaitable[Responses]:
        return handle(call, rest)

    return step


class Chain:
    """The layers in :data:`LAYER_ORDER`, linked so that each receives the call and the rest."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        names = tuple(layer.name for layer in layers)
        if names != LAYER_ORDER:
            raise ValueError(f"the chain's layers must come in the order {LAYER_ORDER}, got {names}")
        self.layers = tuple(layers)
        entry: Next = _end
        for layer in reversed(self.layers):
            entry = _link(layer, entry)
        self._entry = entry

    def __call__(self, call: Call) -> Awaitable[Responses]:
        """Run ``call`` through every layer; the answer of the first layer that answers it.

        The call is also the :func:`current_call` of the rest of the call in progress.
        """
        _CURRENT.set(call)
        return self._entry(call)


_CURRENT: ContextVar[Call | None] = ContextVar("xai_fake_call", default=None)


def current_call() -> Call | None:
    """The call the chain is running (None outside any call), e.g. for a handler to read its metadata.

    gRPC runs each call in its own task, so this is the call of the task asking, its response
    stream included, and never another call.
    """
    return _CURRENT.get()
