"""pytest plugin: a fake xAI server per test session, reset for every test.

Installed through the ``pytest11`` entry point, so installing the package is enough::

    def test_answer(xai_fake_server):
        xai_fake_server.script("Chat/GetCompletion").respond(...)
        ...  # XAI_API_HOST, XAI_API_KEY, ... point at the fake during the test

Under pytest-xdist each worker process gets its own server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from xai_fake.server import FakeServer

if TYPE_CHECKING:
    import xai_sdk

try:  # async fixtures need pytest-asyncio's decorator in its default (strict) mode
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # pragma: no cover - without pytest-asyncio, async tests cannot run anyway
    async_fixture = pytest.fixture


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xai_fake", "fake xAI API server")
    group.addoption(
        "--xai-fake-seed",
        type=int,
        default=0,
        help="seed for the fake server's generated answers (default: 0)",
    )


@pytest.fixture(scope="session")
def xai_fake_server_session(pytestconfig: pytest.Config) -> Iterator[FakeServer]:
    """The session's fake server, started once (one per xdist worker)."""
    with FakeServer(seed=pytestconfig.getoption("xai_fake_seed")) as server:
        yield server


@pytest.fixture
def xai_fake_server(xai_fake_server_session: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The fake xAI server, reset for this test, with XAI_* environment variables pointing at it."""
    xai_fake_server_session.reset()
    for name, value in xai_fake_server_session.env().items():
        monkeypatch.setenv(name, value)
    return xai_fake_server_session


@pytest.fixture
def xai_client(xai_fake_server: FakeServer) -> Iterator[xai_sdk.Client]:
    """An ``xai_sdk.Client`` connected to the fake server."""
    with xai_fake_server.client() as client:
        yield client


@async_fixture
async def xai_async_client(xai_fake_server: FakeServer) -> AsyncIterator[xai_sdk.AsyncClient]:
    """An ``xai_sdk.AsyncClient`` connected to the fake server, in the test's event loop."""
    async with xai_fake_server.async_client() as client:
        yield client
