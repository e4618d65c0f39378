"""``grpc.health.v1`` for the fake: what Kubernetes probes, Docker and Testcontainers wait on.

The servicer is grpcio-health-checking's (asyncio). It reports the server's real readiness:
the server (``""``) and each xAI service answer ``NOT_SERVING`` until the gRPC server and its
HTTP file server both serve, ``SERVING`` from then on, and ``NOT_SERVING`` again once the server
starts to stop. :meth:`Health.set` scripts other answers, e.g. a ``NOT_SERVING`` →
``SERVING`` sequence for code that waits on ``Watch``; ``fake.reset()`` undoes them. Health calls
run beside the chain: never logged as API calls, never recorded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import grpc

__all__ = ["Health"]

_STATUSES = ("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN")


def status_number(status: str | int) -> int:
    """The ``HealthCheckResponse.ServingStatus`` number of ``status`` (a name such as ``"SERVING"``, or the number)."""
    if isinstance(status, int) and not isinstance(status, bool) and 0 <= status < len(_STATUSES):
        return status
    if isinstance(status, str) and status.upper() in _STATUSES:
        return _STATUSES.index(status.upper())
    raise ValueError(f"a health status is one of {', '.join(_STATUSES[1:])}, got {status!r}")


class Health:
    """The health service of one server: ``fake.health``.

    ``fake.health.set("xai_api.Chat", "NOT_SERVING")`` changes what ``Check`` and ``Watch`` answer
    for that service (``""`` is the whole server); :meth:`status` reads it back. It works from any
    thread, before or while the server serves.
    """

    def __init__(self, services: Iterable[str]) -> None:
        #: The services it reports on: the server ("") and each xAI service.
        self.services = ("", *services)
        self._lock = threading.Lock()
        self._scripted: dict[str, int] = {}
        self._ready = False
        self._servicer: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, server: grpc.aio.Server) -> None:
        """Serve ``grpc.health.v1.Health`` on ``server`` (before it starts); every service NOT_SERVING."""
        from grpc_health.v1 import health_pb2_grpc
        from grpc_health.v1._async import HealthServicer

        self._servicer = HealthServicer()
        self._loop = asyncio.get_running_loop()
        health_pb2_grpc.add_HealthServicer_to_server(self._servicer, server)
        self._ready = False

    async def serving(self) -> None:
        """The server is ready: every service answers SERVING, unless scripted otherwise."""
        self._ready = True
        await self._apply()

    async def stopping(self) -> None:
        """The server is stopping: NOT_SERVING from now on, whatever was scripted."""
        self._ready = False
        if self._servicer is not None:
            await self._servicer.enter_graceful_shutdown()
            self._servicer = None

    def set(self, service: str, status: str | int) -> None:
        """Answer ``status`` (``"SERVING"``, ``"NOT_SERVING"``, ``"SERVICE_UNKNOWN"``) for ``service``."""
        if not isinstance(service, str):
            raise TypeError(f"service is a name such as 'xai_api.Chat' ('' for the server), got {service!r}")
        number = status_number(status)
        with self._lock:
            self._scripted[service] = number
        self._push()

    def status(self, service: str = "") -> str:
        """What ``Check`` answers for ``service`` now, e.g. ``"SERVING"``."""
        with self._lock:
            if service in self._scripted:
                return _STATUSES[self._scripted[service]]
        if service in self.services:
            return "SERVING" if self._ready else "NOT_SERVING"
        return "SERVICE_UNKNOWN"

    def reset(self) -> None:
        """Forget scripted statuses: every service reports the server's readiness again."""
        with self._lock:
            if not self._scripted:
                return  # nothing to undo (the common case: a reset between tests)
            dropped = [service for service in self._scripted if service not in self.services]
            self._scripted.clear()
        self._push(dropped)

    def _push(self, dropped: Iterable[str] = ()) -> None:
        """Apply the statuses in the server's loop (waiting for it, unless called from that loop)."""
        loop = self._loop
        if loop is None or self._servicer is None or loop.is_closed():
            return
        coroutine = self._apply(tuple(dropped))
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task = loop.create_task(coroutine)
            task.add_done_callback(lambda done: done.exception())
        else:
            asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=10)

    async def _apply(self, dropped: tuple[str, ...] = ()) -> None:
        servicer = self._servicer
        if servicer is None:
            return
        with self._lock:
            wanted = dict.fromkeys(self.services, 1 if self._ready else 2)
            wanted.update(self._scripted)
        for service in dropped:
            wanted.setdefault(service, 3)  # SERVICE_UNKNOWN: a watcher sees the scripted status end
        for service, number in wanted.items():
            await servicer.set(service, number)
