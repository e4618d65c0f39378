"""Fixtures for testing xai_fake through real gRPC channels and the generated stubs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import grpc
import pytest

from xai_fake import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY, FakeServer

API_METADATA = (("authorization", f"Bearer {DEFAULT_API_KEY}"),)
MANAGEMENT_METADATA = (("authorization", f"Bearer {DEFAULT_MANAGEMENT_KEY}"),)


@pytest.fixture(scope="session")
def _fake_session() -> Iterator[FakeServer]:
    with FakeServer(seed=7) as fake:
        yield fake


@pytest.fixture
def fake(_fake_session: FakeServer) -> FakeServer:
    """The session's fake server, reset before each test."""
    _fake_session.reset()
    return _fake_session


@pytest.fixture(scope="session")
def channel(_fake_session: FakeServer) -> Iterator[grpc.Channel]:
    """A plain sync channel to the fake (no retries: faults surface directly)."""
    with grpc.insecure_channel(_fake_session.address, options=[("grpc.enable_retries", 0)]) as channel:
        yield channel


@pytest.fixture
async def aio_channel(fake: FakeServer) -> AsyncIterator[grpc.aio.Channel]:
    """An async channel to the fake, in the test's event loop."""
    async with grpc.aio.insecure_channel(fake.address, options=[("grpc.enable_retries", 0)]) as channel:
        yield channel


@pytest.fixture
def md() -> tuple[tuple[str, str], ...]:
    """Call metadata carrying the fake's API key."""
    return API_METADATA


@pytest.fixture
def mgmt_md() -> tuple[tuple[str, str], ...]:
    """Call metadata carrying the fake's management key."""
    return MANAGEMENT_METADATA
