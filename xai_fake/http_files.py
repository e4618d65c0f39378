"""A tiny HTTP/1.1 file server, so URLs in the fake's answers (images, videos) really download.

It answers ``GET`` of a published path with its bytes, 404 for any other path and
405 for any other method, and closes the connection after each response.
"""

from __future__ import annotations

import asyncio
import contextlib

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


class HttpFiles:
    """Published files (path -> bytes) served on ``127.0.0.1`` at a free port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int | None = None
        self.files: dict[str, tuple[bytes, str]] = {}
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        if self.port is None:
            raise RuntimeError("the HTTP file server is not running; start the FakeServer first")
        return f"http://{self.host}:{self.port}"

    def publish(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` at ``path`` (which must start with ``/``) and return its full URL."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        self.files[path] = (bytes(data), content_type)
        return self.base_url + path

    def clear(self) -> None:
        """Forget every published file."""
        self.files.clear()

    async def start(self) -> None:
        """Start serving in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the HTTP file server is already running")
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving; published files are kept."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        self.port = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        try:
            status, body, content_type = self._answer(head)
            headers = (
                f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                + ("Allow: GET\r\n" if status == 405 else "")
                + "Connection: close\r\n\r\n"
            )
            writer.write(headers.encode("latin-1") + body)
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

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
