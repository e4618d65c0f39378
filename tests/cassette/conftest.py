"""Fixtures for cassette tests: a local "real API" (an upstream FakeServer) and helpers to record through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xai_fake import FakeServer

#: The "real" key the SDK sends while recording; it must never reach a cassette.
SECRET_KEY = "xai-SECRET-7f3a9c1e5b2d4f60a8e9"
SECRET_MANAGEMENT_KEY = "xai-MGMT-SECRET-0b1c2d3e4f5a6b7c"


def make_upstream(**kwargs: Any) -> FakeServer:
    """A fake that stands in for api.x.ai: it accepts only the secret keys."""
    return FakeServer(seed=11, api_keys=[SECRET_KEY], management_keys=[SECRET_MANAGEMENT_KEY], **kwargs)


@pytest.fixture
def upstream() -> Iterator[FakeServer]:
    """A running local upstream, stopped after the test (tests may stop it earlier)."""
    server = make_upstream().start()
    try:
        yield server
    finally:
        server.stop()


def recording(path: Path | str, upstream: FakeServer, **options: Any) -> FakeServer:
    """A proxy server recording ``path`` from ``upstream`` (record mode ``all`` unless given)."""
    options.setdefault("record_mode", "all")
    return FakeServer(cassette=path, upstream=upstream.address, **options)


def real_keys() -> dict[str, str]:
    """Client arguments with the secret keys, as a user recording against the real API has them."""
    return {"api_key": SECRET_KEY, "management_api_key": SECRET_MANAGEMENT_KEY}
