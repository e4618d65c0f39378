"""The fake's HTTP file server, which serves the URLs found in image and video answers."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest

from xai_fake import FakeServer
from xai_fake.http_files import HttpFiles


def test_published_bytes_download_over_http(fake: FakeServer) -> None:
    url = fake.defaults.state.publish("/files/hello.bin", b"\x00hello\xff", "application/x-test")
    assert url == f"{fake.http_url}/files/hello.bin"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/x-test"
        assert response.read() == b"\x00hello\xff"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/missing.png", 404), ("POST", "/files/a.bin", 405), ("DELETE", "/files/a.bin", 405)],
)
def test_other_paths_and_methods_are_refused(fake: FakeServer, method: str, path: str, status: int) -> None:
    fake.defaults.state.publish("/files/a.bin", b"a")
    request = urllib.request.Request(fake.http_url + path, method=method, data=b"" if method == "POST" else None)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == status
    info.value.close()


def test_reset_forgets_published_files(fake: FakeServer) -> None:
    url = fake.defaults.state.publish("/files/old.bin", b"old")
    fake.reset()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(url, timeout=5)
    assert info.value.code == 404
    info.value.close()


async def test_raw_http_exchange_in_async_code(fake: FakeServer) -> None:
    fake.defaults.state.publish("/files/raw.txt", b"raw bytes", "text/plain")
    reader, writer = await asyncio.open_connection("127.0.0.1", int(fake.http_url.rsplit(":", 1)[1]))
    writer.write(b"GET /files/raw.txt HTTP/1.1\r\nHost: fake\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Content-Length: 9" in head
    assert body == b"raw bytes"


async def test_standalone_server_lifecycle() -> None:
    files = HttpFiles()
    with pytest.raises(RuntimeError, match="not running"):
        files.publish("/x", b"x")
    await files.start()
    try:
        assert files.base_url.startswith("http://127.0.0.1:")
        with pytest.raises(ValueError, match="must start with '/'"):
            files.publish("relative", b"x")
    finally:
        await files.stop()
    assert files.port is None
