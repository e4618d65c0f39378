"""``client.stubs``: the generated gRPC stubs, bound to the client's channels.

For RPCs (or request fields) no wrapper covers, call the stub directly and pass
:meth:`Stubs.kwargs` so the call carries the client's key, metadata and deadline::

    from xai_sdk.proto import sample_pb2

    request = sample_pb2.SampleTextRequest(prompt=["Hello"], model="grok-3-mini")
    response = client.stubs.sample.SampleText(request, **client.stubs.kwargs())

With an ``AsyncClient`` the stubs are asyncio stubs: ``await`` unary calls and use
``async for`` over streams. ``collections`` needs the management key.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import grpc

from xai_sdk._channel import CallSettings
from xai_sdk._services import SERVICES, by_stub
from xai_sdk._stub_types import StubTypes

__all__ = ["Stubs"]

Channel = grpc.Channel | grpc.aio.Channel


def _no_management_key(stub: str) -> str:
    return (
        f"The {stub} stub needs a management API key: pass management_api_key=... to the client "
        "or set XAI_MANAGEMENT_KEY."
    )


class Stubs(StubTypes):
    """One stub per xAI service, created on first use; :meth:`kwargs` gives what every call must carry.

    The attributes are those of :data:`xai_sdk._services.SERVICES` (declared for type checkers in
    :class:`xai_sdk._stub_types.StubTypes`); the stubs of management services (``collections``)
    use the management channel and :meth:`management_kwargs`.
    """

    def __init__(
        self,
        channel: Channel,
        calls: CallSettings,
        management_channel: Channel | None = None,
        management_calls: CallSettings | None = None,
    ) -> None:
        self._channel = channel
        self._calls = calls
        self._management_channel = management_channel
        self._management_calls = management_calls

    def kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        """``metadata=`` (key, SDK identity, the client's extra pairs) and ``timeout=`` for an API call."""
        return self._calls.kwargs(timeout)

    def management_kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        """The same for a call of a management stub (:attr:`collections`), with the management key."""
        if self._management_calls is None:
            raise ValueError(_no_management_key("collections"))
        return self._management_calls.kwargs(timeout)

    def _stub(self, name: str) -> Any:
        """Create the stub ``name`` of the service table on first use, and keep it."""
        service = by_stub(name)
        if service is None or "_channel" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        channel = self._management_channel if service.management else self._channel
        if channel is None:
            raise ValueError(_no_management_key(name))
        module = importlib.import_module(f"xai_sdk.proto.{service.stem}_pb2_grpc")
        stub = getattr(module, service.stub_class)(channel)
        self.__dict__[name] = stub
        return stub

    # Only at run time: for type checkers the stubs are the attributes declared above, and no others.
    if not TYPE_CHECKING:
        __getattr__ = _stub

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {service.stub for service in SERVICES})
