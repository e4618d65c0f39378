"""A guard that stops gRPC channels to anything but this machine, before any lookup or connection.

The pytest plugin turns it on with ``--xai-block-network`` (or the ``xai_block_network`` ini
option); it also works on its own::

    guard = ChannelGuard("my flag")
    guard.install()       # from now on, a channel to a non-loopback host raises NetworkBlocked
    ...
    guard.uninstall()

Where it hooks: the constructors of gRPC's channel classes, ``grpc._channel.Channel`` (behind
``grpc.insecure_channel`` and ``grpc.secure_channel``) and ``grpc.aio._channel.Channel``
(behind ``grpc.aio.insecure_channel`` / ``secure_channel``). Every Python gRPC client builds
its channel there: ``xai_sdk.Client`` and ``AsyncClient``, the official ``xai-sdk``, generated
stubs on a raw channel, channels made with ``from grpc import secure_channel``. The check runs
before gRPC's C core gets the target, so a blocked channel never exists: no name is resolved
and no socket is opened.

Why not sockets: gRPC's C core resolves names and opens its sockets in C (c-ares or its own
resolver, its own ``connect``), without going through Python's :mod:`socket` module, so a
``socket.socket.connect`` patch (pytest-recording's ``--block-network``) never sees them; and
by the time a socket is opened the name has already been looked up. A gRPC channel is lazy:
it resolves and connects on its first call, so refusing to construct it is the earliest point.

Loopback targets (``localhost``, ``127.0.0.0/8``, ``::1``, ``unix:`` sockets, in any of gRPC's
spellings) always pass: that is where the fake serves. The rules for reading a target are the
SDK's own (:func:`xai_sdk._target.parse_target`), so the guard reads a target as the channel
will, without DNS.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from xai_sdk._target import parse_target

__all__ = ["ChannelGuard", "NetworkBlocked"]


class NetworkBlocked(RuntimeError):
    """A gRPC channel to a host that is not this machine, refused by the network guard."""

    def __init__(self, target: str, host: str, flag: str) -> None:
        self.target = target
        self.host = host
        self.flag = flag
        where = host if host == target else f"{host} (target {target!r})"
        super().__init__(
            f"network blocked by {flag}: a gRPC channel to {where} was refused before any DNS lookup or "
            "connection; tests may reach loopback hosts only, such as the fake server (the xai_fake_server "
            "fixture points XAI_API_HOST at it). Use the xai_client fixture or FakeServer.client(), record "
            "a cassette, or mark a test that must reach the real API with @pytest.mark.xai_live"
        )


def _host_of(target: str) -> str:
    parsed = parse_target(target)
    return parsed.address or target


class ChannelGuard:
    """Refuses gRPC channels to non-loopback targets while installed and not exempted.

    ``flag`` names what turned it on, for the error message. :meth:`exempt` lets everything
    through (a test marked ``xai_live``); :meth:`allow` lets given targets through (the
    upstream of a recording cassette). State is process-wide, not per thread: the fake's
    recording proxy opens its channels on the server's own thread.
    """

    def __init__(self, flag: str = "--xai-block-network") -> None:
        self.flag = flag
        self._lock = threading.Lock()
        self._exempt = False
        self._allowed: frozenset[str] = frozenset()
        self._patched: list[tuple[Any, Callable[..., None]]] = []

    # -- what passes ---------------------------------------------------------------------

    def exempt(self, value: bool) -> None:
        """Let every channel through (True), or check them again (False)."""
        with self._lock:
            self._exempt = value

    def allow(self, targets: Iterable[str]) -> None:
        """Let exactly these targets through, besides loopback ones (replaces the previous set)."""
        with self._lock:
            self._allowed = frozenset(targets)

    def check(self, target: str) -> None:
        """Raise :class:`NetworkBlocked` if a channel to ``target`` may not be made now."""
        if parse_target(target).is_local:
            return
        with self._lock:
            if self._exempt or target in self._allowed:
                return
        raise NetworkBlocked(target, _host_of(target), self.flag)

    # -- installing ----------------------------------------------------------------------

    @property
    def installed(self) -> bool:
        """True between :meth:`install` and :meth:`uninstall`."""
        return bool(self._patched)

    def install(self) -> None:
        """Wrap the constructors of gRPC's sync and asyncio channel classes."""
        if self._patched:
            return
        for channel_class in _channel_classes():
            original = channel_class.__init__
            channel_class.__init__ = self._guarded(original)
            self._patched.append((channel_class, original))

    def uninstall(self) -> None:
        """Put the constructors back as they were before :meth:`install`."""
        while self._patched:
            channel_class, original = self._patched.pop()
            channel_class.__init__ = original

    def _guarded(self, original: Callable[..., None]) -> Callable[..., None]:
        guard = self

        @functools.wraps(original)
        def __init__(channel: Any, target: Any, *args: Any, **kwargs: Any) -> None:
            guard.check(target.decode() if isinstance(target, bytes) else str(target))
            original(channel, target, *args, **kwargs)

        return __init__


def _channel_classes() -> list[Any]:
    """The classes every ``grpc.*_channel`` and ``grpc.aio.*_channel`` call constructs."""
    import grpc._channel
    import grpc.aio._channel

    return [grpc._channel.Channel, grpc.aio._channel.Channel]
