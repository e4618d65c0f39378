"""Shared test configuration."""

from __future__ import annotations

import pytest

from tests.conformance import prefetch

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    prefetch.start(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    prefetch.last(items)
