"""A tiny HTTP/1.1 file server, so URLs in the fake's answers (images, videos) really download.

It answers ``GET`` of a published path with its bytes, 404 for any other path and
405 for any other method, and closes the connection after each response.

Exposure: each connection gets ``read_timeout`` seconds to send its request head, and the same
again for each chunk of the answer to be taken; an idle or half-sent connection is then closed.
At most ``max_connections`` are served at once; one more is answered 503 and closed at once.

Addresses: it binds the host the gRPC server binds (``FakeServer`` passes its own). A name is
resolved once and its first IPv4 address (else IPv6) is bound and named in URLs. A wildcard
(``0.0.0.0``, ``::`` or empty) binds every interface, IPv4 and IPv6, and URLs name this machine's
primary address (the one its default route leaves from, found without sending a packet; else the
host name), so that remote clients can download; ``url_host`` names another one.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_READ_TIMEOUT", "HttpFiles"]

#: Seconds a connection may take to send its request head (and each chunk of the answer to be taken).
DEFAULT_READ_TIMEOUT = 10.0
#: Connections served at once; more are answered 503 and closed.
DEFAULT_MAX_CONNECTIONS = 64

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
#: Bytes written between two waits for the client to take them.
_CHUNK = 64 * 1024
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 38\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections; try again later\n"
)


class HttpFiles:
    """Published files (path -> bytes) served on ``host`` (default ``127.0.0.1``) at a free port."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        url_host: str | None = None,
    ) -> None:
        if not read_timeout > 0:
            raise ValueError(f"read_timeout must be a positive number of seconds, got {read_timeout!r}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections!r}")
        self.host = host
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        #: The host named in URLs; None until started, unless given.
        self.url_host = url_host
        self._given_url_host = url_host
        self.port: int | None = None
        self.files: dict[str, tuple[bytes, str]] = {}
        self._server: asyncio.Server | None = None
        #: The connections being served, and the task serving each.
        self._connections: dict[asyncio.StreamWriter, asyncio.Task[None]] = {}

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` (``http://127.0.0.1:PORT`` by default), without a trailing slash."""
        if self.port is None or self.url_host is None:
            raise RuntimeError("the HTTP file server is not running; start the FakeServer first")
        host = f"[{self.url_host}]" if ":" in self.url_host else self.url_host
        return f"http://{host}:{self.port}"

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._connections)

    def publish(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` at ``path`` (which must start with ``/``) and return its full URL."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        self.files[path] = (bytes(data), content_type)
        return self.base_url + path

    def clear(self, prefix: str = "") -> None:
        """Forget every published file, or those whose path starts with ``prefix`` (a session's)."""
        if not prefix:
            self.files.clear()
            return
        for path in [path for path in self.files if path.startswith(prefix + "/")]:
            del self.files[path]

    async def start(self) -> None:
        """Start serving in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the HTTP file server is already running")
        listener, url_host = await _listen(self.host.removeprefix("[").removesuffix("]"))
        self._server = await asyncio.start_server(self._handle, sock=listener)
        self.port = listener.getsockname()[1]
        self.url_host = self._given_url_host or url_host

    async def stop(self) -> None:
        """Stop serving and close every open connection; published files are kept."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            tasks = list(self._connections.values())
            for writer in list(self._connections):
                writer.transport.abort()
            if tasks:
                await asyncio.wait(tasks, timeout=1.0)
            await server.wait_closed()
        self.port = None
        self.url_host = self._given_url_host

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is None or len(self._connections) >= self.max_connections:
            writer.write(_BUSY)
            writer.close()  # the transport sends what it holds, then closes
            return
        self._connections[writer] = task
        try:
            await self._serve(reader, writer)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.transport.abort()  # idle, half-sent, too long, or gone: close without waiting
        finally:
            del self._connections[writer]
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), self.read_timeout)
            except (ConnectionError, asyncio.TimeoutError):
                writer.transport.abort()  # the client does not take the rest of the answer

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.read_timeout)
        status, body, content_type = self._answer(head)
        headers = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            + ("Allow: GET\r\n" if status == 405 else "")
            + "Connection: close\r\n\r\n"
        )
        writer.write(headers.encode("latin-1"))
        data = memoryview(body)
        for start in range(0, len(data), _CHUNK):
            writer.write(data[start : start + _CHUNK])
            await asyncio.wait_for(writer.drain(), self.read_timeout)
        await asyncio.wait_for(writer.drain(), self.read_timeout)

    def _answer(self, head: bytes) -> tuple[int, bytes, str]:
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return 400, b"malformed request line\n", "text/plain"
        method, target = parts[0], parts[1].split("?", 1)[0]
        if method != "GET":
            return 405, f"{method} is not supported; use GET\n".encode(), "text/plain"
        found = self.files.get(target)
        if found is None:
            return 404, f"no file is published at {target}\n".encode(), "text/plain"
        return 200, found[0], found[1]


async def _listen(host: str) -> tuple[socket.socket, str]:
    """A listening socket on ``host`` at a free port, and the host to name in URLs (module docstring)."""
    if host == "0.0.0.0":
        return socket.create_server((host, 0)), _primary_address()
    if host in _WILDCARDS:  # "::" or "": every interface, both families where the system can
        if socket.has_dualstack_ipv6():
            return socket.create_server(("::", 0), family=socket.AF_INET6, dualstack_ipv6=True), _primary_address()
        family = socket.AF_INET6 if host else socket.AF_INET
        return socket.create_server((host or "0.0.0.0", 0), family=family), _primary_address()
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = next((info for info in found if info[0] == socket.AF_INET), found[0])
    return socket.create_server(address, family=family), str(address[0])


def _primary_address() -> str:
    """This machine's address on its default route (a UDP ``connect`` sends nothing), else its host name."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like any remote address, never reached
        return str(probe.getsockname()[0])
    return socket.gethostname()
